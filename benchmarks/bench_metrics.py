"""Benchmark the log → per-account aggregation (`account_metrics`) on each engine.

Prints figures; asserts nothing (speed is measured, not tested: a timed test flakes on a
noisy machine). Each engine runs in a fresh process so its peak memory is its own.

    .venv/bin/python benchmarks/bench_metrics.py --events 1000000 10000000
    .venv/bin/python benchmarks/bench_metrics.py --events 1000000 --engines duckdb polars pandas

The synthetic log has ~10 events per account, office-hours timestamps over a year, equal
timestamps, threads and complaints, written once per size to a Parquet file in the cache
folder (default: the system temp folder).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

CHANNELS = np.array(["email", "phone", "sms", "chat", "ticket", "meeting", "visit"])


def make_log(n_events: int, path: Path, seed: int = 7) -> None:
    """A synthetic canonical interaction log of ``n_events`` rows, ~10 per account."""
    rng = np.random.default_rng(seed)
    n_accounts = max(n_events // 10, 1)
    start = pd.Timestamp("2025-01-01", tz="UTC").value // 1000
    minutes = rng.integers(0, 365 * 24 * 60, n_events)  # whole minutes: equal timestamps occur
    log = pd.DataFrame({
        "account_id": pd.Series(rng.integers(0, n_accounts, n_events)).map("A{:07d}".format),
        "ts": pd.to_datetime(start + minutes * 60_000_000, unit="us", utc=True),
        "channel": CHANNELS[rng.integers(0, len(CHANNELS), n_events)],
        "direction": np.where(rng.random(n_events) < 0.55, "in", "out"),
        "minutes": np.where(rng.random(n_events) < 0.3, rng.gamma(2.0, 5.0, n_events), np.nan),
        "thread_id": pd.Series(rng.integers(0, n_events // 4 + 1, n_events)).map("T{:08d}".format),
        "is_complaint": rng.random(n_events) < 0.02,
    })
    log["seq"] = np.arange(n_events, dtype="int64")
    log.to_parquet(path, index=False)


def run_one(path: Path, engine: str) -> dict[str, float]:
    """Time account_metrics on one engine (called in a child process)."""
    from workbench import Params, Portfolio, account_metrics

    t0 = time.perf_counter()
    log = pd.read_parquet(path)
    log["ts"] = log["ts"].astype("datetime64[ns, UTC]")
    accounts = pd.DataFrame({"account_id": log["account_id"].unique()})
    accounts["name"] = accounts["account_id"]
    read_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    m = account_metrics(Portfolio(accounts=accounts, interactions=log), Params(), engine=engine)
    return {
        "read_s": round(read_s, 2),
        "aggregate_s": round(time.perf_counter() - t1, 2),
        "accounts": len(m),
        "peak_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2, 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=float, nargs="+", default=[1e6])
    ap.add_argument("--engines", nargs="+", default=["duckdb", "polars", "pandas"])
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "workbench-bench")
    ap.add_argument("--child", nargs=2, metavar=("PARQUET", "ENGINE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(run_one(Path(args.child[0]), args.child[1])))
        return
    args.cache.mkdir(parents=True, exist_ok=True)
    print(f"{'events':>12} {'engine':<8} {'read s':>7} {'aggregate s':>12} {'accounts':>9} {'peak GB':>8}")
    for n in map(int, args.events):
        path = args.cache / f"log-{n}.parquet"
        if not path.exists():
            make_log(n, path)
        for engine in args.engines:
            out = subprocess.run([sys.executable, __file__, "--child", str(path), engine],
                                 capture_output=True, text=True)
            if out.returncode:
                print(f"{n:>12,} {engine:<8} failed: {out.stderr.strip().splitlines()[-1]}")
                continue
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"{n:>12,} {engine:<8} {r['read_s']:>7} {r['aggregate_s']:>12} {r['accounts']:>9,} {r['peak_gb']:>8}")


if __name__ == "__main__":
    main()
