"""Relationship KPIs: lead response and NPS by hand; graceful degradation without tables."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest

from conftest import local
from workbench import Params, Portfolio, account_metrics, relationship_kpis
from workbench.i18n import override
from workbench.kpis import (
    kpi_notes, kpi_table, kpi_view, lead_response, net_promoter_score, summarize_leads, window_text,
)

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
    table = kpi_table(k).set_index("key")
    assert table.loc["team_members", "value"] == "–" and table.loc["customers_per_member", "value"] == "–"


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


def test_leads_outside_the_window_are_not_counted(params: Params) -> None:
    rows = [
        ("2024-06-03 09:00", "2024-06-03 09:10"),   # a year and a month before: outside 365 days
        ("2024-06-30 09:00", None),                 # outside too, and never answered
        ("2024-07-01 09:00", "2024-07-01 09:20"),   # the window's first day: inside
        ("2025-06-02 09:00", "2025-06-02 11:00"),   # inside
        ("2025-06-30 23:00", "2025-07-01 00:30"),   # the last evening, answered after as_of: open
    ]
    per = lead_response(leads(rows), params, AS_OF, 365)
    assert per["lead_id"].tolist() == ["L2", "L3", "L4"]
    s = summarize_leads(per, params, 365)
    assert (s.leads, s.answered, s.never_answered, s.still_open) == (3, 2, 0, 1)
    assert lead_response(leads(rows), params, AS_OF)["lead_id"].tolist() == ["L0", "L1", "L2", "L3", "L4"]
    # The KPIs count the leads of their window, not every lead ever.
    full = dataclasses.replace(_with_team(), leads=leads(rows))
    k = relationship_kpis(full, account_metrics(full, params, as_of=AS_OF), params)
    assert k.leads is not None and k.leads.leads == 3 and k.leads.window_days == k.window_days == 365


def test_unanswered_leads_count_as_never_not_dropped(params: Params) -> None:
    # Ten leads a week before as_of: six answered in 0.5 h, one in 3 h, three never.
    rows = [("2025-06-20 09:00", "2025-06-20 09:30")] * 6 + [("2025-06-20 09:00", "2025-06-20 12:00")] \
        + [("2025-06-20 09:00", None)] * 3
    s = summarize_leads(lead_response(leads(rows), params, AS_OF, 365), params)
    assert (s.leads, s.answered, s.never_answered) == (10, 7, 3)
    # Answered only, the median would be 0.5 h and the p90 1.5 h; with the three unanswered
    # leads as never, the median stays 0.5 h (5 of 10 are that fast) and the p90 is never.
    assert s.median_hours == 0.5 and not s.median_never
    assert s.p90_hours is None and s.p90_never
    assert s.within_promise_share == pytest.approx(0.6)  # 6 of 10, not 6 of 7
    # Half of them unanswered: the median is never too.
    half = summarize_leads(lead_response(leads(rows[:5] + [("2025-06-20 09:00", None)] * 5), params, AS_OF), params)
    assert half.median_never and half.median_hours is None
    # A lead younger than the cold limit with no answer yet is open: neither fast nor never.
    fresh = summarize_leads(lead_response(leads(rows[:7] + [("2025-06-30 20:00", None)]), params, AS_OF), params)
    assert (fresh.still_open, fresh.never_answered, fresh.p90_never) == (1, 0, False)
    assert fresh.p90_hours == pytest.approx(1.5)


def _with_team() -> Portfolio:
    from conftest import log
    interactions = log([("A", "2025-06-02 09:00", "email", "in"), ("B", "2025-06-03 10:00", "phone", "in"),
                        ("C", "2025-06-04 10:00", "email", "in")])
    accounts = pd.DataFrame({"account_id": ["A", "B", "C"], "name": ["Aa Oy", "Bee Ky", "Cee Tmi"],
                             "owner": ["Aino", "Aino", "Eero"]})
    team = pd.DataFrame({"member": ["Aino", "Eero", "Ilona"], "role": ["owner", "specialist", "assistant"],
                         "hours_per_week": [40.0, 37.5, 30.0]})
    return Portfolio(accounts=accounts, interactions=interactions, team=team)


def test_customers_per_member_counts_those_who_own_customers(params: Params) -> None:
    p = _with_team()
    k = relationship_kpis(p, account_metrics(p, params, as_of=AS_OF), params)
    # Three active customers, owned by Aino and Eero: the assistant Ilona owns none.
    assert (k.active_customers, k.team_members) == (3, 3)
    assert k.customers_per_member == 1.5 and k.members_basis == "owners"
    assert k.client_facing_members == ["Aino", "Eero"] and k.other_members == ["Ilona"]
    table = kpi_table(k).set_index("key")
    assert "2 team members who own customers" in table.loc["customers_per_member", "figure"]
    assert "Ilona owns no customers" in kpi_notes(k)
    # No owner named on any account: every member counts, and the label says so.
    unowned = dataclasses.replace(p, accounts=p.accounts.drop(columns="owner"))
    k2 = relationship_kpis(unowned, account_metrics(unowned, params, as_of=AS_OF), params)
    assert k2.customers_per_member == 1.0 and k2.members_basis == "team"
    assert "every member counts" in kpi_table(k2).set_index("key").loc["customers_per_member", "figure"]


def test_every_kpi_says_its_window_and_reads_in_words(params: Params) -> None:
    full = dataclasses.replace(_with_team(), leads=leads([("2025-06-02 09:00", "2025-06-02 09:30"),
                                                          ("2025-06-02 09:00", None)]))
    k = relationship_kpis(full, account_metrics(full, params, as_of=AS_OF), params)
    table = kpi_table(k)
    assert table["window"].str.len().gt(0).all()
    assert set(table["window"]) == {"on 30/06/2025", "last 12 months to 30/06/2025"}
    assert table.set_index("key").loc["lead_p90_hours", "value"] == "never"
    assert table.set_index("key").loc["leads_within_promise", "value"] == "50%"
    shown = kpi_view(k).data
    assert list(shown.columns) == ["Figure", "Value", "Window"]
    cells = " ".join(shown.to_numpy().ravel())
    for raw in ("0.5", "nan", "None", "True", "False", "_"):
        assert raw not in cells, raw
    with override("fi"):
        fi = kpi_table(k).set_index("key")
        assert fi.loc["lead_p90_hours", "value"] == "ei koskaan"
        assert fi.loc["leads", "window"] == "viimeiset 12 kuukautta 30.6.2025 asti"
        assert fi.loc["customers", "window"] == "tilanne 30.6.2025"
        assert fi.loc["leads_within_promise", "value"] == "50\u00a0%"
    assert all(a != b for a, b in zip(fi["figure"], table.set_index("key")["figure"]))


def test_window_text() -> None:
    assert window_text(dt.date(2026, 11, 1), 365) == "last 12 months to 31/10/2026"
    assert window_text(dt.date(2024, 3, 1), 366) == "last 12 months to 29/02/2024"
    assert window_text(dt.date(2026, 11, 1), 1) == "last 1 day to 31/10/2026"


def test_lead_figure_shows_the_leads_never_answered(params: Params) -> None:
    from workbench import plots

    rows = [("2025-06-20 09:00", "2025-06-20 09:30")] * 6 + [("2025-06-20 09:00", None)] * 2 \
        + [("2025-06-30 20:00", None)]  # still open: neither answered nor never
    per = lead_response(leads(rows), params, AS_OF, 365)
    fig = plots.plot_lead_response(per, 1.0, 48.0)
    assert max(fig.data[0].y) == pytest.approx(6 / 8)
    band = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(band) == 1 and band[0].y0 == pytest.approx(6 / 8) and band[0].y1 == 1
    assert [a.text for a in fig.layout.annotations] == ["no answer: 2 leads (25%)"]
    with override("fi"):
        fig = plots.plot_lead_response(per, 1.0, 48.0)
        assert fig.layout.annotations[0].text == "ei vastausta: 2 liidiä (25\u00a0%)"
        assert fig.layout.title.text.startswith("Liidien vastausaika")
