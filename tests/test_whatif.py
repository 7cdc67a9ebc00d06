"""The what-if: hand-checked arithmetic, one basis for every option, refill from evidence."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench import Params, ParamsError, load_params
from workbench.params import Energy, Kpis
from workbench.i18n import override
from workbench.whatif import SCENARIOS, Refill, WhatIf, options_view, refill_evidence, what_if

HOUR = 50.0  # what an hour of practical capacity costs in the constructed cases


def breakdown(margin: list[float], hours: list[float], revenue: list[float] | None = None,
              hour_cost: float = HOUR) -> pd.DataFrame:
    """Accounts a, b, … as :func:`workbench.energy.energy_breakdown` would give them."""
    n = len(margin)
    h = pd.Series(hours, dtype="float64")
    return pd.DataFrame({
        "account_id": [chr(ord("a") + i) for i in range(n)],
        "revenue": revenue or [m + 100.0 for m in margin], "margin": margin,
        "net_value": pd.Series(margin) - h * hour_cost, "energy_effort": h, "energy": 2 * h,
        "chaser_hours": 0.1 * h, "energy_after_hours": 0.2 * h, "energy_off_day": 0.3 * h,
        "energy_chasers": 0.1 * h,
    })


def demand(low: float, base: float, high: float) -> Refill:
    return Refill("new customers", 365, 365, 4, base, None, (1, 1, 1, 1), (low, base, high), None)


def fixed(share: float) -> Refill:
    return Refill("params", 365, 365, 0, 0.0, None, (0, 0, 0, 0), None, (share, share, share))


NOTHING = Refill("no new customers", 365, 365, 0, 0.0, None, (0, 0, 0, 0), (0.0, 0.0, 0.0), None)


def metrics(tenure: list[int], hours: list[float], window: int = 365) -> pd.DataFrame:
    m = pd.DataFrame({"tenure_days": pd.array(tenure, dtype="Int64"), "effort_hours": hours,
                      "revenue": [100.0] * len(hours)})
    m.attrs["window_days"] = window
    return m


def nets(w: WhatIf, option: str) -> list[float]:
    return [float(w.option(option)[f"net_{s}"]) for s in SCENARIOS]


# --------------------------------------------------------------------------- arithmetic by hand


def test_constructed_case_by_hand() -> None:
    # a: margin 300, 20 h; b: margin 1000, 10 h (kept). Capacity 50 €/h; new work: 5 / 10 / 40 h.
    b = breakdown([300.0, 1000.0], [20.0, 10.0], revenue=[400.0, 1200.0])
    w = what_if(b, ["a"], Params(), hour_cost=HOUR, refill=demand(5.0, 10.0, 40.0))
    drop = w.option("let them go")
    assert (w.revenue_lost, w.margin_lost, w.hours_freed, w.energy_freed) == (400.0, 300.0, 20.0, 40.0)
    # 5, 10 and 20 (all) of the 20 h sold again at 50 €/h, less the 300 € margin.
    assert [drop[f"refill_{s}"] for s in SCENARIOS] == [0.25, 0.5, 1.0]
    assert nets(w, "let them go") == [-50.0, 200.0, 700.0]
    # Net value 300 − 20 × 50 = −700: the price must rise by 700 €, 175 % of 400 €.
    assert nets(w, "raise to break-even price") == [700.0, 700.0, 700.0]
    assert w.price_rise_share == 1.75 and w.over_double_price == 1
    # Lower-touch saves 40 % = 8 h; 5 of them sold in the low case, all 8 otherwise.
    assert nets(w, "lower-touch tier") == [250.0, 400.0, 400.0]
    # The policy removes half the chasers: 1 h, always within the new work.
    assert nets(w, "response-time policy") == [50.0, 50.0, 50.0]
    assert w.break_even_refill == 0.3  # 300 € / (20 h × 50 €/h)
    assert w.portfolio_margin == 1300.0 and w.value_of_hours == 500.0


def test_break_even_refill_is_where_letting_go_nets_zero() -> None:
    b = breakdown([300.0, 1000.0], [20.0, 10.0])
    w = what_if(b, ["a"], Params(), hour_cost=HOUR, refill=NOTHING)
    at = what_if(b, ["a"], Params(), hour_cost=HOUR, refill=fixed(w.break_even_refill))
    assert nets(at, "let them go")[1] == pytest.approx(0.0, abs=1e-9)


def test_the_options_table_shows_the_same_numbers() -> None:
    b = breakdown([300.0, 1000.0], [20.0, 10.0])
    w = what_if(b, ["a"], Params(), hour_cost=HOUR, refill=demand(5.0, 10.0, 40.0))
    shown = options_view(w).data.set_index("Option")
    assert shown.loc["let them go", ["Net change, low case", "Net change, base case", "Net change, high case"]
                     ].tolist() == ["−€50", "€200", "€700"]
    assert shown.loc["let them go", "Hours sold again (base case)"] == "10"
    assert shown.loc["lower-touch tier", "Net change, low case"] == "€250"


# --------------------------------------------------------------------------- not favoured by construction


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.floats(0.01, 1e5), st.floats(0.01, 1e3)), min_size=1, max_size=8))
def test_without_refill_letting_go_a_paying_account_is_a_loss(accounts: list[tuple[float, float]]) -> None:
    b = breakdown([m for m, _ in accounts], [h for _, h in accounts])
    ids = b["account_id"].tolist()
    w = what_if(b, ids, Params(), hour_cost=HOUR, refill=NOTHING)
    assert all(n < 0 for n in nets(w, "let them go"))
    assert nets(w, "let them go") == pytest.approx([-sum(m for m, _ in accounts)] * 3)


@pytest.mark.parametrize("refill", [demand(3.0, 12.0, 30.0), fixed(0.6), NOTHING], ids=["data", "params", "none"])
def test_same_hours_same_hour_value(refill: Refill) -> None:
    """A lower-touch tier that saves every hour frees what letting go frees: worth the same."""
    b = breakdown([300.0, 1000.0], [20.0, 10.0])
    params = Params(energy=Energy(lower_touch_effort_cut=1.0))
    w = what_if(b, ["a"], params, hour_cost=HOUR, refill=refill)
    drop, lower = w.option("let them go"), w.option("lower-touch tier")
    for s in SCENARIOS:
        assert lower[f"value_{s}"] == pytest.approx(drop[f"value_{s}"])
        # Each hour sold again is worth what an hour of capacity costs, for either option.
        assert drop[f"value_{s}"] == pytest.approx(drop[f"refill_{s}"] * w.hours_freed * HOUR)


def test_letting_go_with_every_hour_sold_equals_the_break_even_price() -> None:
    """Both count an hour at the capacity cost: selling every freed hour is worth exactly
    what a price covering the serving cost would add, for accounts that do not cover it."""
    b = breakdown([300.0, 200.0], [20.0, 15.0])
    w = what_if(b, ["a", "b"], Params(), hour_cost=HOUR, refill=fixed(1.0))
    assert nets(w, "let them go") == pytest.approx(nets(w, "raise to break-even price"))


# --------------------------------------------------------------------------- refill from the data


def test_refill_comes_from_new_customers() -> None:
    old = [900, 2000]
    few = refill_evidence(metrics([30, 200, *old], [10.0, 10.0, 50.0, 50.0]), Params())
    more = refill_evidence(metrics([30, 200, *old], [30.0, 30.0, 50.0, 50.0]), Params())
    assert few.basis == more.basis == "new customers"
    assert few.new_customers == 2 and few.new_customer_hours == 20.0
    assert few.demand_hours[1] == 20.0 and more.demand_hours[1] == 60.0
    assert few.refill_shares(80.0)[1] == 0.25 and more.refill_shares(80.0)[1] == 0.75
    # The same new customers counted as old ones (a shorter new-customer window) are no evidence.
    short = Params(kpis=Kpis(new_customer_days=20))
    assert refill_evidence(metrics([30, 200, *old], [10.0, 10.0, 50.0, 50.0]), short).basis == "no new customers"


def test_no_new_customers_nothing_is_sold_again() -> None:
    r = refill_evidence(metrics([900, 2000], [50.0, 50.0]), Params())
    assert r.basis == "no new customers" and r.refill_shares(100.0) == (0.0, 0.0, 0.0)
    w = what_if(breakdown([300.0], [20.0]), ["a"], Params(), hour_cost=HOUR, refill=r)
    assert nets(w, "let them go") == [-300.0, -300.0, -300.0]
    assert "only the relief counts" in w.sentence()


def test_low_and_high_follow_the_slowest_and_fastest_quarter() -> None:
    # New customers per quarter of the year: 3, 1, 0, 0 → mean 1; hours 40 in all.
    r = refill_evidence(metrics([10, 20, 30, 100, 900], [10.0, 10.0, 10.0, 10.0, 99.0]), Params())
    assert r.period_counts == (3, 1, 0, 0)
    assert r.demand_hours == (0.0, 40.0, 120.0)


def test_pace_is_scaled_to_the_window() -> None:
    """Customers won in half a window took their hours in half the time: twice the pace."""
    r = refill_evidence(metrics([10, 100, 900], [10.0, 10.0, 99.0], window=365), Params(kpis=Kpis(new_customer_days=182)))
    assert r.demand_hours[1] == pytest.approx(20.0 * 365 / 182)


def test_params_override_the_data() -> None:
    m = metrics([30, 200, 900], [10.0, 10.0, 50.0])
    one = refill_evidence(m, Params(energy=Energy(refill_share=0.3)))
    three = refill_evidence(m, Params(energy=Energy(refill_share=(0.1, 0.3, 0.9))))
    assert one.basis == "params" and one.refill_shares(1000.0) == (0.3, 0.3, 0.3)
    assert three.refill_shares(5.0) == (0.1, 0.3, 0.9)


@pytest.mark.parametrize(("value", "message"), [("1.5", "between 0 and 1"), ("[0.5, 0.2, 0.9]", "in that order")])
def test_a_wrong_refill_share_is_one_clear_line(tmp_path: Path, value: str, message: str) -> None:
    f = tmp_path / "acme.yaml"
    f.write_text(f"energy:\n  refill_share: {value}\n", encoding="utf-8")
    with pytest.raises(ParamsError, match=message):
        load_params(f)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3000), st.floats(0, 500)), min_size=1, max_size=40),
       st.integers(1, 730), st.floats(0, 5000))
def test_scenarios_are_ordered(accounts: list[tuple[int, float]], days: int, freed: float) -> None:
    m = metrics([t for t, _ in accounts], [h for _, h in accounts])
    r = refill_evidence(m, Params(kpis=Kpis(new_customer_days=days)))
    low, base, high = r.refill_shares(freed)
    assert 0 <= low <= base <= high <= 1
    assert r.demand_hours[0] <= r.demand_hours[1] <= r.demand_hours[2]


# --------------------------------------------------------------------------- sentences agree with the table


def _money(text: str) -> float:
    """A money figure as the report writes it (``−€1,240``, ``+1 240 €``) back to a number."""
    for mark in ("€", ",", "\u00a0", "+", " "):
        text = text.replace(mark, "")
    return float(text.replace("\u2212", "-"))


@pytest.mark.parametrize("refill", [demand(5.0, 10.0, 40.0), NOTHING, fixed(1.0), demand(0.0, 2.0, 3.0)])
@pytest.mark.parametrize("margin", [300.0, 900.0, 1500.0])
def test_sentence_agrees_with_the_table(refill: Refill, margin: float) -> None:
    w = what_if(breakdown([margin, 1000.0], [20.0, 10.0]), ["a"], Params(), hour_cost=HOUR, refill=refill)
    text = w.sentence()
    base = float(w.option("let them go")["net_base"])
    said = re.search(r"letting go (gains|loses) (€[\d,]+)", text)
    assert said, text
    assert (said.group(1) == "gains") == (base > 0)
    assert _money(said.group(2)) == pytest.approx(abs(base), abs=0.5)
    lo, hi = re.search(r"\(from ([^ ]+) to ([^ ]+)\)", text).groups()
    assert _money(lo) == pytest.approx(nets(w, "let them go")[0], abs=0.5)
    assert _money(hi) == pytest.approx(nets(w, "let them go")[2], abs=0.5)
    best = re.search(r"“(.+)” does most", text).group(1)
    assert best == w.options.set_index("option")["net_base"].idxmax()
    # Breaking even on refilled hours: margin / (20 h × 50 €/h).
    if margin / 1000 > 1:
        assert "does not pay even if every freed hour is sold again" in text
    else:
        assert f"It pays as soon as **{margin / 10:.0f}%**" in text


@pytest.mark.parametrize("margin", [300.0, 1500.0])
def test_the_finnish_sentence_says_the_same(margin: float) -> None:
    """In Finnish the figures are the same, written as Finns write them, and the option the
    sentence names is the one the Finnish table names."""
    w = what_if(breakdown([margin, 1000.0], [20.0, 10.0]), ["a"], Params(), hour_cost=HOUR,
                refill=demand(5.0, 10.0, 40.0))
    with override("fi"):
        text = w.sentence()
        table = options_view(w).data
    base = float(w.option("let them go")["net_base"])
    said = re.search(r"luopuminen (kasvattaa|pienentää) katetta ([\d\u00a0]+\u00a0€)", text)
    assert said, text
    assert (said.group(1) == "kasvattaa") == (base > 0)
    assert _money(said.group(2)) == pytest.approx(abs(base), abs=0.5)
    best = re.search(r"”(.+)” parantaa", text).group(1)
    assert best in table["Vaihtoehto"].tolist()
    for english in ("letting go", "margin", "hours", "candidate", " the "):
        assert english not in text, english


def test_the_options_view_is_for_people() -> None:
    w = what_if(breakdown([300.0, 1000.0], [20.0, 10.0]), ["a"], Params(), hour_cost=HOUR,
                refill=demand(5.0, 10.0, 40.0))
    shown = options_view(w).data
    assert shown.columns[0] == "Option" and "net_base" not in shown.columns
    assert shown.iloc[0].tolist()[-3:] == ["−€50", "€200", "€700"]
    with override("fi"):
        fi = options_view(w).data
    assert fi.columns.tolist()[:3] == ["Vaihtoehto", "Myynnin muutos", "Katteen muutos"]
    assert fi.iloc[0, 0] == "luovu niistä" and fi.iloc[0, -3] == "−50\u00a0€"
    cells = [str(v) for v in fi.to_numpy().ravel()]
    assert not any(v in ("nan", "None", "True", "False") or v.endswith(".0") for v in cells)


def test_an_implausible_price_is_called_so() -> None:
    steep = what_if(breakdown([100.0], [20.0], revenue=[300.0]), ["a"], Params(), hour_cost=HOUR, refill=NOTHING)
    mild = what_if(breakdown([100.0], [3.0], revenue=[300.0]), ["a"], Params(), hour_cost=HOUR, refill=NOTHING)
    assert steep.price_rise_share == 3.0 and "unlikely to accept" in steep.sentence()
    assert mild.price_rise_share == pytest.approx(50 / 300) and "unlikely to accept" not in mild.sentence()


def test_relief_is_hours_not_euros() -> None:
    w = what_if(breakdown([300.0], [20.0]), ["a"], Params(), hour_cost=HOUR, refill=demand(5.0, 10.0, 40.0))
    assert "relieves the team of 40 hours of energy" in w.sentence()
    # Energy never enters the money: doubling it changes no euro figure.
    b = breakdown([300.0], [20.0]).assign(energy=80.0)
    more = what_if(b, ["a"], Params(), hour_cost=HOUR, refill=demand(5.0, 10.0, 40.0))
    money_cols = [c for c in w.options if c.startswith(("net_", "value_"))]
    pd.testing.assert_frame_equal(w.options[money_cols], more.options[money_cols])


def test_as_dict_is_json_ready_with_scenarios_and_evidence() -> None:
    r = refill_evidence(metrics([30, 200, 900], [10.0, 10.0, 50.0]), Params())
    w = what_if(breakdown([300.0, 1000.0], [20.0, 10.0]), ["a"], Params(), hour_cost=HOUR, refill=r)
    d = json.loads(json.dumps(w.as_dict()))
    assert list(d["scenarios"]) == list(SCENARIOS)
    assert d["scenarios"]["base"]["net_change"] == pytest.approx(float(w.option("let them go")["net_base"]), abs=0.01)
    assert d["refill"]["new_customers"] == 2 and d["refill"]["demand_hours"]["base"] == 20.0
    assert set(d["options"]) == set(w.options["option"])


def test_nothing_to_let_go() -> None:
    w = what_if(breakdown([300.0], [20.0]), [], Params(), hour_cost=HOUR, refill=demand(5.0, 10.0, 40.0))
    assert (w.revenue_lost, w.hours_freed, w.break_even_refill, w.price_rise_share) == (0, 0, None, None)
    assert nets(w, "let them go") == [0.0, 0.0, 0.0]
    assert w.sentence() == "No account is a drop candidate, so there is nothing to let go."
