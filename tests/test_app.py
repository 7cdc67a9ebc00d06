"""``workbench app``: the explorer parameterized for Voilà, and mistakes caught before it starts.

(The app itself, served and used in Chromium, is ``tests/test_browser_explorer.py``.)
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from clitools import digest, one_line
from workbench import app
from workbench.cli import main
from workbench.paths import notebooks_dir

REPO = Path(__file__).resolve().parents[1]


def test_the_app_runs_a_parameterized_copy_without_the_notebook_only_cells(tmp_path: Path) -> None:
    before = digest(notebooks_dir() / "explore.ipynb")
    path = app.app_notebook("params/default.yaml", tmp_path, data_dir=str(REPO / "data" / "sample"))
    nb = nbformat.read(path, as_version=4)
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert "interactive = True" in injected.source
    assert f'params_file = "{REPO / "params" / "default.yaml"}"' in injected.source
    assert not any(app.NOTEBOOK_ONLY in c.metadata.get("tags", []) for c in nb.cells)
    original = nbformat.read(notebooks_dir() / "explore.ipynb", as_version=4)
    assert any(app.NOTEBOOK_ONLY in c.metadata.get("tags", []) for c in original.cells), \
        "the explorer lost its notebook-only cell: this test would check nothing"
    assert digest(notebooks_dir() / "explore.ipynb") == before


def test_the_app_speaks_the_reports_language(tmp_path: Path) -> None:
    nb = nbformat.read(app.app_notebook("params/default.yaml", tmp_path, language="fi"), as_version=4)
    prose = [c.source for c in nb.cells if c.cell_type == "markdown"]
    assert prose and all(s.startswith(("# Tutkija", "Mitä aineisto")) for s in prose), prose


def test_voila_serves_this_machine_only_with_the_template_that_asks_no_cdn() -> None:
    cmd = app.voila_command(Path("x.ipynb"), port=9999, open_browser=False)
    assert "--Voila.ip=127.0.0.1" in cmd and "--template=workbench" in cmd
    template = app.JUPYTER_PATH / "voila" / "templates" / "workbench" / "index.html.j2"
    assert template.is_file() and str(app.JUPYTER_PATH) in app.voila_environment()["JUPYTER_PATH"]


@pytest.mark.parametrize("args, says", [
    (["--params", "params/nowhere.yaml"], "parameter file not found"),
    (["--data", "no/such/folder"], "no such data folder"),
])
def test_a_mistake_is_one_line_before_anything_starts(args: list[str], says: str, capsys, monkeypatch) -> None:
    monkeypatch.setattr(app.subprocess, "call", lambda *a, **k: pytest.fail("Voilà was started"))
    assert main(["app", "--no-browser", *args]) == 2
    assert says in one_line(capsys.readouterr().err)
