"""Errors the workbench raises for user mistakes.

Each carries enough context to fix the problem without reading a traceback: the CLI
prints ``str(error)`` as one line and exits non-zero.
"""

from __future__ import annotations

import errno
import signal
from dataclasses import dataclass
from pathlib import Path

from .paths import nearest_existing


class WorkbenchError(Exception):
    """Base class: a problem the user can fix (bad input, bad params, failed run)."""


@dataclass
class InputError(WorkbenchError):
    """A data file that cannot be used as it is.

    Parameters
    ----------
    file : str
        The file (or table) the problem is in.
    problem : str
        What is wrong, in plain words.
    fix : str
        What the user should do about it.
    column : str, optional
        The column, by the name it has in the file.
    row : int, optional
        The row as a spreadsheet shows it: the header is row 1, the first data row is row 2.

    Examples
    --------
    >>> str(InputError("accounts.csv", "missing value", "fill it in", column="account_id", row=3))
    'accounts.csv, column account_id, row 3: missing value. Fix: fill it in'
    """

    file: str
    problem: str
    fix: str
    column: str | None = None
    row: int | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.column is not None:
            where.append(f"column {self.column}")
        if self.row is not None:
            where.append(f"row {self.row}")
        return f"{', '.join(where)}: {self.problem}. Fix: {self.fix}"


class ParamsError(WorkbenchError):
    """A parameter file that does not validate; the message names key and fix."""


class RunError(WorkbenchError):
    """A notebook that failed during a run; the message names notebook, cell and error."""


class LockedError(WorkbenchError):
    """Another run of the same client holds its lock; the message names that run.

    Nothing is wrong and nothing was made: the CLI exits with 75 (``EX_TEMPFAIL``), which
    tells a scheduler to try again later.
    """


class Stopped(KeyboardInterrupt):
    """A run stopped from outside: Ctrl-C (SIGINT) or a stop request (SIGTERM).

    A KeyboardInterrupt, because asyncio and the notebook client let Ctrl-C through their
    error handling: a scheduler's SIGTERM then unwinds every layer exactly as Ctrl-C does.

    Parameters
    ----------
    signum : int
        The signal that stopped the run; the exit code is 128 + signum.
    note : str
        What became of the unfinished run, when one was started.

    Examples
    --------
    >>> stop = Stopped(signal.SIGTERM, "the unfinished run is kept in reports/x-failed")
    >>> str(stop), stop.exit_code
    ('stopped by SIGTERM; the unfinished run is kept in reports/x-failed', 143)
    >>> str(Stopped()), Stopped().exit_code
    ('interrupted', 130)
    """

    def __init__(self, signum: int = signal.SIGINT, note: str = "") -> None:
        super().__init__(signum, note)
        self.signum = signum
        self.note = note

    @property
    def what(self) -> str:
        """``interrupted`` (Ctrl-C) or ``stopped by SIGTERM``."""
        if self.signum == signal.SIGINT:
            return "interrupted"
        return f"stopped by {signal.Signals(self.signum).name}"

    @property
    def exit_code(self) -> int:
        """The shell's convention for a process ended by a signal: 128 + its number."""
        return 128 + self.signum

    def __str__(self) -> str:
        return f"{self.what}; {self.note}" if self.note else self.what


#: Errors that mean the disk (or the user's quota on it) is full: one fix, wherever it struck.
DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})


class OutputError(WorkbenchError):
    """An output folder that cannot be written: read-only, not a folder, or a full disk.

    Examples
    --------
    >>> e = OSError(errno.EROFS, "Read-only file system", "/nonexistent-root/reports")
    >>> str(OutputError.from_os_error(Path("/nonexistent-root/reports"), e))  # doctest: +ELLIPSIS
    '/nonexistent-root/reports: cannot create this folder in / (read-only file system). Fix: give --out ...'
    """

    @classmethod
    def from_os_error(
        cls,
        folder: Path,
        error: OSError,
        *,
        kept: Path | None = None,
        option: str = "--out",
        key: str | None = "report.out_dir",
    ) -> OutputError:
        """One line naming the folder, what stands in the way and the fix.

        Parameters
        ----------
        folder : Path
            The output folder as the user chose it (``option`` or ``key``).
        error : OSError
            What the file system said; its ``filename`` (when set) tells which part of
            the path is in the way.
        kept : Path, optional
            Where the unfinished run was set aside, when it was.
        option : str
            The command-line option that chooses the folder.
        key : str, optional
            The params key that chooses it by default.

        Returns
        -------
        OutputError
        """
        blocker = nearest_existing(Path(error.filename) if error.filename else folder)
        or_key = f", or change {key} in params" if key else ""
        if error.errno in DISK_FULL:
            problem = "the disk is full"
            fix = f"free space on that disk, or give {option} a folder on another disk, then run again"
        elif blocker.exists() and not blocker.is_dir():
            problem = "this is a file, not a folder" if blocker == folder else f"{blocker} is a file, not a folder"
            fix = f"give {option} a folder, not a file{or_key}"
        else:
            reason = {errno.EROFS: "read-only file system", errno.EACCES: "permission denied",
                      errno.EPERM: "permission denied"}.get(error.errno or 0, error.strerror or str(error))
            inside = blocker == folder or folder in blocker.parents
            problem = f"cannot write here ({reason})" if inside else f"cannot create this folder in {blocker} ({reason})"
            fix = f"give {option} a folder you can write to{or_key}"
        if kept is not None:
            problem += f"; the unfinished run is kept in {kept}"
        return cls(f"{folder}: {problem}. Fix: {fix}")
