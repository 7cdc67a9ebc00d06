"""Response times, measured: runs of customer messages and their first answer in business
hours against each tier's promise; and lead response."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from .businesstime import BusinessCalendar, business_hours_between
from .formatting import hours, number, percent
from .i18n import _, ngettext
from .kpis import lead_response, summarize_leads
from .params import Params
from .portfolio import Portfolio

_BY = "account_id"


def response_runs(events: pd.DataFrame, tiers: pd.DataFrame, params: Params,
                  calendar: BusinessCalendar, as_of: dt.date) -> pd.DataFrame:
    """Every run of customer messages in the window, with its first answer in business hours.

    Runs and answers are those of :func:`workbench.metrics.event_features`, the definition
    behind the per-account response times: a run begins at a customer's message after our
    last one (``run_start``); its answer is our next message, which carries the run's start
    in ``prev_run_began``. ``within`` is whether the answer came within the tier's promise;
    runs still inside their promise at ``as_of`` without an answer are ``open``, not judged.
    """
    runs = events.loc[events["run_start"] == 1, [_BY, "t_us", "ts", "channel"]]
    answers = events.loc[events["response_hours"].notna(), [_BY, "prev_run_began", "ts"]]
    answers = answers.rename(columns={"prev_run_began": "t_us", "ts": "answered_ts"})
    answers["t_us"] = answers["t_us"].astype("int64")
    runs = runs.assign(t_us=runs["t_us"].astype("int64"))
    df = runs.merge(answers, on=[_BY, "t_us"], how="left").merge(tiers[[_BY, "tier"]], on=_BY, how="left")
    promise = {t.name: t.response_hours for t in params.plan.tiers}
    # Float even with no runs: an empty map keeps the text dtype of tier, which no
    # duration compares with.
    df["promise_hours"] = df["tier"].map(promise).astype("float64")
    df["business_hours"] = business_hours_between(df["ts"], df["answered_ts"], calendar).to_numpy()
    cutoff = pd.Series(pd.Timestamp(as_of, tz=calendar.timezone), index=df.index)
    waited = business_hours_between(df["ts"], cutoff, calendar)
    df["open"] = df["answered_ts"].isna() & (waited < df["promise_hours"])
    df["within"] = df["business_hours"] <= df["promise_hours"]
    return df


def response_compliance(runs: pd.DataFrame, tier_order: list[str]) -> pd.DataFrame:
    """Per tier and channel (and each tier overall): median, p90, share within the promise."""
    judged = runs[~runs["open"]]

    def agg(g: pd.DataFrame) -> pd.Series:
        h = g["business_hours"].dropna()
        return pd.Series({"runs": len(g), "answered": len(h),
                          "median_business_hours": round(float(h.median()), 2) if len(h) else np.nan,
                          "p90_business_hours": round(float(h.quantile(0.9)), 2) if len(h) else np.nan,
                          "promise_hours": float(g["promise_hours"].iloc[0]),
                          "within_promise_share": round(float(g["within"].mean()), 4) if len(g) else np.nan})

    by_channel = [dict(tier=t, channel=c, **agg(g)) for (t, c), g in judged.groupby(["tier", "channel"])]
    overall = [dict(tier=t, channel="all", **agg(g)) for t, g in judged.groupby("tier")]
    out = pd.DataFrame(overall + by_channel)
    if out.empty:
        return out
    out["order"] = out["tier"].map({t: i for i, t in enumerate(tier_order)})
    out = out.sort_values(["order", "channel"], key=lambda s: s if s.name == "order" else s.ne("all").astype(int).astype(str) + s)
    return out.drop(columns="order").reset_index(drop=True)


def lead_summary(portfolio: Portfolio, params: Params, calendar: BusinessCalendar, as_of: dt.date,
                 window_days: int | None = None) -> tuple[pd.DataFrame | None, dict[str, Any]]:
    """Lead response over the KPI window, as the overview counts it: wall-clock median and
    p90 (a lead never answered counts as never), share within an hour, gone cold; plus
    business hours."""
    if not portfolio.has("leads"):
        return None, {"leads": 0, "missing": "no leads table"}
    per = lead_response(portfolio.leads, params, as_of, window_days)
    answered = per["response_hours"].notna()
    per["business_hours"] = business_hours_between(per["created_ts"], per["first_response_ts"].where(answered), calendar).to_numpy()
    s = summarize_leads(per, params, window_days)
    head = {
        "leads": s.leads, "answered": s.answered, "median_hours": s.median_hours, "p90_hours": s.p90_hours,
        "median_never": s.median_never, "p90_never": s.p90_never, "never_answered": s.never_answered,
        "window_days": window_days,
        # "Within an hour" whatever the promise: the yardstick (Oldroyd et al.).
        "within_hour_share": round(float((per["response_hours"] <= 1).mean()), 4) if len(per) else None,
        "median_business_hours": round(float(per["business_hours"].median()), 2) if answered.any() else None,
        "gone_cold": s.gone_cold, "cold_after_hours": s.cold_after_hours,
    }
    return per, head


def lead_sentence(head: dict[str, Any]) -> str:
    """Lead response in one sentence (markdown), from :func:`lead_summary`'s headline.

    Examples
    --------
    >>> print(lead_sentence({"leads": 3, "answered": 0, "gone_cold": 2, "cold_after_hours": 48.0}).replace("\\xa0", " "))
    3 leads, none answered yet: **2 gone cold** (no answer within 48 h).
    """
    if "missing" in head:
        return _("Lead response cannot be shown: there is no leads table.")
    if not head["leads"]:
        return _("No lead arrived before the analysis date.")
    cold = _("**{n} gone cold** (no answer within {hours})").format(
        n=number(head["gone_cold"]), hours=hours(head["cold_after_hours"]))
    leads = ngettext("{n} lead", "{n} leads", head["leads"]).format(n=number(head["leads"]))
    if not head["answered"]:
        return _("{leads}, none answered yet: {cold}.").format(leads=leads, cold=cold)
    never = _("never")
    return _("{leads}: median first answer {median}, 90th percentile {p90}, {within} answered within an hour, "
             "{cold}.").format(leads=leads, median=never if head.get("median_never") else hours(head["median_hours"], 1),
                               p90=never if head.get("p90_never") else hours(head["p90_hours"], 1),
                               within=percent(head["within_hour_share"]), cold=cold)
