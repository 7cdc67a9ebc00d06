"""Tests of workbench.load: messy-but-valid exports load right, bad ones fail clearly.

tests/data/bad/ holds one small hand-made file (or folder) per user mistake; every one of
them must give an InputError that names the file and, where it applies, the column (as
written in the file) and the spreadsheet row. tests/data/messy/ holds valid exports in
the shapes consultants really get. Excel, Parquet and gzip inputs are written by the
tests themselves so no binary fixtures need reviewing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import hashlib
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.exceptions import InputError
from workbench.load import load_portfolio, read_table
from workbench.params import Params, TableSource, load_params
from workbench.paths import repo_root

DATA = Path(__file__).parent / "data"
BAD = DATA / "bad"
MESSY = DATA / "messy"
REAL = repo_root().parent / "shared" / "data" / "real"
TZ = "Europe/Helsinki"


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def read(path: Path, table: str, **source: Any) -> pd.DataFrame:
    return read_table(path, table, TableSource(**source), tz=TZ)


def params_for(folder: Path, tables: dict[str, Any] | None = None) -> Params:
    return Params.model_validate({"data": {"dir": str(folder), "tables": tables or {}}})


def digest_tree(root: Path) -> dict[str, tuple[str, int]]:
    return {
        str(p.relative_to(root)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*")) if p.is_file()
    }


# --------------------------------------------------------------------------- bad corpus

# (file in tests/data/bad, table, TableSource fields, substrings the message must contain)
BAD_FILES: list[tuple[str, str, dict[str, Any], list[str]]] = [
    ("empty.csv", "accounts", {}, ["empty.csv", "empty"]),
    ("header_only.csv", "accounts", {}, ["header_only.csv", "no data rows"]),
    ("binary.csv", "accounts", {}, ["binary.csv", "binary data"]),
    ("semicolon_read_as_comma.csv", "interactions", {"delimiter": ","},
     ["semicolon_read_as_comma.csv", "no column for account_id", "separated by ';'",
      '`delimiter: ";"`']),
    ("accounts_duplicate_id.csv", "accounts", {},
     ["accounts_duplicate_id.csv", "column Account ID", "row 5", "'A0002'", "row 3"]),
    ("interactions_missing_ts.csv", "interactions", {"columns": {"ts": "Timestamp"}},
     ["interactions_missing_ts.csv", "column Timestamp", "row 3", "ts is empty"]),
    ("interactions_bad_ts.csv", "interactions", {},
     ["interactions_bad_ts.csv", "column ts", "row 2", "'eilen'", "date_format"]),
    ("interactions_negative_minutes.csv", "interactions", {"columns": {"minutes": "Kesto"}},
     ["column Kesto", "row 3", "negative", "-5"]),
    ("invoices_bad_amount.csv", "invoices", {},
     ["invoices_bad_amount.csv", "column amount", "row 4", "'twelve'", "1 more row"]),
    ("interactions_unknown_direction.csv", "interactions", {},
     ["column direction", "row 3", "'Lähetetty' (3 rows)", "'???' (1 row)",
      "`values: {direction: {Lähetetty: <in or out>"]),
    ("corrupt.xlsx", "accounts", {}, ["corrupt.xlsx", "Excel workbook"]),
    ("accounts.json", "accounts", {}, ["accounts.json", "unknown file type '.json'"]),
    ("interactions_no_ts_column.csv", "interactions", {},
     ["interactions_no_ts_column.csv", "no column for ts", "'Aika'",
      "add `columns: {ts: <your column>}` under data.tables.interactions in your params file"]),
    ("interactions_ragged.csv", "interactions", {},
     ["interactions_ragged.csv", "row 3", "6 fields", "header has 5"]),
    ("invoices_bad_date.csv", "invoices", {"columns": {"date": "Päivä"}},
     ["column Päivä", "row 3", "'31.02.2024'", "1 more row"]),
    ("accounts_bad_bool.csv", "accounts", {},
     ["column protected", "row 3", "'maybe'", "values: {protected:"]),
    ("accounts_cp1252_declared_utf8.csv", "accounts", {"encoding": "utf-8"},
     ["accounts_cp1252_declared_utf8.csv", "row 3", "not valid utf-8", "encoding"]),
    ("interactions_unclosed_quote.csv", "interactions", {},
     ["interactions_unclosed_quote.csv", "row 3", "never closed"]),
    ("leads_duplicate_id.csv", "leads", {}, ["column lead_id", "row 4", "'L1'", "row 2"]),
    ("interactions_wrong_mapping.csv", "interactions", {"columns": {"ts": "Aikaleima"}},
     ["interactions_wrong_mapping.csv", "'Aikaleima'", "'Aika'", "columns: {ts:"]),
    ("team_duplicate_member.csv", "team", {}, ["column member", "row 4", "'Anna'"]),
    ("interactions_mixed_day_month.csv", "interactions", {},
     ["column ts", "row 3", "'01/13/2024 10:00'"]),
    ("not_gzip.csv.gz", "accounts", {}, ["not_gzip.csv.gz", "gzip"]),
    # the quoted value with a line break makes line 4 the spreadsheet's row 3
    ("interactions_multiline_bad_ts.csv", "interactions", {},
     ["column ts", "row 3", "'2024-13-02 10:00'"]),
    ("surveys_negative_score.csv", "surveys", {}, ["column score", "row 3", "negative"]),
]

# (folder in tests/data/bad, data.tables, substrings)
BAD_FOLDERS: list[tuple[str, dict[str, Any], list[str]]] = [
    ("accounts_only", {},
     ["accounts_only", "no contact log (interactions) and no invoices with rows",
      "it has: accounts.csv, invoices.csv", "data.tables.interactions"]),
    ("all_unknown_accounts", {},
     ["interactions.csv", "column account_id", "none of the account ids", "A0001"]),
    ("two_accounts_files", {}, ["several files could be accounts", "accounts.tsv"]),
    ("duplicate_across_files", {"accounts": {"file": "accounts_*.csv"}},
     ["accounts_2.csv", "column account_id", "row 3", "accounts_1.csv row 2"]),
]


@pytest.mark.parametrize(("name", "table", "source", "expected"), BAD_FILES,
                         ids=[c[0] for c in BAD_FILES])
def test_bad_file_gives_clear_error(
    name: str, table: str, source: dict[str, Any], expected: list[str]
) -> None:
    with pytest.raises(InputError) as info:
        read(BAD / name, table, **source)
    message = str(info.value)
    assert info.value.file == name
    for part in expected:
        assert part in message, f"{part!r} not in {message!r}"
    assert "Fix: " in message
    assert "\n" not in message and "Traceback" not in message


@pytest.mark.parametrize(("folder", "tables", "expected"), BAD_FOLDERS,
                         ids=[c[0] for c in BAD_FOLDERS])
def test_bad_folder_gives_clear_error(
    folder: str, tables: dict[str, Any], expected: list[str]
) -> None:
    with pytest.raises(InputError) as info:
        load_portfolio(params_for(BAD / folder, tables))
    for part in expected:
        assert part in str(info.value), f"{part!r} not in {str(info.value)!r}"


def test_every_bad_file_is_covered() -> None:
    covered = {c[0] for c in BAD_FILES} | {c[0] for c in BAD_FOLDERS}
    present = {p.name for p in BAD.iterdir()}
    assert present == covered


def test_file_not_found() -> None:
    with pytest.raises(InputError, match=r"nowhere\.csv: file not found"):
        read(BAD / "nowhere.csv", "accounts")


def test_missing_data_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="data folder does not exist"):
        load_portfolio(params_for(tmp_path / "absent"))


def test_glob_matching_nothing_lists_the_folder(tmp_path: Path) -> None:
    (tmp_path / "accounts.csv").write_text("account_id,name\nA1,Alpha\n")
    with pytest.raises(InputError, match=r"no file .* matches.*it has: accounts\.csv"):
        load_portfolio(params_for(tmp_path, {"interactions": {"file": "export_*.csv"}}))


def test_ambiguous_columns(tmp_path: Path) -> None:
    f = tmp_path / "accounts.csv"
    f.write_text("Account ID,account-id,name\nA1,A1,Alpha\n")
    with pytest.raises(InputError, match="several columns could be account_id"):
        read(f, "accounts")


def test_all_bad_values_counted(tmp_path: Path) -> None:
    f = tmp_path / "invoices.csv"
    rows = "".join(f"A1,2024-01-{d:02d},{'x' if d > 3 else d}\n" for d in range(1, 11))
    f.write_text("account_id,date,amount\n" + rows)
    with pytest.raises(InputError) as info:
        read(f, "invoices")
    assert info.value.row == 5 and info.value.column == "amount"
    assert "(6 more rows like this)" in str(info.value)


def test_excel_corrupt_and_missing_sheet(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.title = "Asiakkaat"
    book.active.append(["account_id", "name"])
    book.active.append(["A1", "Alpha"])
    book.save(tmp_path / "accounts.xlsx")
    with pytest.raises(InputError, match=r"no sheet 'Customers'; its sheets are 'Asiakkaat'"):
        read(tmp_path / "accounts.xlsx", "accounts", sheet="Customers")
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes((tmp_path / "accounts.xlsx").read_bytes()[:300])
    with pytest.raises(InputError, match="truncated.xlsx: cannot be opened as an Excel workbook"):
        read(truncated, "accounts")


def test_workbook_named_csv(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.append(["account_id", "name"])
    book.save(tmp_path / "accounts.csv")
    with pytest.raises(InputError, match="Excel workbook .*not a text file.*Fix: save it as"):
        read(tmp_path / "accounts.csv", "accounts")


# --------------------------------------------------------------------------- messy corpus


def test_cp1252_semicolon_decimal_comma() -> None:
    df = read(MESSY / "invoices_cp1252_semicolon.csv", "invoices",
              columns={"account_id": "Asiakasnro", "date": "Päivämäärä", "amount": "Summa",
                       "service": "Palvelu"})
    assert df["account_id"].tolist() == ["00123", "00123", "00045", "00045", "00045"]
    assert df["amount"].tolist() == [1234.5, 1234.5, 12.5, -99.9, 1000.0]
    assert df["date"].tolist() == [pd.Timestamp(d) for d in
                                   ("2024-03-15", "2024-04-01", "2024-04-02", "2024-04-30",
                                    "2024-05-31")]
    assert df["service"].iloc[0] == "Kirjanpitö" and df["service"].iloc[2] == "Pääkäyttäjätuki"
    assert str(df["date"].dtype) == "datetime64[ns]" and df["amount"].dtype == "float64"


def test_bom_leading_zeros_and_bools() -> None:
    df = read(MESSY / "accounts_bom.csv", "accounts", columns={"owner": "Omistaja"})
    assert df["account_id"].tolist() == ["00123", "00045", "7"]
    assert df["name"].tolist() == ["Mäkelä Oy", "Åbo Ab", "Söder & Co, Ltd"]
    assert df["protected"].tolist() == [True, False, False]
    assert df["owner"].tolist() == ["Anna", "Ben", "Anna"]
    assert df["since"].iloc[0] == pd.Timestamp("2019-05-01")
    assert df["contract"].isna().all() and "contract" in df.attrs["absent"]
    assert pd.api.types.is_string_dtype(df["account_id"])


def test_tab_separated_finnish_export() -> None:
    df = read(MESSY / "interactions_tab.tsv", "interactions",
              columns={"ts": "Aikaleima", "channel": "Kanava", "direction": "Suunta",
                       "minutes": "Kesto", "subject": "Aihe"})
    assert df["account_id"].tolist() == ["00123", "00123", "00045", "7"]
    assert df["ts"].tolist() == [utc("2024-03-15 12:30"), utc("2024-03-15 13:05"),
                                 utc("2024-04-02 06:00"), utc("2024-04-03 13:45")]
    assert df["channel"].tolist() == ["email", "email", "phone", "meeting"]
    assert df["direction"].tolist() == ["in", "out", "in", "out"]
    assert df["minutes"].tolist() == [7.5, 4.0, 12.0, 30.0]
    assert df["subject"].iloc[0] == "Lasku; kysymys, kiireellinen"
    assert df["seq"].tolist() == [0, 1, 2, 3] and df["seq"].dtype == "int64"


def test_helpdesk_style_timestamps_and_synonyms() -> None:
    df = read(MESSY / "interactions_helpdesk_style.csv", "interactions",
              columns={"account_id": "customer", "ts": "Complete Timestamp",
                       "thread_id": "Case ID", "handled_by": "Resource"})
    # 14:50 in Helsinki in October is summer time, UTC+3
    assert df["ts"].iloc[0] == utc("2012-10-09 11:50:17")
    assert df["channel"].unique().tolist() == ["ticket"]
    assert df["direction"].tolist() == ["in", "out", "out"]
    assert df["thread_id"].iloc[0] == "Case 1" and df["handled_by"].iloc[2] == "Value 2"


def test_dst_nights() -> None:
    df = read(MESSY / "interactions_dst.csv", "interactions")
    assert df["ts"].tolist() == [
        utc("2024-03-31 00:30"),  # 02:30 EET
        utc("2024-03-31 01:00"),  # 03:30 does not exist: shifted forward to 04:00 EEST
        utc("2024-03-31 01:30"),  # 04:30 EEST
        utc("2024-10-27 00:30"),  # 03:30 happens twice: the first (EEST) is chosen
        utc("2024-10-27 02:30"),  # 04:30 EET
        utc("2024-10-27 01:30"),  # explicit +02:00
        utc("2024-10-27 00:30"),  # explicit Z
    ]
    assert str(df["ts"].dtype) == "datetime64[ns, UTC]"
    notes = " ".join(df.attrs["notes"])
    assert "skipped when clocks go forward" in notes and "row 3" in notes
    assert "first occurrence (summer time)" in notes and "row 5" in notes


def test_us_dates_are_detected_and_noted() -> None:
    df = read(MESSY / "interactions_us_dates.csv", "interactions")
    assert df["ts"].tolist() == [utc("2024-03-15 12:30"), utc("2024-04-01 06:05"),
                                 utc("2024-03-31 21:10")]
    assert any("month-first" in n for n in df.attrs["notes"])


def test_dayfirst_false_and_date_format(tmp_path: Path) -> None:
    f = tmp_path / "invoices.csv"
    f.write_text("account_id,date,amount\nA1,03/04/2024,1\nA1,05/06/2024,2\n")
    assert read(f, "invoices")["date"].iloc[0] == pd.Timestamp("2024-04-03")
    assert read(f, "invoices", dayfirst=False)["date"].iloc[0] == pd.Timestamp("2024-03-04")
    assert read(f, "invoices", date_format="%m/%d/%Y")["date"].iloc[1] == pd.Timestamp("2024-05-06")


def test_preamble_and_sep_hint() -> None:
    df = read(MESSY / "accounts_preamble_sep.csv", "accounts",
              columns={"account_id": "asiakas_id", "name": "nimi"})
    assert df["account_id"].tolist() == ["A1", "A2"]
    assert any("above the header skipped" in n for n in df.attrs["notes"])


def test_excel_serial_pipe_thin_space_currency() -> None:
    df = read(MESSY / "invoices_excel_serial_thin_space.csv", "invoices")
    assert df["date"].tolist() == [pd.Timestamp("2024-03-15"), pd.Timestamp("2024-04-01"),
                                   pd.Timestamp("2024-04-02")]
    assert df["amount"].tolist() == [1234.5, 1000.0, -5.0]
    assert df["cost"].iloc[:2].tolist() == [100.0, -12.5] and np.isnan(df["cost"].iloc[2])


def test_duplicates_left_out_with_note() -> None:
    df = read(MESSY / "interactions_duplicates_unknown.csv", "interactions")
    assert len(df) == 4
    assert df["seq"].tolist() == [0, 2, 3, 4]  # positions in the input, gaps where left out
    assert df.attrs["notes"] == [
        "interactions_duplicates_unknown.csv: 2 rows exactly duplicate an earlier row "
        "(e.g. row 3); left out"
    ]


def test_lead_answered_before_created() -> None:
    df = read(MESSY / "leads_early_response.csv", "leads")
    assert df["first_response_ts"].isna().tolist() == [False, True, True]
    assert df["converted"].tolist() == [True, False, False]
    assert "1 lead answered before it was created (e.g. L2)" in df.attrs["notes"][0]


def test_decimal_rules(tmp_path: Path) -> None:
    f = tmp_path / "invoices.csv"
    f.write_text('account_id;date;amount\nA1;2024-01-01;"1,250"\nA1;2024-01-02;"2,500"\n')
    df = read(f, "invoices")
    assert df["amount"].tolist() == [1.25, 2.5]  # lone separator: decimal, and said so
    assert any("decimal: \".\"" in n for n in df.attrs["notes"])
    assert read(f, "invoices", decimal=".")["amount"].tolist() == [1250.0, 2500.0]
    g = tmp_path / "mixed.csv"
    g.write_text('account_id;date;amount\nA1;2024-01-01;1,250\nA1;2024-01-02;"12,5"\n')
    assert read(g, "invoices")["amount"].tolist() == [1.25, 12.5]  # the column decides
    h = tmp_path / "strict.csv"
    h.write_text("account_id;date;amount\nA1;2024-01-01;12,5\nA1;2024-01-02;1234.5\n")
    with pytest.raises(InputError, match=r"row 3: cannot read '1234.5'"):
        read(h, "invoices", decimal=",")
    h.write_text("account_id;date;amount\nA1;2024-01-01;12\nA1;2024-01-02;12.5\n")
    with pytest.raises(InputError, match=r"row 3: cannot read '12.5'"):
        read(h, "invoices", decimal=",")
    assert read(h, "invoices", decimal=".")["amount"].tolist() == [12.0, 12.5]


def test_column_names_match_loosely_and_extras_dropped(tmp_path: Path) -> None:
    f = tmp_path / "interactions.csv"
    f.write_text(" ACCOUNT-ID ,Ts,Channel,DIRECTION,Handled By,Unused\n"
                 "A1,2024-01-02 10:00,Text message,IN,Anna,zzz\n")
    df = read(f, "interactions")
    assert df.loc[0, "account_id"] == "A1" and df.loc[0, "handled_by"] == "Anna"
    assert df.loc[0, "channel"] == "sms" and df.loc[0, "direction"] == "in"
    assert "Unused" not in df.columns
    assert list(df.columns[:4]) == ["account_id", "ts", "channel", "direction"]


def test_values_mapping(tmp_path: Path) -> None:
    f = tmp_path / "interactions.csv"
    f.write_text("account_id,ts,channel,direction,is_complaint\n"
                 "A1,2024-01-02 10:00,Posti,Lähetetty,Valitus\n"
                 "A1,2024-01-02 11:00,Posti,saapunut,\n"
                 "A1,2024-01-02 12:00,,saapunut,\n")
    df = read(f, "interactions", values={
        "direction": {"lähetetty": "out"}, "channel": {"Posti": "email", "": "other"},
        "is_complaint": {"Valitus": "yes"},
    })
    assert df["direction"].tolist() == ["out", "in", "in"]
    assert df["channel"].tolist() == ["email", "email", "other"]
    assert df["is_complaint"].tolist() == [True, False, False]


def test_encodings(tmp_path: Path) -> None:
    text = "account_id\tname\nA1\tMäkelä Oy\n"
    (tmp_path / "utf16.txt").write_bytes(text.encode("utf-16"))  # Excel's "Unicode text"
    assert read(tmp_path / "utf16.txt", "accounts")["name"].iloc[0] == "Mäkelä Oy"
    # byte 0x81 is undefined in cp1252, so this can only be latin-1
    (tmp_path / "latin1.csv").write_bytes(b"account_id,name\nA1,M\xe4kel\xe4 \x81Oy\n")
    assert read(tmp_path / "latin1.csv", "accounts")["name"].iloc[0] == "Mäkelä \x81Oy"
    (tmp_path / "cp1252.csv").write_bytes("account_id,name\nA1,Caf€ Öy\n".encode("cp1252"))
    assert read(tmp_path / "cp1252.csv", "accounts")["name"].iloc[0] == "Caf€ Öy"
    (tmp_path / "declared.csv").write_bytes("account_id,name\nA1,Öy\n".encode("latin-1"))
    assert read(tmp_path / "declared.csv", "accounts", encoding="latin-1")["name"].iloc[0] == "Öy"


def test_gzip(tmp_path: Path) -> None:
    f = tmp_path / "invoices.csv.gz"
    f.write_bytes(gzip.compress((MESSY / "invoices_cp1252_semicolon.csv").read_bytes()))
    df = read(f, "invoices", columns={"account_id": "Asiakasnro", "date": "Päivämäärä",
                                      "amount": "Summa"})
    assert df["amount"].sum() == pytest.approx(1234.5 * 2 + 12.5 - 99.9 + 1000)


def test_excel_written_by_openpyxl(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.title = "Muistiinpanot"
    ws = book.create_sheet("Tapahtumat")
    ws.append([])  # a blank first row: the header is on row 2
    ws.append(["Asiakas", "Aika", "Kanava", "Suunta", "Kesto", "Valitus"])
    ws.append([123, dt.datetime(2024, 3, 15, 14, 30), "Sähköposti", "in", 7.5, "x"])
    ws.append([123.0, dt.datetime(2024, 10, 27, 3, 30), "puhelu", "out", 12, None])
    ws.append(["00045", "15.3.2024 klo 9.00", "chat", "in", "3,5", 1])
    ws.append([None, None, None, None, None, None])
    ws.append([45, 45366.5, "sms", "out", None, 0])
    path = tmp_path / "interactions.xlsx"
    book.save(path)
    cols = {"account_id": "Asiakas", "ts": "Aika", "channel": "Kanava", "direction": "Suunta",
            "minutes": "Kesto", "is_complaint": "Valitus"}
    for sheet in ("Tapahtumat", 1):
        df = read(path, "interactions", sheet=sheet, columns=cols)
        assert df["account_id"].tolist() == ["123", "123", "00045", "45"]
        assert df["ts"].tolist() == [utc("2024-03-15 12:30"), utc("2024-10-27 00:30"),
                                     utc("2024-03-15 07:00"), utc("2024-03-15 10:00")]
        assert df["channel"].tolist() == ["email", "phone", "chat", "sms"]
        assert df["minutes"].iloc[:3].tolist() == [7.5, 12.0, 3.5]
        assert df["is_complaint"].tolist() == [True, False, True, False]
    ws.append([46, "not a time", "sms", "out", None, 0])
    book.save(path)
    with pytest.raises(InputError) as info:
        read(path, "interactions", sheet="Tapahtumat", columns=cols)
    # blank row 1, header row 2, data rows 3-5, blank row 6, rows 7 and 8
    assert (info.value.column, info.value.row) == ("Aika", 8)


def test_parquet_written_by_pandas(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    frame = pd.DataFrame({
        "account_id": [1, 2, 2],
        "ts": pd.to_datetime(["2024-03-15 14:30", "2024-10-27 03:30", "2024-01-01 00:00"]),
        "channel": ["E-mail", "call", "visit"],
        "direction": ["in", "out", "in"],
        "minutes": [5, 10, None],
    })
    frame.to_parquet(tmp_path / "naive.parquet")
    df = read(tmp_path / "naive.parquet", "interactions")
    assert df["account_id"].tolist() == ["1", "2", "2"]
    assert df["ts"].tolist() == [utc("2024-03-15 12:30"), utc("2024-10-27 00:30"),
                                 utc("2023-12-31 22:00")]
    assert df["channel"].tolist() == ["email", "phone", "visit"]
    assert df["minutes"].iloc[:2].tolist() == [5.0, 10.0] and np.isnan(df["minutes"].iloc[2])
    frame["ts"] = frame["ts"].dt.tz_localize("America/New_York")
    frame.to_parquet(tmp_path / "aware.parquet")
    df = read(tmp_path / "aware.parquet", "interactions")
    assert df["ts"].iloc[0] == utc("2024-03-15 18:30")
    (tmp_path / "bad.parquet").write_bytes(b"PAR1 but nothing else")
    with pytest.raises(InputError, match="bad.parquet: cannot be read as Parquet"):
        read(tmp_path / "bad.parquet", "interactions")


def test_parquet_missing_required_value(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    pd.DataFrame({"account_id": ["A1", "A2"], "ts": pd.to_datetime(pd.Series(["2024-01-01", None])),
                  "channel": ["email", "sms"], "direction": ["in", "out"]}
                 ).to_parquet(tmp_path / "log.parquet")
    with pytest.raises(InputError, match=r"log.parquet, column ts, row 3: ts is empty"):
        read(tmp_path / "log.parquet", "interactions")


def test_format_params_are_checked(tmp_path: Path) -> None:
    f = tmp_path / "invoices.tsv"
    f.write_text("account_id\tdate\tamount\nA1\t2024-01-01\t1\n")
    assert read(f, "invoices", delimiter="tab")["amount"].tolist() == [1.0]
    with pytest.raises(InputError, match="';;' cannot be used as the delimiter"):
        read(f, "invoices", delimiter=";;")
    with pytest.raises(InputError, match=r"column date: the date_format '%Q' is not valid"):
        read(f, "invoices", date_format="%Q")
    with pytest.raises(InputError, match=r"row 2: .*date_format.*'%d.%m.%Y' and does not match"):
        read(f, "invoices", date_format="%d.%m.%Y")
    with pytest.raises(InputError, match="unknown encoding 'klingon'"):
        read(f, "invoices", encoding="klingon")


def test_stacked_files_map_each_header(tmp_path: Path) -> None:
    (tmp_path / "accounts.csv").write_text("account_id,name\nA1,Alpha\nA2,Beta\n")
    (tmp_path / "log_a.csv").write_text("Account ID;TS;Channel;Direction;Minutes\n"
                                        "A1;2024-01-02 10:00;email;in;1,5\n")
    (tmp_path / "log_b.csv").write_text("account_id,ts,channel,direction\n"
                                        "A2,2024-01-03 10:00,sms,out\n"
                                        "A2,2024-01-03 10:00,sms,bogus\n")
    params = params_for(tmp_path, {"interactions": {"file": "log_*.csv"}})
    with pytest.raises(InputError) as info:
        load_portfolio(params)
    assert (info.value.file, info.value.column, info.value.row) == ("log_b.csv", "direction", 3)
    (tmp_path / "log_b.csv").write_text("account_id,ts,channel,direction\n"
                                        "A2,2024-01-03 10:00,sms,out\n")
    p = load_portfolio(params)
    assert p.interactions["minutes"].tolist()[0] == 1.5 and np.isnan(p.interactions["minutes"][1])
    assert p.interactions["account_id"].tolist() == ["A1", "A2"]
    assert "minutes" not in p.interactions.attrs["absent"]


def test_single_column_team_file(tmp_path: Path) -> None:
    f = tmp_path / "team.csv"
    f.write_text("Member\nAnna\nBen\n")
    df = read(f, "team")
    assert df["member"].tolist() == ["Anna", "Ben"] and df["hours_per_week"].isna().all()


def test_float_ids_and_blank_lines(tmp_path: Path) -> None:
    f = tmp_path / "accounts.csv"
    f.write_text("\n\naccount_id,name\n123.0,Alpha\n\n,\n0042,\n")
    df = read(f, "accounts")
    assert df["account_id"].tolist() == ["123", "0042"]
    assert df["name"].tolist() == ["Alpha", "0042"]  # an account without a name: its id
    assert any("without a name" in n for n in df.attrs["notes"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cents=st.lists(st.integers(-10**11, 10**11), min_size=1, max_size=15),
    group=st.sampled_from([" ", "\u00a0", "\u202f", "\u2009", ".", ""]),
    comma_decimal=st.booleans(),
)
def test_formatted_numbers_round_trip(cents: list[int], group: str, comma_decimal: bool) -> None:
    def fmt(c: int) -> str:
        whole, frac = divmod(abs(c), 100)
        grouped = f"{whole:,}".replace(",", group)
        sep = ","
        if not comma_decimal:
            grouped, sep = grouped.replace(".", ","), "."
        return ("-" if c < 0 else "") + grouped + sep + f"{frac:02d}"

    body = "".join(f"A1;2024-01-01;{fmt(c)}\n" for c in cents)
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "invoices.csv"
        f.write_text("account_id;date;amount\n" + body, encoding="utf-8")
        df = read(f, "invoices")
    assert df["amount"].tolist() == pytest.approx([c / 100 for c in cents])


# --------------------------------------------------------------------------- portfolio


def make_messy_portfolio(folder: Path) -> Params:
    shutil.copy(MESSY / "accounts_bom.csv", folder / "Accounts.CSV")
    (folder / "export_2.csv").write_text(
        "account_id,ts,channel,direction\n"
        "00123,2024-02-01 10:00,email,in\n"
        "00999,2024-02-01 11:00,email,in\n"       # unknown account
        "00123,2024-02-02 09:00,phone,out\n")
    (folder / "export_1.csv").write_text(
        "account_id,ts,channel,direction\n"
        "00045,2024-01-05 10:00,email,in\n"
        "00123,2024-02-01 10:00,email,in\n"       # exported again in export_2.csv
        "01000,2024-01-07 10:00,sms,in\n")        # unknown account
    shutil.copy(MESSY / "invoices_cp1252_semicolon.csv", folder / "laskut.csv")
    shutil.copy(MESSY / "leads_early_response.csv", folder / "leads.csv")
    return params_for(folder, {
        "accounts": {"columns": {"owner": "Omistaja"}},
        "interactions": {"file": "export_*.csv"},
        "invoices": {"file": "laskut.csv",
                     "columns": {"account_id": "Asiakasnro", "date": "Päivämäärä",
                                 "amount": "Summa", "service": "Palvelu"}},
    })


def test_messy_portfolio(tmp_path: Path) -> None:
    params = make_messy_portfolio(tmp_path)
    before = digest_tree(tmp_path)
    p = load_portfolio(params)
    assert digest_tree(tmp_path) == before
    assert p.accounts["account_id"].tolist() == ["00123", "00045", "7"]
    # stacked in name order, seq across files, duplicate and unknown accounts left out
    assert p.interactions["account_id"].tolist() == ["00045", "00123", "00123"]
    assert p.interactions["seq"].tolist() == [0, 1, 5]
    assert p.invoices is not None and len(p.invoices) == 5
    assert p.surveys is None and p.team is None
    assert p.leads is not None and p.leads["first_response_ts"].isna().sum() == 2
    assert p.notes == [
        "export_2.csv: 1 row exactly duplicates an earlier row (e.g. row 2); left out",
        "interactions (export_1.csv, export_2.csv): 2 rows name account ids not in accounts "
        "(e.g. 01000, 00999); left out",
        "leads.csv: 1 lead answered before it was created (e.g. L2); first_response_ts set "
        "missing",
    ]
    names = [(s.table, s.path.name, s.rows) for s in p.sources]
    assert names == [("accounts", "Accounts.CSV", 3), ("interactions", "export_1.csv", 3),
                     ("interactions", "export_2.csv", 3), ("invoices", "laskut.csv", 5),
                     ("leads", "leads.csv", 3)]
    for s in p.sources:
        assert s.sha256 == hashlib.sha256(s.path.read_bytes()).hexdigest()
    assert p.checksums["invoices:laskut.csv"] == p.sources[3].sha256
    assert p.interactions.index.equals(pd.RangeIndex(len(p.interactions)))


def test_unknown_accounts_note_names_one_file(tmp_path: Path) -> None:
    (tmp_path / "accounts.csv").write_text("account_id,name\nA0001,Alpha\n")
    (tmp_path / "interactions.csv").write_text(
        "account_id,ts,channel,direction\nA0001,2024-01-02 10:00,email,in\n"
        + "".join(f"A{999 + i:04d},2024-01-02 10:00,email,in\n" for i in range(12)))
    p = load_portfolio(params_for(tmp_path))
    assert p.notes == ["interactions.csv: 12 rows name account ids not in accounts "
                       "(e.g. A0999, A1000); left out"]


def test_corpus_files_are_never_modified() -> None:
    before = digest_tree(DATA)
    for name, table, source, _ in BAD_FILES:
        with pytest.raises(InputError):
            read(BAD / name, table, **source)
    for path in MESSY.iterdir():
        with contextlib.suppress(InputError):  # some need a mapping; reading is what matters
            read(path, path.name.split("_")[0], dayfirst=True)
    assert digest_tree(DATA) == before


# --------------------------------------------------------------------------- real data


def test_sample_portfolio_loads() -> None:
    params = load_params("params/default.yaml")
    if not (params.data.path / "accounts.csv").exists():
        pytest.skip("data/sample is not generated yet")
    start = time.perf_counter()
    p = load_portfolio(params)
    elapsed = time.perf_counter() - start
    assert len(p.accounts) > 0 and len(p.interactions) > 0
    assert str(p.interactions["ts"].dtype) == "datetime64[ns, UTC]"
    assert p.interactions["seq"].is_unique
    assert set(p.interactions["direction"].unique()) <= {"in", "out"}
    assert p.interactions["account_id"].isin(p.accounts["account_id"]).all()
    # not a benchmark: a guard against per-row Python creeping in (it takes ~0.3 s)
    assert elapsed < 10, f"loading the sample took {elapsed:.1f} s"


@pytest.mark.real
def test_real_helpdesk_log(tmp_path: Path) -> None:
    source = REAL / "helpdesk_tickets.csv.gz"
    if not source.exists():
        pytest.skip(f"{source} not present")
    log = pd.read_csv(source, dtype=str, keep_default_na=False)
    log["channel"] = "ticket"
    # the ticket's first event is the customer's; the rest are the help desk's work
    log["direction"] = np.where(log["Case ID"].duplicated(), "out", "in")
    derived = tmp_path / "helpdesk.csv"
    log.to_csv(derived, index=False)
    df = read(derived, "interactions",
              columns={"account_id": "customer", "ts": "Complete Timestamp",
                       "thread_id": "Case ID", "handled_by": "Resource"})
    assert len(df) == 21348 - int(log.duplicated(subset=[
        "customer", "Complete Timestamp", "Case ID", "Resource", "channel", "direction"]).sum())
    assert df["ts"].notna().all() and str(df["ts"].dtype) == "datetime64[ns, UTC]"
    assert df["ts"].min() >= utc("2009-12-31") and df["ts"].max() <= utc("2015-01-01")
    assert df["account_id"].nunique() == 397 and df["thread_id"].nunique() == 4580
    # the file's own text survives unchanged
    first = log.iloc[0]
    assert df["thread_id"].iloc[0] == first["Case ID"]
    local = df["ts"].iloc[0].tz_convert(TZ).strftime("%Y/%m/%d %H:%M:%S.000")
    assert local == first["Complete Timestamp"]


@pytest.mark.real
def test_real_helpdesk_gz_directly() -> None:
    source = REAL / "helpdesk_tickets.csv.gz"
    if not source.exists():
        pytest.skip(f"{source} not present")
    with pytest.raises(InputError, match="no column for channel"):
        read(source, "interactions", columns={"account_id": "customer",
                                              "ts": "Complete Timestamp"})


def test_invoices_without_contact_log(tmp_path: Path) -> None:
    """Accounts + invoices is a whole input: the contact log is empty, never refused."""
    (tmp_path / "accounts.csv").write_text("account_id,name\nA1,Alpha\nA2,Beta\n")
    (tmp_path / "invoices.csv").write_text("account_id,date,amount\nA1,2024-01-31,100\n"
                                           "A2,2024-02-29,50\n")
    (tmp_path / "surveys.csv").write_text("account_id,date,score\n")
    portfolio = load_portfolio(params_for(tmp_path))
    assert len(portfolio.interactions) == 0
    assert str(portfolio.interactions["ts"].dtype) == "datetime64[ns, UTC]"
    assert "seq" in portfolio.interactions
    assert portfolio.surveys is None
    assert any("surveys.csv has a header but no rows" in n for n in portfolio.notes)


def test_rows_without_account_are_unattributed(tmp_path: Path) -> None:
    """A shop's cash sales name no customer: left out with a note; all empty is a mapping error."""
    (tmp_path / "accounts.csv").write_text("account_id,name\nA0001,Alpha\nA0002,Beta\n")
    shutil.copy(MESSY / "interactions_missing_account.csv", tmp_path / "interactions.csv")
    portfolio = load_portfolio(params_for(tmp_path))
    assert list(portfolio.interactions["account_id"]) == ["A0001", "A0002"]
    assert any("2 rows without an account id (e.g. row 4) left out" in n for n in portfolio.notes)
    (tmp_path / "interactions.csv").write_text("account_id,ts,channel,direction\n,2024-01-02,email,in\n")
    with pytest.raises(InputError, match=r"interactions.csv, column account_id, row 2: "
                       r"account_id is empty in every row"):
        load_portfolio(params_for(tmp_path))


# --------------------------------------------------------------------------- params-made columns


def test_line_items_derive_amount_and_credits(tmp_path: Path) -> None:
    """Quantity x unit price in Finnish number style; returns and C-numbered cancellations are credits."""
    (tmp_path / "laskurivit.csv").write_text(
        "Asiakas;Päivä;Lasku;Määrä;Yksikköhinta\n"
        "A1;2.1.2024;1001;3;12,50\n"
        "A1;2.1.2024;1001;-1;12,50\n"     # a returned item on the same invoice
        "A2;5.1.2024;C1002;2;10,00\n"     # a cancellation whose export kept the quantity positive
        ";6.1.2024;1003;1;5,00\n",         # a cash sale: no customer
        encoding="cp1252")
    (tmp_path / "accounts.csv").write_text("account_id,name\nA1,Alpha\nA2,Beta\n")
    tables = {"invoices": {"file": "laskurivit.csv",
                           "columns": {"account_id": "Asiakas", "date": "Päivä", "invoice_id": "Lasku"},
                           "derive": {"amount": "Määrä * Yksikköhinta"}, "credits": {"invoice_id": "^C"}}}
    portfolio = load_portfolio(params_for(tmp_path, tables))
    inv = portfolio.invoices
    assert list(inv["amount"]) == [37.5, -12.5, -20.0]
    notes = " | ".join(portfolio.notes)
    assert "1 row (invoice_id matching '^C') read as credits" in notes
    assert "1 had a positive amount and count negative" in notes
    assert "1 row without an account id (e.g. row 5) left out" in notes


def test_derive_names_the_column_it_cannot_find(tmp_path: Path) -> None:
    (tmp_path / "inv.csv").write_text("account_id,date,Quantity,UnitPrice\nA1,2024-01-02,2,3\n")
    with pytest.raises(InputError) as info:
        read(tmp_path / "inv.csv", "invoices", derive={"amount": "Qantity * UnitPrice"})
    message = str(info.value)
    assert "the params name the column 'Qantity'" in message and "did you mean 'Quantity'" in message
    assert "derive: {amount: Qantity * UnitPrice}" in message
    with pytest.raises(ValueError, match="not '<column> <op> <column or number>'"):
        TableSource(derive={"amount": "Quantity*UnitPrice"})


def test_unit_price_mapped_as_amount_is_named(tmp_path: Path) -> None:
    (tmp_path / "inv.csv").write_text("account_id,date,Qty,Price\nA1,2024-01-02,2,3\n")
    with pytest.raises(InputError, match=r"no column for amount.*derive: \{amount: Qty \* <unit price"):
        read(tmp_path / "inv.csv", "invoices")
    frame = read(tmp_path / "inv.csv", "invoices", columns={"amount": "Price"})
    assert "set `derive: {amount: Qty * Price}`" in " ".join(frame.attrs["notes"])


def test_online_retail_through_the_line_item_template() -> None:
    """The real file read as it is, through params/templates/line-items.yaml: the totals of
    quantity x unit price over the lines that name a customer, cancellations as credits."""
    path = REAL / "online_retail.csv.gz"
    if not path.is_file():
        pytest.skip("../shared/data/real/online_retail.csv.gz is not here")
    params = load_params(repo_root() / "params/templates/line-items.yaml", data_dir=str(REAL))
    portfolio = load_portfolio(params)
    raw = pd.read_csv(path, dtype={"InvoiceNo": str, "CustomerID": str})
    named = raw[raw["CustomerID"].notna()]
    expected = named["Quantity"] * named["UnitPrice"]
    inv = portfolio.invoices
    assert len(inv) == len(named) and len(portfolio.accounts) == named["CustomerID"].nunique()
    assert inv["amount"].sum() == pytest.approx(expected.sum(), abs=0.01)  # 8 300 065.81
    cancelled = named["InvoiceNo"].str.startswith("C").to_numpy()
    assert (inv["amount"].to_numpy()[cancelled] <= 0).all()
    assert inv.loc[~cancelled, "amount"].sum() == pytest.approx(expected[~cancelled].sum(), abs=0.01)
    assert len(portfolio.interactions) == 0


def test_helpdesk_event_log_through_the_ticket_template() -> None:
    """One contact per ticket opening and one answer per resolution, not one per status update."""
    path = REAL / "helpdesk_tickets.csv.gz"
    if not path.is_file():
        pytest.skip("../shared/data/real/helpdesk_tickets.csv.gz is not here")
    params = load_params(repo_root() / "params/templates/ticket-log.yaml", data_dir=str(REAL))
    portfolio = load_portfolio(params)
    raw = pd.read_csv(path)
    log = portfolio.interactions
    assert (log["direction"] == "in").sum() == raw["Case ID"].nunique()
    resolved = set(raw[raw["Activity"] == "Resolve ticket"]["Case ID"])
    # A ticket whose log starts at its resolution was still opened by the customer: one inbound.
    opened_resolved = set(raw.groupby("Case ID")["Activity"].first().loc[lambda a: a == "Resolve ticket"].index)
    assert (log["direction"] == "out").sum() == len(resolved - opened_resolved)
    assert log["thread_id"].nunique() == raw["Case ID"].nunique()
    assert set(log["channel"]) == {"ticket"}
    # The customers the contacts name (a few tickets change customer in a later status update).
    assert set(portfolio.accounts["account_id"]) == set(log["account_id"])
    assert len(portfolio.accounts) > 0.98 * raw["customer"].nunique()
    opened = log[log["direction"] == "in"].set_index("thread_id")["ts"]
    first = raw.groupby("Case ID")["Complete Timestamp"].min()
    shown = opened.dt.tz_convert("Europe/Rome").dt.strftime("%Y/%m/%d %H:%M:%S")
    assert (shown.sort_index() == first.str[:19].sort_index().to_numpy()).all()
    assert any("status updates left out" in n for n in portfolio.notes)


def test_event_log_rules_explain_what_is_missing(tmp_path: Path) -> None:
    (tmp_path / "log.csv").write_text("account_id,ts,Event\nA1,2024-01-02 10:00,Opened\n")
    plain = read(tmp_path / "log.csv", "interactions", constants={"channel": "ticket", "direction": "in"})
    assert "log.csv has a column 'Event': if each row is a status update" in plain.attrs["notes"][0]
    with pytest.raises(InputError, match="per_thread needs the thread"):
        read(tmp_path / "log.csv", "interactions", constants={"channel": "ticket"},
             contacts={"per_thread": True})
    with pytest.raises(InputError, match=r"none of the events 'Resolved' occurs in the column "
                       r"'Event'; it holds e.g. 'opened'"):
        read(tmp_path / "log.csv", "interactions", constants={"channel": "ticket"},
             contacts={"event": "Event", "events": {"Resolved": "out"}})


def test_accounts_from_a_log(tmp_path: Path) -> None:
    (tmp_path / "interactions.csv").write_text(
        "account_id,ts,channel,direction\nB2,2024-01-02 10:00,email,in\nA1,2024-01-03 10:00,phone,out\n")
    params = Params.model_validate({"data": {"dir": str(tmp_path), "accounts_from": "interactions"}})
    portfolio = load_portfolio(params)
    assert list(portfolio.accounts["account_id"]) == ["A1", "B2"]
    assert list(portfolio.accounts["name"]) == ["A1", "B2"]
    assert any("the 2 accounts are the distinct account ids" in n for n in portfolio.notes)
    (tmp_path / "accounts.csv").write_text("account_id,name\nA1,Alpha\n")
    with pytest.raises(InputError, match="accounts_from is interactions but the folder has an accounts file"):
        load_portfolio(params)


# --------------------------------------------------------------------------- header rows


def test_header_row_option_for_csv_and_excel(tmp_path: Path) -> None:
    text = "Asiakasrekisteri 30.6.2026\nViety: 1.7.2026\n\nid,nimi\nA1,Alpha\n"
    (tmp_path / "a.csv").write_text(text)
    frame = read(tmp_path / "a.csv", "accounts", header_row=4, columns={"account_id": "id", "name": "nimi"})
    assert list(frame["account_id"]) == ["A1"]
    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    for row in (["Asiakasrekisteri 30.6.2026"], [None], ["Asiakasnumero", "Nimi"], ["00123", "Alpha"],
                ["00124", "Beta"]):
        sheet.append(row)
    book.save(tmp_path / "a.xlsx")
    mapping = {"account_id": "Asiakasnumero", "name": "Nimi"}
    frame = read(tmp_path / "a.xlsx", "accounts", columns=mapping)
    assert list(frame["account_id"]) == ["00123", "00124"]
    assert "1 title row above the header skipped ('Asiakasrekisteri 30.6.2026'); the header is row 3" \
        in frame.attrs["notes"][0]
    assert list(read(tmp_path / "a.xlsx", "accounts", columns=mapping, header_row=3)["name"]) == \
        ["Alpha", "Beta"]
    with pytest.raises(InputError, match="no column for account_id"):
        read(tmp_path / "a.xlsx", "accounts", header_row=4)


def test_leading_zeros_lost_in_one_file(tmp_path: Path) -> None:
    """Excel turned 00123 into 123 in the invoices; the accounts kept the zeros."""
    (tmp_path / "accounts.csv").write_text("account_id,name\n00123,Alpha\n00124,Beta\n0125,Gamma\n125,Delta\n")
    (tmp_path / "invoices.csv").write_text(
        "account_id,date,amount\n123,2024-01-02,10\n124,2024-01-03,20\n00124,2024-01-04,5\n")
    portfolio = load_portfolio(params_for(tmp_path))
    assert list(portfolio.invoices["account_id"]) == ["00123", "00124", "00124"]
    assert any("2 rows name account ids that differ from accounts only in leading zeros (e.g. '123' = "
               "'00123')" in n for n in portfolio.notes)
    # 0125 and 125 are both accounts: "00125" matches neither with certainty, so it stays unknown.
    (tmp_path / "invoices.csv").write_text("account_id,date,amount\n00125,2024-01-02,10\n")
    with pytest.raises(InputError, match="none of the account ids in invoices match accounts"):
        load_portfolio(params_for(tmp_path))


def test_dates_a_log_cannot_have(tmp_path: Path) -> None:
    """2099 (a typo) never becomes the analysis date; 1979 (a reset clock) never starts a tenure."""
    (tmp_path / "accounts.csv").write_text("account_id,name\nA1,Alpha\n")
    rows = [f"A1,2026-0{m}-1{d} 10:00,email,in" for m in range(1, 10) for d in range(10)]
    (tmp_path / "interactions.csv").write_text(
        "account_id,ts,channel,direction\n" + "\n".join(rows[:50] + ["A1,2099-03-05 10:00,email,in"]
                                                        + rows[50:] + ["A1,1979-12-31 23:00,email,in"]) + "\n")
    portfolio = load_portfolio(params_for(tmp_path))
    assert len(portfolio.interactions) == 90
    assert portfolio.interactions["ts"].max() < utc("2027-01-01")
    notes = " | ".join(portfolio.notes)
    assert ("interactions.csv, column ts: 1 row dated more than a year after all the others (latest "
            "otherwise 2026-09-19: a typo or a broken clock) left out (row 52 2099-03-05)") in notes
    assert "1 row dated before 1990 (a reset clock) left out (row 93 1979-12-31)" in notes
    # A log that really stopped and started again (many rows after the gap) is left alone.
    later = [f"A1,2028-0{m}-1{d} 10:00,email,in" for m in range(1, 10) for d in range(10)]
    (tmp_path / "interactions.csv").write_text("account_id,ts,channel,direction\n" + "\n".join(rows + later) + "\n")
    assert len(load_portfolio(params_for(tmp_path)).interactions) == 180


def test_inputs_changed_during_a_run_are_named(tmp_path: Path) -> None:
    """The run record says when a file changed after it was read (a live mailbox, an export
    overwritten meanwhile): the report shows what the file held when it was read."""
    for name in ("accounts.csv", "interactions.csv"):
        shutil.copy(repo_root() / "data/sample" / name, tmp_path / name)
    portfolio = load_portfolio(params_for(tmp_path))
    assert portfolio.changed_inputs() == []
    with (tmp_path / "interactions.csv").open("a", encoding="utf-8") as f:
        f.write("I9999999,A0001,2026-10-30T10:00:00+02:00,email,in,,,,false,,\n")
    (tmp_path / "accounts.csv").unlink()
    assert portfolio.changed_inputs() == ["accounts:accounts.csv", "interactions:interactions.csv"]
