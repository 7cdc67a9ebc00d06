"""Figures for people: digits grouped by no-break spaces, a real minus sign.

Finnish and most European readers group thousands by spaces; a no-break space keeps a
figure from wrapping across lines in a table or a sentence.
"""

from __future__ import annotations

NBSP = "\u00a0"
MINUS = "\u2212"


def number(x: float, digits: int = 0, unit: str = "") -> str:
    """``1234567.8`` → ``'1 234 568'`` (no-break spaces); ``unit`` follows a space.

    Examples
    --------
    >>> number(-1240.4).replace(NBSP, " ")
    '−1 240'
    >>> number(0.5, 1, "h").replace(NBSP, " ")
    '0.5 h'
    """
    s = f"{abs(x):,.{digits}f}".replace(",", NBSP)
    sign = MINUS if round(x, digits) < 0 else ""
    return f"{sign}{s}{NBSP}{unit}" if unit else f"{sign}{s}"


def money(x: float, currency: str = "€", digits: int = 0) -> str:
    """``-1240`` → ``'−1 240 €'``.

    Examples
    --------
    >>> money(-1240).replace(NBSP, " ")
    '−1 240 €'
    """
    return number(x, digits, currency)


def plural(n: int, one: str, many: str | None = None) -> str:
    """``n`` and the word in the right number: ``'1 chaser'``, ``'3 chasers'``, digits
    grouped as :func:`number` groups them.

    Examples
    --------
    >>> plural(1, "chaser"), plural(3, "chaser"), plural(2, "address", "addresses")
    ('1 chaser', '3 chasers', '2 addresses')
    >>> plural(38733, "interaction").replace(NBSP, " ")
    '38 733 interactions'
    """
    return f"{number(n)} {one if n == 1 else (many or one + 's')}"
