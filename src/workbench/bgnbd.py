"""BG/NBD: the chance a customer buys again in a coming period, from its purchase history alone.

The beta-geometric / negative binomial model (Fader, Hardie & Lee 2005, "Counting your
customers the easy way") reads each customer's repeat purchases, the age of its last
purchase and its own age: a customer who bought often and recently is expected to go on;
one that bought often and then fell silent has probably left; one that bought once long
ago is not overdue. It is fitted with PyMC-Marketing's ``BetaGeoModel`` by maximum a
posteriori, which is deterministic. Purchases are counted the textbook way: a repeat
purchase is a later day with a purchase.

The answer given is the probability of at least one purchase in the period, the model's
own answer to the question the backtest asks ("did it buy within the horizon?"). It is
used twice, as the same quantity from the same purchase counts: the commitment score's
``outlook`` indicator (fitted on every customer that has bought) and the baseline the
backtest holds the score against (fitted on the backtest's accounts, the textbook way).
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd

from . import formatting
from .i18n import _


def purchase_probability(
    frequency: pd.Series, recency: pd.Series, age: pd.Series, horizon_days: int
) -> tuple[pd.Series, str]:
    """The chance each customer buys at least once in ``horizon_days``, and how that was found.

    When the BG/NBD fit fails or gives parameters that are not finite (too few repeat
    buyers, say), the NBD ranking stands in, and the note says so: purchases per day of age
    shrunk towards the pooled rate by one purchase's worth (a gamma–Poisson posterior mean),
    turned into the Poisson chance of at least one purchase; it ignores drop-out.

    Parameters
    ----------
    frequency : pandas.Series
        Repeat purchases (purchases after the first), per customer; missing = never bought.
    recency, age : pandas.Series
        Days from the first purchase to the last, and to the day of the analysis.
    horizon_days : int
        The coming period.

    Returns
    -------
    (pandas.Series, str)
        Probabilities 0–1 on ``frequency``'s index (missing where it is missing), and a note.

    Examples
    --------
    Three customers are too few to fit BG/NBD; the NBD ranking stands in and says so:

    >>> f = pd.Series([0.0, 5.0, 5.0, None], index=list("abcd"))
    >>> r, t = pd.Series([0.0, 300.0, 40.0, None], index=f.index), pd.Series([200.0, 310.0, 310.0, None], index=f.index)
    >>> p, note = purchase_probability(f, r, t, 90)
    >>> note[:26], round(float(p["b"]), 2), pd.isna(p["d"])
    ('BG/NBD did not converge (V', 0.76, True)
    """
    known = frequency.notna() & recency.notna() & age.notna()
    data = pd.DataFrame({
        "customer_id": np.arange(int(known.sum())),
        "frequency": frequency[known].astype("float64").clip(lower=0).to_numpy(),
        "recency": recency[known].astype("float64").clip(lower=0).to_numpy(),
        "T": age[known].astype("float64").to_numpy(),
    })
    data["T"] = np.maximum(data["T"], data["recency"])
    try:
        values = _fit(data, horizon_days)
        note = _("BG/NBD (PyMC-Marketing BetaGeoModel, MAP) fitted on {n} customers").format(
            n=formatting.number(len(data)))
    except Exception as err:  # noqa: BLE001 - the optional model may fail in many ways; the note says how
        rate = (data["frequency"] + 1) / (data["T"] + 1)
        pooled_days = 1 / float(rate.mean()) if len(data) and rate.mean() > 0 else 365.0
        expected = (data["frequency"] + 1) / (data["T"] + pooled_days) * horizon_days
        values = (1 - np.exp(-expected)).to_numpy()
        note = _("BG/NBD did not converge ({error}); the NBD ranking stands in").format(
            error=f"{type(err).__name__}: {str(err)[:100]}")
    out = pd.Series(np.nan, index=frequency.index, dtype="float64")
    out[known] = values
    return out, note


def _fit(data: pd.DataFrame, horizon_days: int) -> np.ndarray:
    if len(data) < 10 or (data["frequency"] > 0).sum() < 5:
        raise ValueError(f"{(data['frequency'] > 0).sum()} repeat buyers of {len(data)} customers are too few")
    # PyMC and PyTensor are heavy and chatty at import and compile time: imported here, quiet.
    for name in ("pymc", "pytensor", "pymc_marketing", "arviz"):
        logging.getLogger(name).setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pymc_marketing.clv import BetaGeoModel

        model = BetaGeoModel(data=data)
        model.fit(method="map", progressbar=False)
        post = model.fit_result
        for p in ("a", "b", "alpha", "r"):
            v = np.asarray(post[p])
            if not np.all(np.isfinite(v)) or np.any(v <= 0):
                raise ArithmeticError(f"parameter {p} = {v.ravel()[0]:g}")
        none = np.asarray(model.expected_probability_no_purchase(horizon_days, data))
    values = 1 - none.reshape(-1, len(data)).mean(axis=0)
    if not np.all(np.isfinite(values)):
        raise ArithmeticError("purchase probabilities are not finite")
    return values
