"""`workbench run` end to end on real public data (skipped when ../shared/data/real is absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

import realdata
from workbench.run import run_report

pytestmark = [pytest.mark.real, pytest.mark.slow]


def test_online_retail_report(tmp_path: Path) -> None:
    """The real file as it is, through params/templates/line-items.yaml: overview and
    commitment with no contact log, team, surveys or leads, and a backtest at 2011-06-30
    that must beat the recency and frequency baselines."""
    if not (realdata.REAL / "online_retail.csv.gz").is_file():
        pytest.skip("../shared/data/real/online_retail.csv.gz is not here")
    params = tmp_path / "online-retail.yaml"
    params.write_text(
        realdata.LINE_ITEMS.read_text(encoding="utf-8")
        + "commitment:\n  backtest: {cutoff: 2011-06-30, horizon_days: 150}\n"
        "report: {notebooks: [00_overview, 01_commitment]}\n",
        encoding="utf-8",
    )
    result = run_report(params, data_dir=str(realdata.REAL), out_dir=str(tmp_path / "reports"),
                        progress=lambda _: None)
    summary = result.summary
    overview = summary["notebooks"]["00_overview"]
    assert overview["customers"] == 4372
    assert any("team" in m for m in overview["missing"]) and overview["leads"] is None
    bt = summary["notebooks"]["01_commitment"]["backtest"]
    print(bt["auc"])
    assert bt["cutoff"] == "2011-06-30" and bt["accounts"] > 2500
    assert bt["auc"]["commitment score"] > max(bt["auc"]["recency only"], bt["auc"]["frequency only"])
    assert (result.run_dir / "01_commitment.html").is_file()
