"""The report's language: one message catalogue, read with Babel.

The source text is English; ``locale/fi.po`` holds its Finnish. Code marks what a reader
sees with :func:`_` (or :func:`ngettext` for a word that follows a count) and fills the
figures in afterwards, so a translator sees whole sentences::

    _("The owner answered {hours} of inbound.").format(hours=formatting.hours(h))

Text defined at import time (column labels, part names) is marked with :func:`N_` and
translated where it is shown. A notebook's prose is translated cell by cell
(:func:`translate_notebook`), as Sphinx translates a document paragraph by paragraph.

The language is the report's (``report.language``), set once per run by
:func:`activate`; :func:`override` sets it for a block (tests, the other language of a
published statement).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LANGUAGES = ("fi", "en")
#: The locale each report language formats numbers, money and dates in: English reports
#: are for euro-area clients, so Irish English (day first, € before the figure).
LOCALES = {"fi": "fi_FI", "en": "en_IE"}
CATALOGUE = Path(__file__).parent / "locale"

_current: contextvars.ContextVar[str] = contextvars.ContextVar("workbench_language", default="en")
_currency: contextvars.ContextVar[str] = contextvars.ContextVar("workbench_currency", default="EUR")


def activate(language: str, currency: str | None = None) -> None:
    """Make ``language`` the language of everything shown from now on (and ``currency``,
    an ISO 4217 code such as ``EUR``, the currency of money shown).

    Examples
    --------
    >>> activate("fi"); _("Accounts"); activate("en")
    'Asiakkaat'
    """
    if language not in LANGUAGES:
        raise ValueError(f"unknown report language {language!r}; the languages are {', '.join(LANGUAGES)}")
    _current.set(language)
    if currency:
        _currency.set(currency)


@contextlib.contextmanager
def override(language: str, currency: str | None = None) -> Iterator[None]:
    """Show text in ``language`` inside the block, then return to the previous one.

    Examples
    --------
    >>> with override("fi"):
    ...     _("Accounts")
    'Asiakkaat'
    >>> _("Accounts")
    'Accounts'
    """
    if language not in LANGUAGES:
        raise ValueError(f"unknown report language {language!r}; the languages are {', '.join(LANGUAGES)}")
    token = _current.set(language)
    money = _currency.set(currency or _currency.get())
    try:
        yield
    finally:
        _current.reset(token)
        _currency.reset(money)


def language() -> str:
    """The language text is shown in now: ``'fi'`` or ``'en'``."""
    return _current.get()


def other_language() -> str:
    """The report language that is not the current one (a published text shows both)."""
    return LANGUAGES[1 - LANGUAGES.index(_current.get())]


def currency() -> str:
    """The ISO 4217 code of the money shown (the client's ``client.currency``)."""
    return _currency.get()


def locale() -> str:
    """The Babel locale of :func:`language` (``'fi_FI'``, ``'en_IE'``)."""
    return LOCALES[_current.get()]


@functools.cache
def translations(lang: str) -> NullTranslations:
    """The catalogue of ``lang``, compiled in memory from its ``.po`` file."""
    po = CATALOGUE / f"{lang}.po"
    if not po.is_file():
        return NullTranslations()
    with po.open("rb") as f:
        catalog = read_po(f, locale=LOCALES[lang])
    mo = io.BytesIO()
    write_mo(mo, catalog)
    mo.seek(0)
    return Translations(mo)


def _(message: str) -> str:
    """``message`` in the current language (the English source when no translation exists).

    Examples
    --------
    >>> with override("fi"):
    ...     _("Accounts"), _("")
    ('Asiakkaat', '')
    """
    # gettext answers "" with the catalogue's header: an empty cell must stay empty.
    return translations(_current.get()).gettext(message) if message else message


def pgettext(context: str, message: str) -> str:
    """``message`` translated in its ``context`` (``msgctxt``): for a short word that means
    one thing as a segment's name and another elsewhere (``pgettext("segment", "average")``)."""
    return translations(_current.get()).pgettext(context, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a text for a count ``n``: ``ngettext("{n} account", "{n} accounts", n)``.

    Examples
    --------
    >>> ngettext("{n} account", "{n} accounts", 2).format(n=2)
    '2 accounts'
    """
    return translations(_current.get()).ngettext(singular, plural, n)


def N_(message: str) -> str:  # noqa: N802 - gettext's conventional name
    """Mark ``message`` for the catalogue without translating it yet (text defined at import)."""
    return message


def translate_notebook(nb: Any, lang: str) -> Any:
    """Translate a notebook's prose in place: each markdown cell is one catalogue message.

    Code cells are left alone: what they show is translated where it is made.
    """
    table = translations(lang)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = table.gettext(cell.source.strip())
    return nb
