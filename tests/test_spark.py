"""engine: spark end to end: the whole report identical to DuckDB's, settings from params,
and one clear line when PySpark or Java is missing."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml

from reportruns import REPO, sample_run
from workbench.exceptions import ParamsError
from workbench.params import Spark
from workbench.run import run_report
from workbench.spark import spark_session

#: What may differ between two runs of the same data: when, how long, and which engine.
RUN_FACTS = {"run_id", "params", "params_file"}


def _headline(run_dir: Path) -> dict:
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    figures = {nb: {k: v for k, v in part.items() if k != "seconds"} for nb, part in summary["notebooks"].items()}
    return {**{k: v for k, v in summary.items() if k not in RUN_FACTS}, "notebooks": figures}


@pytest.mark.slow
def test_the_whole_report_is_identical_on_spark(spark_ready: None, tmp_path: Path,
                                                tmp_path_factory: pytest.TempPathFactory) -> None:
    params = yaml.safe_load((REPO / "params" / "default.yaml").read_text(encoding="utf-8"))
    params["engine"] = "spark"
    params["data"]["dir"] = str(REPO / "data" / "sample")
    (tmp_path / "spark.yaml").write_text(yaml.safe_dump(params), encoding="utf-8")
    spark = run_report(tmp_path / "spark.yaml", out_dir=str(tmp_path / "out"), progress=lambda s: None)
    duck = sample_run("en", tmp_path_factory)
    assert json.loads((spark.run_dir / "summary.json").read_text())["params"]["engine"] == "spark"
    for name in ("accounts.csv", "plan.csv", "response_statements.md"):
        assert (spark.run_dir / name).read_bytes() == (duck.run_dir / name).read_bytes(), name
    assert _headline(spark.run_dir) == _headline(duck.run_dir)


def test_settings_come_from_params_and_the_zone_is_always_utc(spark_ready: None) -> None:
    session = spark_session(Spark(master="local[1]", conf={"spark.sql.shuffle.partitions": "3",
                                                           "spark.sql.session.timeZone": "Europe/Helsinki"}))
    assert session.conf.get("spark.sql.shuffle.partitions") == "3"
    # Timestamps come back as wall clock in the session zone: anything but UTC shifts them.
    assert session.conf.get("spark.sql.session.timeZone") == "UTC"


def test_a_cluster_keeps_its_own_shuffle_partitions_and_conf_takes_yaml_values() -> None:
    from workbench.params import Params
    from workbench.spark import spark_conf

    p = Params.model_validate({"engine": "spark", "spark": {"master": "spark://head:7077",
                                                            "conf": {"spark.sql.adaptive.enabled": True,
                                                                     "spark.executor.instances": 4}}})
    conf = spark_conf(p.spark)
    assert conf["spark.sql.adaptive.enabled"] == "true" and conf["spark.executor.instances"] == "4"
    assert "spark.sql.shuffle.partitions" not in conf  # the cluster's own default stands
    assert spark_conf(Spark())["spark.sql.shuffle.partitions"] == "8"
    assert spark_conf(Spark(conf={"spark.sql.session.timeZone": "Europe/Helsinki"}))["spark.sql.session.timeZone"] == "UTC"


def test_the_runner_stops_its_own_spark(spark_ready: None) -> None:
    from pyspark.sql import SparkSession

    from workbench.spark import stop_spark

    spark_session(Spark(master="local[1]"))
    assert SparkSession.getActiveSession() is not None
    stop_spark()
    assert SparkSession.getActiveSession() is None


def test_without_pyspark_one_line_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    with pytest.raises(ParamsError, match="pip install pyspark.*Java 17.*engine: duckdb"):
        spark_session(Spark())
