"""The communication plan: what to say to whom, when, through which channel, how fast.

Steps three to five of planned customer work (DESIGN.md, "Tiers and plan"):

- **Tiers** from commitment × value × energy, satisfaction and openness, by rules in
  ``params.plan.tiers`` (:mod:`workbench.tiers`): every account in exactly one tier, with
  the reason in words, and never one that contradicts notebooks 01 and 02.
- **Actions** that follow each account's situation, whose verb is the channel they are
  scheduled on (a call is made by phone, a meeting is met).
- **What each customer values**, inferred from behaviour: the channel it writes on and
  answers our contact on, the hour it writes, the services it buys. Where it wrote too
  little to tell, it gets a short survey instead of a guess.
- **Triage**: who answers each tier's inbound, so the owner sees only what needs them.
- **Ordered actions** and a **schedule fitted to capacity**: each member reserves
  ``plan.proactive_share`` of their practical hours (paid hours × practical capacity) for
  planned contact; the rest stays for production work and for answering inbound, which
  the log shows already takes its share. A params share rather than "practical hours
  minus the logged contact" because the log records contact, not production work: the
  remainder would look free when it is not.
- **Response promises, measured** in business time, and lead response.

Everything is a pure function of the data, the params and ``as_of``: the plan starts on
the first business day after ``as_of`` and no clock is read.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .businesstime import BusinessCalendar, business_hours_between
from .energy import EnergyDrain
from .formatting import money, number, plural
from .kpis import lead_response, summarize_leads
from .metrics import Coverage, coverage
from .params import Params, PlanTier
from .portfolio import Portfolio
from .tiers import account_signals, assign_tiers, signal_fact

_BY = "account_id"
_FI_GENITIVE = {1: "yhden", 2: "kahden", 3: "kolmen", 4: "neljän", 5: "viiden", 6: "kuuden",
                7: "seitsemän", 8: "kahdeksan", 9: "yhdeksän", 10: "kymmenen"}
_FI_DAYS = ("ma", "ti", "ke", "to", "pe", "la", "su")
_EN_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


# --------------------------------------------------------------------------- what they value


def contact_preferences(events: pd.DataFrame, accounts: pd.Series, params: Params,
                        calendar: BusinessCalendar, tier_channels: pd.Series) -> pd.DataFrame:
    """Per account the channel and hour it values, from behaviour, within its tier's channels.

    A channel scores its share of the account's inbound plus the share of our messages on
    it the account answered within seven days (how it responds to our outbound). The hour
    is the median local hour of its inbound within business hours. With fewer than
    ``plan.min_events_for_preference`` inbound messages behaviour says too little: the
    tier's first channel is used and ``survey_needed`` is set.
    """
    ev = events.sort_values([_BY, "ts", "seq"], kind="stable")
    nxt_in = ev.groupby(_BY)["direction"].shift(-1).eq("in")
    gap_h = (ev.groupby(_BY)["ts"].shift(-1) - ev["ts"]).dt.total_seconds() / 3600
    ev = ev.assign(replied=(ev["direction"] == "out") & nxt_in & (gap_h <= 7 * 24),
                   reply_h=gap_h.where((ev["direction"] == "out") & nxt_in))
    inbound = ev[ev["direction"] == "in"]
    n_in = inbound.groupby([_BY, "channel"]).size().unstack(fill_value=0)
    outb = ev[ev["direction"] == "out"]
    reply = outb.groupby([_BY, "channel"])["replied"].mean().unstack()
    share = n_in.div(n_in.sum(axis=1).replace(0, np.nan), axis=0)
    score = share.add(reply, fill_value=0).fillna(0)
    hours = inbound["ts"].dt.tz_convert(calendar.timezone).dt.hour
    within = hours[(hours >= calendar.start.hour) & (hours < calendar.end_minute / 60)]
    pref_hour = within.groupby(inbound.loc[within.index, _BY]).median()
    reply_h = ev.groupby(_BY)["reply_h"].median()
    total_in = n_in.sum(axis=1)
    rows = []
    for acc in accounts:
        channels = list(tier_channels[acc])
        enough = total_in.get(acc, 0) >= params.plan.min_events_for_preference
        best, basis = channels[0], "too little behaviour: the tier's first channel"
        if enough and acc in score.index:
            s = score.loc[acc].reindex(channels).fillna(0)
            if s.max() > 0:
                best = str(s.idxmax())
                basis = (f"{int(n_in.loc[acc].get(best, 0))} of its {int(total_in[acc])} messages on {best}"
                         + (f", answers {reply.loc[acc, best]:.0%} of ours there".replace("%", " %")
                            if acc in reply.index and best in reply.columns and pd.notna(reply.loc[acc, best]) else ""))
        h = pref_hour.get(acc, np.nan)
        hour = int(np.clip(round(h) if pd.notna(h) else 10, calendar.start.hour, max(calendar.start.hour, calendar.end.hour - 1)))
        rows.append({_BY: acc, "preferred_channel": best, "channel_basis": basis, "preferred_hour": hour,
                     "time_of_day": "morning" if hour < 11 else "midday" if hour < 13 else "afternoon",
                     "reply_hours_median": round(float(reply_h.get(acc, np.nan)), 1),
                     "survey_needed": not enough})
    return pd.DataFrame(rows)


def services_bought(portfolio: Portfolio, as_of: dt.date, window_days: int = 365) -> pd.DataFrame:
    """Per account the services bought in the window, and the portfolio's most bought one it lacks."""
    if not portfolio.has("invoices") or "service" not in portfolio.invoices:
        return pd.DataFrame(columns=[_BY, "services", "next_service"])
    inv = portfolio.invoices
    cur = inv[(inv["date"] < pd.Timestamp(as_of)) & (inv["date"] >= pd.Timestamp(as_of) - pd.Timedelta(days=window_days))]
    cur = cur.dropna(subset=["service"])
    popular = cur.groupby("service")[_BY].nunique().sort_values(ascending=False, kind="stable").index.tolist()
    have = cur.groupby(_BY)["service"].agg(lambda s: sorted(set(s)))
    rows = [{_BY: a, "services": ", ".join(s), "next_service": next((x for x in popular if x not in s), "")}
            for a, s in have.items()]
    return pd.DataFrame(rows, columns=[_BY, "services", "next_service"])


def survey_template(language: str = "en") -> str:
    """A five-question survey for accounts whose behaviour says too little (markdown).

    Examples
    --------
    >>> "1." in survey_template("fi") and "1." in survey_template("en")
    True
    """
    if language == "fi":
        return ("**Miten haluat asioida kanssamme?**\n\n"
                "1. Millä kanavalla haluat meidän ottavan yhteyttä? (sähköposti / puhelin / tekstiviesti / tapaaminen)\n"
                "2. Mihin aikaan päivästä yhteydenotto sopii sinulle parhaiten? (aamu / keskipäivä / iltapäivä)\n"
                "3. Kuinka usein haluat kuulla meistä? (kuukausittain / neljännesvuosittain / vain tarvittaessa)\n"
                "4. Mitä arvostat palvelussamme eniten, ja mitä toivoisit meidän tekevän toisin?\n"
                "5. Onko jotain, missä voisimme auttaa enemmän? (esim. palkanlaskenta, tilinpäätös, veroneuvonta)\n")
    return ("**How would you like to work with us?**\n\n"
            "1. Which channel should we use to contact you? (e-mail / phone / text message / meeting)\n"
            "2. What time of day suits you best? (morning / midday / afternoon)\n"
            "3. How often would you like to hear from us? (monthly / quarterly / only when needed)\n"
            "4. What do you value most in our service, and what would you like us to do differently?\n"
            "5. Is there anything more we could help you with?\n")


# --------------------------------------------------------------------------- schedule


def plan_start(as_of: dt.date, calendar: BusinessCalendar) -> dt.date:
    """The first business day after ``as_of``: the plan's day one."""
    day = as_of + dt.timedelta(days=1)
    hol = calendar.public_holidays
    while day.isoweekday() not in calendar.weekdays or day in hol:
        day += dt.timedelta(days=1)
    return day


def team_capacity(team: pd.DataFrame | None, params: Params) -> pd.DataFrame:
    """Per member the weekly hours reserved for planned contact.

    ``hours_per_week`` × ``costing.practical_capacity`` × ``plan.proactive_share``; without
    a team table the team is one person with ``costing.hours_per_week``.

    Examples
    --------
    >>> team_capacity(pd.DataFrame({"member": ["a"], "hours_per_week": [40.0]}), Params())["plan_hours_per_week"].tolist()
    [4.8]
    """
    c = params.costing
    if team is None or not len(team):
        team = pd.DataFrame({"member": ["team"], "hours_per_week": [c.hours_per_week]})
    out = pd.DataFrame({"member": team["member"].astype(str).to_numpy()})
    out["role"] = team["role"].astype("object").fillna("").to_numpy() if "role" in team else ""
    hours = team["hours_per_week"].astype("float64").fillna(c.hours_per_week) if "hours_per_week" in team \
        else pd.Series(c.hours_per_week, index=team.index)
    out["hours_per_week"] = hours.to_numpy()
    out["practical_hours_per_week"] = out["hours_per_week"] * c.practical_capacity
    out["plan_hours_per_week"] = (out["practical_hours_per_week"] * params.plan.proactive_share).round(6)
    return out


def _week_days(start: dt.date, week: int, calendar: BusinessCalendar) -> list[dt.date]:
    monday = start - dt.timedelta(days=start.weekday()) + dt.timedelta(weeks=week)
    hol = calendar.public_holidays
    days = [monday + dt.timedelta(days=i) for i in range(7)]
    return [d for d in days if d >= start and d.isoweekday() in calendar.weekdays and d not in hol]


def schedule_actions(actions: pd.DataFrame, capacity: pd.DataFrame, params: Params,
                     calendar: BusinessCalendar, start: dt.date) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Place each account's contacts week by week without exceeding anyone's capacity.

    ``actions`` is in priority order with ``account_id, tier, cadence_weeks, first_week,
    minutes, member, preferred_hour`` (``member`` = who should make the contact). Going
    down the list, each contact goes to the earliest week from its due week where its
    member has room, else to the colleague with most room that week (never to the firm's
    owner, who keeps to what needs them); follow-ups are due ``cadence_weeks`` after the
    contact before. A week's capacity shrinks with its holidays. A contact that finds no
    room within ``plan.horizon_weeks`` is unscheduled: the plan does not fit.

    Returns
    -------
    (schedule, load, unscheduled)
        One row per placed contact; planned and available hours per member and week; the
        contacts that did not fit.
    """
    horizon = params.plan.horizon_weeks
    members = capacity["member"].tolist()
    owners = set(capacity.loc[capacity["role"].astype(str).str.lower() == params.plan.owner_role.lower(), "member"])
    n_days = len(calendar.weekdays) or 1
    days = [_week_days(start, w, calendar) for w in range(horizon)]
    cap = {(m, w): h * len(days[w]) / n_days * 60
           for m, h in zip(members, capacity["plan_hours_per_week"]) for w in range(horizon)}
    used = dict.fromkeys(cap, 0.0)
    placed, missed = [], []
    for a in actions.itertuples(index=False):
        due, k = int(a.first_week), 0
        while due < horizon:
            spot = None
            for w in range(due, horizon):
                order = [a.member] if a.member in members else []
                order += sorted((m for m in members if m != a.member and m not in owners),
                                key=lambda m: (-(cap[m, w] - used[m, w]), m))
                spot = next(((m, w) for m in order if cap[m, w] - used[m, w] >= a.minutes - 1e-9), None)
                if spot:
                    break
            if spot is None:
                missed.append({_BY: a.account_id, "tier": a.tier, "touch": k, "due_week": due, "minutes": a.minutes})
                if a.cadence_weeks == 0:
                    break
                due += a.cadence_weeks
            else:
                used[spot] += a.minutes
                placed.append({_BY: a.account_id, "tier": a.tier, "touch": k, "member": spot[0],
                               "week": spot[1], "minutes": a.minutes, "preferred_hour": a.preferred_hour})
                if a.cadence_weeks == 0:
                    break
                due = spot[1] + a.cadence_weeks
            k += 1
    sched = pd.DataFrame(placed, columns=[_BY, "tier", "touch", "member", "week", "minutes", "preferred_hour"])
    sched = _timetable(sched, days, calendar)
    load = pd.DataFrame([{"member": m, "week": w, "week_start": (days[w][0] if days[w] else None),
                          "capacity_hours": cap[m, w] / 60, "planned_hours": used[m, w] / 60}
                         for m, w in cap])
    return sched, load, pd.DataFrame(missed, columns=[_BY, "tier", "touch", "due_week", "minutes"])


def _timetable(sched: pd.DataFrame, days: list[list[dt.date]], calendar: BusinessCalendar) -> pd.DataFrame:
    """Give each contact a day in its week (the member's least booked) and a start time."""
    booked: dict[tuple[str, dt.date], float] = {}
    starts = []
    for r in sched.itertuples(index=False):
        week_days = days[r.week]
        day = min(week_days, key=lambda d: (booked.get((r.member, d), 0.0), d))
        cursor = booked.get((r.member, day), float(calendar.start_minute))
        begin = max(float(r.preferred_hour * 60), cursor)
        if begin + r.minutes > calendar.end_minute:
            begin = cursor
        booked[(r.member, day)] = begin + r.minutes
        starts.append(pd.Timestamp(day) + pd.Timedelta(minutes=begin))
    local = pd.DatetimeIndex(starts).tz_localize(calendar.timezone) if starts else pd.DatetimeIndex([], tz=calendar.timezone)
    out = sched.assign(start=local)
    out["date"] = out["start"].dt.date
    return out.drop(columns="preferred_hour")


# --------------------------------------------------------------------------- response promises


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


def lead_summary(portfolio: Portfolio, params: Params, calendar: BusinessCalendar, as_of: dt.date) -> tuple[pd.DataFrame | None, dict[str, Any]]:
    """Lead response: wall-clock median and p90, share within an hour, gone cold; plus business hours."""
    if not portfolio.has("leads"):
        return None, {"leads": 0, "missing": "no leads table"}
    per = lead_response(portfolio.leads, params, as_of)
    answered = per["response_hours"].notna()
    per["business_hours"] = business_hours_between(per["created_ts"], per["first_response_ts"].where(answered), calendar).to_numpy()
    s = summarize_leads(per, params)
    head = {
        "leads": s.leads, "answered": s.answered, "median_hours": s.median_hours, "p90_hours": s.p90_hours,
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
    >>> lead_sentence({"leads": 3, "answered": 0, "gone_cold": 2, "cold_after_hours": 48.0})
    '3 leads, none answered yet: **2 gone cold** (no answer within 48 h).'
    """
    if "missing" in head:
        return "Lead response cannot be shown: there is no leads table."
    if not head["leads"]:
        return "No lead arrived before the analysis date."
    cold = f"**{head['gone_cold']} gone cold** (no answer within {head['cold_after_hours']:g} h)"
    if not head["answered"]:
        return f"{plural(head['leads'], 'lead')}, none answered yet: {cold}."
    return (f"{plural(head['leads'], 'lead')}: median first answer {number(head['median_hours'], 1)} h, "
            f"90th percentile {number(head['p90_hours'], 1)} h, {head['within_hour_share']:.0%} answered within "
            f"an hour, {cold}.")


# --------------------------------------------------------------------------- the whole plan


@dataclass(frozen=True)
class CommunicationPlan:
    """Everything the plan notebook shows and exports (see :func:`communication_plan`)."""

    start: dt.date
    calendar: BusinessCalendar
    tier_rules: tuple[PlanTier, ...]
    accounts: pd.DataFrame
    tiers: pd.DataFrame
    actions: pd.DataFrame
    schedule: pd.DataFrame
    load: pd.DataFrame
    capacity: pd.DataFrame
    unscheduled: pd.DataFrame
    queued: int
    triage: pd.DataFrame
    owner_hours_moved: float
    owner_inbound_hours: float
    runs: pd.DataFrame
    responses: pd.DataFrame
    leads: pd.DataFrame | None
    lead_headline: dict[str, Any]
    horizon_weeks: int
    missing: tuple[str, ...] = ()

    @property
    def fits(self) -> bool:
        return self.unscheduled.empty

    @property
    def shortfall_hours(self) -> float:
        return float(self.unscheduled["minutes"].sum() / 60) if len(self.unscheduled) else 0.0

    def members(self) -> pd.DataFrame:
        """Per member: capacity and planned hours over the horizon, customers and inbound."""
        per = self.load.groupby("member")[["capacity_hours", "planned_hours"]].sum()
        per["use"] = (per["planned_hours"] / per["capacity_hours"].replace(0, np.nan)).round(3)
        per["contacts"] = self.schedule.groupby("member").size()
        per["customers"] = self.accounts.groupby("assignee").size()
        per["answers_inbound_for"] = self.accounts.groupby("answers_inbound").size()
        out = self.capacity.set_index("member")[["role", "hours_per_week", "plan_hours_per_week"]].join(per)
        return out.fillna({"contacts": 0, "customers": 0, "answers_inbound_for": 0}).round(
            {"capacity_hours": 1, "planned_hours": 1})

    def fit_sentence(self) -> str:
        """Whether the plan fits the team, and if not, by how much and what to change (markdown)."""
        cap = self.load["capacity_hours"].sum()
        planned = self.load["planned_hours"].sum()
        text = (f"Over {self.horizon_weeks} weeks from {self.start:%-d.%-m.%Y} the plan books "
                f"{number(planned)} of the {number(cap)} hours reserved for planned contact "
                f"({number(100 * planned / cap if cap else 0)} %).")
        if self.queued:
            text += (f" {self.queued} grey-mass accounts wait for the next plan: they are taken on at a "
                     f"sustainable number a week, one contact at a time.")
        if self.fits:
            return text + " **It fits**: no member is booked beyond their reserved hours in any week."
        short = self.shortfall_hours
        need_share = (planned + short) / (cap / self.capacity["plan_hours_per_week"].sum()
                                          * self.capacity["practical_hours_per_week"].sum()) if cap else 0
        heavy = self.tiers.sort_values("plan_hours", ascending=False).iloc[0]
        per_person = float(self.capacity["plan_hours_per_week"].mean()) * self.horizon_weeks
        return text + (
            f" **It does not fit: {number(short, 1)} hours short** ({len(self.unscheduled)} contacts, "
            f"{number(short / self.horizon_weeks, 1)} h a week). To make it fit: reserve "
            f"{number(100 * need_share)} % of practical hours for planned contact instead of "
            f"{number(100 * float(self.capacity['plan_hours_per_week'].sum() / self.capacity['practical_hours_per_week'].sum()))} %, "
            f"or lengthen the cadence of *{heavy['tier']}* (it takes the most hours, {number(heavy['plan_hours'])} h), "
            f"or move accounts down a tier, or add about {number(short / per_person, 1)} people at the same reserved share.")

    def tier_table(self) -> pd.DataFrame:
        """The tiers for people: rule, size, value, hours and how each is served."""
        return self.tiers.set_index("tier")

    def most_open(self, n: int = 10) -> pd.DataFrame:
        """The ``n`` most open accounts the plan offers more services to, most open first.

        Only accounts whose next action is an offer: never a drop candidate (scheduled for a
        boundary conversation that may end in an exit), a drainer or a dissatisfied account,
        however open its behaviour looks.
        """
        offers = self.accounts[self.accounts["action_kind"] == "offer"]
        return offers.sort_values(["openness", _BY], ascending=[False, True], kind="stable").head(n)

    def accounts_export(self) -> pd.DataFrame:
        """Per-account columns for ``accounts.csv``."""
        cols = [_BY, "tier", "tier_reason", "preferred_channel", "next_action", "next_contact", "assignee", "answers_inbound"]
        return self.accounts[cols].copy()

    def headline(self) -> dict[str, Any]:
        """JSON-ready: tier table, capacity use, response-time compliance, lead response."""
        overall = self.responses[self.responses["channel"] == "all"] if len(self.responses) else self.responses
        cap = float(self.load["capacity_hours"].sum())
        planned = float(self.load["planned_hours"].sum())
        return {
            "plan_start": self.start.isoformat(),
            "tiers": [{k: ((None if np.isnan(v) else round(v, 2)) if isinstance(v, float) else v)
                       for k, v in r.items()}
                      for r in self.tiers[["tier", "accounts", "net_value", "plan_hours", "cadence_weeks",
                                           "response_hours"]].to_dict("records")],
            "capacity": {"horizon_weeks": self.horizon_weeks, "capacity_hours": round(cap, 1),
                         "planned_hours": round(planned, 1), "use": round(planned / cap, 4) if cap else None,
                         "fits": self.fits, "shortfall_hours": round(self.shortfall_hours, 1),
                         "scheduled_contacts": len(self.schedule), "queued_grey_mass": self.queued,
                         "owner_inbound_hours": round(self.owner_inbound_hours, 1),
                         "owner_inbound_hours_moved": round(self.owner_hours_moved, 1)},
            "response_compliance": {r["tier"]: {"median_business_hours": r["median_business_hours"],
                                                "p90_business_hours": r["p90_business_hours"],
                                                "promise_hours": r["promise_hours"],
                                                "within_promise_share": r["within_promise_share"], "runs": int(r["runs"])}
                                    for r in overall.to_dict("records")},
            "leads": self.lead_headline,
            "not_computed": list(self.missing),
        }

    def statements(self) -> pd.DataFrame:
        """Publishable response-time statements per tier, in Finnish and English."""
        return response_statements(self.tier_rules, self.calendar)


def communication_plan(portfolio: Portfolio, metrics: pd.DataFrame, params: Params, *,
                       scores: pd.DataFrame, drain: EnergyDrain) -> CommunicationPlan:
    """Tiers, preferences, triage, ordered actions, the schedule and measured promises.

    Parameters
    ----------
    portfolio : Portfolio
        The canonical tables (team, invoices and leads used when present).
    metrics : pandas.DataFrame
        :func:`workbench.account_metrics` output; its ``as_of`` starts the plan.
    params : Params
        The ``plan`` section, plus costing, calendar and effort.
    scores : pandas.DataFrame
        :func:`workbench.commitment_scores` output.
    drain : EnergyDrain
        :func:`workbench.energy_drain` output (with the same commitment flag).

    Examples
    --------
    >>> import workbench as wb
    >>> a = wb.start()
    >>> s = wb.commitment_scores(a.metrics, a.params)
    >>> d = wb.energy_drain(a.portfolio, a.metrics, a.params, committed=s.set_index("account_id")["committed"])
    >>> plan = communication_plan(a.portfolio, a.metrics, a.params, scores=s, drain=d)
    >>> bool(len(plan.accounts) == len(a.metrics) and plan.accounts["tier"].notna().all())
    True
    """
    as_of = metrics.attrs["as_of"]
    window = int(metrics.attrs.get("window_days", 365))
    calendar = BusinessCalendar.from_params(params)
    rules = {t.name: t for t in params.plan.tiers}
    sig = account_signals(metrics, scores, drain, params)
    acc = sig.merge(assign_tiers(sig, params), on=_BY)
    acc["priority"] = acc["tier"].map({n: t.priority for n, t in rules.items()})
    channels = acc.set_index(_BY)["tier"].map({n: t.channels for n, t in rules.items()})
    acc = acc.merge(contact_preferences(drain.events, acc[_BY], params, calendar, channels), on=_BY)
    acc = acc.merge(services_bought(portfolio, as_of, window), on=_BY, how="left").fillna({"services": "", "next_service": ""})

    # The order rule: by tier priority; within a priority (tiers sharing one interleave) the
    # most dissatisfied first, then the most open, then the most valuable, then the
    # heaviest; the id breaks the last ties.
    acc = acc.sort_values(["priority", "dissatisfied", "severity", "openness", "net_value", "energy", _BY],
                          ascending=[True, False, False, False, False, False, True], na_position="last", kind="stable")
    acc = acc.reset_index(drop=True)
    acc["rank"] = np.arange(1, len(acc) + 1)
    what = drain.what_if.per_account.set_index(_BY) if len(drain.what_if.per_account) else pd.DataFrame()
    todo = pd.DataFrame([next_action(r, rules[r["tier"]].theme, what, params) for _, r in acc.iterrows()],
                        columns=["action_kind", "next_action"], index=acc.index)
    acc = acc.join(todo)

    cap = team_capacity(portfolio.team, params)
    members = set(cap["member"])
    owners = set(cap.loc[cap["role"].astype(str).str.lower() == params.plan.owner_role.lower(), "member"])
    owner_col = acc["owner"] if "owner" in acc else pd.Series("", index=acc.index)
    acc["assignee"] = [o if o in members else "" for o in owner_col.fillna("")]
    acc = _triage(acc, rules, cap, owners, drain.events)

    start = plan_start(as_of, calendar)
    grey = [t.name for t in params.plan.tiers if not t.when]
    grey_idx = acc.groupby("tier").cumcount()
    acc["first_week"] = np.where(acc["tier"].isin(grey), grey_idx // params.plan.grey_mass_per_week, 0)
    mpc = params.effort.minutes_per_channel
    acts = pd.DataFrame({
        _BY: acc[_BY], "tier": acc["tier"],
        "cadence_weeks": acc["tier"].map({n: t.cadence_weeks for n, t in rules.items()}),
        "first_week": acc["first_week"],
        "minutes": acc["preferred_channel"].map(lambda c: mpc.get(c, params.effort.default_minutes)) + params.plan.prep_minutes,
        "member": acc["assignee"], "preferred_hour": acc["preferred_hour"],
    })
    schedule, load, missed = schedule_actions(acts, cap, params, calendar, start)
    queued = int((acts["first_week"] >= params.plan.horizon_weeks).sum())
    names = acc.set_index(_BY)["name"] if "name" in acc else acc.set_index(_BY)[_BY]
    first = schedule.sort_values(["start"]).groupby(_BY).first()
    acc["next_contact"] = acc[_BY].map(first["date"])
    acc["assignee"] = acc[_BY].map(first["member"]).fillna(acc["assignee"])
    info = acc.set_index(_BY)
    schedule = schedule.assign(
        name=schedule[_BY].map(names), channel=schedule[_BY].map(info["preferred_channel"]),
        action=schedule[_BY].map(info["next_action"]), rank=schedule[_BY].map(info["rank"]),
    ).sort_values(["start", "member", "rank"], kind="stable").reset_index(drop=True)
    schedule["uid"] = [f"{start:%Y%m%d}-{a}-{k}@workbench" for a, k in zip(schedule[_BY], schedule["touch"])]

    actions = acc[["rank", _BY, "name", "tier", "tier_reason", "next_action", "preferred_channel", "time_of_day",
                   "channel_basis", "services", "survey_needed", "assignee", "answers_inbound", "next_contact"]].copy() \
        if "name" in acc else acc[["rank", _BY, "tier", "tier_reason", "next_action", "preferred_channel",
                                    "assignee", "answers_inbound", "next_contact"]].copy()
    runs = response_runs(drain.events, acc, params, calendar, as_of)
    responses = response_compliance(runs, list(rules))
    leads, lead_head = lead_summary(portfolio, params, calendar, as_of)
    tiers = _tier_table(acc, schedule, missed, rules)
    owner_in = drain.events[(drain.events["direction"] == "in") & drain.events["handled_by"].isin(owners)]
    moved = owner_in[~owner_in[_BY].map(info["answers_inbound"]).isin(owners)]
    triage = _triage_table(drain.events, acc, cap)
    return CommunicationPlan(
        start=start, calendar=calendar, tier_rules=params.plan.tiers, accounts=acc, tiers=tiers,
        actions=actions.reset_index(drop=True), schedule=schedule, load=load, capacity=cap, unscheduled=missed,
        queued=queued, triage=triage, owner_hours_moved=float(moved["effort_minutes"].sum() / 60),
        owner_inbound_hours=float(owner_in["effort_minutes"].sum() / 60), runs=runs, responses=responses,
        leads=leads, lead_headline=lead_head, horizon_weeks=params.plan.horizon_weeks,
        missing=tuple(plan_gaps(coverage(portfolio, metrics), params)),
    )


def plan_gaps(cover: Coverage, params: Params) -> list[str]:
    """What the plan could not compute from the data, one line each (for the report).

    Examples
    --------
    >>> cover = Coverage(frozenset({"interactions", "inbound", "recent contact", "invoices", "surveys",
    ...                             "leads", "team"}), 365, dt.date(2026, 1, 1))
    >>> plan_gaps(cover, Params())
    ['response promises, measured: the contact log holds no messages from us, so no answer can be timed']
    """
    gaps = []
    if why := cover.lacks("recent contact"):
        gaps.append(f"each customer's preferred channel and hour, the triage of inbound and response promises, "
                    f"measured: {why}, so every account gets its tier's first channel and the survey")
    else:
        if why := cover.lacks("inbound"):
            gaps.append(f"each customer's preferred channel and hour and the triage of inbound: {why}")
        if why := cover.lacks("outbound"):
            gaps.append(f"response promises, measured: {why}, so no answer can be timed")
    if why := cover.lacks("invoices"):
        gaps.append(f"value and what each account buys: {why}, so no account counts as valuable or as buying")
    elif why := cover.lacks("interactions"):
        gaps.append(f"value after the cost to serve: {why}, so no account counts as valuable")
    if why := cover.lacks("surveys"):
        gaps.append(f"satisfaction in openness and dissatisfaction: {why}, so dissatisfaction rests on complaints")
    if why := cover.lacks("leads"):
        gaps.append(f"lead response: {why}")
    if why := cover.lacks("team"):
        gaps.append(f"the team's own hours: {why}, so the schedule plans for one person at "
                    f"{number(params.costing.hours_per_week, 1)} h a week")
    return gaps


#: What a contact is called on each channel: the verb an action starts with, so an action
#: scheduled as a call says "Call" and one scheduled as an e-mail never does.
_VERBS = {"phone": "Call", "meeting": "Meet", "visit": "Visit", "email": "E-mail", "sms": "Text",
          "chat": "Chat", "ticket": "Write on a ticket"}


def contact_verb(channel: str) -> str:
    """The verb of a contact on ``channel``: ``'Call'`` for phone, ``'E-mail'`` for email.

    Examples
    --------
    >>> contact_verb("phone"), contact_verb("meeting"), contact_verb("fax")
    ('Call', 'Meet', 'Contact by fax')
    """
    return _VERBS.get(channel, f"Contact by {channel}")


def next_action(r: pd.Series, theme: str, what: pd.DataFrame, params: Params) -> tuple[str, str]:
    """The next thing to do with an account: its kind and the line that says it.

    The kind follows the account's situation, most pressing first: a drop candidate gets
    the boundary conversation (``boundary``, with the what-if's figures); an account that
    drains (high energy, and loss-making or dissatisfied) gets ``settle in`` while young and
    ``repair`` after; a dissatisfied one ``put right``; one that buys, is open and has a next
    service ``offer``; the rest its tier's ``theme``. The line starts with the verb of the
    account's preferred channel (:func:`contact_verb`), the channel it is scheduled on.

    Examples
    --------
    >>> r = pd.Series({"account_id": "a", "preferred_channel": "email", "drop_candidate": False,
    ...     "drains": False, "young": False, "dissatisfied": True, "survey_last": 5.0, "complaints": 9,
    ...     "buys": True, "open": False, "next_service": "", "survey_needed": False})
    >>> next_action(r, "Get to know them", pd.DataFrame(), Params())
    ('put right', 'E-mail to ask what went wrong: last survey 5, 9 complaints')
    """
    verb = contact_verb(r["preferred_channel"])
    if r["drop_candidate"]:
        if r[_BY] not in what.index:
            return "boundary", f"{verb} to set boundaries: {theme}"
        w = what.loc[r[_BY]]
        return "boundary", (f"{verb} to set boundaries: publish our response times (frees ~{number(w['policy_hours'], 1)} h), "
                            f"raise the price by {money(w['break_even_increase'])} to break even, or agree an exit "
                            f"(frees {number(w['hours_freed'], 1)} h, loses {money(w['margin_lost'])} margin)")
    if r["drains"]:
        return _drain_action(r, verb, params)
    if r["dissatisfied"]:
        return "put right", f"{verb} to ask what went wrong: {signal_fact('dissatisfied', False, r, params)}"
    if r["buys"] and r["open"] and r["next_service"]:
        return "offer", f"{verb} to offer {r['next_service']}: {r['openness_reason']}"
    ask = "; ask the five survey questions" if r["survey_needed"] else ""
    return "theme", f"{verb}: {theme[:1].lower()}{theme[1:]}{ask}"


def _drain_action(r: pd.Series, verb: str, params: Params) -> tuple[str, str]:
    """A drainer's action: set expectations with a new customer, repair or reprice an old one."""
    facts = [f"{number(r['energy'])} energy h"]
    if r["loss_making"]:
        facts.append(f"{money(r['net_value'])} after serving cost (raise the price by {money(-r['net_value'])} "
                     "to break even)")
    if r["dissatisfied"]:
        facts.append(signal_fact("dissatisfied", False, r, params))
    if r["young"]:
        return "settle in", f"{verb} to agree what the service includes, the channels and our response times: " \
                            f"a new customer, {', '.join(facts)}"
    agree = "a service level and a price that covers the work" if r["loss_making"] else \
        "a service level after putting right what went wrong"
    return "repair", f"{verb} to agree {agree}: {', '.join(facts)}"


def _triage(acc: pd.DataFrame, rules: dict[str, PlanTier], cap: pd.DataFrame, owners: set[str],
            events: pd.DataFrame) -> pd.DataFrame:
    """Who answers each account's inbound, by its tier's ``inbound_by``.

    ``team`` accounts owned by the firm's owner go to the colleague with the fewest inbound
    hours so far, so the relief is spread rather than dumped on one person.
    """
    helpers = [m for m in cap["member"] if m not in owners] or list(cap["member"])
    hours = (events[events["direction"] == "in"].groupby(_BY)["effort_minutes"].sum() / 60)
    load = dict.fromkeys(helpers, 0.0)
    for a, m in zip(acc[_BY], acc["assignee"]):
        if m in load:
            load[m] += float(hours.get(a, 0.0))
    out = []
    firm_owner = sorted(owners)[0] if owners else None
    for a, t, m in zip(acc[_BY], acc["tier"], acc["assignee"]):
        how = rules[t].inbound_by
        if how == "owner" and firm_owner:
            who = firm_owner
        elif m and (how == "account_owner" or m not in owners):
            who = m
        else:
            who = min(helpers, key=lambda x: (load[x], x))
            load[who] += float(hours.get(a, 0.0))
        out.append(who)
    return acc.assign(answers_inbound=out)


def _triage_table(events: pd.DataFrame, acc: pd.DataFrame, cap: pd.DataFrame) -> pd.DataFrame:
    """Inbound hours per member: as handled in the log, and as the triage routes them."""
    inbound = events[events["direction"] == "in"]
    now = inbound.groupby("handled_by")["effort_minutes"].sum() / 60
    routed = inbound.assign(to=inbound[_BY].map(acc.set_index(_BY)["answers_inbound"]))
    after = routed.groupby("to")["effort_minutes"].sum() / 60
    t = cap.set_index("member")[["role"]].copy()
    t["inbound_hours_now"] = now.reindex(t.index).fillna(0.0).round(1)
    t["inbound_hours_after_triage"] = after.reindex(t.index).fillna(0.0).round(1)
    t["change"] = (t["inbound_hours_after_triage"] - t["inbound_hours_now"]).round(1)
    return t


def _tier_table(acc: pd.DataFrame, schedule: pd.DataFrame, missed: pd.DataFrame, rules: dict[str, PlanTier]) -> pd.DataFrame:
    rows = []
    for name, t in rules.items():
        mine = acc[acc["tier"] == name]
        rows.append({
            "tier": name, "label_fi": t.label_fi, "rule": " or ".join(t.when) or "everyone else",
            # Unknown (no invoices or no contact log) stays unknown: a sum of nothing known is not 0.
            "accounts": len(mine),
            "net_value": float(mine["net_value"].sum(min_count=1)) if len(mine) else 0.0,
            "revenue": float(mine["revenue"].sum()) if "revenue" in mine else np.nan,
            "cadence_weeks": t.cadence_weeks, "channels": ", ".join(t.channels),
            "response_hours": t.response_hours, "inbound_by": t.inbound_by, "theme": t.theme,
            "contacts": int((schedule["tier"] == name).sum()),
            "plan_hours": round(float(schedule.loc[schedule["tier"] == name, "minutes"].sum() / 60), 1),
            "unscheduled": int((missed["tier"] == name).sum()),
        })
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- statements and exports


def promise_text(hours: float, calendar: BusinessCalendar, language: str) -> str:
    """A promise in business hours as people say it: "4 working hours", "one working day".

    Examples
    --------
    >>> cal = BusinessCalendar("Europe/Helsinki", dt.time(8), dt.time(16), (1, 2, 3, 4, 5), "FI")
    >>> promise_text(16, cal, "en"), promise_text(16, cal, "fi"), promise_text(4, cal, "fi")
    ('2 working days', 'kahden arkipäivän', 'neljän työtunnin')
    """
    day = (calendar.end_minute - calendar.start_minute) / 60
    days = hours / day if day else 0
    whole_days = days >= 1 and abs(days - round(days)) < 1e-9
    n = int(round(days)) if whole_days else hours
    if language == "fi":
        word = _FI_GENITIVE.get(int(n), f"{n:g}") if float(n).is_integer() else f"{n:g}"
        return f"{word} {'arkipäivän' if whole_days else 'työtunnin'}"
    unit = "working day" if whole_days else "working hour"
    return f"{'one' if n == 1 else f'{n:g}'} {unit}{'' if n == 1 else 's'}"


def _days_text(cal: BusinessCalendar, language: str) -> str:
    names = _FI_DAYS if language == "fi" else _EN_DAYS
    d = sorted(cal.weekdays)
    span = f"{names[d[0] - 1]}–{names[d[-1] - 1]}" if d == list(range(d[0], d[-1] + 1)) else ", ".join(names[i - 1] for i in d)
    if language == "fi":
        return f"{span} klo {cal.start:%-H.%M}–{cal.end:%-H.%M}"
    return f"{span} {cal.start:%-H:%M}–{cal.end:%-H:%M}"


def response_statements(tiers: tuple[PlanTier, ...], calendar: BusinessCalendar) -> pd.DataFrame:
    """Per tier and language, the statement for the website, e-mail signature and auto-reply.

    Examples
    --------
    >>> cal = BusinessCalendar("Europe/Helsinki", dt.time(8), dt.time(16), (1, 2, 3, 4, 5), "FI")
    >>> s = response_statements(Params().plan.tiers, cal)
    >>> print(s.query("tier == 'core' and language == 'fi' and use == 'signature'")["text"].iloc[0])
    Vastaamme viesteihin neljän työtunnin kuluessa (ma–pe klo 8.00–16.00).
    """
    rows = []
    for t in tiers:
        fi, en = promise_text(t.response_hours, calendar, "fi"), promise_text(t.response_hours, calendar, "en")
        dfi, den = _days_text(calendar, "fi"), _days_text(calendar, "en")
        rows += [
            (t.name, "fi", "website", f"Vastaamme jokaiseen viestiin {fi} kuluessa. Palvelemme {dfi}, arkipyhiä lukuun "
                                       "ottamatta; illalla ja viikonloppuna tulleisiin viesteihin vastaamme seuraavana arkipäivänä."),
            (t.name, "fi", "signature", f"Vastaamme viesteihin {fi} kuluessa ({dfi})."),
            (t.name, "fi", "auto-reply", f"Kiitos viestistäsi! Olemme vastaanottaneet sen ja vastaamme {fi} kuluessa. "
                                          f"Palvelemme {dfi}, arkipyhiä lukuun ottamatta."),
            (t.name, "en", "website", f"We answer every message within {en}. We work {den}, public holidays excepted; "
                                       "messages sent in the evening or at the weekend are answered on the next working day."),
            (t.name, "en", "signature", f"We answer messages within {en} ({den})."),
            (t.name, "en", "auto-reply", f"Thank you for your message! We have received it and will answer within {en}. "
                                          f"We work {den}, public holidays excepted."),
        ]
    return pd.DataFrame(rows, columns=["tier", "language", "use", "text"])


def statements_markdown(plan: CommunicationPlan) -> str:
    """The statements as a markdown document to hand to the client."""
    s = plan.statements()
    labels = {t.name: t.label_fi for t in plan.tier_rules}
    lines = ["# Vastausajat · Response times", ""]
    for tier, g in s.groupby("tier", sort=False):
        lines += [f"## {tier} · {labels[tier]}", ""]
        for lang, title in (("fi", "Suomeksi"), ("en", "In English")):
            lines.append(f"**{title}**")
            lines += [f"- *{u}*: {x}" for u, x in g[g["language"] == lang][["use", "text"]].itertuples(index=False)]
            lines.append("")
    return "\n".join(lines)


def write_plan(out_dir: str | Path, plan: CommunicationPlan) -> dict[str, Path]:
    """Write plan.xlsx, plan.csv, plan.ics, response_statements.md and survey.md into ``out_dir``.

    Returns the written files by kind. The calendar has one event per scheduled contact
    with a stable UID (plan start, account, contact number), so re-importing an updated
    plan updates events instead of duplicating them.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = {"xlsx": out / "plan.xlsx", "csv": out / "plan.csv", "ics": out / "plan.ics",
             "statements": out / "response_statements.md", "survey": out / "survey.md"}
    sched = _schedule_export(plan)
    sched.to_csv(files["csv"], index=False, encoding="utf-8")
    _write_xlsx(files["xlsx"], plan, sched)
    files["ics"].write_bytes(plan_ics(plan))
    files["statements"].write_text(statements_markdown(plan), encoding="utf-8")
    files["survey"].write_text(survey_template("fi") + "\n---\n\n" + survey_template("en"), encoding="utf-8")
    return files


def _schedule_export(plan: CommunicationPlan) -> pd.DataFrame:
    s = plan.schedule
    return pd.DataFrame({
        "date": s["date"], "time": s["start"].dt.strftime("%H:%M"), "member": s["member"],
        "account_id": s[_BY], "name": s["name"], "tier": s["tier"], "channel": s["channel"],
        "minutes": s["minutes"], "contact_no": s["touch"] + 1, "rank": s["rank"], "action": s["action"],
        "uid": s["uid"],
    })


def _write_xlsx(path: Path, plan: CommunicationPlan, sched: pd.DataFrame) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    sheets: list[tuple[str, pd.DataFrame]] = [
        ("Tiers", plan.tiers.drop(columns=["label_fi"]).round({"net_value": 0, "revenue": 0})),
        ("Actions", plan.actions),
    ]
    used: set[str] = set()
    for member, g in sched.groupby("member", sort=True):
        title = f"Schedule {member}"[:31]
        while title in used:
            title = title[:29] + f"{len(used):02d}"
        used.add(title)
        sheets.append((title, g.drop(columns=["member"])))
    sheets.append(("Response statements", plan.statements()))
    sheets.append(("Capacity", plan.load.round(2)))
    for title, df in sheets:
        ws = wb.create_sheet(title)
        ws.append(list(df.columns))
        for row in df.itertuples(index=False):
            ws.append([None if (isinstance(v, float) and np.isnan(v)) or v is pd.NaT else
                       (v.item() if isinstance(v, np.generic) else v) for v in row])
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(vertical="top")
        ws.freeze_panes = "A2"
        for i, col in enumerate(df.columns, 1):
            letter = get_column_letter(i)
            values = df[col]
            if len(values) and isinstance(values.dropna().iloc[0] if values.notna().any() else None, dt.date):
                for c in ws[letter][1:]:
                    c.number_format = "yyyy-mm-dd"
            width = max([len(str(col))] + [len(str(v)) for v in values.head(200)])
            ws.column_dimensions[letter].width = min(60, max(8, width + 2))
    wb.save(path)


def plan_ics(plan: CommunicationPlan) -> bytes:
    """The schedule as iCalendar: one VEVENT per contact, in the client's zone, with VTIMEZONE."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//workbench//communication plan//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Communication plan")
    zone = zoneinfo.ZoneInfo(plan.calendar.timezone)
    # DTSTAMP is required; the plan's start keeps the file identical on every rerun.
    stamp = dt.datetime.combine(plan.start, dt.time(0), tzinfo=dt.timezone.utc)
    for r in plan.schedule.itertuples(index=False):
        begin = r.start.to_pydatetime().replace(tzinfo=None).replace(tzinfo=zone)
        ev = Event()
        ev.add("uid", r.uid)
        ev.add("dtstamp", stamp)
        ev.add("dtstart", begin)
        ev.add("dtend", begin + dt.timedelta(minutes=float(r.minutes)))
        ev.add("summary", f"{r.channel}: {r.name} ({r.tier})")
        ev.add("description", f"{r.action}\nAssigned to {r.member}. Contact {r.touch + 1}, priority {r.rank}.")
        ev.add("categories", [r.tier])
        cal.add_component(ev)
    cal.add_missing_timezones()
    return cal.to_ical()
