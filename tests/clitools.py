"""What tests of `workbench` as a user types it check after each command."""

from __future__ import annotations

import hashlib
from pathlib import Path


def digest(*paths: Path) -> dict[str, str]:
    """sha256 of every file under the paths, to prove a run or check left them untouched."""
    files = [f for p in paths for f in ([p] if p.is_file() else sorted(p.rglob("*"))) if f.is_file()]
    return {str(f): hashlib.sha256(f.read_bytes()).hexdigest() for f in files}


def one_line(err: str) -> str:
    """The message of a command that stopped as it should: one line, no traceback."""
    assert err.startswith("workbench: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err.removeprefix("workbench: ").rstrip("\n")
