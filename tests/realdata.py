"""The real public datasets in ../shared/data/real, read as a client's export would be.

They live with the tests, not in the package: they describe two particular public files.
Each returns None when the file is absent.
"""

from __future__ import annotations

from pathlib import Path

from workbench import Portfolio
from workbench.load import load_portfolio
from workbench.params import load_params
from workbench.paths import repo_root

REAL = repo_root().parent / "shared" / "data" / "real"
LINE_ITEMS = repo_root() / "params" / "templates" / "line-items.yaml"


def online_retail(path: Path = REAL / "online_retail.csv.gz") -> Portfolio | None:
    """UCI Online Retail (Chen, Sain & Guo 2012) through ``params/templates/line-items.yaml``:
    quantity x unit price, C-numbered cancellations as credits, lines without a CustomerID
    left out, the accounts from the ids; no contact log."""
    if not path.is_file():
        return None
    return load_portfolio(load_params(LINE_ITEMS, data_dir=str(path.parent)))
