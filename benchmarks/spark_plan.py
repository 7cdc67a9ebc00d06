"""Print the Spark job plan of the per-account aggregation on a benchmark log.

    .venv/bin/python benchmarks/spark_plan.py --events 10000000

The log is the benchmark's (``bench_metrics.make_log``, cached as Parquet); the plan is
Spark's own ``explain("formatted")`` of what ``account_metrics`` asks of it: the per-event
features (two window passes per account) and the per-account group-by. It runs as
``workbench run`` does today: the driver reads the log and hands it to Spark. The driver's
memory is raised for that hand-over (``spark.conf`` in params does the same for a run).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from bench_metrics import AS_OF, make_log  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=float, default=1e7)
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "workbench-bench")
    ap.add_argument("--driver-memory", default="8g")
    args = ap.parse_args()
    n = int(args.events)
    path = args.cache / f"log-v2-{n}.parquet"
    if not path.exists():
        args.cache.mkdir(parents=True, exist_ok=True)
        make_log(n, path)

    from workbench import Params
    from workbench.businesstime import BusinessCalendar
    from workbench.metrics import event_features, interaction_metrics, to_engine, with_epoch
    from workbench.params import Spark

    params = Params()
    tz = params.client.timezone
    spark = Spark(conf={"spark.driver.memory": args.driver_memory})
    log = pd.read_parquet(path)
    log["ts"] = log["ts"].astype("datetime64[ns, UTC]")
    cutoff = pd.Timestamp(AS_OF, tz=tz).tz_convert("UTC")
    featured = event_features(
        to_engine(with_epoch(log[log["ts"] < cutoff], tz), "spark", tz, spark),
        calendar=BusinessCalendar.from_params(params),
        chaser_window_minutes=params.chasers.window_minutes,
        minutes_per_channel=params.effort.minutes_per_channel,
        default_minutes=params.effort.default_minutes,
    )
    per_account = interaction_metrics(
        featured, window_start=(cutoff - pd.Timedelta(days=365)).to_pydatetime(), as_of=cutoff.to_pydatetime())
    print(f"# Spark job plan: the per-account aggregation of {n:,} events, local[*]\n")
    per_account.to_native().explain(mode="formatted")


if __name__ == "__main__":
    main()
