"""Commitment: recovery of the planted structure, score properties, a leak-proof backtest."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.pandas import column, data_frames

import realdata
import workbench as wb
from workbench import Params, ParamsError, load_params
from workbench.commitment import (
    INDICATORS, backtest, commitment_scores, score_parts, segment_of,
)


@pytest.fixture(scope="module")
def sample() -> wb.Analysis:
    return wb.start("params/default.yaml")


@pytest.fixture(scope="module")
def scored(sample: wb.Analysis) -> pd.DataFrame:
    truth = pd.read_csv(sample.params.data.path / "truth.csv", dtype={"account_id": str})
    return commitment_scores(sample.metrics, sample.params).merge(
        truth.add_prefix("true_").rename(columns={"true_account_id": "account_id"}), on="account_id"
    )


def test_recovers_the_committed_core(scored: pd.DataFrame) -> None:
    # Thresholds set from what the method honestly reaches on the planted sample
    # (precision 0.74, recall 0.85 when written), with a little room for regeneration.
    hit = (scored.committed & scored.true_committed).sum()
    assert hit / scored.committed.sum() >= 0.70, "precision of the committed segment"
    assert hit / scored.true_committed.sum() >= 0.80, "recall of the committed core"


def test_grey_mass_is_uncommitted(scored: pd.DataFrame) -> None:
    grey = scored[scored.true_archetype == "grey"]
    assert (~grey.committed).mean() >= 0.85
    core = scored[scored.true_archetype == "core"]
    assert grey.commitment_score.median() + 20 <= core.commitment_score.median()


def test_scores_parts_segments_and_confidence(scored: pd.DataFrame, sample: wb.Analysis) -> None:
    s = scored.commitment_score
    assert s.between(0, 100).all() and s.notna().all()
    parts = scored.filter(like="part_")
    assert np.allclose(parts.sum(axis=1), s, atol=1e-9)
    t = sample.params.commitment.thresholds
    assert (scored.loc[scored.segment == "entrenched", "commitment_score"] >= t.entrenched).all()
    assert (scored.loc[scored.segment == "convertible", "commitment_score"] < t.shallow).all()
    assert (scored.committed == (s >= t.average)).all()
    # New accounts are scored, but flagged as thin data.
    new = scored[scored.true_archetype == "new"]
    assert (new.confidence == "low").mean() >= 0.8
    assert scored.drivers.str.startswith("strongest:").all()


indicator_frames = data_frames(
    [column(name, elements=st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False))) for name in INDICATORS],
    index=st.just(pd.RangeIndex(6)),
)
weights_st = st.fixed_dictionaries({k: st.floats(0, 5) for k in INDICATORS}).filter(lambda w: sum(w.values()) > 0)


@settings(max_examples=60, deadline=None)
@given(indicator_frames, weights_st, st.integers(0, 5), st.sampled_from(list(INDICATORS)), st.floats(0.1, 1e6))
def test_score_is_monotone_in_every_indicator(
    ind: pd.DataFrame, weights: dict[str, float], row: int, name: str, bump: float
) -> None:
    ind = ind.astype("float64")
    before = score_parts(ind, weights).sum(axis=1)
    assert before.between(0, 100 + 1e-9).all()
    if pd.isna(ind.loc[row, name]):
        return
    better = ind.copy()
    better.loc[row, name] += bump
    assert score_parts(better, weights).sum(axis=1)[row] >= before[row] - 1e-9


def test_segment_thresholds(sample: wb.Analysis) -> None:
    s = pd.Series([0.0, 34.99, 35.0, 54.99, 55.0, 75.0, 100.0, np.nan])
    assert segment_of(s, sample.params).tolist() == [
        "convertible", "convertible", "shallow", "shallow", "average", "entrenched", "entrenched", "unscored",
    ]


def truncate(p: wb.Portfolio, cut: dt.date, tz: str) -> wb.Portfolio:
    """The portfolio as it stood at ``cut``: every row dated on or after it removed."""
    instant = pd.Timestamp(cut, tz=tz)
    day = pd.Timestamp(cut)
    return dataclasses.replace(
        p,
        interactions=p.interactions[p.interactions.ts < instant],
        invoices=p.invoices[p.invoices.date < day],
        surveys=p.surveys[p.surveys.date < day],
    )


def test_backtest_uses_nothing_after_the_cutoff(sample: wb.Analysis) -> None:
    """Scores at the cut-off are the same whether or not the future is in the data."""
    cut = dt.date(2026, 5, 1)
    tz = sample.params.client.timezone
    full = commitment_scores(wb.account_metrics(sample.portfolio, sample.params, as_of=cut), sample.params)
    past = truncate(sample.portfolio, cut, tz)
    only_past = commitment_scores(wb.account_metrics(past, sample.params, as_of=cut), sample.params)
    pd.testing.assert_frame_equal(full, only_past)
    # And a future that would flatter every account changes nothing either.
    inv = sample.portfolio.invoices
    windfall = inv.assign(date=pd.Timestamp(cut) + pd.Timedelta(days=3), amount=1e6)
    rich = dataclasses.replace(sample.portfolio, invoices=pd.concat([inv, windfall], ignore_index=True))
    flattered = commitment_scores(wb.account_metrics(rich, sample.params, as_of=cut), sample.params)
    pd.testing.assert_frame_equal(full, flattered)


def test_backtest_beats_baselines_on_the_sample(sample: wb.Analysis) -> None:
    bt = backtest(sample.portfolio, sample.params, as_of=sample.as_of)
    assert bt.cutoff == sample.as_of - dt.timedelta(days=180) and bt.accounts > 200
    assert bt.auc["commitment score"] > max(bt.auc["recency only"], bt.auc["frequency only"])
    retained = bt.by_segment.set_index("segment").retained_share
    assert retained["average"] > retained["shallow"] > retained["convertible"]
    assert bt.committed_lift is not None and bt.committed_lift > 1
    assert set(bt.as_dict()) >= {"cutoff", "auc", "committed_lift", "retention_by_segment"}


def test_backtest_refuses_an_unknowable_outcome(sample: wb.Analysis) -> None:
    with pytest.raises(ValueError, match="runs past the data"):
        backtest(sample.portfolio, sample.params, as_of=sample.as_of, cutoff=sample.as_of, horizon_days=30)


@pytest.mark.real
def test_backtest_on_online_retail() -> None:
    """UCI Online Retail, scored at 2011-06-30: the score beats recency and frequency."""
    portfolio = realdata.online_retail()
    if portfolio is None:
        pytest.skip("../shared/data/real/online_retail.csv.gz is not here")
    bt = backtest(portfolio, Params(), as_of=dt.date(2011, 12, 10), cutoff=dt.date(2011, 6, 30), horizon_days=150)
    print(bt.as_dict())
    assert bt.accounts > 2500
    assert bt.auc["commitment score"] > max(bt.auc["recency only"], bt.auc["frequency only"])
    assert bt.auc["commitment score"] >= 0.70
    retained = bt.by_segment.set_index("segment").retained_share
    assert list(retained) == sorted(retained, reverse=True), "retention falls segment by segment"


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("commitment:\n  weights: {loyalty: 1}\n", "unknown indicator 'loyalty'"),
        ("commitment:\n  weights: {tenure: -1}\n", "negative"),
        ("commitment:\n  thresholds: {entrenched: 50, average: 60, shallow: 30}\n", "shallow <= average <= entrenched"),
    ],
)
def test_commitment_params_are_checked(tmp_path, yaml_text: str, message: str) -> None:
    f = tmp_path / "c.yaml"
    f.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(ParamsError, match=message):
        load_params(f)
