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
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import narwhals as nw
import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from . import formatting
from .formatting import money, number, percent
from .i18n import N_, _, ngettext
from .kpis import is_dissatisfied
from .engines import first_event, log_window
from .metrics import Coverage, Engine, analysis_window, coverage, featured_log, quiet_pandas
from .params import Params
from .portfolio import Portfolio
from .tables import present
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
#: Plain names of the parts, for tables and figures (catalogue messages: show them
#: through :func:`workbench.i18n._`, or take :func:`part_labels`).
PART_LABELS = {
    "energy_effort": N_("contact time"),
    "energy_after_hours": N_("after hours (working days)"),
    "energy_off_day": N_("weekends and holidays"),
    "energy_chasers": N_("chasers"),
    "energy_complaints": N_("complaints"),
    "energy_long_threads": N_("long threads"),
}
#: The share of accounts whose load the 80/20 headline always states ("the top 10 %").
TOP_SHARE = 0.1
_BY = "account_id"
_ORDER = ["ts", "seq"]
_UNKNOWN_MEMBER = N_("(not recorded)")


def part_labels() -> dict[str, str]:
    """:data:`PART_LABELS` in the report's language.

    Examples
    --------
    >>> from workbench.i18n import override
    >>> with override("fi"):
    ...     part_labels()["energy_chasers"]
    'muistutusviestit'
    """
    return {k: _(v) for k, v in PART_LABELS.items()}


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
    with quiet_pandas():
        featured = featured_log(portfolio, params, cutoff, engine or params.engine)
        if "handled_by" not in featured.collect_schema().names():
            featured = featured.with_columns(handled_by=nw.lit(None, nw.String))
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
    df["handled_by"] = df["handled_by"].astype("object").where(df["handled_by"].notna(), _(_UNKNOWN_MEMBER))
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


def capacity_table(rates: CostRates, check: ImplausibleLog | None = None) -> pd.DataFrame:
    """The costing as a table for people: paid, practical, contact and unused hours.

    ``figure`` names each line and ``value`` writes it, both in the report's language.
    Without a contact log (``contact_hours`` missing) contact and unused hours are unknown,
    and say so rather than showing the whole capacity as unused. A log that holds more
    contact than the team's practical capacity (``check``, :func:`implausible_log`, or
    more contact hours than practical hours in the window) cannot be contacts: its hours
    are marked as implausible and the unused capacity is not shown, never as a negative.

    Examples
    --------
    >>> r = cost_rates(None, Params(), contact_hours=5000.0, window_days=364)
    >>> capacity_table(r)["value"].iloc[-1]
    'not known: the contact log holds more hours than the team has (see the check)'
    """
    known = not np.isnan(rates.contact_hours)
    implausible = known and (check is not None or rates.contact_hours > rates.practical_hours)
    if not known:
        contact = _("unknown: there is no contact log")
        unused = _("unknown")
    elif implausible and check is not None and check.days < rates.window_days:
        # The log covers part of the window: its share of the capacity of those days.
        contact = _("{hours} ({share} of the practical capacity of the {days} days the log covers): more than the "
                    "team has, so not contacts").format(hours=formatting.hours(rates.contact_hours),
                                                       share=percent(check.share), days=number(check.days))
        unused = _("not known: the contact log holds more hours than the team has (see the check)")
    elif implausible:
        contact = _("{hours} ({share} of practical capacity): more than the team has, so not contacts").format(
            hours=formatting.hours(rates.contact_hours), share=percent(rates.contact_share))
        unused = _("not known: the contact log holds more hours than the team has (see the check)")
    else:
        contact = _("{hours} ({share} of practical capacity)").format(
            hours=formatting.hours(rates.contact_hours), share=percent(rates.contact_share))
        unused = _("{hours} = {cost}").format(hours=formatting.hours(rates.unused_hours),
                                             cost=money(rates.unused_cost))
    rows = [
        (_("Paid hours in the window"), formatting.hours(rates.paid_hours)),
        (_("Practical capacity"), formatting.hours(rates.practical_hours)),
        (_("Cost of the team's capacity"), money(rates.cost)),
        (_("Cost per hour of practical capacity"), money(rates.rate_per_hour, digits=2)),
        (_("Customer contact in the log"), contact),
        (_("Capacity customer contact leaves unused (production, admin, idle)"), unused),
    ]
    return pd.DataFrame(rows, columns=["figure", "value"])


#: The likely causes of a contact log that exceeds the team's capacity, in the order the
#: report names them: what the log's own rows show (:func:`implausible_log`).
CAUSES = ("events", "minutes", "team")


@dataclass(frozen=True)
class ImplausibleLog:
    """A contact log implying more contact hours than the team has practical hours for.

    The causes, each with the figure that points to it (``causes`` holds those the data
    points to, most telling first; none pointed to: all three are named as possible):

    - ``events``: the log records events, not contacts. A ticket system writes a row for
      every status update, and each row then counts as minutes of contact. Shown by many
      rows per ticket (``rows_per_thread``) or rows repeated at the same minute
      (``same_minute_share``).
    - ``minutes``: the per-channel minutes the params assume for contacts the log records
      no minutes of are too high for this client (``estimated_share`` of the contacts take
      them, ``minutes_per_contact`` on average).
    - ``team``: the team table misses people (``unlisted`` people handled contacts but are
      not in it), or there is no team table and the capacity is one person's.
    """

    contacts: int
    contact_hours: float
    practical_hours: float
    days: int
    team_known: bool = True
    causes: tuple[str, ...] = ()
    rows_per_thread: float | None = None
    same_minute_share: float = 0.0
    estimated_share: float = 0.0
    minutes_per_contact: float = 0.0
    unlisted: tuple[str, ...] = ()

    @property
    def share(self) -> float:
        """Contact hours as a share of practical capacity over the same days (above 1)."""
        return self.contact_hours / self.practical_hours

    def sentence(self) -> str:
        """The warning for the report (one paragraph), with the likely causes and their fixes.

        Examples
        --------
        >>> print(ImplausibleLog(12000, 3100.0, 1200.0, 91, causes=("events",), rows_per_thread=6.2
        ...                      ).sentence().replace("\\xa0", " "))  # doctest: +NORMALIZE_WHITESPACE
        The contact log implies more contact than the team has time for: 12,000 contacts, 3,100 h = 258% of the
        team's practical capacity over the same 91 days. That cannot all be contact, so the unused capacity is
        not shown, and every figure built on contact time (effort, energy, cost to serve) is inflated. The likely
        cause: The log probably records events (status updates of tickets), not contacts: it has 6.2 rows per
        ticket. Count one contact per ticket (the contact log's table, data.tables.interactions in the params
        file).
        """
        figures = dict(contacts=number(self.contacts), hours=formatting.hours(self.contact_hours),
                       share=percent(self.share), days=number(self.days))
        if self.team_known:
            head = _("The contact log implies more contact than the team has time for: {contacts} contacts, "
                     "{hours} = {share} of the team's practical capacity over the same {days} days.")
        else:
            head = _("The contact log implies more contact than one person has time for, and without a team "
                     "table the capacity is one person's: {contacts} contacts, {hours} = {share} of one "
                     "person's practical capacity over the same {days} days.")
        parts = [head.format(**figures),
                 _("That cannot all be contact, so the unused capacity is not shown, and every figure built on "
                   "contact time (effort, energy, cost to serve) is inflated.")]
        causes = [self._cause(c) for c in (self.causes or CAUSES)]
        if len(causes) > 1:  # numbered, so that each cause reads as its own sentences
            causes = [f"({i}) {c}" for i, c in enumerate(causes, 1)]
        if self.causes:
            parts.append(ngettext("The likely cause: {causes}", "The likely causes, most telling first: {causes}",
                                  len(causes)).format(causes=" ".join(causes)))
        else:
            parts.append(_("The log does not show which of these it is: {causes}").format(causes=" ".join(causes)))
        return " ".join(parts)

    def _cause(self, cause: str) -> str:
        fix_events = _("Count one contact per ticket (the contact log's table, data.tables.interactions in the "
                       "params file).")
        if cause == "events":
            if self.rows_per_thread is not None and self.rows_per_thread > _ROWS_PER_THREAD:
                why = _("The log probably records events (status updates of tickets), not contacts: it has "
                        "{rows} rows per ticket.").format(rows=number(self.rows_per_thread, 1))
            elif self.same_minute_share > _SAME_MINUTE_SHARE:
                why = _("The log probably records events (status updates of tickets), not contacts: {share} of "
                        "its rows repeat another row of the same customer in the same minute.").format(
                    share=percent(self.same_minute_share))
            else:
                why = _("The log may record events (status updates of tickets), not contacts.")
            return f"{why} {fix_events}"
        if cause == "minutes":
            return _("The minutes per contact may be too high: {share} of the contacts have no minutes in the log "
                     "and take the per-channel estimate of the params file, {minutes} a contact on average; "
                     "lower the estimates if this client's contacts are shorter.").format(
                share=percent(self.estimated_share), minutes=number(self.minutes_per_contact, 1, "min"))
        if not self.team_known:
            return _("The team may be larger than one person: add a team table with each member's weekly hours.")
        if self.unlisted:
            return ngettext(
                "The team table misses people: {n} person handled contacts in the log but is not in it "
                "({names}); add them with their weekly hours.",
                "The team table misses people: {n} people handled contacts in the log but are not in it "
                "({names}); add them with their weekly hours.", len(self.unlisted)).format(
                n=number(len(self.unlisted)), names=", ".join(self.unlisted[:5]))
        return _("The team table may miss people: check that everyone who handles customers is in it, with "
                 "their weekly hours.")

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready figures and the sentence."""
        return {"contacts": self.contacts, "contact_hours": round(self.contact_hours, 1),
                "practical_hours": round(self.practical_hours, 1), "days": self.days,
                "share": round(self.share, 4), "team_known": self.team_known, "causes": list(self.causes),
                "rows_per_thread": None if self.rows_per_thread is None else round(self.rows_per_thread, 2),
                "same_minute_share": round(self.same_minute_share, 4),
                "estimated_share": round(self.estimated_share, 4),
                "minutes_per_contact": round(self.minutes_per_contact, 2), "unlisted": list(self.unlisted),
                "sentence": self.sentence()}


#: A log with more rows than this per ticket on average records events, not contacts: a
#: real exchange of a question, an answer and a thanks is three.
_ROWS_PER_THREAD = 3.0
#: Contacts of one customer in the same minute are rare in a real log (a call and its note);
#: a tenth of the rows repeating one is a log of events written together.
_SAME_MINUTE_SHARE = 0.1
#: Per-channel estimates stand for most of the minutes when more than half the contacts take them.
_ESTIMATED_SHARE = 0.5


def implausible_log(
    metrics: pd.DataFrame, interactions: pd.DataFrame | Path, team: pd.DataFrame | None, params: Params
) -> ImplausibleLog | None:
    """The log's contact hours against the team's practical capacity over the same days.

    The days are those the log covers in the metrics' window (from its first contact there
    to ``as_of``), in whole weeks: a log of three days is held against a week's capacity,
    so a busy Monday is not mistaken for an impossible one. Capacity is
    :func:`cost_rates`' practical hours, the same as the costing's. When the log exceeds
    it, the rows in the window say which cause is likely (:class:`ImplausibleLog`).

    Parameters
    ----------
    metrics : pandas.DataFrame
        :func:`workbench.account_metrics` output: ``effort_hours`` and ``n_interactions``
        over its window; ``attrs`` carry ``as_of`` and ``window_days``.
    interactions : pandas.DataFrame or Path
        The contact log (for the first contact in the window, and the causes), or the
        Parquet file it is kept in (:attr:`workbench.Portfolio.log_source`): then only
        the window's rows are read.
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
    >>> log = pd.DataFrame({"account_id": ["A"], "ts": pd.to_datetime(["2026-01-01 09:00"], utc=True)})
    >>> flag = implausible_log(m, log, None, Params())  # one person, one week: 30 practical hours
    >>> flag.days, round(flag.share, 1), flag.causes
    (7, 13.3, ('team', 'minutes'))
    >>> implausible_log(m.assign(effort_hours=20.0), log, None, Params()) is None
    True
    """
    hours = float(metrics["effort_hours"].sum())
    contacts = int(metrics["n_interactions"].sum())
    if not contacts:
        return None
    as_of, window = analysis_window(metrics)
    cutoff = pd.Timestamp(as_of, tz=params.client.timezone).tz_convert("UTC")
    start = cutoff - pd.Timedelta(days=window)
    first = first_event(interactions, start, cutoff)
    days = min(window, 7 * int(np.ceil((cutoff - first) / pd.Timedelta(weeks=1))))
    practical = cost_rates(team, params, hours, window_days=days).practical_hours
    if hours <= practical:
        return None
    # Only a log that does not fit is read, and only its window.
    log = log_window(interactions, start, cutoff, ("account_id", "ts", "thread_id", "minutes", "handled_by"))
    team_known = team is not None and len(team) > 0
    # Events: many rows per ticket, or rows of one customer written in the same minute.
    per_thread = None
    if "thread_id" in log and log["thread_id"].notna().any():
        threads = log["thread_id"].dropna()
        per_thread = float(len(threads) / threads.nunique())
    same = (float(log.assign(minute=log["ts"].dt.floor("min")).duplicated(["account_id", "minute"], keep=False).mean())
            if len(log) else 0.0)
    # Minutes: how many contacts take the params' per-channel estimate.
    estimated = float(log["minutes"].isna().mean()) if "minutes" in log and len(log) else 1.0
    # Team: who handled contacts but is not in the team table.
    unlisted: tuple[str, ...] = ()
    if team_known and "handled_by" in log and "member" in team:
        names = set(log["handled_by"].dropna().astype(str).unique()) - set(team["member"].astype(str))
        unlisted = tuple(sorted(names))
    found = []
    if (per_thread is not None and per_thread > _ROWS_PER_THREAD) or same > _SAME_MINUTE_SHARE:
        found.append("events")
    if not team_known or unlisted:
        found.append("team")
    if estimated > _ESTIMATED_SHARE:
        found.append("minutes")
    return ImplausibleLog(contacts=contacts, contact_hours=hours, practical_hours=practical, days=days,
                          team_known=team_known, causes=tuple(found), rows_per_thread=per_thread,
                          same_minute_share=same, estimated_share=estimated,
                          minutes_per_contact=60 * hours / contacts, unlisted=unlisted)



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
        "part": [_(PART_LABELS[p]) for p in PARTS],
        "hours": hours.to_numpy(),
        "share": (hours / row["energy"] if row["energy"] else hours * 0).to_numpy(),
    }).set_index("part")


# --------------------------------------------------------------------------- 80/20


@dataclass(frozen=True)
class ParetoResult:
    """The smallest set of accounts carrying ``share`` of the energy, and the inequality.

    ``ranked`` holds every account from most to least energy with ``cum_share``;
    ``lorenz`` the Lorenz curve (accounts from least to most, cumulative shares from 0).
    ``top_accounts`` are the :data:`TOP_SHARE` of accounts with the most energy (at least
    one) and ``top_energy_share`` what they carry.

    Whether the load is *concentrated* or *spread* (:attr:`concentrated`) is the 80/20's
    own claim tested on the data: "80/20" says that the Pareto share of the energy (80 %)
    is carried by at most its complement of the accounts (20 %). When it takes more, the
    Pareto set is no longer "a few accounts" (on the sample it is 45 % of them), and the
    report says the load is spread, with what the top 10 % carry, rather than call the
    set an 80/20. An even spread, where every account takes the same, would need the
    Pareto share of the accounts (80 %); the Gini coefficient says where between the two
    the load lies.
    """

    share: float
    accounts: tuple[str, ...]
    energy_share: float
    account_share: float
    revenue_share: float | None
    gini: float
    ranked: pd.DataFrame
    lorenz: pd.DataFrame
    top_accounts: int = 0
    top_energy_share: float = 0.0

    @property
    def n(self) -> int:
        return len(self.accounts)

    @property
    def concentrated(self) -> bool:
        """Whether the Pareto share of the energy takes at most its complement of the
        accounts (80 % in 20 % or fewer): the 80/20 holds. False when there is no energy.

        Examples
        --------
        >>> pareto(pd.Series([90.0, 5.0, 1.0, 1.0, 1.0, 1.0, 1.0])).concentrated
        True
        >>> pareto(pd.Series([30.0, 25.0, 20.0, 15.0, 10.0])).concentrated
        False
        """
        return bool(self.n) and self.account_share <= 1 - self.share + 1e-12

    def _figures(self) -> dict[str, str]:
        return dict(n=number(self.n), accounts=percent(self.account_share), energy=percent(self.energy_share),
                    pareto=percent(self.share), complement=percent(1 - self.share),
                    top=percent(TOP_SHARE), top_n=number(self.top_accounts),
                    top_energy=percent(self.top_energy_share), gini=number(self.gini, 2),
                    revenue=percent(self.revenue_share))

    def headline(self) -> str:
        """The 80/20 in a few words, true to the data (the figure's title).

        Examples
        --------
        >>> pareto(pd.Series([90.0, 5.0, 1.0, 1.0, 1.0, 1.0, 1.0])).headline()
        '80/20: 1 account (14%) carries 90% of the energy'
        >>> pareto(pd.Series([30.0, 25.0, 20.0, 15.0, 10.0])).headline()
        'The load is spread: the top 10% of accounts carry 30% of the energy'
        """
        f = self._figures()
        if self.concentrated:
            return ngettext("80/20: {n} account ({accounts}) carries {energy} of the energy",
                            "80/20: {n} accounts ({accounts}) carry {energy} of the energy", self.n).format(**f)
        return _("The load is spread: the top {top} of accounts carry {top_energy} of the energy").format(**f)

    def sentence(self) -> str:
        """The 80/20 in words: concentrated or spread, why, and the Gini (markdown).

        Examples
        --------
        >>> print(pareto(pd.Series([30.0, 25.0, 20.0, 15.0, 10.0])).sentence())  # doctest: +NORMALIZE_WHITESPACE
        **The load is spread:** the top 10% of accounts (1) carry 30% of the energy, and 80% of the energy
        takes 4 accounts, 80% of them. Spread, because an 80/20 would carry 80% of the energy in 20% of the
        accounts or fewer; an even spread would take 80%. Gini 0.20 (0 = every account takes the same,
        1 = one account has all).
        """
        if not self.n:
            return _("There is no energy to rank: no contact in the window.")
        f = self._figures()
        if self.concentrated:
            parts = [
                ngettext("**The load is concentrated:** {n} account, {accounts} of all, carries {energy} of the "
                         "energy, and the top {top} of accounts ({top_n}) carry {top_energy}.",
                         "**The load is concentrated:** {n} accounts, {accounts} of all, carry {energy} of the "
                         "energy, and the top {top} of accounts ({top_n}) carry {top_energy}.", self.n).format(**f),
                _("Concentrated, because {pareto} of the energy takes no more than {complement} of the accounts, "
                  "as an 80/20 says; an even spread would take {pareto}.").format(**f),
            ]
        else:
            parts = [
                ngettext("**The load is spread:** the top {top} of accounts ({top_n}) carry {top_energy} of the "
                         "energy, and {pareto} of the energy takes {n} account, {accounts} of them.",
                         "**The load is spread:** the top {top} of accounts ({top_n}) carry {top_energy} of the "
                         "energy, and {pareto} of the energy takes {n} accounts, {accounts} of them.",
                         self.n).format(**f),
                _("Spread, because an 80/20 would carry {pareto} of the energy in {complement} of the accounts "
                  "or fewer; an even spread would take {pareto}.").format(**f),
            ]
        if self.revenue_share is not None:
            parts.append(ngettext("This account brings {revenue} of the revenue.",
                                  "These {n} accounts bring {revenue} of the revenue.", self.n).format(**f))
        parts.append(_("Gini {gini} (0 = every account takes the same, 1 = one account has all).").format(**f))
        return " ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "pareto_share": self.share, "accounts": self.n,
            "account_share": round(self.account_share, 4), "energy_share": round(self.energy_share, 4),
            "revenue_share": None if self.revenue_share is None else round(self.revenue_share, 4),
            "gini": round(self.gini, 4), "concentrated": self.concentrated,
            "top_share": TOP_SHARE, "top_accounts": self.top_accounts,
            "top_energy_share": round(self.top_energy_share, 4), "headline": self.headline(),
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
    # The top tenth, rounded up so that a small portfolio still names one account.
    top = int(np.ceil(TOP_SHARE * len(e) - 1e-9)) if total else 0
    return ParetoResult(
        share=share, accounts=members,
        energy_share=float(ranked["cum_share"].iloc[k - 1]) if k else 0.0,
        account_share=k / len(e) if len(e) else 0.0,
        revenue_share=rev_share, gini=gini(e), ranked=ranked.rename_axis(_BY),
        lorenz=lorenz(e), top_accounts=top,
        top_energy_share=float(ranked["cum_share"].iloc[top - 1]) if top else 0.0,
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
        'The best 50% of accounts earn 160% of the profit; the rest give 60% of it back.'
        """
        if len(self.curve) == 1:
            return _("No net value to rank: the whale curve needs revenue (invoices) and the cost to serve "
                     "(a contact log).")
        if self.total <= 0:
            return _("The portfolio loses {loss} after serving cost; the best {accounts} of accounts earn "
                     "{peak}.").format(loss=money(-self.total), accounts=percent(self.peak_account_share),
                                       peak=money(self.peak_value))
        return _("The best {accounts} of accounts earn {peak} of the profit; the rest give {back} of it "
                 "back.").format(accounts=percent(self.peak_account_share), peak=percent(self.peak_share),
                                 back=percent(self.given_back_share))

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
    12 after-hours messages (3 on weekends or holidays), 7 chasers, 1 complaint, −€300 after serving cost
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
    # Rows as plain records: iterrows builds a Series per account (minutes at scale).
    out["reasons"] = [
        _reasons(row) if cand else "" for cand, row in zip(out["drop_candidate"], breakdown.to_dict("records"))
    ]
    value_known = breakdown["value_per_energy_hour"].notna().to_numpy()
    out["kept_because"] = [
        _kept_because(r, e.min_tenure_days, known) for r, known in zip(out.to_dict("records"), value_known)
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
    >>> value_line_sentence(Params(), 77.79, True)[:60]
    'The value line is **€77.79 per energy hour**, what an hour o'
    """
    line = money(value_floor(params, hour_cost), digits=2)
    if params.energy.low_value_per_energy_hour is None:
        first = _("The value line is **{value} per energy hour**, what an hour of the team's capacity "
                  "costs.").format(value=line)
    else:
        first = _("The value line is **{value} per energy hour**, the value set in the params "
                  "file.").format(value=line)
    spared = (_("Committed accounts (from the commitment analysis) are kept unless they are dissatisfied.")
              if commitment_known else
              _("Commitment is not yet available: candidates are chosen by energy and value alone, and each "
                "must still be checked against what the owner knows of the relationship."))
    return f"{first} {spared}"


def _reasons(row: pd.Series) -> str:
    """The numbers that make an account a candidate, most telling first."""
    parts: list[str] = []
    ah, od = int(row.get("after_hours_inbound", 0)), int(row.get("off_day_inbound", 0))
    if ah and od:
        parts.append(ngettext("{n} after-hours message ({weekend} on weekends or holidays)",
                              "{n} after-hours messages ({weekend} on weekends or holidays)", ah).format(
            n=number(ah), weekend=number(od)))
    elif ah:
        parts.append(ngettext("{n} after-hours message", "{n} after-hours messages", ah).format(n=number(ah)))
    if n := int(row.get("chasers", 0)):
        parts.append(ngettext("{n} chaser", "{n} chasers", n).format(n=number(n)))
    if n := int(row.get("complaints", 0)):
        parts.append(ngettext("{n} complaint", "{n} complaints", n).format(n=number(n)))
    if n := int(row.get("long_thread_messages", 0)):
        parts.append(ngettext("{n} message deep in long threads", "{n} messages deep in long threads", n).format(
            n=number(n)))
    if not parts:
        parts.append(_("{hours} of contact").format(hours=formatting.hours(row.get("effort_hours", 0))))
    parts.append(_("{value} after serving cost").format(value=money(row["net_value"])))
    return ", ".join(parts)


def _kept_because(row: pd.Series, min_tenure: int, value_known: bool) -> str:
    if not row["high_energy"] or row["drop_candidate"]:
        return ""
    why = []
    if row["protected"]:
        why.append(_("protected"))
    if row["young"]:
        why.append(_("customer for under {days} days").format(days=number(min_tenure)))
    if row["committed"] is True and not row["dissatisfied"]:
        why.append(_("committed and not dissatisfied"))
    if not value_known:
        why.append(_("value unknown (no revenue)"))
    elif not row["low_value"]:
        why.append(_("earns enough per energy hour"))
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
    'Aa 12\xa0h (67%), Bb 6\xa0h (33%)'
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
            _("{name} {hours} ({share})").format(name=names.get(a, a), hours=formatting.hours(h),
                                                share=percent(h / total)) for a, h in heavy.items()
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

#: An account's standing in the energy-vs-value figure (catalogue messages; the keys of
#: :data:`workbench.plots.STANDING_COLORS`).
STANDINGS = (N_("drop candidate"), N_("kept: protected, young or committed"), N_("high energy"), N_("the rest"))


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
        d["standing"] = np.select([d["drop_candidate"], kept, d["high_energy"]], list(STANDINGS[:3]), STANDINGS[3])
        name = d["name"] if "name" in d else d[_BY]
        why = np.where(d["reasons"] != "", d["reasons"], d["kept_because"])
        d["hover"] = [
            _("<b>{name}</b> ({account})<br>energy {energy}, net value {value}<br>{why}").format(
                name=n, account=a, energy=formatting.hours(e, 1), value=money(v), why=w)
            for n, a, e, v, w in zip(name, d[_BY], d["energy"], d["net_value"], why)
        ]
        return d


def energy_drain(
    portfolio: Portfolio,
    metrics: pd.DataFrame,
    params: Params,
    *,
    committed: pd.Series | None = None,
    events: pd.DataFrame | None = None,
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
    events : pandas.DataFrame, optional
        :func:`energy_events` of the same log, calendar and chaser window, computed
        earlier (the explorer moves only weights and rules): its energy parts are weighed
        again with ``params``. None: featured from the log here.

    Examples
    --------
    >>> from workbench import start
    >>> a = start("params/default.yaml")
    >>> d = energy_drain(a.portfolio, a.metrics, a.params)
    >>> 0 < d.pareto.account_share < 1 and d.whale.peak_share >= 1
    True
    """
    as_of, window = analysis_window(metrics)
    events = (energy_events(portfolio, params, as_of, window_days=window) if events is None
              else _event_parts(events.copy(), params))
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
        log_check=implausible_log(metrics, portfolio.log_source, portfolio.team, params),
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
    # The reason comes from the coverage check; it is translated when the catalogue has it.
    if why := cover.lacks("recent contact"):
        gaps.append(_("energy, cost to serve, net value, the 80/20, the whale curve, drop candidates and the "
                      "what-if: {why}").format(why=_(why)))
    else:
        if why := cover.lacks("outbound"):
            gaps.append(_("whether a chaser's earlier message had been answered: {why}, so every quick "
                          "follow-up counts as a chaser").format(why=_(why)))
        if why := cover.lacks("inbound"):
            gaps.append(_("messages after hours, on weekends and chasers: {why}").format(why=_(why)))
        if why := cover.lacks("invoices"):
            gaps.append(_("revenue, margin and net value: {why}, so they are unknown and no account is a "
                          "drop candidate").format(why=_(why)))
    if why := cover.lacks("team"):
        c = params.costing
        gaps.append(_("the team's own hours and cost: {why}, so the capacity is one person at {hours} a week "
                      "and {cost} an hour, as the params file assumes").format(
            why=_(why), hours=formatting.hours(c.hours_per_week, 1), cost=money(c.cost_per_hour)))
    return gaps


# --------------------------------------------------------------------------- for people


#: The columns of the energy table: (header, kind) per column, headers in the catalogue.
ENERGY_COLUMNS = {
    "name": (N_("Account"), "text"),
    "energy": (N_("Energy"), "hours"),
    "energy_after_hours": (N_("After hours"), "hours"),
    "energy_off_day": (N_("Weekends and holidays"), "hours"),
    "energy_chasers": (N_("Chasers"), "hours"),
    "energy_complaints": (N_("Complaints"), "hours"),
    "energy_long_threads": (N_("Long threads"), "hours"),
    "net_value": (N_("Net value"), "money"),
    "drop_candidate": (N_("Drop candidate"), "yesno"),
}


def energy_table(breakdown: pd.DataFrame, decisions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every account from the most energy to the least: parts (hours), net value, candidacy.

    Examples
    --------
    >>> b = pd.DataFrame({"account_id": ["A", "B"], "name": ["Aa", "Bb"], "energy": [1.0, 2.0],
    ...                   **{p: [0.5, 1.0] for p in PARTS[1:]}, "net_value": [10.0, -5.0]})
    >>> energy_table(b)["account_id"].tolist()
    ['B', 'A']
    """
    cols = ["account_id", "name", "energy", *PARTS[1:], "net_value"]
    t = breakdown.sort_values(["energy", _BY], ascending=[False, True], kind="stable")
    t = t[[c for c in cols if c in breakdown]]
    if decisions is not None:
        t = t.merge(decisions[[_BY, "drop_candidate"]], on=_BY, how="left")
    return t.reset_index(drop=True)


def _shown(frame: pd.DataFrame, columns: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """The columns of ``columns`` the frame has (an account without a name shows its id)."""
    out = {c: spec for c, spec in columns.items() if c in frame}
    if "name" not in frame and _BY in frame:
        out = {_BY: (N_("Account"), "text"), **out}
    return out


def energy_view(breakdown: pd.DataFrame, decisions: pd.DataFrame | None = None, n: int = 15) -> Styler:
    """The ``n`` accounts with the most energy, for people (the rest in ``accounts.csv``)."""
    t = energy_table(breakdown, decisions)
    return present(t, _shown(t, ENERGY_COLUMNS), top=n, rest="accounts.csv")


def capacity_view(rates: CostRates, check: ImplausibleLog | None = None) -> Styler:
    """:func:`capacity_table` for people."""
    return present(capacity_table(rates, check), {"figure": (N_("Capacity and its cost"), "text"),
                                                  "value": (N_("In the window"), "text")})


def part_view(breakdown: pd.DataFrame, account_id: str) -> Styler:
    """:func:`part_table` of one account, for people."""
    t = part_table(breakdown, account_id).reset_index()
    return present(t, {"part": (N_("Part of the energy"), "text"), "hours": (N_("Hours"), "hours"),
                       "share": (N_("Share"), "share")})


def candidate_view(drain: EnergyDrain, n: int = 20) -> Styler:
    """The drop candidates, heaviest first, with the reasons (the rest in ``accounts.csv``)."""
    t = drain.candidate_table().reset_index()
    return present(t, _shown(t, {
        "name": (N_("Account"), "text"), "energy": (N_("Energy"), "hours"), "revenue": (N_("Revenue"), "money"),
        "cost_to_serve": (N_("Cost to serve"), "money"), "net_value": (N_("Net value"), "money"),
        "reasons": (N_("Why a candidate"), "text")}), top=n, rest="accounts.csv")


def spared_view(drain: EnergyDrain, n: int = 20) -> Styler:
    """High-energy, low-value accounts the rules keep, and why (the rest in ``accounts.csv``)."""
    t = drain.spared_table().reset_index().sort_values(["energy", _BY], ascending=[False, True], kind="stable")
    return present(t, _shown(t, {
        "name": (N_("Account"), "text"), "energy": (N_("Energy"), "hours"),
        "net_value": (N_("Net value"), "money"), "kept_because": (N_("Kept because"), "text")}),
        top=n, rest="accounts.csv")


def team_view(events: pd.DataFrame, metrics: pd.DataFrame, team: pd.DataFrame | None = None) -> Styler:
    """:func:`team_load` for people."""
    t = team_load(events, metrics, team)
    if "hours_per_week" in t:  # 37.5 h and 40 h, not 40.0
        t["hours_per_week"] = [x if pd.isna(x) else formatting.hours(x, 0 if float(x).is_integer() else 1)
                               for x in t["hours_per_week"]]
    return present(t, {c: spec for c, spec in {
        "member": (N_("Team member"), "text"), "role": (N_("Role"), "term"),
        "hours_per_week": (N_("Hours a week"), "figure"), "contact_hours": (N_("Contact"), "hours"),
        "energy": (N_("Energy"), "hours"), "energy_share": (N_("Share of the energy"), "share"),
        "after_hours_inbound": (N_("Messages after hours"), "count"),
        "off_day_inbound": (N_("Of them on weekends and holidays"), "count"),
        "top_accounts": (N_("Heaviest accounts"), "text")}.items() if c in t})
