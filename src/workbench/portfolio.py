"""The canonical tables of one client, as loaded and validated."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class SourceFile:
    """One input file that went into a portfolio, with its checksum for the run record."""

    table: str
    path: Path
    sha256: str
    rows: int


@dataclass
class Portfolio:
    """A client's canonical tables (see :mod:`workbench.schema`).

    ``accounts`` and ``interactions`` are always present (``interactions`` has no rows when
    the client has no contact log); the other tables are ``None`` when the client has no
    such data, and every analysis says what it could not compute.
    ``interactions`` carries ``seq``, the row's position in the input, as a stable
    tie-breaker for events with equal timestamps. ``notes`` lists, in plain sentences,
    every repair the loader made (rows left out, values folded) so reports can show them.

    ``log_file`` is the canonical log kept as Parquet (``seq`` included), as a run keeps it
    (:mod:`workbench.prepared`): the engines then scan the file where it lies, and the
    pandas ``interactions`` is read from it only when something asks for it (and by
    ``dataclasses.replace``, which reads every field). Give either ``interactions`` or
    ``log_file``; given both, they hold the same rows.
    """

    accounts: pd.DataFrame
    # Not in the repr: showing a portfolio must not read a log kept as a file.
    interactions: pd.DataFrame = field(default=None, repr=False)  # type: ignore[assignment]
    invoices: pd.DataFrame | None = None
    surveys: pd.DataFrame | None = None
    leads: pd.DataFrame | None = None
    team: pd.DataFrame | None = None
    sources: list[SourceFile] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    log_file: Path | None = None

    def __post_init__(self) -> None:
        if self.log_file is None and self.__dict__.get("_interactions") is None:
            raise ValueError("a Portfolio needs interactions (a frame, possibly empty) or a log_file")

    def has(self, table: str) -> bool:
        """Whether the portfolio holds a non-empty ``table``."""
        if table == "interactions":
            return self.log_rows > 0
        df = getattr(self, table)
        return df is not None and len(df) > 0

    @property
    def log_rows(self) -> int:
        """Events in the contact log; a log kept as a file is counted from its footer."""
        return len(self.interactions) if self.log_loaded else _parquet_rows(self.log_file)  # type: ignore[arg-type]

    @property
    def log_source(self) -> pd.DataFrame | Path:
        """The log as something can read it without loading it: the frame when it is in
        memory, else the file."""
        return self.interactions if self.log_loaded else self.log_file  # type: ignore[return-value]

    @property
    def log_loaded(self) -> bool:
        """Whether the pandas log is in memory (given, or read from ``log_file`` already)."""
        return self.__dict__.get("_interactions") is not None

    @property
    def checksums(self) -> dict[str, str]:
        """``{file name: sha256}`` of every input, for the run record."""
        return {f"{s.table}:{s.path.name}": s.sha256 for s in self.sources}

    def changed_inputs(self) -> list[str]:
        """The inputs whose bytes are no longer those read (edited or replaced meanwhile).

        A report states what the files held when they were read; the run record says when
        a file changed under it, so nobody takes the report for the file's new content.
        """
        from .exceptions import InputError
        from .mail import source_digest  # a Maildir's digest is over its message files

        changed = []
        for s in self.sources:
            try:
                now = source_digest(s.path) if s.path.exists() else None
            except InputError:
                now = None
            if now != s.sha256:
                changed.append(f"{s.table}:{s.path.name}")
        return changed


def _get_interactions(self: Portfolio) -> pd.DataFrame:
    frame = self.__dict__.get("_interactions")
    if frame is None:
        from .prepared import read_log

        # Only what needs the log event by event pays for it in memory.
        frame = read_log(self.log_file)  # type: ignore[arg-type]
        self.__dict__["_interactions"] = frame
    return frame


def _set_interactions(self: Portfolio, frame: Any) -> None:
    self.__dict__["_interactions"] = frame


# A property under the field's name: ``Portfolio(interactions=...)`` and
# ``dataclasses.replace`` keep working, and a log kept as a file is read on first use.
Portfolio.interactions = property(_get_interactions, _set_interactions)  # type: ignore[assignment]


def _parquet_rows(path: Path) -> int:
    """Rows of a Parquet file, from its footer (nothing else is read)."""
    import pyarrow.parquet as pq

    return int(pq.ParquetFile(path).metadata.num_rows)
