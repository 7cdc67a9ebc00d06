"""The `workbench` command as a user types it: sample generation and its mistakes."""

from __future__ import annotations

import errno
import os
import shutil
import stat
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import papermill as pm
import pytest

import workbench.run as run_module
from clitools import digest, one_line
from workbench import RunError
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


# --------------------------------------------------------------------------- bad-input corpus
# Each case goes through `workbench` as typed: the message, the exit code, the inputs left
# as they were and no report folder left behind.


def test_data_option_keeps_the_params_files_table_mapping(
    small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--data` points at a newer export of the same system: its odd file names and
    columns are mapped in the params file, and that mapping must still apply."""
    newer = tmp_path / "acme-2026-03"
    newer.mkdir()
    for name in ("interactions.csv", "team.csv"):
        shutil.copy(small / name, newer / name)
    shutil.copy(small / "accounts.csv", newer / "Asiakasrekisteri 2026-03.csv")
    invoices = pd.read_csv(small / "invoices.csv", dtype=str).rename(columns={"amount": "Summa"})
    invoices.to_csv(newer / "laskut.csv", index=False)
    params = tmp_path / "acme.yaml"
    params.write_text(
        "data:\n"
        f"  dir: {tmp_path / 'acme-2025-12'}\n"  # the previous export, gone since
        "  tables:\n"
        "    accounts: {file: 'Asiakasrekisteri*.csv'}\n"
        "    invoices: {file: laskut.csv, columns: {amount: Summa}}\n",
        encoding="utf-8",
    )
    before = digest(newer, params)

    code = main(["check", "--params", str(params), "--data", str(newer)])

    out, err = capsys.readouterr()
    assert code == 0, err
    assert f"{newer / 'Asiakasrekisteri 2026-03.csv'}" in out
    invoices_line = next(line for line in out.splitlines() if line.startswith("invoices"))
    assert f"{len(invoices)} rows" in invoices_line and str(newer / "laskut.csv") in invoices_line
    assert "ok: the data can be analysed" in out
    assert digest(newer, params) == before


def test_unknown_params_key_suggests_the_closest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    params = tmp_path / "acme.yaml"
    params.write_text("energy:\n  low_value_per_enrgy_hour: 40\n", encoding="utf-8")
    before = digest(params)

    code = main(["run", "--params", str(params), "--out", str(tmp_path / "out")])

    assert code == 2
    assert one_line(capsys.readouterr().err) == (
        "acme.yaml: unknown key 'energy.low_value_per_enrgy_hour' (did you mean "
        "'energy.low_value_per_energy_hour'?). Fix: check its spelling against params/default.yaml")
    assert digest(params) == before and not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- output folder


def run(small: Path, out: Path) -> int:
    return main(["run", "--data", str(small), "--out", str(out)])


def test_out_is_a_file(small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], no_kernels: list[str]) -> None:
    out = tmp_path / "reports.txt"
    out.write_text("notes, not a folder\n", encoding="utf-8")
    before = digest(small, out)

    assert run(small, out) == 1
    assert one_line(capsys.readouterr().err) == (
        f"{out}: this is a file, not a folder. Fix: give --out a folder, not a file, "
        "or change report.out_dir in params")

    assert run(small, out / "reports") == 1
    assert one_line(capsys.readouterr().err) == (
        f"{out / 'reports'}: {out} is a file, not a folder. Fix: give --out a folder, not a file, "
        "or change report.out_dir in params")
    assert digest(small, out) == before and not no_kernels


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder regardless")
def test_out_without_write_permission_real(
    small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], no_kernels: list[str]
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        assert run(small, locked) == 1
        assert one_line(capsys.readouterr().err) == (
            f"{locked}: cannot write here (permission denied). Fix: give --out a folder you can "
            "write to, or change report.out_dir in params")
        assert run(small, locked / "new" / "reports") == 1
        assert one_line(capsys.readouterr().err).startswith(
            f"{locked / 'new' / 'reports'}: cannot create this folder in {locked} (permission denied)")
        assert list(locked.iterdir()) == [] and not no_kernels
    finally:
        locked.chmod(stat.S_IRWXU)


def test_read_only_out_fails_before_the_data_is_read(
    small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    no_kernels: list[str],
) -> None:
    """A read-only mount, as the kernel reports it (so the test runs as root too)."""
    out = tmp_path / "reports"
    out.mkdir()
    access, statvfs = os.access, os.statvfs

    def under_out(p: Any) -> bool:
        return Path(p) == out or out in Path(p).parents

    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if under_out(p) else access(p, mode, **kw))
    monkeypatch.setattr(os, "statvfs", lambda p: SimpleNamespace(f_flag=os.ST_RDONLY) if under_out(p) else statvfs(p))

    def read_data(*_: Any, **__: Any) -> None:
        raise AssertionError("the data was read before the output folder was checked")

    monkeypatch.setattr(run_module, "prepare", read_data)
    before = digest(small)

    assert run(small, out) == 1
    assert one_line(capsys.readouterr().err) == (
        f"{out}: cannot write here (read-only file system). Fix: give --out a folder you can write "
        "to, or change report.out_dir in params")
    assert digest(small) == before and list(out.iterdir()) == [] and not no_kernels


@pytest.mark.parametrize(("code", "missing_parent", "expected"), [
    (errno.EROFS, False, "{out}: cannot write here (read-only file system). "
                         "Fix: give --out a folder you can write to, or change report.out_dir in params"),
    (errno.EACCES, False, "{out}: cannot write here (permission denied). "
                          "Fix: give --out a folder you can write to, or change report.out_dir in params"),
    (errno.EACCES, True, "{out}: cannot create this folder in {tmp} (permission denied). "
                         "Fix: give --out a folder you can write to, or change report.out_dir in params"),
    (errno.ENOSPC, False, "{out}: the disk is full. "
                          "Fix: free space on that disk, or give --out a folder on another disk, then run again"),
])
def test_staging_folder_cannot_be_made(
    small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    no_kernels: list[str], code: int, missing_parent: bool, expected: str,
) -> None:
    """What the up-front check cannot see (a quota, a mount gone read-only since): the first
    mkdir fails, and says so in the same words."""
    out = tmp_path / "missing" / "reports" if missing_parent else tmp_path / "reports"
    if not missing_parent:
        out.mkdir()
    mkdir = Path.mkdir

    def refuse(self: Path, *args: Any, **kwargs: Any) -> None:
        if tmp_path in self.parents:
            raise OSError(code, os.strerror(code), str(self))
        mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", refuse)
    before = digest(small)

    assert run(small, out) == 1
    assert one_line(capsys.readouterr().err) == expected.format(out=out, tmp=tmp_path)
    assert digest(small) == before and not no_kernels
    assert sorted(p.name for p in tmp_path.rglob("*")) == ([] if missing_parent else ["reports"])


@pytest.mark.parametrize(("where", "set_aside"), [
    ("notebook", True), ("html", True), ("assembly", True), ("final move", True), ("notebook", False),
])
def test_disk_full_during_the_run_leaves_no_half_report(
    small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    no_kernels: list[str], where: str, set_aside: bool,
) -> None:
    out = tmp_path / "reports"
    assert run(small, out) == 0  # an earlier report, made by the same code
    capsys.readouterr()
    (earlier,) = (out / "sample").iterdir()
    report_before, data_before = digest(earlier), digest(small)

    def full(*_: Any, **__: Any) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    if where == "notebook":
        execute, first = run_module._execute, len(no_kernels)
        # The first notebook is written, the second finds the disk full.
        monkeypatch.setattr(run_module, "_execute",
                            lambda nb, *a: full() if len(no_kernels) > first else execute(nb, *a))
    elif where == "html":
        monkeypatch.setattr(run_module, "_export_html", full)
    elif where == "assembly":
        def assemble(staging: Path, *_: Any) -> None:
            (staging / "accounts.csv").write_text("account_id\nA0001\n", encoding="utf-8")  # half written
            full()
        monkeypatch.setattr(run_module, "_assemble", assemble)
    replace = os.replace

    def move(src: Any, dst: Any) -> None:
        if (where == "final move" and not str(dst).endswith("-failed")) or (
                not set_aside and str(dst).endswith("-failed")):
            full()
        replace(src, dst)

    monkeypatch.setattr(os, "replace", move)

    assert run(small, out) == 1

    message = one_line(capsys.readouterr().err)
    runs = sorted(p for p in (out / "sample").iterdir() if p != earlier)
    assert not [p for p in runs if not p.name.endswith("-failed")], "a half-written report or its staging left"
    if set_aside:
        (failed,) = runs
        assert message == (f"{out}: the disk is full; the unfinished run is kept in {failed}. Fix: free "
                           "space on that disk, or give --out a folder on another disk, then run again")
        assert "run failed" in (failed / "run.log").read_text(encoding="utf-8")
    else:
        assert runs == [] and message == (f"{out}: the disk is full. Fix: free space on that disk, or give "
                                          "--out a folder on another disk, then run again")
    assert digest(earlier) == report_before and digest(small) == data_before


def test_disk_full_inside_a_notebook_is_the_output_folders_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kernel writes the notebook's parts; its "No space left" is not a notebook bug."""
    def kernel_says(evalue: str) -> Callable[..., None]:
        def execute_notebook(*_: Any, **__: Any) -> None:
            raise pm.PapermillExecutionError(3, 7, "df.to_parquet(...)", "OSError", evalue, [])
        return execute_notebook

    nb = tmp_path / "01_x.ipynb"
    monkeypatch.setattr(run_module.pm, "execute_notebook",
                        kernel_says(f"[Errno 28] No space left on device: '{tmp_path}/parts/x.parquet'"))
    with pytest.raises(OSError) as disk:
        run_module._execute(nb, tmp_path / "out.ipynb", {}, 60, tmp_path / "run.log")
    assert disk.value.errno == errno.ENOSPC

    monkeypatch.setattr(run_module.pm, "execute_notebook", kernel_says("[Errno 2] No such file: 'x.csv'"))
    with pytest.raises(RunError, match=r"^01_x.ipynb cell 7: OSError: \[Errno 2\] No such file"):
        run_module._execute(nb, tmp_path / "out.ipynb", {}, 60, tmp_path / "run.log")


def test_sample_into_a_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sample.csv"
    out.write_text("keep me\n", encoding="utf-8")
    assert main(["sample", "--out", str(out), "--accounts", "30", "--months", "4"]) == 1
    assert one_line(capsys.readouterr().err) == f"{out}: this is a file, not a folder. Fix: give --out a folder, not a file"
    assert out.read_text(encoding="utf-8") == "keep me\n"


def test_a_reader_that_stops_early_is_no_error() -> None:
    """`workbench check | head -1`: the closed pipe ends the command quietly, with no traceback."""
    import subprocess
    import sys

    cmd = [sys.executable, "-c", "import sys; from workbench.cli import main; sys.exit(main(['check']))"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait() == 0 and err == ""
