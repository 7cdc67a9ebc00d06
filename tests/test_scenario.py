"""The explorer's what-if: moved settings give what a batch run with them gives, the
comparison says what moved, and a saved params file reproduces the view in ``workbench run``.

The batch path here is written out from the public functions, from scratch (metrics, BG/NBD
indicators, energy events), so a shortcut :class:`workbench.scenario.Scenarios` takes (what
it keeps between evaluations) shows up as a difference.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import yaml

import workbench as wb
from workbench import commitment, scenario
from workbench.exceptions import ParamsError
from workbench.run import run_report

REPO = Path(__file__).resolve().parents[1]
DEFAULT = REPO / "params" / "default.yaml"


@pytest.fixture(scope="module")
def scenarios() -> scenario.Scenarios:
    return scenario.Scenarios(wb.start(str(DEFAULT)))


def _batch(a: wb.Analysis, params: wb.Params, weights: dict[str, float]) -> tuple:
    """The report's answers under ``params``, computed from nothing kept."""
    metrics = wb.account_metrics(a.portfolio, params, as_of=a.as_of)
    scores = wb.commitment_scores(metrics, params, weights)
    drain = wb.energy_drain(a.portfolio, metrics, params, committed=scores.set_index("account_id")["committed"])
    plan = wb.communication_plan(a.portfolio, metrics, params, scores=scores, drain=drain)
    return scores, drain, plan


def _answers(scores: pd.DataFrame, drain: wb.EnergyDrain, plan: wb.CommunicationPlan) -> dict:
    return {
        "segments": scores.set_index("account_id")["segment"].sort_index().tolist(),
        "energy": round(float(drain.breakdown["energy"].sum()), 6),
        "candidates": sorted(drain.candidates),
        "tiers": plan.accounts.set_index("account_id")["tier"].sort_index().tolist(),
        "let_go": drain.what_if.options.round(6).to_dict("records"),
        "schedule": len(plan.schedule),
        "promises": plan.promises().round(6).fillna(-1).to_dict("records"),
    }


MOVES = [
    {"energy.complaint_weight": 6.0, "energy.pareto_share": 0.7},
    {"business_hours.start": "07:00", "business_hours.end": "17:30", "chasers.window_minutes": 240},
    {"commitment.weights.recency": 4.0, "commitment.thresholds.average": 50},
    {"energy.low_value_per_energy_hour": 150.0, "energy.refill_share": 0.6, "energy.min_tenure_days": 180},
    {"plan.tiers.grey mass.response_hours": 24.0, "plan.tiers.core.cadence_weeks": 3,
     "plan.tiers.grow.when": "buys and open", "plan.valuable_top_share": 0.2},
]


@pytest.mark.parametrize("moved", MOVES, ids=lambda m: ",".join(k.rsplit(".", 1)[-1] for k in m))
def test_a_moved_setting_answers_as_a_batch_run_with_it(scenarios: scenario.Scenarios, moved: dict) -> None:
    now = scenarios.evaluate(moved)
    params = scenario.with_settings(scenarios.params, {k: v for k, v in moved.items() if "weights" not in k})
    weights = dict(scenarios.analysis.weight_fit.weights) | {
        k.rsplit(".", 1)[1]: v for k, v in moved.items() if "weights" in k}
    assert _answers(now.scores, now.drain, now.plan) == _answers(*_batch(scenarios.analysis, params, weights))
    # ... and each move really moves something: a test of an inert setting proves nothing.
    assert _answers(now.scores, now.drain, now.plan) != _answers(
        scenarios.base.scores, scenarios.base.drain, scenarios.base.plan)


def test_business_hours_and_the_chaser_window_move_no_commitment_indicator(scenarios: scenario.Scenarios) -> None:
    """Why Scenarios may keep the indicators (and their BG/NBD fit) when these move."""
    a = scenarios.analysis
    params = scenario.with_settings(a.params, {"business_hours.start": "06:00", "business_hours.end": "20:00",
                                               "chasers.window_minutes": 600})
    metrics = wb.account_metrics(a.portfolio, params, as_of=a.as_of)
    assert not metrics["chasers"].equals(a.metrics["chasers"])  # the log was counted anew
    pd.testing.assert_frame_equal(commitment.commitment_indicators(metrics, params),
                                  commitment.commitment_indicators(a.metrics, a.params))


def test_the_comparison_says_what_moved(scenarios: scenario.Scenarios) -> None:
    base = scenarios.base
    assert scenario.compare(base, base) == ["Nothing changes: every answer is the same as under the params file."]
    now = scenarios.evaluate({"energy.complaint_weight": 6.0})
    lines = scenario.compare(base, now)
    added = [a for a in now.drain.candidates if a not in base.drain.candidates]
    assert added, "a heavier complaint weight should add a drop candidate on the sample"
    names = base.metrics.set_index("account_id")["name"]
    line = next(s for s in lines if s.startswith("Drop candidates:"))
    assert f"{len(base.drain.candidates)} → {len(now.drain.candidates)}" in line
    assert all(names[a] in line for a in added)
    assert any(s.startswith("Energy:") for s in lines)
    unnamed = scenario.compare(base, now, named=False)
    assert not any(names[a] in s for s in unnamed for a in added)
    # Each tier's promise is judged again when its target moves.
    moved = scenarios.evaluate({"plan.tiers.grey mass.response_hours": 80.0})
    assert any(s.startswith("*grey mass*") for s in scenario.compare(base, moved))


def test_a_wrong_setting_is_refused_naming_it(scenarios: scenario.Scenarios) -> None:
    with pytest.raises(ParamsError, match="unknown signal 'valueable'"):
        scenarios.evaluate({"plan.tiers.core.when": "valueable and committed"})
    with pytest.raises(ParamsError, match="shallow <= average <= entrenched"):
        scenarios.evaluate({"commitment.thresholds.average": 90})
    with pytest.raises(ParamsError, match="weight above 0"):
        scenarios.evaluate({f"commitment.weights.{i}": 0.0 for i in wb.params.INDICATOR_NAMES})


def test_the_saved_file_holds_only_what_moved(scenarios: scenario.Scenarios, tmp_path: Path) -> None:
    moved = {"energy.complaint_weight": 6.0, "plan.tiers.grey mass.response_hours": 24.0,
             "commitment.weights.recency": 3.0}
    now = scenarios.evaluate(moved)
    target = tmp_path / "params" / "acme-agreed.yaml"
    scenario.save_params(target, DEFAULT, scenarios.params, moved, scenarios.analysis.weight_fit.weights,
                         today=dt.date(2026, 12, 5), changes=scenario.compare(scenarios.base, now, named=False))
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Agreed in the explorer on 2026-12-05, starting from default.yaml.")
    assert "#   energy.complaint_weight: 3.0 -> 6.0" in text and "# What that changed" in text
    names = set(scenarios.analysis.metrics["name"])
    assert not any(n in text for n in names), "a customer's name in a params file"
    body = yaml.safe_load(text)
    assert set(body) == {"extends", "energy", "plan", "commitment"}
    assert body["energy"] == {"complaint_weight": 6}
    assert body["plan"] == {"tiers": {"grey mass": {"response_hours": 24}}}
    assert body["commitment"]["fit_weights"] is False and body["commitment"]["weights"]["recency"] == 3
    assert (target.parent / body["extends"]).resolve() == DEFAULT.resolve()
    again = wb.load_params(target)
    assert again.energy.complaint_weight == 6.0 and again.plan.tiers[-1].response_hours == 24.0
    assert again.plan.tiers[-1].cadence_weeks == scenarios.params.plan.tiers[-1].cadence_weeks
    assert again.model_copy(update={"energy": scenarios.params.energy, "plan": scenarios.params.plan,
                                    "commitment": scenarios.params.commitment}) == scenarios.params
    assert not list(target.parent.glob("*.part"))


@pytest.mark.slow
def test_workbench_run_with_the_saved_file_reproduces_the_view(scenarios: scenario.Scenarios,
                                                               tmp_path: Path) -> None:
    """What was agreed at the table is what the next scheduled report says."""
    moved = {"energy.complaint_weight": 6.0, "energy.low_value_per_energy_hour": 120.0,
             "plan.tiers.grey mass.response_hours": 24.0, "plan.tiers.core.cadence_weeks": 3,
             "commitment.weights.recency": 3.0, "business_hours.end": "17:00"}
    view = scenarios.evaluate(moved)
    saved = scenario.save_params(tmp_path / "agreed.yaml", DEFAULT, scenarios.params, moved,
                                 scenarios.analysis.weight_fit.weights)
    # Only the plan notebook (it computes commitment and energy as 01 and 02 do), through a
    # file that extends the saved one: the same mechanism, one level deeper.
    only_plan = tmp_path / "only-plan.yaml"
    only_plan.write_text("extends: agreed.yaml\nreport: {notebooks: [03_communication_plan]}\n", encoding="utf-8")
    result = run_report(only_plan, out_dir=str(tmp_path / "reports"), as_of=scenarios.analysis.as_of,
                        progress=lambda s: None)
    accounts = pd.read_csv(result.run_dir / "accounts.csv", dtype={"account_id": str}).set_index("account_id")
    ours = view.plan.accounts.set_index("account_id")
    assert accounts["tier"].sort_index().tolist() == ours["tier"].sort_index().tolist()
    review = sorted(accounts.index[accounts["tier"] == "review"])
    assert review == sorted(view.drain.candidates)
    assert saved.exists() and view.settings == moved


def test_extends_errors_name_the_file_and_the_fix(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("extends: b.yaml\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="leads back to itself"):
        wb.load_params(tmp_path / "a.yaml")
    (tmp_path / "c.yaml").write_text("extends: nowhere.yaml\n", encoding="utf-8")
    with pytest.raises(ParamsError, match=r"c\.yaml: extends 'nowhere\.yaml', which is not there"):
        wb.load_params(tmp_path / "c.yaml")
    (tmp_path / "d.yaml").write_text(f"extends: {DEFAULT}\nplan: {{tiers: {{gray mass: {{cadence_weeks: 8}}}}}}\n",
                                     encoding="utf-8")
    with pytest.raises(ParamsError, match="no entry named 'gray mass'"):
        wb.load_params(tmp_path / "d.yaml")


def test_a_tier_change_lays_on_the_default_tiers_when_no_file_lists_them(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text("client: {name: Acme}\n", encoding="utf-8")
    (tmp_path / "agreed.yaml").write_text(
        "extends: base.yaml\nplan: {tiers: {grey mass: {cadence_weeks: 8}}, valuable_top_share: 0.25}\n",
        encoding="utf-8")
    p = wb.load_params(tmp_path / "agreed.yaml")
    assert [t.name for t in p.plan.tiers] == [t.name for t in wb.Params().plan.tiers]
    assert p.plan.tiers[-1].cadence_weeks == 8 and p.plan.valuable_top_share == 0.25
    assert p.client.name == "Acme"
