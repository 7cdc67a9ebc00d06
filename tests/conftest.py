"""Shared fixtures: a tiny hand-written portfolio whose every metric can be checked by eye,
and runs with the notebooks stubbed (for the mechanics of a run)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import workbench.run as run_module
from browsers import CHROME_NAMES, Browser
from workbench import Params, Portfolio, i18n

TZ = "Europe/Helsinki"


def local(s: str) -> pd.Timestamp:
    return pd.Timestamp(s, tz=TZ).tz_convert("UTC")


def in_ci() -> bool:
    """Whether this is CI, where tests that need a browser or Java fail instead of skipping."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _unavailable(reason: str) -> None:
    """Skip on a developer's machine; fail in CI, where the browser test must run."""
    if in_ci():
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser_binaries() -> Browser:
    try:
        import selenium  # noqa: F401
    except ImportError:
        _unavailable("selenium is not installed: pip install -e '.[dev]'")
    chrome = next((p for p in map(shutil.which, CHROME_NAMES) if p), None)
    driver = shutil.which("chromedriver")
    missing = [name for name, path in (("chromium", chrome), ("chromedriver", driver)) if not path]
    if missing:
        _unavailable(f"{' and '.join(missing)} not on PATH: run .ci/install-browser "
                     "(apt-get install chromium chromium-driver)")
    assert chrome and driver
    return Browser(chrome, driver)


@pytest.fixture(scope="session")
def spark_ready() -> None:
    """Spark needs PySpark and Java: skipped where they are missing, except in CI, which
    installs both and must run every engine."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        missing = "PySpark"
    else:
        missing = "" if shutil.which("java") else "Java"
    if missing:
        if in_ci():
            pytest.fail(f"CI must run the Spark engine, but {missing} is missing (.ci/run installs it)")
        pytest.skip(f"{missing} is not installed")


def log(rows: list[tuple]) -> pd.DataFrame:
    """Rows of (account_id, local time, channel, direction[, minutes[, thread_id[, complaint]]])."""
    recs = []
    for i, r in enumerate(rows):
        acc, ts, ch, d, *rest = r
        recs.append({
            "account_id": acc, "ts": local(ts), "channel": ch, "direction": d,
            "minutes": rest[0] if len(rest) > 0 else None,
            "thread_id": rest[1] if len(rest) > 1 else None,
            "is_complaint": rest[2] if len(rest) > 2 else False,
            "seq": i,
        })
    df = pd.DataFrame(recs)
    # Typed as the loader types them: engines treat pandas' str dtype and objects differently.
    df = df.astype({"account_id": "str", "channel": "str", "direction": "str", "thread_id": "str",
                    "is_complaint": "boolean"})
    df["minutes"] = df["minutes"].astype("float64")
    df["ts"] = df["ts"].astype("datetime64[ns, UTC]")
    return df


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """``wb.start`` on a Finnish params file makes the process Finnish, as a notebook's
    kernel should be; the next test starts in the default language again."""
    yield
    i18n.activate("en", "EUR")


@pytest.fixture
def params() -> Params:
    return Params()


@pytest.fixture
def tiny() -> Portfolio:
    """Two accounts: A chases on a Sunday (email, email +10 min, sms +5 min), B is calm."""
    interactions = log([
        ("A", "2025-06-01 16:00", "email", "in", None, "t1"),      # Sunday: after hours
        ("A", "2025-06-01 16:10", "email", "in", None, "t1"),      # chaser
        ("A", "2025-06-01 16:15", "sms", "in"),                    # cross-channel chaser
        ("A", "2025-06-02 09:00", "email", "out", None, "t1"),     # answers the run: 17 h
        ("A", "2025-06-02 09:30", "email", "in", None, "t1", True),  # complaint, in hours
        ("A", "2025-06-02 11:00", "phone", "out", 20.0),           # answers: 1.5 h
        ("B", "2025-06-03 10:00", "email", "out"),
        ("B", "2025-06-04 10:00", "email", "in"),                  # replies within 7 days
        ("B", "2025-06-04 12:00", "meeting", "out", 45.0),
        ("B", "2025-06-20 10:00", "email", "in"),                  # Juhannusaatto, a holiday
    ])
    accounts = pd.DataFrame({"account_id": ["A", "B", "C"], "name": ["Aa Oy", "Bee Ky", "Cee Tmi"]})
    invoices = pd.DataFrame({
        "account_id": ["A", "B", "B", "B"],
        "date": pd.to_datetime(["2025-05-01", "2024-06-01", "2025-03-01", "2025-06-01"]),
        "amount": [100.0, 500.0, 700.0, 300.0],
        "service": ["x", "x", "x", "y"],
    })
    return Portfolio(accounts=accounts, interactions=interactions, invoices=invoices)


@pytest.fixture(scope="session")
def sample_plan():
    """The sample's analysis, commitment scores, energy drain and plan, as notebook 03 builds them."""
    import workbench as wb

    a = wb.start("params/default.yaml")
    scores = a.scores
    drain = wb.energy_drain(a.portfolio, a.metrics, a.params, committed=scores.set_index("account_id")["committed"])
    return a, scores, drain, wb.communication_plan(a.portfolio, a.metrics, a.params, scores=scores, drain=drain)


@pytest.fixture(scope="session")
def explorer(sample_plan) -> dict:
    """The sample's energy drain, plan and explorer table, as ``explore.ipynb`` builds them."""
    from workbench import explore

    a, scores, drain, p = sample_plan
    return {"drain": drain, "plan": p, "table": explore.account_table(a.metrics, scores, drain, p)}


@pytest.fixture
def no_kernels(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Runs without Jupyter: each "notebook" is written as a stub (the run's own steps --
    staging, assembly, the moves, the lock -- are what these tests are about). Returns the
    names executed, in order."""
    executed: list[str] = []

    def execute(nb: Path, out: Path, parameters: dict[str, Any], timeout: int, kernel_log: Path,
                notebook_timeout: int | None = None) -> None:
        executed.append(nb.stem)
        out.write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}),
                       encoding="utf-8")

    def export(executed_nb: Path, title: str, language: str) -> Path:
        html = executed_nb.with_suffix(".html")
        html.write_text(f"<h1>{title}</h1>", encoding="utf-8")
        return html

    monkeypatch.setattr(run_module, "_execute", execute)
    monkeypatch.setattr(run_module, "_export_html", export)
    return executed


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 30-account sample: loads in a moment, so a run fails or finishes fast."""
    from workbench.cli import main

    out = tmp_path_factory.mktemp("small") / "data"
    assert main(["sample", "--out", str(out), "--seed", "3", "--accounts", "30", "--months", "4"]) == 0
    return out
