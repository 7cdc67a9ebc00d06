"""Where the log meets an engine: handed over from pandas, or scanned from its file.

The per-account aggregation (:mod:`workbench.metrics`) runs on DuckDB, polars, pandas or
Spark through narwhals. It starts from the canonical log with two more columns, ``t_us``
and ``local_us`` (the instant and the client's wall clock as epoch microseconds), either
made from a pandas frame (:func:`to_engine`) or read by the engine itself from a Parquet
file (:func:`scan_log`): then the log is never held whole in this process, and Spark reads
it where it lies.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import narwhals as nw
import pandas as pd

from .params import Spark

Engine = Literal["duckdb", "polars", "pandas", "spark"]


def to_engine(df: pd.DataFrame, engine: Engine, timezone: str, spark: Spark | None = None) -> nw.LazyFrame[Any]:
    """Hand a pandas frame to ``engine`` as a narwhals lazy frame.

    DuckDB keeps the time zone on the connection rather than on the column type, so the
    connection is set to the client's zone to make local hours and days come out right.
    ``spark`` says where a Spark session runs (default: this machine's cores).
    """
    df = _microseconds(df)
    if engine == "duckdb":
        return nw.from_native(duckdb_connection(timezone).from_arrow(_to_arrow(df))).lazy()
    if engine == "polars":
        import polars as pl

        return nw.from_native(pl.from_arrow(_to_arrow(df))).lazy()
    if engine == "pandas":
        return nw.from_native(df).lazy()
    if engine == "spark":
        from .spark import spark_session

        return nw.from_native(spark_session(spark or Spark()).createDataFrame(_to_arrow(df))).lazy()
    raise ValueError(f"unknown engine {engine!r}; use duckdb, polars, pandas or spark")


def duckdb_connection(timezone: str) -> Any:
    """A DuckDB connection in the client's zone whose memory limit leaves room for what this
    process already holds.

    DuckDB's default limit is 80 % of the machine's memory, as if it were alone; here the
    log it aggregates may already be in memory (handed over from pandas), so at 50 M events the two together outgrew the
    machine and the kernel killed the run. The same 80 %, of the memory still available
    when the connection opens, makes DuckDB spill its sorts and windows to disk instead.

    Examples
    --------
    >>> con = duckdb_connection("Europe/Helsinki")
    >>> con.execute("SELECT current_setting('TimeZone')").fetchone()[0]
    'Europe/Helsinki'
    """
    import duckdb
    import psutil

    con = duckdb.connect()
    con.execute(f"SET TimeZone = '{timezone}'")
    # A progress bar would land in a notebook's output and the run log.
    con.execute("SET enable_progress_bar = false")
    # Never below 256 MiB: a nearly full machine is better served by spilling than by a
    # limit no query fits in.
    mib = max(256, (psutil.virtual_memory().available * 8 // 10) >> 20)
    con.execute(f"SET memory_limit = '{mib}MiB'")
    return con


def with_epoch(log: pd.DataFrame, timezone: str) -> pd.DataFrame:
    """Add ``t_us``, the event time as integer epoch microseconds, for exact durations,
    and ``local_us``, the client's wall clock in ``timezone`` counted the same way.

    Local days, minutes and weekdays are then integer arithmetic on every engine: date
    parts of zone-converted timestamps were the costliest expressions on DuckDB, and
    pandas converts zones with a vectorized lookup of the transitions.
    """
    ts = log["ts"].astype("datetime64[us, UTC]")
    return log.assign(
        t_us=ts.astype("int64"),
        local_us=ts.dt.tz_convert(timezone).dt.tz_localize(None).astype("int64"),
    )


def _microseconds(df: pd.DataFrame) -> pd.DataFrame:
    """Store instants at µs precision: DuckDB's date parts reject nanosecond TIMESTAMPTZ."""
    cols = {
        c: f"datetime64[us, {t.tz}]" if isinstance(t, pd.DatetimeTZDtype) else "datetime64[us]"
        for c, t in df.dtypes.items()
        if pd.api.types.is_datetime64_any_dtype(t)
    }
    return df.astype(cols) if cols else df


def _to_arrow(df: pd.DataFrame) -> Any:
    import pyarrow as pa

    return pa.Table.from_pandas(df, preserve_index=False)


def scan_log(
    path: Path, engine: Engine, timezone: str, *, before: pd.Timestamp | None = None,
    spark: Spark | None = None,
) -> nw.LazyFrame[Any]:
    """The canonical log in the Parquet file ``path`` as ``engine`` reads it, with ``t_us``
    and ``local_us`` as :func:`with_epoch` makes them, and only events before ``before``.

    The result has the columns and types :func:`to_engine` gives for the same log read
    into pandas, so the aggregation cannot tell them apart; the test suite checks that
    every engine's metrics are identical either way.

    Examples
    --------
    >>> import tempfile
    >>> log = pd.DataFrame({"account_id": ["a", "a"], "seq": [0, 1],
    ...                     "ts": pd.to_datetime(["2026-03-29 00:30", "2026-03-29 01:30"], utc=True)})
    >>> path = Path(tempfile.mkdtemp()) / "log.parquet"
    >>> log.to_parquet(path)
    >>> scan_log(path, "duckdb", "Europe/Helsinki").collect("pandas").to_native()["local_us"].diff().iloc[1] / 36e8
    np.float64(2.0)
    """
    if engine == "pandas":
        log = pd.read_parquet(path)
        log["ts"] = log["ts"].astype("datetime64[ns, UTC]")
        if before is not None:
            log = log[log["ts"] < before]
        return to_engine(with_epoch(log, timezone), engine, timezone)
    us = _epoch_us(path)
    if engine == "duckdb":
        con = duckdb_connection(timezone)
        rel = con.read_parquet(str(path))
        cols = ", ".join(f'"{c}"' for c in rel.columns if c != "ts")
        # TIMESTAMPTZ at µs, as an Arrow hand-over gives it: a file written from pandas may
        # store nanoseconds, which DuckDB's date parts reject; they are floored (_epoch_us).
        ts = "ts::TIMESTAMPTZ" if us == "epoch_us(ts)" else "timezone('UTC', make_timestamp(epoch_ns(ts) // 1000))"
        rel = rel.project(f"{cols}, {ts} AS ts, {us} AS t_us, epoch_us(timezone('{timezone}', {ts})) AS local_us")
        if before is not None:
            rel = rel.filter(f"t_us < {before.value // 1000}")
        return nw.from_native(rel).lazy()
    if engine == "polars":
        import polars as pl

        ts = pl.col("ts").cast(pl.Datetime("us", "UTC"))
        frame = pl.scan_parquet(path).with_columns(ts).with_columns(
            t_us=pl.col("ts").dt.epoch("us"),
            local_us=pl.col("ts").dt.convert_time_zone(timezone).dt.replace_time_zone(None).dt.epoch("us"),
        )
        if before is not None:
            frame = frame.filter(pl.col("t_us") < before.value // 1000)
        return nw.from_native(frame)
    if engine == "spark":
        from pyspark.sql import functions as F

        from .spark import spark_session

        frame = spark_session(spark or Spark()).read.parquet(str(path))
        if dict(frame.dtypes)["ts"] == "bigint":  # nanoseconds (spark.REQUIRED)
            frame = frame.withColumn("ts", F.expr("timestamp_micros(ts div 1000)"))
        # The session's zone is UTC (spark.REQUIRED): from_utc_timestamp then gives the
        # client's wall clock, whose epoch is local_us.
        frame = frame.withColumn("t_us", F.unix_micros("ts")).withColumn(
            "local_us", F.unix_micros(F.from_utc_timestamp("ts", timezone)))
        if before is not None:
            frame = frame.filter(F.col("t_us") < before.value // 1000)
        return nw.from_native(frame).lazy()
    raise ValueError(f"unknown engine {engine!r}; use duckdb, polars, pandas or spark")


def _epoch_us(path: Path) -> str:
    """DuckDB's expression of a Parquet log's instant as epoch µs.

    A canonical log's ``ts`` is a zone-aware instant (a wall-clock column would be read in
    a different zone by each engine). Nanoseconds are floored, as pandas and the other
    engines cut them: a cast would round an event 1 ns before a cut-off onto it.
    """
    import pyarrow.parquet as pq

    ts = pq.read_schema(path).field("ts").type
    if getattr(ts, "tz", None) is None:
        raise ValueError(f"{path}: ts is {ts}, not an instant with a time zone; a canonical log "
                         "holds UTC instants (load the file with workbench.load_portfolio)")
    return "(epoch_ns(ts) // 1000)" if ts.unit == "ns" else "epoch_us(ts)"


@dataclass(frozen=True)
class LogFacts:
    """What is known about a whole log before aggregating it: the latest event and
    whether it holds messages from customers and from us.

    ``outbound`` is False for an export of incoming mail or helpdesk tickets alone: whether
    a message was answered is then unknown, and a chaser is any quick follow-up (on the
    sample, counting so overstates chasers by about a tenth: within the chaser window few
    messages have been answered yet).
    """

    latest: pd.Timestamp | None
    inbound: bool
    outbound: bool


def log_facts(log: pd.DataFrame | Path) -> LogFacts:
    """:class:`LogFacts` of a pandas log, or of a Parquet log read by DuckDB (three
    aggregates over two columns; the log is not loaded).

    Examples
    --------
    >>> log = pd.DataFrame({"ts": pd.to_datetime(["2026-01-02"], utc=True), "direction": ["in"]})
    >>> log_facts(log)
    LogFacts(latest=Timestamp('2026-01-02 00:00:00+0000', tz='UTC'), inbound=True, outbound=False)
    """
    if isinstance(log, pd.DataFrame):
        latest = log["ts"].max() if len(log) else None
        direction = log["direction"]
        return LogFacts(None if pd.isna(latest) else latest, bool((direction == "in").any()),
                        bool((direction == "out").any()))
    import duckdb

    latest_us, inbound, outbound = duckdb.connect().read_parquet(str(log)).aggregate(
        f"max({_epoch_us(log)}), coalesce(bool_or(direction = 'in'), false), "
        "coalesce(bool_or(direction = 'out'), false)"
    ).fetchall()[0]
    latest = None if latest_us is None else pd.Timestamp(latest_us, unit="us", tz="UTC")
    return LogFacts(latest, bool(inbound), bool(outbound))


def first_event(log: pd.DataFrame | Path, start: pd.Timestamp, end: pd.Timestamp) -> pd.Timestamp | None:
    """The first instant in ``[start, end)`` of a pandas log or of a Parquet log (asked of
    DuckDB, not loaded); None when there is none.

    Examples
    --------
    >>> log = pd.DataFrame({"ts": pd.to_datetime(["2026-01-01", "2026-02-01"], utc=True)})
    >>> first_event(log, pd.Timestamp("2026-01-15", tz="UTC"), pd.Timestamp("2026-03-01", tz="UTC"))
    Timestamp('2026-02-01 00:00:00+0000', tz='UTC')
    """
    if isinstance(log, pd.DataFrame):
        first = log_window(log, start, end, ("ts",))["ts"].min()
        return None if pd.isna(first) else first
    import duckdb

    us = _epoch_us(log)
    (first,) = duckdb.connect().read_parquet(str(log)).filter(_between(us, start, end)).aggregate(
        f"min({us})").fetchall()[0]
    return None if first is None else pd.Timestamp(first, unit="us", tz="UTC")


def _between(us: str, start: pd.Timestamp, end: pd.Timestamp) -> str:
    return f"{us} >= {start.value // 1000} AND {us} < {end.value // 1000}"


def log_window(log: pd.DataFrame | Path, start: pd.Timestamp, end: pd.Timestamp,
               columns: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The events in ``[start, end)`` of a pandas log or of a Parquet log (DuckDB reads only
    those rows, and only ``columns`` of them that the log has; default all), in the
    loader's types.

    Examples
    --------
    >>> log = pd.DataFrame({"ts": pd.to_datetime(["2026-01-01", "2026-02-01"], utc=True), "x": [1, 2]})
    >>> log_window(log, pd.Timestamp("2026-01-15", tz="UTC"), pd.Timestamp("2026-03-01", tz="UTC"))["x"].tolist()
    [2]
    """
    if isinstance(log, pd.DataFrame):
        inside = (log["ts"] >= start) & (log["ts"] < end)
        return log.loc[inside, [c for c in log.columns if columns is None or c in columns]]
    import duckdb
    import pyarrow.parquet as pq

    names = [c for c in pq.read_schema(log).names if columns is None or c in columns]
    rel = duckdb.connect().read_parquet(str(log)).filter(_between(_epoch_us(log), start, end))
    frame = rel.project(", ".join(f'"{c}"' for c in names)).to_arrow_table().to_pandas()
    if "ts" in frame:
        frame["ts"] = frame["ts"].astype("datetime64[ns, UTC]")
    return frame
