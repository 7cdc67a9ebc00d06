"""Relationship KPIs: lead response and NPS by hand; graceful degradation without tables."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest

from conftest import local
from workbench import Params, Portfolio, account_metrics, relationship_kpis
from workbench.kpis import kpi_table, lead_response, net_promoter_score

AS_OF = dt.date(2025, 7, 1)


def leads(rows: list[tuple[str, str | None]]) -> pd.DataFrame:
    return pd.DataFrame({
        "lead_id": [f"L{i}" for i in range(len(rows))],
        "created_ts": pd.Series([local(c) for c, _ in rows], dtype="datetime64[ns, UTC]"),
        "first_response_ts": pd.Series([local(r) if r else pd.NaT for _, r in rows], dtype="datetime64[ns, UTC]"),
    })


def test_lead_response_by_hand() -> None:
    per = lead_response(leads([
        ("2025-06-02 09:00", "2025-06-02 09:30"),   # 0.5 h: within the 1 h promise
        ("2025-06-02 09:00", "2025-06-04 11:00"),   # 50 h: answered, but after 48 h: cold
        ("2025-06-10 09:00", None),                 # never answered, old: cold
        ("2025-06-30 20:00", None),                 # 4 h old at as_of: open, not cold
        ("2025-06-30 10:00", "2025-07-02 10:00"),   # answered after as_of: unanswered then
        ("2025-07-05 10:00", "2025-07-05 10:05"),   # after as_of: not counted
    ]), Params(), AS_OF)
    assert len(per) == 5
    assert per["response_hours"].round(2).tolist()[:2] == [0.5, 50.0]
    assert per["gone_cold"].tolist() == [False, True, True, False, False]
    assert per["within_promise"].tolist() == [True, False, False, False, False]


def test_nps() -> None:
    assert net_promoter_score(pd.Series([10, 9, 9, 8, 7, 6, 0, None])) == pytest.approx(100 * (3 - 2) / 7, abs=0.1)
    assert net_promoter_score(pd.Series([], dtype=float)) is None


def test_kpis_say_what_they_could_not_compute(tiny: Portfolio, params: Params) -> None:
    m = account_metrics(tiny, params, as_of=AS_OF)
    k = relationship_kpis(tiny, m, params)
    assert (k.customers, k.team_members, k.nps, k.leads) == (3, None, None, None)
    assert any("team" in x for x in k.missing) and any("lead" in x for x in k.missing)
    assert any("survey" in x for x in k.missing)
    table = kpi_table(k)
    assert table.loc["Team members", "value"] == "—"


def test_kpis_with_all_tables(tiny: Portfolio, params: Params) -> None:
    team = pd.DataFrame({"member": ["Aino", "Eero"], "hours_per_week": [37.5, 20.0]})
    surveys = pd.DataFrame({"account_id": ["A", "B"], "date": pd.to_datetime(["2025-06-01", "2025-06-02"]),
                            "score": [10.0, 3.0], "scale": ["nps", "nps"]})
    full = dataclasses.replace(tiny, team=team, surveys=surveys,
                               leads=leads([("2025-06-02 09:00", "2025-06-02 09:30")]))
    m = account_metrics(full, params, as_of=AS_OF)
    k = relationship_kpis(full, m, params)
    assert k.missing == []
    # A and B were active within the year; C never was.
    assert (k.active_customers, k.customers_per_member) == (2, 1.0)
    assert k.nps == 0.0 and k.survey_responses == 2
    assert k.hours_per_relationship == pytest.approx((46 + 63) / 60 / 2, abs=0.01)
    assert k.leads is not None and k.leads.within_promise_share == 1.0
    assert k.as_dict()["as_of"] == "2025-07-01"
