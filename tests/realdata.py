"""Adapters from the real public datasets in ../shared/data/real to canonical portfolios.

They live with the tests, not in the package: they describe two particular public files,
not a client export. Each returns None when the file is absent.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from workbench import Portfolio
from workbench.paths import repo_root
from workbench.schema import TABLES

REAL = repo_root().parent / "shared" / "data" / "real"


_DTYPES = {"date": "datetime64[ns]", "ts": "datetime64[ns, UTC]", "float": "float64", "bool": "boolean"}


def empty(table: str) -> pd.DataFrame:
    """A canonical table with no rows, typed as the loader would type it."""
    cols = TABLES[table].columns
    df = pd.DataFrame({c: pd.Series(dtype=_DTYPES.get(kind, "str")) for c, kind in cols.items()})
    if table == "interactions":
        df["seq"] = pd.Series(dtype="int64")
    return df


def online_retail(path: Path = REAL / "online_retail.csv.gz") -> Portfolio | None:
    """UCI Online Retail (Chen, Sain & Guo 2012) as accounts + invoices, no interactions.

    Invoice lines without a CustomerID (~25 %) cannot be attributed and are left out;
    cancellations (``C…`` invoices, negative quantities) stay in as negative amounts.
    """
    if not path.is_file():
        return None
    raw = pd.read_csv(path, dtype={"InvoiceNo": str, "StockCode": str, "CustomerID": "float64"})
    raw = raw[raw["CustomerID"].notna()]
    ids = raw["CustomerID"].astype("int64").astype(str)
    invoices = pd.DataFrame({
        "account_id": ids,
        "date": pd.to_datetime(raw["InvoiceDate"]).dt.normalize().astype("datetime64[ns]"),
        "amount": (raw["Quantity"] * raw["UnitPrice"]).astype("float64"),
        "invoice_id": raw["InvoiceNo"],
        "service": raw["StockCode"],
    })
    accounts = pd.DataFrame({"account_id": sorted(ids.unique())})
    accounts["name"] = "Customer " + accounts["account_id"]
    return Portfolio(accounts=accounts, interactions=empty("interactions"), invoices=invoices)


def write_online_retail_export(folder: Path, path: Path = REAL / "online_retail.csv.gz") -> bool:
    """Write Online Retail as canonical files a client export could be: accounts, invoices,
    and interactions where every order is the customer reaching us through the web shop.

    Returns False when the data set is absent.
    """
    portfolio = online_retail(path)
    if portfolio is None:
        return False
    folder.mkdir(parents=True, exist_ok=True)
    inv = portfolio.invoices
    portfolio.accounts.to_csv(folder / "accounts.csv", index=False)
    inv.assign(date=inv["date"].dt.strftime("%Y-%m-%d")).to_csv(folder / "invoices.csv", index=False)
    raw = pd.read_csv(path, usecols=["InvoiceNo", "InvoiceDate", "CustomerID"], dtype={"InvoiceNo": str})
    orders = raw.dropna(subset=["CustomerID"]).drop_duplicates("InvoiceNo")
    pd.DataFrame({
        "interaction_id": orders["InvoiceNo"],
        "account_id": orders["CustomerID"].astype("int64").astype(str),
        "ts": orders["InvoiceDate"],  # UK local time, naive: params set Europe/London
        "channel": "web",
        "direction": "in",
    }).to_csv(folder / "interactions.csv", index=False)
    return True
