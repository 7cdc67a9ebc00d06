"""End to end: `workbench run` on the sample, checked against the output contract."""

from __future__ import annotations

import hashlib
import json
import re
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

import workbench.run as run_module
from workbench import RunError
from workbench.paths import repo_root
from workbench.run import RunResult, run_report

pytestmark = pytest.mark.slow
ROOT = repo_root()
SAMPLE = ROOT / "data" / "sample"
CLI = [sys.executable, "-m", "workbench.cli"]


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("reports")


@pytest.fixture(scope="module")
def sample_before() -> dict[str, str]:
    return digest(SAMPLE)


@pytest.fixture(scope="module")
def first(reports: Path, sample_before: dict[str, str]) -> RunResult:
    lines: list[str] = []
    result = run_report("params/default.yaml", out_dir=str(reports), progress=lines.append)
    assert len(lines) == len(result.notebooks) and "00_overview" in lines[0]
    return result


def test_run_folder_holds_the_contract(first: RunResult, reports: Path) -> None:
    names = {p.name for p in first.run_dir.iterdir()}
    assert {"00_overview.ipynb", "00_overview.html", "accounts.csv", "summary.json", "run.log"} <= names
    assert "parts" not in names
    assert first.run_dir.parent == reports / "sample"
    assert not list((reports / "sample").glob(".*partial")), "staging folder left behind"


def test_accounts_csv_one_row_per_account(first: RunResult) -> None:
    accounts = pd.read_csv(SAMPLE / "accounts.csv", dtype=str)
    out = pd.read_csv(first.run_dir / "accounts.csv", dtype={"account_id": str})
    assert list(out.columns[:2]) == ["account_id", "name"]
    assert sorted(out["account_id"]) == sorted(accounts["account_id"])
    assert out["account_id"].is_unique
    for col in ("n_interactions", "effort_hours", "after_hours_inbound", "chasers", "revenue", "tenure_days"):
        assert col in out, col
    assert out["n_interactions"].sum() > 0


def test_summary_records_figures_params_and_inputs(first: RunResult, sample_before: dict[str, str]) -> None:
    s = first.summary
    head = s["notebooks"]["00_overview"]
    assert head["customers"] == 320 and head["as_of"] == s["as_of"] == "2026-11-01"
    assert head["leads"]["median_hours"] > 0 and head["customers_per_member"] > 0
    assert s["params"]["client"]["timezone"] == "Europe/Helsinki"
    # Checksums are of the files as they are on disk, so a report can be traced to its data.
    for key, sha in s["inputs"].items():
        assert sha == sample_before[key.split(":", 1)[1]]


def test_executed_notebook_got_the_run_parameters(first: RunResult) -> None:
    nb = nbformat.read(first.run_dir / "00_overview.ipynb", as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and "as_of = \"2026-11-01\"" in injected[0].source
    assert not any(o.get("output_type") == "error" for c in nb.cells for o in c.get("outputs", []))


def test_html_has_figures_and_no_code_or_cdn(first: RunResult) -> None:
    html = (first.run_dir / "00_overview.html").read_text(encoding="utf-8")
    assert html.count('class="plotly-graph-div"') >= 5
    assert "wb.start(" not in html  # code cells are hidden
    # Nothing is fetched: no external scripts or styles (MathJax, require.js, plotly CDN).
    assert not re.search(r'<(script|link)[^>]+(src|href)="https?://', html)


def test_inputs_are_never_modified(first: RunResult, sample_before: dict[str, str]) -> None:
    assert digest(SAMPLE) == sample_before


def test_second_run_never_touches_the_first(first: RunResult, reports: Path) -> None:
    before = digest(first.run_dir)
    second = run_report("params/default.yaml", out_dir=str(reports), progress=lambda _: None)
    assert second.run_dir != first.run_dir and second.run_dir.parent == first.run_dir.parent
    assert digest(first.run_dir) == before


FAILING = {
    "cells": [
        {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "execution_count": None, "outputs": [],
         "source": "params_file = None\nas_of = None\ndata_dir = None\nout_dir = None\ninteractive = False"},
        {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": "x = 1"},
        {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
         "source": "raise ValueError('the energy weights do not add up')"},
    ],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    "nbformat": 4, "nbformat_minor": 5,
}


def test_failed_run_says_where_and_keeps_the_notebook(
    first: RunResult, reports: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    books = tmp_path / "notebooks"
    books.mkdir()
    shutil.copy(ROOT / "notebooks" / "00_overview.ipynb", books)
    (books / "01_broken.ipynb").write_text(json.dumps(FAILING), encoding="utf-8")
    monkeypatch.setattr(run_module, "notebooks_dir", lambda: books)
    before = digest(first.run_dir)
    runs_before = set((reports / "sample").iterdir())

    with pytest.raises(RunError) as err:
        run_report("params/default.yaml", out_dir=str(reports), progress=lambda _: None)

    message = str(err.value)
    assert "01_broken.ipynb" in message and "cell" in message
    assert "ValueError: the energy weights do not add up" in message and "\n" not in message
    new = set((reports / "sample").iterdir()) - runs_before
    assert len(new) == 1 and next(iter(new)).name.endswith("-failed")
    failed = next(iter(new))
    assert (failed / "01_broken.ipynb").is_file() and (failed / "00_overview.html").is_file()
    assert "run failed" in (failed / "run.log").read_text(encoding="utf-8")
    assert digest(first.run_dir) == before


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run([*CLI, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=600)


def test_cli_bad_params_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "acme.yaml"
    bad.write_text("client:\n  nmae: Acme\n", encoding="utf-8")
    res = cli("run", "--params", str(bad), "--out", str(tmp_path / "out"))
    assert res.returncode == 2
    assert res.stderr.strip().count("\n") == 0 and "Traceback" not in res.stderr
    assert "client.nmae" in res.stderr and "Fix:" in res.stderr
    assert not (tmp_path / "out").exists()


def test_cli_bad_data_names_file_column_row(tmp_path: Path) -> None:
    data = tmp_path / "acme"
    shutil.copytree(SAMPLE, data)
    log = pd.read_csv(data / "interactions.csv", dtype=str)
    log.loc[41, "ts"] = "not a time"
    log.to_csv(data / "interactions.csv", index=False)
    res = cli("run", "--data", str(data), "--out", str(tmp_path / "out"))
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "interactions.csv" in res.stderr and "ts" in res.stderr and "row 43" in res.stderr
    assert not (tmp_path / "out").exists()


def test_cli_check_reports_what_it_read() -> None:
    res = cli("check")
    assert res.returncode == 0, res.stderr
    assert "interactions" in res.stdout and "38733 rows" in res.stdout and "ok" in res.stdout


def test_simultaneous_runs_do_not_cross_wires(tmp_path: Path) -> None:
    """A scheduled report and someone else's run at the same moment: kernels must not share
    sockets (jupyter_client's default IPC prefix is one fixed name per working folder)."""
    params = tmp_path / "one.yaml"
    params.write_text("report: {notebooks: [00_overview]}\n", encoding="utf-8")
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    procs = [
        subprocess.Popen([*CLI, "run", "--params", str(params), "--out", str(tmp_path / f"r{i}")],
                         cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for i in range(3)
    ]
    results = [p.communicate(timeout=600) for p in procs]
    for p, (_, err) in zip(procs, results):
        assert p.returncode == 0, err


def test_whole_report_runs_on_accounts_and_interactions_only(tmp_path: Path) -> None:
    """Only two tables are required: every notebook must degrade, and say so, not guess."""
    data = tmp_path / "minimal"
    data.mkdir()
    for name in ("accounts.csv", "interactions.csv"):
        shutil.copy(SAMPLE / name, data / name)
    result = run_report("params/default.yaml", data_dir=str(data), out_dir=str(tmp_path / "out"))
    assert [n.name for n in result.notebooks] == [p.stem for p in run_module.discover_notebooks()]
    html = {n.name: n.html.read_text(encoding="utf-8") for n in result.notebooks}
    assert "revenue is unknown (no invoices table)" in html["01_commitment"]
    assert "No account is a drop candidate" in html["02_energy_drain"]
    accounts = pd.read_csv(result.run_dir / "accounts.csv")
    assert len(accounts) == len(pd.read_csv(SAMPLE / "accounts.csv")) and not accounts["drop_candidate"].any()


def test_kernel_messages_go_to_the_run_log_not_the_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """The terminal shows one line per notebook; what the kernel process itself logs (e.g.
    ipykernel's "KeyboardInterrupt caught in kernel" at shutdown) is kept in run.log."""
    books = tmp_path / "notebooks"
    books.mkdir()
    shutil.copy(ROOT / "notebooks" / "00_overview.ipynb", books)
    chatty = json.loads(json.dumps(FAILING))
    chatty["cells"][2]["source"] = "get_ipython().kernel.log.error('kernel speaks: 7f3a')"
    (books / "01_chatty.ipynb").write_text(json.dumps(chatty), encoding="utf-8")
    monkeypatch.setattr(run_module, "notebooks_dir", lambda: books)

    result = run_report("params/default.yaml", out_dir=str(tmp_path / "out"), progress=lambda _: None)

    captured = capfd.readouterr()
    assert "kernel speaks: 7f3a" not in captured.err + captured.out
    assert "kernel speaks: 7f3a" in (result.run_dir / "run.log").read_text(encoding="utf-8")
