"""Real exports as they arrive, through `workbench` as a user types it (issue 9's walls).

Each case builds a small folder the way a client's system writes it and goes through
``workbench check`` and ``workbench run``: a case that cannot be analysed stops with one line
naming the file, column or key and the fix (exit code 2), leaves its inputs as they were and
no report folder behind; a case the loader can repair says what it did and goes on.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from workbench.cli import main

ACCOUNTS = "account_id,name\n00101,Alpha Oy\n00102,Beta Ky\n00103,Gamma Tmi\n"
LOG_ROWS = "".join(f"0010{1 + i % 3},{date(2026, 1, 1) + timedelta(days=2 * i)} 10:00,email,"
                   f"{'in' if i % 2 else 'out'}\n" for i in range(120))


def digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def write(folder: Path, files: dict[str, str], params: str = "") -> Path:
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    yaml = folder.parent / "client.yaml"
    yaml.write_text(f"data:\n  dir: {folder}\n{params}", encoding="utf-8")
    return yaml


def line_items_price_only(folder: Path) -> Path:
    return write(folder, {
        "accounts.csv": ACCOUNTS,
        "invoices.csv": "account_id,date,Qty,Price\n00101,2026-01-02,10,2.5\n00102,2026-02-02,1,99\n",
    }, "  tables:\n    invoices: {columns: {amount: Price}}\n")


def dated_2099(folder: Path) -> Path:
    return write(folder, {"accounts.csv": ACCOUNTS, "interactions.csv":
                          "account_id,ts,channel,direction\n" + LOG_ROWS + "00101,2099-03-05 10:00,email,in\n"})


def zeros_stripped(folder: Path) -> Path:
    return write(folder, {"accounts.csv": ACCOUNTS,
                          "interactions.csv": "account_id,ts,channel,direction\n" + LOG_ROWS.replace("0010", "10")})


def excel_title_row(folder: Path) -> Path:
    write(folder, {"interactions.csv": "account_id,ts,channel,direction\n" + LOG_ROWS})
    book = openpyxl.Workbook()
    for row in (["Asiakasrekisteri 30.6.2026"], [], ["account_id", "name"],
                ["00101", "Alpha Oy"], ["00102", "Beta Ky"], ["00103", "Gamma Tmi"]):
        book.active.append(row)
    book.save(folder / "accounts.xlsx")
    return folder.parent / "client.yaml"


def event_log(folder: Path) -> Path:
    rows = "".join(f"T{i},{step},0010{1 + i % 3},2026-0{1 + i % 9}-1{h} 1{h}:00\n"
                   for i in range(30) for h, step in enumerate(("Opened", "Assigned", "Waiting", "Resolved")))
    return write(folder, {"events.csv": "Ticket,Activity,Customer,Time\n" + rows}, (
        "  accounts_from: interactions\n  tables:\n    interactions:\n      file: events.csv\n"
        "      columns: {account_id: Customer, ts: Time, thread_id: Ticket}\n"
        "      constants: {channel: ticket}\n"
        "      contacts: {event: Activity, per_thread: true, events: {Resolved: out}}\n"))


def invoices_only(folder: Path) -> Path:
    return write(folder, {"accounts.csv": ACCOUNTS,
                          "invoices.csv": "account_id,date,amount\n00101,2026-01-02,100\n00102,2026-02-02,-20\n"})


#: (name, builder, lines `check` must print)
REPAIRED: list[tuple[str, Callable[[Path], Path], list[str]]] = [
    ("unit price mapped as amount", line_items_price_only,
     ["amount is read from 'Price' but the file also has 'Qty'", "`derive: {amount: Qty * Price}`"]),
    ("an interaction dated 2099", dated_2099,
     ["1 row dated more than a year after all the others", "(row 122 2099-03-05)"]),
    ("ids whose leading zeros Excel stripped", zeros_stripped,
     ["120 rows name account ids that differ from accounts only in leading zeros (e.g. '101' = '00101')"]),
    ("a title row above the Excel header", excel_title_row,
     ["accounts.xlsx: 1 title row above the header skipped ('Asiakasrekisteri 30.6.2026'); the header is row 3"]),
    ("a ticket system's event log", event_log,
     ["read as an event log: 60 of 120 rows are contacts", "60 status updates left out",
      "the 3 accounts are the distinct account ids of events.csv", "accounts              3 ids   from interactions"]),
    ("invoices without a contact log", invoices_only,
     ["interactions       none       (the figures that need it say so in the report)"]),
]


def accounts_only(folder: Path) -> Path:
    return write(folder, {"accounts.csv": ACCOUNTS, "interactions.csv": "account_id,ts,channel,direction\n"})


def derive_misspelled(folder: Path) -> Path:
    return write(folder, {"accounts.csv": ACCOUNTS,
                          "invoices.csv": "account_id,date,Quantity,UnitPrice\n00101,2026-01-02,10,2.5\n"},
                 "  tables:\n    invoices: {derive: {amount: Quantiy * UnitPrice}}\n")


def events_not_in_log(folder: Path) -> Path:
    return write(folder, {"accounts.csv": ACCOUNTS, "interactions.csv":
                          "account_id,ts,Event\n00101,2026-01-02 10:00,Opened\n"},
                 "  tables:\n    interactions:\n      constants: {channel: ticket, direction: in}\n"
                 "      contacts: {event: Event, events: {Closed: out}}\n")


def no_customer_named(folder: Path) -> Path:
    return write(folder, {"accounts.csv": ACCOUNTS,
                          "invoices.csv": "account_id,date,amount\n,2026-01-02,100\n,2026-01-03,5\n"})


def register_and_accounts_from(folder: Path) -> Path:
    return write(folder, {"accounts.csv": ACCOUNTS,
                          "interactions.csv": "account_id,ts,channel,direction\n" + LOG_ROWS},
                 "  accounts_from: interactions\n")


#: (name, builder, the one line both commands must print after "workbench: ")
REFUSED: list[tuple[str, Callable[[Path], Path], list[str]]] = [
    ("accounts with no behaviour", accounts_only,
     ["no contact log (interactions) and no invoices with rows", "it has: accounts.csv, interactions.csv",
      "Fix: add interactions.csv"]),
    ("a misspelled column in derive", derive_misspelled,
     ["invoices.csv: the params name the column 'Quantiy'", "did you mean 'Quantity'?",
      "Fix: correct derive: {amount: Quantiy * UnitPrice} under data.tables.invoices"]),
    ("event types the log does not hold", events_not_in_log,
     ["none of the events 'Closed' occurs in the column 'Event'; it holds e.g. 'opened'"]),
    ("no row names a customer", no_customer_named,
     ["invoices.csv, column account_id, row 2: account_id is empty in every row"]),
    ("a register and accounts_from", register_and_accounts_from,
     ["accounts.csv: data.accounts_from is interactions but the folder has an accounts file too"]),
]


CASES = [(*case, 0) for case in REPAIRED] + [(*case, 2) for case in REFUSED]


@pytest.mark.parametrize(("name", "build", "expected", "code"), CASES, ids=[c[0] for c in CASES])
def test_intake_case(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, build: Callable[[Path], Path],
    expected: list[str], code: int,
) -> None:
    params = build(tmp_path / "client")
    before = digest(tmp_path)
    if code == 0:
        assert main(["check", "--params", str(params)]) == 0
        out = capsys.readouterr().out
        for part in [*expected, "ok: the data can be analysed"]:
            assert part in out, f"{part!r} not in {out!r}"
        assert digest(tmp_path) == before
        return
    out = tmp_path / "reports"
    for argv in (["check", "--params", str(params)],
                 ["run", "--params", str(params), "--out", str(out)]):
        assert main(argv) == code
        err = capsys.readouterr().err
        assert err.startswith("workbench: ") and err.count("\n") == 1 and "Traceback" not in err, err
        for part in expected:
            assert part in err, f"{part!r} not in {err!r}"
    assert digest(tmp_path) == before
    assert not out.exists() or not any(out.rglob("*")), "a report folder was left behind"
