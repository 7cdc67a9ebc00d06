"""Triage: who answers each tier's inbound, so the firm's owner sees only what needs them."""

from __future__ import annotations

import pandas as pd

from .formatting import hours
from .i18n import _
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


#: The row of inbound whose handler the log does not name, or names someone outside the team table.
OTHER = "(other or not recorded)"


def triage_table(events: pd.DataFrame, acc: pd.DataFrame, cap: pd.DataFrame) -> pd.DataFrame:
    """Inbound hours per member: as handled in the log, and as the triage routes them.

    Every inbound message counts once on each side, so the totals before and after agree:
    a message whose handler the log does not name (or names someone outside the team
    table) is counted in the row :data:`OTHER` before triage; after triage it is with the
    member its account routes to. Hours are rounded to 0.1 h before ``change`` is taken,
    so the table's rows add up as printed.
    """
    inbound = events[events["direction"] == "in"]
    members = list(cap["member"])
    handler = inbound["handled_by"].where(inbound["handled_by"].isin(members), OTHER)
    routed = inbound[_BY].map(acc.set_index(_BY)["answers_inbound"]).fillna(handler)
    hours = inbound["effort_minutes"].fillna(0.0) / 60
    now = hours.groupby(handler).sum()
    after = hours.groupby(routed).sum()
    rows = members + ([OTHER] if OTHER in now.index or OTHER in after.index else [])
    t = pd.DataFrame({"member": rows})
    t["role"] = t["member"].map(cap.set_index("member")["role"]).fillna("")
    t["inbound_hours_now"] = t["member"].map(now).fillna(0.0).round(1)
    t["inbound_hours_after_triage"] = t["member"].map(after).fillna(0.0).round(1)
    t["change"] = (t["inbound_hours_after_triage"] - t["inbound_hours_now"]).round(1)
    return t


def owner_relief(table: pd.DataFrame, owners: set[str]) -> tuple[float, float, float]:
    """The firm's owner's inbound hours before and after triage, and the hours moved away.

    Read off :func:`triage_table`, so the sentence and the table say the same: moved =
    before − after (negative when the triage gives the owner more than it takes).

    Examples
    --------
    >>> t = pd.DataFrame({"member": ["o", "a"], "inbound_hours_now": [10.0, 5.0],
    ...                   "inbound_hours_after_triage": [4.0, 11.0]})
    >>> owner_relief(t, {"o"})
    (10.0, 4.0, 6.0)
    """
    mine = table[table["member"].isin(owners)]
    before = round(float(mine["inbound_hours_now"].sum()), 1)
    after = round(float(mine["inbound_hours_after_triage"].sum()), 1)
    return before, after, round(before - after, 1)


def triage_sentence(table: pd.DataFrame, owners: set[str]) -> str:
    """What the triage does for the firm's owner, in one paragraph (markdown), from the
    figures of :func:`triage_table` as printed (0.1 h), so the text and the table agree.

    Examples
    --------
    >>> t = pd.DataFrame({"member": ["o", "a"], "inbound_hours_now": [10.0, 5.0],
    ...                   "inbound_hours_after_triage": [4.0, 11.0]})
    >>> print(triage_sentence(t, {"o"}).replace("\\xa0", " "))
    The owner answered **10.0 h** of inbound in the window; after the triage the owner answers **4.0 h**: **6.0 h** move to colleagues. The team's inbound stays 15.0 h in all: the triage only changes who answers.
    """
    total = round(float(table["inbound_hours_now"].sum()), 1)
    if not owners:
        return _("No one in the team table has the owner's role (set in the params file), so the triage "
                 "cannot say what it takes off the owner. The team's inbound is {total} in all.").format(
            total=hours(total, 1))
    before, after, moved = owner_relief(table, owners)
    if moved >= 0:
        text = _("The owner answered **{before}** of inbound in the window; after the triage the owner answers "
                 "**{after}**: **{moved}** move to colleagues.")
    else:
        text = _("The owner answered **{before}** of inbound in the window; after the triage the owner answers "
                 "**{after}**: the owner's tiers bring **{moved}** more than the triage takes away.")
    text = text.format(before=hours(before, 1), after=hours(after, 1), moved=hours(abs(moved), 1))
    return text + " " + _("The team's inbound stays {total} in all: the triage only changes who answers.").format(
        total=hours(total, 1))
