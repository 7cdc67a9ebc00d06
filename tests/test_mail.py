"""Tests of workbench.mail: an e-mail export (mbox / Maildir) as the interactions table.

Every mailbox is built here, in tmp_path, with the standard library (mailbox, email);
messy messages that a well-behaved library would refuse to write (undated, undeclared
8-bit headers, iso-8859-1 encoded words) are written as raw bytes. Only reserved
``.example`` domains and made-up names appear; free mail is played by ``vapaa.example``
(added to the free-mail list for the test) so no real address is ever written.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import mailbox
import os
import random
import shutil
import stat
import subprocess
import sys
import zoneinfo
from collections.abc import Iterable
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from workbench import mail
from workbench.exceptions import InputError, ParamsError
from workbench.load import load_portfolio
from workbench.params import Params, load_params
from workbench.paths import repo_root

OWN = "acme.example"
FREE = "vapaa.example"
BODY = "Salainen sisältö: henkilötunnus 010101-123X"  # must never leave the mailbox
CLI = [sys.executable, "-m", "workbench.cli"]

ACCOUNTS = (
    "account_id,name,domain,email\n"
    "K1,Kone Oy,kone.example,\n"
    "S1,Sähkö Ky,https://www.Sahko.example/yhteystiedot,\n"
    f"L1,Liisa Laine (toiminimi),{FREE},liisa.laine@{FREE}\n"
    "R1,Rakennus Oy,rakennus.example,\n"
    "R2,Rakennus Kiinteistöt Oy,rakennus.example,Kiinteistot@Rakennus.example\n"
    "P1,Puutarha Äijälä,,\n"
)


@pytest.fixture(autouse=True)
def free_mail(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mail, "FREE_MAIL_DOMAINS", mail.FREE_MAIL_DOMAINS | {FREE})


def message(
    frm: str, to: str, date: str | None, subject: str, mid: str | None, *,
    cc: str | None = None, refs: str | None = None, reply: str | None = None,
    **headers: str,
) -> EmailMessage:
    m = EmailMessage()
    m["From"] = frm
    m["To"] = to
    if cc:
        m["Cc"] = cc
    if date:
        m["Date"] = date
    m["Subject"] = subject
    if mid:
        m["Message-ID"] = mid
    if refs:
        m["References"] = refs
    if reply:
        m["In-Reply-To"] = reply
    for name, value in headers.items():
        m[name.replace("_", "-")] = value
    m.set_content(BODY)
    return m


def raw(*headers: str) -> bytes:
    """A message as bytes, exactly as written (for what EmailMessage would repair)."""
    return ("\n".join(headers) + "\n\n" + BODY + "\n").encode("utf-8")


def write_mbox(path: Path, messages: Iterable[EmailMessage | bytes]) -> Path:
    box = mailbox.mbox(path)
    for m in messages:
        box.add(m)
    box.close()
    return path


def folder(tmp_path: Path, accounts: str = ACCOUNTS) -> Path:
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    (data / "accounts.csv").write_text(accounts, encoding="utf-8")
    return data


def params(data: Path, tables: dict[str, Any] | None = None, **client: Any) -> Params:
    client = {"domains": [OWN], **client}
    return Params.model_validate({"client": client,
                                  "data": {"dir": str(data), "tables": tables or {}}})


def rows(p: Any, *cols: str) -> list[tuple[Any, ...]]:
    cols = cols or ("account_id", "ts", "direction", "thread_id", "handled_by")
    return [tuple(None if pd.isna(v) else v for v in r)
            for r in p.interactions[list(cols)].itertuples(index=False)]


def mail_notes(p: Any) -> list[str]:
    """The notes about the mail (ACCOUNTS gives one about its free-mail domain)."""
    return [n for n in p.notes if not n.startswith("accounts.csv: 1 account has a free-mail")]


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


# --------------------------------------------------------------------------- rows


def chain() -> list[EmailMessage | bytes]:
    """A reply chain across the autumn DST change, with messy headers."""
    return [
        # 03:30 summer time (+03:00), half an hour before clocks go back; encoded headers.
        raw("From: =?utf-8?q?Virtanen=2C_Matti?= <Matti.Virtanen@MAIL.Kone.Example>",
            "To: Anna Ahonen <anna.ahonen@acme.example>",
            "Date: Sun, 27 Oct 2024 03:30:00 +0300",
            "Subject: =?iso-8859-1?q?Tarjouspyynt=F6=3A_=F6ljyn_vaihto?=",
            "Message-ID: <m1@kone.example>"),
        # 03:30 again, now winter time (+02:00): an hour later. To one account and Cc
        # another (and a colleague): one row per account.
        message("Anna Ahonen <ANNA.AHONEN@acme.example>", '"Virtanen, Matti" <matti.virtanen@kone.example>',
                "Sun, 27 Oct 2024 03:30:00 +0200", "VS: Tarjouspyyntö: öljyn vaihto", "<m2@acme.example>",
                cc="Pekka Puro <PEKKA@sahko.example>, olli@acme.example, Matti <matti.virtanen@kone.example>",
                refs="<m1@kone.example>", reply="<m1@kone.example>"),
        # Only In-Reply-To (no References): the thread is found through m2.
        message("Pekka Puro <pekka@sahko.example>", "anna.ahonen@acme.example",
                "Mon, 28 Oct 2024 08:15:00 +0200", "Re: VS: Tarjouspyyntö", "<m3@sahko.example>",
                cc="info@acme.example", reply="<m2@acme.example>"),
        # A new thread; the date says -0000: UTC, the sender's zone unknown.
        message("Olli Omistaja <olli@acme.example>", "matti.virtanen@kone.example",
                "Tue, 29 Oct 2024 16:45:00 -0000", "Lasku 10/2024", "<m4@acme.example>"),
    ]


def test_reply_chain_gives_exact_rows(tmp_path: Path) -> None:
    data = folder(tmp_path)
    write_mbox(data / "interactions.mbox", chain())
    p = load_portfolio(params(data))
    assert rows(p) == [
        ("K1", utc("2024-10-27 00:30"), "in", "m1@kone.example", "anna.ahonen@acme.example"),
        ("K1", utc("2024-10-27 01:30"), "out", "m1@kone.example", "anna.ahonen@acme.example"),
        ("S1", utc("2024-10-27 01:30"), "out", "m1@kone.example", "anna.ahonen@acme.example"),
        ("S1", utc("2024-10-28 06:15"), "in", "m1@kone.example", "anna.ahonen@acme.example"),
        ("K1", utc("2024-10-29 16:45"), "out", "m4@acme.example", "olli@acme.example"),
    ]
    log = p.interactions
    assert log["subject"].tolist()[:2] == ["Tarjouspyyntö: öljyn vaihto", "VS: Tarjouspyyntö: öljyn vaihto"]
    assert log["interaction_id"].tolist() == ["m1@kone.example", "m2@acme.example", "m2@acme.example",
                                              "m3@sahko.example", "m4@acme.example"]
    assert set(log["channel"]) == {"email"} and log["seq"].tolist() == [0, 1, 2, 3, 4]
    assert str(log["ts"].dtype) == "datetime64[ns, UTC]"
    assert sorted(log.attrs["absent"]) == ["is_complaint", "minutes", "sentiment"]
    assert [(s.table, s.path.name, s.rows) for s in p.sources][1:] == [("interactions", "interactions.mbox", 5)]
    assert mail_notes(p) == []
    # The bodies are never read, kept or reported.
    assert not log.astype(str).apply(lambda c: c.str.contains("Salainen")).any().any()


@pytest.mark.parametrize(("header", "expected"), [
    ("Sun, 27 Oct 2024 03:30:00 +0300", "2024-10-27 00:30"),   # last summer-time half hour
    ("Sun, 27 Oct 2024 03:30:00 +0200", "2024-10-27 01:30"),   # the same wall time, winter
    ("Sun, 31 Mar 2024 02:59:00 +0200", "2024-03-31 00:59"),   # before clocks go forward
    ("Sun, 31 Mar 2024 04:01:00 +0300", "2024-03-31 01:01"),   # after
    ("Fri, 15 Mar 2024 09:00:00 -0500", "2024-03-15 14:00"),
    ("Fri, 15 Mar 2024 09:00:00 +0530", "2024-03-15 03:30"),
    ("15 Mar 2024 09:00:00 GMT", "2024-03-15 09:00"),           # no weekday
    ("Fri, 15 Mar 24 09:00 EST", "2024-03-15 14:00"),           # two-digit year, named zone
    ("2024-03-15T09:00:00+02:00", "2024-03-15 07:00"),          # ISO from a script
])
def test_date_offsets_become_utc(tmp_path: Path, header: str, expected: str) -> None:
    data = folder(tmp_path)
    write_mbox(data / "interactions.mbox", [
        raw("From: pekka@sahko.example", "To: anna.ahonen@acme.example", f"Date: {header}",
            "Subject: x", "Message-ID: <d@sahko.example>")])
    assert load_portfolio(params(data)).interactions["ts"].tolist() == [utc(expected)]


def test_subject_is_the_thread_only_when_nothing_else_is(tmp_path: Path) -> None:
    data = folder(tmp_path)
    write_mbox(data / "interactions.mbox", [
        message("pekka@sahko.example", "anna.ahonen@acme.example", "Mon, 3 Mar 2025 09:00:00 +0200",
                "Tarjous", None),
        message("anna.ahonen@acme.example", "pekka@sahko.example", "Mon, 3 Mar 2025 10:00:00 +0200",
                "VS: Tarjous", None),
        message("pekka@sahko.example", "anna.ahonen@acme.example", "Mon, 3 Mar 2025 11:00:00 +0200",
                "Re: Tarjous", "<x@sahko.example>"),  # has its own Message-ID: that wins
    ])
    log = load_portfolio(params(data)).interactions
    assert log["thread_id"].tolist() == ["subject:tarjous", "subject:tarjous", "x@sahko.example"]


# --------------------------------------------------------------------------- messy headers


def test_encoded_8bit_and_finnish_headers(tmp_path: Path) -> None:
    data = folder(tmp_path)
    undeclared = (b"From: =?iso-8859-1?q?=C4ij=E4l=E4=2C_P=E4ivi?= <PAIVI@puutarha.example>\n"
                  b"To: anna.ahonen@acme.example\nDate: Mon, 3 Mar 2025 09:00:00 +0200\n"
                  b"Subject: Py\xf6r\xe4t ja \xe5ngstr\xf6m\nMessage-ID: <p1@puutarha.example>\n\nx\n")
    accounts = ACCOUNTS.replace("P1,Puutarha Äijälä,,", "P1,Puutarha Äijälä,puutarha.example,")
    data = folder(tmp_path, accounts)
    write_mbox(data / "interactions.mbox", [
        undeclared,  # raw cp1252 bytes in Subject: an old mail program
        raw("From: =?UTF-8?B?U8OkaGvDtiBTZXBwbw==?= <pekka@sahko.example>",
            "To: anna.ahonen@acme.example", "Date: Mon, 3 Mar 2025 10:00:00 +0200",
            "Subject: =?utf-8?q?S=C3=A4hk=C3=B6katko_ti_klo_8?=",
            "Message-ID: <p2@sahko.example>"),
        raw("From: pekka@sahko.example", "To: anna.ahonen@acme.example",
            "Date: Mon, 3 Mar 2025 11:00:00 +0200", "Subject: Sähkö ääkköset UTF-8:na",
            "Message-ID: <p3@sahko.example>"),
    ])
    log = load_portfolio(params(data)).interactions
    assert log["subject"].tolist() == ["Pyörät ja ångström", "Sähkökatko ti klo 8",
                                       "Sähkö ääkköset UTF-8:na"]
    assert log["account_id"].tolist() == ["P1", "S1", "S1"]


def test_undated_and_senderless_messages_are_skipped_and_named(tmp_path: Path) -> None:
    data = folder(tmp_path)
    write_mbox(data / "interactions.mbox", [
        raw("From: pekka@sahko.example", "To: anna.ahonen@acme.example",
            "Date: Mon, 3 Mar 2025 09:00:00 +0200", "Subject: ok", "Message-ID: <ok@sahko.example>"),
        raw("From: pekka@sahko.example", "To: anna.ahonen@acme.example", "Subject: no date",
            "Message-ID: <nodate@sahko.example>"),
        raw("From: pekka@sahko.example", "To: anna.ahonen@acme.example", "Date: eilen iltapäivällä",
            "Subject: bad date", "Message-ID: <bad@sahko.example>"),
        raw("From: pekka@sahko.example", "To: anna.ahonen@acme.example",
            "Date: Thu, 1 Jan 1970 00:00:00 +0000", "Subject: epoch"),
        raw("From: Undisclosed", "To: anna.ahonen@acme.example",
            "Date: Mon, 3 Mar 2025 09:00:00 +0200", "Subject: no sender", "Message-ID: <ns@x.example>"),
        raw("From: anna.ahonen@acme.example", "To: pekka@sahko.example",
            "Date: Mon, 3 Mar 2025 10:00:00 +0200", "Subject: re", "Message-ID: <re@acme.example>"),
    ])
    p = load_portfolio(params(data))
    assert p.interactions["interaction_id"].tolist() == ["ok@sahko.example", "re@acme.example"]
    assert mail_notes(p) == [
        "interactions.mbox: 2 messages without a readable Date left out (message 2 "
        "<nodate@sahko.example>: none; message 3 <bad@sahko.example>: 'eilen iltapäivällä')",
        "interactions.mbox: 1 message dated before 1990 (a mail client's clock was reset) left out "
        "(message 4: 1970-01-01)",
        "interactions.mbox: 1 message without a sender address left out (message 5 "
        "<ns@x.example>: 'Undisclosed')",
    ]


def test_mail_dated_before_1990_is_named_by_its_day(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A reset clock is a readable, wrong date: the note says which day, apart from the
    unreadable ones, and `workbench check` still passes and leaves the export as it was."""
    from workbench.cli import main

    data = folder(tmp_path)
    ok = raw("From: pekka@sahko.example", "To: anna.ahonen@acme.example",
             "Date: Mon, 3 Mar 2025 09:00:00 +0200", "Subject: ok", "Message-ID: <ok@sahko.example>")
    write_mbox(data / "interactions.mbox", [
        ok,
        raw("From: pekka@sahko.example", "To: anna.ahonen@acme.example",
            "Date: Mon, 31 Dec 1979 23:59:59 +0000", "Subject: a", "Message-ID: <old1@sahko.example>"),
        # The sender's day, not UTC's: 31 Dec 1989 22:00 -0300 is already 1990 in UTC, so it
        # is kept; 31 Dec 1989 20:00 -0300 is not.
        raw("From: pekka@sahko.example", "To: anna.ahonen@acme.example",
            "Date: Sun, 31 Dec 1989 22:00:00 -0300", "Subject: b", "Message-ID: <kept@sahko.example>"),
        raw("From: pekka@sahko.example", "To: anna.ahonen@acme.example",
            "Date: Sun, 31 Dec 1989 20:00:00 -0300", "Subject: c", "Message-ID: <old2@sahko.example>"),
        raw("From: pekka@sahko.example", "To: anna.ahonen@acme.example", "Date: 1.1.1980",
            "Subject: d", "Message-ID: <garbled@sahko.example>"),
        raw("From: pekka@sahko.example", "To: anna.ahonen@acme.example",
            "Date: Thu, 01 Jan 1970 02:00:00 +0200", "Subject: e"),
        raw("From: pekka@sahko.example", "To: anna.ahonen@acme.example",  # too early for pandas
            "Date: Mon, 1 Jan 1601 00:00:00 +0000", "Subject: f", "Message-ID: <old3@sahko.example>"),
        raw("From: anna.ahonen@acme.example", "To: pekka@sahko.example",
            "Date: Mon, 3 Mar 2025 10:00:00 +0200", "Subject: re", "Message-ID: <re@acme.example>"),
    ])
    settings = tmp_path / "acme.yaml"
    settings.write_text(f"client: {{name: Acme, domains: [{OWN}]}}\n", encoding="utf-8")
    files = [*data.iterdir(), settings]
    before = {f: hashlib.sha256(f.read_bytes()).hexdigest() for f in files}

    p = load_portfolio(params(data))
    assert sorted(p.interactions["interaction_id"]) == ["kept@sahko.example", "ok@sahko.example",
                                                        "re@acme.example"]
    assert mail_notes(p) == [
        "interactions.mbox: 1 message without a readable Date left out (message 5 "
        "<garbled@sahko.example>: '1.1.1980')",
        "interactions.mbox: 4 messages dated before 1990 (a mail client's clock was reset) left out "
        "(message 2 <old1@sahko.example>: 1979-12-31; message 4 <old2@sahko.example>: 1989-12-31; "
        "message 6: 1970-01-01; 1 more)",
    ]

    assert main(["check", "--params", str(settings), "--data", str(data)]) == 0
    out, err = capsys.readouterr()
    assert "repaired: interactions.mbox: 4 messages dated before 1990" in out and "1979-12-31" in out
    assert "ok: the data can be analysed" in out and err == ""
    assert {f: hashlib.sha256(f.read_bytes()).hexdigest() for f in files} == before
    assert sorted(data.iterdir()) == sorted(files[:-1])  # no lock, temp or report files


def test_duplicates_across_sent_and_inbox_count_once(tmp_path: Path) -> None:
    data = folder(tmp_path)
    (data / "mail").mkdir()
    sent = chain()[1]
    write_mbox(data / "mail" / "Inbox.mbox", [chain()[0], chain()[2], sent])  # a Cc copy
    write_mbox(data / "mail" / "Sent.mbox", [sent, chain()[3]])
    p = load_portfolio(params(data, {"interactions": {"file": "mail/*.mbox"}}))
    assert p.interactions["interaction_id"].tolist() == [
        "m1@kone.example", "m3@sahko.example", "m2@acme.example", "m2@acme.example", "m4@acme.example"]
    assert mail_notes(p) == [
        "e-mail (Inbox.mbox, Sent.mbox): 1 message appeared again (same Message-ID, sender and "
        "date, e.g. <m2@acme.example> in Inbox.mbox message 3 and Sent.mbox message 1); each "
        "message counted once"]
    assert {s.path.name: s.rows for s in p.sources if s.table == "interactions"} == {
        "Inbox.mbox": 4, "Sent.mbox": 1}


# --------------------------------------------------------------------------- matching


def test_matching_rules_and_what_is_left_out(tmp_path: Path) -> None:
    data = folder(tmp_path)
    d = "Mon, 3 Mar 2025 {}:00:00 +0200"
    write_mbox(data / "interactions.mbox", [
        # 1 free mail matched by its address, in upper case; 2 another free-mail user: no one
        message("Liisa Laine <LIISA.LAINE@vapaa.example>", "info@acme.example", d.format("09"), "a", "<1@v>"),
        message("tuntematon@vapaa.example", "info@acme.example", d.format("10"), "b", "<2@v>"),
        # 3 a web form sends for the customer: matched by Reply-To
        message("noreply@lomake.example", "info@acme.example", d.format("11"), "c", "<3@l>",
                Reply_To="matti@kone.example"),
        # 4 From decides over a differing Reply-To
        message("matti@kone.example", "info@acme.example", d.format("12"), "d", "<4@k>",
                Reply_To="pekka@sahko.example"),
        # 5 rakennus.example is two accounts' domain: cannot say which; 6 but the address can
        message("tiina@rakennus.example", "info@acme.example", d.format("13"), "e", "<5@r>"),
        message("kiinteistot@rakennus.example", "info@acme.example", d.format("14"), "f", "<6@r>"),
        # 7 internal; 8 an out-of-office reply; 9 a newsletter
        message("anna.ahonen@acme.example", "olli@acme.example", d.format("15"), "g", "<7@a>"),
        message("matti@kone.example", "info@acme.example", d.format("16"), "Poissa", "<8@k>",
                Auto_Submitted="auto-replied"),
        message("uutiset@kone.example", "info@acme.example", d.format("17"), "h", "<9@k>",
                List_Unsubscribe="<mailto:pois@kone.example>"),
        # 10, 11 unknown companies; 12 a subdomain of a customer
        message("x@toimittaja.example", "info@acme.example", d.format("18"), "i", "<10@t>"),
        message("y@toimittaja.example", "olli@acme.example", d.format("19"), "j", "<11@t>"),
        message("z@posti.sahko.example", "olli@acme.example", d.format("20"), "k", "<12@s>"),
    ])
    p = load_portfolio(params(data))
    assert rows(p, "interaction_id", "account_id", "direction") == [
        ("1@v", "L1", "in"), ("3@l", "K1", "in"), ("4@k", "K1", "in"), ("6@r", "R2", "in"),
        ("12@s", "S1", "in")]
    assert p.notes == [
        "accounts.csv: 1 account has a free-mail domain as domain (e.g. L1: vapaa.example); "
        "not used to match e-mail, put the customer's address in the email column instead",
        "interactions.mbox: 2 automatic messages (auto-replies, bulk and list mail) left out",
        "interactions.mbox: 1 internal message (sent to the client's own addresses only, or to "
        "no visible recipient) left out",
        "interactions.mbox: 1 message from an address of no account matched by its Reply-To "
        "(e.g. a web form sending for the customer)",
        "interactions.mbox: 1 message left out: the domain rakennus.example belongs to 2 "
        "accounts (R1, R2), so it cannot say which; put each account's own contact addresses "
        "in accounts.email (addresses are matched before domains)",
        "interactions.mbox: 3 messages of 12 match no account and are left out; the "
        "counterparts' domains are mostly toimittaja.example (2), vapaa.example (1, free mail: "
        "matched by address only). To include them, add the domain to accounts.domain or the "
        "address to accounts.email",
    ]


def test_free_mail_under_a_customer_domain_is_not_the_customer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As consumers at pp.inet.fi are not the company at inet.fi.
    monkeypatch.setattr(mail, "FREE_MAIL_DOMAINS", mail.FREE_MAIL_DOMAINS | {"koti.kone.example"})
    data = folder(tmp_path)
    write_mbox(data / "interactions.mbox", [
        message("x@koti.kone.example", "info@acme.example", "Mon, 3 Mar 2025 09:00:00 +0200", "a", "<1@k>"),
        message("y@myynti.kone.example", "info@acme.example", "Mon, 3 Mar 2025 10:00:00 +0200", "b", "<2@k>"),
    ])
    p = load_portfolio(params(data))
    assert rows(p, "interaction_id", "account_id") == [("2@k", "K1")]
    assert "koti.kone.example (1, free mail: matched by address only)" in mail_notes(p)[-1]


def test_outbound_to_two_accounts_gives_a_row_each(tmp_path: Path) -> None:
    data = folder(tmp_path)
    write_mbox(data / "interactions.mbox", [
        message("olli@Posti.Acme.example", "matti@kone.example, Toinen <toinen@KONE.example>",
                "Mon, 3 Mar 2025 09:00:00 +0200", "Kutsu", "<k@a>",
                cc="pekka@sahko.example, tuntematon@muu.example, anna.ahonen@acme.example")])
    assert rows(load_portfolio(params(data)), "account_id", "direction", "handled_by") == [
        ("K1", "out", "olli@posti.acme.example"), ("S1", "out", "olli@posti.acme.example")]


def test_own_addresses_on_other_domains(tmp_path: Path) -> None:
    data = folder(tmp_path)
    write_mbox(data / "interactions.mbox", [
        message("Olli <olli.acme@vapaa.example>", "matti@kone.example",
                "Mon, 3 Mar 2025 09:00:00 +0200", "Lasku", "<o@v>")])
    p = load_portfolio(params(data, domains=[], addresses=["Olli.Acme@vapaa.example"]))
    assert rows(p, "account_id", "direction", "handled_by") == [("K1", "out", "olli.acme@vapaa.example")]


def test_handled_by_names_the_team_member(tmp_path: Path) -> None:
    data = folder(tmp_path)
    (data / "team.csv").write_text(
        "member,role\nAhonen Anna,consultant\nOlli Omistaja,owner\nInfo@acme.example,team\n",
        encoding="utf-8")
    write_mbox(data / "interactions.mbox", [
        # display name (in the other order) -> Ahonen Anna; the shared box is a member itself
        message("Anna Ahonen <anna.ahonen@acme.example>", "matti@kone.example",
                "Mon, 3 Mar 2025 09:00:00 +0200", "a", "<1@a>"),
        message("matti@kone.example", "info@acme.example", "Mon, 3 Mar 2025 10:00:00 +0200", "b", "<2@k>"),
        # no display name: the local part olli.omistaja -> Olli Omistaja
        message("olli.omistaja@acme.example", "matti@kone.example", "Mon, 3 Mar 2025 11:00:00 +0200",
                "c", "<3@a>"),
        message("laskutus@acme.example", "matti@kone.example", "Mon, 3 Mar 2025 12:00:00 +0200", "d", "<4@a>"),
    ])
    p = load_portfolio(params(data))
    assert p.interactions["handled_by"].tolist() == ["Ahonen Anna", "Info@acme.example",
                                                     "Olli Omistaja", "laskutus@acme.example"]
    assert mail_notes(p) == [
        "team: 1 own e-mail address (e.g. laskutus@acme.example) match no team member; their "
        "mail is counted under the address. To count it for a member, name the member in the "
        "team file as the address's display name (e.g. Anna Ahonen), or as the address itself"]


# --------------------------------------------------------------------------- sources


def maildir(root: Path, messages: Iterable[EmailMessage | bytes], sent: Iterable[EmailMessage] = ()) -> Path:
    box = mailbox.Maildir(root, create=True)
    for m in messages:
        box.add(m)
    if sent:
        sub = box.add_folder("Sent")
        for m in sent:
            sub.add(m)
    box.close()
    return root


def test_maildir_folder_with_sent_subfolder_is_found(tmp_path: Path) -> None:
    data = folder(tmp_path)
    msgs = chain()
    maildir(data / "interactions", [msgs[0], msgs[2]], sent=[msgs[1], msgs[3]])
    p = load_portfolio(params(data))
    assert sorted(rows(p)) == sorted(rows_of_chain())
    assert [s.path.name for s in p.sources if s.table == "interactions"] == ["interactions"]


def rows_of_chain() -> list[tuple[Any, ...]]:
    return [
        ("K1", utc("2024-10-27 00:30"), "in", "m1@kone.example", "anna.ahonen@acme.example"),
        ("K1", utc("2024-10-27 01:30"), "out", "m1@kone.example", "anna.ahonen@acme.example"),
        ("S1", utc("2024-10-27 01:30"), "out", "m1@kone.example", "anna.ahonen@acme.example"),
        ("S1", utc("2024-10-28 06:15"), "in", "m1@kone.example", "anna.ahonen@acme.example"),
        ("K1", utc("2024-10-29 16:45"), "out", "m4@acme.example", "olli@acme.example"),
    ]


def test_zipped_maildir_without_new_and_tmp_still_reads(tmp_path: Path) -> None:
    data = folder(tmp_path)
    root = maildir(tmp_path / "export", chain())
    for m in (root / "new").iterdir():
        m.rename(root / "cur" / f"{m.name}:2,S")
    shutil.rmtree(root / "new")
    shutil.rmtree(root / "tmp")
    p = load_portfolio(params(data, {"interactions": {"file": str(root)}}))
    assert sorted(rows(p)) == sorted(rows_of_chain())


def test_gzipped_mbox_and_thunderbird_file_without_suffix(tmp_path: Path) -> None:
    data = folder(tmp_path)
    plain = write_mbox(tmp_path / "plain.mbox", chain())
    (data / "interactions.mbox.gz").write_bytes(gzip.compress(plain.read_bytes()))
    assert sorted(rows(load_portfolio(params(data)))) == sorted(rows_of_chain())
    (data / "interactions.mbox.gz").unlink()
    shutil.copy(plain, data / "Inbox")
    p = load_portfolio(params(data, {"interactions": {"file": "inbox"}}))
    assert sorted(rows(p)) == sorted(rows_of_chain())


def test_a_csv_log_and_the_mailbox_together(tmp_path: Path) -> None:
    data = folder(tmp_path)
    (data / "interactions.csv").write_text(
        "account_id,ts,channel,direction,minutes\nK1,2024-10-25 10:00,puhelu,in,12\n"
        "S1,2024-10-26 10:00,sähköposti,out,\n", encoding="utf-8")
    write_mbox(data / "interactions.mbox", chain())
    p = load_portfolio(params(data))
    log = p.interactions
    assert log["channel"].tolist() == ["phone", "email"] + ["email"] * 5
    assert log["seq"].tolist() == list(range(7))
    assert log.loc[0, "minutes"] == 12 and log["ts"].iloc[2] == utc("2024-10-27 00:30")
    assert [s.path.name for s in p.sources] == ["accounts.csv", "interactions.csv", "interactions.mbox"]
    assert mail_notes(p) == [
        "interactions.csv already holds 1 e-mail row and interactions.mbox adds 5: if they are "
        "the same messages they count twice; then read only one of them (`file:` under "
        "data.tables.interactions in your params file)"]


def test_input_is_never_modified(tmp_path: Path) -> None:
    data = folder(tmp_path)
    write_mbox(data / "interactions.mbox", chain())
    maildir(data / "interactions", chain()[:2])
    for p in data.rglob("*"):
        if p.is_file():
            p.chmod(stat.S_IRUSR | stat.S_IRGRP)  # read-only, as a copied export may be
    before = {str(p): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
              for p in sorted(data.rglob("*")) if p.is_file()}
    listing = sorted(str(p) for p in data.rglob("*"))
    p = load_portfolio(params(data))
    assert len(p.interactions) == 5  # the Maildir's two messages are copies of the mbox's
    assert before == {str(p): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
                      for p in sorted(data.rglob("*")) if p.is_file()}
    assert sorted(str(p) for p in data.rglob("*")) == listing  # no lock or temp files left


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(("content", "expected"), [
    (b"account_id,ts,channel,direction\nK1,2024-10-25 10:00,email,in\n", "it starts with 'account_id"),
    (b"", "the file is empty"),
    (b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256)), "zip file"),
    (b"\x00\x01\x02garbage" * 40, "binary data"),
    (b"Return-Path: <x@y.example>\nFrom: x@y.example\nSubject: hi\n\nbody\n", "single message (.eml)"),
])
def test_not_a_mailbox_is_one_clear_error(tmp_path: Path, content: bytes, expected: str) -> None:
    data = folder(tmp_path)
    (data / "interactions.mbox").write_bytes(content)
    with pytest.raises(InputError) as err:
        load_portfolio(params(data))
    msg = str(err.value)
    assert msg.startswith("interactions.mbox: holds no e-mail messages") and expected in msg
    assert "Fix:" in msg and "\n" not in msg


@pytest.mark.parametrize(("setup", "expected"), [
    ("gz", "interactions.mbox.gz: not a readable gzip file"),
    ("empty maildir", "interactions: the Maildir folder holds no messages"),
    ("plain folder", "mail: this is a folder, not a file"),
    ("nothing matches", "interactions.mbox: not one of the 2 messages is with a known account: "
     "1 matches no account (their domains are mostly muu.example (1)); 1 is internal"),
    ("no domains", "accounts.csv: no account has a domain or an email"),
    ("all undated", "interactions.mbox: none of the 1 messages can be read"),
])
def test_bad_mail_input_is_one_clear_error(tmp_path: Path, setup: str, expected: str) -> None:
    data = folder(tmp_path)
    tables: dict[str, Any] = {}
    if setup == "gz":
        (data / "interactions.mbox.gz").write_bytes(b"not gzip at all")
    elif setup == "empty maildir":
        (data / "interactions" / "cur").mkdir(parents=True)
    elif setup == "plain folder":
        (data / "mail").mkdir()
        tables = {"interactions": {"file": "mail"}}
    elif setup == "nothing matches":
        write_mbox(data / "interactions.mbox", [
            message("x@muu.example", "olli@acme.example", "Mon, 3 Mar 2025 09:00:00 +0200", "a", "<1@m>"),
            message("olli@acme.example", "anna.ahonen@acme.example", "Mon, 3 Mar 2025 09:00:00 +0200",
                    "b", "<2@a>")])
    elif setup == "no domains":
        data = folder(tmp_path, "account_id,name\nK1,Kone Oy\n")
        write_mbox(data / "interactions.mbox", chain())
    elif setup == "all undated":
        write_mbox(data / "interactions.mbox", [raw("From: x@kone.example", "Subject: a")])
    with pytest.raises(InputError) as err:
        load_portfolio(params(data, tables))
    msg = str(err.value)
    assert msg.startswith(expected), msg
    assert "Fix:" in msg and "\n" not in msg


def test_mail_without_own_domains_names_the_key(tmp_path: Path) -> None:
    data = folder(tmp_path)
    write_mbox(data / "interactions.mbox", chain())
    with pytest.raises(ParamsError) as err:
        load_portfolio(params(data, domains=[]))
    msg = str(err.value)
    assert msg.startswith("client.domains is not set") and "interactions.mbox" in msg
    assert "Fix: add `domains: [yourfirm.fi]` under client" in msg and "\n" not in msg


@pytest.mark.parametrize(("value", "expected"), [
    ("domains: [gmail.com]", "gmail.com is a free-mail domain"),
    ("domains: [anna@acme.example]", "is an address; list it under client.addresses"),
    ("domains: [Acme Oy]", "is not an e-mail domain"),
    ("addresses: [acme.example]", "is not an e-mail address"),
])
def test_own_domain_params_are_checked(tmp_path: Path, value: str, expected: str) -> None:
    f = tmp_path / "acme.yaml"
    f.write_text(f"client:\n  {value}\n", encoding="utf-8")
    with pytest.raises(ParamsError) as err:
        load_params(f)
    assert expected in str(err.value) and "client." in str(err.value)


def test_own_domain_params_are_normalised(tmp_path: Path) -> None:
    f = tmp_path / "acme.yaml"
    f.write_text("client:\n  domains: 'Acme.Example, @mail.acme.example'\n"
                 "  addresses: [Olli.Acme@Vapaa.example]\n", encoding="utf-8")
    client = load_params(f).client
    assert client.domains == ("acme.example", "mail.acme.example")
    assert client.addresses == ("olli.acme@vapaa.example",)
    assert "gmail.com" in mail.FREE_MAIL_DOMAINS and "luukku.com" in mail.FREE_MAIL_DOMAINS


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run([*CLI, *args], capture_output=True, text=True, cwd=repo_root(), env=env,
                          timeout=900)


def test_cli_check_reads_a_mailbox_and_refuses_a_broken_one(tmp_path: Path) -> None:
    data = folder(tmp_path)
    write_mbox(data / "interactions.mbox", chain())
    p = tmp_path / "acme.yaml"
    p.write_text(f"client: {{name: Acme, domains: [{OWN}]}}\n", encoding="utf-8")
    res = cli("check", "--params", str(p), "--data", str(data))
    assert res.returncode == 0, res.stderr
    assert "interactions          5 rows" in res.stdout and "interactions.mbox" in res.stdout

    res = cli("check", "--data", str(data))  # the default params name no own domain
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert res.stderr.strip().count("\n") == 0 and "client.domains is not set" in res.stderr

    (data / "interactions.mbox").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    res = cli("check", "--params", str(p), "--data", str(data))
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert res.stderr.startswith("workbench: interactions.mbox: holds no e-mail messages")


# --------------------------------------------------------------------------- end to end


def synthetic_export(folder: Path, seed: int = 3) -> int:
    """Ten customers writing with the client for 18 months: threads of 1-5 messages."""
    rng = random.Random(seed)
    tz = zoneinfo.ZoneInfo("Europe/Helsinki")
    names = ["Kone", "Sähkö", "Rakennus", "Kahvila", "Kuljetus", "Metalli", "Puutarha",
             "Siivous", "Kirjapaino", "Leipomo"]
    slugs = [n.lower().replace("ä", "a").replace("ö", "o") for n in names]
    staff = [("Anna Ahonen", "anna.ahonen@acme.example"), ("Olli Omistaja", "olli@acme.example")]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "accounts.csv").write_text(
        "account_id,name,since,domain\n" + "".join(
            f"A{i:02d},{n} Oy,2023-0{1 + i % 9}-01,{s}.example\n"
            for i, (n, s) in enumerate(zip(names, slugs), 1)), encoding="utf-8")
    (folder / "invoices.csv").write_text(
        "account_id,date,amount\n" + "".join(
            f"A{i:02d},2025-{m:02d}-15,{rng.randint(200, 3000)}\n"
            for i in range(1, 11) for m in range(1, 13) if rng.random() < 0.6), encoding="utf-8")
    (folder / "team.csv").write_text(
        "member,role,hours_per_week\nAnna Ahonen,consultant,37.5\nOlli Omistaja,owner,40\n",
        encoding="utf-8")
    box = mailbox.mbox(folder / "interactions.mbox")
    k = 0
    for name, slug in zip(names, slugs):
        customer = f"{name} Asiakas <asiakas@{slug}.example>"
        for _ in range(rng.randint(3, 14)):
            when = dt.datetime(2025, 1, 2, 8, tzinfo=tz) + dt.timedelta(
                days=rng.uniform(0, 540), hours=rng.uniform(0, 12))
            me = "{} <{}>".format(*staff[rng.random() < 0.3])
            root = prev = None
            inbound = rng.random() < 0.6
            for _ in range(rng.randint(1, 5)):
                k += 1
                frm, to = (customer, me) if inbound else (me, customer)
                mid = f"<{k}@{frm.split('@')[1].rstrip('>')}>"
                box.add(message(frm, to, format_datetime(when), ("VS: " if prev else "") + f"Asia {k}",
                                mid, refs=f"{root} {prev}" if prev and root != prev else root,
                                reply=prev))
                root, prev = root or mid, mid
                when += dt.timedelta(hours=rng.uniform(0.2, 30))
                inbound = not inbound
    box.close()
    return k


@pytest.mark.slow
def test_workbench_run_on_a_mailbox(tmp_path: Path) -> None:
    data = tmp_path / "acme"
    n = synthetic_export(data)
    p = tmp_path / "acme.yaml"
    p.write_text(f"client: {{name: Acme Mail, domains: [{OWN}]}}\n", encoding="utf-8")
    res = cli("run", "--params", str(p), "--data", str(data), "--out", str(tmp_path / "out"))
    assert res.returncode == 0, res.stderr
    run_dir = next((tmp_path / "out" / "acme-mail").iterdir())
    accounts = pd.read_csv(run_dir / "accounts.csv", dtype={"account_id": str})
    assert sorted(accounts["account_id"]) == [f"A{i:02d}" for i in range(1, 11)]
    assert accounts["n_interactions"].sum() > 0
    summary = run_dir / "summary.json"
    text = summary.read_text(encoding="utf-8")
    sha = hashlib.sha256((data / "interactions.mbox").read_bytes()).hexdigest()
    assert f'"interactions:interactions.mbox": "{sha}"' in text
    assert n > 100 and "Salainen" not in text
