"""Pseudonymization: reports that can be shared without naming anyone.

Every value that names or reaches a customer or a team member is replaced before any
analysis sees it, so no figure, table, export or log can carry it: account ids, customer
names and team members' names become keyed codes (HMAC-SHA256), the same in every table,
so joins, owners and handlers still line up; contacts, e-mail addresses, domains, subjects
and comments are cleared; message, thread, invoice and lead ids become codes. The key is a
file kept outside the repository: the same key gives the same codes, so two runs of a
client stay comparable, and without it a code cannot be traced back to the customer.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .exceptions import WorkbenchError
from .portfolio import Portfolio

if TYPE_CHECKING:
    from .params import Params

#: The words a pseudonym starts with, in the report's language.
LABELS: dict[str, dict[str, str]] = {
    "fi": {"account": "Asiakas", "member": "Tiimiläinen", "removed": "(poistettu)"},
    "en": {"account": "Customer", "member": "Team member", "removed": "(removed)"},
}
#: Free text and contact details: cleared, nothing of them is needed by any figure.
_CLEARED = {
    "accounts": ("contact", "email", "domain"),
    "interactions": ("subject",),
    "surveys": ("comment",),
    "team": ("email",),
}
#: Keys that may carry a number or an address (an e-mail export's Message-IDs): codes, so
#: threads still group and the same message is still the same message.
_KEYS = {
    "interactions": ("interaction_id", "thread_id"),
    "invoices": ("invoice_id",),
    "leads": ("lead_id",),
}
#: Where team members are named.
_MEMBERS = {"accounts": ("owner",), "interactions": ("handled_by",), "team": ("member",)}
_ACCOUNT_TABLES = ("accounts", "interactions", "invoices", "surveys", "leads")
_CODE_LENGTH = 8


def pseudonym_key(path: str | Path) -> tuple[bytes, bool]:
    """Read the pseudonymization key, making a new random one when the file does not exist.

    Returns the key and whether it was just made (the caller says so: a key made anew gives
    codes unlike those of earlier runs).

    Raises
    ------
    WorkbenchError
        The file cannot be read or made, or holds fewer than 16 bytes.
    """
    file = Path(path).expanduser()
    try:
        if file.is_file():
            key = file.read_bytes().strip()
            if len(key) < 16:
                raise WorkbenchError(f"{file}: the pseudonym key is shorter than 16 bytes. Fix: delete the "
                                     "file to have a new one made (codes then differ from earlier runs)")
            return key, False
        file.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32).encode()
        # Only the owner may read it: whoever holds the key can test a guess of who a code is.
        fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(key + b"\n")
        return key, True
    except OSError as e:
        raise WorkbenchError(f"{file}: cannot read or make the pseudonym key ({e.strerror or e}). Fix: set "
                             "report.pseudonym_key in params to a file you can write, outside the "
                             "repository") from None


@dataclasses.dataclass(frozen=True)
class Pseudonymizer:
    """Keyed codes for one report.

    Examples
    --------
    >>> p = Pseudonymizer(key=b"k" * 32, language="en")
    >>> p.code("A0001") == p.code("A0001") != p.code("A0002")
    True
    >>> p.account_name(p.code("A0001")).startswith("Customer ")
    True
    """

    key: bytes
    language: str = "fi"

    def code(self, value: str, length: int = _CODE_LENGTH) -> str:
        return hmac.new(self.key, value.encode(), hashlib.sha256).hexdigest()[:length].upper()

    def codes(self, values: Iterable[str]) -> dict[str, str]:
        """A code for each distinct value, lengthened until no two values share one."""
        distinct = sorted(set(values))
        length = _CODE_LENGTH
        while True:
            out = {v: self.code(v, length) for v in distinct}
            if len(set(out.values())) == len(out):
                return out
            length += 4

    def account_name(self, code: str) -> str:
        return f"{LABELS[self.language]['account']} {code}"

    def member_name(self, code: str) -> str:
        return f"{LABELS[self.language]['member']} {code[:4]}"


def pseudonymize(portfolio: Portfolio, key: bytes, language: str = "fi") -> tuple[Portfolio, dict[str, str]]:
    """Return a copy that names nobody, and the replacements made.

    Account ids become codes and names ``Asiakas <code>`` (``Customer <code>`` in English);
    team members (owners, handlers, the team table) become ``Tiimiläinen <code>``; contacts,
    e-mail addresses, domains, subjects and comments are cleared; message, thread, invoice
    and lead ids become codes. The replacements (original -> shown) let
    :func:`scrub_text` clear the same values from free text such as the loader's notes.

    Examples
    --------
    >>> log = pd.DataFrame({"account_id": ["A1", "A1"], "subject": ["Lasku", "Re: Lasku"],
    ...                     "thread_id": ["<x1@kone.example>"] * 2, "handled_by": ["Anna Aho", None]})
    >>> p, shown = pseudonymize(Portfolio(accounts=pd.DataFrame({"account_id": ["A1"], "name": ["Kone Oy"]}),
    ...                                   interactions=log), key=b"k" * 32)
    >>> p.accounts["name"].iloc[0].startswith("Asiakas"), p.interactions["thread_id"].nunique()
    (True, 1)
    >>> "kone" in p.interactions["thread_id"].iloc[0], p.interactions["handled_by"].iloc[0][:11]
    (False, 'Tiimiläinen')
    """
    p = Pseudonymizer(key, language if language in LABELS else "en")
    tables = {t: getattr(portfolio, t) for t in (*_ACCOUNT_TABLES, "team")}
    tables = {t: df.copy() for t, df in tables.items() if df is not None}
    shown: dict[str, str] = {}

    ids = p.codes(str(v) for t in _ACCOUNT_TABLES if t in tables and "account_id" in tables[t]
                  for v in tables[t]["account_id"].dropna())
    members = {name: p.member_name(code) for name, code in p.codes(
        str(v) for t, cols in _MEMBERS.items() if t in tables for c in cols if c in tables[t]
        for v in tables[t][c].dropna()).items()}
    accounts = tables["accounts"]
    names = dict(zip(accounts["account_id"].astype(str), accounts.get("name", accounts["account_id"]).astype(str)))
    for original, code in ids.items():
        shown[original] = code
        if original in names:
            shown[names[original]] = p.account_name(code)
    shown.update(members)

    for table, df in tables.items():
        if "account_id" in df:
            df["account_id"] = df["account_id"].map(ids, na_action="ignore").astype(df["account_id"].dtype)
        for col in _MEMBERS.get(table, ()):
            if col in df:
                df[col] = df[col].map(members, na_action="ignore").astype(df[col].dtype)
        for col in _CLEARED.get(table, ()):
            if col in df:
                for value in df[col].dropna().astype(str).unique():
                    shown[value] = LABELS[p.language]["removed"]
                df[col] = pd.Series(pd.NA, index=df.index, dtype=df[col].dtype)
        for col in _KEYS.get(table, ()):
            if col in df:
                df[col] = df[col].map(lambda v: p.code(str(v), 12), na_action="ignore").astype(df[col].dtype)
    accounts["name"] = accounts["account_id"].map(p.account_name).astype(accounts["name"].dtype)
    notes = [scrub_text(n, shown) for n in portfolio.notes]
    out = dataclasses.replace(portfolio, notes=notes, **tables)
    return out, shown


def scrub_text(text: str, shown: dict[str, str]) -> str:
    """Replace every original value of ``shown`` in ``text`` by what the report shows instead.

    Values shorter than three characters are left (they would hit inside ordinary words).

    Examples
    --------
    >>> scrub_text("3 rows name unknown ids (e.g. A0001)", {"A0001": "3F2A1C9B"})
    '3 rows name unknown ids (e.g. 3F2A1C9B)'
    """
    wanted = sorted((v for v in shown if len(v) >= 3 and v in text), key=len, reverse=True)
    if not wanted:
        return text
    pattern = re.compile("|".join(re.escape(v) for v in wanted))
    return pattern.sub(lambda m: shown[m.group(0)], text)


def shareable(portfolio: Portfolio, params: Params) -> Portfolio:
    """The portfolio as the report may show it: pseudonymized when ``report.pseudonymize``.

    The one place runs and notebooks pseudonymize, so the run log, the notebooks and every
    export see the same codes.
    """
    if not params.report.pseudonymize:
        return portfolio
    key, made = pseudonym_key(params.report.pseudonym_key)
    out, _ = pseudonymize(portfolio, key, params.report.language)
    if made:
        out.notes.append(f"a new pseudonym key was made in {params.report.pseudonym_key}: keep it there, "
                         "runs with the same key give the same codes")
    return out


def shareable_params(params: Params) -> dict[str, object]:
    """The params as a run record shows them: the team's own addresses left out when pseudonymized."""
    dump = params.model_dump(mode="json")
    if params.report.pseudonymize:
        dump["client"]["addresses"] = [LABELS[params.report.language]["removed"]] * len(params.client.addresses)
    return dump
