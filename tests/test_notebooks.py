"""The committed notebooks: executed on the sample, nothing personal, the right conventions."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from workbench.paths import notebooks_dir

NOTEBOOKS = sorted(notebooks_dir().glob("*.ipynb"))
EMAIL = re.compile(r"[\w.%+-]+@([\w-]+\.)+[A-Za-z]{2,}")


@pytest.fixture(params=NOTEBOOKS, ids=lambda p: p.stem)
def nb(request: pytest.FixtureRequest) -> nbformat.NotebookNode:
    return nbformat.read(request.param, as_version=4)


def test_there_are_report_notebooks() -> None:
    assert [p.stem for p in NOTEBOOKS][:3] == ["00_overview", "01_commitment", "02_energy_drain"]


def test_parameters_cell_comes_first(nb: nbformat.NotebookNode) -> None:
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    for name in ("params_file", "as_of", "data_dir", "out_dir", "interactive"):
        assert re.search(rf"^{name} = ", code[0].source, re.M), name


def test_committed_with_outputs_and_no_errors(nb: nbformat.NotebookNode) -> None:
    """nbval compares against committed outputs: a notebook saved without them tests nothing."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    with_output = [c for c in code if c.outputs]
    assert len(with_output) >= len(code) // 2
    assert all(c.execution_count for c in code[1:]), "execute all cells before committing"
    assert not any(o.output_type == "error" for c in code for o in c.outputs)


def test_nothing_personal_in_outputs(nb: nbformat.NotebookNode) -> None:
    """Only the synthetic sample's reserved .example addresses; no local paths or run folders."""
    text = "\n".join(str(o) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    foreign = {m.group(0) for m in EMAIL.finditer(text)} - {
        m.group(0) for m in EMAIL.finditer(text) if m.group(0).endswith(".example")
    }
    assert not foreign, f"e-mail addresses outside .example in outputs: {sorted(foreign)[:3]}"
    assert "/reports/" not in text and str(Path.home()) + "/" not in text


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_runs_interactively_as_in_jupyterlab(path: Path, tmp_path: Path) -> None:
    """The widget code behind `interactive = True` runs (scheduled runs and nbval never take
    it), from a folder other than the notebooks', in a fresh process (see tests/inprocess.py)."""
    out = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("inprocess.py")), str(path), '{"interactive": true}'],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert "error" not in result, result.get("error")
    if "if interactive" in path.read_text(encoding="utf-8"):
        assert "application/vnd.jupyter.widget-view+json" in result["mimetypes"], (
            "interactive=True showed no widget"
        )


# --------------------------------------------------------------------------- explore.ipynb

EXPLORE = notebooks_dir() / "explore.ipynb"


def test_explorer_stays_out_of_the_scheduled_report() -> None:
    from workbench.run import discover_notebooks

    assert EXPLORE.exists() and EXPLORE not in discover_notebooks()


def test_explorer_calls_only_the_public_api() -> None:
    """The explorer imports workbench and its public modules, and touches nothing private."""
    public = {"commitment", "energy", "explore", "plan", "plots", "kpis", "scenario", "widgets"}
    import workbench

    code = "\n".join(c.source for c in nbformat.read(EXPLORE, as_version=4).cells if c.cell_type == "code")
    for module, names in re.findall(r"^\s*from (workbench[\w.]*) import ([^\n]+)", code, re.M):
        if module == "workbench":
            imported = {n.split(" as ")[0].strip() for n in names.split(",")}
            assert imported <= public | set(workbench.__all__), imported
        else:
            assert module.removeprefix("workbench.") in public, module
    assert not re.search(r"\b(?:wb|commitment|energy|explore|plots|kpis|scenario|widgets|explorer)\._", code), \
        "private name used"
