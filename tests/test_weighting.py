"""Commitment weights fitted to the client's history: no leakage, out-of-time choice of the
pull towards the params file, and a score that no longer loses to recency where recency
decides."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest

import workbench as wb
from workbench.backtesting import backtest, backtest_table
from workbench.params import Params
from workbench.commitment import commitment_indicators, indicator_ranks, score_parts
from workbench.weighting import SHRINKAGE, fit_to_outcome, fit_weights, out_of_time_auc, score_with

from portfolios import make_frequent_purchase_log

INF = float("inf")


@pytest.fixture(scope="module")
def sample() -> wb.Analysis:
    return wb.start("params/default.yaml")


def test_fit_reads_nothing_on_or_after_as_of(sample: wb.Analysis) -> None:
    """Invoices from as_of on, made up wholesale, change no weight."""
    as_of = sample.as_of
    base = fit_weights(sample.portfolio, sample.params, as_of=as_of - dt.timedelta(days=30))
    inv = sample.portfolio.invoices
    late = inv[inv["date"] >= pd.Timestamp(as_of - dt.timedelta(days=30))]
    noise = inv.sample(400, random_state=1).assign(date=pd.Timestamp(as_of - dt.timedelta(days=10)))
    changed = dataclasses.replace(sample.portfolio, invoices=pd.concat([inv.drop(late.index), noise], ignore_index=True))
    again = fit_weights(changed, sample.params, as_of=as_of - dt.timedelta(days=30))
    assert again.weights == base.weights and again.note == base.note


def test_fit_can_be_switched_off(sample: wb.Analysis) -> None:
    params = sample.params.model_copy(update={"commitment": sample.params.commitment.model_copy(
        update={"fit_weights": False})})
    fit = fit_weights(sample.portfolio, params, as_of=sample.as_of)
    assert not fit.fitted and fit.weights == fit.prior and "switched off" in fit.note


def test_thin_history_keeps_the_params_weights(sample: wb.Analysis) -> None:
    """At the sample's backtest cut-off the period before holds 7 accounts that stopped: too
    few to check fitted weights against, so the params file's weights score it."""
    bt = backtest(sample.portfolio, sample.params, as_of=sample.as_of, n_boot=50)
    fit = bt.weight_fit
    assert not fit.fitted and fit.weights == fit.prior, fit.note
    assert "no earlier period" in fit.note


def test_a_pattern_that_shifts_between_periods_keeps_the_prior() -> None:
    """The first indicator decided the earlier period, the second the later one: weights
    fitted to the earlier period mislead, and the out-of-time choice keeps the prior."""
    rng = np.random.default_rng(3)
    then, now = rng.random((500, 2)), rng.random((500, 2))
    auc = out_of_time_auc(then, (then[:, 0] > 0.3).astype(int), now, (now[:, 1] > 0.3).astype(int),
                          np.array([1.0, 1.0]))
    assert max(SHRINKAGE, key=lambda lam: (round(auc[lam], 3), lam)) == INF, auc


def test_an_indicator_with_little_evidence_keeps_its_prior_weight() -> None:
    rng = np.random.default_rng(0)
    ranks = rng.random((400, 3))
    ranks[40:, 2] = np.nan  # evidence for a tenth of the accounts
    y = (ranks[:, 1] > 0.4).astype(int)
    prior = np.array([1.0, 1.0, 2.0])
    w = fit_to_outcome(ranks, y, prior, shrinkage=0.01, free=np.array([True, True, False]))
    assert w[2] == 2.0 and w[1] > 3 * w[0] and w[:2].sum() == pytest.approx(2.0)
    assert score_with(w, ranks).shape == (400,)


@pytest.fixture(scope="module")
def frequent_backtest():
    g = make_frequent_purchase_log(1)
    return backtest(g.portfolio, Params(), as_of=g.as_of, cutoff=dt.date(2026, 4, 1), horizon_days=90, n_boot=500)


def test_score_does_not_lose_to_recency_where_recency_decides(frequent_backtest) -> None:
    """A grocery/subscription log where the days since the last order decide: with the
    params file's weights the score lost to recency by 0.052 (interval -0.064 to -0.042);
    fitted weights move to recency and the outlook and the score no longer loses."""
    bt = frequent_backtest
    print(backtest_table(bt))
    d = {x.baseline: x for x in bt.differences}
    assert bt.weight_fit.fitted, bt.weight_fit.note
    assert d["recency only"].high > 0 and d["recency only"].difference > -0.005, backtest_table(bt)
    assert d["frequency only"].beats
    share = bt.weight_fit.table()
    pair = share.loc[["recency", "outlook"]].sum()
    moved = pair["fitted, %"] - pair["params file, %"]
    assert moved > 15, share


def test_the_fit_scores_as_the_report_does(sample: wb.Analysis) -> None:
    """score_with (the fit's fast score) and score_parts (the report's) agree on every account."""
    raw = commitment_indicators(sample.metrics, sample.params)
    w = {k: float(v) for k, v in sample.params.commitment.weights.items()}
    report = score_parts(raw, w).sum(axis=1) / 100
    fast = score_with(np.array([w[c] for c in raw.columns]), indicator_ranks(raw).to_numpy(dtype="float64"))
    assert np.allclose(report.to_numpy(), fast)


def test_an_indicator_outside_the_fit_keeps_its_weight() -> None:
    """Online Retail at its last day: regularity tells the accounts apart now but not two
    weeks into the log, where the earlier period starts. It stays in the score with the
    params file's weight (it once silently fell to 0)."""
    import realdata

    portfolio = realdata.online_retail()
    if portfolio is None:
        pytest.skip("../shared/data/real/online_retail.csv.gz is not here")
    fit = fit_weights(portfolio, Params(), as_of=dt.date(2011, 12, 10))
    assert "regularity" not in fit.indicators
    assert fit.weights["regularity"] == Params().commitment.weights["regularity"] > 0
