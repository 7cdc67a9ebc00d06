"""What-if: letting drop candidates go, against fixing them, all on one basis.

Letting an account go loses its revenue and margin and frees the hours its contact takes.
The team's cost does not fall with it, so a freed hour earns money only when it is sold
again. Earlier versions valued a freed hour at the retained portfolio's margin per *contact*
hour and assumed every hour refilled; both inflate it: contact is a fraction of the hours a
customer's work takes (production work is not in the contact log), so margin per contact
hour is several times what an hour earns, and refilling was assumed rather than shown.

Here a freed hour that is sold again is worth what an hour of the team's practical capacity
costs (the time-driven costing rate, :attr:`workbench.energy.CostRates.rate_per_hour`): the
least a firm asks for an hour it sells, and the figure the cost to serve is counted in, so
keeping and letting go are measured in the same unit. How many freed hours are sold again is
not assumed but read from the client's own pace of winning new customers
(:func:`refill_evidence`), as low / base / high scenarios. Every option, letting go and each
fix-before-fire alternative, is valued with the same hour value and the same scenarios.

The relief to the team, hours of energy (contact time weighted by stress), is shown beside
the money and never converted into euros: it is real, but it is not cash.

Everything here is a pure function of its inputs and the params.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pandas.io.formats.style import Styler

from .formatting import money, number, percent
from .i18n import N_, _, ngettext
from .kpis import is_new
from .params import Params
from .tables import present

#: The scenarios every option is valued under, from the least to the most refilled.
SCENARIOS = ("low", "base", "high")
#: The options, in the order the report shows them.
#: The names are catalogue messages: the report shows them through :func:`workbench.i18n._`.
OPTIONS = (N_("let them go"), N_("raise to break-even price"), N_("lower-touch tier"), N_("response-time policy"))
_BY = "account_id"
#: The new-customer window is cut into this many equal periods to see how the pace varies.
_PERIODS = 4


# --------------------------------------------------------------------------- refill


@dataclass(frozen=True)
class Refill:
    """How many freed hours the firm can expect to sell again, and the evidence for it.

    ``demand_hours`` is new work the firm can plausibly win in one analysis window, per
    scenario (low, base, high); an option that frees ``h`` hours refills ``min(h, demand)``
    of them. When the params set the share (``basis == "params"``), ``shares`` holds it per
    scenario and applies to every option's hours as they are.
    """

    basis: str
    window_days: int
    new_customer_days: int
    new_customers: int
    new_customer_hours: float
    new_customer_revenue: float | None
    period_counts: tuple[int, ...]
    demand_hours: tuple[float, float, float] | None
    shares: tuple[float, float, float] | None

    def refill_shares(self, hours: float) -> tuple[float, float, float]:
        """The share of ``hours`` freed hours sold again, low / base / high.

        Examples
        --------
        >>> r = Refill("new customers", 365, 365, 8, 100.0, None, (1, 2, 2, 3), (50.0, 100.0, 150.0), None)
        >>> r.refill_shares(200.0), r.refill_shares(100.0)
        ((0.25, 0.5, 0.75), (0.5, 1.0, 1.0))
        """
        if self.shares is not None:
            return self.shares
        if hours <= 0 or self.demand_hours is None:
            return (0.0, 0.0, 0.0)
        low, base, high = (min(1.0, d / hours) for d in self.demand_hours)
        return (low, base, high)

    def as_dict(self) -> dict[str, Any]:
        """The evidence, JSON-ready."""
        return {
            "basis": self.basis, "window_days": self.window_days, "new_customer_days": self.new_customer_days,
            "new_customers": self.new_customers, "new_customer_hours": round(self.new_customer_hours, 2),
            "new_customer_revenue": None if self.new_customer_revenue is None else round(self.new_customer_revenue, 2),
            "new_customers_per_period": list(self.period_counts),
            "demand_hours": None if self.demand_hours is None
            else {s: round(d, 2) for s, d in zip(SCENARIOS, self.demand_hours)},
            "shares": None if self.shares is None else {s: round(v, 4) for s, v in zip(SCENARIOS, self.shares)},
        }


def refill_evidence(metrics: pd.DataFrame, params: Params) -> Refill:
    """How much new work the firm has shown it can win: the demand freed hours could meet.

    The rule, as one would put it to the client: *freed hours are worth money only if you
    sell them, and you sell hours by winning customers. The customers you won in the last
    new-customer window (``kpis.new_customer_days``, the same "new" as the KPI) took H contact
    hours in that time. If, with the time freed, you win as many again, you fill H more hours
    in a like period; freed hours beyond that stay unsold.* So the base demand is H, scaled
    linearly to the analysis window when the two differ, and an option freeing ``h`` hours
    refills ``min(h, demand)`` of them (:meth:`Refill.refill_shares`).

    Low and high come from how the pace itself varies: the new-customer window is cut into
    four equal periods (quarters of a year by default) and the demand is scaled to the
    slowest and the fastest period's pace (its count of new customers against the mean per
    period). Thin evidence gives a wide band: one new customer spans 0 to 4 times the base.

    Why nothing else moves it:

    - It is taken as given that winning again at the past pace is possible on top of what
      the firm wins anyway. That is generous to letting go, and the low case is there for it.
    - Leads are not added: a converted lead is already a new customer, counted once; an
      unconverted lead does not show that time was what lost it (the lead-response KPIs show
      whether leads go cold).
    - The capacity the contact log leaves unused is not counted against it: it holds
      production work the log does not show, so it cannot tell idle time from busy time.

    Fallback: without new customers in the window nothing shows that freed hours would be
    sold, so demand is 0 in every scenario and only the relief counts. ``energy.refill_share``
    in the params overrides the data (one share for all scenarios, or ``[low, base, high]``),
    e.g. for an owner who would cut paid hours rather than sell them (share 1).

    Parameters
    ----------
    metrics : pandas.DataFrame
        :func:`workbench.account_metrics` output: ``tenure_days``, ``effort_hours`` and,
        with invoices, ``revenue``; ``attrs["window_days"]`` is the analysis window.
    params : Params
        ``kpis.new_customer_days`` and ``energy.refill_share``.

    Examples
    --------
    >>> m = pd.DataFrame({"tenure_days": [30, 100, 200, 300, 900], "effort_hours": [5.0, 10.0, 10.0, 15.0, 80.0]})
    >>> m.attrs["window_days"] = 365
    >>> r = refill_evidence(m, Params())
    >>> r.new_customers, r.new_customer_hours, r.period_counts, r.demand_hours
    (4, 40.0, (1, 1, 1, 1), (40.0, 40.0, 40.0))
    """
    window = int(metrics.attrs.get("window_days", 365))
    days = params.kpis.new_customer_days
    new = is_new(metrics, days)
    tenure = metrics.loc[new, "tenure_days"].astype("float64").to_numpy()
    period = np.minimum((tenure * _PERIODS // days).astype("int64"), _PERIODS - 1)
    counts = tuple(int(c) for c in np.bincount(period, minlength=_PERIODS))
    hours = float(metrics.loc[new, "effort_hours"].sum())
    revenue = float(metrics.loc[new, "revenue"].sum()) if "revenue" in metrics else None
    n = int(new.sum())
    evidence = dict(window_days=window, new_customer_days=days, new_customers=n, new_customer_hours=hours,
                    new_customer_revenue=revenue, period_counts=counts)
    fixed = params.energy.refill_share
    if fixed is not None:
        shares = (fixed,) * 3 if isinstance(fixed, float) else fixed
        return Refill(basis="params", demand_hours=None, shares=tuple(map(float, shares)), **evidence)
    if not n:
        return Refill(basis="no new customers", demand_hours=(0.0, 0.0, 0.0), shares=None, **evidence)
    base = hours * window / days
    mean = n / _PERIODS
    demand = (base * min(counts) / mean, base, base * max(counts) / mean)
    return Refill(basis="new customers", demand_hours=demand, shares=None, **evidence)


# --------------------------------------------------------------------------- the what-if


@dataclass(frozen=True)
class WhatIf:
    """Letting a set of accounts go, against fixing them, for the same accounts.

    ``options`` compares, one row per name in :data:`OPTIONS`: revenue and margin change,
    contact hours and energy hours freed, and per scenario ``s`` in :data:`SCENARIOS`
    ``refill_s`` (share of the freed hours sold again), ``value_s`` (refilled hours ×
    ``hour_cost``) and ``net_s`` = ``margin_change + value_s``. ``per_account`` holds the
    accounts' own figures, so the set's are the sums of its members'.
    ``break_even_refill`` is the share of freed hours that must be sold again for letting go
    to pay (None when no hours are freed), above 1 when it cannot pay at all;
    ``price_rise_share`` is the break-even price rise as a share of the revenue of the
    accounts that need one (None when they have none).
    """

    accounts: tuple[str, ...]
    revenue_lost: float
    margin_lost: float
    hours_freed: float
    energy_freed: float
    portfolio_margin: float
    hour_cost: float
    refill: Refill
    break_even_refill: float | None
    price_rise_share: float | None
    over_double_price: int
    options: pd.DataFrame
    per_account: pd.DataFrame

    def option(self, name: str) -> pd.Series:
        """One row of :attr:`options`."""
        return self.options.set_index("option").loc[name]

    @property
    def value_of_hours(self) -> float:
        """What letting go's freed hours are worth in the base scenario."""
        return float(self.option("let them go")["value_base"])

    def sentence(self) -> str:
        """The what-if in one paragraph for the report (markdown), from the options' numbers.

        Examples
        --------
        >>> b = pd.DataFrame({"account_id": ["a"], "revenue": [1000.0], "margin": [600.0],
        ...                   "net_value": [100.0], "energy_effort": [10.0], "energy": [20.0],
        ...                   "chaser_hours": [0.0], "energy_after_hours": [0.0],
        ...                   "energy_off_day": [0.0], "energy_chasers": [0.0]})
        >>> r = Refill("params", 365, 365, 0, 0.0, None, (0, 0, 0, 0), None, (1.0, 1.0, 1.0))
        >>> text = what_if(b, ["a"], Params(), hour_cost=50.0, refill=r).sentence()
        >>> "does not pay even if every freed hour is sold again" in text
        True
        """
        n = len(self.accounts)
        if not n:
            return _("No account is a drop candidate, so there is nothing to let go.")
        drop = self.option("let them go")
        parts = [
            ngettext("Letting the candidate go loses {revenue} of revenue and {margin} of margin, and frees "
                     "{hours} contact hours.",
                     "Letting the {n} candidates go loses {revenue} of revenue and {margin} of margin, and frees "
                     "{hours} contact hours.", n).format(
                n=number(n), revenue=money(self.revenue_lost), margin=money(self.margin_lost),
                hours=number(self.hours_freed)),
            _("The team's cost does not fall with them: a freed hour earns only when it is sold again, and is "
              "then worth what an hour of the team's capacity costs, {cost}.").format(
                cost=money(self.hour_cost, digits=2)),
            self._refill_sentence(drop),
        ]
        low, base, high = (drop[f"net_{s}"] for s in SCENARIOS)
        figures = dict(value=money(abs(base)), low=_signed(low), high=_signed(high))
        if round(base) > 0:
            effect = _("On that basis letting go gains {value} of margin (from {low} to {high}).")
        elif round(base) < 0:
            effect = _("On that basis letting go loses {value} of margin (from {low} to {high}).")
        else:
            effect = _("On that basis letting go leaves the margin as it is (from {low} to {high}).")
        parts.append(effect.format(**figures))
        parts.append(self._break_even_sentence())
        nets = self.options.set_index("option")["net_base"]
        best = str(nets.idxmax())
        parts.append(_("Of the options below, “{best}” does most for the margin in the base case "
                       "({net}).").format(best=_(best), net=_signed(nets[best])))
        parts.append(self._price_sentence())
        lt, rp = self.option("lower-touch tier"), self.option("response-time policy")
        parts.append(_(
            "Apart from money, letting go relieves the team of {energy} hours of energy (contact time weighted by "
            "stress), a lower-touch tier of {lower} and a response-time policy of {policy}: relief, not counted "
            "in euros.").format(energy=number(self.energy_freed), lower=number(lt["energy_freed"]),
                                policy=number(rp["energy_freed"])))
        return " ".join(p for p in parts if p)

    def _refill_sentence(self, drop: pd.Series) -> str:
        r = self.refill
        shares = dict(low=_pct(drop["refill_low"]), base=_pct(drop["refill_base"]), high=_pct(drop["refill_high"]))
        if r.basis == "params":
            return _("The share of freed hours sold again is set by the analyst: {low} (low), {base} (base), "
                     "{high} (high).").format(**shares)
        if r.basis == "no new customers":
            return _("No new customer came in the last {days} days, so nothing shows the freed hours would be "
                     "sold: none are counted as sold again, and only the relief counts.").format(
                days=number(r.new_customer_days))
        refilled = drop["refill_base"] * self.hours_freed
        figures = dict(n=number(r.new_customers), days=number(r.new_customer_days),
                       hours=number(r.new_customer_hours), sold=number(refilled), **shares)
        # A quarter is what a client calls a fourth of a year; other windows say their length.
        if abs(r.new_customer_days - 365) <= 1:
            text = ngettext(
                "The {n} customer won in the last {days} days took {hours} contact hours; winning as many again "
                "would sell {sold} of the freed hours ({base}), {low} at the slowest quarter's pace and {high} at "
                "the fastest.",
                "The {n} customers won in the last {days} days took {hours} contact hours; winning as many again "
                "would sell {sold} of the freed hours ({base}), {low} at the slowest quarter's pace and {high} at "
                "the fastest.", r.new_customers)
        else:
            figures["period"] = number(r.new_customer_days / 4)
            text = ngettext(
                "The {n} customer won in the last {days} days took {hours} contact hours; winning as many again "
                "would sell {sold} of the freed hours ({base}), {low} at the pace of the slowest {period}-day "
                "period and {high} at the fastest.",
                "The {n} customers won in the last {days} days took {hours} contact hours; winning as many again "
                "would sell {sold} of the freed hours ({base}), {low} at the pace of the slowest {period}-day "
                "period and {high} at the fastest.", r.new_customers)
        return text.format(**figures) + " " + _("Hours beyond that stay unsold, whichever option frees them.")

    def _break_even_sentence(self) -> str:
        x = self.break_even_refill
        if x is None:
            return ""
        if x > 1:
            return _("Letting go does not pay even if every freed hour is sold again: it would take {share} of "
                     "them.").format(share=_pct(x))
        return _("It pays as soon as **{share}** of the freed hours are sold again.").format(share=_pct(x))

    def _price_sentence(self) -> str:
        inc = float(self.per_account["break_even_increase"].sum())
        if not inc:
            return _("None of them needs a higher price to break even.")
        if self.price_rise_share is None:
            return _("Breaking even would take {money} more from accounts that pay nothing today.").format(
                money=money(inc))
        text = _("Breaking even would take {money} more, a {share} price rise for them.").format(
            money=money(inc), share=_pct(self.price_rise_share))
        if self.over_double_price:
            k = self.over_double_price
            steep = float(self.per_account.loc[self.per_account["break_even_rise"] > 1, "break_even_increase"].sum())
            text += " " + ngettext(
                "{n} account would pay more than double ({money} of it), which a customer is unlikely to accept, "
                "so for it that row is not a real option.",
                "{n} accounts would pay more than double ({money} of it), which a customer is unlikely to accept, "
                "so for them that row is not a real option.", k).format(n=number(k), money=money(steep))
        return text

    def as_dict(self) -> dict[str, Any]:
        """Headline totals, the scenarios of letting go, each option and the refill evidence, JSON-ready."""
        drop = self.option("let them go")
        return {
            "accounts": len(self.accounts),
            "revenue_lost": round(self.revenue_lost, 2), "margin_lost": round(self.margin_lost, 2),
            "hours_freed": round(self.hours_freed, 2), "energy_freed": round(self.energy_freed, 2),
            "portfolio_margin": round(self.portfolio_margin, 2), "hour_cost": round(self.hour_cost, 2),
            "break_even_refill_share": None if self.break_even_refill is None else round(self.break_even_refill, 4),
            "price_rise_share": None if self.price_rise_share is None else round(self.price_rise_share, 4),
            "accounts_over_double_price": self.over_double_price,
            "scenarios": {s: {"refill_share": round(float(drop[f"refill_{s}"]), 4),
                              "value_of_hours": round(float(drop[f"value_{s}"]), 2),
                              "net_change": round(float(drop[f"net_{s}"]), 2)} for s in SCENARIOS},
            "options": {str(o): {k: round(float(v), 4 if k.startswith("refill") else 2) for k, v in r.items()}
                        for o, r in self.options.set_index("option").iterrows()},
            "refill": self.refill.as_dict(),
            "sentence": self.sentence(),
        }


def what_if(
    breakdown: pd.DataFrame,
    accounts: Iterable[str],
    params: Params,
    *,
    hour_cost: float,
    refill: Refill,
) -> WhatIf:
    """What letting ``accounts`` go would cost and free, and the fix-before-fire alternatives.

    Letting go loses the accounts' revenue and margin and frees their contact hours. The
    alternatives keep them: the break-even price raises revenue by what the net value lacks
    (no hours freed); a lower-touch tier frees ``energy.lower_touch_effort_cut`` of their
    hours and energy; a published response-time policy removes ``energy.response_policy_cut``
    of their chasers (hours and energy) and of their after-hours and weekend stress. Every
    option's freed hours are valued alike: the share ``refill`` says is sold again, per
    scenario, times ``hour_cost``. Capacity cost is fixed, so no option counts the cost to
    serve as a saving, and with nothing sold again letting go an account that earns a margin
    is always a loss.

    Parameters
    ----------
    breakdown : pandas.DataFrame
        :func:`workbench.energy.energy_breakdown` output.
    accounts : iterable of str
        The accounts to let go (the drop candidates, or any choice).
    params : Params
        ``energy.lower_touch_effort_cut`` and ``energy.response_policy_cut``.
    hour_cost : float
        What an hour of practical capacity costs (``CostRates.rate_per_hour``).
    refill : Refill
        :func:`refill_evidence` of the portfolio.

    Examples
    --------
    >>> b = pd.DataFrame({"account_id": ["a", "b"], "revenue": [100.0, 1000.0],
    ...                   "margin": [50.0, 600.0], "net_value": [-50.0, 500.0],
    ...                   "energy_effort": [10.0, 10.0], "energy": [30.0, 12.0],
    ...                   "chaser_hours": [2.0, 0.0], "energy_after_hours": [4.0, 0.0],
    ...                   "energy_off_day": [6.0, 0.0], "energy_chasers": [2.0, 0.0]})
    >>> r = Refill("new customers", 365, 365, 4, 8.0, None, (1, 1, 1, 1), (4.0, 8.0, 12.0), None)
    >>> w = what_if(b, ["a"], Params(), hour_cost=10.0, refill=r)
    >>> w.option("let them go")[["net_low", "net_base", "net_high"]].tolist()
    [-10.0, 30.0, 50.0]
    >>> w.option("lower-touch tier")[["net_low", "net_base", "net_high"]].tolist()
    [40.0, 40.0, 40.0]
    >>> w.break_even_refill, w.price_rise_share
    (0.5, 0.5)
    """
    e = params.energy
    ids = breakdown[_BY].astype(str)
    chosen = ids.isin(set(map(str, accounts))).to_numpy()
    sel = breakdown[chosen]

    per = pd.DataFrame({_BY: ids[chosen].to_numpy()})
    per["revenue_lost"] = sel["revenue"].to_numpy()
    per["margin_lost"] = sel["margin"].to_numpy()
    per["hours_freed"] = sel["energy_effort"].to_numpy()
    per["energy_freed"] = sel["energy"].to_numpy()
    per["break_even_increase"] = (-sel["net_value"]).clip(lower=0).to_numpy()
    # A rise on no revenue is no percentage at all: infinitely implausible.
    with np.errstate(divide="ignore", invalid="ignore"):
        rise = per["break_even_increase"] / per["revenue_lost"].where(per["revenue_lost"] > 0)
    per["break_even_rise"] = rise.where(per["break_even_increase"] > 0, 0.0).fillna(np.inf)
    per["lower_touch_hours"] = e.lower_touch_effort_cut * per["hours_freed"]
    per["lower_touch_energy"] = e.lower_touch_effort_cut * per["energy_freed"]
    cut = e.response_policy_cut
    per["policy_hours"] = cut * sel["chaser_hours"].to_numpy()
    stress = sel[["energy_after_hours", "energy_off_day", "energy_chasers"]].sum(axis=1).to_numpy()
    per["policy_energy"] = cut * stress + per["policy_hours"]

    s = per.sum(numeric_only=True)
    options = pd.DataFrame([
        _option("let them go", -s["revenue_lost"], -s["margin_lost"], s["hours_freed"], s["energy_freed"], hour_cost, refill),
        _option("raise to break-even price", s["break_even_increase"], s["break_even_increase"], 0.0, 0.0, hour_cost, refill),
        _option("lower-touch tier", 0.0, 0.0, s["lower_touch_hours"], s["lower_touch_energy"], hour_cost, refill),
        _option("response-time policy", 0.0, 0.0, s["policy_hours"], s["policy_energy"], hour_cost, refill),
    ])
    capacity = s["hours_freed"] * hour_cost
    needs = per["break_even_increase"] > 0
    paying = float(per.loc[needs, "revenue_lost"].clip(lower=0).sum())
    return WhatIf(
        accounts=tuple(per[_BY]), revenue_lost=float(s["revenue_lost"]), margin_lost=float(s["margin_lost"]),
        hours_freed=float(s["hours_freed"]), energy_freed=float(s["energy_freed"]),
        portfolio_margin=float(breakdown["margin"].sum()), hour_cost=float(hour_cost), refill=refill,
        break_even_refill=max(0.0, float(s["margin_lost"] / capacity)) if capacity else None,
        price_rise_share=float(s["break_even_increase"]) / paying if paying else None,
        over_double_price=int((per["break_even_rise"] > 1).sum()),
        options=options, per_account=per,
    )


def _option(name: str, revenue: float, margin: float, hours: float, energy: float,
            hour_cost: float, refill: Refill) -> dict[str, Any]:
    row: dict[str, Any] = {"option": name, "revenue_change": float(revenue), "margin_change": float(margin),
                           "hours_freed": float(hours), "energy_freed": float(energy)}
    for scenario, share in zip(SCENARIOS, refill.refill_shares(hours)):
        value = share * hours * hour_cost
        row |= {f"refill_{scenario}": share, f"value_{scenario}": value, f"net_{scenario}": float(margin + value)}
    return row


#: The options table's columns: (header, kind), headers in the catalogue.
OPTION_COLUMNS = {
    "option": (N_("Option"), "text"),
    "revenue_change": (N_("Revenue change"), "money"),
    "margin_change": (N_("Margin change"), "money"),
    "hours_freed": (N_("Contact hours freed"), "count"),
    "hours_sold": (N_("Hours sold again (base case)"), "count"),
    "energy_freed": (N_("Energy hours freed"), "count"),
    "net_low": (N_("Net change, low case"), "money"),
    "net_base": (N_("Net change, base case"), "money"),
    "net_high": (N_("Net change, high case"), "money"),
}


def options_view(w: WhatIf) -> Styler:
    """The options side by side for people: the options named in the report's language,
    money in the locale, hours whole.

    Examples
    --------
    >>> b = pd.DataFrame({"account_id": ["a"], "revenue": [100.0], "margin": [50.0],
    ...                   "net_value": [-50.0], "energy_effort": [10.0], "energy": [30.0],
    ...                   "chaser_hours": [2.0], "energy_after_hours": [4.0],
    ...                   "energy_off_day": [6.0], "energy_chasers": [2.0]})
    >>> r = Refill("no new customers", 365, 365, 0, 0.0, None, (0, 0, 0, 0), (0.0, 0.0, 0.0), None)
    >>> options_view(what_if(b, ["a"], Params(), hour_cost=10.0, refill=r)).data.iloc[0].tolist()[:3]
    ['let them go', '−€100', '−€50']
    """
    t = w.options.assign(option=[_(o) for o in w.options["option"]],
                         hours_sold=w.options["hours_freed"] * w.options["refill_base"])
    return present(t, OPTION_COLUMNS)


def _pct(x: float) -> str:
    return percent(x)


def _signed(x: float) -> str:
    """``+1 240 €`` / ``−1 240 €``: a net change always shows its sign."""
    return ("+" if round(x) > 0 else "") + money(x)
