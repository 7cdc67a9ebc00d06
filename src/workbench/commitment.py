"""Commitment: who is committed and who is not, transparently, and proof that it predicts.

The score is a weighted mean of behavioural indicators, each percentile-ranked within the
portfolio, so every account's score is the sum of named parts anyone can read. Segments
follow Hofmeyr's Conversion Model: committed accounts are *entrenched* or *average*,
uncommitted ones *shallow* or *convertible*. :func:`backtest` scores the portfolio as it
stood at an earlier cut-off, using nothing after it, and measures how well the score
predicted who kept buying, against recency-only and frequency-only baselines.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score, roc_curve

from .metrics import account_metrics
from .params import Params
from .portfolio import Portfolio

#: Indicators in the order they are shown, with what each measures (higher = more committed).
INDICATORS: dict[str, str] = {
    "tenure": "days since the relationship began",
    "regularity": "share of months with a purchase (of the months it could have bought in)",
    "recency": "how recently it last bought (or last wrote to us, without invoices)",
    "trend": "revenue in the last year against the year before",
    "breadth": "how many different services it buys",
    "satisfaction": "its latest survey score",
    "harmony": "share of its messages that are not complaints",
    "engagement": "share of our unprompted contacts it answered",
    "meetings": "meetings and visits in the last year",
    "contract": "how binding its contract is (retainer, subscription, project, ad hoc)",
}
SEGMENTS = ("entrenched", "average", "shallow", "convertible")
_NEVER = 10 * 365  # days since the last purchase of an account that never bought


def commitment_indicators(metrics: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Raw indicator values per account (NaN where the data says nothing).

    Parameters
    ----------
    metrics : pandas.DataFrame
        :func:`workbench.account_metrics` output (its ``attrs`` carry ``as_of``).
    params : Params
        ``commitment.contract_levels`` maps contract types to 0–1.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``account_id``, one column per name in :data:`INDICATORS`.
    """
    m = metrics.set_index("account_id")
    as_of = pd.Timestamp(metrics.attrs["as_of"])
    window_months = metrics.attrs.get("window_days", 365) / 30.44
    has_invoices = "last_invoice" in m
    out = pd.DataFrame(index=m.index)
    out["tenure"] = m["tenure_days"].astype("float64")
    if has_invoices:
        months_possible = (m["tenure_days"].astype("float64") / 30.44).clip(1, window_months).round()
        out["regularity"] = m["invoice_months"] / months_possible
        since_purchase = (as_of - m["last_invoice"]).dt.days.astype("float64").fillna(_NEVER)
        out["recency"] = -since_purchase
        out["trend"] = np.log((m["revenue"].clip(lower=0) + 1) / (m["revenue_prev"].clip(lower=0) + 1))
        out["breadth"] = m["n_services"].astype("float64")
    else:
        out["recency"] = -m["recency_days"].astype("float64").fillna(_NEVER)
    if "survey_last" in m:
        out["satisfaction"] = m["survey_last"]
    if m["complaints"].sum() > 0:
        # Dissatisfaction as behaviour: surveys reach few accounts, every log has complaints.
        out["harmony"] = -(m["complaints"] / m["n_inbound"].where(m["n_inbound"] > 0))
    if m["n_outbound"].sum() > 0:
        out["engagement"] = m["reply_share"]
    if m["n_interactions"].sum() > 0:
        out["meetings"] = (m["n_meeting"] + m["n_visit"]).astype("float64")
    if "contract" in m and m["contract"].notna().any():
        levels = {k.lower(): v for k, v in params.commitment.contract_levels.items()}
        out["contract"] = m["contract"].str.lower().map(levels).astype("float64")
    # An indicator nobody has data for is not an indicator of this portfolio.
    return out[[c for c in INDICATORS if c in out and out[c].notna().any()]]


def commitment_scores(metrics: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Score 0–100, segment, confidence and the named parts of every account's score.

    Each indicator is percentile-ranked within the portfolio (ties share their rank);
    the score is ``100 × Σ wᵢ·rankᵢ / Σ wᵢ`` over the indicators the account has data
    for, so ``part_<indicator>`` columns add up to the score exactly.

    Examples
    --------
    >>> import workbench as wb
    >>> a = wb.start()
    >>> s = commitment_scores(a.metrics, a.params)
    >>> bool(((s.filter(like="part_").sum(axis=1) - s.commitment_score).abs() < 1e-9).all())
    True
    """
    raw = commitment_indicators(metrics, params)
    parts = score_parts(raw, params.commitment.weights)
    ranks = raw.rank(pct=True, method="average")
    used = ranks.notna() & (pd.Series(params.commitment.weights).reindex(raw.columns).fillna(0) > 0)
    score = parts.sum(axis=1).where(used.any(axis=1))

    out = pd.DataFrame(index=raw.index)
    out["commitment_score"] = score
    out["segment"] = segment_of(out["commitment_score"], params)
    out["committed"] = out["segment"].isin(["entrenched", "average"])
    out["confidence"] = _confidence(metrics.set_index("account_id"), used, params)
    out["drivers"] = _drivers(ranks, used)
    out["available"] = used.apply(lambda r: ",".join(r.index[r]), axis=1)
    for name in raw.columns:
        out[f"part_{name}"] = parts[name]
    return out.reset_index()


def score_parts(indicators: pd.DataFrame, weights: dict[str, float]) -> pd.DataFrame:
    """Points each indicator contributes to each account's score (rows sum to 0–100).

    Every indicator is percentile-ranked among the accounts that have it (ties share the
    average rank); an account's points are ``100 × wᵢ·rankᵢ / Σ wⱼ`` over the indicators
    it has, so a missing indicator neither helps nor hurts.

    Examples
    --------
    >>> ind = pd.DataFrame({"recency": [-5.0, -50.0], "tenure": [100.0, None]}, index=["a", "b"])
    >>> score_parts(ind, {"recency": 1, "tenure": 1}).sum(axis=1).tolist()
    [100.0, 50.0]
    """
    ranks = indicators.rank(pct=True, method="average")
    w = pd.Series({k: float(weights.get(k, 0.0)) for k in indicators.columns}, dtype="float64")
    used = ranks.notna() & (w > 0)
    total = used.mul(w, axis=1).sum(axis=1).replace(0, np.nan)
    return ranks.fillna(0).mul(w, axis=1).mul(100).div(total, axis=0).where(used, 0.0)


def segment_of(score: pd.Series, params: Params) -> pd.Series:
    """Hofmeyr's segments from the score and the thresholds in params."""
    t = params.commitment.thresholds
    bins = [-np.inf, t.shallow, t.average, t.entrenched, np.inf]
    labels = ["convertible", "shallow", "average", "entrenched"]
    seg = pd.cut(score, bins=bins, labels=labels, right=False).astype("object")
    return seg.where(score.notna(), "unscored")


def _confidence(m: pd.DataFrame, used: pd.DataFrame, params: Params) -> pd.Series:
    c = params.commitment.confidence
    events = m["n_interactions"] + m.get("n_purchases", 0)
    thin = (m["tenure_days"].astype("float64").fillna(0) < c.min_tenure_days) | (events < c.min_events)
    sparse = used.sum(axis=1) < (2 / 3) * used.shape[1]
    return pd.Series(
        np.select([thin.to_numpy(), sparse.to_numpy()], ["low", "medium"], "high"), index=m.index
    )


def _drivers(ranks: pd.DataFrame, used: pd.DataFrame) -> pd.Series:
    """'strongest: regularity, recency; weakest: satisfaction' from the percentile ranks."""
    def one(row: pd.Series) -> str:
        r = row.dropna().sort_values(ascending=False)
        if r.empty:
            return ""
        return f"strongest: {', '.join(r.index[:2])}; weakest: {r.index[-1]}"

    return ranks.where(used).apply(one, axis=1)


def account_drivers(scores: pd.DataFrame, account_id: str, params: Params) -> pd.DataFrame:
    """One account's score as points earned against points possible, per indicator.

    ``possible`` is the indicator's weight share of 100 among the indicators the account
    has data for; ``points / possible`` is its percentile rank in the portfolio, so the
    weakest indicator is the one with the emptiest bar, not the one with the least weight.
    """
    row = scores.set_index("account_id").loc[account_id]
    points = row.filter(like="part_").astype("float64")
    points.index = points.index.str.removeprefix("part_")
    w = pd.Series({k: float(params.commitment.weights.get(k, 0.0)) for k in points.index})
    # An indicator the account has no data for earns nothing and could not have.
    used = w[w.index.isin(str(row["available"]).split(","))]
    possible = (100 * used / used.sum()).reindex(points.index).fillna(0.0)
    out = pd.DataFrame({"indicator": points.index, "points": points.to_numpy(), "possible": possible.to_numpy()})
    return out[out["possible"] > 0].sort_values("possible", ascending=False, kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class Backtest:
    """How well the score at ``cutoff`` predicted buying in the ``horizon_days`` after it."""

    cutoff: dt.date
    horizon_days: int
    accounts: int
    retained_share: float
    auc: dict[str, float]
    committed_lift: float | None
    by_segment: pd.DataFrame
    roc: pd.DataFrame
    outcome: str
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready headline figures (no curves)."""
        return {
            "cutoff": self.cutoff.isoformat(),
            "horizon_days": self.horizon_days,
            "accounts": self.accounts,
            "retained_share": round(self.retained_share, 4),
            "auc": {k: round(v, 4) for k, v in self.auc.items()},
            "committed_lift": None if self.committed_lift is None else round(self.committed_lift, 3),
            "retention_by_segment": self.by_segment.round(4).to_dict(orient="records"),
            "outcome": self.outcome,
            "notes": self.notes,
        }


def backtest(
    portfolio: Portfolio,
    params: Params,
    *,
    as_of: dt.date,
    cutoff: dt.date | None = None,
    horizon_days: int | None = None,
) -> Backtest:
    """Score the portfolio at ``cutoff`` and check who kept buying afterwards.

    Only data before ``cutoff`` enters the score (:func:`account_metrics` filters every
    table by date); the outcome is whether the account bought (or, without invoices,
    wrote to us) within ``horizon_days`` after it. Accounts count when the relationship
    existed and was active (an interaction or a purchase within ``kpis.active_days``)
    at the cut-off.

    Raises
    ------
    ValueError
        When the horizon runs past ``as_of`` (the outcome would be unknown).
    """
    cfg = params.commitment.backtest
    horizon = horizon_days or cfg.horizon_days
    cut = cutoff or cfg.cutoff or (as_of - dt.timedelta(days=horizon))
    if cut + dt.timedelta(days=horizon) > as_of:
        raise ValueError(
            f"backtest horizon runs past the data: {cut} + {horizon} days is after {as_of}; "
            "set an earlier commitment.backtest.cutoff or a shorter horizon_days"
        )
    metrics = account_metrics(portfolio, params, as_of=cut)
    scores = commitment_scores(metrics, params).set_index("account_id")
    m = metrics.set_index("account_id")
    population = m["tenure_days"].notna() & (m["recency_days"].astype("float64") < params.kpis.active_days)
    ids = m.index[population.to_numpy()]

    outcome, what = _kept_buying(portfolio, params, cut, horizon)
    y = outcome.reindex(ids, fill_value=False).astype(int)
    raw = commitment_indicators(metrics, params).loc[ids]
    candidates = {
        "commitment score": scores.loc[ids, "commitment_score"],
        "recency only": raw["recency"],
        "frequency only": m.loc[ids, "n_purchases"] if "n_purchases" in m else m.loc[ids, "n_inbound"],
    }
    notes: list[str] = []
    if y.nunique() < 2:
        notes.append("every account had the same outcome: AUC is undefined")
        auc = {k: float("nan") for k in candidates}
        roc = pd.DataFrame(columns=["model", "fpr", "tpr"])
    else:
        auc = {k: float(roc_auc_score(y, v.fillna(v.min()))) for k, v in candidates.items()}
        roc = pd.concat(
            [pd.DataFrame(dict(zip(("fpr", "tpr"), roc_curve(y, v.fillna(v.min()))[:2]))).assign(model=k)
             for k, v in candidates.items()],
            ignore_index=True,
        )
    seg = scores.loc[ids, "segment"]
    by_segment = (
        pd.DataFrame({"segment": seg, "retained": y})
        .groupby("segment")["retained"].agg(accounts="size", retained_share="mean")
        .reindex([s for s in SEGMENTS if s in set(seg)])
        .reset_index()
    )
    base = float(y.mean()) if len(y) else float("nan")
    committed = scores.loc[ids, "committed"]
    lift = float(y[committed].mean() / base) if committed.any() and base > 0 else None
    return Backtest(
        cutoff=cut, horizon_days=horizon, accounts=len(ids), retained_share=base, auc=auc,
        committed_lift=lift, by_segment=by_segment, roc=roc, outcome=what, notes=notes,
    )


def _kept_buying(portfolio: Portfolio, params: Params, cut: dt.date, horizon: int) -> tuple[pd.Series, str]:
    end = pd.Timestamp(cut) + pd.Timedelta(days=horizon)
    if portfolio.has("invoices"):
        inv = portfolio.invoices
        after = inv[(inv["date"] >= pd.Timestamp(cut)) & (inv["date"] < end) & (inv["amount"] > 0)]
        return pd.Series(True, index=after["account_id"].unique()), f"bought within {horizon} days"
    tz = params.client.timezone
    log = portfolio.interactions
    lo, hi = pd.Timestamp(cut, tz=tz), end.tz_localize(tz)
    after = log[(log["ts"] >= lo) & (log["ts"] < hi) & (log["direction"] == "in")]
    return pd.Series(True, index=after["account_id"].unique()), f"wrote to us within {horizon} days"


def segment_table(scores: pd.DataFrame, metrics: pd.DataFrame) -> pd.DataFrame:
    """Accounts and revenue per segment, with their shares of the portfolio."""
    df = scores[["account_id", "segment"]].merge(_with_revenue(metrics)[["account_id", "revenue"]], on="account_id")
    # min_count: without invoices a segment's revenue is unknown, not zero.
    out = df.groupby("segment").agg(accounts=("account_id", "size"), revenue=("revenue", lambda r: r.sum(min_count=1)))
    out = out.reindex([s for s in (*SEGMENTS, "unscored") if s in out.index])
    out["account_share"] = out["accounts"] / out["accounts"].sum()
    total = out["revenue"].clip(lower=0).sum()
    out["revenue_share"] = out["revenue"].clip(lower=0) / total if total > 0 else np.nan
    return out.round({"revenue": 0, "account_share": 4, "revenue_share": 4}).reset_index()


def _with_revenue(metrics: pd.DataFrame) -> pd.DataFrame:
    """``metrics`` with a ``revenue`` column: missing (unknown) when there are no invoices."""
    return metrics if "revenue" in metrics else metrics.assign(revenue=np.nan)


QUADRANTS = {
    (True, True): "core",
    (False, True): "at risk",
    (True, False): "grow",
    (False, False): "grey mass",
}


def commitment_quadrants(scores: pd.DataFrame, metrics: pd.DataFrame) -> tuple[pd.DataFrame, float]:
    """Place each account in the commitment × value map.

    Value splits at the median revenue of paying accounts: *core* (committed, valuable),
    *at risk* (valuable, not committed), *grow* (committed, small), *grey mass* (neither).

    Returns
    -------
    (pandas.DataFrame, float)
        Per account: id, name, score, segment, revenue, quadrant; and the value split.
    """
    m = _with_revenue(metrics)
    cols = [c for c in ("account_id", "name", "revenue") if c in m]
    df = scores[["account_id", "commitment_score", "segment", "committed"]].merge(m[cols], on="account_id")
    paying = df.loc[df["revenue"] > 0, "revenue"]
    split = float(paying.median()) if len(paying) else 0.0
    df["quadrant"] = [QUADRANTS[(bool(c), r > split)] for c, r in zip(df["committed"], df["revenue"])]
    return df, split
