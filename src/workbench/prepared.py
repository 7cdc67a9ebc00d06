"""The heavy step of a run, done once: the data read and checked, the per-account metrics
and the commitment weights fitted.

``workbench run`` prepares once and keeps the result in the run's parts as Parquet (the
tables) and JSON (the notes, the sources and the weight fit); each notebook's
:func:`workbench.start` reads it back instead of loading and computing again. In
JupyterLab, with no run around it, a notebook prepares the same way itself: one code path.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .commitment import commitment_scores
from .i18n import override
from .load import load_portfolio
from .metrics import account_metrics, resolve_as_of
from .params import Params
from .portfolio import Portfolio, SourceFile
from .privacy import shareable
from .weighting import WeightFit, fit_weights

#: The folder, inside a run's parts, the prepared step is kept in.
PREPARED = "prepared"
_TABLES = ("accounts", "interactions", "invoices", "surveys", "leads", "team")
_RECORD = "prepared.json"


@dataclass(frozen=True)
class Prepared:
    """A client's data at ``as_of`` as every notebook of a run starts from it.

    ``weight_fit`` and ``scores`` (:func:`workbench.commitment_scores` under its weights)
    are None when they have not been computed yet (a notebook that never needs the
    commitment scores does not pay for them).
    """

    portfolio: Portfolio
    metrics: pd.DataFrame
    as_of: dt.date
    weight_fit: WeightFit | None = None
    scores: pd.DataFrame | None = None


def prepare(params: Params, *, fit: bool = True) -> Prepared:
    """Read and check the data, compute the per-account metrics and, with ``fit``, the
    commitment weights.

    Parameters
    ----------
    params : Params
        The run's parameters, ``as_of`` and data folder resolved.
    fit : bool
        Also fit the commitment weights and score every account under them (the costliest
        part on small data; every notebook of a run needs the scores).

    Examples
    --------
    >>> from workbench import load_params
    >>> p = prepare(load_params("params/default.yaml"), fit=False)
    >>> len(p.metrics) == len(p.portfolio.accounts), p.weight_fit is None, p.scores is None
    (True, True, True)
    """
    # Repairs are noted in the report's language.
    with override(params.report.language, params.client.currency):
        portfolio = shareable(load_portfolio(params), params)
    day = resolve_as_of(portfolio, params.as_of)
    metrics = account_metrics(portfolio, params, as_of=day)
    if not fit:
        return Prepared(portfolio, metrics, day)
    weight_fit = fit_weights(portfolio, params, as_of=day)
    return Prepared(portfolio, metrics, day, weight_fit, commitment_scores(metrics, params, weight_fit.weights))


def save_prepared(prepared: Prepared, folder: Path) -> Path:
    """Keep ``prepared`` in ``folder`` (created): one Parquet file per table, one JSON
    record of the rest. Returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    p = prepared.portfolio
    tables = {t: getattr(p, t) for t in _TABLES if getattr(p, t) is not None}
    frames = {**tables, "metrics": prepared.metrics}
    if prepared.scores is not None:
        frames["scores"] = prepared.scores
    else:
        (folder / "scores.parquet").unlink(missing_ok=True)
    for name, frame in frames.items():
        # Instants at µs, the precision the engines compute at: Spark cannot read
        # pandas' nanoseconds, and the engines scan this file (engines.scan_log).
        frame.to_parquet(folder / f"{name}.parquet", index=False, coerce_timestamps="us",
                         allow_truncated_timestamps=True)
    record = {
        "as_of": prepared.as_of.isoformat(),
        "tables": sorted(tables),
        "notes": list(p.notes),
        "sources": [{"table": s.table, "path": str(s.path), "sha256": s.sha256, "rows": s.rows}
                    for s in p.sources],
        "weight_fit": _fit_record(prepared.weight_fit) if prepared.weight_fit else None,
        "scores": prepared.scores is not None,
    }
    (folder / _RECORD).write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    return folder


def read_prepared(folder: Path) -> Prepared:
    """What :func:`save_prepared` kept in ``folder``, as it was.

    The contact log stays in its file (``Portfolio.log_file``): the engines scan it there,
    and it is read into pandas only when something needs it event by event.
    """
    record = json.loads((folder / _RECORD).read_text(encoding="utf-8"))
    tables = {t: _read_table(folder, t) for t in record["tables"] if t != "interactions"}
    portfolio = Portfolio(
        **tables,
        log_file=folder / "interactions.parquet",
        sources=[SourceFile(s["table"], Path(s["path"]), s["sha256"], s["rows"]) for s in record["sources"]],
        notes=record["notes"],
    )
    fit = record["weight_fit"]
    return Prepared(portfolio, _read_table(folder, "metrics"),
                    dt.date.fromisoformat(record["as_of"]), _fit_from(fit) if fit else None,
                    _read_table(folder, "scores") if record.get("scores") else None)


def read_log(path: Path) -> pd.DataFrame:
    """A canonical log kept as Parquet, as the loader gave it."""
    return _read_table(path.parent, path.stem)


def _read_table(folder: Path, table: str) -> pd.DataFrame:
    frame = pd.read_parquet(folder / f"{table}.parquet")
    # Back to the loader's nanoseconds, so a table read back equals the table kept.
    for column, dtype in frame.dtypes.items():
        if isinstance(dtype, pd.DatetimeTZDtype):
            frame[column] = frame[column].astype(f"datetime64[ns, {dtype.tz}]")
        elif pd.api.types.is_datetime64_dtype(dtype):
            frame[column] = frame[column].astype("datetime64[ns]")
    return frame


def _fit_record(fit: WeightFit) -> dict[str, Any]:
    out = dataclasses.asdict(fit)
    out["window"] = [d.isoformat() for d in fit.window] if fit.window else None
    out["shrinkage"] = _number(fit.shrinkage)
    out["out_of_time"] = [[_number(k), v] for k, v in fit.out_of_time.items()]
    return out


def _fit_from(record: dict[str, Any]) -> WeightFit:
    window = record["window"]
    return WeightFit(**{
        **record,
        "window": tuple(dt.date.fromisoformat(d) for d in window) if window else None,
        "shrinkage": None if record["shrinkage"] is None else float(record["shrinkage"]),
        "indicators": tuple(record["indicators"]),
        "out_of_time": {float(k): v for k, v in record["out_of_time"]},
    })


def _number(x: float | None) -> float | str | None:
    # "inf" (the prior kept) is not a JSON number.
    return "inf" if x is not None and math.isinf(x) else x
