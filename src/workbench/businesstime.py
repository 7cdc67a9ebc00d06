"""The client's working calendar: business hours, weekdays and public holidays.

Holidays come from the maintained ``holidays`` package (Finnish by default), so Midsummer
Eve and Epiphany are right without anyone keeping a list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import holidays
import numpy as np
import pandas as pd

from .params import Params


@dataclass(frozen=True)
class BusinessCalendar:
    """Business hours in a time zone, with a country's public holidays.

    Examples
    --------
    >>> cal = BusinessCalendar("Europe/Helsinki", dt.time(8), dt.time(16), (1, 2, 3, 4, 5), "FI")
    >>> cal.holiday_names(dt.date(2025, 12, 24), dt.date(2025, 12, 26))
    {datetime.date(2025, 12, 24): 'Christmas Eve', datetime.date(2025, 12, 25): 'Christmas Day', datetime.date(2025, 12, 26): 'Second Day of Christmas'}
    """

    timezone: str
    start: dt.time
    end: dt.time
    weekdays: tuple[int, ...]  # ISO numbers, Monday = 1
    country: str
    subdivision: str | None = None

    @classmethod
    def from_params(cls, params: Params) -> BusinessCalendar:
        bh = params.business_hours
        return cls(
            params.client.timezone, bh.start, bh.end, bh.weekday_numbers,
            params.client.country, params.client.subdivision,
        )

    @cached_property
    def public_holidays(self) -> holidays.HolidayBase:
        """The country's public holidays; years are filled in as dates are looked up."""
        return holidays.country_holidays(self.country, subdiv=self.subdivision)

    def holiday_names(self, first: dt.date, last: dt.date) -> dict[dt.date, str]:
        """Public holidays from ``first`` to ``last`` inclusive, with their names."""
        years = range(first.year, last.year + 1)
        cal = holidays.country_holidays(self.country, subdiv=self.subdivision, years=years)
        return {d: n for d, n in sorted(cal.items()) if first <= d <= last}

    def holiday_days(self, first: dt.date, last: dt.date) -> list[int]:
        """Holidays as days since 1970-01-01: a day key every dataframe engine can compare."""
        epoch = dt.date(1970, 1, 1)
        return [(d - epoch).days for d in self.holiday_names(first, last)]

    @property
    def start_minute(self) -> int:
        return self.start.hour * 60 + self.start.minute

    @property
    def end_minute(self) -> int:
        return self.end.hour * 60 + self.end.minute

    def is_business_time(self, ts: pd.Series) -> pd.Series:
        """Whether each instant falls within business hours on a working day (pandas)."""
        local = ts.dt.tz_convert(self.timezone)
        minute = local.dt.hour * 60 + local.dt.minute
        day = local.dt.date
        hol = set(self.holiday_names(min(day), max(day))) if len(ts) else set()
        return (
            local.dt.isocalendar().day.isin(self.weekdays).to_numpy()
            & ~day.isin(hol).to_numpy()
            & (minute >= self.start_minute).to_numpy()
            & (minute < self.end_minute).to_numpy()
        )


def business_hours_between(start: pd.Series, end: pd.Series, calendar: BusinessCalendar) -> pd.Series:
    """Business hours from each ``start`` to its ``end`` instant (vectorised).

    Counted on the local wall clock of ``calendar``: working days only (weekdays, not
    public holidays), only between opening and closing. An instant outside hours counts
    from the next opening. Each instant is turned into "business minutes since the first
    day" with one cumulative sum over days, so 40 000 pairs cost one pass, not a loop.
    Daylight-saving changes happen at night, outside any sane business hours, so a wall
    clock minute within hours is a real minute. Missing ends give missing durations;
    an end before its start gives a negative duration.

    Parameters
    ----------
    start, end : pandas.Series
        Zone-aware instants (any zone), aligned.
    calendar : BusinessCalendar
        Hours, weekdays, holidays and zone.

    Returns
    -------
    pandas.Series
        Float hours, with ``start``'s index.

    Examples
    --------
    >>> cal = BusinessCalendar("Europe/Helsinki", dt.time(8), dt.time(16), (1, 2, 3, 4, 5), "FI")
    >>> fri = pd.Series([pd.Timestamp("2025-06-13 15:00", tz="Europe/Helsinki")])
    >>> mon = pd.Series([pd.Timestamp("2025-06-16 09:00", tz="Europe/Helsinki")])
    >>> business_hours_between(fri, mon, cal).tolist()  # 1 h on Friday, 1 h on Monday
    [2.0]
    """
    # One zone for both sides: concatenating two zones would give an object column.
    start = pd.to_datetime(pd.Series(start), utc=True)
    end = pd.to_datetime(pd.Series(end, index=start.index), utc=True)
    both = pd.concat([start, end], ignore_index=True)
    known = both.dropna()
    if known.empty:
        return pd.Series(float("nan"), index=start.index)
    local = known.dt.tz_convert(calendar.timezone)
    first = local.min().date()
    last = local.max().date()
    minutes = _business_minutes(local, first, last, calendar)
    at = pd.Series(float("nan"), index=both.index)
    at[known.index] = minutes
    n = len(start)
    return pd.Series((at.iloc[n:].to_numpy() - at.iloc[:n].to_numpy()) / 60, index=start.index)


def _business_minutes(local: pd.Series, first: dt.date, last: dt.date, cal: BusinessCalendar) -> np.ndarray:
    """Business minutes from the start of ``first`` to each local instant."""
    days = pd.date_range(first, last, freq="D")
    hol = set(cal.holiday_names(first, last))
    working = days.isocalendar().day.isin(cal.weekdays).to_numpy() & ~np.isin(days.date, list(hol))
    length = cal.end_minute - cal.start_minute
    before = np.concatenate([[0.0], np.cumsum(working * float(length))[:-1]])
    idx = (local.dt.tz_localize(None).dt.normalize() - pd.Timestamp(first)).dt.days.to_numpy()
    minute = (local.dt.hour * 60 + local.dt.minute + local.dt.second / 60 + local.dt.microsecond / 6e7).to_numpy()
    within = np.clip(minute - cal.start_minute, 0, length) * working[idx]
    return before[idx] + within


def add_business_hours(ts: pd.Timestamp, hours: float, calendar: BusinessCalendar) -> pd.Timestamp:
    """The instant ``hours`` business hours after ``ts``: a due date for a promise.

    Starting outside hours counts from the next opening; a due time that falls exactly
    at closing stays at closing (answered "today", not at tomorrow's opening).

    Examples
    --------
    >>> cal = BusinessCalendar("Europe/Helsinki", dt.time(8), dt.time(16), (1, 2, 3, 4, 5), "FI")
    >>> str(add_business_hours(pd.Timestamp("2025-06-19 15:00", tz="Europe/Helsinki"), 2, cal))
    '2025-06-23 09:00:00+03:00'
    """
    if hours < 0:
        raise ValueError("hours must be zero or more")
    local = ts.tz_convert(calendar.timezone)
    left = hours * 60.0
    day = local.date()
    minute = local.hour * 60 + local.minute + local.second / 60
    # The holidays object expands to new years as they are asked for, however far ahead.
    hol = calendar.public_holidays
    while True:
        if day.isoweekday() in calendar.weekdays and day not in hol:
            begin = max(minute, calendar.start_minute)
            room = max(0.0, calendar.end_minute - begin)
            if left <= room:
                wall = pd.Timestamp(day) + pd.Timedelta(minutes=begin + left)
                return wall.tz_localize(calendar.timezone)
            left -= room
        day += dt.timedelta(days=1)
        minute = 0.0
        if day.year > local.year + 5:  # a calendar without working days would loop forever
            raise ValueError("no working days in the calendar")
