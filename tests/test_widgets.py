"""The explorer's widgets without a browser: each control moves what it should, a wrong value
is refused in place, the picked account is ringed in every figure and the card follows it.

(``tests/test_browser_explorer.py`` does the same in JupyterLab and Voilà in Chromium.)
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

import workbench as wb
from workbench import scenario, widgets

REPO = Path(__file__).resolve().parents[1]
PLOTLY = "application/vnd.plotly.v1+json"


@pytest.fixture(scope="module")
def analysis() -> wb.Analysis:
    return wb.start(str(REPO / "params" / "default.yaml"))


@pytest.fixture
def explorer(analysis: wb.Analysis) -> widgets.Explorer:
    return widgets.Explorer(analysis, "params/default.yaml")


def _shown(x: widgets.Explorer, view: str) -> str:
    """A view's outputs as text: markdown, HTML tables and figure JSON (not the plain-text
    reprs, which name objects' addresses)."""
    return json.dumps([{k: v for k, v in o["data"].items() if k != "text/plain"} for o in x.out[view].outputs],
                      sort_keys=True, default=str)


def _figure(x: widgets.Explorer, view: str) -> dict:
    return next(o["data"][PLOTLY] for o in x.out[view].outputs if PLOTLY in o["data"])


def test_every_setting_has_a_control_showing_what_is_in_force(explorer: widgets.Explorer) -> None:
    keys = {k.key for k in scenario.knobs(explorer.analysis.params)}
    assert set(explorer.controls) == keys
    c = explorer.controls
    assert c["energy.complaint_weight"].value == 3.0
    assert c["business_hours.start"].value == "08:00"
    assert c["plan.tiers.core.when"].value == "valuable and committed"
    # Left to the data in the params file: the control starts where the data put it.
    assert c["energy.low_value_per_energy_hour"].value == pytest.approx(explorer.scenario.drain.rates.rate_per_hour,
                                                                        abs=0.01)
    assert c["commitment.weights.recency"].value == pytest.approx(explorer.analysis.weight_fit.weights["recency"])


@pytest.mark.parametrize("key, value, views", [
    ("energy.complaint_weight", 6.0, ("changes", "pareto", "candidates", "tiers")),
    ("energy.pareto_share", 0.6, ("changes", "pareto", "tiers")),
    ("chasers.window_minutes", 240, ("changes", "pareto")),
    ("energy.refill_share", 0.9, ("changes", "candidates")),
    ("commitment.thresholds.average", 45, ("changes", "map", "tiers")),
    ("plan.tiers.grey mass.cadence_weeks", 4, ("capacity",)),
    ("plan.tiers.repair.response_hours", 40.0, ("changes", "promises")),
])
def test_a_moved_control_redraws_what_it_moves(explorer: widgets.Explorer, key: str, value: object,
                                               views: tuple[str, ...]) -> None:
    before = {v: _shown(explorer, v) for v in explorer.out}
    explorer.set(key, value)
    assert explorer.settings == {key: value} and explorer.status.value == ""
    changed = {v for v in explorer.out if _shown(explorer, v) != before[v]}
    assert set(views) <= changed, f"{key} left {set(views) - changed} as they were"
    assert "Nothing changes" not in _shown(explorer, "changes") or views == ("capacity",)
    assert explorer.timings["recompute"] > 0


def test_moving_a_control_back_is_the_params_file_again(explorer: widgets.Explorer) -> None:
    first = _shown(explorer, "tiers")
    explorer.set("energy.complaint_weight", 6.0)
    explorer.set("energy.complaint_weight", 3.0)
    assert explorer.settings == {} and _shown(explorer, "tiers") == first
    explorer.set("plan.valuable_top_share", 0.5)
    explorer.reset()
    assert explorer.settings == {} and explorer.controls["plan.valuable_top_share"].value == 0.3
    assert _shown(explorer, "tiers") == first


def test_a_wrong_value_is_refused_and_the_answers_stay(explorer: widgets.Explorer) -> None:
    explorer.set("energy.complaint_weight", 6.0)
    before = {v: _shown(explorer, v) for v in explorer.out}
    explorer.set("plan.tiers.core.when", "valueable and committed")
    assert "Not applied" in explorer.status.value and "valueable" in explorer.status.value
    assert explorer.settings == {"energy.complaint_weight": 6.0}
    assert {v: _shown(explorer, v) for v in explorer.out} == before
    explorer.set("plan.tiers.core.when", "valuable and committed")
    assert explorer.status.value == ""


def test_the_picked_account_is_ringed_in_every_figure_and_opened(explorer: widgets.Explorer) -> None:
    table = explorer.table()
    other = table.loc[table["account_id"] != explorer.account].iloc[5]
    explorer.picker.value = other["account_id"]
    for view in ("pareto", "whale", "map", "position"):
        rings = [t for t in _figure(explorer, view)["data"] if t.get("marker", {}).get("symbol") == "circle-open"
                 and t.get("marker", {}).get("size") == 22]
        assert [t["name"] for t in rings] == [other["name"]], view
    assert f"({other['account_id']})" in _shown(explorer, "card")
    assert other["name"] in _figure(explorer, "timeline")["layout"]["title"]["text"]


def test_the_slice_narrows_the_picker(explorer: widgets.Explorer) -> None:
    explorer.tier.value = "review"
    ids = [a for _n, a in explorer.picker.options]
    assert sorted(ids) == sorted(explorer.scenario.drain.candidates)
    assert explorer.account == explorer.scenario.drain.candidates[0]  # the heaviest in the slice


def test_the_card_follows_the_controls(explorer: widgets.Explorer) -> None:
    """An account that becomes a drop candidate says so on its card and is ringed as one."""
    base = set(explorer.scenario.drain.candidates)
    explorer.set("energy.complaint_weight", 6.0)
    new = next(a for a in explorer.scenario.drain.candidates if a not in base)
    explorer.picker.value = new
    card = _shown(explorer, "card")
    assert "Drop candidate" in card and "tier **review**" in card


def test_the_save_button_writes_a_params_file(explorer: widgets.Explorer, tmp_path: Path) -> None:
    explorer.set("energy.complaint_weight", 6.0)
    explorer.path.value = str(tmp_path / "agreed.yaml")
    explorer._save_clicked(None)
    assert "Saved" in explorer.status.value
    assert wb.load_params(tmp_path / "agreed.yaml").energy.complaint_weight == 6.0
    explorer.path.value = "/proc/no/such/place/agreed.yaml"
    explorer._save_clicked(None)
    assert "Not saved" in explorer.status.value


def test_without_a_kernel_the_notebook_shows_the_views_as_drawn(explorer: widgets.Explorer, capsys) -> None:
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    published = []
    hook = shell.display_pub.publish
    shell.display_pub.publish = lambda data, metadata=None, **kw: published.append(data)
    try:
        explorer._ipython_display_()
        explorer.figures()
    finally:
        shell.display_pub.publish = hook
    assert sum(PLOTLY in d for d in published) == len(widgets.Explorer.FIGURE_VIEWS)
    assert any("Drop candidate" in d.get("text/markdown", "") for d in published)


def test_the_timeline_shows_invoices_and_surveys(analysis: wb.Analysis) -> None:
    p = analysis.portfolio
    a = p.surveys["account_id"].iloc[0]
    fig = wb.plots.plot_account_timeline(
        p.interactions.iloc[:0], analysis.params.client.timezone, start=dt.date(2025, 11, 1), end=analysis.as_of,
        invoices=p.invoices[p.invoices["account_id"] == a], surveys=p.surveys[p.surveys["account_id"] == a])
    assert list(fig.layout.yaxis.ticktext) == ["invoices", "surveys"]
    assert len(fig.data[1].x) == int((p.surveys["account_id"] == a).sum())
