"""The `workbench` command as a user types it: sample generation and its mistakes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.cli import main


def test_sample_writes_a_loadable_portfolio(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "demo"
    assert main(["sample", "--out", str(out), "--seed", "3", "--accounts", "30", "--months", "4"]) == 0
    assert "wrote" in capsys.readouterr().out
    assert len(pd.read_csv(out / "accounts.csv")) == 30
    assert main(["check", "--data", str(out)]) == 0
    assert "ok: the data can be analysed" in capsys.readouterr().out


def test_sample_bad_size_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sample", "--out", str(tmp_path / "x"), "--accounts", "5"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("workbench: sample:") and "n_accounts" in err and err.count("\n") == 1


def test_bad_date_is_refused_by_argparse(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main(["run", "--as-of", "31.12.2025"])
    assert e.value.code == 2 and "use YYYY-MM-DD" in capsys.readouterr().err
