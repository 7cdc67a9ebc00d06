"""Print the Spark job plan of the per-account aggregation on a benchmark log.

    .venv/bin/python benchmarks/spark_plan.py --events 10000000

The log is the benchmark's (``bench_metrics.make_log``, cached as Parquet); the plan is
Spark's own ``explain("formatted")`` of what ``account_metrics`` asks of it: the per-event
features (two window passes per account) and the per-account group-by. It runs as a
run's notebooks do: Spark reads the Parquet log itself (``Portfolio.log_file``), and the
driver never holds it.
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
    args = ap.parse_args()
    n = int(args.events)
    path = args.cache / f"log-v2-{n}.parquet"
    if not path.exists():
        args.cache.mkdir(parents=True, exist_ok=True)
        make_log(n, path)

    from workbench import Params, Portfolio
    from workbench.metrics import featured_log, interaction_metrics
    from workbench.params import Spark

    params = Params(spark=Spark())
    portfolio = Portfolio(accounts=pd.DataFrame({"account_id": []}), log_file=path)
    cutoff = pd.Timestamp(AS_OF, tz=params.client.timezone).tz_convert("UTC")
    featured = featured_log(portfolio, params, cutoff, "spark")
    per_account = interaction_metrics(
        featured, window_start=(cutoff - pd.Timedelta(days=365)).to_pydatetime(), as_of=cutoff.to_pydatetime())
    print(f"# Spark job plan: the per-account aggregation of {n:,} events, local[*]\n")
    per_account.to_native().explain(mode="formatted")


if __name__ == "__main__":
    main()
