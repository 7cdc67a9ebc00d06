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

This module assembles the plan; each step lives in a module of its own: :mod:`~workbench.tiers`,
:mod:`~workbench.preferences`, :mod:`~workbench.actions`, :mod:`~workbench.triage`,
:mod:`~workbench.schedule`, :mod:`~workbench.responses`, :mod:`~workbench.promises` and
:mod:`~workbench.exports`.

Everything is a pure function of the data, the params and ``as_of``: the plan starts on
the first business day after ``as_of`` and no clock is read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from . import triage as triage_mod
from .actions import channel_label, next_action
from .businesstime import BusinessCalendar
from .energy import EnergyDrain
from .formatting import date, hours, number, percent
from .i18n import _, ngettext
from .metrics import Coverage, analysis_window, coverage
from .params import Params, PlanTier
from .portfolio import Portfolio
from .preferences import contact_preferences, services_bought
from .promises import (draft_promise, earned_promises, promise_duration, promise_verdict, public_promise, public_sentence,
                       response_statements)
from .responses import lead_summary, response_compliance, response_runs
from .schedule import plan_start, schedule_actions, team_capacity
from .tiers import INBOUND_WORDS, account_signals, assign_tiers, rule_text, tier_label, tier_table, tier_theme

_BY = "account_id"
_FI_GENITIVE = {1: "yhden", 2: "kahden", 3: "kolmen", 4: "neljän", 5: "viiden", 6: "kuuden",
                7: "seitsemän", 8: "kahdeksan", 9: "yhdeksän", 10: "kymmenen"}
_FI_DAYS = ("ma", "ti", "ke", "to", "pe", "la", "su")
_EN_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


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
    owner_hours_after: float
    owners: frozenset[str]
    runs: pd.DataFrame
    responses: pd.DataFrame
    leads: pd.DataFrame | None
    lead_headline: dict[str, Any]
    horizon_weeks: int
    params: Params
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
        text = _("Over {weeks} weeks from {start} the plan books {planned} of the {capacity} reserved for planned "
                 "contact ({use}).").format(weeks=self.horizon_weeks, start=date(self.start), planned=hours(planned),
                                             capacity=hours(cap), use=percent(planned / cap if cap else 0))
        if self.queued:
            text += " " + ngettext(
                "{n} grey-mass customer waits for the next plan: they are taken on at a sustainable number a week, "
                "one contact at a time.",
                "{n} grey-mass customers wait for the next plan: they are taken on at a sustainable number a week, "
                "one contact at a time.", self.queued).format(n=number(self.queued))
        if self.fits:
            return text + " " + _("**It fits**: no member is booked beyond their reserved hours in any week.")
        short = self.shortfall_hours
        need_share = (planned + short) / (cap / self.capacity["plan_hours_per_week"].sum()
                                          * self.capacity["practical_hours_per_week"].sum()) if cap else 0
        heavy = self.tiers.sort_values("plan_hours", ascending=False).iloc[0]
        per_person = float(self.capacity["plan_hours_per_week"].mean()) * self.horizon_weeks
        now = float(self.capacity["plan_hours_per_week"].sum() / self.capacity["practical_hours_per_week"].sum())
        return text + " " + _(
            "**It does not fit: {short} short** ({contacts} contacts, {weekly} a week). To make it fit: reserve "
            "{need} of practical hours for planned contact instead of {now}, or contact *{tier}* less often (it "
            "takes the most hours, {tier_hours}), or move customers down a tier, or add about {people} people at "
            "the same reserved share.").format(
            short=hours(short, 1), contacts=number(len(self.unscheduled)), weekly=hours(short / self.horizon_weeks, 1),
            need=percent(need_share), now=percent(now), tier=self.tier_labels()[heavy["tier"]],
            tier_hours=hours(heavy["plan_hours"]), people=number(short / per_person, 1))

    def triage_sentence(self) -> str:
        """What the triage takes off the firm's owner, with the triage table's figures (markdown)."""
        return triage_mod.triage_sentence(self.triage, self.owners)

    def tier_table(self) -> pd.DataFrame:
        """The tiers: rule, size, value, hours and how each is served (by tier name)."""
        return self.tiers.set_index("tier")

    def tier_labels(self) -> dict[str, str]:
        """Tier name → the name the report shows (``label_fi`` in Finnish)."""
        return {t.name: tier_label(t) for t in self.tier_rules}

    def tier_overview(self) -> pd.DataFrame:
        """The tiers for people, in the report's language: who belongs, how many, their net
        value, how often they hear from us and on which channels, the response promise, who
        answers their messages and what to talk about."""
        rules = {t.name: t for t in self.tier_rules}
        t = self.tiers
        return pd.DataFrame({
            "tier": t["tier"].map(self.tier_labels()),
            "rule": [rule_text(rules[n].when) for n in t["tier"]],
            "accounts": t["accounts"], "net_value": t["net_value"],
            "cadence": [_("once") if c == 0 else ngettext("every week", "every {n} weeks", c).format(n=c)
                        for c in t["cadence_weeks"]],
            "channels": [", ".join(channel_label(c) for c in rules[n].channels) for n in t["tier"]],
            "promise": [promise_duration(rules[n].response_hours, self.calendar) for n in t["tier"]],
            "inbound_by": [_(INBOUND_WORDS.get(rules[n].inbound_by, rules[n].inbound_by)) for n in t["tier"]],
            "theme": [tier_theme(rules[n]) for n in t["tier"]],
            "contacts": t["contacts"], "plan_hours": t["plan_hours"],
        })

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
                         "owner_inbound_hours_moved": round(self.owner_hours_moved, 1),
                         "owner_inbound_hours_after_triage": round(self.owner_hours_after, 1)},
            "response_compliance": {r["tier"]: {"median_business_hours": r["median_business_hours"],
                                                "p90_business_hours": r["p90_business_hours"],
                                                "promise_hours": r["promise_hours"],
                                                "within_promise_share": r["within_promise_share"], "runs": int(r["runs"])}
                                    for r in overall.to_dict("records")},
            "promises": {"kept_share_required": self.params.plan.promise_kept_share,
                         "public_promise_hours": (None if np.isnan(pub := self.public_promise_hours()) else pub),
                         "tiers": {r["tier"]: {"target_hours": r["target_hours"], "status": r["status"],
                                               "kept_share": None if np.isnan(r["kept_share"]) else round(r["kept_share"], 4),
                                               "publish_hours": None if np.isnan(r["publish_hours"]) else r["publish_hours"]}
                                   for r in self.promises().to_dict("records")}},
            "leads": self.lead_headline,
            "not_computed": list(self.missing),
        }

    def promises(self) -> pd.DataFrame:
        """Per tier: the target promise, the share kept today, and the promise to publish
        (:func:`workbench.promises.earned_promises`)."""
        return earned_promises(self.runs, self.tier_rules, self.params, self.calendar)

    def public_promise_hours(self) -> float:
        """The one promise the public statements make (NaN when none can be kept)."""
        return public_promise(self.promises())

    def promise_verdicts(self) -> str:
        """Per tier, whether its promise is kept today and what to publish (markdown list)."""
        labels = {t.name: tier_label(t) for t in self.tier_rules}
        share = self.params.plan.promise_kept_share
        return "\n".join("- " + promise_verdict(r, share, self.calendar, labels[r["tier"]])
                         for _i, r in self.promises().iterrows())

    def public_sentence(self) -> str:
        """Whether the public statements can be published today (markdown)."""
        return public_sentence(self.promises(), self.runs, self.params.plan.promise_kept_share, self.calendar)

    def statements(self) -> pd.DataFrame:
        """The public response-time statements: one per place, in the report's language with
        the other language alongside (:func:`workbench.promises.response_statements`); drafts
        (``ready`` False) for the slowest tier's target while no promise is kept."""
        promises = self.promises()
        public = public_promise(promises)
        return response_statements(draft_promise(promises), self.calendar, ready=public == public)


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
    as_of, window = analysis_window(metrics)
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
    themes = {t: tier_theme(rule) for t, rule in rules.items()}
    todo = pd.DataFrame([next_action(r, themes[r["tier"]], what, params) for r in acc.to_dict("records")],
                        columns=["action_kind", "next_action"], index=acc.index)
    acc = acc.join(todo)

    cap = team_capacity(portfolio.team, params)
    members = set(cap["member"])
    owners = set(cap.loc[cap["role"].astype(str).str.lower() == params.plan.owner_role.lower(), "member"])
    owner_col = acc["owner"] if "owner" in acc else pd.Series("", index=acc.index)
    acc["assignee"] = [o if o in members else "" for o in owner_col.fillna("")]
    acc = triage_mod.route_inbound(acc, rules, cap, owners, drain.events)

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
    leads, lead_head = lead_summary(portfolio, params, calendar, as_of, window)
    tiers = tier_table(acc, schedule, missed, rules)
    triage = triage_mod.triage_table(drain.events, acc, cap)
    owner_before, owner_after, owner_moved = triage_mod.owner_relief(triage, owners)
    return CommunicationPlan(
        start=start, calendar=calendar, tier_rules=params.plan.tiers, accounts=acc, tiers=tiers,
        actions=actions.reset_index(drop=True), schedule=schedule, load=load, capacity=cap, unscheduled=missed,
        queued=queued, triage=triage, owner_hours_moved=owner_moved,
        owner_inbound_hours=owner_before, owner_hours_after=owner_after, owners=frozenset(owners), runs=runs, responses=responses,
        leads=leads, lead_headline=lead_head, horizon_weeks=params.plan.horizon_weeks, params=params,
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

