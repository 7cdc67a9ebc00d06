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


def pseudonym(account_id: str, salt: str = "") -> str:
    """A stable code for an account: the same id and salt always give the same code.

    Examples
    --------
    >>> pseudonym("A0001") == pseudonym("A0001") != pseudonym("A0002")
    True
    """
    return "Customer " + hashlib.sha256(f"{salt}{account_id}".encode()).hexdigest()[:6].upper()


def pseudonymize(portfolio: Portfolio, salt: str = "") -> Portfolio:
    """Return a copy whose accounts are named by :func:`pseudonym` and free texts cleared.

    Account ids stay (they are the client's own keys, needed to act on the report); names,
    contacts, e-mail addresses, domains, subjects and survey comments do not.
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
        if table == "accounts":
            df["name"] = df["account_id"].map(lambda a: pseudonym(a, salt))
        changes[table] = df
    return dataclasses.replace(portfolio, **changes)
