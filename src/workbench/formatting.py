"""Figures for people, in the report's locale (Babel): ``1 234,5 €``, ``12 %``, ``2.11.2026``.

Every figure a reader sees goes through here, so a Finnish report groups digits by
no-break spaces and writes a decimal comma, and an English one does what its readers
expect. A no-break space keeps a figure from wrapping across lines in a table or a
sentence. Missing values read as a dash, never ``NaN``.

:func:`value` formats by *kind* (the vocabulary of :mod:`workbench.tables`).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from typing import Any

import pandas as pd
from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import NumberPattern, format_currency, format_decimal, format_percent, parse_pattern

from .i18n import _, currency, locale

NBSP = "\u00a0"
MINUS = "\u2212"
#: What a missing value reads as.
MISSING = "–"


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NaT or (
        not isinstance(x, str) and pd.api.types.is_scalar(x) and pd.isna(x))


# Parsed once: Babel parses the locale and the pattern on every call otherwise, which was
# most of the cost of formatting 100 000 accounts' figures.
@functools.cache
def _locale(name: str) -> Locale:
    return Locale.parse(name)


@functools.cache
def _pattern(code: str) -> NumberPattern:
    return parse_pattern(code)


def _typeset(s: str) -> str:
    # A real minus sign, and no-break spaces inside a figure whatever the locale writes.
    return s.replace("-", MINUS).replace(" ", NBSP).replace("\u202f", NBSP)


def number(x: float, digits: int = 0, unit: str = "") -> str:
    """``1234567.8`` → ``'1 234 568'`` in Finnish (no-break spaces); ``unit`` follows a space.

    Examples
    --------
    >>> from workbench.i18n import override
    >>> with override("fi"):
    ...     number(-1240.4).replace(NBSP, " "), number(0.5, 1, "h").replace(NBSP, " ")
    ('−1 240', '0,5 h')
    >>> number(1240.44, 1)
    '1,240.4'
    """
    if _missing(x):
        return MISSING
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    s = _typeset(format_decimal(round(float(x), digits) + 0.0, format=_pattern(pattern), locale=_locale(locale())))
    return f"{s}{NBSP}{unit}" if unit else s


def money(x: float, digits: int = 0) -> str:
    """``-1240`` → ``'−1 240 €'`` in Finnish, ``'−€1,240'`` in English (the client's currency).

    Examples
    --------
    >>> from workbench.i18n import override
    >>> with override("fi"):
    ...     money(-1240).replace(NBSP, " "), money(3.5, 2).replace(NBSP, " ")
    ('−1 240 €', '3,50 €')
    >>> money(-1240)
    '−€1,240'
    """
    if _missing(x):
        return MISSING
    where = _locale(locale())
    pattern = where.currency_formats["standard"].pattern
    if not digits:
        pattern = pattern.replace(".00", "")
    return _typeset(format_currency(round(float(x), digits) + 0.0, currency(), format=_pattern(pattern),
                                    locale=where, currency_digits=False))


def percent(share: float, digits: int = 0) -> str:
    """A share (``0.123``) as a percentage: ``'12 %'`` in Finnish, ``'12%'`` in English.

    Examples
    --------
    >>> from workbench.i18n import override
    >>> with override("fi"):
    ...     percent(0.123).replace(NBSP, " "), percent(0.1234, 1).replace(NBSP, " ")
    ('12 %', '12,3 %')
    """
    if _missing(share):
        return MISSING
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    if locale().startswith("fi"):
        pattern = pattern.replace("%", "\u00a0%")
    return _typeset(format_percent(float(share), format=_pattern(pattern), locale=_locale(locale())))


def hours(x: float, digits: int = 0) -> str:
    """Hours with their unit: ``'12,5 h'``.

    Examples
    --------
    >>> hours(12.46, 1)
    '12.5\\xa0h'
    """
    return number(x, digits, "h") if not _missing(x) else MISSING


def date(d: Any) -> str:
    """A date as the locale writes it: ``'2.11.2026'`` in Finnish, ``'02/11/2026'`` in English.

    Examples
    --------
    >>> import datetime as dt
    >>> from workbench.i18n import override
    >>> with override("fi"):
    ...     date(dt.date(2026, 11, 2))
    '2.11.2026'
    """
    if _missing(d):
        return MISSING
    d = pd.Timestamp(d).date() if not isinstance(d, dt.date) or isinstance(d, dt.datetime) else d
    return format_date(d, "short", locale=locale())


def moment(t: Any) -> str:
    """A wall-clock time with its weekday, as the locale writes them: ``'Mon 02/11/2026 14:05'``,
    in Finnish ``'ma 2.11.2026 14.05'``.

    Examples
    --------
    >>> from workbench.i18n import override
    >>> with override("fi"):
    ...     moment(dt.datetime(2026, 11, 2, 14, 5))
    'ma 2.11.2026 14.05'
    """
    if _missing(t):
        return MISSING
    t = pd.Timestamp(t).to_pydatetime()
    return f"{format_date(t, 'EEE', locale=locale())} {date(t)} {format_time(t, 'short', locale=locale())}"


def yes_no(x: Any) -> str:
    """``True`` → ``'yes'`` (``'kyllä'``), ``False`` → ``'no'`` (``'ei'``)."""
    if _missing(x):
        return MISSING
    return _("yes") if bool(x) else _("no")


#: How a value of each kind is written (see :mod:`workbench.tables`).
KINDS = {
    "text": lambda x: MISSING if _missing(x) else str(x),
    "figure": lambda x: MISSING if _missing(x) else str(x),  # a figure already written, e.g. "16,1 h"
    # A word from the client's data the catalogue may know (a team role: owner, assistant).
    "term": lambda x: MISSING if _missing(x) else _(str(x)),
    "count": lambda x: number(x),
    "number": lambda x: number(x, 1),
    "money": lambda x: money(x),
    "money2": lambda x: money(x, 2),
    "hours": lambda x: hours(x, 1),
    "share": lambda x: percent(x),
    "share1": lambda x: percent(x, 1),
    "score": lambda x: number(x),
    "ratio": lambda x: number(x, 2),
    "date": date,
    "yesno": yes_no,
}


def value(x: Any, kind: str) -> str:
    """``x`` written as a value of ``kind`` (one of :data:`KINDS`).

    Examples
    --------
    >>> value(float("nan"), "money"), value(True, "yesno"), value(0.25, "share")
    ('–', 'yes', '25%')
    """
    return KINDS[kind](x)


def plural(n: int, one: str, many: str | None = None) -> str:
    """``n`` and an English word in the right number: ``'3 chasers'``.

    Only for text that is not translated (errors and log lines for the consultant);
    report text uses :func:`workbench.i18n.ngettext`.

    Examples
    --------
    >>> plural(1, "chaser"), plural(3, "chaser"), plural(2, "address", "addresses")
    ('1 chaser', '3 chasers', '2 addresses')
    """
    return f"{number(n)} {one if n == 1 else (many or one + 's')}"
