"""Energy drain: hand-checked parts, invariants, planted-drainer recovery, the real ticket log."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import portfolios
from conftest import log
from workbench import Params, ParamsError, Portfolio, load_params, start
from workbench.commitment import commitment_scores
from workbench.weighting import fit_weights
from workbench import plots
from workbench.energy import (
    implausible_log,
    PARTS,
    TOP_SHARE,
    EnergyDrain,
    capacity_table,
    candidate_view,
    cost_rates,
    drop_candidates,
    energy_drain,
    energy_events,
    gini,
    inbound_heatmap,
    pareto,
    team_load,
    team_view,
    whale_curve,
)
from workbench.i18n import override
from workbench.load import read_table
from workbench.metrics import account_metrics
from workbench.params import TableSource
from workbench.paths import repo_root
from workbench.whatif import SCENARIOS, what_if

AS_OF = dt.date(2025, 7, 1)
REAL = repo_root().parent / "shared" / "data" / "real"
energies = st.lists(st.floats(0, 1e4, allow_nan=False, allow_subnormal=False), min_size=1, max_size=60)


@pytest.fixture(scope="module")
def sample() -> tuple[EnergyDrain, pd.DataFrame]:
    a = start("params/default.yaml")
    truth = pd.read_csv(a.params.data.path / "truth.csv", dtype={"account_id": str})
    # As the notebook does: commitment from the commitment score.
    committed = commitment_scores(a.metrics, a.params).set_index("account_id")["committed"]
    truth["active"] = pd.to_datetime(truth["churn_date"]).isna() | (
        pd.to_datetime(truth["churn_date"]) >= pd.Timestamp(a.as_of) - pd.Timedelta(days=a.metrics.attrs["window_days"])
    )
    return energy_drain(a.portfolio, a.metrics, a.params, committed=committed), truth


def tiny_drain(portfolio: Portfolio, params: Params | None = None) -> EnergyDrain:
    params = params or Params()
    return energy_drain(portfolio, account_metrics(portfolio, params, as_of=AS_OF), params)


# --------------------------------------------------------------------------- parts by hand


def test_tiny_parts_checked_by_hand(tiny: Portfolio) -> None:
    d = tiny_drain(tiny)
    a = d.breakdown.set_index("account_id").loc["A"]
    # Sunday e-mail, e-mail +10 min, SMS +5 min: all on a weekend, none "after hours" on a
    # working day; two chasers (e-mail 6 min + cross-channel SMS 2 min); one 6-min complaint.
    assert a.energy_effort * 60 == pytest.approx(46.0)
    assert a.energy_after_hours == 0.0
    assert a.energy_off_day * 60 == pytest.approx(2.0 * (6 + 6 + 2))
    assert a.energy_chasers * 60 == pytest.approx(1.0 * (6 + 2))
    assert a.energy_complaints * 60 == pytest.approx(3.0 * 6)
    assert a.energy_long_threads == 0.0  # thread t1 has 4 messages, under the 8 of params
    assert a.chaser_hours * 60 == pytest.approx(8.0)
    assert a.energy == a[list(PARTS)].sum()


def test_long_threads_count_messages_beyond_the_limit(tiny: Portfolio) -> None:
    params = Params.model_validate({"energy": {"long_thread_messages": 2}})
    a = tiny_drain(tiny, params).breakdown.set_index("account_id").loc["A"]
    # Thread t1: e-mails 3 and 4 are beyond the second message, 6 minutes each, weight 0.5.
    assert (a.long_thread_messages, a.energy_long_threads * 60) == (2, pytest.approx(6.0))


@pytest.mark.parametrize(
    ("rows", "chaser_minutes"),
    [
        # Exactly at the 60-minute window: a chaser; a minute later: not.
        ([("2025-06-02 10:00", "email", "in"), ("2025-06-02 11:00", "email", "in")], 6),
        ([("2025-06-02 10:00", "email", "in"), ("2025-06-02 11:01", "email", "in")], 0),
        # Our answer in between ends the run.
        ([("2025-06-02 10:00", "email", "in"), ("2025-06-02 10:05", "email", "out"),
          ("2025-06-02 10:10", "email", "in")], 0),
        # Cross-channel: e-mail, then a text asking whether e-mail works.
        ([("2025-06-01 16:00", "email", "in"), ("2025-06-01 16:10", "sms", "in")], 2),
        # Spring-forward night: 02:50 and 04:10 local are 20 real minutes apart.
        ([("2025-03-30 02:50", "email", "in"), ("2025-03-30 04:10", "phone", "in")], 12),
    ],
)
def test_chaser_energy_follows_the_chaser_rule(rows: list[tuple], chaser_minutes: float) -> None:
    p = Portfolio(accounts=pd.DataFrame({"account_id": ["A"], "name": ["Aa Oy"]}),
                  interactions=log([("A", *r) for r in rows]))
    a = tiny_drain(p).breakdown.set_index("account_id").loc["A"]
    assert a.energy_chasers * 60 == pytest.approx(chaser_minutes)


def test_events_agree_with_metrics_on_every_engine(tiny: Portfolio) -> None:
    params = Params()
    frames = [energy_events(tiny, params, AS_OF, engine=e) for e in ("duckdb", "polars", "pandas")]
    for other in frames[1:]:
        pd.testing.assert_frame_equal(frames[0], other)
    m = account_metrics(tiny, params, as_of=AS_OF).set_index("account_id")
    per = frames[0].groupby("account_id")[["after_hours", "off_day", "chaser", "complaint"]].sum()
    assert per.loc["A"].tolist() == [m.loc["A", "after_hours_inbound"], m.loc["A", "off_day_inbound"],
                                     m.loc["A", "chasers"], m.loc["A", "complaints"]]


def test_heatmap_and_team_view(tiny: Portfolio) -> None:
    d = tiny_drain(tiny)
    grid = inbound_heatmap(d.events, "Europe/Helsinki")
    assert grid.shape == (7, 24) and grid.to_numpy().sum() == (d.events["direction"] == "in").sum()
    assert grid.loc["Sun", 16] == 3  # A's Sunday e-mails and text, in local time
    load = team_load(d.events, d.breakdown)
    assert load["energy"].sum() == pytest.approx(d.breakdown["energy"].sum())
    assert load["member"].tolist() == ["(not recorded)"]


# --------------------------------------------------------------------------- costing


def test_cost_rates_practical_capacity() -> None:
    team = pd.DataFrame({"member": ["a", "b"], "hours_per_week": [40.0, None], "cost_per_hour": [50.0, None]})
    r = cost_rates(team, Params(), contact_hours=500.0, window_days=364)
    # b falls back to 37.5 h at 60 €/h; 52 weeks; 80 % practical.
    paid = (40 + 37.5) * 52
    assert r.paid_hours == pytest.approx(paid)
    assert r.rate_per_hour == pytest.approx((40 * 50 + 37.5 * 60) * 52 / (0.8 * paid))
    assert r.unused_hours == pytest.approx(0.8 * paid - 500)
    assert r.unused_cost == pytest.approx(r.unused_hours * r.rate_per_hour)
    alone = cost_rates(None, Params(), contact_hours=0.0, window_days=364)
    assert alone.rate_per_hour == pytest.approx(60 / 0.8) and "no team" in alone.source


def test_params_reject_bad_energy_knobs(tmp_path: Path) -> None:
    f = tmp_path / "acme.yaml"
    f.write_text("energy:\n  pareto_share: 1.5\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="energy.pareto_share"):
        load_params(f)


# --------------------------------------------------------------------------- invariants


def test_energy_is_the_sum_of_its_parts_on_the_sample(sample: tuple[EnergyDrain, pd.DataFrame]) -> None:
    d, _ = sample
    b = d.breakdown
    assert (b["energy"] == b[list(PARTS)].sum(axis=1)).all()
    assert np.allclose(b["energy_effort"], b["effort_hours"], atol=1e-5)
    assert b["energy_share"].sum() == pytest.approx(1.0)
    assert (b[list(PARTS)] >= 0).all().all()
    assert b["cost_to_serve"].sum() == pytest.approx(d.rates.contact_hours * d.rates.rate_per_hour)
    assert np.allclose(b["net_value"], b["revenue"] - b["direct_cost"] - b["cost_to_serve"])


@given(energies, st.floats(0.05, 1.0))
@settings(max_examples=200, deadline=None)
def test_pareto_set_is_minimal(values: list[float], share: float) -> None:
    e = pd.Series(values, index=[f"A{i:03d}" for i in range(len(values))])
    p = pareto(e, share)
    total = e.sum()
    if total == 0:
        assert p.n == 0
        return
    members = e.loc[list(p.accounts)]
    assert members.sum() >= share * total - 1e-9 * total
    # Minimal: without its smallest member the set falls short of the share.
    assert members.sum() - members.min() < share * total
    # No account outside the set carries more than the set's smallest member.
    assert max(e.drop(list(p.accounts)).tolist(), default=0.0) <= members.min()
    assert (np.diff(p.ranked["cum_share"]) >= -1e-12).all()
    assert 0 <= p.gini < 1 and p.gini == pytest.approx(gini(e))


@given(energies)
@settings(max_examples=200, deadline=None)
def test_lorenz_and_gini(values: list[float]) -> None:
    e = pd.Series(values)
    lz = pareto(e).lorenz
    assert lz["account_share"].iloc[0] == 0 and lz["account_share"].iloc[-1] == 1
    assert (np.diff(lz["value_share"]) >= -1e-12).all()
    if e.sum() > 0:
        assert lz["value_share"].iloc[-1] == pytest.approx(1.0)
        # Gini = 1 - 2 x the area under the Lorenz curve (trapezoids).
        x, y = lz["account_share"].to_numpy(), lz["value_share"].to_numpy()
        area = float(((x[1:] - x[:-1]) * (y[1:] + y[:-1]) / 2).sum())
        assert gini(e) == pytest.approx(1 - 2 * area, abs=1e-9)


# Whole euros: with floats of wildly different size a tiny profit can vanish in a sum.
@given(st.lists(st.integers(-10_000, 10_000).map(float), min_size=1, max_size=60))
@settings(max_examples=200, deadline=None)
def test_whale_curve_peak(values: list[float]) -> None:
    w = whale_curve(pd.Series(values))
    assert w.peak_value >= w.total - 1e-6 and w.peak_value >= 0
    assert w.curve["cum_value"].iloc[-1] == pytest.approx(w.total, abs=1e-6)
    assert w.peak_value == pytest.approx(w.curve["cum_value"].max())
    # The peak is where the accounts that earn end: every account before it earns.
    assert w.peak_accounts == sum(v > 0 for v in values)


def test_whale_sentence() -> None:
    w = whale_curve(pd.Series([300.0, 200.0, 100.0, -100.0, -200.0]))
    assert w.sentence() == "The best 60% of accounts earn 200% of the profit; the rest give 100% of it back."
    with override("fi"):
        assert w.sentence() == ("Kannattavimmat 60\u00a0% asiakkaista tuottavat 200\u00a0% voitosta; loput antavat "
                                "siitä 100\u00a0% takaisin.")


def test_what_if_sums_are_consistent(sample: tuple[EnergyDrain, pd.DataFrame]) -> None:
    d, _ = sample
    b, w = d.breakdown, d.what_if
    chosen = b[b["account_id"].isin(w.accounts)]
    assert w.revenue_lost == pytest.approx(chosen["revenue"].sum())
    assert w.margin_lost == pytest.approx(chosen["margin"].sum())
    assert w.hours_freed == pytest.approx(chosen["effort_hours"].sum(), abs=1e-3)
    # A freed hour sold again is worth what an hour of capacity costs, nothing more.
    assert w.hour_cost == pytest.approx(d.rates.rate_per_hour)
    opts = w.options.set_index("option")
    for s in SCENARIOS:
        assert np.allclose(opts[f"net_{s}"], opts["margin_change"] + opts[f"value_{s}"])
        assert np.allclose(opts[f"value_{s}"], opts[f"refill_{s}"] * opts["hours_freed"] * w.hour_cost)
    # The whole set is the sum of any split of it.
    half = list(w.accounts[: len(w.accounts) // 2])
    other = list(w.accounts[len(w.accounts) // 2 :])
    a, c = (what_if(b, part, d_params(), hour_cost=w.hour_cost, refill=w.refill) for part in (half, other))
    assert a.revenue_lost + c.revenue_lost == pytest.approx(w.revenue_lost)
    assert a.hours_freed + c.hours_freed == pytest.approx(w.hours_freed)
    assert w.break_even_refill * w.hours_freed * w.hour_cost == pytest.approx(w.margin_lost)


def test_sample_refill_is_the_pace_of_new_customers(sample: tuple[EnergyDrain, pd.DataFrame]) -> None:
    d, _ = sample
    r = d.what_if.refill
    assert r.basis == "new customers" and r.new_customers > 0
    assert r.demand_hours[1] == pytest.approx(r.new_customer_hours)
    assert d.headline()["what_if"]["refill"]["new_customers"] == r.new_customers


def d_params() -> Params:
    return load_params("params/default.yaml")


def test_what_if_of_nothing_changes_nothing(sample: tuple[EnergyDrain, pd.DataFrame]) -> None:
    w = what_if(sample[0].breakdown, [], d_params(), hour_cost=77.0, refill=sample[0].what_if.refill)
    assert (w.revenue_lost, w.hours_freed, w.break_even_refill) == (0, 0, None)
    assert w.options.filter(like="net_").abs().to_numpy().sum() == 0


# --------------------------------------------------------------------------- the rules


def test_rules_spare_protected_young_and_committed() -> None:
    b = pd.DataFrame({
        "account_id": ["old", "prot", "young", "comm", "rich", "habit", "thin"],
        "value_per_energy_hour": [-10.0, -10.0, -10.0, -10.0, 500.0, -10.0, 40.0],
        "net_value": [-500.0] * 4 + [20000.0, -500.0, 800.0],
        "protected": [False, True, False, False, False, False, False],
        "tenure_days": [900, 900, 100, 900, 900, 900, 900], "effort_hours": [30.0] * 7,
        "complaints": [0, 0, 0, 0, 0, 4, 0], "survey_last": [None, None, None, 9.0, None, 5.0, None],
    })
    committed = pd.Series({"comm": True, "old": False, "habit": True})
    d = drop_candidates(b, b["account_id"], Params(), committed, hour_cost=60.0).set_index("account_id")
    assert d["drop_candidate"].tolist() == [True, False, False, False, False, True, True]
    assert d.loc["prot", "kept_because"] == "protected"
    assert d.loc["young", "kept_because"] == "customer for under 365 days"
    assert d.loc["comm", "kept_because"] == "committed and not dissatisfied"
    assert d.loc["rich", "kept_because"] == "earns enough per energy hour"
    # Committed by habit but dissatisfied (4 complaints, survey 5) is no shield.
    assert d.loc["habit", "dissatisfied"] and d.loc["habit", "drop_candidate"]
    # A thin positive margin below what an hour of capacity costs is low value; the floor
    # follows the hour cost, and an explicit params value overrides it.
    assert not drop_candidates(b, b["account_id"], Params(), committed, hour_cost=30.0).set_index(
        "account_id").loc["thin", "drop_candidate"]
    fixed = Params.model_validate({"energy": {"low_value_per_energy_hour": 0}})
    assert not drop_candidates(b, b["account_id"], fixed, committed, hour_cost=60.0).set_index(
        "account_id").loc["thin", "drop_candidate"]
    # Without commitment the rule is left out: "comm" becomes a candidate.
    assert drop_candidates(b, b["account_id"], Params()).set_index("account_id").loc["comm", "drop_candidate"]
    # Outside the high-energy set nothing is a candidate.
    assert not drop_candidates(b, [], Params())["drop_candidate"].any()


def test_candidates_are_high_energy_low_value(sample: tuple[EnergyDrain, pd.DataFrame]) -> None:
    d, _ = sample
    c = d.breakdown.merge(d.decisions, on="account_id", suffixes=("", "_d"))
    c = c[c["drop_candidate"]]
    assert c["account_id"].isin(d.pareto.accounts).all()
    assert (c["value_per_energy_hour"] <= d.rates.rate_per_hour).all() and not c["protected"].any()
    assert (c["tenure_days"] >= 365).all() and (c["reasons"].str.contains("after serving cost")).all()


def test_planted_drainers_are_recovered(sample: tuple[EnergyDrain, pd.DataFrame]) -> None:
    """Precision and recall of the candidate list against the sample's planted truth.

    The truth is the planted drop candidates that were still customers in the analysis
    window: a drainer that left before it has no energy to measure and nothing to let go.
    """
    d, truth = sample
    got = set(d.candidates)
    want = set(truth.loc[truth["drop_candidate"] & truth["active"], "account_id"])
    assert len(want) >= 30
    precision = len(got & want) / len(got)
    recall = len(got & want) / len(want)
    assert precision >= 0.9 and recall >= 0.9, (precision, recall)


def test_headline_and_accounts_for_the_run_record(sample: tuple[EnergyDrain, pd.DataFrame]) -> None:
    d, _ = sample
    h = d.headline()
    assert {"pareto", "whale", "costing", "what_if"} <= set(h)
    assert h["pareto"]["gini"] == pytest.approx(d.pareto.gini, abs=1e-4)
    assert "accounts earn" in h["whale"]["sentence"]
    acc = d.accounts()
    for col in ("energy", *PARTS, "energy_share", "cost_to_serve", "net_value", "drop_candidate", "reasons"):
        assert col in acc, col
    assert acc["account_id"].is_unique and len(acc) == len(d.breakdown)


# --------------------------------------------------------------------------- real data


def helpdesk_portfolio(tmp_path: Path) -> tuple[Portfolio, Params]:
    """The Helpdesk event log as interactions of an Italian software house's customers.

    The log holds the help desk's own process steps, not messages. A ticket's first event
    is when the customer's request reached the desk, so it is the inbound; every later step
    is the desk's work for the customer, outbound. Each step is a ticket interaction costed
    by the channel's time equation (the log records no minutes).
    """
    source = REAL / "helpdesk_tickets.csv.gz"
    raw = pd.read_csv(source, dtype=str, keep_default_na=False)
    raw["channel"] = "ticket"
    raw["when"] = pd.to_datetime(raw["Complete Timestamp"], format="%Y/%m/%d %H:%M:%S.%f")
    first = raw.sort_values(["when"], kind="stable").drop_duplicates("Case ID").index
    raw["direction"] = np.where(raw.index.isin(first), "in", "out")
    derived = tmp_path / "helpdesk.csv"
    raw.drop(columns="when").to_csv(derived, index=False)
    interactions = read_table(derived, "interactions", TableSource(columns={
        "account_id": "customer", "ts": "Complete Timestamp", "thread_id": "Case ID",
        "handled_by": "Resource"}), tz="Europe/Rome")
    interactions["seq"] = np.arange(len(interactions))
    ids = sorted(interactions["account_id"].unique())
    accounts = pd.DataFrame({"account_id": ids, "name": ids})
    params = Params.model_validate({"client": {"name": "Helpdesk", "timezone": "Europe/Rome", "country": "IT"}})
    return Portfolio(accounts=accounts, interactions=interactions), params


@pytest.mark.real
def test_real_helpdesk_log(tmp_path: Path) -> None:
    if not (REAL / "helpdesk_tickets.csv.gz").exists():
        pytest.skip("the real Helpdesk log is not present")
    portfolio, params = helpdesk_portfolio(tmp_path)
    metrics = account_metrics(portfolio, params, window_days=5 * 366)
    d = energy_drain(portfolio, metrics, params)
    b = d.breakdown
    assert len(b) == 397 and (b["energy"] == b[list(PARTS)].sum(axis=1)).all()
    assert d.events["direction"].eq("in").sum() == 4580  # one request per ticket
    # Ticket work is concentrated: under a third of the customers carries 80 % of it.
    assert d.pareto.account_share < 1 / 3 and 0.5 < d.pareto.gini < 1
    # The log has no revenue: value is unknown, not zero, so nobody is a drop candidate
    # and the whale curve says what it needs.
    assert b["net_value"].isna().all() and not d.candidates
    assert "needs revenue" in d.whale.sentence()
    # The stress signals are there, if faint in a log of process steps.
    assert b["energy_after_hours"].sum() > 0 and b["energy_long_threads"].sum() > 0
    assert b["energy_chasers"].sum() > 0


def test_without_revenue_a_kept_account_says_its_value_is_unknown() -> None:
    b = pd.DataFrame({"account_id": ["a", "b"], "value_per_energy_hour": [np.nan, 40.0],
                      "net_value": [np.nan, 900.0], "tenure_days": [900, 900]})
    d = drop_candidates(b, ["a", "b"], Params())
    assert d["drop_candidate"].tolist() == [False, False]
    assert d["kept_because"].tolist() == ["value unknown (no revenue)", "earns enough per energy hour"]


@pytest.mark.parametrize("n", [150, 400])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_drop_candidates_generalise_to_an_independent_generator(seed: int, n: int) -> None:
    """A portfolio from a different world (tests/portfolios.py: a property-maintenance firm,
    SMS-heavy, other prices and team): drainers with thin positive margins are found, busy
    profitable retainers with as much contact and new accounts in their first quarter are not."""
    g = portfolios.make_portfolio(seed, n)
    params = Params()
    m = account_metrics(g.portfolio, params, as_of=g.as_of)
    # "Committed" as the report decides it: weights fitted to the portfolio's last horizon.
    weights = fit_weights(g.portfolio, params, as_of=g.as_of).weights
    committed = commitment_scores(m, params, weights).set_index("account_id")["committed"]
    d = energy_drain(g.portfolio, m, params, committed=committed)
    got = set(d.candidates)
    t = g.truth.set_index("account_id")
    want = set(t.index[t["drop_candidate"]])
    precision, recall = len(got & want) / max(len(got), 1), len(got & want) / len(want)
    assert precision >= 0.9 and recall >= 0.9, (precision, recall)
    assert not got & set(t.index[t["busy_profitable"] | t["new"]])


# --------------------------------------------------------------------------- the 80/20 says what is true


def test_a_concentrated_load_is_called_an_80_20() -> None:
    # 2 of 10 accounts carry 80 %: the 80/20 exactly.
    p = pareto(pd.Series([50.0, 30.0] + [2.5] * 8, index=[f"A{i}" for i in range(10)]), 0.8)
    assert (p.n, p.account_share, p.concentrated) == (2, 0.2, True)
    assert p.headline() == "80/20: 2 accounts (20%) carry 80% of the energy"
    assert p.sentence().startswith("**The load is concentrated:** 2 accounts, 20% of all, carry 80% of the energy")
    assert "the top 10% of accounts (1) carry 50%" in p.sentence()
    with override("fi"):
        assert p.headline() == "80/20: 2 asiakasta (20\u00a0%) vie 80\u00a0% energiasta"


def test_a_spread_load_says_so_with_what_the_top_tenth_carries() -> None:
    # Energies 20, 19, …, 1: 80 % of the energy takes 12 of the 20 accounts (60 %).
    p = pareto(pd.Series(np.arange(20, 0, -1, dtype=float), index=[f"A{i:02d}" for i in range(20)]), 0.8)
    assert (p.n, p.account_share, p.concentrated) == (12, 0.6, False)
    assert (p.top_accounts, p.top_energy_share) == (2, pytest.approx(39 / 210))
    assert p.headline() == "The load is spread: the top 10% of accounts carry 19% of the energy"
    text = p.sentence()
    assert text.startswith("**The load is spread:** the top 10% of accounts (2) carry 19% of the energy")
    assert "80% of the energy takes 12 accounts, 60% of them" in text
    assert "an 80/20 would carry 80% of the energy in 20% of the accounts or fewer" in text
    assert "80/20:" not in text
    with override("fi"):
        assert p.headline().startswith("Kuormitus jakautuu laajalle: suurimmat 10\u00a0% asiakkaista vievät 19\u00a0%")


@given(energies, st.floats(0.5, 0.95))
@settings(max_examples=200, deadline=None)
def test_the_headline_calls_it_80_20_only_when_it_is(values: list[float], share: float) -> None:
    e = pd.Series(values, index=[f"A{i:03d}" for i in range(len(values))])
    p = pareto(e, share)
    assert p.concentrated == (p.n > 0 and p.account_share <= 1 - share + 1e-12)
    assert p.headline().startswith("80/20:") == p.concentrated
    if e.sum() > 0:
        k = int(np.ceil(TOP_SHARE * len(e) - 1e-9))
        assert p.top_accounts == k
        assert p.top_energy_share == pytest.approx(e.nlargest(k).sum() / e.sum())
        # The heaviest tenth carries at least its own share of the load.
        assert p.top_energy_share >= k / len(e) - 1e-9


def test_the_sample_headline_is_what_the_data_shows(sample: tuple[EnergyDrain, pd.DataFrame]) -> None:
    d, _ = sample
    p, energy = d.pareto, d.breakdown["energy"]
    # The sample's Pareto set is near half the accounts: not an 80/20, and the headline says so.
    assert p.account_share > 1 - p.share and not p.concentrated
    top = energy.nlargest(int(np.ceil(0.1 * len(energy))))
    assert p.top_energy_share == pytest.approx(top.sum() / energy.sum())
    assert p.headline() == (f"The load is spread: the top 10% of accounts carry "
                            f"{round(100 * p.top_energy_share)}% of the energy")
    fig = plots.plot_energy_pareto(p.ranked, p.share, title=p.headline())
    assert fig.layout.title.text == p.headline()
    h = d.headline()["pareto"]
    assert h["concentrated"] is False and h["top_accounts"] == len(top) and h["headline"] == p.headline()


# --------------------------------------------------------------------------- a log the team cannot have made


def ticket_log(weeks: int = 4, tickets_a_day: int = 8, rows_per_ticket: int = 10) -> Portfolio:
    """One person's help desk whose log writes a row per status update of a ticket.

    Every working day ``tickets_a_day`` tickets of ``rows_per_ticket`` rows each, a few
    minutes apart, handled by Aino (in the team table) and Ville (not in it). Each row is
    costed as a ticket contact by the time equation (15 minutes): 20 hours a day.
    """
    rows, handlers = [], []
    start = pd.Timestamp("2025-06-02 08:00")
    for day in range(7 * weeks):
        d = start + pd.Timedelta(days=day)
        if d.day_of_week >= 5:
            continue
        for t in range(tickets_a_day):
            for r in range(rows_per_ticket):
                ts = d + pd.Timedelta(minutes=50 * t + 3 * r)
                rows.append((f"C{t % 4}", ts.strftime("%Y-%m-%d %H:%M"), "ticket", "in" if r == 0 else "out",
                             None, f"{day}-{t}"))
                handlers.append("Aino" if t % 2 else "Ville")
    interactions = log(rows).assign(handled_by=handlers)
    accounts = pd.DataFrame({"account_id": [f"C{i}" for i in range(4)], "name": [f"Cee {i} Oy" for i in range(4)]})
    team = pd.DataFrame({"member": ["Aino"], "hours_per_week": [37.5], "cost_per_hour": [50.0]})
    return Portfolio(accounts=accounts, interactions=interactions, team=team)


def test_a_log_beyond_the_teams_capacity_is_flagged_with_its_causes() -> None:
    p = ticket_log()
    d = energy_drain(p, account_metrics(p, Params(), as_of=AS_OF), Params())
    flag = d.log_check
    assert flag is not None and flag.share > 1 and flag.team_known
    # Each ticket is ten rows, Ville handled half of them without being in the team table,
    # and no row records its minutes: all three causes, the events first.
    assert flag.causes == ("events", "team", "minutes")
    assert flag.rows_per_thread == pytest.approx(10.0) and flag.unlisted == ("Ville",)
    text = flag.sentence()
    assert "probably records events (status updates of tickets), not contacts: it has 10.0 rows per ticket" in text
    assert "1 person handled contacts in the log but is not in it (Ville)" in text
    assert "unused capacity is not shown" in text
    # The capacity table says the log is implausible instead of showing what is left over.
    table = capacity_table(d.rates, flag)
    assert "not known" in table["value"].iloc[-1] and "more than the team has" in table["value"].iloc[-2]
    # The log covers five weeks of the year: its share is of those weeks' capacity, as the check says.
    assert f"(267% of the practical capacity of the {flag.days} days the log covers)" in table["value"].iloc[-2]
    assert not table["value"].str.contains("\u2212|-").any()
    assert d.headline()["implausible_log"]["causes"] == ["events", "team", "minutes"]
    with override("fi"):
        fi = flag.sentence()
        assert "tikettien tilapäivityksiä" in fi and "10,0 riviä tikettiä kohden" in fi and "Ville" in fi
        assert "ei tiedossa" in capacity_table(d.rates, flag)["value"].iloc[-1]
    for english in (" the ", "contact", "capacity", "status"):
        assert english not in fi, english


def test_a_log_kept_as_a_file_is_checked_without_loading_it(tmp_path: Path) -> None:
    import dataclasses

    p = ticket_log()
    metrics = account_metrics(p, Params(), as_of=AS_OF)
    p.interactions.to_parquet(tmp_path / "log.parquet", index=False)
    q = dataclasses.replace(p, interactions=None, log_file=tmp_path / "log.parquet")
    assert implausible_log(metrics, q.log_source, q.team, Params()) == implausible_log(
        metrics, p.interactions, p.team, Params())
    # A log that fits is answered from the file alone.
    assert implausible_log(metrics.assign(effort_hours=1.0), q.log_source, q.team, Params()) is None
    assert not q.log_loaded


def test_the_issues_ticket_log_shows_no_negative_capacity() -> None:
    """The issue's case: a ticket log of 26 366 contact hours against one person's year
    (no team table), 1 685 % of practical capacity. Unused capacity was −24 801 h."""
    rates = cost_rates(None, Params(), contact_hours=26366.0, window_days=365)
    assert rates.unused_hours < 0  # the arithmetic, which the table must not show
    table = capacity_table(rates)
    assert table["value"].iloc[-2].startswith("26,366\u00a0h (1,685% of practical capacity)")
    assert table["value"].iloc[-1].startswith("not known")
    assert not table["value"].str.contains("\u2212").any()


def test_a_plausible_log_shows_its_unused_capacity(tiny: Portfolio) -> None:
    d = tiny_drain(tiny)
    assert d.log_check is None
    table = capacity_table(d.rates, d.log_check)
    assert table["value"].iloc[-1].endswith(f"= {__import__('workbench').formatting.money(d.rates.unused_cost)}")
    assert d.rates.unused_hours > 0


def test_without_a_team_table_the_likely_cause_is_a_larger_team() -> None:
    # One row per ticket, 28 a day: 7 hours of tickets a working day, more than one person's
    # 30 practical hours a week, and nothing in the log looks like events.
    p = ticket_log(weeks=1, tickets_a_day=28, rows_per_ticket=1)
    p = Portfolio(accounts=p.accounts, interactions=p.interactions)
    flag = energy_drain(p, account_metrics(p, Params(), as_of=dt.date(2025, 6, 9)), Params()).log_check
    assert flag is not None and not flag.team_known
    assert flag.causes == ("team", "minutes")
    assert "(1) The team may be larger than one person" in flag.sentence()
    assert "one person's practical capacity" in flag.sentence()


# --------------------------------------------------------------------------- for people, in Finnish


def test_tables_for_people_in_finnish(sample: tuple[EnergyDrain, pd.DataFrame]) -> None:
    d, _ = sample
    a = start("params/default.yaml")
    with override("fi"):
        decisions = drop_candidates(d.breakdown, d.pareto.accounts, a.params,
                                    a.scores.set_index("account_id")["committed"], hour_cost=d.rates.rate_per_hour)
        fi = EnergyDrain(**{**d.__dict__, "decisions": decisions})
        cand = candidate_view(fi).data
        team = team_view(d.events, a.metrics, a.portfolio.team).data
    assert cand.columns.tolist() == ["Asiakas", "Energia", "Myynti", "Palvelukustannus", "Nettoarvo", "Miksi ehdokas"]
    assert len(cand) == min(20, len(d.candidates))
    assert cand["Miksi ehdokas"].str.contains("palvelukustannuksen jälkeen").all()
    assert "Tiimin jäsen" in team.columns and "yrittäjä" in team["Rooli"].tolist()
    for frame in (cand, team):
        cells = [str(v) for v in frame.to_numpy().ravel()]
        assert not [v for v in cells if v in ("nan", "None", "True", "False", "<NA>") or v.endswith(".0")]
        assert not [v for v in cells if "after serving cost" in v or "chaser" in v]
