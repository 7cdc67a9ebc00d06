"""What notebooks call: start() from any folder, publish(), pseudonymized reports."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import workbench as wb


def test_start_from_any_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    a = wb.start("params/default.yaml", as_of="2026-06-30")
    assert str(a.as_of) == "2026-06-30" and len(a.metrics) == len(a.portfolio.accounts)
    assert a.metrics["last_seen"].max() < pd.Timestamp("2026-06-30", tz="Europe/Helsinki")


def test_publish_only_inside_a_run(tmp_path: Path) -> None:
    a = wb.start()
    a.publish("00_x", {"n": 1}, a.metrics)  # no out_dir: nothing written, no error
    a.out_dir = tmp_path
    a.publish("00_x", {"as_of": a.as_of}, a.metrics)
    assert json.loads((tmp_path / "parts" / "00_x.json").read_text())["as_of"] == str(a.as_of)
    assert len(pd.read_parquet(tmp_path / "parts" / "00_x.accounts.parquet")) == len(a.metrics)


def test_pseudonymized_run_names_nobody(tmp_path: Path) -> None:
    params = tmp_path / "share.yaml"
    params.write_text(f"client: {{name: Sample}}\nreport: {{language: fi, pseudonymize: true, pseudonym_key: {tmp_path / 'k'}}}\n",
                      encoding="utf-8")
    a = wb.start(str(params))
    real = pd.read_csv(wb.load_params("params/default.yaml").data.path / "accounts.csv", dtype=str)
    assert not set(a.metrics["name"]) & set(real["name"])
    assert not set(a.metrics["account_id"]) & set(real["account_id"])
    assert a.metrics["name"].str.fullmatch(r"Asiakas [0-9A-F]{8}").all()
    assert a.metrics["name"].is_unique
    assert a.portfolio.accounts["email"].isna().all() and a.portfolio.interactions["subject"].isna().all()
    assert any("a new pseudonym key was made" in n for n in a.portfolio.notes)
    assert wb.start(str(params)).metrics["account_id"].equals(a.metrics["account_id"])  # the same key, the same codes