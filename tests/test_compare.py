"""Comparing runs and a client's history: two real runs of the sample a month apart
(2026-10-01 and the default 2026-11-01), built once for the module, and copies of their
records altered for the cases a comparison must refuse or point out."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from workbench import InputError
from workbench.cli import main
from workbench.compare import compare_runs, inputs_differ, params_differ, read_run, transitions
from workbench.run import run_report

pytestmark = pytest.mark.slow
#: A known mover of the sample: onboarded in October, a drop candidate in November.
MOVER = "A0188"


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The sample's runs of 2026-10-01 and 2026-11-01, in that order, in one client folder."""
    reports = tmp_path_factory.mktemp("reports")
    quiet = {"out_dir": str(reports), "progress": lambda _: None}
    first = run_report("params/default.yaml", as_of=dt.date(2026, 10, 1), **quiet)
    second = run_report("params/default.yaml", **quiet)
    return first.run_dir, second.run_dir


def record(run: Path, dest: Path, name: str | None = None) -> Path:
    """A copy of a run's record (summary.json and accounts.csv) under ``name``."""
    folder = dest / (name or run.name)
    folder.mkdir(parents=True)
    for f in ("summary.json", "accounts.csv"):
        shutil.copy(run / f, folder / f)
    return folder


def edit_summary(folder: Path, change) -> None:
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    change(summary)
    (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")


def pseudonymize_record(folder: Path, key: str) -> None:
    """Codes for ids and names as a pseudonymized run would have them under ``key``."""
    edit_summary(folder, lambda s: s["params"]["report"].update(pseudonymize=True))
    acc = pd.read_csv(folder / "accounts.csv", dtype={"account_id": str})
    acc["account_id"] = [hashlib.sha256((key + a).encode()).hexdigest()[:8].upper() for a in acc["account_id"]]
    acc["name"] = "Asiakas " + acc["account_id"]
    acc.to_csv(folder / "accounts.csv", index=False)


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def offline(html: str) -> bool:
    return not re.search(r'<(script|link)[^>]+(src|href)="https?://', html)


# --- the real runs -------------------------------------------------------------------------


def test_comparison_names_the_accounts_that_moved(runs: tuple[Path, Path]) -> None:
    earlier, later = runs
    c = compare_runs(read_run(later), read_run(earlier))  # either order: earlier first
    assert c.earlier.as_of == dt.date(2026, 10, 1) and c.later.as_of == dt.date(2026, 11, 1)
    assert int(c.tiers.to_numpy().sum()) == c.in_both == 320
    a = pd.read_csv(earlier / "accounts.csv", dtype={"account_id": str}).set_index("account_id")
    b = pd.read_csv(later / "accounts.csv", dtype={"account_id": str}).set_index("account_id")
    assert set(c.tier_changed["account_id"]) == set(a.index[a["tier"] != b.loc[a.index, "tier"]])
    assert MOVER in set(c.entered_drop["account_id"]) and MOVER in set(c.moved["account_id"])
    text = " ".join(c.sentences())
    assert f"{b.loc[MOVER, 'name']} ({MOVER})" in text
    assert "same params and the same input files" in text


def test_the_later_run_records_and_reports_what_changed(runs: tuple[Path, Path]) -> None:
    earlier, later = runs
    first = json.loads((earlier / "summary.json").read_text(encoding="utf-8"))
    since = json.loads((later / "summary.json").read_text(encoding="utf-8"))["since"]
    c = compare_runs(read_run(earlier), read_run(later))
    assert first["since"] is None
    assert since["run_id"] == earlier.name and since["tier_changes"] == len(c.tier_changed) > 0
    assert MOVER in since["entered_drop_candidates"]
    assert since["deltas"]["drop_candidates"]["after"] == int(c.later.accounts["drop_candidate"].sum())

    def overview(run: Path) -> str:
        nb = nbformat.read(run / "00_overview.ipynb", as_version=4)
        cells = [cell for cell in nb.cells if "since_markdown" in cell.source]
        return " ".join(o.get("data", {}).get("text/markdown", "") for cell in cells for o in cell.outputs)

    assert "No earlier run of Sample" in overview(earlier)
    # The overview computes this run's tiers itself (it runs first): the same figures as recorded.
    assert f"{since['tier_changes']} accounts of the 320 in both runs changed tier" in overview(later)
    assert MOVER in overview(later)


def test_cli_compare_writes_beside_the_runs_and_draws_offline(runs: tuple[Path, Path],
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    earlier, later = runs
    before = {run: digest(run) for run in runs}
    code, out, err = cli(capsys, "compare", str(earlier), str(later))
    assert code == 0 and not err
    assert MOVER in out and "changed tier" in out
    folder = earlier.parent / "compare"
    name = f"{earlier.name}_to_{later.name}"
    assert {p.name for p in folder.iterdir()} == {f"{name}.html", f"{name}.csv", f"{name}_tiers.csv",
                                                  f"{name}_headline.csv"}
    assert {run: digest(run) for run in runs} == before  # the runs are left as they were
    html = (folder / f"{name}.html").read_text(encoding="utf-8")
    assert offline(html) and "cdn.plot.ly/plotly" not in html and '"type":"sankey"' in html
    assert len(pd.read_csv(folder / f"{name}.csv")) == 320
    assert pd.read_csv(folder / f"{name}_tiers.csv", index_col=0).to_numpy().sum() == 320


def test_cli_history_draws_the_trend_with_the_plan_line(runs: tuple[Path, Path], tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    client = runs[0].parent
    code, out, err = cli(capsys, "history", str(client), "--plan-adopted", "2026-10-15", "--out", str(tmp_path))
    assert code == 0 and not err
    assert "1 run before it, 1 run on or after it" in out
    trend = pd.read_csv(tmp_path / f"{client.name}_trend.csv")
    assert list(trend["as_of"]) == ["2026-10-01", "2026-11-01"] and trend["drop_candidates"].notna().all()
    html = (tmp_path / f"{client.name}_trend.html").read_text(encoding="utf-8")
    assert offline(html) and "plan adopted 2026-10-15" in html and '"type":"line"' in html
    movers = pd.read_csv(tmp_path / f"{client.name}_movers.csv")
    assert movers["energy_change"].abs().is_monotonic_decreasing and len(movers) == 320


# --- what a comparison refuses or points out ----------------------------------------------


def test_refusals_are_one_line(runs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    earlier, later = runs
    other = record(later, tmp_path / "other")
    edit_summary(other, lambda s: s.update(client="Other Oy"))
    failed = record(later, tmp_path, f"{later.name}-failed")
    no_summary = record(later, tmp_path / "nosummary")
    (no_summary / "summary.json").unlink()
    broken = record(later, tmp_path / "broken")
    (broken / "summary.json").write_text('{"run_id": ', encoding="utf-8")
    coded = record(later, tmp_path / "coded")
    pseudonymize_record(coded, "key")
    cases = {
        other: "a run of Other Oy, while",
        failed: "this run failed",
        no_summary: "summary.json: missing",
        broken: "summary.json: not valid JSON",
        coded: "pseudonymized (customers named by codes) while",
        tmp_path / "nowhere": "no such run folder",
        earlier: "the same run as",
    }
    for run, says in cases.items():
        code, out, err = cli(capsys, "compare", str(earlier), str(run))
        assert code == 2 and not out, run
        assert says in one_line(err) and "Fix:" in err, err


def test_pseudonymized_runs_compare_by_code_when_the_key_is_the_same(runs: tuple[Path, Path], tmp_path: Path) -> None:
    earlier, later = (record(r, tmp_path / "same") for r in runs)
    for r in (earlier, later):
        pseudonymize_record(r, "key")
    c = compare_runs(read_run(earlier), read_run(later))
    assert c.in_both == 320 and not c.notes
    assert hashlib.sha256(f"key{MOVER}".encode()).hexdigest()[:8].upper() in set(c.entered_drop["account_id"])
    pseudonymize_record(record(runs[1], tmp_path / "other key"), "another key")
    with pytest.raises(InputError, match="pseudonymized with different keys"):
        compare_runs(read_run(earlier), read_run(tmp_path / "other key" / runs[1].name))


def test_renamed_accounts_and_other_params_are_said(runs: tuple[Path, Path], tmp_path: Path) -> None:
    earlier = record(runs[0], tmp_path)
    later = record(runs[1], tmp_path)
    acc = pd.read_csv(later / "accounts.csv", dtype={"account_id": str})
    acc.loc[acc["account_id"] == MOVER, "name"] = "Uusi Nimi Oy"
    acc.to_csv(later / "accounts.csv", index=False)
    edit_summary(later, lambda s: s["params"]["energy"].update(chaser_weight=2.0))
    c = compare_runs(read_run(earlier), read_run(later))
    text = " ".join(c.sentences())
    assert f"{MOVER} " in text and "→ Uusi Nimi Oy" in text and c.in_both == 320
    assert "energy.chaser_weight: 1.0 → 2.0" in text


def test_history_leaves_out_a_damaged_run_and_refuses_an_empty_folder(
    runs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    client = tmp_path / "sample"
    for r in runs:
        record(r, client)
    (client / runs[0].name / "summary.json").write_text("not json", encoding="utf-8")
    code, out, err = cli(capsys, "history", str(client), "--out", str(tmp_path / "out"))
    assert code == 0 and "Left out" in out and "summary.json: not valid JSON" in out
    assert len(pd.read_csv(tmp_path / "out" / "sample_trend.csv")) == 1
    (tmp_path / "empty").mkdir()
    code, out, err = cli(capsys, "history", str(tmp_path / "empty"))
    assert code == 2 and "holds no finished run" in one_line(err)


# --- the pieces -----------------------------------------------------------------------------


def test_transition_matrix_keeps_the_tier_order_and_sums_to_the_accounts() -> None:
    before = pd.Series(["grow", "core", "core", None, "review"])
    after = pd.Series(["core", "core", "grow", "core", "review"])
    m = transitions(before, after, ["review", "core", "grow"])
    assert list(m.index) == list(m.columns) == ["review", "core", "grow"]
    assert m.to_numpy().sum() == 4 and m.loc["grow", "core"] == 1 and m.loc["core", "core"] == 1


def test_params_and_inputs_that_differ() -> None:
    a = {"as_of": "2026-10-01", "report": {"out_dir": "x"}, "data": {"dir": "/a"},
         "plan": {"tiers": [{"name": "review", "when": ["drop_candidate"]}]}}
    b = {"as_of": "2026-11-01", "report": {"out_dir": "y"}, "data": {"dir": "/b"},
         "plan": {"tiers": [{"name": "review", "when": ["drop_candidate", "young"]}]}}
    assert params_differ(a, b) == ['plan.tiers[0].when: ["drop_candidate"] → ["drop_candidate", "young"]']
    assert inputs_differ({"leads:l.csv": "1"}, {"leads:l2.csv": "1"}) == ["leads: l.csv → l2.csv"]
