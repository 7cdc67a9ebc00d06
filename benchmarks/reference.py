"""A hand-written DuckDB SQL query of the per-account contact metrics, for the benchmark.

It computes the same columns as :func:`workbench.metrics.interaction_metrics` (counts,
effort, after-hours and off-day inbound, chasers, runs and answers, answer times, replies,
threads, first and last dates) straight from a Parquet log, written the way a data
engineer would write it by hand: one scan, two window passes, one group-by. It is the
yardstick the product's aggregation is measured against, and the benchmark checks that
both give the same numbers.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from workbench import Params
from workbench.businesstime import BusinessCalendar
from workbench.metrics import CHANNELS, TWO_WAY

#: The columns compared with the product's (the log's part of ``account_metrics``).
COLUMNS = (
    "n_interactions", "n_inbound", "n_outbound", *(f"n_{c}" for c in CHANNELS), "n_other",
    "effort_minutes", "after_hours_inbound", "off_day_inbound", "chasers", "complaints",
    "inbound_runs", "answered_runs", "proactive_outbound", "proactive_replied",
    "response_hours_median", "response_hours_p90", "first_seen", "last_seen", "last_inbound",
    "first_engaged", "last_engaged", "n_threads", "longest_thread",
)


def _list(values: list[int] | tuple[int, ...]) -> str:
    return ", ".join(str(int(v)) for v in values) or "-1"


def reference_sql(parquet: str, params: Params, as_of: dt.date, first: dt.date, last: dt.date,
                  window_days: int = 365) -> str:
    """The query for ``parquet`` (a path or glob) at ``as_of``; ``first`` and ``last`` bound
    the log's days, for the holiday list."""
    tz = params.client.timezone
    cal = BusinessCalendar.from_params(params)
    cutoff = pd.Timestamp(as_of, tz=tz).tz_convert("UTC")
    start_us = (cutoff - pd.Timedelta(days=window_days)).value // 1000
    cutoff_us = cutoff.value // 1000
    effort = " ".join(f"WHEN '{c}' THEN {float(m)}" for c, m in params.effort.minutes_per_channel.items())
    chaser_us = params.chasers.window_minutes * 60e6
    channels = ", ".join(f"'{c}'" for c in CHANNELS)
    two_way = ", ".join(f"'{c}'" for c in TWO_WAY)
    counts = ",\n  ".join(f"count(*) FILTER (w AND channel = '{c}') AS n_{c}" for c in CHANNELS)
    return f"""
WITH base AS (
  SELECT account_id, seq, channel, direction = 'in' AS is_in, thread_id AS thread, ts,
         epoch_us(ts) AS t_us,
         epoch_us(timezone('{tz}', ts)) AS local_us,
         coalesce(minutes, CASE channel {effort} ELSE {float(params.effort.default_minutes)} END) AS effort_minutes,
         coalesce(is_complaint, false) AS complaint
  FROM read_parquet('{parquet}')
  WHERE epoch_us(ts) < {cutoff_us}
),
neighbours AS (
  SELECT *,
         epoch_us(ts) >= {start_us} AS w,
         coalesce(lag(is_in) OVER acc, false) AS prev_in,
         lag(t_us) OVER acc AS prev_t,
         coalesce(lead(is_in) OVER acc, false) AS next_in,
         lead(t_us) OVER acc AS next_t,
         lead(thread) OVER acc AS next_thread,
         (local_us // 86400000000 + 3) % 7 + 1 NOT IN ({_list(cal.weekdays)})
           OR local_us // 86400000000 IN ({_list(cal.holiday_days(first, last))}) AS off_day_,
         (local_us // 60000000) % 1440 AS minute
  FROM base
  WINDOW acc AS (PARTITION BY account_id ORDER BY t_us, seq)
),
runs AS (
  SELECT *,
         is_in AND NOT prev_in AS run_start,
         max(CASE WHEN is_in AND NOT prev_in THEN t_us ELSE 0 END)
           OVER (PARTITION BY account_id ORDER BY t_us, seq ROWS UNBOUNDED PRECEDING) AS run_began
  FROM neighbours
),
answers AS (
  SELECT *,
         CASE WHEN NOT is_in AND prev_in AND run_began >= {start_us}
              THEN (t_us - run_began) / 3600e6 END AS answer_hours
  FROM runs
),
threads AS (
  SELECT account_id, count(*) AS n_threads, max(n) AS longest_thread
  FROM (SELECT account_id, thread, count(*) AS n FROM base
        WHERE epoch_us(ts) >= {start_us} AND thread IS NOT NULL GROUP BY ALL)
  GROUP BY account_id
)
SELECT account_id,
  count(*) FILTER (w) AS n_interactions,
  count(*) FILTER (w AND is_in) AS n_inbound,
  count(*) FILTER (w AND NOT is_in) AS n_outbound,
  {counts},
  count(*) FILTER (w AND channel NOT IN ({channels})) AS n_other,
  coalesce(sum(effort_minutes) FILTER (w), 0) AS effort_minutes,
  count(*) FILTER (w AND is_in AND (off_day_ OR minute < {cal.start_minute} OR minute >= {cal.end_minute}))
    AS after_hours_inbound,
  count(*) FILTER (w AND is_in AND off_day_) AS off_day_inbound,
  count(*) FILTER (w AND is_in AND prev_in AND t_us - prev_t <= {chaser_us}) AS chasers,
  count(*) FILTER (w AND complaint) AS complaints,
  count(*) FILTER (w AND run_start) AS inbound_runs,
  count(answer_hours) AS answered_runs,
  count(*) FILTER (w AND NOT is_in AND NOT prev_in) AS proactive_outbound,
  count(*) FILTER (w AND NOT is_in AND NOT prev_in AND next_in
                   AND (thread IS NULL OR next_thread IS NULL OR thread = next_thread)
                   AND next_t - t_us <= 7 * 86400e6) AS proactive_replied,
  median(answer_hours) AS response_hours_median,
  quantile_cont(answer_hours, 0.9) AS response_hours_p90,
  min(ts) AS first_seen, max(ts) AS last_seen,
  max(ts) FILTER (is_in) AS last_inbound,
  min(ts) FILTER (is_in OR channel IN ({two_way})) AS first_engaged,
  max(ts) FILTER (is_in OR channel IN ({two_way})) AS last_engaged,
  any_value(t.n_threads) AS n_threads, any_value(t.longest_thread) AS longest_thread
FROM answers LEFT JOIN threads t USING (account_id)
GROUP BY account_id
ORDER BY account_id
"""


def reference_metrics(parquet: Path | str, params: Params, as_of: dt.date, window_days: int = 365) -> pd.DataFrame:
    """Run :func:`reference_sql` on ``parquet``; one row per account that has events."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    span = con.execute(f"SELECT min(ts), max(ts) FROM read_parquet('{parquet}')").fetchone()
    first = (pd.Timestamp(span[0]) - pd.Timedelta(days=1)).date()
    last = (pd.Timestamp(span[1]) + pd.Timedelta(days=1)).date()
    return con.execute(reference_sql(str(parquet), params, as_of, first, last, window_days)).df()
