"""Relationship KPIs: the owner's dashboard of how the customer base is doing.

Customers, new customers, average time per relationship, customers per team member,
satisfaction, visits and lead response. Every figure that cannot be computed from the
data at hand is ``None`` with the reason in ``RelationshipKpis.missing``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .formatting import number
from .metrics import CHANNELS, coverage
from .params import Params
from .portfolio import Portfolio


@dataclass(frozen=True)
class LeadResponse:
    """How fast leads get a first answer (wall-clock hours, leads created before as_of)."""

    leads: int
    answered: int
    median_hours: float | None
    p90_hours: float | None
    within_promise_share: float | None
    promise_hours: float
    gone_cold: int
    cold_after_hours: float


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


def lead_response(leads: pd.DataFrame, params: Params, as_of: dt.date) -> pd.DataFrame:
    """Per lead created before ``as_of``: hours to first answer and whether it went cold.

    A lead has gone cold when no answer came within ``leads.cold_after_hours`` (answered
    later or never); leads younger than that at ``as_of`` are still open, not cold.
    """
    cutoff = pd.Timestamp(as_of, tz=params.client.timezone).tz_convert("UTC")
    df = leads[leads["created_ts"] < cutoff].copy()
    answered_in_time = df["first_response_ts"].notna() & (df["first_response_ts"] < cutoff)
    hours = (df["first_response_ts"] - df["created_ts"]).dt.total_seconds() / 3600
    df["response_hours"] = hours.where(answered_in_time)
    age_h = (cutoff - df["created_ts"]).dt.total_seconds() / 3600
    limit = params.leads.cold_after_hours
    df["gone_cold"] = (age_h >= limit) & ~(df["response_hours"] <= limit)
    df["within_promise"] = df["response_hours"] <= params.leads.response_promise_hours
    return df


def summarize_leads(per_lead: pd.DataFrame, params: Params) -> LeadResponse:
    """Median, p90, share within the promise and leads gone cold, from :func:`lead_response`."""
    h = per_lead["response_hours"].dropna()
    return LeadResponse(
        leads=len(per_lead),
        answered=len(h),
        median_hours=round(float(h.median()), 2) if len(h) else None,
        p90_hours=round(float(h.quantile(0.9)), 2) if len(h) else None,
        within_promise_share=round(float(per_lead["within_promise"].mean()), 4) if len(per_lead) else None,
        promise_hours=params.leads.response_promise_hours,
        gone_cold=int(per_lead["gone_cold"].sum()),
        cold_after_hours=params.leads.cold_after_hours,
    )


def relationship_kpis(
    portfolio: Portfolio, metrics: pd.DataFrame, params: Params, *, window_days: int = 365
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
    window_days : int
        The window ``metrics`` was computed over (for the per-relationship time).
    """
    missing: list[str] = []
    as_of = metrics.attrs["as_of"]
    active = is_active(metrics, params.kpis.active_days)
    n_active = int(active.sum())
    cover = coverage(portfolio, metrics)
    logged = cover.lacks("interactions") is None
    if not logged:
        missing.append(f"contact over time, time per relationship, meetings and visits: {cover.lacks('interactions')}")
    else:
        if why := cover.lacks("outbound"):
            missing.append(f"our messages to customers: {why}, so contact over time shows customers' messages only")
        if why := cover.lacks("inbound"):
            missing.append(f"customers' messages to us: {why}, so contact over time shows ours only")

    team_n = None
    per_member = None
    if portfolio.has("team"):
        team_n = len(portfolio.team)
        per_member = round(n_active / team_n, 1)
    else:
        missing.append(f"customers per team member: {cover.lacks('team')}")

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
            missing.append(f"satisfaction: no survey answers in the {window_days} days before {as_of}")
    else:
        missing.append(f"satisfaction: {cover.lacks('surveys')}")

    leads = None
    if portfolio.has("leads"):
        leads = summarize_leads(lead_response(portfolio.leads, params, as_of), params)
        if leads.leads == 0:
            missing.append("lead response: no lead arrived before the analysis date")
    else:
        missing.append(f"lead response: {cover.lacks('leads')}")

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
    )


def monthly_activity(portfolio: Portfolio, params: Params, as_of: dt.date, months: int = 24) -> pd.DataFrame:
    """Interactions per local calendar month and channel, the last ``months`` before ``as_of``.

    Returns a long frame with ``month`` (first day), ``channel``, ``direction`` and ``n``.
    """
    tz = params.client.timezone
    log = portfolio.interactions
    local = log["ts"].dt.tz_convert(tz).dt.tz_localize(None)
    start = (pd.Timestamp(as_of) - pd.DateOffset(months=months)).to_period("M").to_timestamp()
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
    as_of = pd.Timestamp(metrics.attrs["as_of"])
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
    """The KPIs as a two-column table for people: figure and value, '—' where unknown."""
    def fmt(v: float | int | None, unit: str = "", digits: int = 1) -> str:
        if v is None:
            return "—"
        return number(v, digits if isinstance(v, float) else 0, unit.strip())

    lead = k.leads
    rows = [
        ("Customers in the register", fmt(k.customers)),
        (f"Active customers (contact or invoice within {k.window_days} days)", fmt(k.active_customers)),
        ("New customers (relationship began within the new-customer window)", fmt(k.new_customers)),
        (f"Average time per active relationship, last {k.window_days} days", fmt(k.hours_per_relationship, " h")),
        ("Team members", fmt(k.team_members)),
        ("Active customers per team member", fmt(k.customers_per_member)),
        ("Net Promoter Score (last 12 months)", fmt(k.nps)),
        ("Mean satisfaction score", fmt(k.satisfaction_mean, digits=2)),
        ("Survey answers", fmt(k.survey_responses)),
        ("Meetings", fmt(k.meetings)),
        ("Customer visits", fmt(k.visits)),
    ]
    if lead is not None:
        share = None if lead.within_promise_share is None else 100 * lead.within_promise_share
        rows += [
            ("Leads", fmt(lead.leads)),
            ("Lead first response, median", fmt(lead.median_hours, " h")),
            ("Lead first response, 90th percentile", fmt(lead.p90_hours, " h")),
            (f"Leads answered within the promise ({lead.promise_hours:g} h)", fmt(share, " %", 0)),
            (f"Leads gone cold (no answer within {lead.cold_after_hours:g} h)", fmt(lead.gone_cold)),
        ]
    return pd.DataFrame(rows, columns=["figure", "value"]).set_index("figure")


def top_effort(metrics: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The ``n`` accounts that took the most hours in the window, with what drove it."""
    cols = ["account_id", "name", "effort_hours", "n_interactions", "n_inbound",
            "after_hours_inbound", "chasers", "complaints", "revenue"]
    top = metrics.nlargest(n, "effort_hours", keep="first")[[c for c in cols if c in metrics]]
    return top.round({"effort_hours": 1, "revenue": 0}).set_index("account_id")
