"""Apache Spark as an engine of the per-account aggregation (``engine: spark``).

The aggregation is the same narwhals code the other engines run; Spark runs it as a job on
``spark.master`` (``local[*]`` by default: every core of this machine; a cluster's URL
runs it there) and only the per-account result, one row per account, comes back to the
driver. PySpark and a Java runtime are needed only when this engine is chosen.
"""

from __future__ import annotations

from typing import Any

from .exceptions import ParamsError
from .params import Spark

#: Settings a correct result depends on, applied over the params file's ``conf``.
REQUIRED = {
    # Instants are computed on as UTC epochs (local hours come from integer wall-clock
    # columns), and Spark hands timestamps back as naive wall clock in its session zone:
    # UTC makes them come back as the instants they are, whatever the cluster's zone.
    "spark.sql.session.timeZone": "UTC",
    # pandas writes instants in nanoseconds, a Parquet type Spark refuses to read; as
    # integers they can be read and made instants (engines.scan_log).
    "spark.sql.legacy.parquet.nanosAsLong": "true",
}
#: Defaults a report run wants, which the params file's ``conf`` may override.
DEFAULTS = {
    "spark.app.name": "workbench",
    # Progress bars would be written into the notebooks' outputs and the run log.
    "spark.ui.showConsoleProgress": "false",
}
#: Defaults on this machine only (``local`` masters): a cluster keeps its own.
LOCAL_DEFAULTS = {
    # The per-account tables are small next to the log: Spark's default of 200 shuffle
    # partitions mostly schedules empty tasks on one machine.
    "spark.sql.shuffle.partitions": "8",
}


def spark_conf(settings: Spark) -> dict[str, str]:
    """The Spark settings a session gets: the defaults, the params file's ``conf`` over
    them (as Spark's text), and :data:`REQUIRED` over all.

    Examples
    --------
    >>> spark_conf(Spark(master="yarn", conf={"spark.sql.adaptive.enabled": True}))["spark.sql.adaptive.enabled"]
    'true'
    >>> "spark.sql.shuffle.partitions" in spark_conf(Spark(master="yarn"))
    False
    """
    local = LOCAL_DEFAULTS if settings.master.startswith("local") else {}
    given = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in settings.conf.items()}
    return {**DEFAULTS, **local, **given, **REQUIRED}


def spark_session(settings: Spark) -> Any:
    """The Spark session for ``settings``: the running one, configured, or a new one.

    Examples
    --------
    >>> spark_session(Spark(master="local[1]")).conf.get("spark.sql.session.timeZone")  # doctest: +SKIP
    'UTC'
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise ParamsError(
            "engine: spark needs PySpark and a Java runtime. Fix: pip install pyspark and install "
            "Java 17 (Debian: apt-get install openjdk-17-jre-headless), or choose engine: duckdb"
        ) from None
    builder = SparkSession.builder.master(settings.master)
    for key, value in spark_conf(settings).items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as e:  # py4j/JVM start-up failures have no common base class
        raise ParamsError(
            f"engine: spark could not start Spark on master {settings.master!r}: {str(e).splitlines()[0]}. "
            "Fix: check that Java 17 is installed (java -version) and spark.master in the params file"
        ) from None
    # A session that was already running keeps its start-up settings; the SQL ones apply.
    for key, value in REQUIRED.items():
        session.conf.set(key, value)
    session.sparkContext.setLogLevel("ERROR")
    return session


def stop_spark() -> None:
    """Stop this process's Spark session, if one is running (its JVM with it)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        return
    session = SparkSession.getActiveSession()
    if session is not None:
        session.stop()
