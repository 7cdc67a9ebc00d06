"""Benchmark the log → per-account aggregation (`account_metrics`) on each engine, against a
hand-written DuckDB SQL query of the same columns and against merely reading the log.

Prints figures side by side with ratios to the hand-written query; asserts nothing (speed
is measured, not tested: a timed test flakes on a noisy machine). Each measurement runs in
a fresh process, so its peak memory is its own; the product's result is checked equal to
the reference's, column by column, and the table says so.

    .venv/bin/python benchmarks/bench_metrics.py --events 1000000 10000000
    .venv/bin/python benchmarks/bench_metrics.py --events 1000000 --engines duckdb polars pandas spark

An engine alone (``duckdb``) is handed the log from pandas, as the loader gives it;
``duckdb:file`` scans the Parquet file itself (``Portfolio.log_file``, as a run's notebooks
do), so the log is never held in pandas.

The synthetic log is skewed (a few accounts write most), spread over 2025 in whole
minutes (equal timestamps occur, both clock-change nights are covered), with a fifth of
the events outside any thread; up to a million accounts. It is written once per size to a
Parquet file in the cache folder (default: the system temp folder).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from reference import COLUMNS, reference_metrics  # noqa: E402

CHANNELS = np.array(["email", "phone", "sms", "chat", "ticket", "meeting", "visit"])
AS_OF = dt.date(2026, 1, 1)


def make_log(n_events: int, path: Path, seed: int = 7) -> None:
    """A synthetic canonical interaction log of ``n_events`` rows over 2025."""
    rng = np.random.default_rng(seed)
    n_accounts = max(min(n_events // 10, 1_000_000), 1)
    # Squared uniforms: the lowest-numbered tenth of the accounts writes about a third.
    account = (n_accounts * rng.random(n_events) ** 2).astype("int64")
    start = pd.Timestamp("2025-01-01", tz="UTC").value // 1000
    minutes = rng.integers(0, 365 * 24 * 60, n_events)  # whole minutes: equal timestamps occur
    thread = pd.Series(rng.integers(0, n_events // 4 + 1, n_events)).map("T{:08d}".format)
    log = pd.DataFrame({
        "account_id": pd.Series(account).map("A{:07d}".format),
        "ts": pd.to_datetime(start + minutes * 60_000_000, unit="us", utc=True),
        "channel": CHANNELS[rng.integers(0, len(CHANNELS), n_events)],
        "direction": np.where(rng.random(n_events) < 0.55, "in", "out"),
        "minutes": np.where(rng.random(n_events) < 0.3, rng.gamma(2.0, 5.0, n_events), np.nan),
        "thread_id": thread.where(rng.random(n_events) >= 0.2),
        "is_complaint": rng.random(n_events) < 0.02,
    })
    log["seq"] = np.arange(n_events, dtype="int64")
    log.to_parquet(path, index=False)


def register_path(log: Path) -> Path:
    """The customer register beside ``log``: every account with an event, as a client's
    accounts file would list them."""
    return log.with_name(log.name.replace("log-", "accounts-"))


def make_register(log: Path) -> None:
    import duckdb

    accounts = duckdb.sql(f"SELECT DISTINCT account_id FROM read_parquet('{log}') ORDER BY 1").df()
    accounts["name"] = accounts["account_id"]
    accounts.to_parquet(register_path(log), index=False)


def _peak_gb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2, 2)


def run_one(path: Path, what: str, out: Path) -> dict[str, float]:
    """Measure one thing in this (child) process: ``read`` (pyarrow reads the log),
    ``reference`` (the hand-written query) or an engine's ``account_metrics``."""
    t0 = time.perf_counter()
    if what == "read":
        import pyarrow.parquet as pq

        rows = pq.read_table(path).num_rows
        return {"seconds": round(time.perf_counter() - t0, 2), "accounts": rows, "peak_gb": _peak_gb()}
    from workbench import Params, Portfolio, account_metrics

    if what == "reference":
        result = reference_metrics(path, Params(), AS_OF)
    else:
        engine, _, source = what.partition(":")
        accounts = pd.read_parquet(register_path(path))
        if source == "file":
            # The engine scans the log where it lies; pandas never holds it.
            portfolio = Portfolio(accounts=accounts, log_file=path)
        else:
            log = pd.read_parquet(path)
            log["ts"] = log["ts"].astype("datetime64[ns, UTC]")
            portfolio = Portfolio(accounts=accounts, interactions=log)
        result = account_metrics(portfolio, Params(), as_of=AS_OF, engine=engine)
    seconds = time.perf_counter() - t0
    result[["account_id", *COLUMNS]].to_parquet(out, index=False)
    return {"seconds": round(seconds, 2), "accounts": len(result), "peak_gb": _peak_gb()}


def same_as_reference(product: Path, reference: Path) -> str:
    """"yes", or the columns that differ from the reference's."""
    ref = pd.read_parquet(reference).set_index("account_id")
    m = pd.read_parquet(product).set_index("account_id").loc[ref.index]
    bad = []
    for c in COLUMNS:
        a, b = m[c], ref[c]
        if pd.api.types.is_datetime64_any_dtype(a):
            same = pd.to_datetime(a, utc=True) == pd.to_datetime(b, utc=True)
        elif c.startswith("response") or c == "effort_minutes":
            same = (a.astype(float) - b.astype(float)).abs() < 1e-6
        else:
            same = a.fillna(0).astype("int64") == b.fillna(0).astype("int64")
        if not (same | (a.isna() & b.isna())).all():
            bad.append(c)
    return "yes" if not bad else "no: " + ", ".join(bad)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=float, nargs="+", default=[1e6])
    ap.add_argument("--engines", nargs="+", default=["duckdb", "duckdb:file", "polars", "polars:file"],
                    help="ENGINE hands the log over from pandas; ENGINE:file has the engine scan the file")
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "workbench-bench")
    ap.add_argument("--child", nargs=3, metavar=("PARQUET", "WHAT", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(run_one(Path(args.child[0]), args.child[1], Path(args.child[2]))))
        return
    args.cache.mkdir(parents=True, exist_ok=True)
    print(f"{'events':>12} {'what':<34} {'seconds':>8} {'peak GB':>8} {'time ×ref':>10} {'memory ×ref':>12}  same as ref")
    for n in map(int, args.events):
        path = args.cache / f"log-v2-{n}.parquet"
        if not path.exists():
            make_log(n, path)
        if not register_path(path).exists():
            make_register(path)
        results: dict[str, dict] = {}
        for what in ["read", "reference", *args.engines]:
            out = args.cache / f"result-{n}-{what}.parquet"
            proc = subprocess.run([sys.executable, __file__, "--child", str(path), what, str(out)],
                                  capture_output=True, text=True)
            if proc.returncode:
                # A child the kernel killed (out of memory: SIGKILL) leaves no message.
                last = proc.stderr.strip().splitlines()[-1:] or [
                    f"killed by signal {-proc.returncode}" if proc.returncode < 0 else f"exit {proc.returncode}"]
                print(f"{n:>12,} {what:<34} failed: {last[0]}", flush=True)
                continue
            r = results[what] = json.loads(proc.stdout.strip().splitlines()[-1])
            ref = results.get("reference")
            ratio_t = f"{r['seconds'] / ref['seconds']:.2f}" if ref and what != "read" else ""
            ratio_m = f"{r['peak_gb'] / ref['peak_gb']:.2f}" if ref and what != "read" else ""
            same = same_as_reference(out, args.cache / f"result-{n}-reference.parquet") \
                if ref and what not in ("read", "reference") else ""
            label = {"read": "read the Parquet (floor)", "reference": "hand-written DuckDB SQL"}.get(
                what, f"product on {what.replace(':file', ', from the file')}")
            print(f"{n:>12,} {label:<34} {r['seconds']:>8} {r['peak_gb']:>8} {ratio_t:>10} {ratio_m:>12}  {same}",
                  flush=True)


if __name__ == "__main__":
    main()
