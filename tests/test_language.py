"""The whole report in Finnish reads as Finnish, and no report shows a raw identifier or cell.

A run of every notebook on the sample with ``language="fi"`` (made once per session, see
``reportruns.py``) must show, in every report page and in ``index.html``,

- no English: no common English function word as a whole word, and no English sentence of
  the catalogue (a msgid whose Finnish differs) verbatim;
- no raw identifier: no snake_case (``net_value``, ``02_energy_drain``) and no params name
  (``plan.tiers``, ``report.language``); file names such as ``plan.xlsx`` are fine;
- no raw cell: ``NaN``/``nan``/``None``/``True``/``False``/``<NA>``, and no unformatted float
  (``0.7143``, ``66193.0``; in Finnish any decimal point outside a date or a clock time).

Only what a reader sees is read: the text outside scripts and styles, plus each plotly
figure's titles, axis titles, legend, annotations, trace names, hover templates and text
(from the figure JSON in the page's scripts). The English run must show no raw identifier
or raw cell either.

The detector is tested on small pages first, so a failure of the whole-run tests is about
the report, not the detector. The whole-run tests fail until every notebook is translated:
their message names each page and what it shows.
"""

from __future__ import annotations

import html as htmlmod
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser

import pandas as pd
import pytest
import yaml
from babel.messages.pofile import read_po

from reportruns import REPO, report_pages, sample_run

CATALOGUE = REPO / "src" / "workbench" / "locale" / "fi.po"
SAMPLE = REPO / "data" / "sample"

#: English words that Finnish text never holds as whole words. Words Finnish shares with
#: English are left out: "on" (is), "no", "me", "to" (Thursday, "to"), "per" ("€ per h"),
#: "it" (the sample's IT industry), "data" and "a".
ENGLISH_WORDS = frozenset("""
the and of with which accounts account customers customer that this these those from for are is was
were be been being has have had will would should could can than then their there they them its
into over under within without between after before each every when where while whose what who how
or not only also most more less other such same both either neither because since until about
revenue hours share median promise tier tiers candidates candidate energy committed team owner
leads inbound outbound chasers complaints weeks days months week day month value cost margin all total quadrant quadrants group groups
""".split())
#: Words of the sample's customer names that are English (accounts.csv): allowed as written.
SAMPLE_NAME_WORDS = frozenset({"Trading", "Transport", "Solutions", "Digital", "Data", "Catering", "Bistro", "IT"})

_WORD = re.compile(r"[A-Za-zÅÄÖåäöÉé]+(?:['’][a-z]+)?")
_FILE_EXT = r"(?:md|csv|xlsx|ics|html|ipynb|json|yaml|log|parquet|po)\b"
_SNAKE = re.compile(r"(?<![\w./-])[A-Za-z0-9]+(?:_[A-Za-z0-9]+)+(?![\w-])(?!\." + _FILE_EXT + ")")
#: (A word going on into a phrase is English: "True positive rate", "None of them".)
_RAW_WORD = re.compile(r"(?<![\w])(NaN|nan|None|True|False|NaT|<NA>)(?![\w])(?! [a-z])")
#: An unformatted float: four or more decimals, or a long integer part with a decimal point
#: and no grouping (Babel groups thousands in both languages).
_RAW_FLOAT = re.compile(r"(?<![\d.,])-?(?:\d+\.\d{4,}|\d{4,}\.\d+)(?![\d.])")
#: Finnish writes a decimal comma: a dot between digits is a date (2.11.2026, 2.11.) or a
#: clock time (8.00, 16.00); any other is a raw float.
_DOT_NUMBER = re.compile(r"(?<![\d.,])\d+\.\d+(?:\.\d*)?(?![\d])")
_CLOCK = re.compile(r"^(?:[01]?\d|2[0-3])\.[0-5]\d$")


def _params_sections() -> tuple[str, ...]:
    params = yaml.safe_load((REPO / "params" / "default.yaml").read_text(encoding="utf-8"))
    return tuple(sorted(params))


_PARAM_NAME = re.compile(r"(?<![\w.])(?:%s)\.(?!%s)[a-z_]*[a-z](?![\w.])"
                         % ("|".join(map(re.escape, _params_sections())), _FILE_EXT))


def catalogue_fragments(min_words: int = 4) -> dict[str, str]:
    """English runs of ``min_words`` or more words from each catalogue msgid whose Finnish differs.

    A msgid is split at its placeholders and markdown marks, so the fragments are what a
    page would show verbatim if that message was left untranslated.
    """
    with CATALOGUE.open("rb") as f:
        catalog = read_po(f, locale="fi_FI")
    out: dict[str, str] = {}
    for m in catalog:
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strs = m.string if isinstance(m.string, tuple) else (m.string,)
        if not any(strs) or set(ids) & set(strs):
            continue
        for mid in ids:
            for piece in re.split(r"\{[^}]*\}|[*_`#\[\]()|<>\n]|\s-\s|: ", mid):
                piece = " ".join(piece.split()).strip(" .,;:")
                # A run of names and years (a citation: "Kaplan & Narayanan 2001") reads the
                # same in both languages: only a run with an ordinary English word counts.
                if (len(piece.split()) >= min_words and not re.search(r"\.\w", piece)
                        and any(w.isalpha() and w.islower() for w in piece.split())):
                    out.setdefault(piece, mid)
    return out


class _Visible(HTMLParser):
    """Text a reader sees (not scripts, styles or comments), and table cells apart."""

    SKIP = {"script", "style", "template", "noscript"}

    VOID = {"br", "img", "hr", "meta", "link", "input", "col", "wbr", "source", "area", "base"}

    def __init__(self, language: str | None = None) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.cells: list[str] = []
        self._skip = 0
        self._cell: list[str] | None = None
        # Text marked as another language (a statement's translation beside it) is that
        # language's, not the page's: the open elements, and whether each is foreign.
        self._language = language
        self._open: list[tuple[str, bool]] = []

    def _foreign(self) -> bool:
        return any(foreign for _tag, foreign in self._open)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            lang = dict(attrs).get("lang")
            self._open.append((tag, bool(self._language and lang and tag != "html"
                                         and not lang.startswith(self._language))))
        if tag in self.SKIP:
            self._skip += 1
        elif tag in ("td", "th"):
            self._cell = []
        elif tag in ("br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "section", "nav"):
            self.text.append("\n")

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i][0] == tag:
                del self._open[i:]
                break
        if tag in self.SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in ("td", "th") and self._cell is not None:
            self.cells.append(" ".join("".join(self._cell).split()))
            self._cell = None
            self.text.append("\n")

    def handle_data(self, data: str) -> None:
        if self._skip or self._foreign():
            return
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def plotly_figures(page: str) -> Iterator[tuple[list, dict]]:
    """The data and layout of each ``Plotly.newPlot(id, data, layout, config)`` in a page."""
    decoder = json.JSONDecoder()
    for m in re.finditer(r"Plotly\.newPlot\(\s*", page):
        pos = m.end()
        try:
            args = []
            for __ in range(3):
                value, pos = decoder.raw_decode(page, pos)
                args.append(value)
                pos = re.compile(r"\s*,\s*").match(page, pos).end()  # type: ignore[union-attr]
        except (ValueError, AttributeError):
            continue
        __, data, layout = args
        if isinstance(data, list) and isinstance(layout, dict):
            yield data, layout


def _strings(x: object) -> Iterator[str]:
    if isinstance(x, str):
        yield x
    elif isinstance(x, list):
        for v in x:
            yield from _strings(v)


def _title(x: object) -> Iterator[str]:
    if isinstance(x, str):
        yield x
    elif isinstance(x, dict):
        yield from _strings(x.get("text"))


def figure_text(data: list, layout: dict) -> list[str]:
    """What a reader sees of a figure: titles, axes, legend, annotations, traces' names,
    hover and text labels (hover placeholders such as ``%{x}`` removed)."""
    out: list[str] = [*_title(layout.get("title"))]
    for key, value in layout.items():
        if isinstance(value, dict) and re.fullmatch(r"[xy]axis\d*|coloraxis\d*|legend\d*|polar\d*", key):
            out += _title(value.get("title"))
            out += _strings(value.get("ticktext"))
            if isinstance(value.get("colorbar"), dict):
                out += _title(value["colorbar"].get("title"))
    for a in layout.get("annotations") or []:
        if isinstance(a, dict):
            out += _strings(a.get("text"))
    for menu in layout.get("updatemenus") or []:
        for b in (menu or {}).get("buttons") or []:
            out += _strings(b.get("label"))
    for trace in data:
        if not isinstance(trace, dict):
            continue
        for key in ("name", "hovertemplate", "text", "texttemplate", "hovertext", "legendgrouptitle"):
            out += _title(trace.get(key)) if key == "legendgrouptitle" else _strings(trace.get(key))
        if isinstance(trace.get("marker"), dict) and isinstance(trace["marker"].get("colorbar"), dict):
            out += _title(trace["marker"]["colorbar"].get("title"))
        header = trace.get("header")
        if isinstance(header, dict):
            out += _strings(header.get("values"))
    cleaned = []
    for s in out:
        s = re.sub(r"<extra>.*?</extra>", "", s, flags=re.DOTALL)
        s = re.sub(r"%\{[^}]*\}", " ", s)
        s = re.sub(r"<[^>]+>", " ", s)
        cleaned.append(htmlmod.unescape(s))
    return cleaned


@dataclass(frozen=True)
class Problem:
    kind: str
    found: str
    where: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.found!r} in {self.where}"


def _context(text: str, start: int, end: int) -> str:
    return " ".join(text[max(0, start - 40):end + 40].split())


def raw_problems(text: str, where: str, cells: list[str] = (), finnish: bool = False) -> list[Problem]:
    """Raw identifiers and raw cells in ``text`` (and in table ``cells``)."""
    out = []
    for m in _SNAKE.finditer(text):
        out.append(Problem("raw identifier", m.group(0), f"{where}: …{_context(text, m.start(), m.end())}…"))
    for m in _PARAM_NAME.finditer(text):
        out.append(Problem("params name", m.group(0), f"{where}: …{_context(text, m.start(), m.end())}…"))
    for m in _RAW_WORD.finditer(text):
        out.append(Problem("raw cell", m.group(0), f"{where}: …{_context(text, m.start(), m.end())}…"))
    for m in _RAW_FLOAT.finditer(text):
        out.append(Problem("unformatted number", m.group(0), f"{where}: …{_context(text, m.start(), m.end())}…"))
    if finnish:
        for m in _DOT_NUMBER.finditer(text):
            s = m.group(0)
            if s.count(".") == 2 or _CLOCK.match(s):  # 2.11.2026, 2.11., 8.00
                continue
            out.append(Problem("decimal point in Finnish", s, f"{where}: …{_context(text, m.start(), m.end())}…"))
    for c in cells:
        if re.fullmatch(r"-?\d+\.0", c) and not finnish and len(c.split(".")[0].lstrip("-")) >= 4:
            out.append(Problem("unformatted number", c, f"{where}: a table cell"))
    return out


def english_problems(text: str, where: str, fragments: dict[str, str]) -> list[Problem]:
    """English words and untranslated catalogue sentences in ``text``."""
    out = []
    # A file name (accounts.csv) is what the team opens, not English prose.
    text = re.sub(r"[\w.-]+\." + _FILE_EXT, " ", text)
    for m in _WORD.finditer(text):
        w = m.group(0)
        if w.lower() in ENGLISH_WORDS and w not in SAMPLE_NAME_WORDS:
            out.append(Problem("English word", w, f"{where}: …{_context(text, m.start(), m.end())}…"))
    flat = " ".join(text.split())
    for piece, msgid in fragments.items():
        if piece in flat:
            out.append(Problem("untranslated catalogue text", piece, f"{where} (msgid {msgid[:60]!r})"))
    return out


def page_problems(page: str, name: str, *, finnish: bool, fragments: dict[str, str] | None = None) -> list[Problem]:
    """Every problem a reader would see on one page."""
    v = _Visible("fi" if finnish else "en")
    v.feed(page)
    text = "".join(v.text)
    out = raw_problems(text, name, v.cells, finnish=finnish)
    if finnish:
        out += english_problems(text, name, fragments or {})
    for i, (data, layout) in enumerate(plotly_figures(page), 1):
        where = f"{name} figure {i}"
        for s in figure_text(data, layout):
            out += raw_problems(s, where, finnish=finnish)
            if finnish:
                out += english_problems(s, where, fragments or {})
    return out


def summarize(problems: dict[str, list[Problem]], per_page: int = 12) -> str:
    lines = []
    for page, found in problems.items():
        kinds = pd.Series([p.kind for p in found]).value_counts().to_dict()
        lines.append(f"{page}: {len(found)} problem(s) {kinds}")
        lines += [f"    {p}" for p in found[:per_page]]
    return "\n".join(lines)


# --- the detector, on small pages ---------------------------------------------------------

FRAGMENTS = {"the accounts that carry most of the energy": "…"}
FIGURE = ('<div id="f" class="plotly-graph-div"></div><script>Plotly.newPlot("f", '
          '[{"name": %s, "x": [1], "hovertemplate": %s}], {"title": {"text": %s}}, {"responsive": true})</script>')


def fig(name: str = "Asiakkaat", hover: str = "%{x} h<extra></extra>", title: str = "Energia") -> str:
    return FIGURE % (json.dumps(name), json.dumps(hover), json.dumps(title))


@pytest.mark.parametrize("page", [
    "<h2>Asiakkaat</h2><p>Yrityksellä on <strong>320</strong> asiakasta; 12,5 h ja 1 234 €.</p>",
    "<p>Tilanne 2.11.2026, klo 8.00–16.00, ma–pe ja to.</p>",
    "<table><tr><th>Asiakas</th><th>Toimiala</th></tr><tr><td>Väisänen Trading Ky</td><td>IT</td></tr></table>",
    "<p>Lataa plan.xlsx, accounts.csv ja response_statements.md.</p>",
    "<script>var the_accounts = NaN; if (True) {}</script><style>.the_x{}</style><p>Energia</p>",
    fig(),
    # A published statement's English beside its Finnish, marked as English.
    '<table><tr><td>Vastaamme kahdessa päivässä.</td><td><span lang="en">We answer within two days.</span></td></tr></table>',
    '<p>Katso <span lang="en-GB">the <b>accounts</b> that</span> ja muut.</p>',
])
def test_detector_passes_finnish(page: str) -> None:
    assert page_problems(page, "page", finnish=True, fragments=FRAGMENTS) == []


@pytest.mark.parametrize("page, kind", [
    ("<h2>The tiers</h2>", "English word"),
    ("<p>Asiakkaat, which drain energiaa</p>", "English word"),
    ("<p>Katso the accounts that carry most of the energy.</p>", "untranslated catalogue text"),
    ("<table><tr><th>net_value</th></tr></table>", "raw identifier"),
    ("<p>Asetus <code>plan.tiers</code> muuttaa sen.</p>", "params name"),
    ("<table><tr><td>NaN</td><td>nan</td></tr></table>", "raw cell"),
    ("<table><tr><td>True</td></tr></table>", "raw cell"),
    ("<table><tr><td>0.7143</td></tr></table>", "unformatted number"),
    ("<table><tr><td>66193.0</td></tr></table>", "unformatted number"),
    ("<p>Osuus 12.5 %</p>", "decimal point in Finnish"),
    (fig(name="drop candidates"), "English word"),
    (fig(title="Energy by account"), "English word"),
    (fig(hover="%{x}<br>net_value %{y}<extra></extra>"), "raw identifier"),
    (fig(hover="%{x}<br>energia 12.3456 h"), "unformatted number"),
    ('<p><span lang="en">Ok</span> and then</p>', "English word"),  # after the marked part ends
    ('<p lang="fi">Katso the accounts.</p>', "English word"),
])
def test_detector_fails_finnish(page: str, kind: str) -> None:
    found = page_problems(page, "page", finnish=True, fragments=FRAGMENTS)
    assert kind in {p.kind for p in found}, found


def test_detector_english_checks_raw_cells_only() -> None:
    fine = "<h2>The tiers</h2><p>The firm has 320 customers, 12.5 h, €1,234.5 and 02/11/2026 (see plan.xlsx).</p>"
    assert page_problems(fine, "page", finnish=False) == []
    assert page_problems(fig(title="True positive rate", name="None of them"), "page", finnish=False) == []
    for bad in ("<td>None</td>", "<p>cost_to_serve</p>", "<td>0.7143</td>", "<td>66193.0</td>",
                "<p>Set report.language to fi</p>", fig(hover="%{y}<br>False")):
        assert page_problems(bad, "page", finnish=False), bad


def test_catalogue_fragments_are_english_sentences() -> None:
    fragments = catalogue_fragments()
    assert not any(f == "Kaplan & Narayanan 2001" for f in fragments)  # a citation reads alike
    assert any(f.startswith("What the report found, in a few sentences") for f in fragments)
    assert not any("{" in f for f in fragments)


def test_sample_names_hold_no_english_function_word() -> None:
    """The allowance for English-looking customer names must stay narrow: were a name to
    hold a function word, the detector would need to know."""
    names = pd.read_csv(SAMPLE / "accounts.csv", dtype=str)["name"]
    words = {w for n in names for w in _WORD.findall(n)}
    assert not {w for w in words if w.lower() in ENGLISH_WORDS} - SAMPLE_NAME_WORDS
    english_looking = {"Trading", "Transport", "Solutions", "Digital", "Catering", "Bistro", "Data", "IT"}
    assert words & english_looking <= SAMPLE_NAME_WORDS


# --- the whole report ---------------------------------------------------------------------

@pytest.mark.slow
def test_finnish_report_has_no_english_and_no_raw_values(tmp_path_factory: pytest.TempPathFactory) -> None:
    run = sample_run("fi", tmp_path_factory)
    fragments = catalogue_fragments()
    problems = {p.name: page_problems(p.read_text(encoding="utf-8"), p.name, finnish=True, fragments=fragments)
                for p in report_pages(run)}
    problems = {k: v for k, v in problems.items() if v}
    assert not problems, "the Finnish report shows English or raw values:\n" + summarize(problems)
    assert all('<html lang="fi">' in p.read_text(encoding="utf-8") for p in report_pages(run))


@pytest.mark.slow
def test_english_report_has_no_raw_values(tmp_path_factory: pytest.TempPathFactory) -> None:
    run = sample_run("en", tmp_path_factory)
    problems = {p.name: page_problems(p.read_text(encoding="utf-8"), p.name, finnish=False)
                for p in report_pages(run)}
    problems = {k: v for k, v in problems.items() if v}
    assert not problems, "the English report shows raw values:\n" + summarize(problems)
