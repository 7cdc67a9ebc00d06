"""Run a notebook's code cells in a plain IPython shell: no kernel, no ZeroMQ.

    python tests/inprocess.py NOTEBOOK.ipynb '{"interactive": true}'

Papermill injects the parameters as it would; each code cell then runs in one
``InteractiveShell`` with its outputs captured. Prints one JSON line: the first failing
cell and its error, or the MIME types the notebook displayed.

Why not a kernel: executing widget cells through nbclient and a kernel now and then
never returns (nbclient waits for a reply the kernel has sent; seen about one run in
fifteen here, jupyter/nbclient#312). The notebooks' widget code is what is under test,
not that race.
"""

from __future__ import annotations

import json
import sys

from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook


def run(path: str, parameters: dict[str, object]) -> dict[str, object]:
    """Execute the code cells of ``path`` with ``parameters`` injected."""
    nb = parameterize_notebook(load_notebook_node(path), parameters)
    shell = InteractiveShell.instance()
    mimetypes: set[str] = set()
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        with capture_output() as captured:
            result = shell.run_cell(cell.source, store_history=True)
        if not result.success:
            error = result.error_in_exec or result.error_before_exec
            return {"error": f"cell {index}: {type(error).__name__}: {error}"}
        mimetypes.update(m for output in captured.outputs for m in output.data)
    return {"mimetypes": sorted(mimetypes)}


if __name__ == "__main__":
    print(json.dumps(run(sys.argv[1], json.loads(sys.argv[2]))))
