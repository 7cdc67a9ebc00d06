"""Tables for people: headers in words, every value written by its kind.

A report table is a pandas frame with its columns named for code (``net_value``,
``within_promise_share``). :func:`present` shows it with translated headers and each
value formatted by kind (money, hours, shares, dates, yes/no), a dash for a missing
value, and only the top rows of a long table with a line that says where the rest is.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Mapping

import pandas as pd
from pandas.io.formats.style import Styler

from .formatting import KINDS, number, value
from .i18n import _, ngettext, other_language

#: A column shown: (header, kind); the header is an English catalogue message.
Column = tuple[str, str]
#: Kinds that are words, aligned left; every other kind is a figure, aligned right.
WORDS = ("text", "date", "yesno", "other_language")
#: Text in the report's other language (a published statement's translation): marked
#: with its ``lang``, so screen readers, spell checkers and translators treat it as such.
OTHER_LANGUAGE = "other_language"


def present(
    frame: pd.DataFrame,
    columns: Mapping[str, Column],
    *,
    top: int | None = None,
    rest: str | None = None,
) -> Styler:
    """Show ``frame``'s ``columns`` (in that order) as a table for people.

    Parameters
    ----------
    frame
        The table; its index is not shown (make a column of what it holds).
    columns
        Column name → (header message, kind); kinds are those of
        :data:`workbench.formatting.KINDS`, or ``"other_language"`` for text in the
        report's other language.
    top
        Show only the first ``top`` rows, with a caption saying how many there are.
    rest
        Where the full list is (e.g. ``"accounts.csv"``), named in that caption.

    Examples
    --------
    >>> df = pd.DataFrame({"net_value": [1234.5, None], "share": [0.5, 0.25]})
    >>> t = present(df, {"net_value": ("Net value", "money"), "share": ("Share", "share")})
    >>> t.data.columns.tolist(), t.data.iloc[1].tolist()
    (['Net value', 'Share'], ['–', '25%'])
    """
    unknown = [kind for _label, kind in columns.values() if kind not in KINDS and kind != OTHER_LANGUAGE]
    if unknown:
        raise ValueError(f"unknown kind(s) {unknown}; the kinds are {', '.join(KINDS)}")
    shown = frame if top is None else frame.head(top)
    out = pd.DataFrame({
        _(label): [_in_other_language(x) if kind == OTHER_LANGUAGE else value(x, kind) for x in shown[col]]
        for col, (label, kind) in columns.items()
    })
    # Figures align right, words left; the id is made from the content so that a rerun
    # writes the same page and two tables on one page do not share one.
    uuid = hashlib.sha1(out.to_json().encode()).hexdigest()[:8]
    # (set both ways: Jupyter's stylesheet right-aligns every cell, words included).
    styles = [{"selector": "th", "props": [("text-align", "left")]}] + [
        {"selector": f"td.col{i}", "props": [("text-align", "left"), ("white-space", "normal")] if kind in WORDS
         # A figure never breaks after its minus sign or between its digit groups.
         else [("text-align", "right"), ("white-space", "nowrap")]}
        for i, (_label, kind) in enumerate(columns.values())
    ]
    styler = Styler(out, uuid=uuid, cell_ids=False).hide(axis="index").set_table_styles(styles)
    if top is not None and len(frame) > top:
        caption = ngettext("The first {shown} of {n} row", "The first {shown} of {n} rows", len(frame)).format(
            shown=number(top), n=number(len(frame)))
        if rest:
            caption += " " + _("(all of them in {file})").format(file=rest)
        styler = styler.set_caption(caption)
    return styler


def _in_other_language(x: object) -> str:
    text = value(x, "text")
    return f'<span lang="{other_language()}">{html.escape(text)}</span>'
