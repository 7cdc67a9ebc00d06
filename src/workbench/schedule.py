"""The schedule: planned contacts placed week by week within each member's reserved hours.

Each member reserves ``plan.proactive_share`` of their practical hours (paid hours ×
practical capacity) for planned contact; the rest stays for production work and for
answering inbound, which the log shows already takes its share. A params share rather
than "practical hours minus the logged contact" because the log records contact, not
production work: the remainder would look free when it is not.

Weeks are numbered from 0 in the data (``week``) and shown from 1 to people
(:func:`week_number`), in the figures and the exports alike.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from .businesstime import BusinessCalendar
from .params import Params

_BY = "account_id"


def week_number(week: int | pd.Series) -> int | pd.Series:
    """The plan week as people count it: the first week is week 1 (the data counts from 0).

    Examples
    --------
    >>> week_number(0)
    1
    """
    return week + 1


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
    if "email" in team:  # the member's own address, for the calendars (when the team table has one)
        out["email"] = team["email"].astype("object").to_numpy()
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

