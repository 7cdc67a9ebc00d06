"""The canonical tables of one client, as loaded and validated."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

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
    """

    accounts: pd.DataFrame
    interactions: pd.DataFrame
    invoices: pd.DataFrame | None = None
    surveys: pd.DataFrame | None = None
    leads: pd.DataFrame | None = None
    team: pd.DataFrame | None = None
    sources: list[SourceFile] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def has(self, table: str) -> bool:
        """Whether the portfolio holds a non-empty ``table``."""
        df = getattr(self, table)
        return df is not None and len(df) > 0

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
