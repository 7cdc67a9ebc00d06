"""A client's runs in ``<out_dir>/<client>/``: how their folders are named, listing them, and pruning.

A run folder is named ``<as_of>_<YYYYmmddTHHMMSS>[-n]`` after the analysis date and the
moment it ran; a failed run adds ``-failed``, and one being built is the hidden
``.<run-id>.partial``. Only folders named so are ever removed: anything else a user keeps
beside the runs is left alone.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

_RUN_ID = r"\d{4}-\d{2}-\d{2}_(?P<stamp>\d{8}T\d{6})(?:-(?P<n>\d+))?"
RUN_FOLDER = re.compile(rf"(?P<run_id>{_RUN_ID})(?P<failed>-failed)?")
STAGING_FOLDER = re.compile(rf"\.(?P<run_id>{_RUN_ID})\.partial")
#: A run being removed: renamed first, so a removal cut short never leaves a run that looks whole.
_REMOVING = re.compile(rf"\.{_RUN_ID}(?:-failed)?\.removing")


def new_run_id(base: Path, day: dt.date) -> str:
    """A run id for ``day`` that no folder in ``base`` uses yet.

    Examples
    --------
    >>> new_run_id(Path("/nonexistent"), dt.date(2026, 11, 1))  # doctest: +ELLIPSIS
    '2026-11-01_...T...'
    """
    # The clock names the folder (so runs sort by when they ran); it never enters analysis.
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    run_id = f"{day.isoformat()}_{stamp}"
    n = 1
    while any((base / name).exists() for name in (run_id, staging_name(run_id), failed_name(run_id))):
        n += 1
        run_id = f"{day.isoformat()}_{stamp}-{n}"
    return run_id


def staging_name(run_id: str) -> str:
    """The hidden folder a run is built in."""
    return f".{run_id}.partial"


def failed_name(run_id: str) -> str:
    """The folder a failed run is kept in."""
    return f"{run_id}-failed"


@dataclass(frozen=True)
class RunFolder:
    """A folder named like a run: where it is, its id, its analysis date, whether it failed.

    Examples
    --------
    >>> run = run_folder(Path("reports/sample/2026-11-01_20261102T060001-2-failed"))
    >>> run.run_id, run.as_of, run.failed
    ('2026-11-01_20261102T060001-2', datetime.date(2026, 11, 1), True)
    >>> run_folder(Path("reports/sample/compare")) is None
    True
    """

    path: Path
    run_id: str
    as_of: dt.date
    failed: bool
    stamp: str
    n: int

    @property
    def order(self) -> tuple[dt.date, str, int]:
        """Sorts by analysis date, then by when the runs ran."""
        return self.as_of, self.stamp, self.n


def run_folder(path: Path) -> RunFolder | None:
    """``path`` as a run, or ``None`` when its name is not a run's (or not a real date)."""
    m = RUN_FOLDER.fullmatch(path.name)
    if not m:
        return None
    try:
        day = dt.date.fromisoformat(m["run_id"][:10])
    except ValueError:
        return None
    return RunFolder(path, m["run_id"], day, bool(m["failed"]), m["stamp"], int(m["n"] or 1))


def list_runs(base: Path) -> list[RunFolder]:
    """A client's finished runs in ``base``: oldest analysis date first, then as they ran.

    Failed runs, runs being built or removed, and anything else kept in ``base`` are left
    out.

    Examples
    --------
    >>> list_runs(Path("/nonexistent"))
    []
    """
    if not base.is_dir():
        return []
    runs = (run_folder(p) for p in base.iterdir() if p.is_dir())
    return sorted((r for r in runs if r is not None and not r.failed), key=lambda r: r.order)


@dataclass(frozen=True)
class Removal:
    """An old run removed by :func:`prune`, or the reason it could not be."""

    path: Path
    error: str | None = None


def prune(base: Path, keep: int, *, current: Path) -> list[Removal]:
    """Remove the oldest runs in ``base`` beyond the newest ``keep``.

    Successful and failed runs are counted apart: ``keep`` of each stay. ``current`` (the
    run just made) always stays and counts among the ``keep``. Runs are ordered by when they
    ran, as their names say. What a removal cut short earlier is removed too.

    Parameters
    ----------
    base : Path
        A client's report folder, ``<out_dir>/<client>``.
    keep : int
        How many successful (and how many failed) runs to keep, at least 1.
    current : Path
        The run just made.

    Returns
    -------
    list of Removal
        Each folder removed, or the error that stopped its removal.
    """
    done, failed = [], []
    leftovers = []
    for p in base.iterdir():
        # A symlink named like a run points elsewhere: removing it is not ours to decide.
        if p.is_symlink() or not p.is_dir() or p == current:
            continue
        m = RUN_FOLDER.fullmatch(p.name)
        if m:
            (failed if m["failed"] else done).append((m["stamp"], int(m["n"] or 1), p))
        elif _REMOVING.fullmatch(p.name):
            leftovers.append(p)
    old = [p for _, _, p in sorted(done, reverse=True)[keep - 1:]]
    old += [p for _, _, p in sorted(failed, reverse=True)[keep:]]
    return [_remove(p, rename=True) for p in sorted(old)] + [_remove(p, rename=False) for p in sorted(leftovers)]


def _remove(path: Path, *, rename: bool) -> Removal:
    target = path.with_name(f".{path.name}.removing") if rename else path
    try:
        if rename:
            os.replace(path, target)
        shutil.rmtree(target)
    except OSError as e:
        return Removal(path, e.strerror or str(e))
    return Removal(path)
