"""Tiers of the communication plan: the signals per account and the tier each lands in.

Step three of planned customer work (DESIGN.md, "Tiers and plan"): tiers from commitment ×
value × energy, satisfaction and openness, by the rules in ``params.plan.tiers``. The first
tier whose rule matches wins and the last takes the rest, so every account is in exactly one
tier, with the reason in words. The params schema requires the first tier to hold the drop
candidates, so a drop candidate is reviewed whatever else it is.

The tiers never contradict the other analyses; with the default rules:

- a drop candidate (notebook 02) is in *review*;
- an account that *drains* (high energy, and loss-making or dissatisfied) but is no drop
  candidate (protected, young or committed) is in *repair* ("repair or reprice"), or, while
  it is young, in *onboard*: a new customer's intense first quarter is not called draining;
- *grow* holds only accounts that buy, are open to more and are neither dissatisfied nor
  draining.

One vocabulary: *valuable* means the top ``plan.valuable_top_share`` by net value (margin
minus the cost to serve). Notebook 01's commitment × revenue quadrants describe commitment
and revenue only and carry no tier names; :func:`quadrant_tiers` shows how they spread over
the tiers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import i18n
from .i18n import N_, _, ngettext
from .commitment import QUADRANTS
from .energy import EnergyDrain
from .formatting import money, number, percent
from .kpis import is_dissatisfied
from .params import Params, PlanTier

_BY = "account_id"


def openness(metrics: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Openness to more services, 0–1, as the weighted mean of explained parts.

    ``engagement`` = share of our unprompted contacts answered; ``growth`` = 1 when revenue
    rose on the year before, 0.5 when flat (±5 %), 0 when it fell; ``room`` = share of the
    portfolio's services not bought yet; ``satisfaction`` = 1 for a promoter (9–10), 0.5
    for a passive, 0 for a detractor. Parts without data are left out of the mean.

    Examples
    --------
    >>> m = pd.DataFrame({"account_id": ["a"], "reply_share": [0.8], "revenue": [110.0],
    ...                   "revenue_prev": [100.0], "n_services": [1], "survey_last": [9.0]})
    >>> o = openness(m, Params())
    >>> float(o["openness"].iloc[0]), o["openness_reason"].iloc[0]
    (0.7, 'answers 80% of our contacts, revenue up 10%, buys 1 of 1 services, last survey 9')
    """
    w = params.plan.openness_weights
    idx = metrics.index
    col = lambda c: metrics[c].astype("float64") if c in metrics else pd.Series(np.nan, index=idx)  # noqa: E731
    rev, prev = col("revenue"), col("revenue_prev")
    change = (rev - prev) / prev.where(prev > 0)
    growth = pd.Series(np.select([change > 0.05, change >= -0.05], [1.0, 0.5], 0.0), index=idx).where(change.notna())
    offered = max(1.0, float(col("n_services").max())) if col("n_services").notna().any() else np.nan
    services = col("n_services").fillna(0)
    room = (1 - services / offered).clip(0, 1) if offered == offered else pd.Series(np.nan, index=idx)
    survey = col("survey_last")
    sat = pd.Series(np.select([survey >= 9, survey >= 7], [1.0, 0.5], 0.0), index=idx).where(survey.notna())
    parts = pd.DataFrame({"engagement": col("reply_share"), "growth": growth, "room": room, "satisfaction": sat})
    weights = pd.Series(w).reindex(parts.columns).fillna(0.0)
    used = parts.notna() & (weights > 0)
    score = (parts.fillna(0) * weights).sum(axis=1) / (used * weights).sum(axis=1).replace(0, np.nan)
    # Plain values and the sentences translated once: cell lookups per account took most
    # of a minute at 100 000 accounts.
    answers, flat, up, down = (_("answers {share} of our contacts"), _("revenue flat"), _("revenue up {change}"),
                               _("revenue down {change}"))
    buys, last = _("buys {n} of {offered} services"), _("last survey {score}")
    reasons = []
    for (u_eng, u_growth, u_room, u_sat), eng, c, n, s in zip(
            used[["engagement", "growth", "room", "satisfaction"]].itertuples(index=False, name=None),
            parts["engagement"].tolist(), change.tolist(), services.tolist(), survey.tolist()):
        bits = []
        if u_eng:
            bits.append(answers.format(share=percent(eng)))
        if u_growth:
            bits.append(flat if abs(c) <= 0.05 else (up if c > 0 else down).format(change=percent(abs(c))))
        if u_room:
            bits.append(buys.format(n=int(n), offered=int(offered)))
        if u_sat:
            bits.append(last.format(score=f"{s:g}"))
        reasons.append(", ".join(bits))
    return pd.DataFrame({_BY: metrics[_BY].to_numpy(), "openness": score.round(4).to_numpy(),
                         "openness_reason": reasons}, index=idx)


def account_signals(metrics: pd.DataFrame, scores: pd.DataFrame, drain: EnergyDrain, params: Params) -> pd.DataFrame:
    """Per account the signals tier rules name (see ``plan.tiers`` in params), with facts.

    ``valuable``: net value > 0 and in the top ``plan.valuable_top_share``;
    ``loss_making``: net value < 0 (margin minus the cost to serve);
    ``dissatisfied``: :func:`workbench.kpis.is_dissatisfied` (the drop-candidate rule's too); ``committed`` from the commitment scores;
    ``open``: openness ≥ ``plan.open_threshold``; ``buys``: revenue > 0 in the window from
    invoices that name the services bought (so there is something to build on);
    ``high_energy``, ``drop_candidate`` and ``young`` from the energy drain. ``drains``
    (high energy, and loss-making or dissatisfied) is the situation the actions answer; tier
    rules spell it out from the signals above.
    """
    p = params.plan
    df = metrics[[c for c in (_BY, "name", "owner", "survey_last", "complaints", "revenue", "n_services")
                  if c in metrics]].copy()
    b = drain.breakdown.set_index(_BY)
    d = drain.decisions.set_index(_BY)
    ids = df[_BY]
    nan = pd.Series(np.nan, index=df.index)
    df["net_value"] = ids.map(b["net_value"]).to_numpy()
    df["energy"] = ids.map(b["energy"]).fillna(0.0).to_numpy()
    cut = df["net_value"].quantile(1 - p.valuable_top_share) if df["net_value"].notna().any() else np.inf
    df["valuable"] = (df["net_value"] > 0) & (df["net_value"] >= cut)
    df["loss_making"] = df["net_value"] < 0
    df["buys"] = (df.get("revenue", nan) > 0) & (df.get("n_services", nan) > 0)
    survey = df.get("survey_last", nan)
    complaints = df["complaints"] if "complaints" in df else pd.Series(0, index=df.index)
    df["dissatisfied"] = is_dissatisfied(df, params).to_numpy()
    # How badly: points below the survey line plus complaints, to put the worst first.
    df["severity"] = ((p.dissatisfied_score - survey).clip(lower=0).fillna(0) + complaints).where(df["dissatisfied"], 0)
    s = scores.set_index(_BY)
    df["commitment_score"] = ids.map(s["commitment_score"]).to_numpy()
    df["commitment_segment"] = ids.map(s["segment"]).to_numpy()
    df["committed"] = ids.map(s["committed"]).fillna(False).astype(bool).to_numpy()
    o = openness(metrics, params)
    df["openness"] = o["openness"].to_numpy()
    df["openness_reason"] = o["openness_reason"].to_numpy()
    df["open"] = (df["openness"] >= p.open_threshold).fillna(False)
    for c in ("high_energy", "drop_candidate", "young"):
        df[c] = ids.map(d[c]).fillna(False).astype(bool).to_numpy()
    df["drains"] = df["high_energy"] & (df["loss_making"] | df["dissatisfied"])
    df["drop_reasons"] = ids.map(d["reasons"]).fillna("").to_numpy()
    df["top_share"] = p.valuable_top_share
    return df.reset_index(drop=True)


def signal_fact(signal: str, negated: bool, r: pd.Series, params: Params) -> str:
    """The fact behind one signal of one account, in words (for tier reasons and actions).

    Examples
    --------
    >>> r = pd.Series({"survey_last": 5.0, "complaints": 9})
    >>> signal_fact("dissatisfied", False, r, Params())
    'last survey 5, 9 complaints'
    """
    p = params.plan
    if signal == "valuable":
        top = percent(p.valuable_top_share)
        text = _("net value {net} (not in the top {top})") if negated else _("net value {net} (in the top {top})")
        return text.format(net=money(r["net_value"]), top=top)
    if signal == "loss_making":
        if pd.isna(r["net_value"]):
            return _("net value unknown")
        text = _("net value {net} after serving cost (no loss)") if negated else \
            _("net value {net} after serving cost (a loss)")
        return text.format(net=money(r["net_value"]))
    if signal == "dissatisfied":
        if negated:
            return _("no sign of dissatisfaction")
        survey, complaints = r.get("survey_last"), r.get("complaints", 0)
        bits = [_("last survey {score}").format(score=f"{survey:g}")] \
            if pd.notna(survey) and survey <= p.dissatisfied_score else []
        if complaints >= p.dissatisfied_complaints:
            bits.append(ngettext("{n} complaint", "{n} complaints", int(complaints)).format(n=int(complaints)))
        return ", ".join(bits) or _("dissatisfied")
    if signal == "committed":
        seg = r["commitment_segment"] if isinstance(r["commitment_segment"], str) else "unscored"
        seg = _(seg)
        score = "" if pd.isna(r["commitment_score"]) else f" {r['commitment_score']:.0f}"
        text = _("not committed ({segment})") if negated else _("committed ({segment})")
        return text.format(segment=seg + score)
    if signal == "open":
        head = _("openness {value}").format(value=f"{r['openness']:.2f}")
        return head + (f": {r['openness_reason']}" if r["openness_reason"] else "")
    if signal == "buys":
        if negated:
            return _("buys nothing in the year (or the services are unknown)")
        return _("buys {n} services for {revenue} in the year").format(n=int(r["n_services"]), revenue=money(r["revenue"]))
    if signal == "drop_candidate":
        return _("drop candidate: {reasons}").format(reasons=r["drop_reasons"]) if not negated else \
            _("not a drop candidate")
    if signal == "high_energy":
        text = _("not in the high-energy set ({hours} energy h)") if negated else \
            _("in the high-energy set ({hours} energy h)")
        return text.format(hours=number(r["energy"]))
    return _("not young") if negated else _("a new customer (young)")


def assign_tiers(signals: pd.DataFrame, params: Params) -> pd.DataFrame:
    """The first tier whose rule matches each account, and the reason in words.

    Examples
    --------
    >>> sig = pd.DataFrame({"account_id": ["a", "b", "c"], "valuable": [True, False, False],
    ...     "dissatisfied": [True, False, False], "committed": [False, False, True], "open": [False, False, False],
    ...     "high_energy": [False, False, True], "drop_candidate": [False, False, False],
    ...     "young": [False, False, False], "loss_making": [False, False, True], "buys": [True, True, True],
    ...     "net_value": [900.0, 10.0, -2800.0], "survey_last": [3.0, None, 5.0], "complaints": [0, 0, 9],
    ...     "commitment_segment": ["shallow", "shallow", "average"], "commitment_score": [40.0, 38.0, 56.0],
    ...     "openness": [0.2, 0.3, 0.1], "openness_reason": ["", "", ""], "drop_reasons": ["", "", ""],
    ...     "energy": [1.0, 1.0, 68.0]})
    >>> assign_tiers(sig, Params())["tier"].tolist()
    ['develop', 'grey mass', 'repair']
    """
    tier = pd.Series(None, index=signals.index, dtype="object")
    reason = pd.Series("", index=signals.index, dtype="object")
    for t in params.plan.tiers:
        if not t.when:
            free = tier.isna()
            tier[free] = t.name
            reason[free] = [_rest_reason(r) for r in signals[free].to_dict("records")]
            break
        for rule in t.when:
            terms = [(x.strip().removeprefix("not ").strip(), x.strip().startswith("not ")) for x in rule.split(" and ")]
            hit = tier.isna().copy()
            for name, neg in terms:
                hit &= ~signals[name] if neg else signals[name]
            tier[hit] = t.name
            # Rows as plain records: iterrows builds a Series per account (minutes at scale).
            reason[hit] = ["; ".join(signal_fact(n, g, r, params) for n, g in terms)
                           for r in signals[hit].to_dict("records")]
    out = signals[[_BY]].copy()
    out["tier"] = tier.to_numpy()
    out["tier_reason"] = reason.to_numpy()
    return out


def _rest_reason(r: pd.Series) -> str:
    bits = [_("not among the most valuable") if not r["valuable"] else _("valuable")]
    bits.append(_("no sign of dissatisfaction") if not r["dissatisfied"] else _("dissatisfied"))
    bits.append(_("openness {value}").format(value=f"{r['openness']:.2f}") if pd.notna(r["openness"])
                else _("openness unknown"))
    return _("no other tier fits: {facts}").format(facts=", ".join(bits))


def action_order(params: Params) -> str:
    """The order in which tiers' actions come, as a sentence: tiers sharing a priority together.

    Examples
    --------
    >>> action_order(Params())
    'onboard and repair and develop → grow → core → review → grey mass'
    """
    groups: dict[int, list[str]] = {}
    for t in sorted(params.plan.tiers, key=lambda t: t.priority):
        groups.setdefault(t.priority, []).append(tier_label(t))
    return " → ".join(_(" and ").join(g) for g in groups.values())


def quadrant_tiers(quadrants: pd.DataFrame, accounts: pd.DataFrame, tier_order: Sequence[str]) -> pd.DataFrame:
    """Accounts per commitment × revenue quadrant (notebook 01) and tier (this plan), with totals.

    The quadrants weigh commitment and revenue only; the tiers also weigh energy, net value
    after the cost to serve, satisfaction and openness, so one quadrant spreads over tiers.

    Examples
    --------
    >>> q = pd.DataFrame({"account_id": ["a", "b"], "quadrant": ["committed, higher revenue"] * 2})
    >>> t = pd.DataFrame({"account_id": ["a", "b"], "tier": ["core", "repair"]})
    >>> quadrant_tiers(q, t, ["repair", "core"]).loc["committed, higher revenue"].tolist()
    [1, 1, 2]
    """
    both = quadrants[[_BY, "quadrant"]].merge(accounts[[_BY, "tier"]], on=_BY)
    table = pd.crosstab(both["quadrant"], both["tier"])
    table = table.reindex(index=list(QUADRANTS.values()), columns=list(tier_order), fill_value=0)
    table["all tiers"] = table.sum(axis=1)
    table.loc["total"] = table.sum()
    table.index.name, table.columns.name = "01 quadrant", "03 tier"
    return table


def quadrant_tiers_view(quadrants: pd.DataFrame, accounts: pd.DataFrame, tier_order: Sequence[str],
                        labels: dict[str, str]) -> Any:
    """:func:`quadrant_tiers` for people: groups and tiers named in the report's language."""
    from .tables import present

    table = quadrant_tiers(quadrants, accounts, tier_order)
    table = table.rename(columns={**labels, "all tiers": _("all tiers")}).reset_index()
    table["01 quadrant"] = table["01 quadrant"].map(_)
    columns = {"01 quadrant": (N_("Notebook 01's group"), "text")}
    columns |= {c: (c, "count") for c in table.columns if c != "01 quadrant"}
    return present(table, columns)


def tier_table(acc: pd.DataFrame, schedule: pd.DataFrame, missed: pd.DataFrame, rules: dict[str, PlanTier]) -> pd.DataFrame:
    """Per tier: its rule, size, value, how it is served and the contacts the schedule holds."""
    rows = []
    for name, t in rules.items():
        mine = acc[acc["tier"] == name]
        rows.append({
            "tier": name, "label_fi": t.label_fi, "rule": " or ".join(t.when) or "everyone else",
            # Unknown (no invoices or no contact log) stays unknown: a sum of nothing known is not 0.
            "accounts": len(mine),
            "net_value": float(mine["net_value"].sum(min_count=1)) if len(mine) else 0.0,
            "revenue": float(mine["revenue"].sum()) if "revenue" in mine else np.nan,
            "cadence_weeks": t.cadence_weeks, "channels": ", ".join(t.channels),
            "response_hours": t.response_hours, "inbound_by": t.inbound_by, "theme": t.theme,
            "contacts": int((schedule["tier"] == name).sum()),
            "plan_hours": round(float(schedule.loc[schedule["tier"] == name, "minutes"].sum() / 60), 1),
            "unscheduled": int((missed["tier"] == name).sum()),
        })
    return pd.DataFrame(rows)



def tier_label(tier: PlanTier) -> str:
    """A tier's name as the report shows it: ``label_fi`` in Finnish, the name in English.

    Examples
    --------
    >>> from workbench.i18n import override
    >>> t = Params().plan.tiers[0]
    >>> tier_label(t),
    ('review',)
    >>> with override("fi"):
    ...     tier_label(t)
    'arvioitavat'
    """
    return tier.label_fi if i18n.language() == "fi" else tier.name


#: What each tier rule's signal means, in words (translated where shown).
SIGNAL_WORDS = {
    "valuable": N_("valuable"), "loss_making": N_("loss-making"), "dissatisfied": N_("dissatisfied"),
    "committed": N_("committed"), "open": N_("open to more services"), "buys": N_("buys services"),
    "high_energy": N_("takes a lot of energy"), "drop_candidate": N_("drop candidate"), "young": N_("new customer"),
}
#: Who answers a tier's inbound, in words.
INBOUND_WORDS = {"owner": N_("the firm's owner"), "account_owner": N_("the account owner"), "team": N_("the team")}


def rule_text(when: Sequence[str]) -> str:
    """A tier rule in words: ``['high_energy and loss_making']`` → ``'takes a lot of energy
    and loss-making'``; an empty rule is everyone else.

    Examples
    --------
    >>> rule_text(["drop_candidate", "high_energy and not committed"])
    'drop candidate; or: takes a lot of energy and not committed'
    """
    if not when:
        return _("everyone else")
    alternatives = []
    for rule in when:
        terms = []
        for term in rule.split(" and "):
            word = term.strip().removeprefix("not ").strip()
            said = _(SIGNAL_WORDS.get(word, word))
            terms.append(_("not {signal}").format(signal=said) if term.strip().startswith("not ") else said)
        alternatives.append(_(" and ").join(terms))
    return _("; or: ").join(alternatives)


def tier_theme(tier: PlanTier) -> str:
    """What to talk about with a tier, in the report's language (``theme_fi`` in Finnish)."""
    return tier.theme_fi if i18n.language() == "fi" and tier.theme_fi else tier.theme
