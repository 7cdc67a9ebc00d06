"""Triage: who answers each tier's inbound, so the firm's owner sees only what needs them."""

from __future__ import annotations

import pandas as pd

from .params import PlanTier

_BY = "account_id"


def route_inbound(acc: pd.DataFrame, rules: dict[str, PlanTier], cap: pd.DataFrame, owners: set[str],
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


def triage_table(events: pd.DataFrame, acc: pd.DataFrame, cap: pd.DataFrame) -> pd.DataFrame:
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

