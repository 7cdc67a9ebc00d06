"""Notebook 01 as the client reads it: in Finnish or in English, with no raw cell, no code
name and no word that means two things."""

from __future__ import annotations

import re

import pandas as pd
import pytest

import workbench as wb
from workbench import plots
from workbench.backtesting import MODELS, backtest, present_backtest
from workbench.commitment import (
    INDICATORS, QUADRANTS, SEGMENTS, account_drivers, commitment_quadrants, confidence_name, describe_drivers,
    explain_account, indicator_name, missing_indicators, present_quadrants, present_segments, scored_indicators,
    segment_name, segment_table,
)
from workbench.i18n import _, override
from workbench.weighting import fit_weights
from workbench import commitment

#: What a reader must never see in a cell: missing values, booleans, floats written by
#: Python ("0.7143", "123.0"), code names with underscores.
RAW = re.compile(r"\b(nan|NaN|None|True|False|NaT)\b|^-?\d+\.\d{3,}$|^-?\d+\.0$|\b[a-z]+_[a-z_]+\b")
#: English words of 01 that must not survive into the Finnish report.
ENGLISH = re.compile(r"\b(committed|uncommitted|entrenched|average|shallow|convertible|strongest|weakest|"
                     r"revenue|accounts?|score|tenure|regularity|recency|outlook|breadth|satisfaction|harmony|"
                     r"engagement|meetings|contract|high|medium|low|recency only|frequency only|bought|within|count)\b")


@pytest.fixture(scope="module")
def sample() -> wb.Analysis:
    return wb.start("params/default.yaml")


@pytest.fixture(scope="module")
def bt(sample: wb.Analysis):
    return backtest(sample.portfolio, sample.params, as_of=sample.as_of, n_boot=50)


def cells(styler) -> list[str]:
    data = styler.data
    return [str(h) for h in data.columns] + [str(v) for v in data.to_numpy().ravel()]


def test_names_have_finnish_and_no_word_means_two_things() -> None:
    """A segment's name is not the word for the committed (entrenched and average together):
    in Finnish 'sitoutuneet' is the committed, so average is 'kohtalaisesti sitoutuneet'."""
    with override("fi"):
        segments = [segment_name(s) for s in SEGMENTS]
        quadrants = [_(q) for q in QUADRANTS.values()]
        names = {
            "segment": segments,
            "indicator": [indicator_name(i) for i in INDICATORS],
            "confidence": [confidence_name(c) for c in ("high", "medium", "low")],
            "quadrant": quadrants,
            "description": [_(d) for d in INDICATORS.values()],
        }
    for kind, shown in names.items():
        assert len(set(shown)) == len(shown), (kind, shown)
        assert not [s for s in shown if ENGLISH.search(s)], (kind, shown)
    committed_word = quadrants[0].split(",")[0]  # "sitoutuneet, suurempi myynti"
    assert committed_word not in segments, "a segment named like the committed as a whole"
    with override("en"):
        assert [segment_name(s) for s in SEGMENTS] == list(SEGMENTS)
        assert [indicator_name(i) for i in INDICATORS] == list(INDICATORS)


def test_drivers_and_the_account_sentence_read_finnish(sample: wb.Analysis) -> None:
    scores = sample.scores
    with override("fi"):
        shown = {d: describe_drivers(d) for d in scores["drivers"].unique()}
        for english, finnish in shown.items():
            assert not ENGLISH.search(finnish), (english, finnish)
        too_new = scores.loc[scores.drivers.str.startswith("too new"), "drivers"]
        assert len(too_new) and describe_drivers(too_new.iloc[0]).startswith("liian uusi")
        row = scores.iloc[0]
        sentence = explain_account(scores, row.account_id, "Oy Esimerkki Ab")
        assert "sitoutumispisteet" in sentence and segment_name(row.segment) in sentence
        assert not ENGLISH.search(sentence.replace(row.account_id, "")), sentence
    with override("en"):
        assert describe_drivers("strongest: tenure, breadth; weakest: harmony") == (
            "strongest: tenure and breadth; weakest: harmony")


def test_tables_are_for_people_in_both_languages(sample: wb.Analysis, bt) -> None:
    scores, metrics = sample.scores, sample.metrics
    segments = segment_table(scores, metrics)
    quadrants, _split = commitment_quadrants(scores, metrics)
    for lang in ("fi", "en"):
        with override(lang):
            tables = {
                "segments": present_segments(segments),
                "quadrants": present_quadrants(quadrants),
                "weights": sample.weight_fit.present(scored_indicators(scores)),
                "backtest": present_backtest(bt),
            }
            for name, table in tables.items():
                raw = [c for c in cells(table) if RAW.search(c)]
                assert not raw, (lang, name, raw[:5])
            seg = tables["segments"].data
            assert seg.iloc[:, 0].tolist() == [segment_name(s) for s in segments.segment]
            # Counts are whole numbers; shares are percentages of the locale.
            assert all(re.fullmatch(r"\d+", c) for c in seg.iloc[:, 1])
            assert all(c.endswith("\u00a0%" if lang == "fi" else "%") for c in seg.iloc[:, 2])
            auc = tables["backtest"].data.iloc[:, 1].tolist()
            assert all(re.fullmatch(r"0[,.]\d\d", a) for a in auc), auc
            assert all(("," in a) == (lang == "fi") for a in auc), auc
            assert tables["quadrants"].data.iloc[:, 1].map(int).sum() == len(scores)
            if lang == "fi":
                headers = [h for t in tables.values() for h in t.data.columns]
                assert not [h for h in headers if ENGLISH.search(h)], headers


def test_sentences_and_notes_read_finnish(sample: wb.Analysis, bt) -> None:
    with override("fi"):
        fit = fit_weights(sample.portfolio, sample.params, as_of=sample.as_of)
        again = backtest(sample.portfolio, sample.params, as_of=sample.as_of, n_boot=50)
        texts = {
            "committed": commitment.committed_sentence(sample.scores, segment_table(sample.scores, sample.metrics),
                                                          sample.as_of, revenue_known=True),
            "weights": fit.note,
            "summary": again.summary(),
            "verdict": again.verdict(),
            "notes": again.notes_sentence(),
        }
    for name, text in texts.items():
        # Model and library names (BG/NBD, PyMC-Marketing BetaGeoModel, MAP, AUC) stay as they are.
        plain = re.sub(r"PyMC-Marketing BetaGeoModel, MAP|BG/NBD|NBD|AUC", "", text)
        assert not ENGLISH.search(plain), (name, text)
        assert not RAW.search(plain), (name, text)
    assert "1.11.2026" in texts["committed"] or sample.as_of.strftime("%-d.%-m.%Y") in texts["committed"]


def test_missing_indicator_notes_read_finnish(sample: wb.Analysis) -> None:
    from workbench.metrics import Coverage

    cover = Coverage(frozenset({"interactions", "inbound", "outbound", "recent contact"}), 365, None)
    scores = sample.scores.drop(columns=["part_regularity", "part_contract"])
    metrics = sample.metrics.assign(contract=None)
    with override("fi"):
        notes = missing_indicators(scores, metrics, cover, sample.params)
    assert len(notes) == 2 and all(n.startswith("mittari ") for n in notes), notes
    assert notes[1].endswith("asiakastaulukossa ei ole sopimustyyppejä"), notes
    # The reason comes from the coverage (metrics.py); the indicator's name and description are ours.
    assert not [n for n in notes if ENGLISH.search(n.split(":")[0])], notes


def figure_text(fig) -> list[str]:
    """Every text a reader sees in a figure: titles, axis titles, legend names, hover
    templates, bar texts and annotations."""
    d = fig.to_dict()
    out = [d["layout"].get("title", {}).get("text", "")]
    out += [v.get("title", {}).get("text", "") for k, v in d["layout"].items() if k.startswith(("xaxis", "yaxis"))]
    out += [a.get("text", "") for a in d["layout"].get("annotations", [])]
    for trace in d["data"]:
        out += [str(trace.get("name", "")), str(trace.get("hovertemplate", "")), str(trace.get("legendgroup", ""))]
        out += [str(t) for t in (trace.get("text") if isinstance(trace.get("text"), (list, tuple)) else [])]
        out += [str(x) for x in (trace.get("y") if trace.get("orientation") == "h" else []) or []]
        out += [str(x) for x in (trace.get("x") if trace.get("type") == "bar" and trace.get("orientation") != "h"
                                 else []) or []]
    return [t for t in out if t]


def test_figures_read_finnish(sample: wb.Analysis, bt) -> None:
    scores, metrics, params = sample.scores, sample.metrics, sample.params
    quadrants, split = commitment_quadrants(scores, metrics)
    chosen = commitment.account_to_explain(quadrants)
    with override("fi"):
        figures = {
            "distribution": plots.plot_score_distribution(scores, params.commitment.thresholds.model_dump()),
            "segments": plots.plot_segments(segment_table(scores, metrics)),
            "map": plots.plot_commitment_map(quadrants, params.commitment.thresholds.average, split),
            "drivers": plots.plot_drivers(account_drivers(scores, chosen, params, sample.weight_fit.weights), "x"),
            "backtest": plots.plot_backtest(bt.roc, bt.auc, bt.by_segment),
        }
        for name, fig in figures.items():
            text = [re.sub(r"%\{[^}]*\}|<[^>]*>|BG/NBD|AUC|ROC", "", t) for t in figure_text(fig)]
            english = [t for t in text if ENGLISH.search(t)]
            assert not english, (name, english)
            assert not [t for t in text if RAW.search(t)], name
            assert fig.layout.separators == ",\u00a0", name
    hover = figures["map"].data[0].hovertemplate
    assert "Asiakas" in hover and "Segmentti" in hover
    assert {d.name.split(" (")[0] for d in figures["backtest"].data if d.showlegend is not False} <= {
        "sitoutumispisteet", "pelkkä viimeisin osto", "pelkkä ostotiheys", "BG/NBD"}
    assert set(MODELS) == set(bt.auc)
    assert pd.notna(split)
