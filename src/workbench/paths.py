"""Where things are, independent of the kernel's working folder.

JupyterLab, papermill and nbval each start the kernel in a different folder, so every
relative path in params is resolved against the repository root, never the cwd.
"""

from __future__ import annotations

import os
from pathlib import Path

_MARKERS = ("pyproject.toml", "params")


def repo_root() -> Path:
    """Return the workbench checkout this package runs from.

    ``WORKBENCH_ROOT`` wins when set (an installed, non-editable package has no
    checkout around it); otherwise the first parent of this file holding both
    ``pyproject.toml`` and ``params/``; otherwise the current folder.
    """
    env = os.environ.get("WORKBENCH_ROOT")
    if env:
        return Path(env).resolve()
    for parent in Path(__file__).resolve().parents:
        if all((parent / m).exists() for m in _MARKERS):
            return parent
    return Path.cwd().resolve()


def resolve(path: str | os.PathLike[str], base: Path | None = None) -> Path:
    """Resolve ``path`` against ``base`` (default: the repository root) unless absolute."""
    p = Path(path).expanduser()
    return p if p.is_absolute() else ((base or repo_root()) / p).resolve()


def notebooks_dir() -> Path:
    """The folder of the report notebooks."""
    return repo_root() / "notebooks"


def nearest_existing(path: Path) -> Path:
    """``path`` or the nearest of its parents that exists (a file counts).

    A part the user may not look into counts as missing: its parent is where access stops.
    """
    while path != path.parent:
        try:
            if path.exists():
                return path
        except OSError:
            pass
        path = path.parent
    return path
