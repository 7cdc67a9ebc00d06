"""Tiers and actions: each rule pinned with constructed accounts, then the sample's plan
checked for contradictions with notebooks 01 and 02."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench import Params
from workbench.commitment import commitment_quadrants
from workbench.actions import contact_verb, next_action
from workbench.tiers import assign_tiers, quadrant_tiers

#: A plain account: bought, valuable, committed, content, nothing special.
BASE = {
    "valuable": False, "loss_making": False, "dissatisfied": False, "committed": False, "open": False,
    "buys": True, "high_energy": False, "drop_candidate": False, "young": False,
    "net_value": 500.0, "survey_last": None, "complaints": 0, "commitment_segment": "shallow",
    "commitment_score": 45.0, "openness": 0.3, "openness_reason": "", "drop_reasons": "", "energy": 2.0,
    "revenue": 3000.0, "n_services": 2,
}


def tier_of(**signals) -> str:
    row = BASE | {"account_id": "a"} | signals
    return assign_tiers(pd.DataFrame([row]), Params())["tier"].iloc[0]


@pytest.mark.parametrize("extra", [
    {},
    {"valuable": True, "committed": True},
    {"open": True, "committed": True},
    {"dissatisfied": True, "valuable": True},
    {"high_energy": True, "loss_making": True, "committed": True},
])
def test_a_drop_candidate_is_always_in_review(extra: dict) -> None:
    assert tier_of(**({"drop_candidate": True, "high_energy": True} | extra)) == "review"


@pytest.mark.parametrize("drain", [{"loss_making": True, "net_value": -2800.0}, {"dissatisfied": True, "complaints": 9}])
@pytest.mark.parametrize("who", [{"committed": True}, {"committed": True, "valuable": True}, {}])
def test_an_account_that_drains_is_repaired_never_grey_mass(drain: dict, who: dict) -> None:
    """High energy and loss-making or dissatisfied, not a candidate (committed, protected):
    the tier says repair or reprice, whatever its value or commitment."""
    assert tier_of(high_energy=True, **drain, **who) == "repair"


def test_a_young_account_that_drains_is_onboarded() -> None:
    assert tier_of(high_energy=True, loss_making=True, young=True, net_value=-900.0) == "onboard"


def test_grow_needs_buying_and_openness() -> None:
    assert tier_of(open=True) == "grow"
    assert tier_of(open=True, buys=False, revenue=0.0, n_services=0) != "grow"
    assert tier_of(open=False) != "grow"
    assert tier_of(open=True, dissatisfied=True, complaints=3) != "grow"


def test_committed_and_valuable_is_core_only_without_drain() -> None:
    assert tier_of(valuable=True, committed=True) == "core"
    assert tier_of(valuable=True, committed=True, high_energy=True, dissatisfied=True, complaints=4) == "repair"


ACTION = {"account_id": "a", "drop_candidate": False, "drains": False, "young": False, "dissatisfied": False,
          "survey_last": None, "complaints": 0, "buys": True, "open": False, "next_service": "",
          "survey_needed": False, "energy": 30.0, "net_value": 400.0, "loss_making": False,
          "openness_reason": "answers 80 % of our contacts"}


@pytest.mark.parametrize("channel", ["phone", "email", "meeting", "visit", "sms", "chat"])
@pytest.mark.parametrize("situation", [
    {"drop_candidate": True},
    {"drains": True, "loss_making": True, "net_value": -900.0},
    {"dissatisfied": True, "complaints": 4},
    {"open": True, "next_service": "payroll"},
    {},
])
def test_an_action_says_the_channel_it_is_scheduled_on(channel: str, situation: dict) -> None:
    kind, line = next_action(pd.Series(ACTION | situation | {"preferred_channel": channel}), "Get to know them",
                             pd.DataFrame(), Params())
    assert line.startswith(contact_verb(channel))
    assert not (channel != "phone" and line.startswith("Call"))


def test_action_kinds_follow_the_situation_most_pressing_first() -> None:
    def kind(**s) -> str:
        return next_action(pd.Series(ACTION | {"preferred_channel": "email"} | s), "t", pd.DataFrame(), Params())[0]

    assert kind(drop_candidate=True, dissatisfied=True, open=True, next_service="x") == "boundary"
    assert kind(drains=True, dissatisfied=True, complaints=3) == "repair"
    assert kind(drains=True, young=True) == "settle in"
    assert kind(dissatisfied=True, complaints=3, open=True, next_service="x") == "put right"
    assert kind(open=True, next_service="x") == "offer"
    assert kind(open=True, next_service="x", buys=False) == "theme"


# --------------------------------------------------------------------------- the sample's plan


@pytest.fixture(scope="module")
def sample(sample_plan):
    return sample_plan


def test_the_sample_plan_contradicts_nothing(sample) -> None:
    a, s, d, plan = sample
    acc = plan.accounts
    assert set(acc.loc[acc["tier"] == "review", "account_id"]) == set(d.candidates)
    grey = acc[acc["tier"] == "grey mass"]
    assert not (grey["high_energy"] & (grey["loss_making"] | grey["dissatisfied"])).any()
    grow = acc[acc["tier"] == "grow"]
    assert grow["buys"].all() and grow["open"].all() and not grow["dissatisfied"].any()
    open_ = plan.most_open(20)
    assert (open_["action_kind"] == "offer").all() and not open_["drop_candidate"].any()
    for _, r in acc.iterrows():
        assert r["next_action"].startswith(contact_verb(r["preferred_channel"])), r["next_action"]


def test_quadrants_map_onto_tiers_with_every_account_counted(sample) -> None:
    a, s, d, plan = sample
    quadrants, _ = commitment_quadrants(s, a.metrics)
    order = [t.name for t in a.params.plan.tiers]
    table = quadrant_tiers(quadrants, plan.accounts, order)
    assert table.loc["total", "all tiers"] == len(a.metrics)
    assert not set(table.index) & set(order), "a quadrant must not share a name with a tier"
