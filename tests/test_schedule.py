"""`workbench run` from cron or a systemd timer: one run per client, stops that leave no
half-written report, bounded notebooks, old runs pruned. The notebooks are stubbed (the
`no_kernels` fixture, or the same stub in a child process) except where a real kernel is
the point."""

from __future__ import annotations

import datetime as dt
import json
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import workbench.run as run_module
from clitools import digest, one_line
from workbench import RunError
from workbench.cli import _stop, main
from workbench.exceptions import LockedError, Stopped
from workbench.history import prune
from workbench.lock import LOCK_NAME, ClientLock

BUSY_FIX = "Fix: let it finish, then run again (exit code 75 tells a scheduler to retry later)"


def run(small: Path, out: Path, *extra: str) -> int:
    return main(["run", "--data", str(small), "--out", str(out), *extra])


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --------------------------------------------------------------------------- the lock

HOLDER = """
import datetime as dt, sys, time, types
from pathlib import Path
# The package without its __init__ (pandas, plotly, ...): the holder is ready in a blink.
sys.modules["workbench"] = types.ModuleType("workbench")
sys.modules["workbench"].__path__ = [sys.argv[3]]
from workbench.lock import ClientLock
lock = ClientLock.acquire(Path(sys.argv[1]), expires_in=dt.timedelta(hours=1))
staging = Path(sys.argv[1]) / sys.argv[2]
staging.mkdir()
(staging / "run.log").write_text("half a run\\n")
lock.note_staging(staging)
print("held", flush=True)
time.sleep(600)
"""
HOLDER_STAGING = ".2026-11-01_20261101T060000.partial"


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process running the sample client's report into tmp_path/reports: it holds
    the lock and has started its staging folder."""
    p = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path / "reports" / "sample"), HOLDER_STAGING,
                          str(Path(run_module.__file__).parent)], stdout=subprocess.PIPE, text=True)
    assert p.stdout is not None and p.stdout.readline() == "held\n"
    yield p
    p.kill()
    p.wait()


def record(base: Path) -> dict[str, Any]:
    return json.loads((base / LOCK_NAME).read_text(encoding="utf-8"))


def test_a_second_run_of_the_same_client_stops_at_once_naming_the_first(
    small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], no_kernels: list[str],
    holder: subprocess.Popen[str],
) -> None:
    out = tmp_path / "reports"
    base = out / "sample"
    started = dt.datetime.fromisoformat(record(base)["started"]).isoformat(sep=" ", timespec="seconds")
    before = digest(base)

    assert run(small, out) == 75

    assert one_line(capsys.readouterr().err) == (
        f"{base}: another run of this client is in progress (pid {holder.pid} on {socket.gethostname()}, "
        f"started {started}, building {base / HOLDER_STAGING}). {BUSY_FIX}")
    assert not no_kernels and digest(base) == before and names(base) == [HOLDER_STAGING, LOCK_NAME]

    # Another client's runs do not wait for this one.
    acme = tmp_path / "acme.yaml"
    acme.write_text("client: {name: Acme}\n", encoding="utf-8")
    assert main(["run", "--params", str(acme), "--data", str(small), "--out", str(out)]) == 0
    (acme_run,) = (out / "acme").iterdir()
    assert (acme_run / "summary.json").is_file() and digest(base) == before


def test_the_lock_of_a_killed_run_is_taken_over_and_noted(
    small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], no_kernels: list[str],
    holder: subprocess.Popen[str],
) -> None:
    out = tmp_path / "reports"
    base = out / "sample"
    started = dt.datetime.fromisoformat(record(base)["started"]).isoformat(sep=" ", timespec="seconds")
    holder.send_signal(signal.SIGKILL)  # no cleanup at all: the kernel releases the lock
    holder.wait()

    assert run(small, out) == 0

    captured = capsys.readouterr()
    took_over = (f"took over the lock of the run by pid {holder.pid} on {socket.gethostname()}, started "
                 f"{started}, building {base / HOLDER_STAGING}: it ended without releasing it")
    assert f"note: {took_over}" in captured.out and captured.err == ""
    (new,) = [p for p in base.iterdir() if not p.name.endswith("-failed")]
    log = (new / "run.log").read_text(encoding="utf-8")
    assert f"WARNING lock: {took_over}" in log
    # The killed run's half-built folder is set aside as a failed run, not left hidden.
    assert f"its unfinished run {HOLDER_STAGING} is kept as 2026-11-01_20261101T060000-failed" in log
    assert names(base) == sorted(["2026-11-01_20261101T060000-failed", new.name])
    assert (base / "2026-11-01_20261101T060000-failed" / "run.log").read_text() == "half a run\n"


def test_a_lock_held_from_another_host_is_broken_only_past_its_holders_limits(
    small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], no_kernels: list[str],
    holder: subprocess.Popen[str],
) -> None:
    """A shared reports folder (NFS): a crashed host's lock can outlive it. The holder is
    alive here, so its lock is real; only the record tells where it runs and until when."""
    out = tmp_path / "reports"
    base = out / "sample"
    rec = record(base)
    now = dt.datetime.now().astimezone()

    def claim(expires: dt.datetime) -> None:
        rec.update(host="build-2", expires=expires.isoformat())
        (base / LOCK_NAME).write_text(json.dumps(rec), encoding="utf-8")

    claim(now + dt.timedelta(minutes=5))
    assert run(small, out) == 75
    assert "(pid " in one_line(capsys.readouterr().err) and not no_kernels

    claim(now - dt.timedelta(minutes=5))
    assert run(small, out) == 0

    until = (now - dt.timedelta(minutes=5)).isoformat(sep=" ", timespec="seconds")
    assert f"its host still held it, past the time the run's own limits allow ({until})" in capsys.readouterr().out
    assert not (base / LOCK_NAME).exists() and holder.poll() is None


def test_an_unreadable_record_still_refuses(tmp_path: Path, holder: subprocess.Popen[str]) -> None:
    base = tmp_path / "reports" / "sample"
    (base / LOCK_NAME).write_text("{not json", encoding="utf-8")
    t0 = time.monotonic()
    with pytest.raises(LockedError, match=rf"in progress \(its record in {base / LOCK_NAME} cannot be read\)"):
        ClientLock.acquire(base, expires_in=dt.timedelta(hours=1))
    assert time.monotonic() - t0 < 5


def test_release_removes_the_lock_and_only_the_folders_it_made(tmp_path: Path) -> None:
    base = tmp_path / "new" / "reports" / "acme"
    lock = ClientLock.acquire(base, expires_in=dt.timedelta(hours=1))
    with pytest.raises(LockedError):  # the lock is the open file's: the same process is refused too
        ClientLock.acquire(base, expires_in=dt.timedelta(hours=1))
    lock.release()
    lock.release()
    assert list(tmp_path.iterdir()) == []

    (tmp_path / "reports").mkdir()
    lock = ClientLock.acquire(tmp_path / "reports" / "acme", expires_in=dt.timedelta(hours=1))
    (tmp_path / "reports" / "acme" / "2026-11-01_20261101T060000").mkdir()
    lock.release()
    assert names(tmp_path / "reports" / "acme") == ["2026-11-01_20261101T060000"]


# --------------------------------------------------------------------------- stopping a run

DRIVER = """
import json, sys, time
from pathlib import Path
import workbench.run as run_module
from workbench.cli import main

def execute(nb, out, parameters, timeout, kernel_log, notebook_timeout=None):
    if nb.stem.startswith("01"):
        Path(sys.argv[3]).write_text("in 01")
        time.sleep(600)
    out.write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))

def export(executed, title, language):
    html = executed.with_suffix(".html")
    html.write_text(title)
    return html

run_module._execute = execute
run_module._export_html = export
sys.exit(main(["run", "--data", sys.argv[1], "--out", sys.argv[2]]))
"""


def test_sigterm_mid_notebook_leaves_a_failed_folder_and_a_free_lock(
    small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], no_kernels: list[str]
) -> None:
    out = tmp_path / "reports"
    base = out / "sample"
    assert run(small, out) == 0  # an earlier report
    (earlier,) = base.iterdir()
    report_before = digest(earlier)
    marker = tmp_path / "in-notebook"

    p = subprocess.Popen([sys.executable, "-c", DRIVER, str(small), str(out), str(marker)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(600):
            if marker.exists() or p.poll() is not None:
                break
            time.sleep(0.1)
        assert marker.exists(), p.communicate()
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=60)
    finally:
        p.kill()

    (failed,) = [d for d in base.iterdir() if d != earlier]
    assert p.returncode == 143
    assert one_line(err) == f"stopped by SIGTERM; the unfinished run is kept in {failed}"
    assert failed.name.endswith("-failed") and names(base) == sorted([earlier.name, failed.name])
    assert "ERROR run stopped by SIGTERM" in (failed / "run.log").read_text(encoding="utf-8")
    assert (failed / "00_overview.ipynb").is_file()
    assert digest(earlier) == report_before

    capsys.readouterr()
    assert run(small, out) == 0, capsys.readouterr().err  # the lock is free
    assert "took over" not in capsys.readouterr().out  # and was released, not abandoned


def test_ctrl_c_mid_notebook_sets_the_run_aside(
    small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    no_kernels: list[str],
) -> None:
    out = tmp_path / "reports"
    execute = run_module._execute

    def interrupted(nb: Path, *args: Any) -> None:
        if nb.stem.startswith("02"):
            raise KeyboardInterrupt
        execute(nb, *args)

    monkeypatch.setattr(run_module, "_execute", interrupted)
    assert run(small, out) == 130

    (failed,) = (out / "sample").iterdir()
    assert one_line(capsys.readouterr().err) == f"interrupted; the unfinished run is kept in {failed}"
    assert failed.name.endswith("-failed") and "ERROR run interrupted" in (failed / "run.log").read_text()

    monkeypatch.setattr(run_module, "_execute", execute)
    assert run(small, out) == 0 and len(names(out / "sample")) == 2


def test_a_second_sigterm_does_not_cut_the_cleanup_short() -> None:
    previous = signal.getsignal(signal.SIGTERM)
    try:
        with pytest.raises(Stopped) as stop:
            _stop(signal.SIGTERM, None)
        assert stop.value.exit_code == 143 and signal.getsignal(signal.SIGTERM) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGTERM, previous)


# --------------------------------------------------------------------------- time limits


def test_time_budget_gives_each_cell_the_smaller_limit() -> None:
    budget = run_module._TimeBudget(cell=600, notebook=1800)
    assert budget(None) == 600 and not budget.by_notebook
    budget.deadline = time.monotonic() + 100
    assert 99 < budget(None) <= 100 and budget.by_notebook
    budget.deadline = time.monotonic() - 1
    assert 0 < budget(None) < 0.01  # out of time: an instant, never "no limit" (nbclient's 0)
    assert budget.message("02_x.ipynb") == (
        "02_x.ipynb cell 3: the notebook was still running after report.notebook_timeout_seconds (1800 s). "
        "Fix: raise report.notebook_timeout_seconds in the params file if the data is that large")
    budget.deadline = time.monotonic() + 1000
    budget(None)
    assert budget.message("02_x.ipynb").startswith(
        "02_x.ipynb cell 4: the cell was still running after report.cell_timeout_seconds (600 s).")


def test_a_notebook_is_stopped_at_its_time_limit(tmp_path: Path) -> None:
    """A real kernel: papermill must pass the budget on to nbclient. Each cell is well
    within the cell limit; together they are not within the notebook's (which also counts
    the kernel's start, so which cell it stops in depends on the machine's load)."""
    cells = [{"cell_type": "code", "id": f"c{i}", "metadata": {}, "execution_count": None, "outputs": [],
              "source": "import time\ntime.sleep(3)"} for i in range(4)]
    nb = tmp_path / "00_slow.ipynb"
    nb.write_text(json.dumps({"cells": cells, "nbformat": 4, "nbformat_minor": 5, "metadata": {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}}), encoding="utf-8")
    with pytest.raises(RunError, match=r"^00_slow.ipynb cell [1-4]: the notebook was still running after "
                                       r"report.notebook_timeout_seconds \(4 s\)"):
        run_module._execute(nb, tmp_path / "out.ipynb", {}, 60, tmp_path / "run.log", 4)
    assert "Timeout waiting for execute reply" in (tmp_path / "run.log").read_text(encoding="utf-8")


def test_time_limits_are_validated(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    params = tmp_path / "p.yaml"
    params.write_text("report: {notebook_timeout_seconds: 0}\n", encoding="utf-8")
    assert main(["run", "--params", str(params), "--out", str(tmp_path / "out")]) == 2
    assert "report.notebook_timeout_seconds" in one_line(capsys.readouterr().err)
    params.write_text("report: {keep_runs: 0}\n", encoding="utf-8")
    assert main(["run", "--params", str(params), "--out", str(tmp_path / "out")]) == 2
    assert "report.keep_runs" in one_line(capsys.readouterr().err)
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- retention


def make_runs(base: Path, *names_: str) -> None:
    for name in names_:
        (base / name).mkdir(parents=True)
        (base / name / "run.log").write_text(name, encoding="utf-8")


def test_keep_runs_keeps_the_newest_and_nothing_else_is_touched(
    small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], no_kernels: list[str]
) -> None:
    out = tmp_path / "reports"
    base = out / "sample"
    make_runs(base,
              "2026-10-01_20261001T060000", "2026-10-01_20261001T060000-2",
              "2026-11-01_20261030T060000",
              "2025-06-30_20261102T060000",  # an old date, run last: by when it ran, it is the newest
              "2026-10-01_20261001T050000-failed", "2026-10-01_20261003T050000-failed",
              "2026-11-01_20261101T050000-failed")
    # Beside the runs: things a user keeps, and folders that only look like runs.
    make_runs(base, "notes", "2026-10-01_backup", ".2026-09-01_20260901T060000.partial")
    (base / "2026-09-01_20260901T060000").write_text("a file, not a run", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    make_runs(elsewhere, "keep")
    (base / "2026-08-01_20260801T060000").symlink_to(elsewhere, target_is_directory=True)
    make_runs(out / "other", "2026-01-01_20260101T060000")  # another client's runs
    foreign = digest(base / "notes", base / "2026-10-01_backup", base / ".2026-09-01_20260901T060000.partial",
                     base / "2026-09-01_20260901T060000", elsewhere, out / "other")
    params = tmp_path / "keep.yaml"
    params.write_text("report: {keep_runs: 2}\n", encoding="utf-8")

    assert run(small, out, "--params", str(params)) == 0

    (new,) = [p for p in base.iterdir() if (p / "summary.json").exists()]
    assert names(base) == sorted([
        new.name, "2025-06-30_20261102T060000",
        "2026-10-01_20261003T050000-failed", "2026-11-01_20261101T050000-failed",
        "notes", "2026-10-01_backup", ".2026-09-01_20260901T060000.partial", "2026-09-01_20260901T060000",
        "2026-08-01_20260801T060000"])
    assert digest(base / "notes", base / "2026-10-01_backup", base / ".2026-09-01_20260901T060000.partial",
                  base / "2026-09-01_20260901T060000", elsewhere, out / "other") == foreign
    log = (new / "run.log").read_text(encoding="utf-8")
    for gone in ("2026-10-01_20261001T060000", "2026-10-01_20261001T060000-2", "2026-11-01_20261030T060000",
                 "2026-10-01_20261001T050000-failed"):
        assert f"INFO report.keep_runs 2: removed {gone}\n" in log
    assert log.count("removed") == 4 and capsys.readouterr().err == ""


def test_keep_runs_never_removes_the_run_just_made(
    small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], no_kernels: list[str]
) -> None:
    base = tmp_path / "reports" / "sample"
    make_runs(base, "2026-11-01_20991231T235959")  # named by a clock that was wrong
    params = tmp_path / "keep.yaml"
    params.write_text("report: {keep_runs: 1}\n", encoding="utf-8")

    assert run(small, tmp_path / "reports", "--params", str(params)) == 0

    (kept,) = base.iterdir()
    assert (kept / "summary.json").is_file()


def test_an_old_run_that_cannot_be_removed_is_a_note_not_a_failure(
    small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    no_kernels: list[str],
) -> None:
    base = tmp_path / "reports" / "sample"
    make_runs(base, "2026-10-01_20261001T060000")
    params = tmp_path / "keep.yaml"
    params.write_text("report: {keep_runs: 1}\n", encoding="utf-8")

    rmtree = run_module.shutil.rmtree

    def refuse(path: Path, *args: Any, **kwargs: Any) -> None:
        if Path(path).name.endswith(".removing"):  # the old run, not the new run's parts
            raise OSError(13, "Permission denied", str(path))
        rmtree(path, *args, **kwargs)

    monkeypatch.setattr(run_module.shutil, "rmtree", refuse)
    assert run(small, tmp_path / "reports", "--params", str(params)) == 0
    out, err = capsys.readouterr()
    assert err == "" and (f"note: report.keep_runs 1: could not remove {base / '2026-10-01_20261001T060000'} "
                          "(Permission denied)\n") in out
    (new,) = [p for p in base.iterdir() if (p / "summary.json").exists()]
    assert "WARNING report.keep_runs 1: could not remove 2026-10-01_20261001T060000: Permission denied" in (
        new / "run.log").read_text(encoding="utf-8")

    def unreadable(*_: Any, **__: Any) -> None:
        raise OSError(13, "Permission denied", str(base))

    monkeypatch.setattr(run_module, "prune", unreadable)
    assert run(small, tmp_path / "reports", "--params", str(params)) == 0
    assert "note: report.keep_runs not applied: Permission denied\n" in capsys.readouterr().out


def test_prune_orders_same_second_runs_and_never_leaves_a_half_removed_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = tmp_path / "acme"
    make_runs(base, "2026-10-01_20261001T060000", "2026-10-01_20261001T060000-2", "2026-10-01_20261001T060000-3")
    current = base / "2026-10-01_20261001T060000-3"

    def cut_short(path: Path, *args: Any, **kwargs: Any) -> None:
        (Path(path) / "run.log").unlink()
        raise OSError(13, "Permission denied", str(path))

    monkeypatch.setattr(run_module.shutil, "rmtree", cut_short)
    (removal,) = prune(base, 2, current=current)
    assert removal.path.name == "2026-10-01_20261001T060000" and removal.error == "Permission denied"
    # What is left of it no longer looks like a run; the next prune finishes the job.
    assert names(base) == [".2026-10-01_20261001T060000.removing", "2026-10-01_20261001T060000-2", current.name]

    monkeypatch.undo()
    (removal,) = prune(base, 2, current=current)
    assert removal.error is None and names(base) == ["2026-10-01_20261001T060000-2", current.name]


def test_help_lists_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main(["run", "--help"])
    text = capsys.readouterr().out
    assert e.value.code == 0
    for line in ("0    ok", "1    the run failed", "2    bad input", "75   another run", "130  interrupted",
                 "143  stopped by SIGTERM"):
        assert line in text
