"""Energy drain: cost to serve, energy, the 80/20, the whale curve and drop candidates.

The methods (see DESIGN.md):

- **Cost to serve** by time-driven activity-based costing (Kaplan & Anderson 2004): every
  interaction's minutes (measured, else the channel's time equation) times one cost rate per
  minute, the team's paid cost divided by its *practical* capacity (about 80 % of paid
  hours). The hours customer contact does not use are shown, not spread over customers.
- **Energy** is effort weighted by stress: an interaction's minutes count once as effort,
  and again, times a weight from params, for each stress signal it carries (inbound after
  hours, on a weekend or public holiday, a chaser, a complaint, a message deep in a long
  thread). An account's energy is the sum of these named parts, exactly.
- **80/20**: the smallest set of accounts carrying the Pareto share of energy, its Lorenz
  curve and Gini; the **whale curve** of cumulative net value (margin minus cost to serve).
- **Drop candidates**: high-energy, low net value per energy hour, not committed, not
  protected, not young; each with plain reasons and a what-if against fix-before-fire
  alternatives.

Everything here is a pure function of its inputs and the params.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from typing import Any

import narwhals as nw
import numpy as np
import pandas as pd

from .formatting import money, number, plural
from .kpis import is_dissatisfied
from .metrics import Coverage, Engine, coverage, featured_log, quiet_pandas
from .params import Params
from .portfolio import Portfolio
from .whatif import WhatIf, refill_evidence, what_if

#: The named parts of energy, in hours; ``energy`` is their sum.
PARTS = (
    "energy_effort",
    "energy_after_hours",
    "energy_off_day",
    "energy_chasers",
    "energy_complaints",
    "energy_long_threads",
)
#: Plain names of the parts, for tables and figures.
PART_LABELS = {
    "energy_effort": "contact time",
    "energy_after_hours": "after hours (working days)",
    "energy_off_day": "weekends and holidays",
    "energy_chasers": "chasers",
    "energy_complaints": "complaints",
    "energy_long_threads": "long threads",
}
_BY = "account_id"
_ORDER = ["ts", "seq"]
_UNKNOWN_MEMBER = "(not recorded)"


# --------------------------------------------------------------------------- events


def energy_events(
    portfolio: Portfolio,
    params: Params,
    as_of: dt.date,
    *,
    window_days: int = 365,
    engine: Engine | None = None,
) -> pd.DataFrame:
    """Every interaction in the window with its effort and energy parts, in minutes.

    The stress flags come from :func:`workbench.metrics.event_features`, so they agree with
    :func:`workbench.account_metrics` by construction. A message's place in its thread is
    counted over the whole log before ``as_of``: a thread begun before the window is
    already long when the window opens.

    Parameters
    ----------
    portfolio : Portfolio
        The canonical tables.
    params : Params
        Calendar, time equations, chaser window and the ``energy`` weights.
    as_of : date
        Only events before this local day count.
    window_days : int
        Events in the ``window_days`` before ``as_of`` are returned (as in the metrics).
    engine : {"duckdb", "polars", "pandas"}, optional
        Where the log is featured; default ``params.engine``.

    Returns
    -------
    pandas.DataFrame
        ``account_id, ts, channel, direction, handled_by, effort_minutes, after_hours,
        off_day, chaser, complaint, thread_pos``, the response columns of
        :func:`~workbench.metrics.event_features` (``t_us, run_start, prev_run_began,
        response_hours``) and one ``<part>_min`` column per name in :data:`PARTS`.

    Examples
    --------
    >>> from workbench import load_params, load_portfolio
    >>> params = load_params("params/default.yaml")
    >>> ev = energy_events(load_portfolio(params), params, dt.date(2026, 11, 1))
    >>> bool((ev["energy_effort_min"] == ev["effort_minutes"]).all())
    True
    """
    tz = params.client.timezone
    cutoff = pd.Timestamp(as_of, tz=tz).tz_convert("UTC")
    start = cutoff - pd.Timedelta(days=window_days)
    if "handled_by" not in portfolio.interactions:
        log = portfolio.interactions
        portfolio = replace(
            portfolio, interactions=log.assign(handled_by=pd.Series(pd.NA, index=log.index, dtype="string"))
        )
    with quiet_pandas():
        featured = featured_log(portfolio, params, cutoff, engine or params.engine)
        # A message without a thread is its own thread of one.
        threaded = ~nw.col("thread").is_null()
        pos = (nw.col("in_flag") * 0 + 1).cum_sum().over(_BY, "thread", order_by=_ORDER)
        df = (
            featured.with_columns(thread_pos=nw.when(threaded).then(pos).otherwise(1))
            .filter(nw.col("ts") >= nw.lit(start.to_pydatetime()))
            .select(
                _BY, "ts", "seq", "t_us", "channel", "direction", "handled_by", "effort_minutes",
                "after_hours", "off_day", "chaser", "complaint", "thread_pos",
                "run_start", "prev_run_began", "response_hours",
            )
            .collect("pandas")
            .to_native()
        )
    df = df.sort_values([_BY, *_ORDER], kind="stable").reset_index(drop=True)
    df["ts"] = pd.to_datetime(df["ts"], utc=True).astype("datetime64[ns, UTC]")
    for col in ("after_hours", "off_day", "chaser", "complaint", "thread_pos", "run_start", "t_us"):
        df[col] = df[col].astype("int64")
    df["prev_run_began"] = df["prev_run_began"].astype("Int64")
    df["response_hours"] = df["response_hours"].astype("float64")
    df["effort_minutes"] = df["effort_minutes"].astype("float64")
    df["handled_by"] = df["handled_by"].astype("object").where(df["handled_by"].notna(), _UNKNOWN_MEMBER)
    return _event_parts(df, params)


def _event_parts(df: pd.DataFrame, params: Params) -> pd.DataFrame:
    w = params.energy
    effort = df["effort_minutes"]
    # Weekends and holidays are their own part, not also "after hours": each minute of
    # stress is counted under one name so the parts explain the total without overlap.
    evening = (df["after_hours"] == 1) & (df["off_day"] == 0)
    deep = df["thread_pos"] > w.long_thread_messages
    df["energy_effort_min"] = effort
    df["energy_after_hours_min"] = w.after_hours_weight * effort * evening
    df["energy_off_day_min"] = w.off_day_weight * effort * (df["off_day"] == 1)
    df["energy_chasers_min"] = w.chaser_weight * effort * (df["chaser"] == 1)
    df["energy_complaints_min"] = w.complaint_weight * effort * (df["complaint"] == 1)
    df["energy_long_threads_min"] = w.long_thread_weight * effort * deep
    df["long_thread_message"] = deep.astype("int64")
    return df


# --------------------------------------------------------------------------- costing


@dataclass(frozen=True)
class CostRates:
    """The team's capacity and the cost of a minute of it over the analysis window.

    ``contact_hours`` is the customer contact the log shows; ``unused_hours`` is practical
    capacity it does not use (production work, admin, or idle), shown rather than spread.
    """

    window_days: int
    paid_hours: float
    practical_hours: float
    cost: float
    rate_per_hour: float
    contact_hours: float
    unused_hours: float
    unused_cost: float
    source: str

    @property
    def rate_per_minute(self) -> float:
        return self.rate_per_hour / 60

    @property
    def contact_share(self) -> float:
        """Share of practical capacity spent on customer contact."""
        return self.contact_hours / self.practical_hours if self.practical_hours else float("nan")

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready values, rounded for people; unknown contact (no log) is null."""
        d = {k: (_rounded(v, 2) if isinstance(v, float) else v) for k, v in asdict(self).items()}
        d["rate_per_minute"] = round(self.rate_per_minute, 4)
        d["contact_share"] = _rounded(self.contact_share, 4)
        return d


def _rounded(x: float, digits: int) -> float | None:
    return None if np.isnan(x) else round(x, digits)


def cost_rates(
    team: pd.DataFrame | None, params: Params, contact_hours: float, *, window_days: int = 365
) -> CostRates:
    """Cost per hour of practical capacity, time-driven ABC style.

    Cost of capacity supplied = Σ paid hours × cost per hour; practical capacity =
    ``costing.practical_capacity`` of paid hours. Members without hours or cost in the
    team table get ``costing.hours_per_week`` / ``costing.cost_per_hour``; without a team
    table the team is one such person.

    Parameters
    ----------
    team : pandas.DataFrame or None
        ``member`` with optional ``hours_per_week`` and ``cost_per_hour``.
    params : Params
        The ``costing`` section.
    contact_hours : float
        Hours of customer contact in the window (the sum of effort hours).
    window_days : int
        Length of the window, to scale yearly capacity to it.

    Examples
    --------
    >>> team = pd.DataFrame({"member": ["a", "b"], "hours_per_week": [40.0, 20.0],
    ...                      "cost_per_hour": [50.0, 50.0]})
    >>> r = cost_rates(team, Params(), contact_hours=1000.0, window_days=364)
    >>> round(r.rate_per_hour, 2), round(r.practical_hours), round(r.unused_hours)
    (62.5, 2496, 1496)
    """
    c = params.costing
    if team is not None and len(team):
        hours = _column(team, "hours_per_week", c.hours_per_week)
        cost_h = _column(team, "cost_per_hour", c.cost_per_hour)
        source = "team table"
    else:
        hours = pd.Series([c.hours_per_week])
        cost_h = pd.Series([c.cost_per_hour])
        source = "params (no team table)"
    weeks = c.paid_weeks_per_year * window_days / 364
    paid = float(hours.sum() * weeks)
    cost = float((hours * cost_h).sum() * weeks)
    practical = paid * c.practical_capacity
    rate = cost / practical if practical else 0.0
    unused = practical - contact_hours
    return CostRates(
        window_days=window_days, paid_hours=paid, practical_hours=practical, cost=cost,
        rate_per_hour=rate, contact_hours=float(contact_hours), unused_hours=unused,
        unused_cost=unused * rate, source=source,
    )


def _column(df: pd.DataFrame, col: str, default: float) -> pd.Series:
    if col not in df:
        return pd.Series(default, index=df.index, dtype="float64")
    return df[col].astype("float64").fillna(default)


def capacity_table(rates: CostRates) -> pd.DataFrame:
    """The costing as a table for people: paid, practical, contact and unused hours.

    Without a contact log (``contact_hours`` missing) contact and unused hours are unknown,
    and say so rather than showing the whole capacity as unused.
    """
    known = not np.isnan(rates.contact_hours)
    rows = [
        ("Paid hours in the window", f"{number(rates.paid_hours)} h"),
        ("Practical capacity", f"{number(rates.practical_hours)} h"),
        ("Cost of the team's capacity", money(rates.cost)),
        ("Cost per hour of practical capacity", money(rates.rate_per_hour, digits=2)),
        ("Customer contact in the log",
         f"{number(rates.contact_hours)} h ({rates.contact_share:.0%} of practical capacity)" if known
         else "unknown: there is no contact log"),
        ("Capacity customer contact leaves unused (production, admin, idle)",
         f"{number(rates.unused_hours)} h = {money(rates.unused_cost)}" if known else "unknown"),
    ]
    return pd.DataFrame(rows, columns=["figure", "value"]).set_index("figure")


@dataclass(frozen=True)
class ImplausibleLog:
    """A contact log implying more contact hours than the team has practical hours for.

    The likely cause is an event log read as contacts: a ticket system writes a row for
    every status update, and each row then counts as minutes of contact. Without a team
    table the capacity is the one person the params assume, so a larger team is as likely.
    """

    contacts: int
    contact_hours: float
    practical_hours: float
    days: int
    team_known: bool = True

    @property
    def share(self) -> float:
        """Contact hours as a share of practical capacity over the same days (above 1)."""
        return self.contact_hours / self.practical_hours

    def sentence(self) -> str:
        """The warning for the report, with the fix.

        Examples
        --------
        >>> print(ImplausibleLog(12000, 3100.0, 1200.0, 91).sentence().replace("\\xa0", " "))
        The contact log implies more contact than the team has time for: the log probably records events (status updates of tickets), not contacts: 12 000 contacts, 3 100 h = 258 % of the team's practical capacity over the same 91 days. If so, every figure built on contact time (effort, energy, cost to serve) is inflated. See data.tables.interactions in the params file to count one contact per ticket (contacts: per_thread: true).
        """
        figures = (f"{number(self.contacts)} contacts, {number(self.contact_hours)} h = {self.share:.0%} of "
                   f"{'the team' if self.team_known else 'one person'}'s practical capacity over the same "
                   f"{self.days} days")
        fix = ("See data.tables.interactions in the params file to count one contact per ticket "
               "(contacts: per_thread: true).")
        if self.team_known:
            text = ("The contact log implies more contact than the team has time for: the log probably records "
                    f"events (status updates of tickets), not contacts: {figures}. If so, every figure built on "
                    f"contact time (effort, energy, cost to serve) is inflated. {fix}")
        else:
            text = ("The contact log implies more contact than one person has time for, and without a team table "
                    "the capacity is one person's: either the team is larger (add a team table with each "
                    "member's weekly hours) or the log records events (status updates of tickets), not "
                    f"contacts: {figures}. {fix}")
        return text.replace("%", " %")

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready figures and the sentence."""
        return {"contacts": self.contacts, "contact_hours": round(self.contact_hours, 1),
                "practical_hours": round(self.practical_hours, 1), "days": self.days,
                "share": round(self.share, 4), "team_known": self.team_known, "sentence": self.sentence()}


def implausible_log(
    metrics: pd.DataFrame, interactions: pd.DataFrame, team: pd.DataFrame | None, params: Params
) -> ImplausibleLog | None:
    """The log's contact hours against the team's practical capacity over the same days.

    The days are those the log covers in the metrics' window (from its first contact there
    to ``as_of``), in whole weeks: a log of three days is held against a week's capacity,
    so a busy Monday is not mistaken for an impossible one. Capacity is
    :func:`cost_rates`' practical hours, the same as the costing's.

    Parameters
    ----------
    metrics : pandas.DataFrame
        :func:`workbench.account_metrics` output: ``effort_hours`` and ``n_interactions``
        over its window; ``attrs`` carry ``as_of`` and ``window_days``.
    interactions : pandas.DataFrame
        The contact log (for the first contact in the window).
    team : pandas.DataFrame or None
        The team, as for :func:`cost_rates`.
    params : Params
        ``costing`` and the client's time zone.

    Returns
    -------
    ImplausibleLog or None
        None when the contact fits in the team's practical hours (or there is none).

    Examples
    --------
    >>> m = pd.DataFrame({"effort_hours": [400.0], "n_interactions": [2500]})
    >>> m.attrs.update(as_of=dt.date(2026, 1, 8), window_days=365)
    >>> log = pd.DataFrame({"ts": pd.to_datetime(["2026-01-01 09:00"], utc=True)})
    >>> flag = implausible_log(m, log, None, Params())  # one person, one week: 30 practical hours
    >>> flag.days, round(flag.share, 1)
    (7, 13.3)
    >>> implausible_log(m.assign(effort_hours=20.0), log, None, Params()) is None
    True
    """
    hours = float(metrics["effort_hours"].sum())
    contacts = int(metrics["n_interactions"].sum())
    if not contacts:
        return None
    window = int(metrics.attrs.get("window_days", 365))
    cutoff = pd.Timestamp(metrics.attrs["as_of"], tz=params.client.timezone).tz_convert("UTC")
    ts = interactions["ts"]
    first = ts[(ts >= cutoff - pd.Timedelta(days=window)) & (ts < cutoff)].min()
    days = min(window, 7 * int(np.ceil((cutoff - first) / pd.Timedelta(weeks=1))))
    practical = cost_rates(team, params, hours, window_days=days).practical_hours
    if hours <= practical:
        return None
    return ImplausibleLog(contacts=contacts, contact_hours=hours, practical_hours=practical, days=days,
                          team_known=team is not None and len(team) > 0)


# --------------------------------------------------------------------------- energy


def energy_breakdown(metrics: pd.DataFrame, events: pd.DataFrame, rates: CostRates) -> pd.DataFrame:
    """Per account: energy and its named parts (hours), cost to serve and net value.

    ``energy`` is the sum of the :data:`PARTS` columns, exactly; ``energy_effort`` equals
    the metrics' ``effort_hours`` (the same minutes). ``cost_to_serve`` = effort hours ×
    the cost rate; ``margin`` = revenue − direct cost; ``net_value`` = margin − cost to
    serve; ``value_per_energy_hour`` = net value / energy (missing without energy). Without
    revenue in the metrics (no invoices) margin and net value are missing.

    Parameters
    ----------
    metrics : pandas.DataFrame
        :func:`workbench.account_metrics` output (one row per account).
    events : pandas.DataFrame
        :func:`energy_events` for the same ``as_of`` and window.
    rates : CostRates
        :func:`cost_rates` of the team.

    Examples
    --------
    >>> from workbench import start
    >>> a = start("params/default.yaml")
    >>> ev = energy_events(a.portfolio, a.params, a.as_of)
    >>> b = energy_breakdown(a.metrics, ev, cost_rates(a.portfolio.team, a.params, 0.0))
    >>> bool((b["energy"] == b[list(PARTS)].sum(axis=1)).all())
    True
    """
    minutes = [f"{p}_min" for p in PARTS]
    per = events.groupby(_BY)[[*minutes, "long_thread_message"]].sum()
    chaser_min = events["effort_minutes"].where(events["chaser"] == 1, 0.0).groupby(events[_BY]).sum()
    keep = [c for c in ("account_id", "name", "owner", "protected", "tenure_days", "revenue",
                        "direct_cost", "effort_hours", "n_interactions", "n_inbound",
                        "after_hours_inbound", "off_day_inbound", "chasers", "complaints",
                        "longest_thread", "survey_last") if c in metrics]
    out = metrics[keep].copy()
    idx = out[_BY]
    for part, col in zip(PARTS, minutes):
        out[part] = (idx.map(per[col]).fillna(0.0) / 60).to_numpy()
    out["long_thread_messages"] = idx.map(per["long_thread_message"]).fillna(0).astype("int64").to_numpy()
    out["chaser_hours"] = (idx.map(chaser_min).fillna(0.0) / 60).to_numpy()
    out["energy"] = out[list(PARTS)].sum(axis=1)
    total = out["energy"].sum()
    out["energy_share"] = out["energy"] / total if total else 0.0
    # Without invoices value is unknown, not zero: net value stays missing, so no account
    # becomes a drop candidate for lack of data and the whale curve says it needs revenue.
    for col in ("revenue", "direct_cost"):
        if col not in out:
            out[col] = np.nan
    out["margin"] = out["revenue"] - out["direct_cost"]
    out["cost_to_serve"] = out["energy_effort"] * rates.rate_per_hour
    out["net_value"] = out["margin"] - out["cost_to_serve"]
    out["value_per_energy_hour"] = out["net_value"] / out["energy"].where(out["energy"] > 0)
    return out


def part_table(breakdown: pd.DataFrame, account_id: str) -> pd.DataFrame:
    """One account's energy as its named parts: hours, share, and the counts behind them.

    Examples
    --------
    >>> b = pd.DataFrame({"account_id": ["A"], "energy": [3.0], **{p: [0.5] for p in PARTS}})
    >>> part_table(b, "A")["hours"].sum()
    np.float64(3.0)
    """
    row = breakdown.set_index(_BY).loc[account_id]
    hours = row[list(PARTS)].astype("float64")
    return pd.DataFrame({
        "part": [PART_LABELS[p] for p in PARTS],
        "hours": hours.to_numpy(),
        "share": (hours / row["energy"] if row["energy"] else hours * 0).to_numpy(),
    }).set_index("part")


# --------------------------------------------------------------------------- 80/20


@dataclass(frozen=True)
class ParetoResult:
    """The smallest set of accounts carrying ``share`` of the energy, and the inequality.

    ``ranked`` holds every account from most to least energy with ``cum_share``;
    ``lorenz`` the Lorenz curve (accounts from least to most, cumulative shares from 0).
    """

    share: float
    accounts: tuple[str, ...]
    energy_share: float
    account_share: float
    revenue_share: float | None
    gini: float
    ranked: pd.DataFrame
    lorenz: pd.DataFrame

    @property
    def n(self) -> int:
        return len(self.accounts)

    def sentence(self) -> str:
        """The 80/20 point in words."""
        rev = "" if self.revenue_share is None else f" and {self.revenue_share:.0%} of the revenue"
        return (f"{self.n} accounts ({self.account_share:.0%} of all) carry {self.energy_share:.0%} "
                f"of the energy{rev}; Gini {self.gini:.2f}.")

    def as_dict(self) -> dict[str, Any]:
        return {
            "pareto_share": self.share, "accounts": self.n,
            "account_share": round(self.account_share, 4), "energy_share": round(self.energy_share, 4),
            "revenue_share": None if self.revenue_share is None else round(self.revenue_share, 4),
            "gini": round(self.gini, 4),
        }


def pareto(energy: pd.Series, share: float = 0.8, revenue: pd.Series | None = None) -> ParetoResult:
    """The smallest set of accounts whose energy reaches ``share`` of the total.

    Accounts are ranked by energy, ties by index, so the set is unique; it is minimal
    because the ranking is descending: any smaller set carries less than its prefix.

    Parameters
    ----------
    energy : pandas.Series
        Energy per account, indexed by account id (non-negative).
    share : float
        The Pareto share, e.g. 0.8.
    revenue : pandas.Series, optional
        Revenue per account (same index), for the set's share of revenue.

    Examples
    --------
    >>> p = pareto(pd.Series([50.0, 30.0, 10.0, 10.0], index=list("abcd")), 0.8)
    >>> p.accounts, p.account_share, round(p.gini, 3)
    (('a', 'b'), 0.5, 0.35)
    """
    e = energy.astype("float64")
    order = pd.DataFrame({"energy": e.to_numpy(), "key": e.index.astype(str)}, index=e.index)
    ranked = order.sort_values(["energy", "key"], ascending=[False, True], kind="stable")[["energy"]]
    total = float(e.sum())
    ranked["cum_share"] = ranked["energy"].cumsum() / total if total else 0.0
    # A tolerance for float sums: 80 % reached as 0.7999999999 still counts.
    reached = np.flatnonzero(ranked["cum_share"].to_numpy() >= share - 1e-12)
    k = int(reached[0]) + 1 if total and len(reached) else 0
    members = tuple(str(a) for a in ranked.index[:k])
    rev_share = None
    if revenue is not None:
        rev_total = float(revenue.sum())
        rev_share = float(revenue.loc[list(ranked.index[:k])].sum()) / rev_total if rev_total else None
    return ParetoResult(
        share=share, accounts=members,
        energy_share=float(ranked["cum_share"].iloc[k - 1]) if k else 0.0,
        account_share=k / len(e) if len(e) else 0.0,
        revenue_share=rev_share, gini=gini(e), ranked=ranked.rename_axis(_BY),
        lorenz=lorenz(e),
    )


def lorenz(values: pd.Series) -> pd.DataFrame:
    """Lorenz curve: cumulative share of accounts vs of the total, from (0, 0) to (1, 1)."""
    x = np.sort(values.to_numpy(dtype="float64"))
    total = x.sum()
    cum = np.concatenate([[0.0], np.cumsum(x) / total if total else np.zeros(len(x))])
    return pd.DataFrame({"account_share": np.linspace(0, 1, len(x) + 1), "value_share": cum})


def gini(values: pd.Series) -> float:
    """Gini coefficient of non-negative values: 0 all equal, → 1 one account has all.

    Examples
    --------
    >>> gini(pd.Series([1.0, 1.0, 1.0])), round(gini(pd.Series([0.0, 0.0, 0.0, 1.0])), 2)
    (0.0, 0.75)
    """
    x = np.sort(values.to_numpy(dtype="float64"))
    n, total = len(x), x.sum()
    if n == 0 or total == 0:
        return 0.0
    i = np.arange(1, n + 1)
    # Equal values can round to a hair below zero; the coefficient itself cannot be.
    return max(0.0, float(((2 * i - n - 1) * x).sum() / (n * total)))


@dataclass(frozen=True)
class WhaleCurve:
    """Cumulative net value, accounts from most to least profitable (Kaplan & Narayanan).

    ``curve`` has ``account_share`` and ``cum_share`` (cumulative net value as a share of
    the total), starting at (0, 0). The peak is where the curve is highest.
    """

    total: float
    peak_accounts: int
    peak_account_share: float
    peak_value: float
    curve: pd.DataFrame

    @property
    def peak_share(self) -> float:
        """The peak as a share of the total net value (above 1 when some accounts lose money)."""
        return self.peak_value / self.total if self.total else float("nan")

    @property
    def given_back_share(self) -> float:
        """What the accounts after the peak give back, as a share of the total."""
        return self.peak_share - 1 if self.total else float("nan")

    def sentence(self) -> str:
        """The peak in words, as Kaplan would say it.

        Examples
        --------
        >>> whale_curve(pd.Series([100.0, 60.0, -10.0, -50.0])).sentence()
        'The best 50 % of accounts earn 160 % of the profit; the rest give 60 % of it back.'
        """
        if len(self.curve) == 1:
            return ("No net value to rank: the whale curve needs revenue (invoices) and the cost to serve "
                    "(a contact log).")
        if self.total <= 0:
            return (f"The portfolio loses {money(-self.total)} after serving cost; the best "
                    f"{self.peak_account_share:.0%} of accounts earn {money(self.peak_value)}.").replace("%", " %")
        return (f"The best {self.peak_account_share:.0%} of accounts earn {self.peak_share:.0%} of "
                f"the profit; the rest give {self.given_back_share:.0%} of it back.").replace("%", " %")

    def as_dict(self) -> dict[str, Any]:
        return {
            "total_net_value": round(self.total, 2), "peak_accounts": self.peak_accounts,
            "peak_account_share": round(self.peak_account_share, 4),
            "peak_net_value": round(self.peak_value, 2),
            "peak_share_of_profit": round(self.peak_share, 4),
            "given_back_share": round(self.given_back_share, 4), "sentence": self.sentence(),
        }


def whale_curve(net_value: pd.Series) -> WhaleCurve:
    """Whale curve of net value per account.

    Parameters
    ----------
    net_value : pandas.Series
        Margin minus cost to serve per account, indexed by account id; missing values
        (no revenue known) are left out.

    Examples
    --------
    >>> w = whale_curve(pd.Series([100.0, 60.0, -10.0, -50.0], index=list("abcd")))
    >>> w.peak_accounts, w.peak_share, w.given_back_share
    (2, 1.6, 0.6000000000000001)
    """
    v = net_value.astype("float64").dropna()
    frame = pd.DataFrame({"v": v.to_numpy(), "key": v.index.astype(str)}, index=v.index)
    ranked = frame.sort_values(["v", "key"], ascending=[False, True], kind="stable")["v"]
    cum = np.concatenate([[0.0], ranked.cumsum().to_numpy()])
    total = float(cum[-1])
    k = int(np.argmax(cum))  # the first highest point: later zeros add nothing
    n = len(v)
    curve = pd.DataFrame({
        "account_share": np.arange(n + 1) / n if n else [0.0],
        "cum_value": cum,
        "cum_share": cum / total if total else cum * 0,
        _BY: [None, *map(str, ranked.index)],
    })
    return WhaleCurve(total=total, peak_accounts=k, peak_account_share=k / n if n else 0.0,
                      peak_value=float(cum[k]), curve=curve)


# --------------------------------------------------------------------------- drop candidates


def drop_candidates(
    breakdown: pd.DataFrame,
    high_energy: Iterable[str],
    params: Params,
    committed: pd.Series | None = None,
    *,
    hour_cost: float | None = None,
) -> pd.DataFrame:
    """Accounts that may be worth letting go, each with plain reasons.

    A candidate is in the high-energy set *and* earns at most ``value_floor`` of net value
    per energy hour *and* is not committed, unless it is also dissatisfied
    (:func:`workbench.kpis.is_dissatisfied`): buying by habit while complaining or giving a
    detractor's score is not the commitment that earns patience (spurious loyalty, in Dick
    and Basu's terms), while a contented committed account that drains is repaired or
    repriced, never let go. It is not
    committed (when commitment is known); protected accounts and accounts younger than
    ``energy.min_tenure_days`` are never candidates: a new customer may yet become a
    regular and a referrer.

    Parameters
    ----------
    breakdown : pandas.DataFrame
        :func:`energy_breakdown` output.
    high_energy : iterable of str
        The Pareto set (:attr:`ParetoResult.accounts`).
    params : Params
        The ``energy`` section.
    committed : pandas.Series, optional
        Boolean per account id from the commitment analysis; None = not known yet, and
        the rule is left out.
    hour_cost : float, optional
        What an hour of the team's practical capacity costs (:attr:`CostRates.rate_per_hour`).
        The value floor is ``energy.low_value_per_energy_hour`` when the params set it, else
        this: an account that leaves less net value per hour of (stress-weighted) contact
        than the hour costs pays the team less for its strain than the team's time costs.
        Without either the floor is 0 (loss-making only).

    Returns
    -------
    pandas.DataFrame
        ``account_id, high_energy, low_value, committed, protected, young, dissatisfied,
        drop_candidate, reasons, kept_because`` in the breakdown's order.

    Examples
    --------
    >>> b = pd.DataFrame({"account_id": ["a", "b"], "value_per_energy_hour": [-5.0, 40.0],
    ...                   "net_value": [-300.0, 900.0], "tenure_days": [900, 900],
    ...                   "after_hours_inbound": [12, 0], "off_day_inbound": [3, 0],
    ...                   "chasers": [7, 0], "complaints": [1, 0], "long_thread_messages": [0, 0],
    ...                   "effort_hours": [20.0, 5.0]})
    >>> d = drop_candidates(b, ["a", "b"], Params())
    >>> d["drop_candidate"].tolist(), d["kept_because"].tolist()
    ([True, False], ['', 'earns enough per energy hour'])
    >>> print(d["reasons"].iloc[0].replace("\\xa0", " "))  # no-break spaces in figures
    12 after-hours messages (3 on weekends or holidays), 7 chasers, 1 complaint, −300 € after serving cost
    """
    e = params.energy
    ids = breakdown[_BY].astype(str)
    out = pd.DataFrame({_BY: ids})
    out["high_energy"] = ids.isin(set(map(str, high_energy))).to_numpy()
    floor = value_floor(params, hour_cost)
    out["low_value"] = (breakdown["value_per_energy_hour"] <= floor).fillna(False).to_numpy()
    if committed is None:
        out["committed"] = pd.array([pd.NA] * len(out), dtype="boolean")
    else:
        out["committed"] = ids.map(committed.astype("boolean")).astype("boolean").to_numpy()
    prot = breakdown["protected"] if "protected" in breakdown else pd.Series(False, index=breakdown.index)
    out["protected"] = prot.astype("boolean").fillna(False).astype(bool).to_numpy()
    tenure = breakdown["tenure_days"].astype("float64") if "tenure_days" in breakdown else pd.Series(np.nan, index=breakdown.index)
    # An account with no trace of when it began is treated as young: unknown is not old.
    out["young"] = ~(tenure >= e.min_tenure_days).to_numpy()
    out["dissatisfied"] = is_dissatisfied(breakdown, params).to_numpy()
    shielded = out["committed"].fillna(False).astype(bool) & ~out["dissatisfied"]
    out["drop_candidate"] = (
        out["high_energy"] & out["low_value"] & ~shielded & ~out["protected"] & ~out["young"]
    )
    out["reasons"] = [
        _reasons(row) if cand else "" for cand, (_, row) in zip(out["drop_candidate"], breakdown.iterrows())
    ]
    value_known = breakdown["value_per_energy_hour"].notna().to_numpy()
    out["kept_because"] = [
        _kept_because(r, e.min_tenure_days, known) for (_, r), known in zip(out.iterrows(), value_known)
    ]
    return out.reset_index(drop=True)


def value_floor(params: Params, hour_cost: float | None) -> float:
    """€ of net value per energy hour at or below which a high-energy account is low value.

    Examples
    --------
    >>> value_floor(Params(), 77.8), value_floor(Params(), None)
    (77.8, 0.0)
    """
    set_ = params.energy.low_value_per_energy_hour
    return float(set_) if set_ is not None else float(hour_cost or 0.0)


def value_line_sentence(params: Params, hour_cost: float | None, commitment_known: bool) -> str:
    """Where the value line is, why, and whether commitment spared anyone, for the report.

    Examples
    --------
    >>> value_line_sentence(Params(), 77.79, True)[:60].replace("\\xa0", " ")
    'The value line is **77.79 € per energy hour**, what an hour '
    """
    basis = ("what an hour of the team's capacity costs" if params.energy.low_value_per_energy_hour is None
             else "the value set in the params")
    spared = ("Committed accounts (from the commitment analysis) are kept unless they are dissatisfied."
              if commitment_known else
              "Commitment is not yet available: candidates are chosen by energy and value alone, and each "
              "must still be checked against what the owner knows of the relationship.")
    return f"The value line is **{money(value_floor(params, hour_cost), digits=2)} per energy hour**, {basis}. {spared}"


def _reasons(row: pd.Series) -> str:
    """The numbers that make an account a candidate, most telling first."""
    parts: list[str] = []
    ah, od = int(row.get("after_hours_inbound", 0)), int(row.get("off_day_inbound", 0))
    if ah:
        weekend = f" ({od} on weekends or holidays)" if od else ""
        parts.append(plural(ah, "after-hours message") + weekend)
    if int(row.get("chasers", 0)):
        parts.append(plural(int(row["chasers"]), "chaser"))
    if int(row.get("complaints", 0)):
        parts.append(plural(int(row["complaints"]), "complaint"))
    if int(row.get("long_thread_messages", 0)):
        parts.append(plural(int(row["long_thread_messages"]), "message") + " deep in long threads")
    if not parts:
        parts.append(f"{row.get('effort_hours', 0):.0f} h of contact")
    parts.append(f"{money(row['net_value'])} after serving cost")
    return ", ".join(parts)


def _kept_because(row: pd.Series, min_tenure: int, value_known: bool) -> str:
    if not row["high_energy"] or row["drop_candidate"]:
        return ""
    why = []
    if row["protected"]:
        why.append("protected")
    if row["young"]:
        why.append(f"customer for under {min_tenure} days")
    if row["committed"] is True and not row["dissatisfied"]:
        why.append("committed and not dissatisfied")
    if not value_known:
        why.append("value unknown (no revenue)")
    elif not row["low_value"]:
        why.append("earns enough per energy hour")
    return ", ".join(why)


# --------------------------------------------------------------------------- team and timing


def team_load(events: pd.DataFrame, metrics: pd.DataFrame, team: pd.DataFrame | None = None, top: int = 3) -> pd.DataFrame:
    """Per team member: contact hours, energy, after-hours load and the accounts behind it.

    Parameters
    ----------
    events : pandas.DataFrame
        :func:`energy_events` output (``handled_by`` names the member).
    metrics : pandas.DataFrame
        For account names.
    team : pandas.DataFrame, optional
        Adds each member's weekly hours and role.
    top : int
        How many of the member's heaviest accounts to name.

    Examples
    --------
    >>> ev = pd.DataFrame({"account_id": ["A", "A", "B"], "handled_by": ["x", "x", "x"],
    ...                    "effort_minutes": [60.0, 60.0, 60.0], "after_hours": [1, 0, 0],
    ...                    "off_day": [0, 0, 0], **{f"{p}_min": [60.0, 60.0, 60.0] for p in PARTS}})
    >>> team_load(ev, pd.DataFrame({"account_id": ["A", "B"], "name": ["Aa", "Bb"]}))["top_accounts"].iloc[0]
    'Aa 12 h (67 %), Bb 6 h (33 %)'
    """
    ev = events.assign(energy_min=events[[f"{p}_min" for p in PARTS]].sum(axis=1))
    per = ev.groupby("handled_by").agg(
        contact_hours=("effort_minutes", "sum"), energy=("energy_min", "sum"),
        after_hours_inbound=("after_hours", "sum"), off_day_inbound=("off_day", "sum"),
    )
    per[["contact_hours", "energy"]] /= 60
    names = metrics.set_index(_BY)["name"] if "name" in metrics else pd.Series(dtype=str)
    by_acc = ev.groupby(["handled_by", _BY])["energy_min"].sum() / 60
    tops = {}
    for member, grp in by_acc.groupby(level=0):
        heavy = grp.droplevel(0).sort_values(ascending=False, kind="stable").head(top)
        total = per.loc[member, "energy"]
        tops[member] = ", ".join(
            f"{names.get(a, a)} {h:.0f} h ({h / total:.0%})".replace("%", " %") for a, h in heavy.items()
        )
    per["top_accounts"] = pd.Series(tops)
    per["energy_share"] = per["energy"] / per["energy"].sum()
    out = per.rename_axis("member").reset_index()
    if team is not None and len(team):
        cols = [c for c in ("member", "role", "hours_per_week") if c in team]
        out = team[cols].merge(out, on="member", how="outer")
    return out.sort_values("energy", ascending=False, kind="stable", na_position="last").reset_index(drop=True)


def inbound_heatmap(events: pd.DataFrame, timezone: str) -> pd.DataFrame:
    """Inbound messages by local weekday (rows, Monday first) and hour (columns 0–23).

    Examples
    --------
    >>> ev = pd.DataFrame({"direction": ["in", "out"],
    ...                    "ts": pd.to_datetime(["2025-06-01 13:00", "2025-06-01 13:00"], utc=True)})
    >>> int(inbound_heatmap(ev, "Europe/Helsinki").loc["Sun", 16])
    1
    """
    inbound = events.loc[events["direction"] == "in", "ts"].dt.tz_convert(timezone)
    grid = pd.crosstab(inbound.dt.day_of_week, inbound.dt.hour)
    grid = grid.reindex(index=range(7), columns=range(24), fill_value=0)
    grid.index = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    grid.index.name, grid.columns.name = "weekday", "hour"
    return grid


# --------------------------------------------------------------------------- the whole analysis


@dataclass(frozen=True)
class EnergyDrain:
    """Everything the energy-drain notebook shows, computed once (see :func:`energy_drain`)."""

    events: pd.DataFrame
    rates: CostRates
    breakdown: pd.DataFrame
    pareto: ParetoResult
    whale: WhaleCurve
    decisions: pd.DataFrame
    what_if: WhatIf
    commitment_known: bool
    log_check: ImplausibleLog | None = None
    missing: tuple[str, ...] = ()

    @property
    def measured(self) -> bool:
        """Whether there is energy to rank: contact in the window of a contact log."""
        return bool(self.breakdown["energy"].sum() > 0)

    @property
    def candidates(self) -> list[str]:
        """The drop candidates' account ids, heaviest first."""
        d = self.decisions.merge(self.breakdown[[_BY, "energy"]], on=_BY)
        d = d[d["drop_candidate"]].sort_values(["energy", _BY], ascending=[False, True], kind="stable")
        return d[_BY].tolist()

    def candidate_table(self) -> pd.DataFrame:
        """The candidates, heaviest first, with money rounded to euros and their reasons."""
        t = self.breakdown.merge(self.decisions[[_BY, "reasons"]], on=_BY).set_index(_BY).loc[self.candidates]
        cols = ["name", "energy", "revenue", "cost_to_serve", "net_value", "reasons"]
        return t[[c for c in cols if c in t]].round({"energy": 1, "revenue": 0, "cost_to_serve": 0, "net_value": 0})

    def spared_table(self) -> pd.DataFrame:
        """High-energy, low-value accounts the rules keep (protected, young, committed), and why."""
        d = self.decisions
        spared = d[d["high_energy"] & d["low_value"] & ~d["drop_candidate"]]
        t = self.breakdown.merge(spared[[_BY, "kept_because"]], on=_BY).set_index(_BY)
        cols = ["name", "energy", "net_value", "kept_because"]
        return t[[c for c in cols if c in t]].round({"energy": 1, "net_value": 0})

    def accounts(self) -> pd.DataFrame:
        """Per-account columns for ``accounts.csv``: energy, its parts, value and decision."""
        cols = [_BY, "energy", *PARTS, "energy_share", "cost_to_serve", "net_value", "value_per_energy_hour"]
        out = self.breakdown[cols].merge(
            self.decisions[[_BY, "high_energy", "drop_candidate", "reasons", "kept_because"]], on=_BY
        )
        return out.round({c: 4 for c in cols[1:]}).round({"energy_share": 6})

    def headline(self) -> dict[str, Any]:
        """JSON-ready headline: Pareto point, Gini, whale peak, costing and what-if totals."""
        return {
            "pareto": self.pareto.as_dict(),
            "whale": self.whale.as_dict(),
            "costing": self.rates.as_dict(),
            "energy_hours": round(float(self.breakdown["energy"].sum()), 2),
            "drop_candidates": len(self.candidates),
            "commitment_used": self.commitment_known,
            "what_if": self.what_if.as_dict(),
            "implausible_log": None if self.log_check is None else self.log_check.as_dict(),
            "not_computed": list(self.missing),
        }

    def scatter_frame(self) -> pd.DataFrame:
        """Accounts with their standing and a hover text, for the energy-vs-value figure."""
        d = self.breakdown.merge(self.decisions, on=_BY, suffixes=("", "_d"))
        # "Kept" means the rules spared an account that energy and value alone would flag.
        kept = d["high_energy"] & d["low_value"] & ~d["drop_candidate"]
        d["standing"] = np.select(
            [d["drop_candidate"], kept, d["high_energy"]],
            ["drop candidate", "kept: protected, young or committed", "high energy"], "the rest",
        )
        name = d["name"] if "name" in d else d[_BY]
        why = np.where(d["reasons"] != "", d["reasons"], d["kept_because"])
        d["hover"] = [
            f"<b>{n}</b> ({a})<br>energy {e:.1f} h, net value {money(v)}<br>{w}"
            for n, a, e, v, w in zip(name, d[_BY], d["energy"], d["net_value"], why)
        ]
        return d


def energy_drain(
    portfolio: Portfolio,
    metrics: pd.DataFrame,
    params: Params,
    *,
    committed: pd.Series | None = None,
) -> EnergyDrain:
    """Cost to serve, energy, 80/20, whale curve, drop candidates and their what-if.

    Parameters
    ----------
    portfolio : Portfolio
        The canonical tables (the log and, when present, the team).
    metrics : pandas.DataFrame
        :func:`workbench.account_metrics` output; its ``as_of`` and window are used.
    params : Params
        ``costing`` and ``energy`` sections, plus the calendar and time equations.
    committed : pandas.Series, optional
        Boolean per account id from the commitment analysis; None = not yet known.

    Examples
    --------
    >>> from workbench import start
    >>> a = start("params/default.yaml")
    >>> d = energy_drain(a.portfolio, a.metrics, a.params)
    >>> 0 < d.pareto.account_share < 1 and d.whale.peak_share >= 1
    True
    """
    as_of = metrics.attrs["as_of"]
    window = int(metrics.attrs.get("window_days", 365))
    events = energy_events(portfolio, params, as_of, window_days=window)
    logged = portfolio.has("interactions")
    # Without a contact log the time customers take is unknown, not zero: a cost to serve
    # of 0 would make every margin look like net value.
    contact = float(events["effort_minutes"].sum() / 60) if logged else float("nan")
    rates = cost_rates(portfolio.team, params, contact, window_days=window)
    b = energy_breakdown(metrics, events, rates)
    if not logged:
        b[["cost_to_serve", "net_value", "value_per_energy_hour"]] = np.nan
    by = b.set_index(_BY)
    p = pareto(by["energy"], params.energy.pareto_share, by["revenue"])
    decisions = drop_candidates(b, p.accounts, params, committed, hour_cost=rates.rate_per_hour)
    chosen = decisions.loc[decisions["drop_candidate"], _BY]
    return EnergyDrain(
        events=events, rates=rates, breakdown=b, pareto=p, whale=whale_curve(by["net_value"]),
        decisions=decisions, commitment_known=committed is not None,
        what_if=what_if(b, chosen, params, hour_cost=rates.rate_per_hour, refill=refill_evidence(metrics, params)),
        log_check=implausible_log(metrics, portfolio.interactions, portfolio.team, params),
        missing=tuple(drain_gaps(coverage(portfolio, metrics), params)),
    )


def drain_gaps(cover: Coverage, params: Params) -> list[str]:
    """What the energy drain could not compute from the data, one line each (for the report).

    Examples
    --------
    >>> cover = Coverage(frozenset({"invoices"}), 365, dt.date(2026, 1, 1))
    >>> drain_gaps(cover, Params())[0]
    'energy, cost to serve, net value, the 80/20, the whale curve, drop candidates and the what-if: there is no contact log'
    """
    gaps = []
    if why := cover.lacks("recent contact"):
        gaps.append("energy, cost to serve, net value, the 80/20, the whale curve, drop candidates and the "
                    f"what-if: {why}")
    else:
        if why := cover.lacks("outbound"):
            gaps.append(f"whether a chaser's earlier message had been answered: {why}, so every quick "
                        "follow-up counts as a chaser")
        if why := cover.lacks("inbound"):
            gaps.append(f"messages after hours, on weekends and chasers: {why}")
        if why := cover.lacks("invoices"):
            gaps.append(f"revenue, margin and net value: {why}, so they are unknown and no account is a "
                        "drop candidate")
    if why := cover.lacks("team"):
        c = params.costing
        gaps.append(f"the team's own hours and cost: {why}, so the capacity is one person at "
                    f"{number(c.hours_per_week, 1)} h a week and {money(c.cost_per_hour)} an hour, as the "
                    "params file assumes")
    return gaps


# --------------------------------------------------------------------------- for people


def energy_table(breakdown: pd.DataFrame, decisions: pd.DataFrame | None = None, n: int = 15) -> pd.DataFrame:
    """The ``n`` accounts with the most energy: parts (hours), net value (€), candidacy."""
    short = {"energy_after_hours": "after hours", "energy_off_day": "weekend/holiday",
             "energy_chasers": "chasers", "energy_complaints": "complaints",
             "energy_long_threads": "long threads", "net_value": "net value €"}
    cols = ["account_id", "name", "energy", *PARTS[1:], "net_value"]
    t = breakdown.nlargest(n, "energy", keep="first")[[c for c in cols if c in breakdown]]
    if decisions is not None:
        t = t.merge(decisions[[_BY, "drop_candidate"]], on=_BY, how="left").rename(
            columns={"drop_candidate": "candidate"})
    t = t.round({c: 1 for c in ["energy", *PARTS[1:]]}).round({"net_value": 0}).rename(columns=short)
    return t.astype({"net value €": "Int64"}).set_index(_BY)  # missing without invoices
