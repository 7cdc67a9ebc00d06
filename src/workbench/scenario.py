"""What if the rules were set otherwise: the report's analyses under moved settings.

The consultant and the owner ask "what if after-hours messages counted double?" or "what
if we promised two working days to the grey mass?". A :class:`Scenarios` holds one
client's data and answers each such question by running the batch report's own functions
(:func:`workbench.commitment_scores`, :func:`workbench.energy_drain`,
:func:`workbench.communication_plan`) under the params file with the moved settings: one
code path, so an answer here is what ``workbench run`` would print with those settings.

What no setting here can change is computed once: the per-account metrics (again only
when business hours or the chaser window move), the commitment indicators (their BG/NBD
fit included) and the weights fitted to the client's history. :func:`compare` says what
moved settings changed, in sentences; :func:`params_text` writes them as a params file
that extends the one they started from (:func:`workbench.load_params` reads it), so what
was agreed at the table becomes the schedule.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import yaml
from pydantic import ValidationError

from .analysis import Analysis
from .commitment import COMMITTED, commitment_indicators, commitment_scores, indicator_name
from .energy import EnergyDrain, energy_drain, energy_events
from .formatting import hours, money, number
from .i18n import N_, _, ngettext
from .metrics import account_metrics, analysis_window
from .params import INDICATOR_NAMES, Params
from .plan import CommunicationPlan, communication_plan
from .promises import promise_text, promise_verdict
from .tiers import tier_label

Kind = Literal["number", "whole", "share", "time", "rule", "money"]


@dataclass(frozen=True)
class Knob:
    """One setting the explorer can move.

    ``key`` is its place in the params file, dotted (``energy.complaint_weight``); a tier's
    setting names the tier (``plan.tiers.grey mass.response_hours``). Business hours and the
    chaser window recount the contact log; every other setting reweighs and reruns the rules
    on what was counted (:class:`Scenarios`).
    """

    key: str
    label: str
    group: str
    kind: Kind
    low: float = 0.0
    high: float = 1.0
    step: float = 0.1
    #: The tier a tier's setting belongs to, as the report names it.
    subject: str = ""

    @property
    def title(self) -> str:
        """The label in the report's language, naming its tier or indicator."""
        if self.subject:
            return _(self.label).format(subject=self.subject)
        if self.key.startswith("commitment.weights."):
            return _(self.label).format(subject=indicator_name(self.key.rsplit(".", 1)[1]))
        return _(self.label)


_ENERGY, _HOURS, _DROP, _COMMITMENT, _TIERS = GROUPS = (
    N_("Energy"), N_("Hours"), N_("Drop rule and what-if"), N_("Commitment"), N_("Tiers"))

#: The settings every portfolio has; :func:`knobs` adds one set per tier of the params.
BASE_KNOBS: tuple[Knob, ...] = (
    Knob("energy.after_hours_weight", N_("Extra weight of an after-hours message"), _ENERGY, "number", 0, 5, 0.25),
    Knob("energy.off_day_weight", N_("Extra weight of a weekend or holiday message"), _ENERGY, "number", 0, 5, 0.25),
    Knob("energy.chaser_weight", N_("Extra weight of a chaser"), _ENERGY, "number", 0, 5, 0.25),
    Knob("energy.complaint_weight", N_("Extra weight of a complaint"), _ENERGY, "number", 0, 10, 0.5),
    Knob("energy.long_thread_weight", N_("Extra weight of a message deep in a long thread"), _ENERGY, "number", 0, 5, 0.25),
    Knob("energy.pareto_share", N_("Share of the energy the high-energy set carries"), _ENERGY, "share", 0.5, 0.95, 0.05),
    Knob("chasers.window_minutes", N_("A message within this many minutes of an unanswered one is a chaser"),
         _HOURS, "whole", 5, 1440, 5),
    Knob("business_hours.start", N_("Business hours begin"), _HOURS, "time"),
    Knob("business_hours.end", N_("Business hours end"), _HOURS, "time"),
    Knob("energy.low_value_per_energy_hour", N_("Value line: net value per energy hour at or below which a "
                                                "high-energy account is a drop candidate"), _DROP, "money", 0, 500, 5),
    Knob("energy.min_tenure_days", N_("Customers younger than this many days are never drop candidates"),
         _DROP, "whole", 0, 1095, 30),
    Knob("energy.refill_share", N_("Share of freed hours sold again"), _DROP, "share", 0, 1, 0.05),
    *(Knob(f"commitment.weights.{i}", N_("Weight of {subject}"), _COMMITMENT, "number", 0, 5, 0.1)
      for i in INDICATOR_NAMES),
    Knob("commitment.thresholds.entrenched", N_("Entrenched from score"), _COMMITMENT, "whole", 0, 100, 1),
    Knob("commitment.thresholds.average", N_("Committed (average) from score"), _COMMITMENT, "whole", 0, 100, 1),
    Knob("commitment.thresholds.shallow", N_("Shallow from score (below: convertible)"), _COMMITMENT, "whole", 0, 100, 1),
    Knob("plan.valuable_top_share", N_("Share of accounts by net value called valuable"), _TIERS, "share", 0.05, 0.9, 0.05),
    Knob("plan.promise_kept_share", N_("Share of messages a published promise must be kept for"), _TIERS, "share",
         0.55, 1.0, 0.05),
)
_TIER_KNOBS = (
    ("when", N_("{subject}: who belongs"), "rule", 0, 0, 0),
    ("cadence_weeks", N_("{subject}: contact every … weeks (0 = once)"), "whole", 0, 26, 1),
    ("response_hours", N_("{subject}: promised response, business hours"), "number", 1, 80, 1),
)


def _tier_of(key: str) -> tuple[str, str] | None:
    """``(tier, field)`` of a tier's setting, else None."""
    if not key.startswith("plan.tiers."):
        return None
    tier, _dot, name = key.removeprefix("plan.tiers.").rpartition(".")
    return tier, name


def knobs(params: Params) -> tuple[Knob, ...]:
    """Every setting the explorer offers for ``params``: :data:`BASE_KNOBS` and, per tier,
    its rule, cadence and promised response (the last tier takes everyone left: no rule).

    Examples
    --------
    >>> [k.key for k in knobs(Params()) if k.key.startswith("plan.tiers.grey mass")]
    ['plan.tiers.grey mass.cadence_weeks', 'plan.tiers.grey mass.response_hours']
    """
    per_tier = []
    for i, tier in enumerate(params.plan.tiers):
        for name, label, kind, low, high, step in _TIER_KNOBS:
            if name == "when" and i == len(params.plan.tiers) - 1:
                continue
            per_tier.append(Knob(f"plan.tiers.{tier.name}.{name}", label, _TIERS, kind, low, high, step,
                                 subject=tier_label(tier)))
    return BASE_KNOBS + tuple(per_tier)


def setting(params: Params, key: str) -> Any:
    """The value of ``key`` in ``params`` as the explorer shows it (a rule as text, a time
    as ``HH:MM``; None where the params leave it to the data).

    Examples
    --------
    >>> setting(Params(), "plan.tiers.core.when"), setting(Params(), "business_hours.end")
    ('valuable and committed', '16:00')
    """
    tier = _tier_of(key)
    if tier:
        rule = next(t for t in params.plan.tiers if t.name == tier[0])
        value = getattr(rule, tier[1])
        return " or ".join(value) if tier[1] == "when" else value
    value: Any = params
    for part in key.split("."):
        value = value[part] if isinstance(value, Mapping) else getattr(value, part)
    return value.strftime("%H:%M") if isinstance(value, dt.time) else value


def _as_params(value: Any, kind: Kind) -> Any:
    if kind == "rule":
        return [r.strip() for r in str(value).split(" or ") if r.strip()]
    return value


def with_settings(params: Params, settings: Mapping[str, Any]) -> Params:
    """``params`` with ``settings`` (key -> value, as :func:`setting` shows them) applied
    and validated as a params file is: a wrong value raises :class:`workbench.ParamsError`
    naming the setting.

    Examples
    --------
    >>> p = with_settings(Params(), {"energy.complaint_weight": 4.0, "plan.tiers.core.when": "valuable"})
    >>> p.energy.complaint_weight, p.plan.tiers[4].when
    (4.0, ('valuable',))
    """
    from .exceptions import ParamsError
    from .params import _describe

    kinds = {k.key: k.kind for k in knobs(params)}
    raw = params.model_dump(mode="python")
    for key, value in settings.items():
        tier = _tier_of(key)
        if tier:
            entry = next(t for t in raw["plan"]["tiers"] if t["name"] == tier[0])
            entry[tier[1]] = _as_params(value, kinds.get(key, "number"))
            continue
        *path, last = key.split(".")
        node = raw
        for part in path:
            node = node[part]
        node[last] = _as_params(value, kinds.get(key, "number"))
    try:
        return Params.model_validate(raw)
    except ValidationError as e:  # one line, as for a params file
        raise ParamsError(_describe(e.errors()[0])) from None


@dataclass(frozen=True)
class Scenario:
    """The report's answers under one set of settings."""

    settings: dict[str, Any]
    params: Params
    scores: pd.DataFrame
    drain: EnergyDrain
    plan: CommunicationPlan
    metrics: pd.DataFrame
    #: The commitment weights the scores were made with.
    weights: dict[str, float]

    @property
    def committed(self) -> int:
        return int(self.scores["segment"].isin(COMMITTED).sum())

    @property
    def tier_sizes(self) -> pd.Series:
        """Accounts per tier, in the params' tier order."""
        order = [t.name for t in self.params.plan.tiers]
        return self.plan.accounts["tier"].value_counts().reindex(order, fill_value=0)

    @property
    def let_go(self) -> float:
        """Letting the drop candidates go, net a year (base refill); 0 with none."""
        w = self.drain.what_if
        return float(w.option("let them go")["net_base"]) if w.accounts else 0.0


@dataclass
class Scenarios:
    """One client's data, and its analyses under any settings (see the module's text).

    Parameters
    ----------
    analysis : Analysis
        :func:`workbench.start`'s result: params, data, metrics and the fitted weights.

    Examples
    --------
    >>> import workbench as wb
    >>> s = Scenarios(wb.start())
    >>> doubled = s.evaluate({"energy.after_hours_weight": 2.0})
    >>> bool(doubled.drain.breakdown["energy"].sum() > s.base.drain.breakdown["energy"].sum())
    True
    """

    analysis: Analysis
    _indicators: pd.DataFrame | None = field(default=None, repr=False)
    _counted: dict[tuple, tuple[pd.DataFrame, pd.DataFrame]] = field(default_factory=dict, repr=False)
    _base: Scenario | None = field(default=None, repr=False)

    @property
    def params(self) -> Params:
        return self.analysis.params

    @property
    def base(self) -> Scenario:
        """The analyses under the params file as it is (the fitted weights, if it fits)."""
        if self._base is None:
            self._base = self.evaluate({})
        return self._base

    def shown(self, key: str) -> Any:
        """What a setting is in force at the start: the params file's value, or what the
        data made of a value the file leaves open (the value line, the refill share, the
        fitted commitment weights)."""
        value = setting(self.params, key)
        if value is not None and not key.startswith("commitment.weights."):
            return value
        drain = self.base.drain
        if key == "energy.low_value_per_energy_hour":
            return round(float(drain.rates.rate_per_hour or 0.0), 2)
        if key == "energy.refill_share":
            w = drain.what_if
            return round(float(w.refill.refill_shares(w.hours_freed)[1]), 2)
        return float(self.analysis.weight_fit.weights.get(key.rsplit(".", 1)[1], 0.0))

    def _count(self, params: Params) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Metrics and contact events under ``params``' business hours and chaser window."""
        key = (params.business_hours, params.chasers)
        if key not in self._counted:
            a = self.analysis
            if key == (self.params.business_hours, self.params.chasers):
                metrics = a.metrics
            else:
                metrics = account_metrics(a.portfolio, params, as_of=a.as_of)
            _day, window = analysis_window(metrics)
            events = energy_events(a.portfolio, params, a.as_of, window_days=window)
            self._counted[key] = (metrics, events)
        return self._counted[key]

    def evaluate(self, settings: Mapping[str, Any]) -> Scenario:
        """The report's answers with ``settings`` moved from the params file.

        Commitment weights moved replace the fitted ones whole (the others keep their
        fitted value); with none moved, the weights are the fitted ones as in the report.
        """
        settings = dict(settings)
        moved = {k: v for k, v in settings.items() if not k.startswith("commitment.weights.")}
        params = with_settings(self.params, moved)
        weights = dict(self.analysis.weight_fit.weights)
        weights.update({k.rsplit(".", 1)[1]: float(v) for k, v in settings.items()
                        if k.startswith("commitment.weights.")})
        if not any(w > 0 for w in weights.values()):
            from .exceptions import ParamsError
            raise ParamsError(_("at least one commitment indicator needs a weight above 0"))
        metrics, events = self._count(params)
        if self._indicators is None:
            # Business hours and the chaser window move no indicator (tests pin this), so
            # the BG/NBD fit inside them is done once.
            self._indicators = commitment_indicators(self.analysis.metrics, self.params)
        scores = commitment_scores(metrics, params, weights, indicators=self._indicators)
        drain = energy_drain(self.analysis.portfolio, metrics, params,
                             committed=scores.set_index("account_id")["committed"], events=events)
        plan = communication_plan(self.analysis.portfolio, metrics, params, scores=scores, drain=drain)
        return Scenario(settings, params, scores, drain, plan, metrics, weights)


# --------------------------------------------------------------------------- compare

_MOST_NAMED = 5


def _names(ids: list[str], names: pd.Series | None) -> str:
    if names is None:
        return number(len(ids))
    shown = [str(names.get(a, a)) for a in ids[:_MOST_NAMED]]
    more = len(ids) - len(shown)
    return ", ".join(shown) + (_(" and {n} more").format(n=number(more)) if more else "")


def compare(base: Scenario, now: Scenario, *, named: bool = True) -> list[str]:
    """What ``now``'s settings change against ``base``'s, one sentence per answer that
    moved: who is committed, the energy, the drop candidates, the tiers, the what-if
    totals, each tier's response promise and whether the plan fits the team's hours.
    Without ``named`` the drop candidates are counted, not named (for a file that may
    be shared or kept in a repository).

    Examples
    --------
    >>> import workbench as wb
    >>> s = Scenarios(wb.start())
    >>> compare(s.base, s.base)
    ['Nothing changes: every answer is the same as under the params file.']
    """
    out: list[str] = []
    names = (base.metrics.set_index("account_id")["name"] if "name" in base.metrics
             else base.metrics.set_index("account_id")["account_id"]) if named else None
    if now.committed != base.committed:
        out.append(_("Committed customers: {before} → {after}.").format(
            before=number(base.committed), after=number(now.committed)))
    eb, en = (float(x.drain.breakdown["energy"].sum()) for x in (base, now))
    kb, kn = len(base.drain.pareto.accounts), len(now.drain.pareto.accounts)
    if not math.isclose(eb, en, abs_tol=0.05):
        out.append(_("Energy: {after} instead of {before}.").format(before=hours(eb), after=hours(en)))
    if kb != kn:
        out.append(_("The high-energy set: {n_after} customers instead of {n_before}.").format(
            n_before=number(kb), n_after=number(kn)))
    before, after = base.drain.candidates, now.drain.candidates
    added, gone = [a for a in after if a not in before], [a for a in before if a not in after]
    if added or gone:
        parts = [_("Drop candidates: {before} → {after}").format(before=number(len(before)), after=number(len(after)))]
        if added:
            parts.append(_("new: {names}").format(names=_names(added, names)))
        if gone:
            parts.append(_("no longer: {names}").format(names=_names(gone, names)))
        out.append("; ".join(parts) + ".")
    moves = (base.plan.accounts[["account_id", "tier"]]
             .merge(now.plan.accounts[["account_id", "tier"]], on="account_id", suffixes=("_before", "_after")))
    moves = moves[moves["tier_before"] != moves["tier_after"]]
    if len(moves):
        flows = moves.groupby(["tier_before", "tier_after"]).size().sort_values(ascending=False, kind="stable")
        labels = now.plan.tier_labels()
        shown = [_("{n} from {before} to {after}").format(n=number(int(n)), before=labels.get(b, b),
                                                         after=labels.get(a, a))
                 for (b, a), n in flows.head(4).items()]
        rest = len(flows) - len(shown)
        out.append(ngettext("{n} customer changes tier: {flows}.", "{n} customers change tier: {flows}.",
                            len(moves)).format(n=number(len(moves)), flows="; ".join(shown)
                                               + (_(" and {n} more").format(n=number(rest)) if rest else "")))
    if not math.isclose(base.let_go, now.let_go, abs_tol=0.5):
        out.append(_("Letting the drop candidates go: {after} a year instead of {before} (base refill).").format(
            before=money(base.let_go), after=money(now.let_go)))
    pb, pn = base.plan.promises().set_index("tier"), now.plan.promises().set_index("tier")
    labels = {t.name: tier_label(t) for t in now.params.plan.tiers}
    share = now.params.plan.promise_kept_share
    for tier, row in pn.iterrows():
        was = pb.loc[tier] if tier in pb.index else None
        if was is None or (row["target_hours"], row["status"]) != (was["target_hours"], was["status"]) \
                or share != base.params.plan.promise_kept_share:
            out.append(promise_verdict(row, share, now.plan.calendar, labels[tier]))
    hb, hn = base.plan.public_promise_hours(), now.plan.public_promise_hours()
    if not (hb == hn or (math.isnan(hb) and math.isnan(hn))):
        def said(h: float, plan: CommunicationPlan) -> str:
            return _("none kept today") if math.isnan(h) else promise_text(h, plan.calendar)
        out.append(_("The response promise to publish: {after} instead of {before}.").format(
            before=said(hb, base.plan), after=said(hn, now.plan)))
    if base.plan.fits != now.plan.fits or not math.isclose(base.plan.shortfall_hours, now.plan.shortfall_hours,
                                                             abs_tol=0.5):
        out.append(now.plan.fit_sentence())
    return out or [_("Nothing changes: every answer is the same as under the params file.")]


# --------------------------------------------------------------------------- saving


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def params_overrides(params: Params, settings: Mapping[str, Any], fitted: Mapping[str, float]) -> dict[str, Any]:
    """The params file's keys ``settings`` change, nested as the file nests them.

    A moved commitment weight writes every weight in force (the fitted ones where not
    moved) and ``fit_weights: false``, or the next run would fit them again. A tier's
    settings are written under its name (``plan: {tiers: {grey mass: {cadence_weeks: 8}}}``),
    which :func:`workbench.load_params` lays on the tiers of the file extended.

    Examples
    --------
    >>> params_overrides(Params(), {"energy.complaint_weight": 4.0}, {})
    {'energy': {'complaint_weight': 4}}
    """
    moved = {k: v for k, v in settings.items() if not k.startswith("commitment.weights.")}
    new = with_settings(params, moved)
    out: dict[str, Any] = {}
    for key in moved:
        tier = _tier_of(key)
        if tier:
            rule = next(t for t in new.plan.tiers if t.name == tier[0])
            tiers = out.setdefault("plan", {}).setdefault("tiers", {})
            tiers.setdefault(tier[0], {})[tier[1]] = _plain(getattr(rule, tier[1]))
            continue
        *path, last = key.split(".")
        node = out
        for part in path:
            node = node.setdefault(part, {})
        node[last] = _plain(setting(new, key))
    weights = {k.rsplit(".", 1)[1]: float(v) for k, v in settings.items() if k.startswith("commitment.weights.")}
    if weights:
        full = {i: round(float(fitted.get(i, 0.0)), 3) for i in INDICATOR_NAMES} | weights
        out.setdefault("commitment", {}).update(fit_weights=False, weights={k: _plain(v) for k, v in full.items()})
    return out


def params_text(base_file: str | Path, target: Path, params: Params, settings: Mapping[str, Any],
                fitted: Mapping[str, float], *, today: dt.date, changes: list[str]) -> str:
    """A params file holding only what ``settings`` change, extending ``base_file``.

    Its comments say when it was written, from which file, each setting before and after,
    and ``changes`` (:func:`compare`'s sentences). ``extends`` is written relative to
    ``target``'s folder, as :func:`workbench.load_params` resolves it.
    """
    base = Path(base_file).resolve()
    rel = Path(os.path.relpath(base, target.parent.resolve())).as_posix()
    lines = [f"# Agreed in the explorer on {today.isoformat()}, starting from {base.name}.",
             "# Only what differs is written here; every other setting comes from the file in `extends`.",
             "# Settings moved (before -> after):"]
    for key, value in settings.items():
        before = setting(params, key)
        lines.append(f"#   {key}: {before if before is not None else 'from the data'} -> {value}")
    if changes:
        lines.append("# What that changed on the data the explorer read:")
        lines += [f"#   - {c}" for c in changes]
    body = {"extends": rel} | params_overrides(params, settings, fitted)
    text = yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=100)
    return "\n".join(lines) + "\n" + text


def save_params(target: str | Path, base_file: str | Path, params: Params, settings: Mapping[str, Any],
                fitted: Mapping[str, float], *, today: dt.date | None = None,
                changes: list[str] | None = None) -> Path:
    """Write :func:`params_text` to ``target`` (aside, then moved into place), and check
    it reads back as the settings say. Returns the path written."""
    from .exceptions import OutputError
    from .params import load_params

    path = Path(target)
    text = params_text(base_file, path, params, settings, fitted, today=today or dt.date.today(),
                       changes=changes or [])
    part = path.with_name(path.name + ".part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        part.write_text(text, encoding="utf-8")
        load_params(part)
        part.replace(path)
    except OSError as e:
        part.unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write the params file ({e.strerror}). Fix: choose a folder you "
                          f"can write to") from None
    return path
