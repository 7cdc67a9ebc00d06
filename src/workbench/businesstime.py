"""The client's working calendar: business hours, weekdays and public holidays.

Holidays come from the maintained ``holidays`` package (Finnish by default), so Midsummer
Eve and Epiphany are right without anyone keeping a list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import holidays
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
    def _calendar(self) -> holidays.HolidayBase:
        return holidays.country_holidays(self.country, subdiv=self.subdivision)

    def holiday_names(self, first: dt.date, last: dt.date) -> dict[dt.date, str]:
        """Public holidays from ``first`` to ``last`` inclusive, with their names."""
        years = range(first.year, last.year + 1)
        cal = holidays.country_holidays(self.country, subdiv=self.subdivision, years=years)
        return {d: n for d, n in sorted(cal.items()) if first <= d <= last}

    def holiday_keys(self, first: dt.date, last: dt.date) -> list[int]:
        """Holidays as ``yyyymmdd`` integers: a day key every dataframe engine can compare."""
        return [d.year * 10000 + d.month * 100 + d.day for d in self.holiday_names(first, last)]

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
