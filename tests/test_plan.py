"""The communication plan: tiers, order, capacity, business time, exports."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import workbench as wb
from workbench import schedule
from workbench import plan as wbplan
from workbench.businesstime import BusinessCalendar, add_business_hours, business_hours_between
from workbench.params import Params

TZ = "Europe/Helsinki"
CAL = BusinessCalendar(TZ, dt.time(8), dt.time(16), (1, 2, 3, 4, 5), "FI")


def hours(a: str, b: str) -> float:
    return float(business_hours_between(pd.Series([pd.Timestamp(a, tz=TZ)]), pd.Series([pd.Timestamp(b, tz=TZ)]), CAL).iloc[0])


@pytest.mark.parametrize(("a", "b", "expected"), [
    ("2025-06-13 15:00", "2025-06-16 09:00", 2.0),    # across a weekend: 1 h Friday + 1 h Monday
    ("2025-06-19 15:00", "2025-06-23 09:00", 2.0),    # Juhannusaatto (Fri 20.6.) is a holiday
    ("2025-12-23 15:00", "2025-12-29 09:00", 2.0),    # Christmas Eve to Boxing Day are holidays
    ("2025-03-28 15:00", "2025-03-31 09:00", 2.0),    # spring DST change on Sunday 30.3.
    ("2025-10-24 15:00", "2025-10-27 09:00", 2.0),    # autumn DST change on Sunday 26.10.
    ("2025-06-14 12:00", "2025-06-16 10:30", 2.5),    # from a Saturday: counts from Monday's opening
    ("2025-06-16 18:00", "2025-06-17 07:00", 0.0),    # evening to early morning: nothing
    ("2025-06-16 09:00", "2025-06-16 09:30", 0.5),
])
def test_business_hours_by_hand(a: str, b: str, expected: float) -> None:
    assert hours(a, b) == pytest.approx(expected)


def test_business_hours_mixed_zones_and_missing() -> None:
    start = pd.Series([pd.Timestamp("2025-06-16 06:00", tz="UTC"), pd.Timestamp("2025-06-16 06:00", tz="UTC")])
    end = pd.Series([pd.Timestamp("2025-06-16 12:00", tz=TZ), pd.NaT])
    out = business_hours_between(start, end, CAL)
    assert out.iloc[0] == pytest.approx(3.0) and pd.isna(out.iloc[1])  # 06 UTC = 09 local


@pytest.mark.parametrize(("start", "h", "expected"), [
    ("2025-06-19 15:00", 2, "2025-06-23 09:00"),    # over Juhannus and the weekend
    ("2025-03-28 15:00", 2, "2025-03-31 09:00"),    # over the spring DST change
    ("2025-10-24 15:00", 8, "2025-10-27 15:00"),    # over the autumn DST change
    ("2025-06-16 20:00", 1, "2025-06-17 09:00"),    # outside hours: from the next opening
    ("2025-06-16 08:00", 8, "2025-06-16 16:00"),    # lands at closing, stays at closing
])
def test_add_business_hours(start: str, h: float, expected: str) -> None:
    assert add_business_hours(pd.Timestamp(start, tz=TZ), h, CAL) == pd.Timestamp(expected, tz=TZ)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 5000), st.floats(0, 60))
def test_add_then_measure_round_trips(minutes: int, h: float) -> None:
    start = pd.Timestamp("2025-03-01 00:00", tz=TZ) + pd.Timedelta(minutes=minutes * 7)
    due = add_business_hours(start, h, CAL)
    assert hours(str(start.tz_localize(None)), str(due.tz_localize(None))) == pytest.approx(h, abs=1e-6)


@pytest.fixture(scope="module")
def sample(sample_plan) -> tuple[wb.Analysis, pd.DataFrame, wb.EnergyDrain, wbplan.CommunicationPlan]:
    return sample_plan


def test_every_account_in_exactly_one_tier(sample) -> None:
    a, _, _, plan = sample
    acc = plan.accounts
    assert sorted(acc["account_id"]) == sorted(a.metrics["account_id"])
    assert acc["account_id"].is_unique and acc["tier"].notna().all() and (acc["tier_reason"] != "").all()
    assert set(acc["tier"]) <= {t.name for t in a.params.plan.tiers}
    assert plan.tiers["accounts"].sum() == len(acc)


def test_order_rule(sample) -> None:
    """Dissatisfied valuable first, then the open (grow), then the grey mass."""
    _, _, _, plan = sample
    acc = plan.accounts
    first = acc.loc[acc["valuable"] & acc["dissatisfied"], "rank"]
    grow = acc.loc[acc["tier"] == "grow", "rank"]
    grey = acc.loc[acc["tier"] == "grey mass", "rank"]
    assert len(first) and len(grow) and len(grey)
    assert first.max() < grow.min() and grow.max() < grey.min()
    assert acc.sort_values("rank").loc[acc["tier"] == "grow", "openness"].is_monotonic_decreasing


def test_review_tier_gets_boundary_conversation(sample) -> None:
    _, _, d, plan = sample
    review = plan.accounts[plan.accounts["tier"] == "review"]
    assert set(review["account_id"]) == set(d.candidates)
    assert (review["action_kind"] == "boundary").all()
    assert review["next_action"].str.contains(" to set boundaries").all()


def test_schedule_within_capacity(sample) -> None:
    a, _, _, plan = sample
    assert plan.fits
    assert (plan.load["planned_hours"] <= plan.load["capacity_hours"] + 1e-9).all()
    per_week = plan.schedule.groupby(["member", "week"])["minutes"].sum() / 60
    cap = plan.load.set_index(["member", "week"])["capacity_hours"]
    assert (per_week <= cap.reindex(per_week.index) + 1e-9).all()
    assert (pd.to_datetime(plan.schedule["date"]) >= pd.Timestamp(a.as_of)).all()


@settings(max_examples=15, deadline=None)
@given(n=st.integers(1, 6), hours=st.floats(2, 60), share=st.floats(0.01, 0.5))
def test_schedule_never_exceeds_capacity_when_it_fits(sample, n: int, hours: float, share: float) -> None:
    a, _, _, plan = sample
    params = a.params.model_copy(update={"plan": a.params.plan.model_copy(update={"proactive_share": share})})
    team = pd.DataFrame({"member": [f"m{i}" for i in range(n)], "hours_per_week": [hours] * n,
                         "role": ["owner"] + ["specialist"] * (n - 1)})
    cap = schedule.team_capacity(team, params)
    acts = pd.DataFrame({"account_id": plan.accounts["account_id"], "tier": plan.accounts["tier"],
                         "cadence_weeks": 4, "first_week": 0, "minutes": 22.0,
                         "member": [f"m{i % n}" for i in range(len(plan.accounts))], "preferred_hour": 10})
    sched, load, missed = schedule.schedule_actions(acts, cap, params, plan.calendar, plan.start)
    assert (load["planned_hours"] <= load["capacity_hours"] + 1e-9).all()
    assert len(sched) + len(missed) >= len(acts) or missed.empty is False
    owner_helped = sched[(sched["member"] == "m0")]["account_id"].isin(acts.loc[acts["member"] != "m0", "account_id"])
    assert not owner_helped.any(), "the firm's owner never takes colleagues' contacts"


def test_statements_in_both_languages(sample) -> None:
    _, _, _, plan = sample
    s = plan.statements()
    assert list(s["place"]) == ["website", "signature", "auto-reply"]
    assert {s["language"].iloc[0], s["other_language"].iloc[0]} == {"fi", "en"}
    assert s["text"].str.len().min() > 20 and s["other"].str.len().min() > 20


def test_params_reject_a_tier_set_without_catch_all() -> None:
    tiers = [t.model_dump() for t in Params().plan.tiers][:-1]
    with pytest.raises(ValueError, match="last tier"):
        Params.model_validate({"plan": {"tiers": tiers}})
    with pytest.raises(ValueError, match="unknown signal"):
        Params.model_validate({"plan": {"tiers": [{"name": "x", "label_fi": "x", "when": ["rich"]}, {"name": "y", "label_fi": "y"}]}})


@pytest.mark.slow
def test_run_leaves_the_plan_in_the_run_folder(tmp_path_factory: pytest.TempPathFactory) -> None:
    from workbench.run import run_report

    out = tmp_path_factory.mktemp("plan_run")
    p = out / "p.yaml"
    p.write_text("report:\n  notebooks: [03_communication_plan]\n", encoding="utf-8")
    result = run_report(str(p), out_dir=str(out))
    names = {f.name for f in result.run_dir.iterdir()}
    assert {"plan.xlsx", "plan.csv", "plan.ics", "response_statements.md", "03_communication_plan.html"} <= names
    acc = pd.read_csv(result.run_dir / "accounts.csv")
    assert {"tier", "next_action", "next_contact", "assignee"} <= set(acc.columns)
    head = result.summary["notebooks"]["03_communication_plan"]
    assert "capacity" in head and "response_compliance" in head


def test_triage_hours_reconcile(sample) -> None:
    """Every inbound hour counts once before and once after; the owner's move is before − after,
    and the sentence prints the table's figures."""
    from workbench.formatting import hours
    from workbench.triage import owner_relief

    _, _, d, plan = sample
    t = plan.triage
    inbound = d.events.loc[d.events["direction"] == "in", "effort_minutes"].sum() / 60
    assert t["inbound_hours_now"].sum() == pytest.approx(t["inbound_hours_after_triage"].sum(), abs=0.05 * len(t))
    assert t["inbound_hours_now"].sum() == pytest.approx(inbound, abs=0.05 * len(t))
    owner = t[t["member"].isin(plan.owners)]
    assert len(owner) == 1
    before, after = float(owner["inbound_hours_now"].iloc[0]), float(owner["inbound_hours_after_triage"].iloc[0])
    assert plan.owner_inbound_hours == before and plan.owner_hours_after == after
    assert plan.owner_hours_moved == pytest.approx(before - after)
    assert owner_relief(t, set(plan.owners)) == (before, after, round(before - after, 1))
    text = plan.triage_sentence()
    for figure in (before, after, abs(before - after)):
        assert hours(figure, 1) in text
    assert (t["change"] == (t["inbound_hours_after_triage"] - t["inbound_hours_now"]).round(1)).all()
    head = plan.headline()["capacity"]
    assert head["owner_inbound_hours"] - head["owner_inbound_hours_after_triage"] == pytest.approx(
        head["owner_inbound_hours_moved"])


def test_lead_response_reads_as_in_the_overview(sample) -> None:
    """03 and 00 state one lead response: the same window, never-answered leads counted as never."""
    from workbench.kpis import relationship_kpis

    a, _scores, _drain, plan = sample
    overview = relationship_kpis(a.portfolio, a.metrics, a.params).leads
    head = plan.lead_headline
    assert (head["leads"], head["answered"], head["median_hours"], head["p90_never"], head["never_answered"]) == (
        overview.leads, overview.answered, overview.median_hours, overview.p90_never, overview.never_answered)
    assert head["leads"] < len(a.portfolio.leads)  # the sample's leads span two years: the window counts
