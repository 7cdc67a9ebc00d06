"""The ``workbench`` command: run reports, compare runs and follow a client over time, make the
sample, check a client's data."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from .exceptions import InputError, LockedError, OutputError, ParamsError, Stopped, WorkbenchError
from .schema import TABLES

if TYPE_CHECKING:
    import pandas as pd

#: Exit codes, for a scheduler (cron, a systemd timer) to act on.
EXIT_OK = 0
EXIT_FAILED = 1  # a notebook failed or ran out of time; the output folder cannot be written
EXIT_BAD_INPUT = 2  # the data, the params or the command line: nothing was made
EXIT_LOCKED = 75  # EX_TEMPFAIL: another run of the same client is in progress; try again later
# Ctrl-C exits 130 and SIGTERM 143 (128 + the signal's number, as a shell reports it).
#: Accounts that moved listed on the terminal; the comparison's CSV has them all.
_LISTED = 25

EXIT_CODES = """\
exit codes:
  0    ok: the report is made
  1    the run failed: a notebook error or timeout, an output folder that cannot be
       written, a kernel that would not start (the unfinished run is kept as ...-failed)
  2    bad input: the data, the params file or the command line; nothing was made
  75   another run of the same client is in progress (EX_TEMPFAIL): try again later
  130  interrupted (Ctrl-C); the unfinished run is kept as ...-failed
  143  stopped by SIGTERM (systemctl stop, a scheduler's timeout); as for Ctrl-C
"""


def _date(s: str) -> dt.date:
    try:
        return dt.date.fromisoformat(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{s!r} is not a date; use YYYY-MM-DD") from None


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="workbench", description=__doc__, epilog=EXIT_CODES,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="execute the report notebooks into reports/<client>/<run-id>/",
                         epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_argument("--params", default="params/default.yaml", help="parameter file (default: %(default)s)")
    run.add_argument("--data", help="read the data from this folder instead of data.dir; the params file's "
                     "table mapping (data.tables) still applies")
    run.add_argument("--out", help="where run folders go (default: report.out_dir in params)")
    run.add_argument("--as-of", type=_date, help="analysis date YYYY-MM-DD (default: params, else latest data)")
    run.add_argument("--pseudonymize", action="store_true",
                     help="a report safe to share: customers and team members named by keyed codes, contact "
                          "details and free text left out (as report.pseudonymize in params)")
    run.add_argument("--language", choices=("fi", "en"),
                     help="the report's language (default: report.language in params)")

    check = sub.add_parser("check", help="load and validate the data, print what was read and repaired")
    check.add_argument("--params", default="params/default.yaml")
    check.add_argument("--data", help="read the data from this folder instead of data.dir; the params "
                       "file's table mapping (data.tables) still applies")

    compare = sub.add_parser("compare", help="what changed between two runs of a client: tiers, drop candidates, "
                             "segments, headline figures")
    compare.add_argument("runs", nargs=2, metavar="RUN",
                         help="two run folders, reports/<client>/<run-id> (in any order)")
    compare.add_argument("--out", help="folder for the comparison's HTML and CSV files (default: compare/ in the "
                         "client's report folder; never inside a run)")

    history = sub.add_parser("history", help="a client's runs over time: the figures per run, before and after the "
                             "plan, and the accounts that changed most")
    history.add_argument("client", metavar="CLIENT",
                         help="the client's report folder (reports/<client>) or its name there")
    history.add_argument("--params", default="params/default.yaml",
                         help="params whose report.out_dir holds the client's folder (default: %(default)s)")
    history.add_argument("--plan-adopted", type=_date, help="the day the plan was adopted, YYYY-MM-DD (default: "
                         "report.plan_adopted of the latest run)")
    history.add_argument("--out", help="folder for the history's HTML and CSV files (default: history/ in the "
                         "client's report folder)")

    app = sub.add_parser("app", help="serve the explorer without code (Voilà) for the client at the table: "
                         "move the report's settings, see what changes, save what was agreed as a params file")
    app.add_argument("--params", default="params/default.yaml", help="parameter file (default: %(default)s)")
    app.add_argument("--data", help="read the data from this folder instead of data.dir")
    app.add_argument("--as-of", type=_date, help="analysis date YYYY-MM-DD (default: params, else latest data)")
    app.add_argument("--port", type=int, default=8866, help="port on 127.0.0.1 (default: %(default)s)")
    app.add_argument("--no-browser", action="store_true", help="do not open a browser")

    sample = sub.add_parser("sample", help="write the deterministic synthetic sample portfolio")
    sample.add_argument("--out", default="data/sample", help="folder to write (default: %(default)s)")
    sample.add_argument("--seed", type=int, default=7)
    sample.add_argument("--accounts", type=int, default=320)
    sample.add_argument("--months", type=int, default=24)
    sample.add_argument("--end", type=_date, default=dt.date(2026, 10, 31), help="last day of the sample")
    sample.add_argument("--team", type=int, default=5, help="team members")
    return p


def _run(args: argparse.Namespace) -> int:
    from .run import run_report

    result = run_report(args.params, data_dir=args.data, out_dir=args.out, as_of=args.as_of,
                        pseudonymize=args.pseudonymize, language=args.language)
    print(f"report: {result.run_dir}  ({result.seconds:.0f} s)")
    for nb in result.notebooks:
        print(f"  {nb.html}")
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    from .load import load_portfolio
    from .params import load_params

    params = load_params(args.params, data_dir=args.data)
    portfolio = load_portfolio(params)
    for s in portfolio.sources:
        print(f"{s.table:<13} {s.rows:>9} rows  {s.path}")
    read = {s.table for s in portfolio.sources}
    for table in TABLES:
        if table == "accounts" and params.data.accounts_from:
            print(f"{table:<13} {len(portfolio.accounts):>9} ids   from {params.data.accounts_from}")
        elif table not in read:
            print(f"{table:<13} {'none':>9}       (the figures that need it say so in the report)")
    for note in portfolio.notes:
        print(f"repaired: {note}")
    print("ok: the data can be analysed")
    return 0


def _compare(args: argparse.Namespace) -> int:
    from .compare import compare_runs, read_run, write_comparison

    c = compare_runs(*(read_run(r) for r in args.runs))
    out = Path(args.out) if args.out else Path(c.later.where).parent / "compare"
    paths = write_comparison(c, out)
    print("\n".join(c.sentences()))
    print()
    _print_table(c.headline_text())
    if c.tiers is not None:
        print("\nTiers then (rows) and now (columns), accounts in both runs:")
        print(c.tiers.rename_axis(index="then", columns="now").to_string())
    moved = c.moved
    if len(moved):
        print(f"\nThe accounts that moved ({len(moved)}):")
        for r in moved.head(_LISTED).itertuples():
            print(f"  {r.account_id:<10} {r.name:<36} {r.what_changed}")
        if len(moved) > _LISTED:
            print(f"  … and {len(moved) - _LISTED} more in {paths[1]}")
    print()
    for path in paths:
        print(f"wrote {path}")
    return EXIT_OK


def _history(args: argparse.Namespace) -> int:
    from .params import load_params
    from .paths import resolve
    from .compare import figure_text
    from .trend import client_folder, client_history, write_history

    folder = client_folder(args.client, resolve(load_params(args.params).report.out_dir))
    h = client_history(folder, args.plan_adopted)
    paths = write_history(h, Path(args.out) if args.out else folder / "history")
    print("\n".join(h.sentences()))
    print()
    _print_table(h.table())
    if h.movers is not None and len(h.movers):
        print("\nThe largest changes in energy, first run to latest:")
        for r in h.movers.head(5).itertuples():
            tier = r.tier_after if r.tier_before == r.tier_after else f"{r.tier_before} → {r.tier_after}"
            change = figure_text(r.energy_change, "hours", signed=True)
            print(f"  {r.account_id:<10} {r.name:<36} {change:>9}  ({tier})")
    print()
    for path in paths:
        print(f"wrote {path}")
    return EXIT_OK


def _print_table(table: pd.DataFrame) -> None:
    """Labels (the first column) to the left, figures to the right."""
    widths = [max(len(str(v)) for v in [c, *table[c]]) for c in table.columns]
    for row in [list(table.columns), *table.astype(str).to_numpy().tolist()]:
        print("  ".join(str(v).ljust(w) if i == 0 else str(v).rjust(w) for i, (v, w) in enumerate(zip(row, widths))))


def _app(args: argparse.Namespace) -> int:
    from .app import serve

    return serve(args.params, data_dir=args.data, as_of=args.as_of, port=args.port,
                 open_browser=not args.no_browser)


def _sample(args: argparse.Namespace) -> int:
    from .sample import write_sample

    try:
        paths = write_sample(
            Path(args.out), seed=args.seed, n_accounts=args.accounts, months=args.months,
            end=args.end, team_size=args.team,
        )
    except ValueError as e:
        raise WorkbenchError(f"sample: {e}") from None
    except OSError as e:
        raise OutputError.from_os_error(Path(args.out), e, key=None) from None
    print(f"wrote {len(paths)} files to {args.out}")
    return 0


def _stop(signum: int, frame: FrameType | None) -> None:
    # A repeated SIGTERM must not cut short the cleanup the first one started; systemd's
    # SIGKILL after TimeoutStopSec remains the hard stop.
    signal.signal(signum, signal.SIG_IGN)
    raise Stopped(signum)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``workbench`` console script; returns the exit code.

    Every problem the user or the environment can fix is one line on stderr, never a
    traceback. The exit codes (``EXIT_CODES``, also in ``workbench --help``): 0 ok, 1 the run
    failed, 2 bad data, params or command line, 75 another run of the client is in progress,
    130 Ctrl-C, 143 SIGTERM. SIGTERM is handled as Ctrl-C is: the unfinished run is set aside
    as ``-failed`` and the client's lock is released.
    """
    args = _parser().parse_args(argv)
    commands = {"run": _run, "check": _check, "compare": _compare, "history": _history, "sample": _sample,
                "app": _app}
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        return commands[args.command](args)
    except LockedError as e:
        print(f"workbench: {e}", file=sys.stderr)
        return EXIT_LOCKED
    except (InputError, ParamsError) as e:
        print(f"workbench: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except WorkbenchError as e:
        print(f"workbench: {e}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt as e:
        stop = e if isinstance(e, Stopped) else Stopped()
        print(f"workbench: {stop}", file=sys.stderr)
        return stop.exit_code
    except BrokenPipeError:
        # `workbench history … | head` closed the pipe: the reader has what it wanted. Point
        # stdout at nothing so the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    finally:
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
