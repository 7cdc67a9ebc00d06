"""Load a client's files into a validated :class:`~workbench.portfolio.Portfolio`.

Consultants get exports, not databases: semicolon CSVs in cp1252 with decimal commas,
Excel sheets, BOMs, odd timestamp formats, duplicated rows. This module turns such files
into the canonical tables of :mod:`workbench.schema` and either succeeds or raises one
:class:`~workbench.exceptions.InputError` naming file, column (as written in the file),
spreadsheet row (header = row 1) and the fix. Every repair it makes is written as a plain
sentence into ``Portfolio.notes``; nothing is changed silently, and input files are only
ever opened for reading.

How the guesses are made (and how to override each one in the params file)
-------------------------------------------------------------------------------
encoding
    UTF-16 when the file starts with its byte-order mark, else UTF-8 (with or without
    BOM) when the bytes decode as UTF-8, else cp1252, else latin-1. These byte rules are
    exact for the encodings exports use; a statistical detector such as
    charset-normalizer guesses ``hp_roman8`` for a short cp1252 file full of ä and ö,
    so it is not used. ``encoding:`` wins.
delimiter
    The candidate among ``, ; tab |`` that splits the first lines into the most
    consistent number of fields (at least two). ``delimiter:`` wins; Excel's
    ``sep=;`` first line is honoured. Up to ten title lines above the header are skipped
    (with a note).
decimal separator
    Decided per value when it is unambiguous (``1 234,50``, ``1.234,50``, ``12,5``,
    ``1,234,567``), otherwise by the majority of the column; a column holding only
    values such as ``1,250`` reads the lone separator as the decimal separator and
    says so in a note. Spaces, non-breaking and thin spaces, apostrophes and currency
    signs are ignored. ``decimal:`` wins.
dates and times
    ISO 8601 (also ``2012/10/09 14:50:17.000``), ``d.m.yyyy [klo] hh.mm``,
    ``dd/mm/yyyy`` (day first unless ``dayfirst: false``, or unless the column itself
    proves month-first, e.g. ``03/15/2024``, which is noted), two-digit years, AM/PM,
    Excel serial numbers and Unix epochs. ``date_format:`` wins.
time zones
    Values with an offset (``+02:00``, ``Z``) are converted to UTC. Naive values are
    wall-clock times in ``client.timezone``. A time in the hour skipped when clocks go
    forward is moved forward (``nonexistent="shift_forward"``); a time in the hour
    that repeats when clocks go back is read as its *first* occurrence, i.e. summer
    time, as Python's own ``datetime`` does (``fold=0``). Both are counted in a note.
    Excel serial days (five digits, e.g. ``45366``) are wall-clock times too; Unix epoch
    seconds (ten digits) and milliseconds (thirteen) are UTC.
column names
    ``columns:`` maps a canonical column to the file's name for it; any other canonical
    column is found ignoring case, spaces, underscores, hyphens and dots
    (``Account ID`` is ``account_id``). Other columns are dropped.
values
    Text is stripped and empty means missing. Ids stay text (``00123`` keeps its
    zeros; ``123.0`` from a spreadsheet becomes ``123``). ``values:`` maps a file's
    values onto canonical ones for any column, ignoring case; the key ``''`` maps
    empty cells.

Columns params make (each labelled by what the user wrote, so messages quote it):
``derive`` computes a number column from two of the file's (``amount: Quantity *
UnitPrice`` for a line-item export); ``constants`` fills a column the file lacks
(``channel: ticket``); ``credits`` turns rows whose id matches a pattern (``^C``) into
credits, which lower revenue and are never purchases, whatever sign the export gave them.

Event logs: ``contacts`` reads a ticket system's status updates as contacts: each
thread's first event is the customer's inbound, listed events are contacts with the
direction given; every other row is left out and counted.

Repairs (each one a sentence in the notes): rows of interactions, invoices and surveys
without an account id are left out as unattributed (a shop's cash sales); rows naming
account ids not in accounts are left out (all of them unknown is an error: a wrong
mapping), except ids that differ only in leading zeros a spreadsheet dropped, which are
matched; rows dated before 1990 or isolated more than a year after the rest of their table
are left out (they would become the analysis date); exactly duplicated interactions are
left out; a lead answered before it was created loses its ``first_response_ts``; an
account without a name is named by its id; title lines above a header are skipped, in
CSV and Excel (``header_row`` says where it is); a table file with a header and no rows is
no table. Only accounts are required (or ``data.accounts_from`` takes them from a log's
ids), and at least one of interactions and invoices; without a contact log the
interactions are an empty table.

E-mail: the interactions may come from an mbox file or a Maildir folder instead of, or
besides, a table file; :mod:`workbench.mail` reads their headers (never the bodies),
matches them to accounts by ``accounts.email`` and ``accounts.domain`` and says in notes
what it left out (unmatched, internal, automatic, duplicate and undated messages).

Output types: ``str`` columns use pandas' default string dtype, ``float`` is float64,
``date`` is naive ``datetime64[ns]`` at midnight, ``ts`` is ``datetime64[ns, UTC]``,
``bool`` is the nullable ``boolean`` dtype. Every canonical column is present; an
optional column the file does not have is all-missing and listed in
``frame.attrs["absent"]``.
"""

from __future__ import annotations

import csv
import difflib
import gzip
import hashlib
import io
import json
import re
import warnings
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .exceptions import InputError
from .mail import MAIL_HEADERS, MAIL_SUFFIXES, is_mail_source, is_maildir, read_mail
from .params import ContactRule, Params, TableSource, split_arithmetic
from .portfolio import Portfolio, SourceFile
from .schema import (
    BOOL_FALSE,
    BOOL_TRUE,
    CHANNEL_SYNONYMS,
    DIRECTION_SYNONYMS,
    BEHAVIOUR_TABLES,
    REQUIRED_TABLES,
    TABLES,
)

__all__ = ["load_portfolio", "read_table"]

#: Names tried, in this order, when a table has no ``file:`` in params.
DISCOVER_SUFFIXES = (
    ".csv", ".csv.gz", ".tsv", ".tsv.gz", ".txt", ".txt.gz", ".xlsx", ".xls", ".parquet",
)
_TEXT_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})
_EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls"})
_PARQUET_SUFFIXES = frozenset({".parquet", ".pq"})
_DELIMITERS = (",", ";", "\t", "|")
_SNIFF_CHARS = 64_000
_SNIFF_LINES = 60
_MAX_PREAMBLE = 10
#: Canonical columns where a negative number is a mistake rather than, say, a credit note.
_NON_NEGATIVE = frozenset({"minutes", "hours_per_week", "cost_per_hour", "score"})
#: Required columns whose empty values are repaired (with a note) instead of refused.
_FILLED_LATER = frozenset({("accounts", "name")})
#: Tables whose rows without an account id are left out (with a note) as unattributed:
#: a shop's cash sales, a ticket from no customer. All of them empty is an error.
_ATTRIBUTED = ("interactions", "invoices", "surveys")
_KIND_WORDS = {
    "str": "text", "date": "a date", "ts": "a date and time", "float": "a number",
    "bool": "yes/no", "direction": "in/out", "channel": "a channel",
}
_NUMBER_JUNK = re.compile(r"[\s\u00a0\u202f\u2009\u2007'’€$£]|(?i:eur|usd|gbp|sek|nok|dkk)$")
_OFFSET_END = r"(?:Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)$"
# An offset counts only after a time ("…:30+02:00"); "2024-03-15" ends in "-15" too.
# A plain string without \s, so pandas hands it to pyarrow's regex engine (much faster).
_HAS_OFFSET = r"[:.]\d{1,2}(?:[.,]\d+)? *" + _OFFSET_END
_CONTROL_BYTES = re.compile(rb"[\x01-\x08\x0e-\x1a\x1c-\x1f]")
_LOOSE_DT = re.compile(
    r"^(?:(?P<Y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})"
    r"|(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<y>\d{4}|\d{2}))"
    r"(?:(?:T|\s+klo\s+|\s+kl\.?\s+|\s*,\s*|\s+)"
    r"(?P<H>\d{1,2})[:.](?P<M>\d{2})(?:[:.](?P<S>\d{2})(?:[.,](?P<f>\d{1,9}))?)?"
    r"\s*(?P<p>[AaPp]\.?[Mm]\.?)?)?"
    r"\s*(?P<z>Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$"
)


# --------------------------------------------------------------------------- public API


def read_table(path: Path, table: str, source: TableSource, *, tz: str) -> pd.DataFrame:
    """Read one file as the canonical ``table``: mapped, typed and validated.

    Parameters
    ----------
    path : Path
        A CSV (also ``.tsv``, ``.txt``, gzipped ``.gz``), Excel or Parquet file.
    table : str
        A table name of :data:`workbench.schema.TABLES`.
    source : TableSource
        Column mapping, value mapping and format overrides (``params.data.source(table)``).
    tz : str
        IANA zone that naive timestamps are read in (``params.client.timezone``).

    Returns
    -------
    pandas.DataFrame
        Every canonical column of ``table`` in schema order (``interactions`` also gets
        ``seq``, the row's position in the file). The repairs made within the file are
        listed in ``frame.attrs["notes"]``; checks that need other tables (unknown
        account ids) are left to :func:`load_portfolio`.

    Raises
    ------
    InputError
        Naming the file, the column as written in the file, the spreadsheet row of the
        first bad value (with the count of further bad rows) and the fix.

    Examples
    --------
    >>> from workbench.params import TableSource
    >>> df = read_table(Path("data/sample/accounts.csv"), "accounts", TableSource(),
    ...                 tz="Europe/Helsinki")  # doctest: +SKIP
    >>> list(df.columns[:2])  # doctest: +SKIP
    ['account_id', 'name']
    """
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}; the tables are {', '.join(TABLES)}")
    loaded = _load_table([Path(path)], table, source, tz)
    frame = loaded.public_frame()
    frame.attrs["notes"] = list(loaded.notes)
    return frame


def load_portfolio(params: Params) -> Portfolio:
    """Load every table of a client into a validated :class:`Portfolio`.

    For each table of :data:`workbench.schema.TABLES` the file is
    ``params.data.source(table).file`` (a glob stacks all matches in name order) or,
    when that is not set, ``<table>.csv`` / ``.csv.gz`` / ``.tsv`` / ``.txt`` /
    ``.xlsx`` / ``.xls`` / ``.parquet`` in ``params.data.path`` (case-insensitive).
    ``accounts`` is required (unless ``data.accounts_from`` names the log to take them
    from), and interactions or invoices; ``interactions`` is an empty table when the client
    has no contact log, the other tables are ``None`` when absent.
    The interactions may also be an e-mail export (:mod:`workbench.mail`): found as
    ``interactions.mbox`` (``.mbx``, ``.mbox.gz``) or a Maildir folder ``interactions/``
    (read besides a table file when both are there), or named by ``file:`` (an mbox,
    Thunderbird's extension-less ``Inbox``, a Maildir folder, or a glob over them);
    it needs ``params.client.domains``.

    Repairs, each written to ``Portfolio.notes``, are those the module docstring lists.

    Parameters
    ----------
    params : Params
        The run's parameters; ``data`` says where the files are and how they map,
        ``client.timezone`` how naive timestamps are read.

    Returns
    -------
    Portfolio
        The canonical tables, one :class:`SourceFile` per file read, and the notes.

    Raises
    ------
    InputError
        A required table is missing, a file cannot be read, or a value is wrong. Also
        when *no* row of a table names a known account: that is a wrong mapping, not
        something to repair.
    ParamsError
        The interactions come from e-mail and ``client.domains`` is not set.

    Examples
    --------
    >>> from workbench.params import load_params
    >>> p = load_portfolio(load_params("params/default.yaml"))  # doctest: +SKIP
    >>> p.has("interactions")  # doctest: +SKIP
    True
    """
    folder = params.data.path
    if not folder.is_dir():
        raise InputError(
            file=str(folder),
            problem="the data folder does not exist",
            fix="set data.dir in your params file to the folder that holds the client's files",
        )
    tz = params.client.timezone
    loaded: dict[str, _Loaded | None] = {}
    notes_empty: list[str] = []
    interaction_mail: list[Path] = []
    for table in TABLES:
        source = params.data.source(table)
        files = _find_files(folder, table, source)
        if table == "accounts" and params.data.accounts_from:
            if files:
                raise InputError(
                    file=files[0].name, problem=f"data.accounts_from is {params.data.accounts_from} "
                    "but the folder has an accounts file too",
                    fix="remove accounts_from from data in your params file to read the file, or "
                    "move the file away")
            files = []
        if not files:
            if table in REQUIRED_TABLES and not params.data.accounts_from:
                raise _missing_table_error(folder, table)
            loaded[table] = None
            continue
        mail = [f for f in files if is_mail_source(f)]
        if mail and table != "interactions":
            raise InputError(file=mail[0].name, problem=f"e-mail cannot be read as {table}",
                             fix=f"e-mail exports are read as interactions; correct `file:` "
                             f"under data.tables.{table} in your params file")
        files = [f for f in files if f not in mail]
        loaded[table] = _load_table(files, table, source, tz) if files else None
        if table == "interactions":
            interaction_mail = mail

    for table, part in loaded.items():
        if part is not None and part.frame.empty and table not in REQUIRED_TABLES:
            # An export of "no rows" is the client saying there are none, not a broken file.
            loaded[table] = None
            notes_empty.append(f"{part.label()} has a header but no rows: read as no {table}")
    for table, column in _DATED.items():
        part = loaded[table]
        if part is not None:
            _drop_implausible_dates(part, column)
    if params.data.accounts_from:
        loaded["accounts"] = _accounts_from(loaded[params.data.accounts_from],
                                            params.data.accounts_from, folder)
    accounts = loaded["accounts"]
    assert accounts is not None  # required above
    known = accounts.frame["account_id"]
    for table in ("interactions", "invoices", "surveys"):
        part = loaded[table]
        if part is not None:
            _drop_unknown_accounts(part, known)
    if interaction_mail:
        # Read last: matching needs the accounts, naming who handled it the team.
        loaded["interactions"] = _add_mail(loaded["interactions"], interaction_mail, params,
                                           accounts, loaded["team"])

    if not any(loaded[t] is not None and not loaded[t].frame.empty for t in BEHAVIOUR_TABLES):
        raise InputError(
            file=str(folder),
            problem="no contact log (interactions) and no invoices with rows: accounts alone show "
            f"no behaviour to analyse; {_listing(folder)}",
            fix="add interactions.csv (or an e-mail export) or invoices.csv, or name yours with "
            "`file:` under data.tables.interactions or data.tables.invoices in your params file",
        )
    # No contact log is no repair: each report lists what it could not compute without one.
    interactions = loaded["interactions"] or _empty_loaded("interactions")

    def frame(table: str) -> pd.DataFrame | None:
        part = loaded[table]
        return part.public_frame() if part is not None else None

    parts = [part for part in loaded.values() if part is not None]
    return Portfolio(
        accounts=accounts.public_frame(),
        interactions=interactions.public_frame(),
        invoices=frame("invoices"),
        surveys=frame("surveys"),
        leads=frame("leads"),
        team=frame("team"),
        sources=[s for part in parts for s in part.sources],
        notes=[note for part in parts for note in part.notes] + notes_empty,
    )


#: The date that places each row of a log in time.
_DATED = {"interactions": "ts", "invoices": "date", "surveys": "date", "leads": "created_ts"}
#: Before this no client's log holds a real event: a reset clock writes 1970 or 1980.
_EARLIEST = pd.Timestamp("1990-01-01")
#: A few rows this far after all the others are typos (2099 for 2029) or a broken clock.
_FUTURE_GAP = pd.Timedelta(days=365)
_FUTURE_SHARE = 0.01


def _drop_implausible_dates(t: _Loaded, column: str) -> None:
    """Leave out rows dated before 1990 or isolated far after the rest of the table.

    Such a date would become the analysis date (the day after the latest activity) or
    stretch every tenure; a handful of rows more than a year after all the others (at most
    1 % of the table) are taken as typos. Each is named in a note with its file and row.
    """
    frame = t.frame
    when = frame[column]
    naive = when.dt.tz_convert(None) if when.dt.tz is not None else when
    early = (naive < _EARLIEST).to_numpy(bool)
    late = np.zeros(len(frame), bool)
    order = naive[~early].dropna().sort_values()
    if len(order) > 1:
        gaps = order.diff()
        cut = gaps[gaps > _FUTURE_GAP]
        if len(cut):
            start = order.index.get_loc(cut.index[-1])
            tail = order.iloc[start:]
            if len(tail) <= max(1, int(_FUTURE_SHARE * len(order))):
                late[frame.index.get_indexer(tail.index)] = True
                latest = order.iloc[start - 1]
    for mask, why in ((early, "before 1990 (a reset clock)"),
                      (late, "more than a year after all the others (latest otherwise "
                       f"{latest:%Y-%m-%d}: a typo or a broken clock)" if late.any() else "")):
        if mask.any():
            n = int(mask.sum())
            rows = frame.loc[mask]
            shown = ", ".join(f"row {r} {d:%Y-%m-%d}" for r, d in zip(rows["_row"].head(3),
                                                                    naive[mask].head(3)))
            t.notes.append(
                f"{t.label(rows['_file'])}, column {t.column(rows['_file'].iloc[0], column)}: {n} "
                f"row{'s' if n > 1 else ''} dated {why} left out ({shown}); correct the date in the "
                "file if it is real")
    if early.any() or late.any():
        t.frame = frame[~(early | late)].reset_index(drop=True)


def _restore_leading_zeros(t: _Loaded, known: pd.Series, unknown: np.ndarray) -> None:
    """Match numeric ids that lost (or gained) leading zeros in one file to the accounts' ids.

    Excel reads ``00123`` as the number 123 when a file is opened and saved again; the
    other file keeps ``00123``. Only ids that match exactly one account this way change.
    """
    numeric = known[known.str.fullmatch(r"\d+").fillna(False)]
    stripped = numeric.str.lstrip("0")
    unique = stripped[~stripped.duplicated(keep=False)]
    lookup = pd.Series(numeric.loc[unique.index].to_numpy(), index=unique.to_numpy())
    ids = t.frame.loc[unknown, "account_id"]
    digits = ids[ids.str.fullmatch(r"\d+").fillna(False)]
    restored = digits.str.lstrip("0").map(lookup).dropna()
    if restored.empty:
        return
    t.frame.loc[restored.index, "account_id"] = restored
    n = len(restored)
    example = restored.index[0]
    t.notes.append(
        f"{t.label(t.frame.loc[restored.index, '_file'])}: {n} row{'s' if n > 1 else ''} name "
        f"account ids that differ from accounts only in leading zeros (e.g. {digits.loc[example]!r} = "
        f"{restored.loc[example]!r}); matched, as a spreadsheet probably dropped the zeros: keep ids as "
        "text when exporting")


def _accounts_from(part: _Loaded | None, table: str, folder: Path) -> _Loaded:
    """Accounts as the distinct ids of a log that names its customers but comes without a register."""
    if part is None or part.frame["account_id"].isna().all():
        raise InputError(
            file=str(folder), problem=f"data.accounts_from is {table}, but there is no {table} "
            "table file with account ids to take the accounts from",
            fix=f"add the {table} file (an e-mail export cannot name its customers without an accounts "
            "file), or give an accounts file and remove accounts_from")
    ids = part.frame["account_id"].dropna().drop_duplicates().sort_values(kind="stable")
    accounts = _empty_loaded("accounts")
    frame = accounts.frame.reindex(range(len(ids)))
    frame["account_id"] = ids.to_numpy()
    frame["name"] = ids.to_numpy()
    frame["_file"] = part.label()
    frame["_row"] = 0
    accounts.frame = frame.astype(_empty_loaded("accounts").frame.dtypes.to_dict())
    accounts.notes.append(
        f"no accounts file: the {len(ids)} accounts are the distinct account ids of {part.label()} "
        "(data.accounts_from), named by their id; nothing is known of their contracts, owners or "
        "start dates")
    return accounts


def _empty_loaded(table: str) -> _Loaded:
    """A table with every canonical column and no rows (an absent contact log)."""
    index = pd.RangeIndex(0)
    frame = pd.DataFrame({c: _absent(k, index) for c, k in TABLES[table].columns.items()})
    frame.insert(0, "_file", pd.Series(dtype="str"))
    frame.insert(1, "_row", pd.Series(dtype="int64"))
    if table == "interactions":
        frame["seq"] = pd.Series(dtype="int64")
    return _Loaded(table, frame, {}, [], [])


# --------------------------------------------------------------------------- finding files


def _find_files(folder: Path, table: str, source: TableSource) -> list[Path]:
    """The files of ``table``: the ``file:`` glob when set, else ``<table>.<known suffix>``.

    For interactions, an mbox ``interactions.mbox`` (``.mbx``, ``.mbox.gz``) and a Maildir
    folder ``interactions/`` are found too, besides (not instead of) one table file.
    """
    if source.file:
        return _files_from_param(folder, table, source.file)
    wanted = {table + suffix for suffix in DISCOVER_SUFFIXES}
    found = sorted(p for p in folder.iterdir() if p.is_file() and p.name.lower() in wanted)
    if len(found) > 1:
        raise InputError(
            file=str(folder),
            problem=f"several files could be {table}: {', '.join(p.name for p in found)}",
            fix=f"keep one, or add `file: {found[0].name}` under data.tables.{table} "
            "in your params file",
        )
    if table == "interactions":
        mail = {table + suffix for suffix in MAIL_SUFFIXES}
        found += sorted(p for p in folder.iterdir()
                        if (p.is_file() and p.name.lower() in mail)
                        or (p.name.lower() == table and is_maildir(p)))
    return found


def _files_from_param(folder: Path, table: str, pattern: str) -> list[Path]:
    """Resolve a ``file:`` entry (relative to the data folder, glob allowed)."""
    if any(ch in pattern for ch in "*?["):
        base = Path(pattern)
        root = base.parent if base.is_absolute() else folder / base.parent
        matches = sorted(p for p in root.glob(base.name)
                         if p.is_file() or is_maildir(p)) if root.is_dir() else []
        if not matches:
            raise InputError(
                file=pattern,
                problem=f"no file in {root} matches this pattern ({_listing(root)})",
                fix=f"correct `file:` under data.tables.{table} in your params file",
            )
        return matches
    path = Path(pattern) if Path(pattern).is_absolute() else folder / pattern
    if path.is_file() or is_maildir(path):
        return [path]
    if path.is_dir():
        raise InputError(
            file=path.name,
            problem="this is a folder, not a file (nor a Maildir folder, which holds cur/ "
            "and new/)",
            fix=f"name a file in `file:` under data.tables.{table} in your params file, or a "
            "glob such as export_*.csv",
        )
    # Windows users name files without caring about case; the data folder may be on Linux.
    if path.parent.is_dir():
        same = [p for p in path.parent.iterdir() if p.name.lower() == path.name.lower()]
        if len(same) == 1 and (same[0].is_file() or is_maildir(same[0])):
            return same
    raise InputError(
        file=path.name,
        problem=f"file not found in {path.parent} ({_listing(path.parent)})",
        fix=f"correct `file:` under data.tables.{table} in your params file, "
        "or put the file in the data folder",
    )


def _listing(folder: Path, limit: int = 12) -> str:
    """``'it has: a.csv, b.xlsx'`` for error messages."""
    if not folder.is_dir():
        return "the folder does not exist"
    names = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
    if not names:
        return "the folder is empty"
    more = f", … ({len(names) - limit} more)" if len(names) > limit else ""
    return "it has: " + ", ".join(names[:limit]) + more


def _missing_table_error(folder: Path, table: str) -> InputError:
    return InputError(
        file=str(folder),
        problem=f"no {table} file ({table}.csv, {table}.xlsx, {table}.parquet, …) in the data "
        f"folder; {_listing(folder)}",
        fix=f"name the file {table}.csv (or .xlsx, .parquet), or add `file: <your file>` "
        f"under data.tables.{table} in your params file",
    )


# --------------------------------------------------------------------------- raw reading


@dataclass
class _Raw:
    """A file's cells as read: its own column names, index = spreadsheet row numbers."""

    frame: pd.DataFrame
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)


def _suffix(name: str) -> tuple[str, bool]:
    """The format suffix of a file name and whether it is gzipped (``x.csv.gz``)."""
    lower = name.lower()
    gz = lower.endswith(".gz")
    if gz:
        lower = lower[:-3]
    return Path(lower).suffix, gz


def _read_raw(path: Path, source: TableSource, table: str) -> tuple[_Raw, str]:
    """Read a file into a frame of raw cells; returns it and the file's sha256."""
    if not path.is_file():
        raise InputError(
            file=path.name,
            problem=f"file not found in {path.parent}",
            fix=f"check the path, or `file:` under data.tables.{table} in your params file",
        )
    suffix, gz = _suffix(path.name)
    if suffix not in _TEXT_SUFFIXES | _EXCEL_SUFFIXES | _PARQUET_SUFFIXES:
        raise InputError(
            file=path.name,
            problem=f"unknown file type {suffix or '(no extension)'!r}",
            fix="export the data as CSV (.csv, .tsv, .txt, optionally .gz), Excel (.xlsx) "
            "or Parquet (.parquet), and name the file accordingly",
        )
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(file=path.name, problem=f"cannot be read ({e.strerror or e})",
                         fix="check that the file is not open elsewhere and that you may "
                         "read it") from None
    digest = hashlib.sha256(data).hexdigest()
    if gz:
        data = _gunzip(data, path.name)
    if suffix in _TEXT_SUFFIXES:
        raw = _read_text(data, path.name, suffix, source, table)
    elif suffix in _EXCEL_SUFFIXES:
        raw = _read_excel(data, path.name, suffix, source, table)
    else:
        raw = _read_parquet(data, path.name)
    if raw.frame.shape[1] == 0:
        raise InputError(file=path.name, problem="the file is empty",
                         fix="export the data again, or remove the file if there is none")
    if len(raw.frame) == 0 and table in REQUIRED_TABLES:
        raise InputError(
            file=path.name,
            problem="the file has a header row but no data rows",
            fix="export the data again with its rows",
        )
    return raw, digest


def _gunzip(data: bytes, name: str) -> bytes:
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as e:
        raise InputError(file=name, problem=f"not a readable gzip file ({e})",
                         fix="compress the file again, or store it uncompressed") from None


def _decode(data: bytes, name: str, encoding: str | None, table: str) -> str:
    """Bytes to text: the given encoding, else UTF-16 (BOM) / UTF-8 / cp1252 / latin-1."""
    if encoding:
        try:
            return data.decode(encoding).lstrip("\ufeff")
        except LookupError:
            raise InputError(file=name, problem=f"unknown encoding {encoding!r}",
                             fix=f"set `encoding:` under data.tables.{table} to utf-8, cp1252 "
                             "or latin-1, or remove it to detect the encoding") from None
        except UnicodeDecodeError as e:
            raise InputError(
                file=name, row=data[: e.start].count(b"\n") + 1,
                problem=f"the bytes {data[e.start:e.end + 1]!r} are not valid {encoding}",
                fix=f"remove `encoding:` under data.tables.{table} to detect the encoding, "
                "or set the one the file was saved in (utf-8, cp1252, latin-1)",
            ) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode text" export: UTF-16 with a BOM, tab-separated.
        return data.decode("utf-16").lstrip("\ufeff")
    _reject_binary(data, name)
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            pass
    # latin-1 decodes every byte; only the five bytes cp1252 leaves undefined lead here.
    return data.removeprefix(b"\xef\xbb\xbf").decode("latin-1")


def _reject_binary(data: bytes, name: str) -> None:
    """Refuse workbooks, Parquet and other binary files that carry a text suffix."""
    head = data[:8192]
    if head.startswith(b"PK\x03\x04"):
        problem = "this is an Excel workbook (or another zip file), not a text file"
        fix = "save it as .xlsx (rename it), or export it as CSV"
    elif head.startswith(b"PAR1"):
        problem, fix = "this is a Parquet file, not a text file", "name it .parquet"
    elif b"\x00" in head or len(_CONTROL_BYTES.findall(head)) > len(head) / 100:
        problem = "this does not look like a text (CSV) file: it holds binary data"
        fix = "export the data again as CSV, Excel (.xlsx) or Parquet"
    else:
        return
    raise InputError(file=name, problem=problem, fix=fix)


def _read_text(data: bytes, name: str, suffix: str, source: TableSource, table: str) -> _Raw:
    text = _decode(data, name, source.encoding, table)
    # Only the head is split into lines (for sniffing); the body goes to pandas whole.
    head = text[: 4 * _SNIFF_CHARS].splitlines(keepends=True)
    if len(text) > 4 * _SNIFF_CHARS and len(head) > 1:
        head = head[:-1]  # probably cut mid-line
    forced = _delimiter_param(source.delimiter, name, table)
    start = 0  # characters consumed above the header
    lines_above = 0  # physical lines above the header, as a spreadsheet shows them
    notes: list[str] = []
    if source.header_row is not None:
        # The user said where the header is: skip exactly the lines above it.
        lines_above = min(source.header_row - 1, len(head))
        start = sum(len(line) for line in head[:lines_above])
        head = head[lines_above:]
        if not head:
            return _Raw(pd.DataFrame())
        delimiter = forced or _sniff(head, None, suffix)[0]
    else:
        first = head[0].lstrip("\ufeff").rstrip("\r\n") if head else ""
        if re.fullmatch(r"sep=.", first, flags=re.IGNORECASE):
            # Excel writes "sep=;" as a hint line and hides it: the header is still row 1.
            forced = forced or first[4]
            start += len(head[0])
            head = head[1:]
        while head and not head[0].strip():
            start, lines_above, head = start + len(head[0]), lines_above + 1, head[1:]
        if not head:
            return _Raw(pd.DataFrame())
        delimiter, preamble = _sniff(head, forced, suffix)
        if preamble:
            notes.append(f"{name}: {preamble} line{'s' if preamble > 1 else ''} above the header "
                         f"skipped ({head[0].strip()[:40]!r}); set `header_row:` if the header "
                         "is another row")
        start += sum(len(line) for line in head[:preamble])
        lines_above += preamble
    frame = _parse_csv(text[start:], name, delimiter, lines_above, table)
    frame.columns = [str(c).strip().lstrip("\ufeff").strip() for c in frame.columns]
    frame.index = pd.RangeIndex(lines_above + 2, lines_above + 2 + len(frame))
    return _Raw(frame[~_blank_rows(frame)], delimiter, notes)


def _delimiter_param(value: str | None, name: str, table: str) -> str | None:
    """``delimiter:`` as written in YAML; ``tab`` and a literal ``\\t`` mean a tab."""
    if value is None:
        return None
    named = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|",
             "space": " "}
    value = named.get(value.strip().lower(), value) if value.strip() else value
    if len(value) != 1 or value in "\"\r\n":
        raise InputError(file=name, problem=f"{value!r} cannot be used as the delimiter",
                         fix=f'set `delimiter:` under data.tables.{table} to ",", ";", "|" '
                         'or "\\t" (tab), or remove it to detect the delimiter')
    return value


def _blank_rows(frame: pd.DataFrame) -> np.ndarray:
    """Rows with every cell empty (blank lines, or only delimiters)."""
    blank = np.zeros(len(frame), bool)
    if len(frame.columns) == 0:
        return blank
    # Only rows whose first cell is empty can be blank; checking those alone is cheap.
    candidates = np.flatnonzero(frame.iloc[:, 0].to_numpy() == "")
    if len(candidates):
        sub = frame.iloc[candidates]
        blank[candidates] = np.logical_and.reduce([sub[c].to_numpy() == "" for c in sub.columns])
    return blank


def _parse_csv(body: str, name: str, delimiter: str, offset: int, table: str) -> pd.DataFrame:
    try:
        with warnings.catch_warnings():
            # Rows ending in a trailing delimiter make pandas warn; those cells are empty.
            warnings.simplefilter("ignore", pd.errors.ParserWarning)
            return pd.read_csv(
                io.StringIO(body), sep=delimiter, dtype=str, keep_default_na=False,
                na_filter=False, skip_blank_lines=False, index_col=False, engine="c",
            )
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    except pd.errors.ParserError as e:
        msg = str(e)
        fields = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", msg)
        if fields:
            expected, line, saw = map(int, fields.groups())
            raise InputError(
                file=name, row=offset + line,
                problem=f"this row has {saw} fields but the header has {expected}: a value "
                f"probably contains the delimiter {_show_delim(delimiter)} without quotes",
                fix="put quotes around values that contain the delimiter, or set the right "
                f"`delimiter:` under data.tables.{table} in your params file",
            ) from None
        quote = re.search(r"EOF inside string starting at row (\d+)", msg)
        raise InputError(
            file=name, row=offset + int(quote.group(1)) + 1 if quote else None,
            problem="a quoted value is never closed" if quote else f"cannot be read as CSV ({msg})",
            fix="check the quotes (\") in that row; a quote inside a value is written twice",
        ) from None


def _show_delim(d: str) -> str:
    return "tab" if d == "\t" else repr(d)


def _sniff(lines: Sequence[str], forced: str | None, suffix: str) -> tuple[str, int]:
    """Pick the delimiter and count the title lines above the header.

    Counting fields per record (quote-aware) is more reliable on exports than
    ``csv.Sniffer``, which trips over decimal commas in semicolon files.
    """
    sample: list[str] = []
    size = 0
    for line in lines[:_SNIFF_LINES]:
        sample.append(line)
        size += len(line)
        if size > _SNIFF_CHARS:
            break
    preferred = "\t" if suffix == ".tsv" else ","
    best: tuple[tuple[float, int, bool], str, int] | None = None
    for delim in ((forced,) if forced else _DELIMITERS):
        counts = _field_counts(sample, delim)
        if not counts:
            continue
        tally = Counter(n for _, n in counts)
        modal, freq = max(tally.items(), key=lambda kv: (kv[1], kv[0]))
        if modal < 2 and not forced:
            continue
        # Title lines hold no delimiter; a header with fewer fields than the data is kept.
        preamble_records = 0
        for _, n in counts:
            if n != 1 or modal < 2 or preamble_records >= _MAX_PREAMBLE:
                break
            preamble_records += 1
        preamble = counts[preamble_records][0] if preamble_records < len(counts) else 0
        score = (freq / len(counts), modal, delim == preferred)
        if best is None or score > best[0]:
            best = (score, delim, preamble)
    if best is None:
        return forced or preferred, 0
    return best[1], best[2]


def _field_counts(lines: Iterable[str], delim: str) -> list[tuple[int, int]]:
    """``(first physical line, number of fields)`` of each non-blank record."""
    out: list[tuple[int, int]] = []
    reader = csv.reader(lines, delimiter=delim)
    start = 0
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                out.append((start, len(record)))
            start = reader.line_num
    except csv.Error:
        pass  # an unclosed quote in the sample; the full parse reports it with its row
    return out


def _read_excel(data: bytes, name: str, suffix: str, source: TableSource, table: str) -> _Raw:
    sheet = source.sheet
    if suffix == ".xls":
        names, rows = _xls_rows(data, name, sheet, table)
    else:
        names, rows = _xlsx_rows(data, name, sheet, table)
    return _frame_from_rows(rows, name, source.header_row)


def _check_sheet(name: str, sheet: str | int, names: list[str], table: str) -> None:
    ok = (isinstance(sheet, int) and 0 <= sheet < len(names)) or sheet in names
    if not ok:
        raise InputError(
            file=name,
            problem=f"the workbook has no sheet {sheet!r}; its sheets are "
            + ", ".join(repr(n) for n in names),
            fix=f"set `sheet:` under data.tables.{table} to one of those names "
            "(or a 0-based index)",
        )


def _xlsx_rows(
    data: bytes, name: str, sheet: str | int | None, table: str
) -> tuple[list[str], list[tuple[Any, ...]]]:
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "no default style" and similar chatter
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            names = list(book.sheetnames)
            if sheet is not None:
                _check_sheet(name, sheet, names, table)
            ws = book[names[sheet]] if isinstance(sheet, int) else book[sheet or names[0]]
            rows = list(ws.iter_rows(values_only=True))
            book.close()
    except InputError:
        raise
    except Exception as e:  # openpyxl raises a zoo of types for damaged workbooks
        raise _corrupt_excel(name, e) from None
    return names, rows


def _xls_rows(
    data: bytes, name: str, sheet: str | int | None, table: str
) -> tuple[list[str], list[tuple[Any, ...]]]:
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:
        raise InputError(file=name, problem="old Excel (.xls) files need python-calamine",
                         fix="save the file as .xlsx in Excel, or `pip install python-calamine`"
                         ) from None
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(book.sheet_names)
        if sheet is not None:
            _check_sheet(name, sheet, names, table)
        ws = book.get_sheet_by_index(sheet) if isinstance(sheet, int) else \
            book.get_sheet_by_name(sheet or names[0])
        rows = [tuple(r) for r in ws.to_python(skip_empty_area=False)]
    except InputError:
        raise
    except Exception as e:
        raise _corrupt_excel(name, e) from None
    return names, rows


def _corrupt_excel(name: str, e: Exception) -> InputError:
    return InputError(
        file=name,
        problem=f"cannot be opened as an Excel workbook ({type(e).__name__}: {e})",
        fix="open it in Excel and save it again as .xlsx, or export the data as CSV",
    )


def _frame_from_rows(rows: list[tuple[Any, ...]], name: str, header_row: int | None) -> _Raw:
    """Sheet rows to a frame, index = sheet row number.

    The header is ``header_row`` when given, else the first non-empty row below any title
    rows: rows with a single filled cell (``Asiakasrekisteri 30.6.2026``) above a row with
    several, as CSV title lines are skipped.
    """
    def count(row: tuple[Any, ...]) -> int:
        return sum(v is not None and str(v).strip() != "" for v in row)

    def filled(row: tuple[Any, ...]) -> bool:
        return count(row) > 0

    notes = []
    if header_row is not None:
        start = header_row - 1
        if start >= len(rows) or not filled(rows[start]):
            return _Raw(pd.DataFrame())
    else:
        non_empty = [i for i, r in enumerate(rows[: 4 * _MAX_PREAMBLE]) if filled(r)]
        if not non_empty:
            return _Raw(pd.DataFrame())
        lead = 0
        while lead < len(non_empty) and count(rows[non_empty[lead]]) == 1:
            lead += 1
        # Single-cell rows are titles only above a wider header; a one-column file has none.
        titles = lead if lead < len(non_empty) and lead <= _MAX_PREAMBLE else 0
        start = non_empty[titles]
        if titles:
            first = next(str(v).strip() for v in rows[non_empty[0]] if v is not None and str(v).strip())
            notes.append(f"{name}: {titles} title row{'s' if titles > 1 else ''} above the header "
                         f"skipped ({first[:40]!r}); the header is row {start + 1} (set `header_row:` "
                         "if it is another)")
    width = max((i + 1 for i, v in enumerate(rows[start]) if v is not None and str(v).strip()),
                default=0)
    header = _dedupe([_header_text(v, i) for i, v in enumerate(rows[start][:width])])
    body = [(start + 2 + i, r) for i, r in enumerate(rows[start + 1:]) if filled(r[:width])]
    cols = {h: pd.Series([r[j] if j < len(r) else None for _, r in body], dtype=object)
            for j, h in enumerate(header)}
    frame = pd.DataFrame(cols)
    frame.index = pd.Index([n for n, _ in body], dtype="int64")
    return _Raw(frame, notes=notes)


def _header_text(value: Any, position: int) -> str:
    text = _cell_text(value)
    return text if text else f"Unnamed: {position}"


def _dedupe(names: list[str]) -> list[str]:
    """Make header names unique the way pandas does for CSV (``x``, ``x.1``)."""
    seen: Counter[str] = Counter()
    out = []
    for n in names:
        out.append(f"{n}.{seen[n]}" if seen[n] else n)
        seen[n] += 1
    return out


def _read_parquet(data: bytes, name: str) -> _Raw:
    try:
        frame = pd.read_parquet(io.BytesIO(data))
    except Exception as e:  # pyarrow's errors (ArrowInvalid, OSError, …) share no base
        raise InputError(file=name, problem=f"cannot be read as Parquet ({type(e).__name__}: {e})",
                         fix="write the file again, or export the data as CSV") from None
    frame = frame.reset_index(drop=True)
    frame.columns = [str(c) for c in frame.columns]
    frame.index = pd.RangeIndex(2, 2 + len(frame))
    return _Raw(frame)


# --------------------------------------------------------------------------- column mapping


def _norm(name: str) -> str:
    """Column names compared without case, spaces, underscores, hyphens or dots."""
    return re.sub(r"[\s_\-.\ufeff]+", "", str(name)).casefold()


def _resolve_columns(
    columns: list[str], table: str, source: TableSource, name: str, delimiter: str | None,
    made: dict[str, str] | None = None,
) -> dict[str, str]:
    """Canonical column -> the file's column, for every canonical column the file has.

    ``made`` maps canonical columns to the labels of columns params made (``derive``,
    ``constants``); those win over the file's own.
    """
    made = made or {}
    columns = [c for c in columns if c not in made.values()]
    by_norm: dict[str, list[str]] = {}
    for c in columns:
        by_norm.setdefault(_norm(c), []).append(c)
    found: dict[str, str] = dict(made)
    for canon in TABLES[table].columns:
        if canon in found:
            continue
        wanted = source.columns.get(canon)
        if wanted is not None:
            hit = wanted if wanted in columns else _one(by_norm.get(_norm(wanted), []))
            if hit is None:
                raise InputError(
                    file=name,
                    problem=f"the params map {canon} to the column {wanted!r}, which the file "
                    f"does not have{_suggest(wanted, columns)}; its columns are: "
                    + _show_columns(columns),
                    fix=f"correct `columns: {{{canon}: ...}}` under data.tables.{table} in "
                    "your params file",
                )
            found[canon] = hit
            continue
        candidates = by_norm.get(_norm(canon), [])
        if canon in candidates:
            found[canon] = canon
        elif len(candidates) == 1:
            found[canon] = candidates[0]
        elif len(candidates) > 1:
            raise InputError(
                file=name,
                problem=f"several columns could be {canon}: " + _show_columns(candidates),
                fix=f"say which one: add `columns: {{{canon}: {candidates[0]}}}` under "
                f"data.tables.{table} in your params file",
            )
    missing = [c for c in TABLES[table].required if c not in found]
    if missing:
        canon = missing[0]
        problem = (f"no column for {canon}{_suggest(canon, columns)}; the file's columns are: "
                   + _show_columns(columns))
        fix = (f"add `columns: {{{canon}: <your column>}}` under data.tables.{table} in your "
               "params file")
        if len(missing) > 1:
            problem += f" (also missing: {', '.join(missing[1:])})"
        quantity = [c for c in columns if _norm(c) in _QUANTITY_WORDS]
        if canon == "amount" and quantity:
            fix = (f"map the line total (`columns: {{amount: <your column>}}`), or, if the file has "
                   f"only a quantity and a unit price, `derive: {{amount: {quantity[0]} * <unit price "
                   f"column>}}` under data.tables.{table} in your params file")
        hint = _delimiter_hint(columns, delimiter)
        if hint:
            problem += f"; {hint[0]}"
            fix = hint[1].format(table=table)
        raise InputError(file=name, problem=problem, fix=fix)
    return found


def _one(items: list[str]) -> str | None:
    return items[0] if len(items) == 1 else None


def _show_columns(columns: Sequence[str], limit: int = 15) -> str:
    shown = ", ".join(repr(c) for c in columns[:limit])
    return shown + (f", … ({len(columns) - limit} more)" if len(columns) > limit else "")


def _suggest(name: str, columns: Sequence[str]) -> str:
    close = difflib.get_close_matches(_norm(name), [_norm(c) for c in columns], n=1, cutoff=0.75)
    if not close:
        return ""
    original = next(c for c in columns if _norm(c) == close[0])
    return f" (did you mean {original!r}?)"


def _delimiter_hint(columns: list[str], delimiter: str | None) -> tuple[str, str] | None:
    """When the whole header landed in one column, name the delimiter it really uses."""
    if len(columns) != 1:
        return None
    counts = {d: columns[0].count(d) for d in _DELIMITERS if d != delimiter}
    real, n = max(counts.items(), key=lambda kv: kv[1])
    if n == 0:
        return None
    return (
        f"the header was read as one column: the file seems to be separated by "
        f"{_show_delim(real)}, not {_show_delim(delimiter or ',')}",
        "set `delimiter: " + ('"\\t"' if real == "\t" else f'"{real}"')
        + "` under data.tables.{table} in your params file, or remove `delimiter:` to detect it",
    )


# --------------------------------------------------------------------------- values


@dataclass
class _Col:
    """One column being converted: where it is, for error messages and notes."""

    file: str
    table: str
    canonical: str
    column: str  # as written in the file
    kind: str
    required: bool
    source: TableSource
    tz: str
    notes: list[str]

    def error(self, mask: pd.Series, values: pd.Series, problem: str, fix: str) -> InputError:
        """An error at the first row of ``mask``, quoting its value and counting the rest."""
        row, count = _first(mask)
        value = values.loc[row]
        if isinstance(value, str) and len(value) > 60:
            value = value[:57] + "..."
        shown = "" if pd.isna(value) else f" {value!r}"
        more = f" ({count - 1} more row{'s' if count > 2 else ''} like this)" if count > 1 else ""
        return InputError(file=self.file, column=self.column, row=row,
                          problem=problem.format(value=shown).strip() + more, fix=fix)

    @property
    def where(self) -> str:
        return f"under data.tables.{self.table} in your params file"


def _first(mask: pd.Series) -> tuple[int, int]:
    """Label of the first true row and the number of true rows."""
    arr = np.asarray(mask, dtype=bool)
    return int(mask.index[int(arr.argmax())]), int(arr.sum())


def _per_unique(values: pd.Series, fn: Callable[[pd.Series], Any]) -> pd.Series:
    """Apply ``fn`` to the distinct values only; logs repeat dates, channels and ids a lot."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = pd.Series(fn(pd.Series(uniques)))
    mapped = mapped.reset_index(drop=True)
    # A trailing missing slot: factorize marks missing values -1, which take() reads as last.
    padded = pd.concat([mapped, pd.Series([None], dtype=mapped.dtype)], ignore_index=True)
    return pd.Series(padded.array.take(codes), index=values.index, name=values.name)


def _cell_text(v: Any) -> str | None:
    """One spreadsheet or Parquet cell as text; integral floats lose their ``.0``."""
    if v is None or (not isinstance(v, str) and pd.api.types.is_scalar(v) and pd.isna(v)):
        return None
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return str(int(f)) if f.is_integer() and abs(f) < 1e16 else repr(f)
    if hasattr(v, "isoformat"):
        return v.isoformat(sep=" ") if hasattr(v, "hour") and hasattr(v, "day") else v.isoformat()
    text = str(v).strip()
    return text or None


def _as_text(raw: pd.Series) -> pd.Series:
    """Any column as stripped text (pandas' default ``str`` dtype), empty -> missing."""
    if isinstance(raw.dtype, pd.StringDtype):
        s = raw.astype("str").str.strip()
    else:
        s = _per_unique(raw, lambda u: pd.Series([_cell_text(v) for v in u], dtype="str"))
    return s.where(s != "")


def _map_values(text: pd.Series, mapping: dict[str, str]) -> pd.Series:
    """Apply a ``values:`` mapping; keys match exactly, then ignoring case; ``''`` = empty."""
    if not mapping:
        return text
    folded = {str(k).strip().casefold(): v for k, v in mapping.items()}
    if "" in folded and text.isna().any():
        text = text.fillna("")

    def one(v: Any) -> str | None:
        out = mapping.get(v, folded.get(str(v).casefold(), v))
        return None if out is None or str(out).strip() == "" else str(out).strip()

    return _per_unique(text, lambda u: pd.Series([one(v) for v in u], dtype="str"))


def _convert(raw: pd.Series, col: _Col) -> pd.Series:
    """Convert one file column to its canonical type, raising on the first bad value."""
    mapping = col.source.values.get(col.canonical, {})
    if col.kind in ("float", "date", "ts") and not mapping:
        fast = _convert_native(raw, col)
        if fast is not None:
            if col.required:
                _check_present(fast, raw, col)
            return fast
    text = _map_values(_as_text(raw), mapping)
    if col.kind == "str":
        out = _fix_ids(text) if col.canonical.endswith("_id") else text
    elif col.kind == "channel":
        out = _channels(text)
    elif col.kind == "direction":
        out = _directions(text, col)
    elif col.kind == "bool":
        return _bools(text, col)  # empty is "no" by the data contract, never missing
    elif col.kind == "float":
        out = _numbers(text, col)
    elif col.kind in ("date", "ts"):
        out = _instants(text, col)
    else:
        raise ValueError(f"schema type {col.kind!r} has no converter")
    if col.required:
        _check_present(out, text, col)
    return out


def _check_present(out: pd.Series, text: pd.Series, col: _Col) -> None:
    missing = out.isna() & text.isna()
    if missing.any():
        raise col.error(
            missing, text, f"{col.canonical} is empty",
            f"fill in the missing values or remove those rows (or map empty values: "
            f"`values: {{{col.canonical}: {{'': <value>}}}}` {col.where})",
        )


def _fix_ids(text: pd.Series) -> pd.Series:
    """``123.0`` -> ``123``: ids that passed through a float somewhere keep matching."""
    return text.str.replace(r"^(\d+)\.0+$", r"\1", regex=True)


def _channels(text: pd.Series) -> pd.Series:
    def fold(u: pd.Series) -> pd.Series:
        low = u.str.casefold().str.replace(r"\s+", " ", regex=True)
        return pd.Series([CHANNEL_SYNONYMS.get(v, v) for v in low], dtype="str")

    return _per_unique(text, fold)


def _directions(text: pd.Series, col: _Col) -> pd.Series:
    out = _per_unique(
        text,
        lambda u: pd.Series([DIRECTION_SYNONYMS.get(v.casefold()) for v in u], dtype="str"),
    )
    unknown = out.isna() & text.notna()
    if unknown.any():
        counts = text[unknown].value_counts()
        listed = ", ".join(f"{v!r} ({n} row{'s' if n > 1 else ''})"
                           for v, n in counts.head(8).items())
        example = ", ".join(f"{_yaml_key(v)}: <in or out>" for v in counts.index[:2])
        row, _ = _first(unknown)
        raise InputError(
            file=col.file, column=col.column, row=row,
            problem=f"unknown direction values: {listed}; direction must be in (customer to "
            "us) or out (us to customer)",
            fix=f"add `values: {{direction: {{{example}}}}}` {col.where}",
        )
    return out


def _yaml_key(value: str) -> str:
    """A value as a YAML mapping key the user can paste (quoted unless plainly safe)."""
    plain = re.fullmatch(r"[^\W\d_][\w .-]*", value) and value.casefold() not in {
        "yes", "no", "true", "false", "on", "off", "y", "n", "null"}
    return value if plain else json.dumps(value, ensure_ascii=False)


def _bools(text: pd.Series, col: _Col) -> pd.Series:
    def read(u: pd.Series) -> pd.Series:
        low = u.str.casefold()
        return pd.Series([True if v in BOOL_TRUE else False if v in BOOL_FALSE else None
                          for v in low], dtype="boolean")

    out = _per_unique(text, read).fillna(False)
    unknown = text.notna() & ~text.str.casefold().isin(sorted(BOOL_TRUE | BOOL_FALSE))
    if unknown.any():
        counts = text[unknown].value_counts()
        listed = ", ".join(f"{v!r} ({n} row{'s' if n > 1 else ''})"
                           for v, n in counts.head(8).items())
        row, _ = _first(unknown)
        raise InputError(
            file=col.file, column=col.column, row=row,
            problem=f"{col.canonical} must be yes/no (1/0, true/false, kyllä/ei, x/empty); "
            f"unknown values: {listed}",
            fix=f"use yes/no, or add `values: {{{col.canonical}: "
            f"{{{_yaml_key(counts.index[0])}: <\"yes\" or \"no\">}}}}` {col.where}",
        )
    return out.astype("boolean")


# --------------------------------------------------------------------------- numbers


def _convert_native(raw: pd.Series, col: _Col) -> pd.Series | None:
    """Columns that are already numbers or datetimes (Parquet, some Excel); else ``None``."""
    dtype = raw.dtype
    if col.kind == "float" and pd.api.types.is_numeric_dtype(dtype) \
            and not pd.api.types.is_bool_dtype(dtype):
        out = pd.Series(raw.to_numpy(dtype="float64", na_value=np.nan), index=raw.index)
        bad = out.isin([np.inf, -np.inf])
        if bad.any():
            raise col.error(bad, raw, f"cannot read{{value}} as {_KIND_WORDS['float']}",
                            "replace it with a number")
        return _finish_number(out, raw, col)
    if col.kind in ("date", "ts") and pd.api.types.is_datetime64_any_dtype(dtype):
        aware = getattr(dtype, "tz", None) is not None
        values = raw.astype("datetime64[ns, UTC]" if aware else "datetime64[ns]")
        naive = values if values.dt.tz is None else _nat(raw.index)
        utc = values if values.dt.tz is not None else _nat(raw.index, "UTC")
        return _finish_instants(naive, utc, raw, col)
    if col.kind in ("date", "ts") and pd.api.types.is_numeric_dtype(dtype) \
            and not pd.api.types.is_bool_dtype(dtype):
        from_naive, from_utc = _from_numbers(raw.to_numpy(dtype="float64", na_value=np.nan))
        return _finish_instants(pd.Series(from_naive, index=raw.index),
                                pd.Series(from_utc, index=raw.index), raw, col)
    return None


def _numbers(text: pd.Series, col: _Col) -> pd.Series:
    def parse(u: pd.Series) -> pd.DataFrame:
        values, guessed = _parse_numbers(u, col.source.decimal)
        return pd.DataFrame({"v": values, "guessed": guessed})

    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    parsed = parse(pd.Series(uniques, dtype="str"))
    values = np.append(parsed["v"].to_numpy(dtype="float64"), np.nan)[codes]
    out = pd.Series(values, index=text.index, name=text.name)
    bad = text.notna() & out.isna()
    if bad.any():
        raise col.error(
            bad, text, f"cannot read{{value}} as {_KIND_WORDS['float']}",
            f"write a plain number such as 1234.5 or 1 234,50 (set `decimal: \",\"` or "
            f"`decimal: \".\"` {col.where} if the separator is read wrong)",
        )
    guessed = parsed["guessed"].to_numpy()
    if guessed.any():
        example = uniques[int(np.argmax(guessed))]
        sep = "," if "," in example else "."
        other = "." if sep == "," else ","
        col.notes.append(
            f"{col.file}, column {col.column}: values such as {example!r} were read with "
            f"{sep!r} as the decimal separator ({parsed['v'].iloc[int(np.argmax(guessed))]:g});"
            f" if {sep!r} separates thousands there, set `decimal: \"{other}\"` {col.where}"
        )
    return _finish_number(out, text, col)


def _finish_number(out: pd.Series, shown: pd.Series, col: _Col) -> pd.Series:
    if col.canonical in _NON_NEGATIVE:
        negative = out < 0
        if negative.any():
            raise col.error(negative, shown, f"{col.canonical} cannot be negative (got{{value}})",
                            "correct the value, or remove the row")
    return out.astype("float64")


def _parse_numbers(u: pd.Series, decimal: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Parse number texts; returns the values (NaN = unreadable) and which were guesses.

    A value's separator is read from the value itself when it can be (``1.234,5``,
    ``12,5``, ``1,234,567``); values such as ``1,234`` follow the column's majority,
    or, with no majority, read their lone separator as the decimal one (flagged).
    """
    plain = u.astype("str")
    if decimal != "," and plain.str.fullmatch(r"-?\d+(?:\.\d+)?").all() and (
            decimal == "." or not plain.str.fullmatch(r"-?\d{1,3}\.\d{3}").any()):
        # Clean machine exports: nothing to decide, skip the separator analysis.
        return pd.to_numeric(plain).to_numpy(dtype="float64"), np.zeros(len(plain), bool)
    t = plain.str.replace(_NUMBER_JUNK, "", regex=True)
    t = t.str.replace("\u2212", "-", regex=False).str.replace(r"^\((.*)\)$", r"-\1", regex=True)
    t = t.str.replace(r"^\+", "", regex=True)
    comma = t.str.contains(",", regex=False).to_numpy(dtype=bool, na_value=False)
    dot = t.str.contains(".", regex=False).to_numpy(dtype=bool, na_value=False)
    if decimal is not None:
        use_comma = np.full(len(t), decimal == ",")
        guessed = np.zeros(len(t), bool)
    else:
        last_comma = t.str.rfind(",").to_numpy(dtype="float64", na_value=-1)
        last_dot = t.str.rfind(".").to_numpy(dtype="float64", na_value=-1)
        many_commas = t.str.count(",").to_numpy(dtype="float64", na_value=0) > 1
        many_dots = t.str.count(r"\.").to_numpy(dtype="float64", na_value=0) > 1
        lone_comma3 = t.str.fullmatch(r"-?\d{1,3},\d{3}").to_numpy(dtype=bool, na_value=False)
        lone_dot3 = t.str.fullmatch(r"-?\d{1,3}\.\d{3}").to_numpy(dtype=bool, na_value=False)
        # +1: the value says comma is decimal, -1: dot is decimal, 0: it cannot tell
        vote = np.select(
            [comma & dot, comma & many_commas, comma & ~lone_comma3,
             dot & many_dots, dot & ~lone_dot3],
            [np.where(last_comma > last_dot, 1, -1), -1, 1, 1, -1],
            default=0,
        )
        ambiguous = (comma ^ dot) & (vote == 0)
        majority = int(np.sign((vote == 1).sum() - (vote == -1).sum()))
        if majority:
            use_comma = np.where(vote != 0, vote == 1, majority == 1)
            guessed = np.zeros(len(t), bool)
        else:
            use_comma = np.where(vote != 0, vote == 1, comma)
            guessed = ambiguous
    thousands_dot = t.str.fullmatch(r"-?\d{1,3}(?:\.\d{3})+(?:,\d*)?").to_numpy(
        bool, na_value=False)
    thousands_comma = t.str.fullmatch(r"-?\d{1,3}(?:,\d{3})+(?:\.\d*)?").to_numpy(
        bool, na_value=False)
    as_comma = pd.to_numeric(t.str.replace(".", "", regex=False).str.replace(",", ".", regex=False),
                             errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    as_dot = pd.to_numeric(t.str.replace(",", "", regex=False), errors="coerce") \
        .to_numpy(dtype="float64", na_value=np.nan)
    # With a decimal comma a dot may only group thousands, and vice versa; "1.5" in a
    # decimal-comma column is an error, never 15.
    valid = np.where(use_comma, ~dot | thousands_dot, ~comma | thousands_comma)
    values = np.where(use_comma, as_comma, as_dot)
    values = np.where(valid & np.isfinite(values), values, np.nan)
    return values, guessed & valid


# --------------------------------------------------------------------------- dates and times


def _nat(index: pd.Index, tz: str | None = None) -> pd.Series:
    dtype = f"datetime64[ns, {tz}]" if tz else "datetime64[ns]"
    return pd.Series(pd.NaT, index=index, dtype=dtype)


def _to_ns(values: Any) -> pd.DatetimeIndex:
    """To nanosecond resolution; dates outside 1677–2262 become NaT (reported as unreadable)."""
    idx = pd.DatetimeIndex(values)
    lo, hi = pd.Timestamp.min, pd.Timestamp.max
    if idx.tz is not None:
        lo, hi = lo.tz_localize("UTC"), hi.tz_localize("UTC")
    return pd.DatetimeIndex(idx.where((idx >= lo) & (idx <= hi))).as_unit("ns")


def _from_numbers(x: np.ndarray) -> tuple[pd.DatetimeIndex, pd.DatetimeIndex]:
    """Numbers as instants: Excel serial days (wall clock) or Unix epoch seconds/ms (UTC)."""
    serial = (x >= 10_000) & (x < 100_000)
    epoch_s = (x >= 1e9) & (x < 1e11)
    epoch_ms = (x >= 1e12) & (x < 1e14)
    naive = pd.to_datetime(np.where(serial, x, np.nan), unit="D", origin="1899-12-30")
    naive = _to_ns(naive.round("s"))
    seconds = np.where(epoch_s, x, np.where(epoch_ms, x / 1000, np.nan))
    utc = _to_ns(pd.to_datetime(seconds, unit="s", utc=True))
    return naive, utc


def _parse_instants(
    u: pd.Series, *, dayfirst: bool, fmt: str | None
) -> tuple[pd.DatetimeIndex, pd.DatetimeIndex, str | None]:
    """Parse distinct date/time texts into wall-clock (naive) or UTC (had an offset) values.

    Returns ``(naive, utc, note)``; for each value at most one of the two is set, and
    ``note`` says when the column's own values overrode ``dayfirst``.
    """
    n = len(u)
    naive = pd.DatetimeIndex(np.full(n, np.datetime64("NaT", "ns")))
    utc = naive.tz_localize("UTC")
    note = None
    if n == 0:
        return naive, utc, note
    if fmt:
        # utc=True lets "%z" formats read offsets that change across a DST switch.
        with_offset = "%z" in fmt or "%Z" in fmt
        got = pd.DatetimeIndex(pd.to_datetime(u, format=fmt, errors="coerce", utc=with_offset))
        if got.tz is not None:
            return naive, _to_ns(got.tz_convert("UTC")), note
        return _to_ns(got), utc, note

    text = u.astype("str")
    numeric = (text.str.fullmatch(r"\d+(?:\.\d+)?")
               & ~text.str.fullmatch(r"\d{4}|\d{8}")).to_numpy(bool, na_value=False)
    if numeric.any():
        nv, uv = _from_numbers(pd.to_numeric(text.where(numeric), errors="coerce").to_numpy())
        naive, utc = naive.where(~numeric, nv), utc.where(~numeric, uv)
    rest = ~numeric
    iso_naive, iso_utc = _parse_iso(text[rest])
    naive = naive.where(~rest, _spread(iso_naive, rest, naive))
    utc = utc.where(~rest, _spread(iso_utc, rest, utc))
    left = rest & naive.isna() & utc.isna()
    if left.any():
        ln, lu, note = _parse_loose(text[left], dayfirst)
        naive = naive.where(~left, _spread(ln, left, naive))
        utc = utc.where(~left, _spread(lu, left, utc))
    return naive, utc, note


def _spread(part: pd.DatetimeIndex, mask: np.ndarray, like: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """Place ``part`` (values for ``mask``) into an index shaped like ``like``."""
    full = np.full(len(like), np.datetime64("NaT", "ns"))
    full[mask] = part.tz_localize(None).to_numpy() if part.tz is not None else part.to_numpy()
    out = pd.DatetimeIndex(full)
    return out.tz_localize("UTC") if like.tz is not None else out


def _parse_iso(text: pd.Series) -> tuple[pd.DatetimeIndex, pd.DatetimeIndex]:
    """ISO 8601 (and the lenient variants pandas accepts), the fast path for most exports.

    Values with an offset and naive ones are parsed apart: pandas refuses a column that
    mixes them, and a log spanning a DST change mixes ``+02:00`` and ``+03:00``.
    """
    nat = np.datetime64("NaT", "ns")
    empty = pd.DatetimeIndex(np.full(len(text), nat))
    aware = text.str.contains(_HAS_OFFSET, regex=True).to_numpy(bool, na_value=False)
    with_offset = pd.DatetimeIndex(
        pd.to_datetime(text[aware], format="ISO8601", utc=True, errors="coerce"))
    try:
        naive = pd.DatetimeIndex(pd.to_datetime(text[~aware], format="ISO8601", errors="coerce"))
    except (ValueError, TypeError):
        naive = pd.DatetimeIndex([])
    if naive.tz is not None or len(naive) != int((~aware).sum()):
        # An offset in a shape the check above misses: leave these to the loose parser,
        # which reports what it cannot read.
        naive = pd.DatetimeIndex(np.full(int((~aware).sum()), nat))
    return (_spread(_to_ns(naive), ~aware, empty),
            _spread(_to_ns(with_offset), aware, empty.tz_localize("UTC")))


def _parse_loose(
    text: pd.Series, dayfirst: bool
) -> tuple[pd.DatetimeIndex, pd.DatetimeIndex, str | None]:
    """Regional formats: ``15.3.2024 klo 14.30``, ``03/15/24 2:30 PM``, ``… +0200``."""
    parts = text.str.extract(_LOOSE_DT)
    num = {k: pd.to_numeric(parts[k], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
           for k in ("Y", "m", "d", "a", "b", "y", "H", "M", "S")}
    note = None
    a, b = num["a"], num["b"]
    day_evidence = bool(np.nanmax(a, initial=0) > 12)
    month_evidence = bool(np.nanmax(b, initial=0) > 12)
    first = dayfirst
    if month_evidence and not day_evidence:
        first = False
    elif day_evidence and not month_evidence:
        first = True
    if first != dayfirst:
        example = text[(b > 12) if not first else (a > 12)].iloc[0]
        note = (f"dates such as {example!r} are {'day' if first else 'month'}-first; read as "
                f"{'day/month' if first else 'month/day'}/year")
    short_year = num["y"] < 100
    # two-digit years the way strptime's %y reads them: 00-68 -> 20xx, 69-99 -> 19xx
    century = np.where(num["y"] < 69, 2000, 1900)
    year2 = np.where(short_year, century + num["y"], num["y"])
    ymd = ~np.isnan(num["Y"])
    year = np.where(ymd, num["Y"], year2)
    month = np.where(ymd, num["m"], b if first else a)
    day = np.where(ymd, num["d"], a if first else b)
    hour = np.nan_to_num(num["H"], nan=0.0)
    ampm = parts["p"].str.casefold().str[0].fillna("").to_numpy(dtype=object)
    pm = ampm == "p"
    am = ampm == "a"
    bad_hour = (am | pm) & ((hour > 12) | (hour == 0))
    hour = np.where(am & (hour == 12), 0, np.where(pm & (hour < 12), hour + 12, hour))
    frac = parts["f"].fillna("").str.ljust(9, "0")
    ns = np.nan_to_num(pd.to_numeric(frac, errors="coerce").to_numpy(dtype="float64",
                                                                      na_value=np.nan))
    fields = pd.DataFrame({
        "year": year, "month": month, "day": day, "hour": hour,
        "minute": np.nan_to_num(num["M"]), "second": np.nan_to_num(num["S"]), "ns": ns,
    })
    fields.loc[bad_hour | np.isnan(year), "year"] = np.nan
    wall = _to_ns(pd.to_datetime(fields, errors="coerce"))
    offset = parts["z"].map(_offset_minutes, na_action="ignore").to_numpy(dtype="float64",
                                                                          na_value=np.nan)
    has_offset = ~np.isnan(offset)
    shifted = wall - pd.to_timedelta(np.nan_to_num(offset), unit="min")
    naive = pd.DatetimeIndex(wall.where(~has_offset))
    utc = pd.DatetimeIndex(shifted.where(has_offset)).tz_localize("UTC")
    return naive, utc, note


def _offset_minutes(z: str) -> float:
    if z.upper() in ("Z", "UTC", "GMT"):
        return 0.0
    sign = -1 if z[0] == "-" else 1
    digits = z[1:].replace(":", "")
    return sign * (int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) > 2 else 0))


def _instants(text: pd.Series, col: _Col) -> pd.Series:
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    try:
        naive_u, utc_u, note = _parse_instants(
            pd.Series(uniques, dtype="str"), dayfirst=col.source.dayfirst,
            fmt=col.source.date_format,
        )
    except ValueError as e:  # only a malformed date_format gets here
        raise InputError(file=col.file, column=col.column,
                         problem=f"the date_format {col.source.date_format!r} is not valid ({e})",
                         fix=f"correct `date_format:` {col.where}, e.g. \"%d.%m.%Y %H:%M\""
                         ) from None
    if note:
        col.notes.append(f"{col.file}, column {col.column}: {note}; set `dayfirst:` or "
                         f"`date_format:` {col.where} if that is wrong")
    nat = np.datetime64("NaT", "ns")
    naive = pd.Series(np.append(naive_u.to_numpy(), nat)[codes], index=text.index)
    utc = pd.Series(np.append(utc_u.tz_localize(None).to_numpy(), nat)[codes],
                    index=text.index).dt.tz_localize("UTC")
    return _finish_instants(naive, utc, text, col)


def _finish_instants(naive: pd.Series, utc: pd.Series, given: pd.Series, col: _Col) -> pd.Series:
    """Combine wall-clock and UTC parts into the canonical type; report unreadable values."""
    bad = given.notna() & naive.isna() & utc.isna()
    if bad.any():
        example = "2024-03-15" if col.kind == "date" else "2024-03-15 14:30"
        fmt = "%d.%m.%Y" if col.kind == "date" else "%d.%m.%Y %H:%M"
        fix = (f"write it like {example} (or 15.3.2024), or set `date_format: \"{fmt}\"` "
               f"{col.where}")
        if col.source.date_format:
            fix = (f"correct the value, or `date_format:` {col.where} (it is "
                   f"{col.source.date_format!r} and does not match)")
        raise col.error(bad, given, f"cannot read{{value}} as {_KIND_WORDS[col.kind]}", fix)
    if col.kind == "date":
        from_utc = utc.dt.tz_convert(col.tz).dt.tz_localize(None)
        out = naive.where(naive.notna(), from_utc).dt.normalize()
        return out.astype("datetime64[ns]")
    local = _localize(naive, col)
    return local.where(local.notna(), utc).astype("datetime64[ns, UTC]")


def _localize(naive: pd.Series, col: _Col) -> pd.Series:
    """Wall-clock times in the client's zone -> UTC, DST handled as the module says."""
    if naive.isna().all():
        return naive.dt.tz_localize("UTC")
    first_occurrence = np.ones(len(naive), dtype=bool)  # True = the DST (earlier) reading
    local = naive.dt.tz_localize(col.tz, ambiguous=first_occurrence, nonexistent="shift_forward")
    strict = naive.dt.tz_localize(col.tz, ambiguous="NaT", nonexistent="NaT")
    odd = strict.isna() & naive.notna()
    if odd.any():
        moved = odd & (local.dt.tz_localize(None) != naive)
        for mask, what in (
            (moved, "fall in the hour skipped when clocks go forward; moved to the end of the gap"),
            (odd & ~moved, "fall in the hour repeated when clocks go back; read as the first "
             "occurrence (summer time)"),
        ):
            if mask.any():
                row, count = _first(mask)
                col.notes.append(
                    f"{col.file}, column {col.column}: {count} time{'s' if count > 1 else ''} "
                    f"(e.g. {naive.loc[row]:%Y-%m-%d %H:%M} in row {row}) "
                    f"{what.replace('fall ', 'falls ' if count == 1 else 'fall ', 1)}"
                )
    return local.dt.tz_convert("UTC")


# --------------------------------------------------------------------------- tables


@dataclass
class _Loaded:
    """One table read from its files, still carrying ``_file``/``_row`` for messages."""

    table: str
    frame: pd.DataFrame
    columns: dict[str, dict[str, str]]  # file name -> canonical -> column in that file
    sources: list[SourceFile]
    notes: list[str]

    def public_frame(self) -> pd.DataFrame:
        frame = self.frame.drop(columns=["_file", "_row"]).reset_index(drop=True)
        frame.attrs["absent"] = [c for c in TABLES[self.table].columns
                                 if not any(c in m for m in self.columns.values())]
        return frame

    def label(self, files: pd.Series | None = None) -> str:
        """The file name(s) to name in a message about the given rows (default: all)."""
        names = sorted(set(files if files is not None else self.columns))
        return names[0] if len(names) == 1 else f"{self.table} ({', '.join(names)})"

    def column(self, file: str, canonical: str) -> str:
        return self.columns.get(file, {}).get(canonical, canonical)


def _load_table(files: list[Path], table: str, source: TableSource, tz: str) -> _Loaded:
    parts, columns, sources, notes = [], {}, [], []
    for path in files:
        raw, digest = _read_raw(path, source, table)
        notes.extend(raw.notes)
        made = _made_columns(raw.frame, table, source, path.name, tz, notes)
        cells = raw.frame.assign(**{label: v for label, (_, v) in made.items()})
        mapped = _resolve_columns(list(cells.columns), table, source, path.name, raw.delimiter,
                                  made={canon: label for label, (canon, _) in made.items()})
        frame = _canonical(cells, mapped, path.name, table, source, tz, notes)
        if source.contacts is not None and source.contacts.event:
            frame["_event"] = _as_text(raw.frame[_file_column(
                list(raw.frame.columns), source.contacts.event, path.name,
                f"contacts: {{event: ...}} under data.tables.{table}")]).str.casefold()
        frame.insert(0, "_file", path.name)
        frame.insert(1, "_row", raw.frame.index.to_numpy(dtype="int64"))
        parts.append(frame)
        columns[path.name] = mapped
        sources.append(SourceFile(table=table, path=path, sha256=digest, rows=len(frame)))
    frame = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
    frame = frame.reset_index(drop=True)
    loaded = _Loaded(table, frame, columns, sources, notes)
    if source.credits:
        _mark_credits(loaded, source.credits)
    if source.contacts is not None:
        _select_contacts(loaded, source.contacts)
    _check_table(loaded)
    return loaded


def _made_columns(
    raw: pd.DataFrame, table: str, source: TableSource, name: str, tz: str, notes: list[str]
) -> dict[str, tuple[str, pd.Series]]:
    """The columns params make from others: ``derive`` arithmetic and ``constants``.

    Returns ``{label: (canonical column, values)}``. The label says what the column is
    (``Quantity * UnitPrice``), so a message about its values names what the user wrote.
    """
    made: dict[str, tuple[str, pd.Series]] = {}
    columns = list(raw.columns)
    where = f"under data.tables.{table} in your params file"
    for canon, expr in source.derive.items():
        left, op, right = split_arithmetic(expr)  # type: ignore[misc]  # validated in params
        operands = []
        for operand in (left, right):
            number = _constant_number(operand)
            if number is not None:
                operands.append(pd.Series(number, index=raw.index, dtype="float64"))
                continue
            column = _file_column(columns, operand, name, f"derive: {{{canon}: {expr}}} {where}")
            col = _Col(file=name, table=table, canonical=canon, column=column, kind="float",
                       required=False, source=source, tz=tz, notes=notes)
            operands.append(_convert(raw[column], col))
        a, b = operands
        value = {"*": a * b, "/": a / b.where(b != 0), "+": a + b, "-": a - b}[op]
        made[f"{left} {op} {right}"] = (canon, value.astype("float64"))
    for canon, value in source.constants.items():
        made[f"{value!r} (constants)"] = (canon, pd.Series(value, index=raw.index, dtype=object))
    if source.contacts is not None and "direction" not in source.columns and \
            "direction" not in source.constants:
        # The rule sets each contact's direction; a ticket log has no direction column.
        made["direction (contacts)"] = ("direction", pd.Series("in", index=raw.index, dtype=object))
    if "amount" not in source.derive and table == "invoices":
        _quantity_hint(columns, source, name, notes)
    if table == "interactions" and source.contacts is None:
        _event_log_hint(columns, name, notes)
    return made


def _constant_number(text: str) -> float | None:
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return None


def _file_column(columns: list[str], wanted: str, name: str, where: str) -> str:
    """The file's column named ``wanted`` (exactly, else ignoring case and spacing)."""
    if wanted in columns:
        return wanted
    hits = [c for c in columns if _norm(c) == _norm(wanted)]
    if len(hits) == 1:
        return hits[0]
    raise InputError(
        file=name,
        problem=f"the params name the column {wanted!r}, which the file does not have"
        f"{_suggest(wanted, columns)}; its columns are: {_show_columns(columns)}",
        fix=f"correct {where}",
    )


_QUANTITY_WORDS = frozenset({"quantity", "qty", "määrä", "maara", "kpl", "lkm", "kappaleet", "units"})


def _quantity_hint(columns: list[str], source: TableSource, name: str, notes: list[str]) -> None:
    """A line-item export mapped to its unit price undercounts revenue without a word."""
    quantity = [c for c in columns if _norm(c) in _QUANTITY_WORDS]
    if quantity and "amount" in source.columns:
        notes.append(
            f"{name}: amount is read from {source.columns['amount']!r} but the file also has "
            f"{quantity[0]!r}: if each row is a line of an invoice and {source.columns['amount']!r} "
            f"is a unit price, set `derive: {{amount: {quantity[0]} * "
            f"{source.columns['amount']}}}` under data.tables.invoices instead")


_EVENT_WORDS = frozenset({"activity", "event", "eventtype", "status", "state", "action", "tapahtuma", "tila"})


def _event_log_hint(columns: list[str], name: str, notes: list[str]) -> None:
    """A ticket system's event log read row by row counts every status update as a contact."""
    event = [c for c in columns if _norm(c) in _EVENT_WORDS]
    if event:
        notes.append(
            f"{name} has a column {event[0]!r}: if each row is a status update of a ticket rather "
            "than a message, every update counts as a contact; say which events are contacts with "
            "`contacts:` under data.tables.interactions (params/templates/ticket-log.yaml)")


def _mark_credits(t: _Loaded, credits: dict[str, str]) -> None:
    """Rows matching a credit pattern are credits: their amount counts against revenue."""
    frame = t.frame
    hit = np.zeros(len(frame), bool)
    for canon, pattern in credits.items():
        hit |= frame[canon].str.contains(pattern, regex=True).fillna(False).to_numpy(bool)
    positive = hit & (frame["amount"] > 0).to_numpy(bool)
    frame.loc[hit, "amount"] = -frame.loc[hit, "amount"].abs()
    if hit.any():
        n, flipped = int(hit.sum()), int(positive.sum())
        how = ", ".join(f"{c} matching {p!r}" for c, p in credits.items())
        t.notes.append(
            f"{t.label()}: {n} row{'s' if n > 1 else ''} ({how}) read as credits: they lower "
            f"revenue and are never purchases" + (f"; {flipped} had a positive amount and count "
                                                  "negative" if flipped else ""))


def _select_contacts(t: _Loaded, rule: ContactRule) -> None:
    """Keep the events that are contacts (see :class:`~workbench.params.ContactRule`)."""
    frame = t.frame.sort_values(["ts", "_file", "_row"], kind="stable")
    first = np.zeros(len(frame), bool)
    listed = np.zeros(len(frame), bool)
    direction = frame["direction"].copy()
    if rule.per_thread:
        if frame["thread_id"].isna().all():
            raise InputError(
                file=t.label(), problem="contacts: per_thread needs the thread (ticket) id of each "
                "event, and no column is mapped to thread_id",
                fix="add `columns: {thread_id: <the ticket id column>}` under "
                "data.tables.interactions in your params file")
        thread = frame["thread_id"].fillna("\0row" + frame["_row"].astype(str))
        first = ~thread.duplicated().to_numpy()
    if rule.events:
        wanted = {k.strip().casefold(): v for k, v in rule.events.items()}
        event = frame["_event"]
        listed = event.isin(list(wanted)).to_numpy(bool, copy=True)
        if not listed.any():
            seen = ", ".join(repr(v) for v in event.value_counts().index[:8])
            raise InputError(
                file=t.label(), problem=f"contacts: none of the events {', '.join(map(repr, rule.events))} "
                f"occurs in the column {rule.event!r}; it holds e.g. {seen}",
                fix="correct `contacts: {events: ...}` under data.tables.interactions in your params file")
        if rule.per_thread:
            # Once per thread: a ticket resolved, reopened and resolved again is one answer.
            listed &= ~pd.DataFrame({"t": thread, "e": event}).duplicated().to_numpy()
        direction = direction.mask(pd.Series(listed, index=frame.index), event.map(wanted))
    # The customer opened the thread, whatever the first event is called.
    direction = direction.mask(pd.Series(first, index=frame.index), "in")
    keep = first | listed
    n_out = int((~keep).sum())
    frame = frame.assign(direction=direction)[keep].drop(columns="_event", errors="ignore")
    t.notes.append(
        f"{t.label()}: read as an event log: {len(frame)} of {len(frame) + n_out} rows are contacts "
        f"({'each thread’s first event as the customer’s inbound' if rule.per_thread else ''}"
        f"{'; ' if rule.per_thread and rule.events else ''}"
        f"{'events ' + ', '.join(repr(e) for e in rule.events) if rule.events else ''}); "
        f"{n_out} status update{'s' if n_out != 1 else ''} left out")
    t.frame = frame.sort_values(["_file", "_row"], kind="stable").reset_index(drop=True)


def _canonical(
    raw: pd.DataFrame, mapped: dict[str, str], name: str, table: str,
    source: TableSource, tz: str, notes: list[str],
) -> pd.DataFrame:
    spec = TABLES[table]
    out: dict[str, pd.Series] = {}
    for canon, kind in spec.columns.items():
        if canon not in mapped:
            out[canon] = _absent(kind, raw.index)
            continue
        required = canon in spec.required and (table, canon) not in _FILLED_LATER \
            and not (canon == "account_id" and table in _ATTRIBUTED)
        col = _Col(file=name, table=table, canonical=canon, column=mapped[canon], kind=kind,
                   required=required, source=source, tz=tz, notes=notes)
        out[canon] = _convert(raw[mapped[canon]], col)
    return pd.DataFrame(out, index=raw.index)


def _absent(kind: str, index: pd.Index) -> pd.Series:
    """An all-missing column of the canonical type, for optional columns a file lacks."""
    dtype = {"float": "float64", "date": "datetime64[ns]", "ts": "datetime64[ns, UTC]",
             "bool": "boolean"}.get(kind, "str")
    return pd.Series(None, index=index, dtype=dtype)


def _check_table(t: _Loaded) -> None:
    """Checks and repairs that look at a whole table (all its files together)."""
    frame, spec = t.frame, TABLES[t.table]
    if t.table == "interactions":
        frame["seq"] = np.arange(len(frame), dtype="int64")
    if spec.key:
        _check_unique_key(t, spec.key)
    if t.table == "accounts":
        nameless = frame["name"].isna()
        if nameless.any():
            frame.loc[nameless, "name"] = frame.loc[nameless, "account_id"]
            t.notes.append(f"{t.label(frame.loc[nameless, '_file'])}: {int(nameless.sum())} "
                           f"account{'s' if nameless.sum() > 1 else ''} without a name (e.g. "
                           f"{frame.loc[nameless, 'account_id'].iloc[0]}); named by their id")
    if t.table == "interactions":
        data_cols = [c for c in spec.columns if c in frame.columns]
        dup = frame.duplicated(subset=data_cols, keep="first").to_numpy()
        if dup.any():
            n = int(dup.sum())
            t.notes.append(f"{t.label(frame.loc[dup, '_file'])}: {n} row{'s' if n > 1 else ''} "
                           f"exactly duplicate{'' if n > 1 else 's'} an earlier row (e.g. row "
                           f"{frame.loc[dup, '_row'].iloc[0]}); left out")
            frame = frame[~dup]
    if t.table == "leads":
        early = (frame["first_response_ts"] < frame["created_ts"]).fillna(False).to_numpy(bool)
        if early.any():
            n = int(early.sum())
            t.notes.append(
                f"{t.label(frame.loc[early, '_file'])}: {n} lead{'s' if n > 1 else ''} "
                f"answered before {'they were' if n > 1 else 'it was'} created (e.g. "
                f"{frame.loc[early, 'lead_id'].iloc[0]}); first_response_ts set missing"
            )
            frame["first_response_ts"] = frame["first_response_ts"].mask(early)
    t.frame = frame.reset_index(drop=True)


def _add_mail(
    log: _Loaded | None, paths: list[Path], params: Params, accounts: _Loaded,
    team: _Loaded | None,
) -> _Loaded:
    """Read the e-mail export (see :mod:`workbench.mail`) and add it to the contact log."""
    read = read_mail(
        paths, accounts.public_frame(), own_domains=params.client.domains,
        own_addresses=params.client.addresses,
        team=team.public_frame() if team is not None else None, accounts_file=accounts.label(),
    )
    frame = read.frame
    spec = TABLES["interactions"]
    for canon, kind in spec.columns.items():
        if canon not in frame:
            frame[canon] = _absent(kind, frame.index)
    frame = frame[["_file", "_row", *spec.columns]]
    mail = _Loaded("interactions", frame, {s.path.name: dict(MAIL_HEADERS) for s in read.sources},
                   read.sources, read.notes)
    _check_table(mail)
    if log is None:
        return mail
    # A contact log and the mailbox together, e.g. the phone log of a CRM and the e-mail.
    frame = pd.concat([log.frame, mail.frame], ignore_index=True)
    frame["seq"] = np.arange(len(frame), dtype="int64")
    notes = [*log.notes, *mail.notes]
    emails = int((log.frame["channel"] == "email").sum())
    if emails:
        notes.append(
            f"{log.label()} already holds {emails} e-mail row{'s' if emails > 1 else ''} and "
            f"{mail.label()} adds {len(mail.frame)}: if they are the same messages they count "
            "twice; then read only one of them (`file:` under data.tables.interactions in your "
            "params file)")
    return _Loaded("interactions", frame, {**log.columns, **mail.columns},
                   [*log.sources, *mail.sources], notes)


def _check_unique_key(t: _Loaded, key: str) -> None:
    frame = t.frame
    dup = frame.duplicated(subset=[key], keep="first").to_numpy()
    if not dup.any():
        return
    i = int(np.argmax(dup))
    value = frame[key].iloc[i]
    earlier = frame.index[(frame[key] == value).to_numpy()][0]
    file, row = frame["_file"].iloc[i], int(frame["_row"].iloc[i])
    first_file, first_row = frame["_file"].loc[earlier], int(frame["_row"].loc[earlier])
    where = f"row {first_row}" if first_file == file else f"{first_file} row {first_row}"
    n = frame.loc[dup, key].nunique()
    more = f"; {n - 1} more {key} value{'s are' if n > 2 else ' is'} repeated too" if n > 1 else ""
    raise InputError(
        file=file, column=t.column(file, key), row=row,
        problem=f"{key} {value!r} appears more than once (also in {where}){more}",
        fix=f"keep one row per {key}: merge or remove the duplicates",
    )


def _drop_unknown_accounts(t: _Loaded, known: pd.Series) -> None:
    """Leave out rows naming accounts not in accounts; all of them unknown is an error."""
    frame = t.frame
    empty = frame["account_id"].isna().to_numpy()
    if empty.all() and len(frame):
        file, row = frame["_file"].iloc[0], int(frame["_row"].iloc[0])
        raise InputError(file=file, column=t.column(file, "account_id"), row=row,
                         problem="account_id is empty in every row",
                         fix="map account_id to the column that names the customer: `columns: "
                         f"{{account_id: <your column>}}` under data.tables.{t.table} in your params file")
    if empty.any():
        n = int(empty.sum())
        t.notes.append(f"{t.label(frame.loc[empty, '_file'])}: {n} row{'s' if n > 1 else ''} "
                       f"without an account id (e.g. row {frame.loc[empty, '_row'].iloc[0]}) left "
                       "out: they belong to no customer")
        frame = t.frame = frame[~empty].reset_index(drop=True)
    unknown = (~frame["account_id"].isin(known)).to_numpy()
    if unknown.any():
        _restore_leading_zeros(t, known, unknown)
        frame = t.frame
        unknown = (~frame["account_id"].isin(known)).to_numpy()
    if not unknown.any():
        return
    ids = frame.loc[unknown, "account_id"]
    examples = ", ".join(str(v) for v in ids.drop_duplicates().head(2))
    if unknown.all():
        file, row = frame["_file"].iloc[0], int(frame["_row"].iloc[0])
        sample_known = ", ".join(str(v) for v in known.head(2))
        raise InputError(
            file=file, column=t.column(file, "account_id"), row=row,
            problem=f"none of the account ids in {t.table} match accounts ({t.table} has e.g. "
            f"{examples}; accounts has e.g. {sample_known}): probably the wrong column is mapped",
            fix=f"map account_id to the column that holds the same ids as accounts: "
            f"`columns: {{account_id: <your column>}}` under data.tables.{t.table} in your "
            "params file",
        )
    n = int(unknown.sum())
    t.notes.append(f"{t.label(frame.loc[unknown, '_file'])}: {n} row{'s' if n > 1 else ''} "
                   f"name{'' if n > 1 else 's'} account ids not in accounts (e.g. {examples}); "
                   "left out")
    t.frame = frame[~unknown].reset_index(drop=True)
