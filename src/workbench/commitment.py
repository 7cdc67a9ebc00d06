"""Commitment: who is committed and who is not, transparently, and proof that it predicts.

The score is a weighted mean of behavioural indicators, each percentile-ranked within the
portfolio, so every account's score is the sum of named parts anyone can read. Segments
follow Hofmeyr's Conversion Model: committed accounts are *entrenched* or *average*,
uncommitted ones *shallow* or *convertible*. :mod:`workbench.backtest` proves the score
predicts.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
from babel.lists import format_list
from pandas.io.formats.style import Styler

from . import formatting
from .bgnbd import purchase_probability
from .i18n import N_, _, locale, pgettext
from .metrics import Coverage, analysis_window
from .params import Params
from .tables import present

#: Indicators in the order they are shown, with what each measures (higher = more committed).
#: Their names are the params schema's (:data:`workbench.params.INDICATOR_NAMES`).
#: The descriptions are catalogue messages: show them with ``_()``; show a name with
#: :func:`indicator_name`.
INDICATORS: dict[str, str] = {
    "tenure": N_("how long it has been a customer (from its own first purchase, message or contract)"),
    "regularity": N_("share of months with a purchase (of the months it could have bought in)"),
    "recency": N_("how recently it last bought (or last wrote to us, without invoices)"),
    "outlook": N_("its chance of buying in the coming period (BG/NBD, from its purchase history)"),
    "trend": N_("revenue in the last year against the year before"),
    "breadth": N_("how many different services it buys"),
    "satisfaction": N_("its latest survey score"),
    "harmony": N_("share of its messages that are not complaints"),
    "engagement": N_("share of our unprompted contacts it answered"),
    "meetings": N_("meetings and visits in the last year"),
    "contract": N_("how binding its contract is (retainer, subscription, project, ad hoc)"),
}
SEGMENTS = ("entrenched", "average", "shallow", "convertible")
#: The segments committed accounts are in.
COMMITTED = ("entrenched", "average")


def segment_name(segment: str) -> str:
    """A segment's name in the report's language (``'average'`` → ``'kohtalaisesti sitoutuneet'``).

    Examples
    --------
    >>> from workbench.i18n import override
    >>> with override("fi"):
    ...     segment_name("entrenched"), segment_name("average")
    ('vahvasti sitoutuneet', 'kohtalaisesti sitoutuneet')
    """
    return pgettext("segment", segment)


def indicator_name(indicator: str) -> str:
    """An indicator's name in the report's language (``'recency'`` → ``'tuoreus'``)."""
    return pgettext("indicator", indicator)


def confidence_name(level: str) -> str:
    """A confidence level (high, medium, low) in the report's language."""
    return pgettext("confidence", level)


def and_list(items: Iterable[str]) -> str:
    """``['a', 'b', 'c']`` → ``'a, b and c'`` (``'a, b ja c'``) in the report's locale."""
    items = list(items)
    return format_list(items, locale=locale()) if items else ""
#: Months of prior weight behind the portfolio's typical regularity: an account seen for a
#: quarter or less is judged mostly by what is typical, one seen for a year mostly by itself.
_PRIOR_MONTHS = 3.0


def commitment_indicators(metrics: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Raw indicator values per account, missing where the account gives no evidence.

    An indicator is evidence only where the account did something it could be judged on:
    purchase indicators need a purchase (credit notes and cancellations are not
    purchases), ``trend`` a purchase before the window so there is a year to compare with,
    ``harmony`` a message from it, ``engagement`` an unprompted contact from us,
    ``satisfaction`` a survey answer, ``contract`` a known contract type, ``tenure`` a
    trace of its own (not only our messages to it). Indicators that do not vary over the
    portfolio are left out: they cannot tell one account from another.

    Parameters
    ----------
    metrics : pandas.DataFrame
        :func:`workbench.account_metrics` output (its ``attrs`` carry ``as_of``).
    params : Params
        ``commitment.contract_levels`` maps contract types to 0–1.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``account_id``, one column per informative name in :data:`INDICATORS`.

    Examples
    --------
    >>> import workbench as wb
    >>> a = wb.start()
    >>> raw = commitment_indicators(a.metrics, a.params)
    >>> bool(raw["engagement"].isna().eq(a.metrics.set_index("account_id").proactive_outbound.eq(0)).all())
    True
    """
    m = metrics.set_index("account_id")
    day, window = analysis_window(metrics)
    as_of, window_days = pd.Timestamp(day), float(window)
    out = pd.DataFrame(index=m.index)
    out["tenure"] = m["tenure_days"].astype("float64")
    if "last_purchase" in m:
        bought = m["last_purchase"].notna()
        since = (as_of - m["last_purchase"]).dt.days.astype("float64")
        age = (as_of - m["first_purchase"]).dt.days.astype("float64")
        months_possible = (m["tenure_days"].astype("float64") / 30.44).clip(1, window_days / 30.44)
        share = m["invoice_months"] / months_possible
        typical = float(share[bought].mean()) if bought.any() else 0.0
        # Shrunk towards the portfolio's typical share: two purchases in a new account's
        # first two months are not yet the regularity of a two-year customer.
        out["regularity"] = ((m["invoice_months"] + _PRIOR_MONTHS * typical)
                             / (months_possible + _PRIOR_MONTHS)).where(bought)
        out["recency"] = (-since).where(bought)
        chance, note = purchase_probability(
            (m["purchase_days_lifetime"] - 1).where(bought), (m["last_purchase"] - m["first_purchase"]).dt.days,
            age, params.commitment.backtest.horizon_days)
        out["outlook"] = chance
        out.attrs["outlook"] = note
        window_start = as_of - pd.Timedelta(days=window_days)
        compared = m["first_purchase"] < window_start
        out["trend"] = np.log((m["revenue"].clip(lower=0) + 1) / (m["revenue_prev"].clip(lower=0) + 1)).where(compared)
        out["breadth"] = m["n_services"].astype("float64").where(bought)
    else:
        out["recency"] = -m["recency_days"].astype("float64")
    if "survey_last" in m:
        out["satisfaction"] = m["survey_last"]
    # Dissatisfaction as behaviour: surveys reach few accounts, every log has complaints.
    out["harmony"] = -(m["complaints"] / m["n_inbound"].where(m["n_inbound"] > 0))
    out["engagement"] = m["reply_share"]
    out["meetings"] = (m["n_meeting"] + m["n_visit"]).astype("float64").where(m["n_interactions"] > 0)
    if "contract" in m:
        levels = {k.lower(): v for k, v in params.commitment.contract_levels.items()}
        out["contract"] = m["contract"].str.lower().map(levels).astype("float64")
    informative = [c for c in INDICATORS if c in out and out[c].nunique(dropna=True) > 1]
    return out[informative]


def indicator_ranks(indicators: pd.DataFrame) -> pd.DataFrame:
    """Each indicator as a percentile rank among the accounts with evidence for it, 0–1.

    The portfolio's lowest value earns 0, however many accounts share it, so the accounts
    that never answered us (engagement 0) earn nothing for engagement. Above it, accounts
    tied share the middle of their tie (the usual mid-rank), so the many retainers tied at
    the top of ``contract`` are neither flattered nor pushed down against the order of the
    others; the highest value earns 1. Missing values (no evidence) stay missing; an
    indicator with fewer than two accounts of evidence is missing for all.

    Examples
    --------
    >>> ind = pd.DataFrame({"engagement": [0.0, 0.0, 0.0, 0.5, 1.0], "contract": [0.0, 0.5, 1.0, 1.0, 1.0]})
    >>> r = indicator_ranks(ind)
    >>> r["engagement"].tolist(), r["contract"].tolist()
    ([0.0, 0.0, 0.0, 0.75, 1.0], [0.0, 0.25, 0.75, 0.75, 0.75])
    """
    n = indicators.notna().sum()
    mid = (indicators.rank(method="average") - 1).div((n - 1).where(n > 1), axis=1)
    return mid.mask(indicators.eq(indicators.min()), 0.0).where(mid.notna())


def commitment_scores(
    metrics: pd.DataFrame, params: Params, weights: Mapping[str, float] | None = None, *,
    indicators: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Score 0–100, segment, confidence and the named parts of every account's score.

    Each indicator is ranked within the portfolio (:func:`indicator_ranks`); the score is
    ``100 × Σ wᵢ·rankᵢ / Σ wᵢ`` over the indicators the account has evidence for (the
    weights renormalised over those), so ``part_<indicator>`` columns add up to the score
    exactly and an indicator without evidence neither helps nor hurts. An account with no
    evidence at all is ``unscored``. A customer younger than
    ``commitment.confidence.min_tenure_days`` is at most *shallow*, whatever its score.

    ``weights`` are the indicators' weights, by default the params file's; a report uses
    the weights fitted to the client's history (:func:`workbench.weighting.fit_weights`,
    :attr:`workbench.Analysis.scores`). ``indicators`` are :func:`commitment_indicators`
    of the same metrics, when already computed (the explorer rescoring under other weights
    or thresholds does not fit BG/NBD again).

    Examples
    --------
    >>> import workbench as wb
    >>> a = wb.start()
    >>> s = commitment_scores(a.metrics, a.params)
    >>> bool(((s.filter(like="part_").sum(axis=1) - s.commitment_score).abs() < 1e-9).all())
    True
    """
    raw = commitment_indicators(metrics, params) if indicators is None else indicators
    weights = dict(params.commitment.weights if weights is None else weights)
    parts = score_parts(raw, weights)
    ranks = indicator_ranks(raw)
    used = ranks.notna() & (pd.Series(weights).reindex(raw.columns).fillna(0) > 0)
    score = parts.sum(axis=1).where(used.any(axis=1))

    out = pd.DataFrame(index=raw.index)
    out["commitment_score"] = score
    out["segment"] = segment_of(out["commitment_score"], params)
    # Commitment is a claim about a relationship, and a relationship takes time: a customer
    # younger than confidence.min_tenure_days may score high on a busy first quarter, but
    # is at most shallow until it has been a customer long enough to show it stays.
    tenure = metrics.set_index("account_id")["tenure_days"].reindex(out.index).astype("float64")
    too_new = (tenure.fillna(0) < params.commitment.confidence.min_tenure_days) & out["segment"].isin(COMMITTED)
    out.loc[too_new, "segment"] = "shallow"
    out["committed"] = out["segment"].isin(COMMITTED)
    out["confidence"] = _confidence(metrics.set_index("account_id"), used, weights, params)
    out["drivers"] = _drivers(ranks, used)
    days = params.commitment.confidence.min_tenure_days
    out.loc[too_new, "drivers"] = _TOO_NEW.format(days=days) + "; " + out.loc[too_new, "drivers"]
    out["available"] = _available(used)
    for name in raw.columns:
        out[f"part_{name}"] = parts[name]
    return out.reset_index()


#: What each indicator needs from the data (names in :data:`workbench.metrics.NEEDS`).
_EVIDENCE = {
    "regularity": ("invoices",), "outlook": ("invoices",), "trend": ("invoices",), "breadth": ("invoices",),
    "satisfaction": ("surveys",), "harmony": ("inbound",), "engagement": ("outbound",),
    "meetings": ("interactions",),
}


def unscored(scores: pd.DataFrame) -> str | None:
    """Why no account has a score (in the report's language), or None when some do.

    Examples
    --------
    >>> unscored(pd.DataFrame({"commitment_score": [float("nan")]}))
    'no indicator tells the accounts apart (one account, or the same behaviour for all), so none could be scored'
    """
    if scores["commitment_score"].notna().any():
        return None
    return _("no indicator tells the accounts apart (one account, or the same behaviour for all), so none could "
             "be scored")


def committed_sentence(scores: pd.DataFrame, segments: pd.DataFrame, as_of: object, revenue_known: bool) -> str:
    """How many accounts are committed and what share of revenue they bring (markdown).

    Examples
    --------
    >>> s = pd.DataFrame({"commitment_score": [80.0, 20.0]})
    >>> seg = pd.DataFrame({"segment": ["entrenched", "convertible"], "accounts": [1, 1],
    ...                     "account_share": [0.5, 0.5], "revenue_share": [0.9, 0.1]})
    >>> committed_sentence(s, seg, "2026-01-01", revenue_known=True)
    "As of **01/01/2026**, **1** of 2 accounts (50%) are committed; they bring **90%** of the last twelve months' revenue."
    """
    day = formatting.date(as_of)
    if why := unscored(scores):
        return _("As of **{date}**, {why}.").format(date=day, why=why)
    committed = segments[segments["segment"].isin(COMMITTED)]
    share = committed["revenue_share"].sum(min_count=1)
    figures = dict(date=day, committed=formatting.number(committed["accounts"].sum()),
                   accounts=formatting.number(len(scores)), share=formatting.percent(committed["account_share"].sum()))
    if not revenue_known:
        text = _("As of **{date}**, **{committed}** of {accounts} accounts ({share}) are committed; revenue is "
                 "unknown (no invoices table).")
    elif pd.isna(share):
        text = _("As of **{date}**, **{committed}** of {accounts} accounts ({share}) are committed; their share of "
                 "revenue is unknown (no revenue in the last twelve months).")
    else:
        text = _("As of **{date}**, **{committed}** of {accounts} accounts ({share}) are committed; they bring "
                 "**{revenue}** of the last twelve months' revenue.")
        figures["revenue"] = formatting.percent(share)
    return text.format(**figures)


def account_to_explain(quadrants: pd.DataFrame, account: str | None = None) -> str | None:
    """The account whose score the report explains: ``account`` if given, else the scored
    uncommitted account with the highest revenue, else the first scored one; None when no
    account has a score."""
    if account:
        return account
    scored = quadrants[quadrants["commitment_score"].notna()]
    at_risk = scored[scored["quadrant"] == QUADRANTS[(False, True)]].sort_values("revenue", ascending=False)
    if len(at_risk):
        return str(at_risk["account_id"].iloc[0])
    return str(scored["account_id"].iloc[0]) if len(scored) else None


def missing_indicators(scores: pd.DataFrame, metrics: pd.DataFrame, cover: Coverage, params: Params) -> list[str]:
    """The weighted indicators the score could not use, each with the reason (for the report,
    in its language).

    An indicator is left out when the data lacks what it needs (invoices, surveys, our or
    the customers' messages), when the accounts table has no contract types, or when it
    does not vary over the portfolio (:func:`commitment_indicators`). When no account could
    be scored at all, that is the one line.

    Examples
    --------
    >>> s = pd.DataFrame({"account_id": ["a", "b"], "commitment_score": [50.0, 0.0], "part_tenure": [50.0, 0.0]})
    >>> m = pd.DataFrame({"account_id": ["a", "b"], "contract": ["retainer", "project"]})
    >>> cover = Coverage(frozenset({"interactions", "inbound", "outbound", "recent contact"}), 365, None)
    >>> missing_indicators(s, m, cover, Params())[0]
    'the regularity indicator, share of months with a purchase (of the months it could have bought in): there are no invoices'
    """
    if why := unscored(scores):
        return [_("commitment scores: {why}").format(why=why)]
    used = set(scored_indicators(scores))
    contracts = "contract" in metrics and metrics["contract"].notna().any()
    out = []
    for name, what in INDICATORS.items():
        if name in used or not params.commitment.weights.get(name, 0):
            continue
        why = cover.lacks(*_EVIDENCE.get(name, ()))
        if why is None and name == "contract" and not contracts:
            why = _("the accounts table names no contract types")
        why = why or _("the same for every account with evidence, so it tells none apart")
        out.append(_("the {name} indicator, {what}: {why}").format(name=indicator_name(name), what=_(what), why=why))
    return out


def scored_indicators(scores: pd.DataFrame) -> list[str]:
    """The indicators a :func:`commitment_scores` frame has parts for, in its order.

    Examples
    --------
    >>> scored_indicators(pd.DataFrame(columns=["account_id", "part_recency", "part_tenure"]))
    ['recency', 'tenure']
    """
    return [c.removeprefix("part_") for c in scores.columns if c.startswith("part_")]


def score_parts(indicators: pd.DataFrame, weights: dict[str, float]) -> pd.DataFrame:
    """Points each indicator contributes to each account's score (rows sum to 0–100).

    An account's points for indicator *i* are ``100 × wᵢ·rankᵢ / Σ wⱼ`` over the
    indicators it has evidence for (:func:`indicator_ranks`), so a missing indicator
    neither helps nor hurts.

    Examples
    --------
    >>> ind = pd.DataFrame({"recency": [-5.0, -50.0, -20.0], "tenure": [100.0, None, 50.0]},
    ...                    index=["a", "b", "c"])
    >>> score_parts(ind, {"recency": 1, "tenure": 1}).sum(axis=1).tolist()
    [100.0, 0.0, 25.0]
    """
    ranks = indicator_ranks(indicators)
    w = pd.Series({k: float(weights.get(k, 0.0)) for k in indicators.columns}, dtype="float64")
    used = ranks.notna() & (w > 0)
    total = used.mul(w, axis=1).sum(axis=1).replace(0, np.nan)
    return ranks.fillna(0).mul(w, axis=1).mul(100).div(total, axis=0).where(used, 0.0)


def segment_of(score: pd.Series, params: Params) -> pd.Series:
    """Hofmeyr's segments from the score and the thresholds in params."""
    t = params.commitment.thresholds
    bins = [-np.inf, t.shallow, t.average, t.entrenched, np.inf]
    labels = ["convertible", "shallow", "average", "entrenched"]
    seg = pd.cut(score, bins=bins, labels=labels, right=False).astype("str")
    return seg.where(score.notna(), "unscored")


def _confidence(m: pd.DataFrame, used: pd.DataFrame, weights: dict[str, float], params: Params) -> pd.Series:
    """high / medium / low: falls with the weight of missing evidence and with thin history.

    ``evidence`` is the share of the portfolio's indicator weight the account has evidence
    for. Low: a young relationship, few acts of its own (messages, meetings, purchases)
    or under ``commitment.confidence.min_evidence`` of the weight; medium: under
    ``min_evidence_high``.
    """
    c = params.commitment.confidence
    w = pd.Series(weights).reindex(used.columns).fillna(0.0)
    evidence = used.mul(w, axis=1).sum(axis=1) / w.sum() if w.sum() else pd.Series(0.0, index=used.index)
    own = m["n_inbound"] + m["n_meeting"] + m["n_visit"] + m.get("n_purchases", 0)
    thin = (m["tenure_days"].astype("float64").fillna(0) < c.min_tenure_days) | (own < c.min_events)
    low = thin.to_numpy() | (evidence < c.min_evidence).to_numpy()
    medium = (evidence < c.min_evidence_high).to_numpy()
    return pd.Series(np.select([low, medium], ["low", "medium"], "high"), index=m.index)


#: The parts of an account's ``drivers`` (the data keeps them in English, as the indicators'
#: codes; :func:`describe_drivers` shows them in the report's language).
_TOO_NEW = N_("too new to call committed (a customer for under {days} days)")
_STRONGEST = N_("strongest: {indicators}")
_WEAKEST = N_("weakest: {indicator}")
_NO_STRENGTH = N_("no strength above the portfolio's middle")
_NO_WEAKNESS = N_("no weakness below the portfolio's middle")
_NO_EVIDENCE = N_("no evidence to score")


def _available(used: pd.DataFrame) -> list[str]:
    """Per row, the names of the indicators with evidence, comma-separated.

    Joined once per pattern, not per account: there are at most 2^k patterns of k
    indicators, and 100 000 rows of pandas indexing took seconds.
    """
    mask = used.to_numpy(dtype=bool)
    if not mask.size:
        return [""] * len(used)
    names = np.array([str(c) for c in used.columns], dtype=object)
    patterns, inverse = np.unique(mask, axis=0, return_inverse=True)
    labels = [",".join(names[p]) for p in patterns]
    return [labels[i] for i in inverse.ravel().tolist()]


def _drivers(ranks: pd.DataFrame, used: pd.DataFrame) -> pd.Series:
    """'strongest: regularity, recency; weakest: satisfaction' from the ranks.

    Only indicators above the portfolio's middle are named strengths and only those below
    it weaknesses, so an account that is weak everywhere has no strength.
    """
    # Each row's indicators from the highest rank to the lowest, ties in column order,
    # missing last: one sort for all accounts (a pandas sort per account took minutes at
    # 100 000 accounts).
    v = ranks.where(used).to_numpy(dtype="float64")
    order = np.argsort(np.where(np.isnan(v), np.inf, -v), axis=1, kind="stable")
    ranked = np.take_along_axis(v, order, axis=1).tolist()
    columns = [str(c) for c in ranks.columns]
    names = [[columns[j] for j in row] for row in order.tolist()]
    out = []
    for values, cols in zip(ranked, names):
        k = sum(not math.isnan(x) for x in values)
        if not k:
            out.append(_NO_EVIDENCE)
            continue
        strong = [c for c, x in zip(cols[:2], values[:2]) if x > 0.5]
        weak = cols[k - 1] if values[k - 1] < 0.5 else None
        out.append("; ".join([
            _STRONGEST.format(indicators=", ".join(strong)) if strong else _NO_STRENGTH,
            _WEAKEST.format(indicator=weak) if weak else _NO_WEAKNESS,
        ]))
    return pd.Series(out, index=ranks.index, dtype="str")


def describe_drivers(drivers: str) -> str:
    """An account's ``drivers`` (as :func:`commitment_scores` records them) in the report's
    language, the indicators by name.

    Examples
    --------
    >>> describe_drivers("strongest: tenure, breadth; weakest: harmony")
    'strongest: tenure and breadth; weakest: harmony'
    >>> from workbench.i18n import override
    >>> with override("fi"):
    ...     describe_drivers("too new to call committed (a customer for under 182 days); no evidence to score")
    'liian uusi ollakseen sitoutunut (asiakkaana alle 182 päivää); ei näyttöä pisteytykseen'
    """
    shown = []
    for part in str(drivers).split("; "):
        if m := re.fullmatch(r"too new to call committed \(a customer for under (\d+) days\)", part):
            shown.append(_(_TOO_NEW).format(days=formatting.number(int(m.group(1)))))
        elif part.startswith("strongest: "):
            names = part.removeprefix("strongest: ").split(", ")
            shown.append(_(_STRONGEST).format(indicators=and_list(indicator_name(n) for n in names)))
        elif part.startswith("weakest: "):
            shown.append(_(_WEAKEST).format(indicator=indicator_name(part.removeprefix("weakest: "))))
        elif part in (_NO_STRENGTH, _NO_WEAKNESS, _NO_EVIDENCE):
            shown.append(_(part))
        else:
            raise ValueError(f"drivers not as commitment_scores writes them: {drivers!r}")
    return "; ".join(shown)


def explain_account(scores: pd.DataFrame, account_id: str, name: str) -> str:
    """One account's score, segment, confidence and drivers as a markdown sentence.

    Examples
    --------
    >>> s = pd.DataFrame({"account_id": ["A1"], "commitment_score": [55.4], "segment": ["shallow"],
    ...                   "confidence": ["high"], "drivers": ["strongest: tenure; weakest: harmony"]})
    >>> explain_account(s, "A1", "Bistro Oy")
    '**Bistro Oy** (A1): commitment score **55**, shallow, confidence high; strongest: tenure; weakest: harmony.'
    """
    row = scores.set_index("account_id").loc[account_id]
    return _("**{name}** ({account}): commitment score **{score}**, {segment}, confidence {confidence}; "
             "{drivers}.").format(name=name, account=account_id, score=formatting.number(row["commitment_score"]),
                                  segment=segment_name(row["segment"]), confidence=confidence_name(row["confidence"]),
                                  drivers=describe_drivers(row["drivers"]))


def account_drivers(
    scores: pd.DataFrame, account_id: str, params: Params, weights: Mapping[str, float] | None = None
) -> pd.DataFrame:
    """One account's score as points earned against points possible, per indicator.

    ``possible`` is the indicator's weight share of 100 among the indicators the account
    has data for; ``points / possible`` is its percentile rank in the portfolio, so the
    weakest indicator is the one with the emptiest bar, not the one with the least weight.
    """
    row = scores.set_index("account_id").loc[account_id]
    points = row.filter(like="part_").astype("float64")
    points.index = points.index.str.removeprefix("part_")
    weights = params.commitment.weights if weights is None else weights
    w = pd.Series({k: float(weights.get(k, 0.0)) for k in points.index})
    # An indicator the account has no data for earns nothing and could not have.
    used = w[w.index.isin(str(row["available"]).split(","))]
    possible = (100 * used / used.sum()).reindex(points.index).fillna(0.0)
    out = pd.DataFrame({"indicator": points.index, "points": points.to_numpy(), "possible": possible.to_numpy()})
    return out[out["possible"] > 0].sort_values("possible", ascending=False, kind="stable").reset_index(drop=True)


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


def present_segments(segments: pd.DataFrame) -> Styler:
    """:func:`segment_table` for the report: segments by name, shares as percentages, and
    no revenue columns when revenue is unknown (no invoices)."""
    shown = segments.assign(segment=segments["segment"].map(segment_name))
    columns = {"segment": (N_("Segment"), "text"), "accounts": ("Accounts", "count"),
               "account_share": (N_("Share of accounts"), "share")}
    if shown["revenue"].notna().any():
        columns |= {"revenue": (N_("Revenue, last 12 months"), "money"),
                    "revenue_share": (N_("Share of revenue"), "share")}
    return present(shown, columns)


def quadrant_table(quadrants: pd.DataFrame) -> pd.DataFrame:
    """Accounts and revenue per commitment × revenue quadrant, in :data:`QUADRANTS`' order
    (every quadrant, empty ones with no accounts).

    Examples
    --------
    >>> q = pd.DataFrame({"account_id": ["a", "b"], "quadrant": [QUADRANTS[(True, True)]] * 2,
    ...                   "revenue": [10.0, 5.0]})
    >>> quadrant_table(q)[["accounts", "revenue"]].values.tolist()[:2]
    [[2.0, 15.0], [0.0, 0.0]]
    """
    out = quadrants.groupby("quadrant").agg(accounts=("account_id", "size"), revenue=("revenue", "sum"))
    return out.reindex(list(QUADRANTS.values()), fill_value=0).astype("float64").rename_axis("quadrant").reset_index()


def present_quadrants(quadrants: pd.DataFrame) -> Styler:
    """:func:`quadrant_table` for the report, the quadrants by name."""
    table = quadrant_table(quadrants)
    return present(table.assign(quadrant=table["quadrant"].map(_)),
                   {"quadrant": (N_("Group"), "text"), "accounts": ("Accounts", "count"),
                    "revenue": (N_("Revenue, last 12 months"), "money")})


def _with_revenue(metrics: pd.DataFrame) -> pd.DataFrame:
    """``metrics`` with a ``revenue`` column: missing (unknown) when there are no invoices."""
    return metrics if "revenue" in metrics else metrics.assign(revenue=np.nan)


#: The commitment × revenue map's quadrants by (committed, revenue above the split). Plain
#: descriptions, not the plan's tier names: the tiers (notebook 03) also weigh energy, net
#: value after the cost to serve, satisfaction and openness, so a word like "core" must
#: not mean one thing here and another there.
#: The values stay English in the data; show them with ``_()``.
QUADRANTS = {
    (True, True): N_("committed, higher revenue"),
    (False, True): N_("uncommitted, higher revenue"),
    (True, False): N_("committed, lower revenue"),
    (False, False): N_("uncommitted, lower revenue"),
}


def commitment_quadrants(scores: pd.DataFrame, metrics: pd.DataFrame) -> tuple[pd.DataFrame, float]:
    """Place each account in the commitment × revenue map.

    Revenue splits at the median revenue of paying accounts over the last twelve months:
    *higher revenue* is above it, *lower revenue* the rest (non-paying accounts included).
    Committed is the commitment score's threshold (entrenched or average).

    Returns
    -------
    (pandas.DataFrame, float)
        Per account: id, name, score, segment, revenue, quadrant (a value of
        :data:`QUADRANTS`); and the revenue split.
    """
    m = _with_revenue(metrics)
    cols = [c for c in ("account_id", "name", "revenue") if c in m]
    df = scores[["account_id", "commitment_score", "segment", "committed"]].merge(m[cols], on="account_id")
    paying = df.loc[df["revenue"] > 0, "revenue"]
    split = float(paying.median()) if len(paying) else 0.0
    df["quadrant"] = [QUADRANTS[(bool(c), r > split)] for c, r in zip(df["committed"], df["revenue"])]
    return df, split
