"""Pseudonymization: keyed, consistent across tables, and nothing identifying survives."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pandas as pd
import pytest

from workbench import Params
from workbench.exceptions import WorkbenchError
from workbench.load import load_portfolio
from workbench.paths import repo_root
from workbench.privacy import Pseudonymizer, pseudonym_key, pseudonymize, scrub_text

KEY = b"0123456789abcdef0123456789abcdef"


def leaks(values: list[str], text: str) -> list[str]:
    """The values that occur in ``text`` as whole tokens: a code such as 'A485A0001C20' does
    not contain the id 'A0001'. Single-token values are looked up in the text's tokens (fast
    for thousands of ids), others searched with word boundaries."""
    tokens = set(re.split(r"[^0-9A-Za-zÀ-ÿ]+", text))
    out = []
    for v in values:
        if re.fullmatch(r"[0-9A-Za-zÀ-ÿ]+", v):
            hit = v in tokens
        else:
            hit = v in text and re.search(rf"(?<![0-9A-Za-zÀ-ÿ]){re.escape(v)}(?![0-9A-Za-zÀ-ÿ])", text) is not None
        if hit:
            out.append(v)
    return out


@pytest.fixture(scope="module")
def sample():
    return load_portfolio(Params.model_validate({"data": {"dir": str(repo_root() / "data/sample")}}))


def test_every_identifying_value_is_replaced(sample) -> None:
    out, shown = pseudonymize(sample, KEY, language="fi")
    acc, log, team = out.accounts, out.interactions, out.team
    assert acc["account_id"].str.fullmatch(r"[0-9A-F]{8}").all() and acc["account_id"].is_unique
    assert acc["name"].str.fullmatch(r"Asiakas [0-9A-F]{8}").all()
    assert acc[["contact", "email", "domain"]].isna().all().all() and log["subject"].isna().all()
    assert team["member"].str.fullmatch(r"Tiimiläinen [0-9A-F]{4}").all()
    # Joins still hold: every log row names a known account, owners and handlers are team members.
    assert log["account_id"].isin(acc["account_id"]).all()
    assert set(acc["owner"].dropna()) <= set(team["member"])
    assert set(log["handled_by"].dropna()) <= set(team["member"])
    assert log.groupby("thread_id").ngroups == sample.interactions.groupby("thread_id").ngroups
    everything = " ".join(
        df.astype(str).to_csv(index=False)
        for df in (acc, log, out.invoices, out.surveys, out.leads, team)) + " ".join(out.notes)
    originals = [*sample.accounts["account_id"], *sample.accounts["name"], *sample.team["member"],
                 *sample.accounts["email"].dropna(), *sample.accounts["domain"].dropna(),
                 *sample.accounts["contact"].dropna(), *sample.invoices["invoice_id"]]
    assert leaks(originals, everything) == []
    assert shown["A0001"] == acc["account_id"].iloc[0]


def test_codes_follow_the_key_not_the_run(sample) -> None:
    a, _ = pseudonymize(sample, KEY, language="en")
    b, _ = pseudonymize(sample, KEY, language="en")
    c, _ = pseudonymize(sample, KEY[::-1], language="en")
    assert a.accounts["account_id"].equals(b.accounts["account_id"])
    assert not set(a.accounts["account_id"]) & set(c.accounts["account_id"])
    assert a.accounts["name"].str.startswith("Customer ").all()


def test_colliding_codes_are_lengthened() -> None:
    p = Pseudonymizer(KEY)
    values = [f"A{i:06d}" for i in range(200_000)]  # 8 hex digits: a collision is near certain here
    codes = p.codes(values)
    assert len(set(codes.values())) == len(values)
    assert {len(c) for c in codes.values()} == {12}


def test_key_file_is_made_once_and_private(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "pseudonym.key"
    key, made = pseudonym_key(path)
    again, made_again = pseudonym_key(path)
    assert made and not made_again and key == again and len(key) == 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.write_bytes(b"short\n")
    with pytest.raises(WorkbenchError, match="shorter than 16 bytes"):
        pseudonym_key(path)


def test_notes_are_scrubbed() -> None:
    accounts = pd.DataFrame({"account_id": ["A0001", "A0002"], "name": ["Kone Oy", "Sähkö Ky"],
                             "email": ["info@kone.fi", None]})
    log = pd.DataFrame({"account_id": ["A0001"], "handled_by": ["Anna Aho"]})
    from workbench.portfolio import Portfolio
    portfolio = Portfolio(accounts=accounts, interactions=log,
                          notes=["interactions.csv: 2 rows name account ids not in accounts (e.g. A0001, "
                                 "Kone Oy); Anna Aho answered info@kone.fi"])
    out, shown = pseudonymize(portfolio, KEY, language="en")
    note = out.notes[0]
    assert "A0001" not in note and "Kone Oy" not in note and "Anna Aho" not in note and "kone.fi" not in note
    assert shown["A0001"] in note and "Team member" in note and "(removed)" in note
    assert scrub_text("no names here", shown) == "no names here"


@pytest.mark.slow
def test_pseudonymized_report_carries_nothing_of_the_inputs(tmp_path: Path) -> None:
    """Every output of a pseudonymized sample run -- notebooks, HTML, CSV, Excel, calendar,
    statements, summary, log -- scanned for every name, address, id and number of the inputs."""
    import zipfile

    from workbench.run import run_report

    params = tmp_path / "share.yaml"
    params.write_text(f"client: {{name: Sample}}\nreport: {{pseudonym_key: {tmp_path / 'key'}}}\n", encoding="utf-8")
    result = run_report(params, out_dir=str(tmp_path / "reports"), pseudonymize=True, progress=lambda _: None)
    sample = repo_root() / "data/sample"
    accounts = pd.read_csv(sample / "accounts.csv", dtype=str)
    log = pd.read_csv(sample / "interactions.csv", dtype=str)
    team = pd.read_csv(sample / "team.csv", dtype=str)
    originals = sorted({
        *accounts["account_id"], *accounts["name"], *accounts["owner"].dropna(), *accounts["email"].dropna(),
        *accounts["domain"].dropna(), *accounts["contact"].dropna(), *team["member"],
        *log["handled_by"].dropna(), *log["subject"].dropna().drop_duplicates().head(300),
        *pd.read_csv(sample / "invoices.csv", dtype=str)["invoice_id"],
        *pd.read_csv(sample / "leads.csv", dtype=str)["lead_id"],
        *log["interaction_id"].head(2000), *log["thread_id"].dropna().head(2000),
    })
    texts = {}
    for path in sorted(result.run_dir.rglob("*")):
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                texts[path.name] = " ".join(book.read(n).decode("utf-8") for n in book.namelist()
                                            if n.endswith(".xml"))
        elif path.is_file():
            texts[path.name] = path.read_text(encoding="utf-8")
    assert {"accounts.csv", "summary.json", "run.log", "plan.xlsx", "plan.ics", "03_communication_plan.html"} <= set(texts)
    found = {name: leaks(originals, text) for name, text in texts.items()}
    assert {name: hits[:5] for name, hits in found.items() if hits} == {}


def test_team_email_is_read_and_cleared_when_pseudonymized(tmp_path: Path) -> None:
    """The team table's e-mail (the calendars' attendee) is read, and never leaves a
    pseudonymized portfolio."""
    import shutil

    data = tmp_path / "data"
    shutil.copytree(repo_root() / "data/sample", data)
    team = pd.read_csv(data / "team.csv", dtype=str)
    team["email"] = [f"member{i}@acme.example" for i in range(len(team))]
    team.to_csv(data / "team.csv", index=False)
    portfolio = load_portfolio(Params.model_validate({"data": {"dir": str(data)}}))
    assert portfolio.team["email"].tolist() == team["email"].tolist()
    out, _shown = pseudonymize(portfolio, KEY, language="en")
    assert out.team["email"].isna().all()
