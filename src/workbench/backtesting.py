"""Backtest: does the commitment score at an earlier cut-off predict who kept buying?

The portfolio is scored as it stood at a cut-off, with nothing after it, and the score is
compared, by the area under the ROC curve (AUC), with three baselines on the same accounts:
*recency only* (days since the last purchase), *frequency only* (purchases in the year
before) and a *BG/NBD* model (Fader, Hardie & Lee 2005, fitted with PyMC-Marketing), the
standard "buy till you die" model of repeat buying, asked the backtest's own question: the
chance of at least one purchase within the horizon. The score's weights are fitted at the
cut-off as a report fits them at ``as_of`` (:func:`workbench.weighting.fit_weights`: on
the period before the cut-off only), so the backtest tests the method, not weights that
saw the outcome. Each comparison carries a paired
bootstrap 95 % interval of the AUC difference: the same resampled accounts score both, so
the interval shows whether the margin is more than the luck of which accounts happen to
be in the portfolio.

Purchases are invoice lines with a positive amount: credit notes and cancellations are not
purchases in the score, the baselines or the outcome, and an account whose only invoices
before the cut-off are cancellations is not in the population.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from . import formatting
from .bgnbd import purchase_probability
from .commitment import SEGMENTS, and_list, commitment_scores
from .i18n import N_, _, pgettext
from .metrics import account_metrics
from .params import Params
from .portfolio import Portfolio
from .tables import present
from .weighting import WeightFit, fit_weights, outcome, population

#: The models compared, the score first.
MODELS = ("commitment score", "recency only", "frequency only", "BG/NBD")
_BY = "account_id"


def model_name(model: str) -> str:
    """A model of :data:`MODELS` by name in the report's language."""
    return pgettext("model", model)


@dataclass(frozen=True)
class AucDifference:
    """The score's AUC minus a baseline's, with a paired-bootstrap 95 % interval."""

    baseline: str
    difference: float
    low: float
    high: float

    @property
    def beats(self) -> bool:
        """True when the whole interval is above zero."""
        return bool(self.low > 0)


@dataclass(frozen=True)
class Backtest:
    """How well the score at ``cutoff`` predicted buying in the ``horizon_days`` after it.

    ``auc`` holds each model in :data:`MODELS`; ``differences`` the score against each
    baseline with its interval; ``baseline_notes`` what the BG/NBD fit did (converged, or
    fell back to the NBD ranking and why).
    """

    cutoff: dt.date
    horizon_days: int
    accounts: int
    retained_share: float
    auc: dict[str, float]
    differences: list[AucDifference]
    committed_lift: float | None
    by_segment: pd.DataFrame
    roc: pd.DataFrame
    outcome: str
    baseline_notes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    weight_fit: WeightFit | None = None

    @property
    def unavailable(self) -> str | None:
        """Why the score could not be tested (no accounts, one outcome for all, no score at the
        cut-off); None when it was."""
        if np.isfinite(self.auc.get(MODELS[0], np.nan)):
            return None
        return self.notes[0] if self.notes else _("no account could be scored at the cut-off")

    @property
    def missing(self) -> list[str]:
        """The backtest as a line of the report's list of what could not be computed."""
        return [_("the backtest: {why}").format(why=self.unavailable)] if self.unavailable else []

    def summary(self) -> str:
        """The cut-off, the accounts tested, the outcome, the verdict and the committed
        accounts' rate against all (markdown, in the report's language).

        Examples
        --------
        >>> d = [AucDifference("recency only", 0.05, 0.02, 0.08)]
        >>> Backtest(dt.date(2026, 1, 1), 180, 100, 0.5, {}, d, 1.5, pd.DataFrame(), pd.DataFrame(),
        ...          "bought within 180 days").summary()  # doctest: +NORMALIZE_WHITESPACE
        'Cut-off **01/01/2026**: of the 100 active accounts, 50% bought within 180 days. The score predicts
        better than recency only (the whole interval above zero). Of the committed accounts, 75% did: 1.50 times
        the rate of all the accounts tested.'
        """
        text = _("Cut-off **{date}**: of the {accounts} active accounts, {share} {outcome}.").format(
            date=formatting.date(self.cutoff), accounts=formatting.number(self.accounts),
            share=formatting.percent(self.retained_share), outcome=self.outcome)
        text += " " + self.verdict()
        if self.committed_lift:
            text += " " + _("Of the committed accounts, {share} did: {lift} times the rate of all the accounts "
                            "tested.").format(share=formatting.percent(self.committed_lift * self.retained_share),
                                              lift=formatting.number(self.committed_lift, 2))
        return text

    def notes_sentence(self) -> str:
        """What the baselines did, why the score could not be tested, and which weights
        scored the cut-off, as sentences (markdown)."""
        notes = [n[:1].upper() + n[1:] + "." for n in self.baseline_notes + self.notes]
        if self.weight_fit is not None:
            notes.append(_("Weights at the cut-off: {note}.").format(note=self.weight_fit.note))
        return " ".join(notes)

    def verdict(self) -> str:
        """Which baselines the score beats beyond chance, in one sentence.

        Examples
        --------
        >>> d = [AucDifference("recency only", 0.05, 0.02, 0.08), AucDifference("BG/NBD", 0.01, -0.01, 0.03)]
        >>> Backtest(dt.date(2026, 1, 1), 180, 100, 0.5, {}, d, None, pd.DataFrame(), pd.DataFrame(), "bought").verdict()
        'The score predicts better than recency only (the whole interval above zero); against BG/NBD the interval includes zero: no better, on this evidence.'
        """
        ahead = and_list(model_name(d.baseline) for d in self.differences if d.beats)
        level = and_list(model_name(d.baseline) for d in self.differences if not d.beats)
        if ahead and level:
            text = _("The score predicts better than {ahead} (the whole interval above zero); against {level} the "
                     "interval includes zero: no better, on this evidence.")
        elif ahead:
            text = _("The score predicts better than {ahead} (the whole interval above zero).")
        elif level:
            text = _("The score does not predict better than any baseline beyond chance; against {level} the "
                     "interval includes zero: no better, on this evidence.")
        else:
            text = _("The score does not predict better than any baseline beyond chance.")
        return text.format(ahead=ahead, level=level)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready headline figures (no curves)."""
        return {
            "cutoff": self.cutoff.isoformat(),
            "horizon_days": self.horizon_days,
            "accounts": self.accounts,
            "retained_share": round(self.retained_share, 4),
            "auc": {k: round(v, 4) for k, v in self.auc.items()},
            "auc_difference": {
                d.baseline: {"difference": round(d.difference, 4), "ci95": [round(d.low, 4), round(d.high, 4)],
                             "beats": d.beats}
                for d in self.differences
            },
            "committed_lift": None if self.committed_lift is None else round(self.committed_lift, 3),
            "retention_by_segment": self.by_segment.round(4).to_dict(orient="records"),
            "outcome": self.outcome,
            "baseline_notes": self.baseline_notes,
            "notes": self.notes,
            "weights": None if self.weight_fit is None else self.weight_fit.as_dict(),
        }


def backtest_table(bt: Backtest) -> pd.DataFrame:
    """AUC per model and the score's margin over each baseline with its 95 % interval.

    Examples
    --------
    >>> d = [AucDifference("recency only", 0.05, 0.02, 0.08)]
    >>> bt = Backtest(dt.date(2026, 1, 1), 180, 100, 0.5, {"commitment score": 0.8, "recency only": 0.75},
    ...               d, None, pd.DataFrame(), pd.DataFrame(), "bought")
    >>> backtest_table(bt).loc["recency only", "score better by"]
    '+0.050 (+0.020 to +0.080)'
    """
    rows = []
    diffs = {d.baseline: d for d in bt.differences}
    for model, auc in bt.auc.items():
        d = diffs.get(model)
        rows.append({"model": model, "AUC": round(auc, 3),
                     "score better by": "" if d is None else
                     f"{d.difference:+.3f} ({d.low:+.3f} to {d.high:+.3f})"})
    return pd.DataFrame(rows).set_index("model")


def present_backtest(bt: Backtest) -> Styler:
    """:func:`backtest_table` for the report: the models by name, AUC to two decimals and
    the score's margin with its interval in the report's locale.

    Examples
    --------
    >>> d = [AucDifference("recency only", 0.05, 0.02, 0.08)]
    >>> bt = Backtest(dt.date(2026, 1, 1), 180, 100, 0.5, {"commitment score": 0.8, "recency only": 0.75},
    ...               d, None, pd.DataFrame(), pd.DataFrame(), "bought")
    >>> present_backtest(bt).data.values.tolist()
    [['commitment score', '0.80', '–'], ['recency only', '0.75', '+0.05 (+0.02 to +0.08)']]
    """
    def signed(x: float) -> str:
        return ("+" if x >= 0 else "") + formatting.number(x, 2)

    diffs = {d.baseline: d for d in bt.differences}
    rows = pd.DataFrame({
        "model": [model_name(m) for m in bt.auc],
        "auc": list(bt.auc.values()),
        "margin": [None if (d := diffs.get(m)) is None else _("{difference} ({low} to {high})").format(
            difference=signed(d.difference), low=signed(d.low), high=signed(d.high)) for m in bt.auc],
    })
    return present(rows, {"model": (N_("Model"), "text"), "auc": ("AUC", "ratio"),
                          "margin": (N_("Score better by (95% interval)"), "text")})


def backtest(
    portfolio: Portfolio,
    params: Params,
    *,
    as_of: dt.date,
    cutoff: dt.date | None = None,
    horizon_days: int | None = None,
    n_boot: int = 1000,
    seed: int = 0,
) -> Backtest:
    """Score the portfolio at ``cutoff`` and check who kept buying afterwards.

    Only data before ``cutoff`` enters the score, its fitted weights and the baselines
    (:func:`account_metrics` filters every table by date); the outcome is whether the account bought (or, without
    invoices, wrote to us) within ``horizon_days`` after it. Accounts count when the
    relationship existed and was active (an interaction or a purchase within
    ``kpis.active_days``) at the cut-off, and, with invoices, when they had bought.

    Raises
    ------
    ValueError
        When the horizon runs past ``as_of`` (the outcome would be unknown).

    Examples
    --------
    >>> import workbench as wb
    >>> a = wb.start()
    >>> bt = backtest(a.portfolio, a.params, as_of=a.as_of, n_boot=200)
    >>> sorted(bt.auc) == sorted(MODELS)
    True
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
    weight_fit = fit_weights(portfolio, params, as_of=cut)
    scores = commitment_scores(metrics, params, weight_fit.weights).set_index(_BY)
    m = metrics.set_index(_BY)
    with_invoices = portfolio.has("invoices")
    ids = population(metrics, params, with_invoices)

    happened, what = outcome(portfolio, params, cut, horizon)
    y = happened.reindex(ids, fill_value=False).astype(int).to_numpy()
    last = m["last_purchase"] if with_invoices else None
    since = (pd.Timestamp(cut) - last).dt.days if last is not None else m["recency_days"]
    candidates = {
        "commitment score": scores.loc[ids, "commitment_score"],
        "recency only": -since.loc[ids].astype("float64"),
        "frequency only": m.loc[ids, "n_purchases" if with_invoices else "n_inbound"].astype("float64"),
    }
    baseline_notes: list[str] = []
    if with_invoices and len(ids):
        h = m.loc[ids]
        chance, note = purchase_probability(h["purchase_days_lifetime"] - 1, (h["last_purchase"] - h["first_purchase"]).dt.days,
                                            (pd.Timestamp(cut) - h["first_purchase"]).dt.days, horizon)
        candidates["BG/NBD"] = chance
        baseline_notes.append(note)
    elif not with_invoices:
        baseline_notes.append(_("BG/NBD needs purchases: without invoices it is left out"))
    notes: list[str] = []
    values = {k: v.astype("float64").fillna(v.min()).to_numpy() for k, v in candidates.items()}
    auc = {k: float("nan") for k in values}
    diffs: list[AucDifference] = []
    roc = pd.DataFrame(columns=["model", "fpr", "tpr"])
    if not len(y):
        notes.append(_("no account was active in the {days} days before the cut-off {date}: there is no one to "
                       "test the score on").format(days=formatting.number(params.kpis.active_days),
                                                   date=formatting.date(cut)))
    elif len(set(y)) < 2:
        notes.append(_("every account had the same outcome: AUC is undefined"))
    else:
        auc = {k: float(auc_score(y, v)) for k, v in values.items()}
        diffs = paired_bootstrap(y, values, "commitment score", n_boot=n_boot, seed=seed)
        from sklearn.metrics import roc_curve  # scikit-learn's import costs a second: only here

        roc = pd.concat(
            [pd.DataFrame(dict(zip(("fpr", "tpr"), roc_curve(y, v)[:2]))).assign(model=k) for k, v in values.items()],
            ignore_index=True,
        )
    seg = scores.loc[ids, "segment"]
    by_segment = (
        pd.DataFrame({"segment": seg.to_numpy(), "retained": y})
        .groupby("segment")["retained"].agg(accounts="size", retained_share="mean")
        .reindex([s for s in SEGMENTS if s in set(seg)])
        .reset_index()
    )
    base = float(y.mean()) if len(y) else float("nan")
    committed = scores.loc[ids, "committed"].to_numpy(dtype=bool)
    lift = float(y[committed].mean() / base) if committed.any() and base > 0 else None
    return Backtest(
        cutoff=cut, horizon_days=horizon, accounts=len(ids), retained_share=base, auc=auc, differences=diffs,
        committed_lift=lift, by_segment=by_segment, roc=roc, outcome=what,
        baseline_notes=baseline_notes, notes=notes, weight_fit=weight_fit,
    )


def auc_score(y: np.ndarray, score: np.ndarray) -> float:
    """Area under the ROC curve by the Mann–Whitney rank sum (ties count half).

    Examples
    --------
    >>> auc_score(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]))
    0.75
    """
    y = np.asarray(y)
    if not len(y):
        return float("nan")
    return float(_weighted_auc(y, np.asarray(score, dtype="float64"), np.ones((1, len(y))))[0])


def _weighted_auc(y: np.ndarray, s: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The AUC of each row of ``counts`` (how often each account is drawn) on scores ``s``.

    A bootstrap resample is a count per account, so its AUC is the Mann–Whitney sum with
    multiplicities: for each score, its positives' count times the negatives' count below
    it plus half of those equal to it. One sort of the scores serves every resample, where
    ranking each resample sorted 1 000 copies of the accounts. A resample that draws an
    account without a score has no AUC (NaN), as a rank sum with a missing score.
    """
    order = np.argsort(s, kind="stable")
    s_sorted = s[order]
    # Equal scores form one group: a tie counts half whichever side it falls on.
    starts = np.flatnonzero(np.r_[True, s_sorted[1:] != s_sorted[:-1]])
    w = counts[:, order].astype("float64")
    pos = np.add.reduceat(w * y[order], starts, axis=1)
    neg = np.add.reduceat(w * (1 - y[order]), starts, axis=1)
    below = np.cumsum(neg, axis=1) - neg
    u = (pos * (below + neg / 2)).sum(axis=1)
    p, q = pos.sum(axis=1), neg.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        auc = u / (p * q)
    missing = np.isnan(s)
    if missing.any():
        auc[(counts[:, missing] > 0).any(axis=1)] = np.nan
    return auc


#: Accounts drawn per block of bootstrap resamples (about 40 MB of draws).
_DRAWS_PER_BLOCK = 5_000_000


def paired_bootstrap(
    y: np.ndarray, values: dict[str, np.ndarray], reference: str, *, n_boot: int = 1000, seed: int = 0
) -> list[AucDifference]:
    """AUC of ``reference`` minus each other model's, with a 95 % percentile interval.

    Accounts are resampled with replacement, the same resample for every model (a paired
    bootstrap), so what the models share (which accounts are easy) cancels out of the
    difference.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> y = rng.integers(0, 2, 400)
    >>> good, noise = y + rng.normal(0, 0.5, 400), rng.normal(0, 1, 400)
    >>> d = paired_bootstrap(y, {"good": good, "noise": noise}, "good", n_boot=300)[0]
    >>> d.baseline, d.beats
    ('noise', True)
    """
    rng = np.random.default_rng(seed)
    n = len(y)
    ref_all = auc_score(y, values[reference])
    others = [k for k in values if k != reference]
    diffs: dict[str, list[np.ndarray]] = {k: [] for k in others}
    # Resamples are drawn and scored a block at a time: 1 000 resamples of 100 000 accounts
    # held at once took gigabytes. The draws are those of one call (the generator's stream
    # does not depend on the block size), so the interval does not either.
    block = max(1, min(n_boot, _DRAWS_PER_BLOCK // max(n, 1)))
    for first in range(0, n_boot, block):
        b = min(block, n_boot - first)
        idx = rng.integers(0, n, size=(b, n))
        counts = np.bincount((np.arange(b)[:, None] * n + idx).ravel(), minlength=b * n).reshape(b, n)
        ref = _weighted_auc(y, values[reference], counts)
        for name in others:
            diffs[name].append(ref - _weighted_auc(y, values[name], counts))
    out = []
    for name in others:
        diff = np.concatenate(diffs[name]) if diffs[name] else np.array([])
        diff = diff[np.isfinite(diff)]
        lo, hi = np.percentile(diff, [2.5, 97.5]) if len(diff) else (np.nan, np.nan)
        out.append(AucDifference(name, ref_all - auc_score(y, values[name]), float(lo), float(hi)))
    return out
