"""Figures: built from the sample without error, with marks where the data says."""

from __future__ import annotations


import pandas as pd
import pytest

import workbench as wb
from workbench import explore, kpis, plots


@pytest.fixture(scope="module")
def analysis() -> wb.Analysis:
    return wb.start("params/default.yaml")


def test_lead_response_marks_sit_at_their_hours(analysis: wb.Analysis) -> None:
    p = analysis.params
    per_lead = kpis.lead_response(analysis.portfolio.leads, p, analysis.as_of)
    fig = plots.plot_lead_response(per_lead, 1.0, 48.0)
    marks = {t.name: list(t.x) for t in fig.data[1:]}
    assert marks == {"promise 1 h": [1.0, 1.0], "cold after 48 h": [48.0, 48.0]}
    lo, hi = fig.layout.xaxis.range
    answered = per_lead["response_hours"].dropna()
    assert 10**lo <= answered.min() and answered.max() <= 10**hi and hi - lo < 6
    curve = fig.data[0]
    assert max(curve.y) <= 1 and list(curve.x) == sorted(curve.x)
    # Unanswered leads keep the curve below 100 %: the gap is the leads never answered.
    assert max(curve.y) == pytest.approx(per_lead["response_hours"].notna().mean())


def test_activity_puts_ours_below_the_axis(analysis: wb.Analysis) -> None:
    monthly = kpis.monthly_activity(analysis.portfolio, analysis.params, analysis.as_of)
    fig = plots.plot_activity(monthly)
    ys = pd.concat([pd.Series(t.y) for t in fig.data])
    assert ys.min() < 0 < ys.max()
    assert ys.abs().sum() == monthly["n"].sum()


def test_every_overview_figure_builds(analysis: wb.Analysis) -> None:
    a, p = analysis, analysis.params
    figs = [
        plots.plot_new_customers(kpis.new_customers_by_month(a.metrics)),
        plots.plot_time_per_relationship(a.metrics, p.kpis.active_days),
        plots.plot_customers_per_member(kpis.load_per_member(a.metrics, a.portfolio.team, p.kpis.active_days)),
        plots.plot_satisfaction(kpis.satisfaction_by_quarter(a.portfolio.surveys, a.as_of)),
    ]
    for fig in figs:
        assert fig.layout.title.text and len(fig.data) >= 1


# The explorer: an account's timeline and commitment against energy


def _events(rows: list[tuple]) -> pd.DataFrame:
    cols = ["ts", "channel", "direction", "after_hours", "off_day", "chaser", "complaint"]
    df = pd.DataFrame(rows, columns=cols)
    df["ts"] = pd.to_datetime(df["ts"]).dt.tz_localize("Europe/Helsinki").dt.tz_convert("UTC")
    return df.assign(account_id="A", seq=range(len(df)), effort_minutes=5.0)


def _trace(fig, prefix: str):
    found = [t for t in fig.data if t.name and t.name.startswith(prefix)]
    return found[0] if found else None


def test_timeline_marks_the_messages_that_carry_each_flag() -> None:
    ev = _events([
        ("2026-03-02 10:00", "email", "in", 0, 0, 0, 0),   # Monday, business hours
        ("2026-03-02 21:00", "email", "in", 1, 0, 0, 0),   # Monday evening
        ("2026-03-02 21:05", "sms", "in", 1, 0, 1, 0),     # chases it five minutes later, by text
        ("2026-03-03 09:00", "email", "out", 0, 0, 0, 0),  # our answer
        ("2026-03-08 16:00", "email", "in", 1, 1, 0, 1),   # Sunday afternoon, a complaint
        ("2026-03-09 08:00", "phone", "out", 0, 0, 0, 0),
    ])
    fig = plots.plot_account_timeline(ev, "Europe/Helsinki", title="A")
    base = [t for t in fig.data if t.name in {"email in", "email out", "sms in", "phone out"}]
    assert sorted(t.name for t in base) == ["email in", "email out", "phone out", "sms in"]
    assert sum(len(t.x) for t in base) == len(ev)
    at = lambda name: [str(pd.Timestamp(x)) for x in _trace(fig, name).x]  # noqa: E731
    # Local times: the marks sit on the very messages, and the evening mark leaves out Sunday.
    assert at("after hours (working days)") == ["2026-03-02 21:00:00", "2026-03-02 21:05:00"]
    assert at("weekends and holidays") == ["2026-03-08 16:00:00"]
    assert at("chaser") == ["2026-03-02 21:05:00"]
    assert at("complaint") == ["2026-03-08 16:00:00"]
    assert _trace(fig, "chaser").name == "chaser (1)"
    # The customer's messages above their channel's line (the axis runs downwards), ours below.
    rows = dict(zip(fig.layout.yaxis.ticktext, fig.layout.yaxis.tickvals))
    assert list(rows) == ["email", "phone", "text message"]  # channels as the report names them
    assert all(y < rows["email"] for y in _trace(fig, "email in").y)
    assert all(y > rows["email"] for y in _trace(fig, "email out").y)
    assert _trace(fig, "chaser").y[0] == _trace(fig, "sms in").y[0]
    assert fig.layout.yaxis.range[0] > fig.layout.yaxis.range[1]
    # The hover names the message as the legend does: a Sunday complaint is not "after hours".
    sunday = _trace(fig, "email in").text[-1]
    assert sunday.split("<br>") == ["Sun 08/03/2026 16:00", "email, from the customer", "5 min",
                                    "weekends and holidays, complaint"]
    from workbench.i18n import override

    with override("fi"):
        fi = plots.plot_account_timeline(ev, "Europe/Helsinki", title="A")
    assert _trace(fi, "email in").text[-1].split("<br>") == [
        "su 8.3.2026 16.00", "sähköposti, asiakkaalta", "5 min", "viikonloput ja pyhäpäivät, valitus"]


def test_timeline_leaves_out_marks_the_data_does_not_have() -> None:
    ev = _events([("2026-03-02 10:00", "email", "in", 0, 0, 0, 0), ("2026-03-02 11:00", "email", "out", 0, 0, 0, 0)])
    fig = plots.plot_account_timeline(ev, "Europe/Helsinki")
    names = [t.name for t in fig.data]
    assert names == ["email in", "email out", "from the customer", "from us"]


def test_timeline_of_an_account_without_interactions_says_so() -> None:
    ev = _events([]).astype({"ts": "datetime64[ns, UTC]"})
    fig = plots.plot_account_timeline(ev, "Europe/Helsinki", title="quiet", start="2025-11-01", end="2026-11-01")
    assert len(fig.data) == 0
    assert fig.layout.annotations[0].text == "No interactions in the window"
    assert [str(x)[:10] for x in fig.layout.xaxis.range] == ["2025-11-01", "2026-11-01"]


def test_timeline_of_the_heaviest_account_matches_its_counts(analysis: wb.Analysis, explorer: dict) -> None:
    drain, table = explorer["drain"], explorer["table"]
    acc = drain.pareto.accounts[0]
    ev = drain.events[drain.events["account_id"] == acc]
    row = table.set_index("account_id").loc[acc]
    fig = plots.plot_account_timeline(ev, analysis.params.client.timezone)
    base = [t for t in fig.data if t.name.endswith((" in", " out"))]
    assert len(base) == ev.groupby(["channel", "direction"]).ngroups
    assert sum(len(t.x) for t in base) == len(ev) == row["n_interactions"]
    assert len(_trace(fig, "chaser").x) == row["chasers"] > 0
    assert len(_trace(fig, "weekends and holidays").x) == row["off_day_inbound"] > 0
    evening = len(_trace(fig, "after hours (working days)").x)
    assert evening + row["off_day_inbound"] == row["after_hours_inbound"]
    assert "from the customer" in base[0].text[0] or "from us" in base[0].text[0]


def test_commitment_vs_energy_places_every_scored_account_once(analysis: wb.Analysis, explorer: dict) -> None:
    table, tiers = explorer["table"], list(explorer["plan"].tiers["tier"])
    chosen = explore.heaviest_account(table)
    review = explore.account_slice(table, tier="review")
    fig = plots.plot_commitment_vs_energy(table, 55, tiers=tiers, highlight=chosen, selected=review["account_id"])
    tier_traces = [t for t in fig.data if t.name.split(" (")[0] in tiers]
    assert [t.name.split(" (")[0] for t in tier_traces] == [t for t in tiers if (table["tier"] == t).any()]
    assert sum(len(t.x) for t in tier_traces) == table["commitment_score"].notna().sum()
    # Only the slice stays bright.
    bright = sum(sum(o > 0.5 for o in t.marker.opacity) for t in tier_traces)
    assert bright == len(review) > 0
    row = table.set_index("account_id").loc[chosen]
    ring = _trace(fig, row["name"])
    assert ring.marker.symbol == "circle-open"
    assert (ring.x[0], ring.y[0]) == (row["commitment_score"], row["energy"])
    assert len(_trace(fig, "drop candidate").x) == table["drop_candidate"].sum()
    line = _trace(fig, "high-energy set from")
    assert line.y[0] == table.loc[table["high_energy"], "energy"].min()
    assert list(_trace(fig, "committed from").x) == [55, 55]


def _many_accounts(n: int, seed: int = 3) -> pd.DataFrame:
    import numpy as np

    rng = np.random.default_rng(seed)
    energy = np.sort(rng.pareto(1.5, n) + 0.1)[::-1]
    standing = np.where(np.arange(n) < 40, "drop candidate", np.where(np.arange(n) < 2000, "high energy", "the rest"))
    return pd.DataFrame({"account_id": [f"A{i:06d}" for i in range(n)], "name": [f"Firm {i}" for i in range(n)],
                         "energy": energy, "net_value": rng.normal(500, 800, n), "standing": standing,
                         "hover": "x"})


def test_a_hundred_thousand_accounts_draw_as_a_sample_that_keeps_every_candidate() -> None:
    acc = _many_accounts(100_000)
    fig = plots.plot_energy_vs_value(acc)
    points = sum(len(t.x) for t in fig.data if t.mode == "markers")
    assert points <= plots.MAX_POINTS + 50
    candidates = [t for t in fig.data if t.name.startswith("drop candidate")]
    assert len(candidates[0].x) == 40 and "(40)" in candidates[0].name
    assert all(t.type == "scattergl" for t in fig.data if t.mode == "markers")
    assert "100,000" in fig.layout.annotations[-1].text  # says under the figure that it is a sample
    assert len(fig.to_json()) < 2_000_000
    # Within the limit nothing changes: every account, plain SVG markers, no note.
    small = plots.plot_energy_vs_value(acc.head(300))
    assert sum(len(t.x) for t in small.data if t.mode == "markers") == 300
    assert not small.layout.annotations and {t.type for t in small.data} == {"scatter"}


def test_candidates_beyond_the_limit_are_all_shown_against_the_rest() -> None:
    acc = _many_accounts(100_000).assign(standing=lambda d: ["drop candidate" if i % 8 == 0 else "the rest"
                                                             for i in range(len(d))])
    fig = plots.plot_energy_vs_value(acc)
    shown = {t.name.split(" (")[0]: len(t.x) for t in fig.data if t.mode == "markers"}
    assert shown["drop candidate"] == 12_500
    assert shown["the rest"] >= plots.MAX_POINTS // 2 - 10


def test_curves_over_many_accounts_keep_their_marks() -> None:
    acc = _many_accounts(100_000)
    ranked = acc.set_index("account_id")[["energy"]]
    ranked["cum_share"] = ranked["energy"].cumsum() / ranked["energy"].sum()
    fig = plots.plot_energy_pareto(ranked, 0.8)
    bars, line, mark = fig.data
    assert len(bars.x) == plots.MAX_BARS and sum(bars.width) == 100_000
    assert sum(b * w for b, w in zip(bars.y, bars.width)) == pytest.approx(ranked["energy"].sum())
    # The heaviest accounts are each their own bar, at their own rank and height, named.
    top = plots.TOP_BARS
    assert list(bars.width[:top]) == [1] * top and list(bars.x[:top]) == list(range(1, top + 1))
    assert list(bars.y[:top]) == pytest.approx(ranked["energy"].iloc[:top].tolist())
    assert list(bars.customdata[:2]) == ["A000000", "A000001"] and "average" not in bars.hovertemplate[0]
    assert "average" in bars.hovertemplate[-1] and bars.width[-1] > 1
    k = mark.x[0]
    assert len(line.x) <= plots.MAX_CURVE_POINTS + 1 and k in list(line.x)
    assert line.y[list(line.x).index(k)] >= 0.8 > ranked["cum_share"].iloc[k - 2]
    assert len(fig.to_json()) < 1_000_000


def test_a_small_group_keeps_its_points_in_a_sample() -> None:
    acc = _many_accounts(100_000)
    acc.loc[acc.index[40:50], "standing"] = "kept: protected, young or committed"
    fig = plots.plot_energy_vs_value(acc)
    shown = {t.name.split(" (")[0]: len(t.x) for t in fig.data if t.mode == "markers"}
    assert shown["kept: protected, young or committed"] >= 1 and shown["drop candidate"] == 40


def test_commitment_against_energy_at_scale_says_it_is_a_sample() -> None:
    import numpy as np

    acc = _many_accounts(20_000)
    table = acc.assign(tier=np.where(acc.index % 2 == 0, "core", "grey mass"), segment="average",
                       commitment_score=np.linspace(0, 100, len(acc)), drop_candidate=acc["standing"] == "drop candidate")
    chosen = ["A019999", "A019998"]
    fig = plots.plot_commitment_vs_energy(table, 55, tiers=["core", "grey mass"], selected=chosen)
    names = [t.name for t in fig.data]
    assert "core (10,000)" in names and "grey mass (10,000)" in names, names
    # The tiers as the report names them, in the legend and the hover alike.
    named = plots.plot_commitment_vs_energy(table.head(50), 55, tiers=["core", "grey mass"],
                                            labels={"core": "ydin", "grey mass": "harmaa massa"})
    assert {t.name for t in named.data} >= {"ydin (25)", "harmaa massa (25)"}
    assert "tier ydin" in named.data[0].text[0]
    xs = {x for t in fig.data if t.name.startswith(("core", "grey")) for x in t.x}
    assert {100.0, float(table["commitment_score"].iloc[-2])} <= xs, "the selected accounts are drawn"
    assert "20,000" in fig.layout.annotations[-1].text
