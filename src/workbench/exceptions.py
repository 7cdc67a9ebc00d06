"""Errors the workbench raises for user mistakes.

Each carries enough context to fix the problem without reading a traceback: the CLI
prints ``str(error)`` as one line and exits non-zero.
"""

from __future__ import annotations

from dataclasses import dataclass


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
