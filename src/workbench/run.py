"""Run the report notebooks with papermill into one run folder (the output contract).

A run is built in a hidden ``.<run-id>.partial`` folder and moved into place only when
every notebook succeeded, so an earlier report is never overwritten and no half-written
one ever appears. A failed run is kept as ``<run-id>-failed`` for inspection (removed
instead when even that move fails). An output folder that cannot be written -- read-only,
a file, a full disk -- is one line naming the folder and the fix.

Runs are safe to schedule: one run per client at a time (:mod:`workbench.lock`), every
notebook bounded in time, Ctrl-C and SIGTERM leaving a ``-failed`` folder and a free lock,
and old runs pruned by ``report.keep_runs`` (:mod:`workbench.history`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import html as htmlmod
import json
import logging
import math
import os
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
import papermill as pm
import yaml
from jupyter_client.manager import AsyncKernelManager
from nbclient.exceptions import CellTimeoutError
from nbconvert import HTMLExporter
from traitlets import Unicode, default

from .analysis import PARTS
from .compare import since_previous_run
from .exceptions import DISK_FULL, OutputError, RunError, Stopped
from . import formatting
from .history import STAGING_FOLDER, failed_name, new_run_id, prune, staging_name
from .i18n import _, override, translate_notebook
from .lock import ClientLock
from .params import Params, load_params
from .prepared import PREPARED, prepare, save_prepared
from .privacy import shareable_params
from .paths import nearest_existing, notebooks_dir, resolve
from .summary_page import Report, write_index

TEMPLATES = Path(__file__).parent / "templates"
#: Seconds a kernel may take to start (papermill's default, passed explicitly because the
#: lock's time bound counts on it).
KERNEL_START_SECONDS = 60


class LocalKernelManager(AsyncKernelManager):
    """Kernels talk over local Unix sockets: nothing listens on TCP, and newer ipykernels
    stop warning on every run that TCP traffic is unencrypted."""

    transport = Unicode("ipc")

    @default("ip")
    def _unique_socket_prefix(self) -> str:
        # jupyter_client's default prefix is "kernel-ipc" in the working folder, shared by
        # every kernel there: a scheduled report and a test run at once would cross wires.
        return os.path.join(tempfile.gettempdir(), f"workbench-{uuid.uuid4().hex[:12]}")

    #: File the kernel process's own messages are appended to; empty: the terminal.
    kernel_log = Unicode("")

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        if not self.kernel_log:
            return await super()._async_launch_kernel(kernel_cmd, **kw)
        # jupyter_client interrupts every kernel it shuts down, and ipykernel now and then
        # logs that as "ERROR | KeyboardInterrupt caught in kernel": such lines belong in
        # the run's log, not among the progress lines on the terminal.
        with open(self.kernel_log, "ab") as out:
            return await super()._async_launch_kernel(kernel_cmd, **{**kw, "stdout": out, "stderr": out})


@dataclass(frozen=True)
class NotebookRun:
    """One executed notebook of a run."""

    name: str
    seconds: float
    notebook: Path
    html: Path
    #: The report's title (its first heading, in the report's language).
    title: str = ""


@dataclass(frozen=True)
class RunResult:
    """What a successful run left behind."""

    run_dir: Path
    notebooks: list[NotebookRun]
    seconds: float

    @property
    def summary(self) -> dict[str, Any]:
        return json.loads((self.run_dir / "summary.json").read_text(encoding="utf-8"))


def discover_notebooks(names: tuple[str, ...] | None = None) -> list[Path]:
    """The report notebooks in order: ``NN_*.ipynb`` in ``notebooks/``, or those named."""
    folder = notebooks_dir()
    if names:
        paths = [folder / (n if n.endswith(".ipynb") else f"{n}.ipynb") for n in names]
        missing = [p.name for p in paths if not p.is_file()]
        if missing:
            raise RunError(f"notebooks not found in {folder}: {', '.join(missing)}. Fix: check report.notebooks in the params file")
        return paths
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))


def run_report(
    params_file: str | Path,
    *,
    data_dir: str | None = None,
    out_dir: str | None = None,
    as_of: dt.date | None = None,
    pseudonymize: bool = False,
    language: str | None = None,
    progress: Callable[[str], None] = print,
) -> RunResult:
    """Execute every report notebook and assemble the run folder.

    Only one run of a client runs at a time (see :mod:`workbench.lock`). After a successful
    run, ``report.keep_runs`` removes the client's oldest runs.

    Parameters
    ----------
    params_file : str or Path
        The run's parameters.
    data_dir : str, optional
        A folder to read instead of ``params.data.dir``; ``params.data.tables`` still
        applies.
    out_dir : str, optional
        Where run folders go (default ``params.report.out_dir``); the run lands in
        ``<out_dir>/<client>/<run-id>/``.
    as_of : date, optional
        Overrides ``params.as_of``.
    pseudonymize : bool
        Pseudonymize this run even if ``report.pseudonymize`` is off (see
        :mod:`workbench.privacy`).
    language : str, optional
        Overrides ``params.report.language`` (``"fi"`` or ``"en"``).
    progress : callable
        Receives one line per notebook, and one per note on the run's housekeeping (a lock
        taken over, an old run removed).

    Raises
    ------
    ParamsError, InputError
        Before anything runs, when the params or the data are unusable.
    OutputError
        When the output folder cannot take the run (read-only, a file, a full disk):
        before anything runs when that shows, else as soon as a write fails.
    LockedError
        At once, when another run of the same client is in progress.
    RunError
        When a notebook fails or runs out of time: one line naming notebook, cell and error.
    Stopped
        On Ctrl-C or SIGTERM (see :mod:`workbench.cli`), once the unfinished run is set aside.

    Examples
    --------
    >>> result = run_report("params/default.yaml", out_dir="/tmp/reports")  # doctest: +SKIP
    >>> sorted(p.name for p in result.run_dir.iterdir())  # doctest: +SKIP
    ['00_overview.html', '00_overview.ipynb', 'accounts.csv', 'index.html', 'run.log', 'summary.json']
    """
    started = time.perf_counter()
    params = load_params(params_file, data_dir=data_dir, as_of=as_of, pseudonymize=pseudonymize,
                         language=language)
    out = resolve(out_dir, Path.cwd()) if out_dir else resolve(params.report.out_dir)
    base = out / params.client.slug
    # Before the data is read (a large export takes a while) and long before any kernel
    # starts: a folder that cannot take the report fails now, with nothing created.
    _check_writable(out, base)
    notebooks = discover_notebooks(params.report.notebooks)
    if not notebooks:
        raise RunError(f"no NN_*.ipynb notebooks in {notebooks_dir()}")
    # The longest this run can take under its own limits (reading the data and assembling
    # counted as one more notebook): past that, a run on another host may break the lock.
    longest = (len(notebooks) + 1) * (params.report.notebook_timeout_seconds + KERNEL_START_SECONDS)
    try:
        lock = ClientLock.acquire(base, expires_in=dt.timedelta(seconds=longest))
    except OSError as e:
        raise OutputError.from_os_error(out, e) from None
    try:
        notes = _take_over(lock, base)
        for note in notes:
            progress(f"note: {note}")
        with override(params.report.language, params.client.currency):
            done, final = _build(params, params_file, out, base, notebooks, lock, notes, progress, started)
        if params.report.keep_runs is not None:
            _prune(base, params.report.keep_runs, final, progress)
    finally:
        lock.release()
    return RunResult(
        run_dir=final,
        notebooks=[NotebookRun(n.name, n.seconds, final / n.notebook.name, final / n.html.name, n.title)
                   for n in done],
        seconds=time.perf_counter() - started,
    )


def _build(
    params: Params,
    params_file: str | Path,
    out: Path,
    base: Path,
    notebooks: list[Path],
    lock: ClientLock,
    notes: list[str],
    progress: Callable[[str], None],
    started: float,
) -> tuple[list[NotebookRun], Path]:
    """Read the data and run the notebooks in a staging folder, then move it into place.

    Returns the notebooks run and the run folder; on any failure the staging folder is set
    aside as ``<run-id>-failed`` (or removed) and the error says where it went.
    """
    # Read and check the data once, before any kernel starts (a bad file is one clear
    # line), and do the heavy step once for every notebook.
    prepared = prepare(params)
    portfolio, day = prepared.portfolio, prepared.as_of
    if params.engine == "spark":
        # Each notebook's kernel starts its own Spark; the runner's would idle beside them.
        from .spark import stop_spark

        stop_spark()
    run_id = new_run_id(base, day)
    staging = base / staging_name(run_id)
    try:
        staging.mkdir()
        log = _run_logger(staging / "run.log")
        lock.note_staging(staging)
    except OSError as e:
        # The check above passed, so something changed meanwhile or the check cannot
        # see it (e.g. a quota): the same line, and no empty staging folder left.
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError.from_os_error(out, e) from None
    log.info("run %s: params %s, data %s, as_of %s", run_id, params_file, params.data.path, day)
    for note in notes:
        log.warning("lock: %s", note)
    for note in portfolio.notes:
        log.warning("data: %s", note)

    # The notebooks read the params as this run resolved them (--data, --pseudonymize), from
    # a file in the run's parts, which assembly removes.
    effective = staging / PARTS / "params.yaml"
    inputs = {
        "params_file": str(effective),
        "as_of": day.isoformat(),
        "data_dir": None,
        "out_dir": str(staging),
        "interactive": False,
    }
    done: list[NotebookRun] = []
    final = base / run_id
    try:
        _write_params(params, effective)
        save_prepared(prepared, staging / PARTS / PREPARED)
        for i, nb in enumerate(notebooks, 1):
            t0 = time.perf_counter()
            executed = staging / nb.name
            source, title = _translated(nb, staging / PARTS, params.report.language)
            _execute(source, executed, inputs, params.report.cell_timeout_seconds, staging / "run.log",
                     params.report.notebook_timeout_seconds)
            html = _export_html(executed, f"{title} · {params.client.name} · {formatting.date(day)}",
                                params.report.language)
            secs = time.perf_counter() - t0
            done.append(NotebookRun(nb.stem, secs, executed, html, title))
            log.info("%s ok in %.1f s", nb.stem, secs)
            progress(f"[{i}/{len(notebooks)}] {nb.stem:<24} ok  {secs:5.1f} s")
        _assemble(staging, params, portfolio, day, run_id, done, params_file)
        log.info("run finished in %.1f s", time.perf_counter() - started)
        _close(log)
        os.replace(staging, final)
    except BaseException as exc:
        if not log.handlers:  # closed for the final move: the log must still say it failed
            with contextlib.suppress(OSError):
                log = _run_logger(staging / "run.log")
        stop = None
        if isinstance(exc, KeyboardInterrupt):  # Ctrl-C, or SIGTERM raised as one by the CLI
            stop = exc if isinstance(exc, Stopped) else Stopped()
        if log.handlers:  # else logging's last resort would print the line on the terminal
            if stop:
                log.error("run %s", stop.what)
            else:
                log.error("run failed: %s", exc)
        _close(log)
        kept = _set_aside(staging, base / failed_name(run_id))
        if isinstance(exc, OSError) and _is_output_problem(exc, out):
            raise OutputError.from_os_error(out, exc, kept=kept) from None
        if isinstance(exc, RunError):
            raise RunError(f"{exc} (kept in {kept})" if kept else f"{exc} (the unfinished run was removed)") from None
        if stop:
            note = f"the unfinished run is kept in {kept}" if kept else "the unfinished run was removed"
            raise Stopped(stop.signum, note) from None
        raise
    return done, final


def _write_params(params: Params, path: Path) -> None:
    dump = params.model_dump(mode="json")
    dump["data"]["dir"] = str(params.data.path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(dump, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _take_over(lock: ClientLock, base: Path) -> list[str]:
    """Notes on a lock taken over from a run that did not release it; its unfinished run,
    if it had started one here, is set aside as a failed run."""
    taken = lock.taken_over
    if taken is None:
        return []
    notes = [str(taken)]
    staging = Path(taken.holder.staging) if taken.holder.staging else None
    # The record names the folder; only a staging folder of this client's is touched.
    m = STAGING_FOLDER.fullmatch(staging.name) if staging and staging.parent == base else None
    if m and staging and staging.is_dir() and not staging.is_symlink():
        kept = _set_aside(staging, base / failed_name(m["run_id"]))
        notes.append(f"its unfinished run {staging.name} " + (f"is kept as {kept.name}" if kept else "was removed"))
    return notes


def _prune(base: Path, keep: int, final: Path, progress: Callable[[str], None]) -> None:
    """Apply ``report.keep_runs``, noting each removal in the new run's log.

    The report is made by now: an old run that stays is a note, never a failed run.
    """
    try:
        removals = prune(base, keep, current=final)
        if not removals:
            return
        log = _run_logger(final / "run.log")
    except OSError as e:
        progress(f"note: report.keep_runs not applied: {e.strerror or e}")
        return
    for r in removals:
        if r.error is None:
            log.info("report.keep_runs %d: removed %s", keep, r.path.name)
        else:
            log.warning("report.keep_runs %d: could not remove %s: %s", keep, r.path.name, r.error)
            progress(f"note: report.keep_runs {keep}: could not remove {r.path} ({r.error})")
    _close(log)


def _check_writable(out: Path, base: Path) -> None:
    """Raise :class:`OutputError` unless run folders can be made in ``base``; creates nothing.

    ``os.access`` answers for the user running and for a read-only mount alike, so the
    common problems are found without writing; the rest surface at the first write.
    """
    try:
        folder = nearest_existing(base)
        if not folder.is_dir():
            raise OSError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(folder))
        if not os.access(folder, os.W_OK | os.X_OK):
            code = errno.EROFS if _read_only_mount(folder) else errno.EACCES
            raise OSError(code, os.strerror(code), str(folder))
    except OSError as e:
        raise OutputError.from_os_error(out, e) from None


def _read_only_mount(folder: Path) -> bool:
    if not hasattr(os, "statvfs"):  # Windows: say "permission denied", which is still true
        return False
    return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)


def _is_output_problem(e: OSError, out: Path) -> bool:
    """Whether an error during the run is the output folder's (not, say, a missing template).

    Everything the run writes goes under ``out``; a full disk or read-only mount has one
    fix wherever it struck, and the other errors count when they name a path under ``out``.
    """
    if e.errno in DISK_FULL or e.errno == errno.EROFS:
        return True
    return bool(e.filename) and (Path(e.filename) == out or out in Path(e.filename).parents)


def _set_aside(staging: Path, failed: Path) -> Path | None:
    """Move an unfinished run to ``failed``; remove it when even that fails.

    Returns
    -------
    Path or None
        ``failed``, or ``None`` when the run was removed.
    """
    # The prepared copy of the client's log is the run's working data, not its record.
    shutil.rmtree(staging / PARTS / PREPARED, ignore_errors=True)
    try:
        os.replace(staging, failed)
        return failed
    except OSError:
        # A hidden .partial folder must never outlive its run: without the rename it goes.
        shutil.rmtree(staging, ignore_errors=True)
        return None


class _QuietFileHandler(logging.FileHandler):
    """A run log that never prints a traceback of its own.

    logging reports a failed write (a full disk) on stderr with a traceback; the run's
    next write fails the same way and says so in one line, so the log keeps quiet.
    """

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging's name
        pass


def _run_logger(path: Path) -> logging.Logger:
    log = logging.getLogger(f"workbench.run.{path.parent.name}")
    log.setLevel(logging.INFO)
    log.propagate = False
    handler = _QuietFileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    return log


def _close(log: logging.Logger) -> None:
    for h in list(log.handlers):
        h.close()
        log.removeHandler(h)


class _TimeBudget:
    """Each cell's time limit: ``report.cell_timeout_seconds``, or what is left of the
    notebook's ``report.notebook_timeout_seconds`` when that is less.

    nbclient asks for the limit as each code cell starts, so a whole notebook is bounded
    without a signal or a watchdog thread. It also counts the cells, which in a fresh kernel
    is the execution count a timeout message names.
    """

    def __init__(self, cell: int, notebook: int | None) -> None:
        self.cell = cell
        self.notebook = notebook
        self.deadline = time.monotonic() + (notebook or math.inf)
        self.cells = 0
        self.by_notebook = False

    def __call__(self, cell: Any) -> float:
        self.cells += 1
        left = self.deadline - time.monotonic()
        self.by_notebook = left < self.cell
        # nbclient reads a zero limit as none at all: a notebook out of time gives its cell
        # an instant, not forever.
        return max(min(self.cell, left), 0.001)

    def message(self, name: str) -> str:
        key, limit = (("notebook_timeout_seconds", self.notebook) if self.by_notebook
                      else ("cell_timeout_seconds", self.cell))
        what = "the notebook" if self.by_notebook else "the cell"
        return (f"{name} cell {self.cells}: {what} was still running after report.{key} ({limit} s). "
                f"Fix: raise report.{key} in the params file if the data is that large")


def _translated(nb: Path, folder: Path, language: str) -> tuple[Path, str]:
    """A copy of ``nb`` with its prose in ``language``, and its title (its first heading)."""
    book = translate_notebook(nbformat.read(nb, as_version=4), language)
    heading = next((line for c in book.cells if c.cell_type == "markdown"
                    for line in c.source.splitlines() if line.startswith("# ")), f"# {nb.stem}")
    copy = folder / nb.name
    nbformat.write(book, copy)
    return copy, heading[2:].strip()


def _execute(
    nb: Path, out: Path, parameters: dict[str, Any], timeout: int, kernel_log: Path,
    notebook_timeout: int | None = None,
) -> None:
    """Execute one notebook with papermill; every failure becomes one line.

    ``timeout`` bounds each cell and ``notebook_timeout`` (when given) the whole notebook.
    """
    manager = type("RunKernelManager", (LocalKernelManager,), {"kernel_log": Unicode(str(kernel_log))})
    budget = _TimeBudget(timeout, notebook_timeout)
    # papermill and nbclient log through "papermill" (e.g. "Timeout waiting for execute
    # reply"): those lines belong in the run's log; the terminal gets the one-line error.
    said = _QuietFileHandler(kernel_log, encoding="utf-8")
    said.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    pm_log = logging.getLogger("papermill")
    pm_log.addHandler(said)
    try:
        pm.execute_notebook(
            str(nb), str(out), parameters=parameters, kernel_name="python3",
            cwd=str(notebooks_dir()), execution_timeout=timeout, timeout_func=budget,
            start_timeout=KERNEL_START_SECONDS, progress_bar=False,
            log_output=False, report_mode=False, kernel_manager_class=manager,
        )
    except pm.PapermillExecutionError as e:
        code = _errno_in(str(e.evalue))
        if code in DISK_FULL:
            # The notebook itself was fine: the disk filled up under it.
            raise OSError(code, os.strerror(code)) from None
        evalue = str(e.evalue).strip().splitlines()[0] if str(e.evalue).strip() else ""
        raise RunError(f"{nb.name} cell {e.exec_count}: {e.ename}: {evalue}") from None
    except CellTimeoutError:  # a TimeoutError, hence an OSError: caught before those
        raise RunError(budget.message(nb.name)) from None
    except OSError as e:
        if e.errno in DISK_FULL or e.errno == errno.EROFS or (e.filename and out.parent in Path(e.filename).parents):
            raise  # papermill writing the executed notebook: the output folder's problem
        raise RunError(f"{nb.name}: {type(e).__name__}: {str(e).strip().splitlines()[0] if str(e).strip() else ''}") from None
    except Exception as e:  # kernel died, could not start
        raise RunError(f"{nb.name}: {type(e).__name__}: {str(e).strip().splitlines()[0] if str(e).strip() else ''}") from None
    finally:
        pm_log.removeHandler(said)
        said.close()


def _errno_in(text: str) -> int | None:
    """The errno an error message quotes (``[Errno 28] No space left on device``), if any."""
    m = re.search(r"\[errno (\d+)\]", text, re.IGNORECASE)
    return int(m.group(1)) if m else None


#: Where the offline template leaves room for the table of contents.
TOC_MARK = "<!--workbench-toc-->"
_HEADING = re.compile(r'<h([23])\s+id="([^"]+)"[^>]*>(.*?)</h\1>', re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def _export_html(executed: Path, title: str, language: str) -> Path:
    """The report without code: figures drawn offline, a link back to the run's
    ``index.html`` and a table of contents of its h2/h3 headings."""
    nb = nbformat.read(executed, as_version=4)
    nb.metadata["title"] = title
    exporter = HTMLExporter(
        template_name="offline", extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
        language_code=language,  # <html lang>: screen readers and spell checkers read Finnish as Finnish
    )
    nav = {"back_href": "index.html", "back_text": _("Back to the summary"), "toc_title": _("Contents of this report")}
    body, __ = exporter.from_notebook_node(nb, resources={"workbench_nav": nav})
    body = body.replace(TOC_MARK, table_of_contents(body), 1)
    html = executed.with_suffix(".html")
    html.write_text(body, encoding="utf-8")
    return html


def table_of_contents(body: str) -> str:
    """A nested list linking the h2 and h3 headings of an exported report (by their ids).

    Examples
    --------
    >>> table_of_contents('<h2 id="A">A<a class="anchor-link" href="#A">¶</a></h2><h3 id="b">B &amp; c</h3>')
    '<ol><li><a href="#A">A</a><ol><li><a href="#b">B &amp; c</a></li></ol></li></ol>'
    """
    items: list[tuple[int, str, str]] = []
    for level, anchor, inner in _HEADING.findall(body):
        text = htmlmod.unescape(_TAG.sub("", re.sub(r'<a class="anchor-link".*?</a>', "", inner))).strip()
        if text:
            items.append((int(level), anchor, text))
    if not items:
        return ""
    out, open_sub = ["<ol>"], False
    for i, (level, anchor, text) in enumerate(items):
        link = f'<a href="#{htmlmod.escape(anchor)}">{htmlmod.escape(text, quote=False)}</a>'
        if level == 3 and i > 0:
            if not open_sub:
                out[-1] = out[-1].removesuffix("</li>") + "<ol>"
                open_sub = True
            out.append(f"<li>{link}</li>")
            continue
        if open_sub:
            out.append("</ol></li>")
            open_sub = False
        out.append(f"<li>{link}</li>")
    if open_sub:
        out.append("</ol></li>")
    out.append("</ol>")
    return "".join(out)


def _assemble(
    staging: Path,
    params: Params,
    portfolio: Any,
    day: dt.date,
    run_id: str,
    done: list[NotebookRun],
    params_file: str | Path,
) -> None:
    """Join the notebooks' parts into accounts.csv and summary.json, drop the parts, and
    write the executive summary, index.html (:mod:`workbench.summary_page`)."""
    parts = staging / PARTS
    accounts: pd.DataFrame | None = None
    headlines: dict[str, Any] = {}
    for nb in done:
        head = parts / f"{nb.name}.json"
        if head.is_file():
            headlines[nb.name] = json.loads(head.read_text(encoding="utf-8"))
        table = parts / f"{nb.name}.accounts.parquet"
        if table.is_file():
            df = pd.read_parquet(table)
            if accounts is None:
                accounts = df
            else:
                new = [c for c in df.columns if c == "account_id" or c not in accounts.columns]
                accounts = accounts.merge(df[new], on="account_id", how="left")
    if accounts is not None:
        accounts.to_csv(staging / "accounts.csv", index=False, encoding="utf-8")
    summary = {
        "run_id": run_id,
        "client": params.client.name,
        "as_of": day.isoformat(),
        "workbench_version": metadata.version("workbench"),
        "params_file": str(params_file),
        "params": shareable_params(params),
        "inputs": portfolio.checksums,
        "inputs_changed_during_run": portfolio.changed_inputs(),
        "data_notes": portfolio.notes,
        "notebooks": {nb.name: {"seconds": round(nb.seconds, 1), **headlines.get(nb.name, {})} for nb in done},
    }
    summary["since"] = since_previous_run(staging, summary)
    (staging / "summary.json").write_text(
        json.dumps(summary, indent=2, ensure_ascii=False, default=str), encoding="utf-8"
    )
    shutil.rmtree(parts, ignore_errors=True)
    # The executive summary, last: it links the reports and exports now in the folder, and
    # it is in the staging folder, so a run that fails before the move leaves none.
    write_index(staging, json.loads((staging / "summary.json").read_text(encoding="utf-8")),
                [Report(nb.name, nb.title or nb.name, nb.html.name) for nb in done])
