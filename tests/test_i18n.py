"""The catalogue is complete and consistent, and figures are written in the report's locale.

The Finnish report is only as Finnish as ``locale/fi.po``: every message the code marks
and every paragraph of a report notebook must have its Finnish, with the same
placeholders (a missing one would raise when the figure is filled in).
"""

from __future__ import annotations

import doctest
import io
import re

import nbformat
import pandas as pd
import pytest
from babel.messages.extract import extract_from_dir, extract_python
from babel.messages.pofile import read_po

from workbench import Params, formatting, i18n, tables
from workbench.formatting import NBSP
from workbench.i18n import override
from workbench.paths import notebooks_dir

PO = i18n.CATALOGUE / "fi.po"
FIELD = re.compile(r"\{(\w*)[^{}]*\}")
#: How code marks a message (see workbench.i18n).
KEYWORDS = {"_": None, "ngettext": (1, 2), "N_": None}


@pytest.fixture(scope="module")
def catalog():
    with PO.open("rb") as f:
        return read_po(f, locale="fi_FI")


def _code_messages() -> list[tuple[str, int, str | tuple[str, ...]]]:
    """Every literal message marked in the package and in the notebooks' code cells."""
    found = [(f"src/workbench/{fn}", line, msg) for fn, line, msg, *_rest in
             extract_from_dir(i18n.CATALOGUE.parent, method_map=[("**.py", "python")], keywords=KEYWORDS)]
    for nb in sorted(notebooks_dir().glob("*.ipynb")):
        for i, cell in enumerate(nbformat.read(nb, as_version=4).cells):
            if cell.cell_type == "code":
                source = io.BytesIO(cell.source.encode("utf-8"))
                found += [(f"{nb.name} cell {i}", line, msg)
                          for line, _f, msg, _c in extract_python(source, KEYWORDS, [], {})
                          if msg and (isinstance(msg, str) or all(msg))]  # _(label): not a literal
    return found


def _markdown_messages() -> list[tuple[str, str]]:
    """Each report notebook's markdown cells: a run translates each one whole."""
    return [(f"{nb.name} cell {i}", cell.source.strip())
            for nb in sorted(notebooks_dir().glob("[0-9][0-9]_*.ipynb"))
            for i, cell in enumerate(nbformat.read(nb, as_version=4).cells)
            if cell.cell_type == "markdown" and cell.source.strip()]


def test_catalogue_has_no_duplicate_message() -> None:
    ids = re.findall(r'^msgid ("(?:[^"\\]|\\.)*"\n(?:"(?:[^"\\]|\\.)*"\n)*)', PO.read_text(encoding="utf-8"), re.M)
    seen: dict[str, int] = {}
    for raw in ids:
        seen[raw] = seen.get(raw, 0) + 1
    assert not [k for k, n in seen.items() if n > 1]


def test_every_marked_message_has_its_finnish(catalog) -> None:
    missing = []
    for where, line, msg in _code_messages():
        key = msg[0] if isinstance(msg, tuple) else msg
        entry = catalog.get(key)
        strings = entry.string if entry else None
        if not entry or not (all(strings) if isinstance(strings, tuple) else strings):
            missing.append(f"{where}:{line}: {key!r}")
    assert not missing, "no Finnish in locale/fi.po for:\n" + "\n".join(missing)


def test_every_paragraph_of_the_reports_has_its_finnish(catalog) -> None:
    missing = [f"{where}: {text[:70]!r}" for where, text in _markdown_messages()
               if not (catalog.get(text) and catalog.get(text).string)]
    assert not missing, "no Finnish in locale/fi.po for:\n" + "\n".join(missing)


def test_the_reports_prose_names_no_parameter() -> None:
    """The client reads the prose: it says what a setting does, not its name in the params file."""
    sections = "|".join(Params.model_fields)
    file = re.compile(r"\.(md|csv|xlsx|ics|html|json|ipynb)`?$")  # a file the team opens is fine
    named = [f"{where}: {m.group(0)}" for where, text in _markdown_messages()
             for m in re.finditer(rf"`[^`]*`|\b(?:{sections})\.[a-z_]+\b", text) if not file.search(m.group(0))]
    assert not named, "\n".join(named)


def test_translations_keep_their_placeholders(catalog) -> None:
    wrong = []
    for m in catalog:
        if not m.id or not m.string:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        # The singular form may say "this account" where the plural says "{n} accounts".
        for i, s in enumerate(strings):
            if s and set(FIELD.findall(s)) != set(FIELD.findall(ids[min(i, len(ids) - 1)])):
                wrong.append(f"{ids[0]!r}: {s!r}")
    assert not wrong, "\n".join(wrong)


def test_a_notebook_paragraph_is_translated_whole() -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("  Accounts \n"),
                                         nbformat.v4.new_code_cell("x = 1")])
    out = i18n.translate_notebook(nb, "fi")
    assert [c.source for c in out.cells] == ["Asiakkaat", "x = 1"]


def test_override_restores_the_language_and_rejects_an_unknown_one() -> None:
    with override("fi", "SEK"):
        assert (i18n.language(), i18n.currency()) == ("fi", "SEK")
        assert formatting.money(1234.5, 2).replace(NBSP, " ") == "1 234,50 SEK"
    assert (i18n.language(), i18n.currency()) == ("en", "EUR")
    with pytest.raises(ValueError, match="unknown report language 'sv'"):
        i18n.activate("sv")


@pytest.mark.parametrize("lang, expected", [
    ("fi", ["1 234 568", "−1 234,50 €", "12 %", "2.11.2026", "3,5 h", "kyllä", "–"]),
    ("en", ["1,234,568", "−€1,234.50", "12%", "02/11/2026", "3.5 h", "yes", "–"]),
])
def test_figures_are_written_in_the_report_locale(lang: str, expected: list[str]) -> None:
    import datetime as dt

    with override(lang):
        got = [formatting.number(1234567.8), formatting.money(-1234.5, 2), formatting.percent(0.123),
               formatting.date(dt.date(2026, 11, 2)), formatting.hours(3.5, 1), formatting.yes_no(True),
               formatting.money(float("nan"))]
    assert [g.replace(NBSP, " ") for g in got] == expected


def test_a_table_for_people_has_no_raw_cell() -> None:
    frame = pd.DataFrame({"account_id": ["A1", "A2", "A3"], "net_value": [66193.0, None, -12.5],
                          "share": [0.7143, 0.1, float("nan")], "flag": [True, False, None]})
    with override("fi"):
        t = tables.present(frame, {"account_id": ("Accounts", "text"), "net_value": ("Net value", "money"),
                                   "share": ("Share", "share"), "flag": ("Flag", "yesno")}, top=2, rest="accounts.csv")
        html = t.to_html()
    cells = t.data.to_numpy().ravel().tolist()
    assert [c.replace(NBSP, " ") for c in cells] == ["A1", "66 193 €", "71 %", "kyllä", "A2", "–", "10 %", "ei"]
    assert "Asiakkaat" in html and "2 ensimmäistä 3 rivistä (kaikki tiedostossa accounts.csv)" in html.replace(NBSP, " ")
    assert not re.search(r">\s*(nan|NaN|None|True|False|\d+\.\d+)\s*<", html)
    with pytest.raises(ValueError, match="unknown kind"):
        tables.present(frame, {"share": ("Share", "percentage")})


@pytest.mark.parametrize("module", [i18n, formatting, tables])
def test_examples_in_the_docstrings_hold(module) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted and not result.failed
