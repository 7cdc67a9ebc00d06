"""Whole report runs on the bundled sample, made once per test session and shared by the
modules that read them (test_language, test_browser, test_run's index checks).

A session-scoped fixture in one test module is made again in the next; a run takes minutes,
so the runs are cached here, by language, for the whole session.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.run import RunResult, run_report

REPO = Path(__file__).resolve().parents[1]
_RUNS: dict[str, RunResult] = {}


def sample_run(language: str, tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    """The whole report on the sample in ``language`` (``"fi"`` or ``"en"``), run once."""
    if language not in _RUNS:
        _RUNS[language] = run_report(
            REPO / "params" / "default.yaml", language=language,
            out_dir=str(tmp_path_factory.mktemp(f"sample-{language}")), progress=lambda s: None,
        )
    return _RUNS[language]


def report_pages(run: RunResult) -> list[Path]:
    """Every HTML page a reader opens: each notebook's report and the index."""
    return [*(nb.html for nb in run.notebooks), run.run_dir / "index.html"]
