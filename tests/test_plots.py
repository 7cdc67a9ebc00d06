"""Figures: built from the sample without error, with marks where the data says."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import workbench as wb
from workbench import kpis, plots


@pytest.fixture(scope="module")
def analysis() -> wb.Analysis:
    return wb.start("params/default.yaml")


def test_lead_response_marks_sit_at_their_hours(analysis: wb.Analysis) -> None:
    p = analysis.params
    per_lead = kpis.lead_response(analysis.portfolio.leads, p, analysis.as_of)
    fig = plots.plot_lead_response(per_lead, 1.0, 48.0)
    marks = {t.name: list(t.x) for t in fig.data[1:]}
    assert marks == {"promise 1 h": [1.0, 1.0], "cold after 48 h": [48.0, 48.0]}
    lo, hi = fig.layout.xaxis.range
    answered = per_lead["response_hours"].dropna()
    assert 10**lo <= answered.min() and answered.max() <= 10**hi and hi - lo < 6
    curve = fig.data[0]
    assert max(curve.y) <= 1 and list(curve.x) == sorted(curve.x)
    # Unanswered leads keep the curve below 100 %: the gap is the leads never answered.
    assert max(curve.y) == pytest.approx(per_lead["response_hours"].notna().mean())


def test_activity_puts_ours_below_the_axis(analysis: wb.Analysis) -> None:
    monthly = kpis.monthly_activity(analysis.portfolio, analysis.params, analysis.as_of)
    fig = plots.plot_activity(monthly)
    ys = pd.concat([pd.Series(t.y) for t in fig.data])
    assert ys.min() < 0 < ys.max()
    assert ys.abs().sum() == monthly["n"].sum()


def test_every_overview_figure_builds(analysis: wb.Analysis) -> None:
    a, p = analysis, analysis.params
    figs = [
        plots.plot_new_customers(kpis.new_customers_by_month(a.metrics)),
        plots.plot_time_per_relationship(a.metrics, p.kpis.active_days),
        plots.plot_customers_per_member(kpis.load_per_member(a.metrics, a.portfolio.team, p.kpis.active_days)),
        plots.plot_satisfaction(kpis.satisfaction_by_quarter(a.portfolio.surveys, a.as_of)),
    ]
    for fig in figs:
        assert fig.layout.title.text and len(fig.data) >= 1
