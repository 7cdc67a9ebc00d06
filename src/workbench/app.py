"""``workbench app``: the explorer served as an app without code, for the client at the table.

Voilà runs ``notebooks/explore.ipynb`` in a kernel of its own and shows its outputs and
widgets, never its code. The notebook is parameterized the way papermill parameterizes a
report (the params file, the data folder, ``as_of``, ``interactive = True``) into a
temporary copy, without the cells tagged :data:`NOTEBOOK_ONLY` (how to open it in
JupyterLab); the committed notebook is never changed.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

from .exceptions import InputError, WorkbenchError
from .i18n import translate_notebook
from .params import load_params
from .paths import notebooks_dir, repo_root, resolve

#: Cells of the explorer that speak to a notebook's reader, not to an app's.
NOTEBOOK_ONLY = "notebook-only"


def app_notebook(params_file: str | Path, folder: Path, *, data_dir: str | None = None,
                 as_of: dt.date | None = None, language: str | None = None) -> Path:
    """Write the explorer, parameterized for the app (its prose in ``language`` when
    given), to ``folder``; return its path.

    Examples
    --------
    >>> import tempfile
    >>> nb = nbformat.read(app_notebook("params/default.yaml", Path(tempfile.mkdtemp())), as_version=4)
    >>> "interactive = True" in nb.cells[[c.metadata.get("tags") for c in nb.cells].index(["injected-parameters"])].source
    True
    """
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    nb = load_notebook_node(str(notebooks_dir() / "explore.ipynb"))
    nb.cells = [c for c in nb.cells if NOTEBOOK_ONLY not in c.metadata.tags]
    if language:  # the client reads the prose in the report's language, as a run's notebooks
        translate_notebook(nb, language)
    nb = parameterize_notebook(nb, {
        "params_file": str(resolve(params_file)),
        "data_dir": str(resolve(data_dir, Path.cwd())) if data_dir else None,
        "as_of": as_of.isoformat() if as_of else None,
        "interactive": True,
    })
    path = folder / "explore.ipynb"
    nbformat.write(nb, path)
    return path


#: Where Jupyter finds the app's Voilà template (``voila/templates/workbench``: the lab
#: template without its links to a CDN).
JUPYTER_PATH = Path(__file__).parent / "templates" / "jupyter"


def voila_command(notebook: Path, *, port: int, open_browser: bool) -> list[str]:
    """The Voilà command serving ``notebook`` on this machine only (127.0.0.1); run it with
    :func:`voila_environment`."""
    return [sys.executable, "-m", "voila", str(notebook), f"--port={port}", "--Voila.ip=127.0.0.1",
            "--Voila.port_retries=0", f"--Voila.open_browser={open_browser}", "--theme=light",
            "--template=workbench", "--VoilaConfiguration.show_tracebacks=False"]


def voila_environment() -> dict[str, str]:
    """This process's environment with the app's template on ``JUPYTER_PATH``."""
    env = dict(os.environ)
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(JUPYTER_PATH), env.get("JUPYTER_PATH", "")) if p)
    return env


def serve(params_file: str | Path, *, data_dir: str | None = None, as_of: dt.date | None = None,
          port: int = 8866, open_browser: bool = True) -> int:
    """Serve the explorer until Ctrl-C; returns Voilà's exit code.

    The params and the data folder are checked first, so a mistake is one line here, not
    an error page in the browser.
    """
    params = load_params(params_file, data_dir=data_dir, as_of=as_of)
    if not params.data.path.is_dir():
        raise InputError(str(params.data.path), "no such data folder",
                         f"give --data a folder of the client's files, or set data.dir in {params_file}")
    if importlib.util.find_spec("voila") is None:
        raise WorkbenchError("Voilà is not installed in this environment. Fix: .venv/bin/pip install -e \".[dev]\"")
    with tempfile.TemporaryDirectory(prefix="workbench-app-") as folder:
        notebook = app_notebook(params_file, Path(folder), data_dir=data_dir, as_of=as_of,
                                language=params.report.language)
        print(f"the explorer for {params.client.name}: http://127.0.0.1:{port}/  (Ctrl-C stops it)", flush=True)
        return subprocess.call(voila_command(notebook, port=port, open_browser=open_browser), cwd=repo_root(),
                               env=voila_environment())
