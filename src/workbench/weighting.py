"""Commitment weights fitted to the client's own history, with the params file's weights as the prior.

The params file's weights say what commitment is made of and how much each part counts in
a typical service business. How much each part really tells about who stays differs by
business: in a grocery-delivery log the days since the last order decide almost alone; in
a consultancy regularity, satisfaction and breadth weigh in. So the weights are fitted to
the client's own most recent completed period, with nothing after ``as_of``:

* the indicators as they stood ``horizon_days`` before ``as_of`` (the same percentile
  ranks the score uses, over the same accounts as the backtest: active and, with
  invoices, buying);
* the outcome in the ``horizon_days`` up to ``as_of``: bought (without invoices: wrote to
  us) or not;
* a logistic fit of that outcome on the score the weights give, with the weights pulled
  towards the params file's by a penalty on the squared difference of their shares. How
  hard to pull is chosen out of time, as the weights will be used: weights fitted to the
  period before are judged on the last one. Only weights that held from one period to the
  next move away from the params file's; a thin history (few accounts that stopped buying)
  or one whose pattern shifts keeps the params file's weights, a long, steady one earns
  its own.

The score stays a weighted mean of named, percentile-ranked parts, 0–100; only the
weights move. The backtest refits at its own cut-off, so it tests the method, not weights
that saw the outcome.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from . import formatting
from .commitment import commitment_indicators, indicator_name, indicator_ranks
from .i18n import N_, _
from .engines import log_window
from .metrics import account_metrics
from .params import Params
from .portfolio import Portfolio
from .tables import present

_BY = "account_id"
#: Penalty strengths tried, strongest first (``inf``: the params file's weights as they are).
#: There is no 0: an unpenalised fit can drive every weight but one towards zero, and the
#: score, a mean over the indicators each account has evidence for, then ranks the
#: accounts without that one by vanishing weights no table would show.
SHRINKAGE = (float("inf"), 100.0, 10.0, 1.0, 0.1, 0.01)
#: An indicator with evidence for fewer of the window's accounts than this share keeps its
#: params-file share: what it earns on a few accounts says little about its weight for all.
_MIN_COVERAGE = 0.5
#: Accounts that stopped, and that kept buying, a period needs before weights are fitted to it.
_MIN_EACH = 10
#: Above this many accounts the fit uses a seeded sample of them: the weights of a dozen
#: indicators are settled long before, and the fit stays seconds on a million accounts.
_MAX_FIT_ACCOUNTS = 20_000


@dataclass(frozen=True)
class WeightFit:
    """The commitment weights used, and how they were found.

    ``weights`` is what the score uses (``prior`` when nothing was fitted); ``shrinkage``
    the chosen penalty strength (``inf`` keeps the prior); ``out_of_time`` the AUC, on the
    last period, of the weights each strength gave on the period before; ``window`` the period whose outcome the weights were fitted to.
    """

    weights: dict[str, float]
    prior: dict[str, float]
    fitted: bool
    note: str
    window: tuple[dt.date, dt.date] | None = None
    accounts: int = 0
    stopped: int = 0
    shrinkage: float | None = None
    indicators: tuple[str, ...] = ()
    out_of_time: dict[float, float] = field(default_factory=dict)

    def table(self, indicators: Sequence[str] | None = None) -> pd.DataFrame:
        """Each indicator's share of the weight, in %, in the params file and as fitted.

        ``indicators``: the ones to show, e.g. those the scores use
        (:func:`workbench.commitment.scored_indicators`); default: those fitted, else all
        the params file weighs.

        Examples
        --------
        >>> WeightFit({"recency": 3.0, "tenure": 1.0}, {"recency": 1.0, "tenure": 1.0}, True, "").table()
                   params file, %  fitted, %
        indicator                           
        recency              50.0       75.0
        tenure               50.0       25.0
        """
        names = [k for k in (indicators or self.indicators or self.prior) if self.prior.get(k, 0) > 0]
        prior = pd.Series({k: self.prior.get(k, 0.0) for k in names}, dtype="float64")
        fitted = pd.Series({k: self.weights.get(k, 0.0) for k in names}, dtype="float64")
        out = pd.DataFrame({"params file, %": 100 * prior / prior.sum(), "fitted, %": 100 * fitted / fitted.sum()})
        out.index.name = "indicator"
        return out.round(1)

    def present(self, indicators: Sequence[str] | None = None) -> Styler:
        """:meth:`table` for the report: the indicators by name, the shares as percentages.

        Examples
        --------
        >>> fit = WeightFit({"recency": 3.0, "tenure": 1.0}, {"recency": 1.0, "tenure": 1.0}, True, "")
        >>> fit.present().data.values.tolist()
        [['recency', '50.0%', '75.0%'], ['tenure', '50.0%', '25.0%']]
        """
        t = self.table(indicators).reset_index()
        t = t.assign(indicator=t["indicator"].map(indicator_name), prior=t["params file, %"] / 100,
                     fitted=t["fitted, %"] / 100)
        columns = {"indicator": (N_("Indicator"), "text"), "prior": (N_("Weight in the params file"), "share1")}
        if self.fitted:
            columns["fitted"] = (N_("Weight fitted to this client"), "share1")
        return present(t, columns)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: the weights used, the prior, and how the fit went."""
        return {
            "fitted": self.fitted,
            "weights": {k: round(v, 4) for k, v in self.weights.items()},
            "prior": self.prior,
            "window": [d.isoformat() for d in self.window] if self.window else None,
            "accounts": self.accounts,
            "stopped": self.stopped,
            "shrinkage": None if self.shrinkage is None else str(self.shrinkage),
            "indicators": list(self.indicators),
            "out_of_time_auc": {str(k): round(v, 4) for k, v in self.out_of_time.items()},
            "note": self.note,
        }


def population(metrics: pd.DataFrame, params: Params, with_invoices: bool) -> pd.Index:
    """The accounts a backtest or a fit judges: a relationship that existed and was active
    (an interaction or a purchase within ``kpis.active_days``) at the metrics' date and,
    with invoices, had bought."""
    m = metrics.set_index(_BY)
    keep = m["tenure_days"].notna() & (m["recency_days"].astype("float64") < params.kpis.active_days)
    if with_invoices:
        keep &= m["last_purchase"].notna()
    return m.index[keep.to_numpy()]


def outcome(portfolio: Portfolio, params: Params, cut: dt.date, horizon: int) -> tuple[pd.Series, str]:
    """Who bought (without invoices: wrote to us) from ``cut`` up to ``horizon`` days later.

    A purchase is an invoice line with a positive amount: a credit note or a cancellation
    is not one.
    """
    end = pd.Timestamp(cut) + pd.Timedelta(days=horizon)
    if portfolio.has("invoices"):
        inv = portfolio.invoices
        after = inv[(inv["date"] >= pd.Timestamp(cut)) & (inv["date"] < end) & (inv["amount"] > 0)]
        return pd.Series(True, index=after[_BY].unique()), _("bought within {days} days").format(
            days=formatting.number(horizon))
    tz = params.client.timezone
    after = log_window(portfolio.log_source, pd.Timestamp(cut, tz=tz), end.tz_localize(tz), (_BY, "ts", "direction"))
    after = after[after["direction"] == "in"]
    return pd.Series(True, index=after[_BY].unique()), _("wrote to us within {days} days").format(
        days=formatting.number(horizon))


def fit_weights(portfolio: Portfolio, params: Params, *, as_of: dt.date) -> WeightFit:
    """Fit the commitment weights to the outcome of the last ``commitment.backtest.horizon_days``
    before ``as_of``, with the params file's weights as the prior.

    How hard to pull towards the prior is chosen out of time, the way the weights will be
    used: weights fitted to the period before last, at each strength in :data:`SHRINKAGE`,
    score the accounts at the start of the last period, and the strength whose scores
    best told who kept buying in it wins (ties to the stronger pull). The weights are then
    fitted to the last period at that strength. Nothing on or after ``as_of`` is read.

    When ``commitment.fit_weights`` is false, or either period holds too few accounts that
    stopped (or kept) buying, the params file's weights are used and the note says why.

    Examples
    --------
    >>> import workbench as wb
    >>> a = wb.start()
    >>> fit = fit_weights(a.portfolio, a.params, as_of=a.as_of)
    >>> set(fit.weights) <= set(fit.prior), fit.window[1] == a.as_of
    (True, True)
    """
    prior = {k: float(v) for k, v in params.commitment.weights.items()}
    if not params.commitment.fit_weights:
        return WeightFit(prior, prior, False, _("the params file's weights (fitting them to the client's history "
                                                "is switched off in the params file)"))
    horizon = params.commitment.backtest.horizon_days
    last_start = as_of - dt.timedelta(days=horizon)
    window = (last_start, as_of)
    last = _period(portfolio, params, last_start, horizon)
    if isinstance(last, str):
        return WeightFit(prior, prior, False, _("{why}, so the params file's weights are used").format(why=last),
                         window)
    earlier = _period(portfolio, params, last_start - dt.timedelta(days=horizon), horizon)
    ranks, y, what = last
    stopped = int((y == 0).sum())
    if isinstance(earlier, str):
        why = _("{why}: there is no earlier period to check that fitted weights hold from one period to the "
                "next, so the params file's weights are used").format(why=earlier)
        return WeightFit(prior, prior, False, why, window, len(y), stopped)
    names = [c for c in ranks.columns if prior.get(c, 0) > 0 and c in earlier[0].columns]
    if len(names) < 2:
        return WeightFit(prior, prior, False, _("fewer than two indicators tell the accounts apart: nothing to weigh"),
                         window, len(y), stopped)
    w0 = np.array([prior[c] for c in names])
    r_then, y_then = _sampled(earlier[0][names].to_numpy(dtype="float64"), earlier[1])
    r_now, y_now = _sampled(ranks[names].to_numpy(dtype="float64"), y)
    free = ((~np.isnan(r_then)).mean(axis=0) >= _MIN_COVERAGE) & ((~np.isnan(r_now)).mean(axis=0) >= _MIN_COVERAGE)
    out_of_time = out_of_time_auc(r_then, y_then, r_now, y_now, w0, free=free)
    # AUCs within a thousandth are a tie (noise), and a tie goes to the stronger pull.
    best = max(SHRINKAGE, key=lambda lam: (round(out_of_time[lam], 3), lam))
    fitted = fit_to_outcome(r_now, y_now, w0, shrinkage=best, free=free)
    # Indicators outside the fit (no evidence in one of the periods) keep the prior's weight.
    weights = prior | {c: float(v) for c, v in zip(names, fitted)}
    if np.isinf(best):
        note = _("weights fitted to the period before {date} told which accounts {outcome} after it no better "
                 "than the params file's, so those are used").format(date=formatting.date(last_start), outcome=what)
    else:
        note = _("fitted to which accounts {outcome} after {date} ({accounts} accounts, {stopped} did not), "
                 "pulled towards the params file's weights as hard as predicted best from one period to the "
                 "next").format(outcome=what, date=formatting.date(last_start), accounts=formatting.number(len(y)),
                                stopped=formatting.number(stopped))
    return WeightFit(weights, prior, not np.isinf(best), note, window, len(y), stopped, best, tuple(names), out_of_time)


def _period(
    portfolio: Portfolio, params: Params, start: dt.date, horizon: int
) -> tuple[pd.DataFrame, np.ndarray, str] | str:
    """Indicator ranks at ``start`` of the accounts judged, who bought (or wrote) in the
    ``horizon`` days after it, and that outcome in words; or why the period cannot be fitted to."""
    metrics = account_metrics(portfolio, params, as_of=start)
    ids = population(metrics, params, portfolio.has("invoices"))
    happened, what = outcome(portfolio, params, start, horizon)
    y = happened.reindex(ids, fill_value=False).to_numpy(dtype=int)
    stopped = int((y == 0).sum())
    if not len(y):
        return _("no account had bought and was active on {date}").format(date=formatting.date(start))
    if min(stopped, len(y) - stopped) < _MIN_EACH:
        return _("of the {accounts} accounts active on {date}, {kept} {outcome} after it and {stopped} did not (at "
                 "least {needed} of each are needed)").format(
            accounts=formatting.number(len(y)), date=formatting.date(start), kept=formatting.number(len(y) - stopped),
            outcome=what, stopped=formatting.number(stopped), needed=formatting.number(_MIN_EACH))
    return indicator_ranks(commitment_indicators(metrics, params)).reindex(ids), y, what


def _sampled(ranks: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if len(y) <= _MAX_FIT_ACCOUNTS:
        return ranks, y
    keep = np.random.default_rng(0).choice(len(y), _MAX_FIT_ACCOUNTS, replace=False)
    return ranks[keep], y[keep]


def score_with(weights: np.ndarray, ranks: np.ndarray) -> np.ndarray:
    """The commitment score, 0–1, of rank rows (missing = no evidence) under ``weights``:
    the weighted mean over the indicators each row has evidence for (0.5 for none).

    Examples
    --------
    >>> score_with(np.array([1.0, 3.0]), np.array([[1.0, 0.0], [np.nan, 0.5]])).tolist()
    [0.25, 0.5]
    """
    have = ~np.isnan(ranks)
    total = have @ weights
    points = np.where(have, ranks, 0.0) @ weights
    return np.divide(points, total, out=np.full(len(ranks), 0.5), where=total > 0)


def fit_to_outcome(
    ranks: np.ndarray, y: np.ndarray, prior: np.ndarray, *, shrinkage: float, free: np.ndarray | None = None
) -> np.ndarray:
    """Non-negative weights that make the score predict ``y`` (logistic loss), pulled
    towards ``prior`` by ``shrinkage`` × the squared difference of the weight shares.

    Only the ``free`` weights move (default: all); the others keep the prior's value, and
    the free ones keep the prior's total between them, so the result reads on the params
    file's scale. ``shrinkage`` ``inf`` returns the prior.

    Examples
    --------
    Two indicators, the second of which decides the outcome, and a prior that weighs them
    alike: a weak pull lets the second take most of the weight.

    >>> rng = np.random.default_rng(0)
    >>> ranks = rng.random((400, 2))
    >>> y = (ranks[:, 1] > 0.4).astype(int)
    >>> w = fit_to_outcome(ranks, y, np.array([1.0, 1.0]), shrinkage=0.01)
    >>> bool(w[1] > 3 * w[0]), round(float(w.sum()), 6)
    (True, 2.0)
    """
    prior = prior.astype("float64")
    free = np.ones(len(prior), dtype=bool) if free is None else np.asarray(free, dtype=bool)
    if np.isinf(shrinkage) or not free.any():
        return prior
    k = int(free.sum())
    budget = prior[free].sum()
    share0 = prior / prior.sum()

    def full(w: np.ndarray) -> np.ndarray:
        out = prior.copy()
        out[free] = w
        return out

    def loss(p: np.ndarray) -> float:
        w, a, b = full(p[:k]), p[k], p[k + 1]
        z = a + b * score_with(w, ranks)
        fit = np.mean(np.logaddexp(0.0, z) - y * z)
        share = w / max(w.sum(), 1e-12)
        # The score ignores the weights' scale; the last term pins the free ones' total.
        return float(fit + shrinkage * np.sum((share - share0) ** 2) + (p[:k].sum() / budget - 1) ** 2)

    start = np.concatenate([prior[free], [0.0, 1.0]])
    from scipy.optimize import minimize  # scipy and scikit-learn: only a fit pays their import

    res = minimize(loss, start, method="L-BFGS-B", bounds=[(0.0, None)] * k + [(None, None)] * 2)
    w = res.x[:k]
    return full(w * budget / w.sum()) if w.sum() > 0 else prior


def out_of_time_auc(
    ranks_then: np.ndarray, y_then: np.ndarray, ranks_now: np.ndarray, y_now: np.ndarray, prior: np.ndarray,
    *, free: np.ndarray | None = None,
) -> dict[float, float]:
    """For each strength in :data:`SHRINKAGE`: the AUC on the later period of the weights
    fitted to the earlier one. The strongest pull (``inf``) is the prior itself.

    Examples
    --------
    The second indicator decides in both periods, so weaker pulls do better:

    >>> rng = np.random.default_rng(1)
    >>> then, now = rng.random((300, 2)), rng.random((300, 2))
    >>> auc = out_of_time_auc(then, (then[:, 1] > 0.3).astype(int), now, (now[:, 1] > 0.3).astype(int),
    ...                       np.array([1.0, 1.0]))
    >>> bool(auc[0.01] > auc[float("inf")])
    True
    """
    from sklearn.metrics import roc_auc_score

    return {
        lam: float(roc_auc_score(
            y_now, score_with(fit_to_outcome(ranks_then, y_then, prior, shrinkage=lam, free=free), ranks_now)))
        for lam in SHRINKAGE
    }
