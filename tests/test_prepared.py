"""The heavy step once per run: prepared data survives its Parquet/JSON round trip exactly,
and a notebook in a run reads it instead of the data files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from workbench import Portfolio, load_params, start
from workbench.analysis import PARTS
from workbench.prepared import PREPARED, prepare, read_prepared, save_prepared

TABLES = ("accounts", "interactions", "invoices", "surveys", "leads", "team")


@pytest.fixture(scope="module")
def prepared():
    return prepare(load_params("params/default.yaml"))


def test_round_trip_is_exact(prepared, tmp_path: Path) -> None:
    back = read_prepared(save_prepared(prepared, tmp_path / PREPARED))
    for t in TABLES:
        pd.testing.assert_frame_equal(getattr(back.portfolio, t), getattr(prepared.portfolio, t), obj=t)
    pd.testing.assert_frame_equal(back.metrics, prepared.metrics)
    assert back.metrics.attrs == prepared.metrics.attrs
    assert back.as_of == prepared.as_of
    assert back.weight_fit == prepared.weight_fit and back.weight_fit is not None
    pd.testing.assert_frame_equal(back.scores, prepared.scores)
    assert back.portfolio.notes == prepared.portfolio.notes
    assert back.portfolio.checksums == prepared.portfolio.checksums


def test_the_log_stays_in_its_file_until_needed_event_by_event(prepared, tmp_path: Path) -> None:
    from workbench import account_metrics
    from workbench.metrics import coverage

    back = read_prepared(save_prepared(prepared, tmp_path / PREPARED)).portfolio
    params = load_params("params/default.yaml")
    # The heavy step and what coverage asks of the log come from the engine and the file.
    pd.testing.assert_frame_equal(account_metrics(back, params, as_of=prepared.as_of), prepared.metrics)
    assert coverage(back, prepared.metrics) == coverage(prepared.portfolio, prepared.metrics)
    assert back.has("interactions") and not back.log_loaded
    assert back.log_rows == len(prepared.portfolio.interactions)
    # What 00 counts per month, what 01's outcome asks without invoices and 02's check of the
    # log against the team's hours read only their window of the file.
    import dataclasses
    import datetime as dt

    from workbench import kpis
    from workbench.energy import implausible_log
    from workbench.weighting import outcome

    day = prepared.as_of
    pd.testing.assert_frame_equal(kpis.monthly_activity(back, params, day),
                                  kpis.monthly_activity(prepared.portfolio, params, day))
    cut = day - dt.timedelta(days=90)
    # (dataclasses.replace reads every field, the log too: a portfolio is built anew instead.)
    no_bills = [Portfolio(accounts=back.accounts, log_file=back.log_file),
                dataclasses.replace(prepared.portfolio, invoices=None)]
    assert outcome(no_bills[0], params, cut, 60)[0].sort_index().equals(
        outcome(no_bills[1], params, cut, 60)[0].sort_index())
    assert implausible_log(prepared.metrics, back.log_source, back.team, params) == implausible_log(
        prepared.metrics, prepared.portfolio.interactions, prepared.portfolio.team, params)
    assert not back.log_loaded
    # Spark reads the kept file natively: its instants are microseconds, not pandas' ns.
    import pyarrow.parquet as pq

    assert str(pq.read_schema(back.log_file).field("ts").type) == "timestamp[us, tz=UTC]"


def test_a_notebook_in_a_run_reads_what_the_runner_prepared(prepared, tmp_path: Path) -> None:
    # The data folder is gone by the time the notebook starts: only the prepared step can
    # answer, and it must give what loading the data gave.
    data = tmp_path / "data"
    shutil.copytree("data/sample", data)
    params = load_params("params/default.yaml", data_dir=str(data))
    run = tmp_path / "run"
    save_prepared(prepare(params), run / PARTS / PREPARED)
    shutil.rmtree(data)
    a = start("params/default.yaml", data_dir=str(data), out_dir=str(run))
    pd.testing.assert_frame_equal(a.metrics, prepared.metrics)
    assert a.fitted == prepared.weight_fit, "the run's fit, not a second one"
    assert a.scored is not None
    pd.testing.assert_frame_equal(a.scores, prepared.scores)
    with pytest.raises(Exception, match="data"):
        start("params/default.yaml", data_dir=str(data))


def test_a_prepared_step_of_another_day_is_not_used(prepared, tmp_path: Path) -> None:
    import datetime as dt

    run = tmp_path / "run"
    save_prepared(prepared, run / PARTS / PREPARED)
    earlier = prepared.as_of - dt.timedelta(days=30)
    a = start("params/default.yaml", as_of=earlier.isoformat(), out_dir=str(run))
    assert a.as_of == earlier and a.scored is None, "prepared afresh for the day asked"
    assert start("params/default.yaml", as_of=prepared.as_of.isoformat(), out_dir=str(run)).scored is not None


def test_scores_of_an_earlier_save_are_not_read_back(prepared, tmp_path: Path) -> None:
    import dataclasses

    folder = save_prepared(prepared, tmp_path / PREPARED)
    save_prepared(dataclasses.replace(prepared, scores=None, weight_fit=None), folder)
    assert read_prepared(folder).scores is None
