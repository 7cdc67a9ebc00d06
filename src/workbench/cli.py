"""The ``workbench`` command: run reports, make the sample, check a client's data."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from .exceptions import InputError, OutputError, ParamsError, WorkbenchError


def _date(s: str) -> dt.date:
    try:
        return dt.date.fromisoformat(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{s!r} is not a date; use YYYY-MM-DD") from None


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="workbench", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="execute the report notebooks into reports/<client>/<run-id>/")
    run.add_argument("--params", default="params/default.yaml", help="parameter file (default: %(default)s)")
    run.add_argument("--data", help="read the data from this folder instead of data.dir; the params file's "
                     "table mapping (data.tables) still applies")
    run.add_argument("--out", help="where run folders go (default: report.out_dir in params)")
    run.add_argument("--as-of", type=_date, help="analysis date YYYY-MM-DD (default: params, else latest data)")

    check = sub.add_parser("check", help="load and validate the data, print what was read and repaired")
    check.add_argument("--params", default="params/default.yaml")
    check.add_argument("--data", help="read the data from this folder instead of data.dir; the params "
                       "file's table mapping (data.tables) still applies")

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

    result = run_report(args.params, data_dir=args.data, out_dir=args.out, as_of=args.as_of)
    print(f"report: {result.run_dir}  ({result.seconds:.0f} s)")
    for nb in result.notebooks:
        print(f"  {nb.html}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from .load import load_portfolio
    from .params import load_params

    portfolio = load_portfolio(load_params(args.params, data_dir=args.data))
    for s in portfolio.sources:
        print(f"{s.table:<13} {s.rows:>9} rows  {s.path}")
    for note in portfolio.notes:
        print(f"repaired: {note}")
    print("ok: the data can be analysed")
    return 0


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


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``workbench`` console script; returns the exit code."""
    args = _parser().parse_args(argv)
    commands = {"run": _run, "check": _check, "sample": _sample}
    try:
        return commands[args.command](args)
    except (InputError, ParamsError) as e:
        print(f"workbench: {e}", file=sys.stderr)
        return 2
    except WorkbenchError as e:
        print(f"workbench: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("workbench: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
