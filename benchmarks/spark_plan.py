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

    from workbench import Params, Portfolio
    from workbench.metrics import featured_log, interaction_metrics
    from workbench.params import Spark

    params = Params(spark=Spark(conf={"spark.driver.memory": args.driver_memory}))
    log = pd.read_parquet(path)
    log["ts"] = log["ts"].astype("datetime64[ns, UTC]")
    portfolio = Portfolio(accounts=pd.DataFrame({"account_id": log["account_id"].unique()}), interactions=log)
    cutoff = pd.Timestamp(AS_OF, tz=params.client.timezone).tz_convert("UTC")
    featured = featured_log(portfolio, params, cutoff, "spark")
    per_account = interaction_metrics(
        featured, window_start=(cutoff - pd.Timedelta(days=365)).to_pydatetime(), as_of=cutoff.to_pydatetime())
    print(f"# Spark job plan: the per-account aggregation of {n:,} events, local[*]\n")
    per_account.to_native().explain(mode="formatted")


if __name__ == "__main__":
    main()
