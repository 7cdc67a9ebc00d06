"""Relationship KPIs: the owner's dashboard of how the customer base is doing.

Customers, new customers, average time per relationship, customers per account owner,
satisfaction, visits and lead response. Every figure that cannot be computed from the
data at hand is ``None`` with the reason in ``RelationshipKpis.missing``.

Every figure says its window (:func:`window_text`) and counts what it says: leads are
those that arrived in the window; a lead never answered counts as infinitely late (so
the 90th percentile can read "never"), not as a lead that did not happen; customers per
member divide by the members who own customers, not by an assistant who owns none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from . import formatting
from .formatting import number
from .i18n import N_, _, ngettext
from .engines import log_window
from .metrics import CHANNELS, analysis_window, coverage
from .params import Params
from .portfolio import Portfolio


@dataclass(frozen=True)
class LeadResponse:
    """How fast leads get a first answer (wall-clock hours), over the leads that arrived in
    the window (all leads before ``as_of`` when no window is given).

    A lead with no answer by ``as_of`` that is older than ``cold_after_hours`` was *never
    answered*: it counts in the median and the 90th percentile as infinitely late, so they
    read "never" (``median_never``/``p90_never``, the hours ``None``) when that many leads
    had no answer. A lead younger than that with no answer yet is *still open*: its outcome
    is unknown, so it is left out of the times and the share and counted in ``still_open``.
    """

    leads: int
    answered: int
    median_hours: float | None
    p90_hours: float | None
    within_promise_share: float | None
    promise_hours: float
    gone_cold: int
    cold_after_hours: float
    never_answered: int = 0
    still_open: int = 0
    median_never: bool = False
    p90_never: bool = False
    window_days: int | None = None


@dataclass(frozen=True)
class RelationshipKpis:
    """Headline figures of the customer base at ``as_of``.

    Examples
    --------
    >>> from workbench import load_params, load_portfolio, account_metrics
    >>> params = load_params("params/default.yaml")
    >>> portfolio = load_portfolio(params)
    >>> kpis = relationship_kpis(portfolio, account_metrics(portfolio, params), params)
    >>> kpis.customers == len(portfolio.accounts)
    True
    """

    as_of: dt.date
    window_days: int
    customers: int
    active_customers: int
    new_customers: int
    hours_per_relationship: float | None
    team_members: int | None
    customers_per_member: float | None
    nps: float | None
    satisfaction_mean: float | None
    survey_responses: int
    visits: int | None
    meetings: int | None
    leads: LeadResponse | None
    missing: list[str] = field(default_factory=list)
    #: The members ``customers_per_member`` divides by: those who own customers (all team
    #: members when the accounts name no owners; see ``members_basis``).
    client_facing_members: list[str] = field(default_factory=list)
    #: ``"owners"`` (members who own at least one account) or ``"team"`` (no owners named).
    members_basis: str | None = None
    #: The team members who own no customers (not counted in ``customers_per_member``).
    other_members: list[str] = field(default_factory=list)
    active_days: int = 365
    new_customer_days: int = 365

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values (dates as ISO strings)."""
        d = asdict(self)
        d["as_of"] = self.as_of.isoformat()
        return d


def is_active(metrics: pd.DataFrame, days: int) -> np.ndarray:
    """Accounts with an interaction or an invoice within ``days`` of ``as_of``."""
    # NaN (no activity at all) compares False: never active.
    return metrics["recency_days"].astype("float64").lt(days).to_numpy()


def is_new(metrics: pd.DataFrame, days: int) -> np.ndarray:
    """Accounts whose relationship began within ``days`` of ``as_of``."""
    return metrics["tenure_days"].astype("float64").lt(days).to_numpy()


def is_dissatisfied(metrics: pd.DataFrame, params: Params) -> pd.Series:
    """Accounts that say or show they are unhappy: the one meaning of *dissatisfied*.

    The latest survey at or below ``plan.dissatisfied_score`` (a detractor on the 0–10
    scale by default), or at least ``plan.dissatisfied_complaints`` complaints in the window
    unless the latest survey is a promoter's (9–10): what the customer says of itself
    outweighs our count of its complaints. Used by the tiers (notebook 03) and by the
    drop-candidate rule (notebook 02) alike.

    Examples
    --------
    >>> m = pd.DataFrame({"survey_last": [5.0, 7.0, 9.0, None], "complaints": [0, 3, 3, 1]})
    >>> is_dissatisfied(m, Params()).tolist()
    [True, True, False, False]
    """
    p = params.plan
    nan = pd.Series(np.nan, index=metrics.index)
    survey = metrics["survey_last"] if "survey_last" in metrics else nan
    complaints = metrics["complaints"] if "complaints" in metrics else nan
    says = (survey <= p.dissatisfied_score).fillna(False)
    shows = (complaints >= p.dissatisfied_complaints).fillna(False) & ~(survey >= 9).fillna(False)
    return (says | shows).astype(bool)


def net_promoter_score(scores: pd.Series) -> float | None:
    """NPS from 0–10 answers: % promoters (9–10) minus % detractors (0–6).

    Examples
    --------
    >>> float(net_promoter_score(pd.Series([10, 9, 8, 3])))
    25.0
    """
    s = scores.dropna()
    if s.empty:
        return None
    return round(100 * ((s >= 9).mean() - (s <= 6).mean()), 1)


def window_start(as_of: dt.date, days: int) -> dt.date:
    """The first day of a window of ``days`` days that ends the day before ``as_of``."""
    return as_of - dt.timedelta(days=days)


def window_text(as_of: dt.date, days: int | None) -> str:
    """A KPI's window in words: ``'last 12 months to 31/10/2026'``, ``'last 90 days to …'``,
    or for a figure at a point in time (``days`` None) ``'on 31/10/2026'``.

    The window ends on the last day of the data, the day before ``as_of`` (which counts
    events *before* it).

    Examples
    --------
    >>> window_text(dt.date(2026, 11, 1), 365)
    'last 12 months to 31/10/2026'
    >>> window_text(dt.date(2026, 11, 1), 90), window_text(dt.date(2026, 11, 1), None)
    ('last 90 days to 31/10/2026', 'on 31/10/2026')
    """
    end = formatting.date(as_of - dt.timedelta(days=1))
    if days is None:
        return _("on {end}").format(end=end)
    try:
        a_year = as_of.replace(year=as_of.year - 1)
    except ValueError:  # 29 February
        a_year = as_of.replace(year=as_of.year - 1, day=28)
    if window_start(as_of, days) == a_year:
        return _("last 12 months to {end}").format(end=end)
    return ngettext("last {n} day to {end}", "last {n} days to {end}", days).format(n=number(days), end=end)


def lead_response(leads: pd.DataFrame, params: Params, as_of: dt.date,
                  window_days: int | None = None) -> pd.DataFrame:
    """Per lead created before ``as_of`` (and within ``window_days`` of it, when given):
    hours to first answer, and whether it went cold, was never answered or is still open.

    A lead has gone cold when no answer came within ``leads.cold_after_hours`` (answered
    later or never); leads younger than that at ``as_of`` are still open, not cold. An
    answer after ``as_of`` is no answer yet. ``never_answered``: no answer by ``as_of``
    and older than ``cold_after_hours``; ``still_open``: no answer yet and younger.
    """
    tz = params.client.timezone
    cutoff = pd.Timestamp(as_of, tz=tz).tz_convert("UTC")
    keep = leads["created_ts"] < cutoff
    if window_days is not None:
        keep &= leads["created_ts"] >= pd.Timestamp(window_start(as_of, window_days), tz=tz).tz_convert("UTC")
    df = leads[keep].copy()
    answered_in_time = df["first_response_ts"].notna() & (df["first_response_ts"] < cutoff)
    hours = (df["first_response_ts"] - df["created_ts"]).dt.total_seconds() / 3600
    df["response_hours"] = hours.where(answered_in_time)
    age_h = (cutoff - df["created_ts"]).dt.total_seconds() / 3600
    df["age_hours"] = age_h
    limit = params.leads.cold_after_hours
    df["gone_cold"] = (age_h >= limit) & ~(df["response_hours"] <= limit)
    df["never_answered"] = ~answered_in_time & (age_h >= limit)
    df["still_open"] = ~answered_in_time & (age_h < limit)
    df["within_promise"] = df["response_hours"] <= params.leads.response_promise_hours
    return df


def _quantile(values: np.ndarray, q: float) -> float:
    """The ``q`` quantile with linear interpolation, where ``inf`` stands for never: a
    quantile that falls between a time and never is never."""
    v = np.sort(values)
    pos = q * (len(v) - 1)
    lo, hi = int(np.floor(pos)), int(np.ceil(pos))
    if lo == hi or not np.isfinite(v[hi]):
        return float(v[hi]) if lo != hi else float(v[lo])
    return float(v[lo] + (v[hi] - v[lo]) * (pos - lo))


def summarize_leads(per_lead: pd.DataFrame, params: Params, window_days: int | None = None) -> LeadResponse:
    """Median, p90, share within the promise, never answered and gone cold, from
    :func:`lead_response`.

    The times and the share are over the leads whose outcome is known: answered, or never
    answered (no answer after ``cold_after_hours``), the latter as infinitely late. Leads
    still open are counted apart.

    Examples
    --------
    >>> per = pd.DataFrame({"response_hours": [0.5, 2.0, None, None],
    ...                     "never_answered": [False, False, True, False],
    ...                     "still_open": [False, False, False, True],
    ...                     "within_promise": [True, False, False, False], "gone_cold": [False, False, True, False]})
    >>> s = summarize_leads(per, Params())
    >>> s.leads, s.never_answered, s.still_open, s.median_hours, s.p90_never, s.within_promise_share
    (4, 1, 1, 2.0, True, 0.3333)
    """
    known = per_lead[~per_lead["still_open"]] if "still_open" in per_lead else per_lead
    answered = known["response_hours"].notna()
    times = known["response_hours"].where(answered, np.inf).to_numpy(dtype=float)
    median = p90 = None
    if len(times):
        median, p90 = _quantile(times, 0.5), _quantile(times, 0.9)
    return LeadResponse(
        leads=len(per_lead),
        answered=int(per_lead["response_hours"].notna().sum()),
        median_hours=round(median, 2) if median is not None and np.isfinite(median) else None,
        p90_hours=round(p90, 2) if p90 is not None and np.isfinite(p90) else None,
        within_promise_share=round(float(known["within_promise"].mean()), 4) if len(known) else None,
        promise_hours=params.leads.response_promise_hours,
        gone_cold=int(per_lead["gone_cold"].sum()),
        cold_after_hours=params.leads.cold_after_hours,
        never_answered=int(per_lead["never_answered"].sum()) if "never_answered" in per_lead else 0,
        still_open=int(per_lead["still_open"].sum()) if "still_open" in per_lead else 0,
        median_never=median is not None and not np.isfinite(median),
        p90_never=p90 is not None and not np.isfinite(p90),
        window_days=window_days,
    )


def client_facing(metrics: pd.DataFrame, team: pd.DataFrame) -> tuple[list[str], str]:
    """The team members who carry customers, and on what basis.

    Those who own at least one account (``"owners"``); when the accounts name no owner
    who is on the team, every member (``"team"``). An assistant who owns no customers
    is not client-facing in this sense, however many messages they handle.

    Examples
    --------
    >>> m = pd.DataFrame({"owner": ["Aino", "Aino", "Eero"]})
    >>> client_facing(m, pd.DataFrame({"member": ["Aino", "Eero", "Ilona"]}))
    (['Aino', 'Eero'], 'owners')
    >>> client_facing(pd.DataFrame({"owner": [None]}), pd.DataFrame({"member": ["Aino"]}))
    (['Aino'], 'team')
    """
    members = [str(m) for m in team["member"]]
    owners = set(metrics["owner"].dropna().astype(str)) if "owner" in metrics else set()
    owning = [m for m in members if m in owners]
    return (owning, "owners") if owning else (members, "team")


def relationship_kpis(
    portfolio: Portfolio, metrics: pd.DataFrame, params: Params, *, window_days: int | None = None
) -> RelationshipKpis:
    """Compute the relationship KPIs from the portfolio and its per-account metrics.

    Parameters
    ----------
    portfolio : Portfolio
        The canonical tables (team, surveys and leads are used when present).
    metrics : pandas.DataFrame
        :func:`workbench.account_metrics` output for the same ``as_of`` and window.
    params : Params
        Uses ``kpis`` (what counts as new and active) and ``leads`` (promise, cold).
    window_days : int, optional
        The window of the time per relationship, meetings and visits (the one ``metrics``
        was computed over, its default), and of satisfaction and leads.
    """
    missing: list[str] = []
    as_of, computed_over = analysis_window(metrics)
    if window_days is None:
        window_days = computed_over
    active = is_active(metrics, params.kpis.active_days)
    n_active = int(active.sum())
    cover = coverage(portfolio, metrics)
    logged = cover.lacks("interactions") is None
    if not logged:
        missing.append(_("contact over time, time per relationship, meetings and visits: {why}").format(
            why=cover.lacks("interactions")))
    else:
        if why := cover.lacks("outbound"):
            missing.append(_("our messages to customers: {why}, so contact over time shows customers' messages only")
                           .format(why=why))
        if why := cover.lacks("inbound"):
            missing.append(_("customers' messages to us: {why}, so contact over time shows ours only").format(why=why))

    team_n = None
    per_member = None
    members: list[str] = []
    basis = None
    if portfolio.has("team"):
        team_n = len(portfolio.team)
        members, basis = client_facing(metrics, portfolio.team)
        per_member = round(n_active / len(members), 1) if members else None
    else:
        missing.append(_("customers per team member: {why}").format(why=cover.lacks("team")))

    nps = mean = None
    responses = 0
    if portfolio.has("surveys"):
        s = portfolio.surveys
        cut = pd.Timestamp(as_of)
        recent = s[(s["date"] < cut) & (s["date"] >= cut - pd.Timedelta(days=window_days))]
        responses = len(recent)
        is_nps = recent["scale"].fillna("nps").str.lower().eq("nps") if "scale" in recent else True
        nps = net_promoter_score(recent.loc[is_nps, "score"])
        mean = round(float(recent["score"].mean()), 2) if responses else None
        if responses == 0:
            missing.append(_("satisfaction: no survey answers in the window ({window})").format(
                window=window_text(as_of, window_days)))
    else:
        missing.append(_("satisfaction: {why}").format(why=cover.lacks("surveys")))

    leads = None
    if portfolio.has("leads"):
        leads = summarize_leads(lead_response(portfolio.leads, params, as_of, window_days), params, window_days)
        if leads.leads == 0:
            missing.append(_("lead response: no lead arrived in the window ({window})").format(
                window=window_text(as_of, window_days)))
    else:
        missing.append(_("lead response: {why}").format(why=cover.lacks("leads")))

    hours = metrics.loc[active, "effort_hours"]
    per_relationship = (round(float(hours.mean()), 2) if n_active else 0.0) if logged else None
    return RelationshipKpis(
        as_of=as_of,
        window_days=window_days,
        customers=len(metrics),
        active_customers=n_active,
        new_customers=int(is_new(metrics, params.kpis.new_customer_days).sum()),
        hours_per_relationship=per_relationship,
        team_members=team_n,
        customers_per_member=per_member,
        nps=nps,
        satisfaction_mean=mean,
        survey_responses=responses,
        visits=int(metrics["n_visit"].sum()) if logged else None,
        meetings=int(metrics["n_meeting"].sum()) if logged else None,
        leads=leads,
        missing=missing,
        client_facing_members=members,
        other_members=[str(m) for m in portfolio.team["member"] if str(m) not in members] if team_n else [],
        members_basis=basis,
        active_days=params.kpis.active_days,
        new_customer_days=params.kpis.new_customer_days,
    )


def monthly_activity(portfolio: Portfolio, params: Params, as_of: dt.date, months: int = 24) -> pd.DataFrame:
    """Interactions per local calendar month and channel, the last ``months`` before ``as_of``.

    Returns a long frame with ``month`` (first day), ``channel``, ``direction`` and ``n``.
    """
    tz = params.client.timezone
    start = (pd.Timestamp(as_of) - pd.DateOffset(months=months)).to_period("M").to_timestamp()
    # Only the months shown are read (a day's margin: local days are not UTC days), and
    # only the columns counted.
    log = log_window(portfolio.log_source, (start - pd.Timedelta(days=1)).tz_localize("UTC"),
                     (pd.Timestamp(as_of) + pd.Timedelta(days=1)).tz_localize("UTC"), ("ts", "channel", "direction"))
    local = log["ts"].dt.tz_convert(tz).dt.tz_localize(None)
    keep = (local >= start) & (local < pd.Timestamp(as_of))
    channel = log["channel"].where(log["channel"].isin(CHANNELS), "other")
    df = pd.DataFrame({
        "month": local[keep].dt.to_period("M").dt.to_timestamp(),
        "channel": channel[keep],
        "direction": log.loc[keep, "direction"],
    })
    return df.groupby(["month", "channel", "direction"], as_index=False).size().rename(columns={"size": "n"})


def new_customers_by_month(metrics: pd.DataFrame, months: int = 24) -> pd.DataFrame:
    """Accounts whose relationship began in each of the last ``months`` months."""
    as_of = pd.Timestamp(analysis_window(metrics)[0])
    began = as_of - pd.to_timedelta(metrics["tenure_days"].astype("float64"), unit="D")
    month = began.dt.to_period("M").dt.to_timestamp()
    first = (as_of - pd.DateOffset(months=months)).to_period("M").to_timestamp()
    counts = month[month >= first].value_counts().rename("new_customers")
    full = pd.date_range(first, as_of - pd.Timedelta(days=1), freq="MS")
    return counts.reindex(full, fill_value=0).rename_axis("month").reset_index()


def satisfaction_by_quarter(surveys: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """NPS, mean score and number of answers per calendar quarter before ``as_of``."""
    s = surveys[surveys["date"] < pd.Timestamp(as_of)]
    q = s["date"].dt.to_period("Q")
    out = s.groupby(q)["score"].agg(
        answers="size", mean_score="mean", nps=lambda x: net_promoter_score(x)
    )
    out.index = out.index.astype(str)
    return out.rename_axis("quarter").reset_index()


def load_per_member(metrics: pd.DataFrame, team: pd.DataFrame | None, active_days: int, *,
                    hours_known: bool = True) -> pd.DataFrame:
    """Active customers and effort hours per account owner, with each member's weekly hours.

    ``hours_known`` False (no contact log) leaves the hours missing: the customers each
    owner carries are still known, the time they took is not.
    """
    if "owner" not in metrics:
        return pd.DataFrame(columns=["member", "customers", "effort_hours"])
    active = metrics[is_active(metrics, active_days)]
    out = (
        active.groupby(active["owner"].fillna("(no owner)"))
        .agg(customers=("account_id", "size"), effort_hours=("effort_hours", "sum"))
        .rename_axis("member")
        .reset_index()
    )
    if team is not None and len(team):
        cols = [c for c in ("member", "role", "hours_per_week") if c in team]
        out = team[cols].merge(out, on="member", how="outer")
        out[["customers", "effort_hours"]] = out[["customers", "effort_hours"]].fillna(0)
    if not hours_known:
        out["effort_hours"] = np.nan
    return out.sort_values("customers", ascending=False, kind="stable").reset_index(drop=True)


def kpi_table(k: RelationshipKpis) -> pd.DataFrame:
    """The KPIs for people: what each figure is (in words), its value written by its kind
    (``'–'`` where unknown, ``'never'`` for a lead time that never came) and its window.

    Columns ``figure``, ``value``, ``window`` (text in the report's language), and ``key``
    and ``raw`` (the figure's key and unformatted value, for checks).
    """
    as_of = k.as_of
    whole = window_text(as_of, k.window_days)
    now = window_text(as_of, None)
    rows: list[tuple[str, str, Any, str, str]] = [
        ("customers", _("Customers in the register"), k.customers, "count", now),
        ("active_customers", _("Active customers (a contact or an invoice in the window)"), k.active_customers,
         "count", window_text(as_of, k.active_days)),
        ("new_customers", _("New customers (the relationship began in the window)"), k.new_customers, "count",
         window_text(as_of, k.new_customer_days)),
        ("hours_per_relationship", _("Average time per active customer"), k.hours_per_relationship, "hours", whole),
        ("team_members", _("Team members"), k.team_members, "count", now),
    ]
    n = len(k.client_facing_members)
    per_member = (_("Active customers per team member (the accounts name no owners, so every member counts)")
                  if k.members_basis == "team" else
                  ngettext("Active customers per account owner (the {n} team member who owns customers)",
                           "Active customers per account owner (the {n} team members who own customers)",
                           n).format(n=number(n)))
    rows += [
        ("customers_per_member", per_member, k.customers_per_member, "number", window_text(as_of, k.active_days)),
        ("nps", _("Net Promoter Score (from −100 to 100)"), k.nps, "number", whole),
        ("satisfaction_mean", _("Mean satisfaction score"), k.satisfaction_mean, "ratio", whole),
        ("survey_responses", _("Survey answers"), k.survey_responses, "count", whole),
        ("meetings", _("Meetings"), k.meetings, "count", whole),
        ("visits", _("Customer visits"), k.visits, "count", whole),
    ]
    lead = k.leads
    if lead is not None:
        lw = window_text(as_of, lead.window_days)
        never = _("never")
        rows += [
            ("leads", _("Leads received"), lead.leads, "count", lw),
            ("lead_median_hours", _("Time to a lead's first answer, median (leads never answered included, as never)"),
             never if lead.median_never else lead.median_hours, "hours", lw),
            ("lead_p90_hours", _("Time to a lead's first answer, 90th percentile"),
             never if lead.p90_never else lead.p90_hours, "hours", lw),
            ("leads_within_promise", _("Leads answered within the promise of {hours}").format(
                hours=_hours(lead.promise_hours)), lead.within_promise_share, "share", lw),
            ("leads_never_answered", _("Leads never answered (no answer by the end of the window)"),
             lead.never_answered, "count", lw),
            ("leads_gone_cold", _("Leads gone cold (no answer within {hours})").format(
                hours=_hours(lead.cold_after_hours)), lead.gone_cold, "count", lw),
        ]
        if lead.still_open:
            rows.append(("leads_still_open", _("Leads still open (arrived less than {hours} before the end of the "
                                               "window, no answer yet)").format(hours=_hours(lead.cold_after_hours)),
                         lead.still_open, "count", lw))
    return pd.DataFrame({
        "key": [r[0] for r in rows],
        "figure": [r[1] for r in rows],
        "value": [r[2] if isinstance(r[2], str) else formatting.value(r[2], r[3]) for r in rows],
        "window": [r[4] for r in rows],
        "raw": [r[2] for r in rows],
    })


def kpi_view(k: RelationshipKpis) -> Any:
    """:func:`kpi_table` as the report shows it (:func:`workbench.tables.present`)."""
    from .tables import present

    return present(kpi_table(k), {"figure": (N_("Figure"), "text"), "value": (N_("Value"), "figure"),
                                  "window": (N_("Window"), "text")})


def _hours(h: float) -> str:
    """A number of hours in a label: ``'1 h'``, ``'1.5 h'``."""
    return formatting.hours(h, 0 if float(h).is_integer() else 1)


def kpi_notes(k: RelationshipKpis, metrics: pd.DataFrame | None = None) -> str:
    """What the KPI table cannot say in a cell, in sentences (markdown): who counts as an
    account owner, and how soon leads heard from us, unanswered ones included."""
    out = []
    if k.members_basis == "owners" and k.team_members:
        names = ", ".join(k.client_facing_members)
        out.append(ngettext(
            "Customers per account owner divide the {active} active customers by the {n} team member who owns "
            "customers ({names}).",
            "Customers per account owner divide the {active} active customers by the {n} team members who own "
            "customers ({names}).", len(k.client_facing_members)).format(
            active=number(k.active_customers), n=number(len(k.client_facing_members)), names=names))
        others = k.other_members
        if others:
            out.append(ngettext("{names} owns no customers and is not counted.",
                                "{names} own no customers and are not counted.", len(others)).format(
                names=", ".join(others)))
    lead = k.leads
    if lead is not None and lead.leads:
        known = lead.leads - lead.still_open
        if known:
            out.append(ngettext(
                "Of the {n} lead that arrived in the window, {promise} got a first answer within the promise of "
                "{promise_hours}, {cold} within {cold_hours}, and {never} never got one.",
                "Of the {n} leads that arrived in the window, {promise} got a first answer within the promise of "
                "{promise_hours}, {cold} within {cold_hours}, and {never} never got one.", known).format(
                n=number(known), promise=formatting.percent(lead.within_promise_share),
                promise_hours=_hours(lead.promise_hours),
                cold=formatting.percent((known - lead.gone_cold) / known), cold_hours=_hours(lead.cold_after_hours),
                never=formatting.percent(lead.never_answered / known)))
        if lead.still_open:
            out.append(ngettext("{n} more lead is still open: it arrived too recently to say.",
                                "{n} more leads are still open: they arrived too recently to say.",
                                lead.still_open).format(n=number(lead.still_open)))
    return " ".join(out)


def top_effort(metrics: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The ``n`` accounts that took the most hours in the window, with what drove it."""
    cols = ["account_id", "name", "effort_hours", "n_interactions", "n_inbound",
            "after_hours_inbound", "chasers", "complaints", "revenue"]
    top = metrics.nlargest(n, "effort_hours", keep="first")[[c for c in cols if c in metrics]]
    return top.round({"effort_hours": 1, "revenue": 0}).reset_index(drop=True)


#: How :func:`top_effort`'s columns read in the report: (header, kind).
TOP_EFFORT_COLUMNS = {
    "name": (N_("Customer"), "text"),
    "account_id": (N_("Customer number"), "text"),
    "effort_hours": (N_("Hours spent"), "hours"),
    "n_interactions": (N_("Messages and contacts"), "count"),
    "n_inbound": (N_("From the customer"), "count"),
    "after_hours_inbound": (N_("From the customer after hours"), "count"),
    "chasers": (N_("Chasers"), "count"),
    "complaints": (N_("Complaints"), "count"),
    "revenue": (N_("Revenue"), "money"),
}


def top_effort_view(metrics: pd.DataFrame, n: int = 10) -> Any:
    """:func:`top_effort` as the report shows it (:func:`workbench.tables.present`); the
    whole list is in ``accounts.csv``."""
    from .tables import present

    top = top_effort(metrics, n)
    return present(top, {c: v for c, v in TOP_EFFORT_COLUMNS.items() if c in top})
