"""Pseudonymization: reports that can be shared without naming anyone."""

from __future__ import annotations

import dataclasses
import hashlib

import pandas as pd

from .portfolio import Portfolio

#: Columns that name or reach a person or company; replaced or cleared when pseudonymizing.
_IDENTIFYING = {
    "accounts": ("name", "contact", "email", "domain"),
    "interactions": ("subject",),
    "surveys": ("comment",),
}
#: Keys that may carry an address (an e-mail export's Message-IDs): replaced by stable
#: codes, so threads still group and the same message is still the same message.
_KEYS = {"interactions": ("interaction_id", "thread_id")}


def pseudonym(account_id: str, salt: str = "") -> str:
    """A stable code for an account: the same id and salt always give the same code.

    Examples
    --------
    >>> pseudonym("A0001") == pseudonym("A0001") != pseudonym("A0002")
    True
    """
    return "Customer " + hashlib.sha256(f"{salt}{account_id}".encode()).hexdigest()[:6].upper()


def _code(value: str, salt: str) -> str:
    return hashlib.sha256(f"{salt}{value}".encode()).hexdigest()[:12]


def pseudonymize(portfolio: Portfolio, salt: str = "") -> Portfolio:
    """Return a copy whose accounts are named by :func:`pseudonym` and free texts cleared.

    Account ids stay (they are the client's own keys, needed to act on the report); names,
    contacts, e-mail addresses, domains, subjects and survey comments do not; interaction
    and thread ids become codes.

    Examples
    --------
    >>> log = pd.DataFrame({"account_id": ["A1", "A1"], "subject": ["Lasku", "Re: Lasku"],
    ...                     "thread_id": ["<x1@kone.example>"] * 2})
    >>> p = pseudonymize(Portfolio(accounts=pd.DataFrame({"account_id": ["A1"], "name": ["Kone Oy"]}),
    ...                            interactions=log))
    >>> p.accounts["name"].iloc[0].startswith("Customer"), p.interactions["thread_id"].nunique()
    (True, 1)
    >>> "kone" in p.interactions["thread_id"].iloc[0]
    False
    """
    changes: dict[str, pd.DataFrame] = {}
    for table, cols in _IDENTIFYING.items():
        df = getattr(portfolio, table)
        if df is None:
            continue
        df = df.copy()
        for col in cols:
            if col in df:
                df[col] = pd.NA
        for col in _KEYS.get(table, ()):
            if col in df:
                df[col] = df[col].map(lambda v: _code(str(v), salt), na_action="ignore")
        if table == "accounts":
            df["name"] = df["account_id"].map(lambda a: pseudonym(a, salt))
        changes[table] = df
    return dataclasses.replace(portfolio, **changes)
