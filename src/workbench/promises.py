"""Response promises for publication: the statements for the website, the e-mail
signature and the auto-reply."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from .businesstime import BusinessCalendar
from .params import Params, PlanTier

_FI_GENITIVE = {1: "yhden", 2: "kahden", 3: "kolmen", 4: "neljän", 5: "viiden", 6: "kuuden",
                7: "seitsemän", 8: "kahdeksan", 9: "yhdeksän", 10: "kymmenen"}
_FI_DAYS = ("ma", "ti", "ke", "to", "pe", "la", "su")
_EN_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


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

