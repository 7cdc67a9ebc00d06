"""account_metrics: hand-checked values on a tiny log, chaser edge cases, engine equality."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import TZ, log
from workbench import Params, Portfolio
from workbench.metrics import account_metrics

AS_OF = dt.date(2025, 7, 1)
ENGINES = ["duckdb", "polars", "pandas"]


def metrics_of(portfolio: Portfolio, engine: str = "duckdb", **kw) -> pd.DataFrame:
    return account_metrics(portfolio, Params(), as_of=kw.pop("as_of", AS_OF), engine=engine, **kw).set_index("account_id")


def one_account(rows: list[tuple]) -> Portfolio:
    return Portfolio(
        accounts=pd.DataFrame({"account_id": ["A"], "name": ["Aa Oy"]}),
        interactions=log([("A", *r) for r in rows]),
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_tiny_values_checked_by_hand(tiny: Portfolio, engine: str) -> None:
    m = metrics_of(tiny, engine)
    a, b, c = m.loc["A"], m.loc["B"], m.loc["C"]
    # A: Sunday e-mail, e-mail 10 min later, SMS 5 min later: 3 after-hours, 2 chasers.
    assert (a.after_hours_inbound, a.off_day_inbound, a.chasers) == (3, 3, 2)
    assert (a.complaints, a.n_email, a.n_sms, a.n_phone) == (1, 4, 1, 1)
    # Time equations: 4 e-mails x 6 + 1 SMS x 2 + a measured 20-min call.
    assert a.effort_minutes == 46.0
    # Sunday 16:00 run answered Monday 09:00 (17 h), complaint answered in 1.5 h.
    assert a.response_hours_median == pytest.approx(9.25)
    assert a.response_hours_p90 == pytest.approx(1.5 + 0.9 * 15.5)
    assert (a.inbound_runs, a.answered_runs, a.longest_thread) == (2, 2, 4)
    # Tenure starts at the first invoice (2025-05-01), before the first contact.
    assert a.tenure_days == (AS_OF - dt.date(2025, 5, 1)).days
    # B: one inbound on Juhannusaatto (a Finnish public holiday) counts as off-day.
    assert (b.after_hours_inbound, b.off_day_inbound, b.chasers) == (1, 1, 0)
    assert (b.effort_minutes, b.n_meeting) == (63.0, 1)
    # B: our unprompted e-mail is answered next day; the meeting answered B's message.
    assert (b.proactive_outbound, b.proactive_replied, b.reply_share) == (1, 1, 1.0)
    # A: both our messages answer A's own, so A has no proactive contact to judge.
    assert a.proactive_outbound == 0 and pd.isna(a.reply_share)
    assert (b.revenue, b.revenue_prev, b.n_services) == (1000.0, 500.0, 2)
    assert b.recency_days == 10
    # C has no events: zeros and missing ratios, never dropped.
    assert c.n_interactions == 0 and pd.isna(c.inbound_share) and pd.isna(c.recency_days)


@pytest.mark.parametrize(
    ("rows", "chasers"),
    [
        # Exactly at the 60-minute window counts; a minute later does not.
        ([("2025-06-01 10:00", "email", "in"), ("2025-06-01 11:00", "email", "in")], 1),
        ([("2025-06-01 10:00", "email", "in"), ("2025-06-01 11:01", "email", "in")], 0),
        # Our answer in between: the second message is a new conversation, not a chaser.
        ([("2025-06-01 10:00", "email", "in"), ("2025-06-01 10:05", "email", "out"),
          ("2025-06-01 10:10", "email", "in")], 0),
        # Cross-channel: e-mail then a text asking whether e-mail works.
        ([("2025-06-01 16:00", "email", "in"), ("2025-06-01 16:10", "sms", "in")], 1),
        # Equal timestamps: file order breaks the tie; still one chaser, on every engine.
        ([("2025-06-01 10:00", "email", "in"), ("2025-06-01 10:00", "phone", "in")], 1),
        # Spring-forward night (03:00 -> 04:00 EEST, 2025-03-30): 02:50 and 04:10 local are
        # 20 real minutes apart.
        ([("2025-03-30 02:50", "email", "in"), ("2025-03-30 04:10", "email", "in")], 1),
    ],
)
@pytest.mark.parametrize("engine", ENGINES)
def test_chaser_rule(rows: list[tuple], chasers: int, engine: str) -> None:
    assert metrics_of(one_account(rows), engine).loc["A", "chasers"] == chasers


def test_fall_back_night_counts_real_minutes() -> None:
    # 2025-10-26 04:00 EEST -> 03:00 EET: 03:30 EEST and 03:10 EET are 40 real minutes
    # apart though the wall clock went backwards.
    p = one_account([("2025-10-26 00:00", "email", "in"), ("2025-10-26 01:00", "email", "in")])
    ts = [pd.Timestamp("2025-10-26 00:30:00+00:00"), pd.Timestamp("2025-10-26 01:10:00+00:00")]
    p.interactions["ts"] = pd.Series(ts, dtype="datetime64[ns, UTC]")
    local = p.interactions["ts"].dt.tz_convert("Europe/Helsinki")
    assert local.dt.hour.tolist() == [3, 3] and local.iloc[1] > local.iloc[0]
    assert metrics_of(p, as_of=dt.date(2025, 11, 1)).loc["A", "chasers"] == 1


@pytest.mark.parametrize("engine", ENGINES)
def test_a_run_begun_before_the_window_is_not_answered_in_it(engine: str) -> None:
    # Window 2024-07-01 .. 2025-07-01: the first run began a day before it and is answered
    # inside it; the second begins and is answered inside. One run, one answer, one time.
    p = one_account([("2024-06-30 10:00", "email", "in"), ("2024-07-01 12:00", "email", "out"),
                     ("2025-03-03 10:00", "email", "in"), ("2025-03-03 12:00", "email", "out")])
    a = metrics_of(p, engine).loc["A"]
    assert (a.inbound_runs, a.answered_runs, a.answered_share) == (1, 1, 1.0)
    assert a.response_hours_median == pytest.approx(2.0)


def test_answered_share_is_a_share_on_the_sample(sample: tuple[Params, Portfolio]) -> None:
    params, portfolio = sample
    m = account_metrics(portfolio, params)
    assert (m["answered_runs"] <= m["inbound_runs"]).all()
    assert m["answered_share"].dropna().between(0, 1).all()


def test_account_metrics_survive_parquet(tiny: Portfolio, tmp_path) -> None:
    from workbench.metrics import analysis_window

    m = account_metrics(tiny, Params(), as_of=AS_OF)
    m.to_parquet(tmp_path / "m.parquet")
    back = pd.read_parquet(tmp_path / "m.parquet")
    assert analysis_window(back) == analysis_window(m) == (AS_OF, 365)
    pd.testing.assert_frame_equal(back, m, check_dtype=False)


def test_events_after_as_of_are_ignored(tiny: Portfolio) -> None:
    early = metrics_of(tiny, as_of=dt.date(2025, 6, 2))
    assert early.loc["A", "n_interactions"] == 3
    assert early.loc["B", "n_interactions"] == 0


@pytest.mark.parametrize("engine", ["polars", "pandas", "spark"])
def test_engines_agree_on_tiny(tiny: Portfolio, engine: str, request: pytest.FixtureRequest) -> None:
    if engine == "spark":
        request.getfixturevalue("spark_ready")
    pd.testing.assert_frame_equal(metrics_of(tiny, "duckdb"), metrics_of(tiny, engine))


def awkward_portfolio(seed: int = 11) -> Portfolio:
    """Ten accounts over both of 2025's clock changes, made to trip engines up: equal
    timestamps, events on the spring-forward and fall-back nights, missing and changing
    threads, an account with one event, one we only wrote to, one with no events at all,
    and invoices (a credit note) and surveys."""
    rng = np.random.default_rng(seed)
    rows: list[tuple] = []
    nights = ["2025-03-30 01:30", "2025-03-30 04:05", "2025-10-26 02:55", "2025-10-26 04:10"]
    for acc in "ABCDEFG":
        for _ in range(int(rng.integers(20, 60))):
            day = dt.date(2025, 1, 1) + dt.timedelta(days=int(rng.integers(0, 300)))
            t = f"{day} {int(rng.integers(0, 24)):02d}:{int(rng.choice([0, 0, 15, 30])):02d}"
            rows.append((acc, t, str(rng.choice(["email", "phone", "sms", "meeting", "fax"])),
                         str(rng.choice(["in", "in", "out"])), None,
                         rng.choice([None, "t1", "t2"]), bool(rng.random() < 0.05)))
        for night in nights:  # ties on the clock-change nights, in and out
            rows += [(acc, night, "email", "in", None, None, False), (acc, night, "phone", "out", None, "t1", False)]
    rows += [("H", "2025-05-05 10:00", "email", "in", None, None, False),  # one event
             ("I", "2025-05-05 10:00", "email", "out", 12.0, "x", False),   # only our side
             ("I", "2025-06-05 10:00", "email", "out", None, "x", False)]
    accounts = pd.DataFrame({"account_id": list("ABCDEFGHIJ"), "name": [f"{a} Oy" for a in "ABCDEFGHIJ"]})
    invoices = pd.DataFrame({
        "account_id": ["A", "A", "B", "C", "J"], "invoice_id": ["1", "2", "3", "4", "5"],
        "date": pd.to_datetime(["2025-02-01", "2025-03-30", "2025-10-26", "2024-12-31", "2025-06-30"]),
        "amount": [100.0, -40.0, 250.5, 80.0, 10.0], "service": ["a", "a", "b", None, "c"],
    })
    surveys = pd.DataFrame({"account_id": ["A", "B", "B"], "date": pd.to_datetime(["2025-03-01", "2025-04-01", "2025-09-01"]),
                            "score": [9.0, 3.0, 7.0]})
    return Portfolio(accounts=accounts, interactions=log(rows), invoices=invoices, surveys=surveys)


def file_backed(p: Portfolio, path: Path, **to_parquet) -> Portfolio:
    """``p`` with its log kept in a Parquet file the engines scan, as a run keeps it."""
    p.interactions.to_parquet(path, index=False, **to_parquet)
    return dataclasses.replace(p, interactions=None, log_file=path)


@pytest.mark.slow
def test_four_engines_agree_on_awkward_data(spark_ready: None, tmp_path: Path) -> None:
    p = awkward_portfolio()
    base = metrics_of(p, "duckdb", as_of=dt.date(2025, 11, 15))
    assert base.loc["J", "n_interactions"] == 0 and base.loc["H", "n_interactions"] == 1
    assert base["chasers"].sum() > 0 and base["answered_runs"].sum() > 0
    # pandas writes nanoseconds, a run's prepared log microseconds: both must scan alike.
    scanned = {"ns": file_backed(p, tmp_path / "ns.parquet"),
               "us": file_backed(p, tmp_path / "us.parquet", coerce_timestamps="us")}
    for engine in ("duckdb", "polars", "pandas", "spark"):
        if engine != "duckdb":
            pd.testing.assert_frame_equal(base, metrics_of(p, engine, as_of=dt.date(2025, 11, 15)), obj=engine)
        for unit, q in scanned.items():
            got = metrics_of(q, engine, as_of=dt.date(2025, 11, 15))
            pd.testing.assert_frame_equal(base, got, obj=f"{engine} scanning the file ({unit})")
            assert not q.log_loaded, f"{engine} read the log into pandas"


@pytest.mark.parametrize("engine", ENGINES)
def test_a_scanned_log_is_cut_where_the_frame_is(engine: str, tmp_path: Path) -> None:
    from workbench.energy import energy_events

    p = awkward_portfolio()
    # as_of inside the log, and events a nanosecond before and exactly at its first instant:
    # the scan must keep the one and drop the other, as the frame does, in either unit.
    as_of = dt.date(2025, 7, 1)
    cut = pd.Timestamp(as_of, tz=TZ).tz_convert("UTC")
    edge = p.interactions.iloc[[0, 0]].assign(ts=[cut - pd.Timedelta(1, "ns"), cut], seq=[10_000, 10_001])
    p = dataclasses.replace(p, interactions=pd.concat([p.interactions, edge], ignore_index=True))
    assert (p.interactions["ts"] >= cut).sum() > 1, "events after the cut-off"
    base = metrics_of(p, engine, as_of=as_of)
    for unit, extra in (("ns", {}), ("us", {"coerce_timestamps": "us", "allow_truncated_timestamps": True})):
        q = file_backed(p, tmp_path / f"{unit}.parquet", **extra)
        pd.testing.assert_frame_equal(base, metrics_of(q, engine, as_of=as_of), obj=f"{engine}, {unit}")
        pd.testing.assert_frame_equal(energy_events(p, Params(), as_of, engine=engine),
                                      energy_events(q, Params(), as_of, engine=engine), obj=f"events, {unit}")
        assert not q.log_loaded


def test_a_log_file_without_zones_is_refused(tmp_path: Path) -> None:
    q = file_backed(Portfolio(accounts=pd.DataFrame({"account_id": ["A"]}),
                              interactions=log([("A", "2025-06-01 10:00", "email", "in")])), tmp_path / "log.parquet")
    pd.read_parquet(q.log_file).assign(ts=lambda d: d["ts"].dt.tz_localize(None)).to_parquet(q.log_file)
    with pytest.raises(ValueError, match="not an instant with a time zone"):
        metrics_of(q, "duckdb")


@pytest.mark.parametrize("engine", ENGINES)
def test_a_log_kept_as_a_file_is_scanned_not_loaded(tiny: Portfolio, engine: str, tmp_path: Path) -> None:
    q = file_backed(tiny, tmp_path / "log.parquet")
    # as_of from the file's latest event, and the facts coverage needs, without the frame.
    pd.testing.assert_frame_equal(metrics_of(tiny, engine, as_of=None), metrics_of(q, engine, as_of=None))
    assert not q.log_loaded and q.has("interactions")
    # Whatever needs the events themselves still gets them, as the loader gave them.
    pd.testing.assert_frame_equal(q.interactions, tiny.interactions)
    assert q.log_loaded


def _happens(d: dt.datetime) -> bool:
    """Whether local wall-clock time ``d`` occurs in the test zone (not skipped by DST)."""
    zone = ZoneInfo(TZ)
    return d.replace(tzinfo=zone).astimezone(dt.timezone.utc).astimezone(zone).replace(tzinfo=None) == d


event = st.tuples(
    st.sampled_from(["A", "B"]),
    # Two months around the spring-forward change (where zone-aware subtraction once went an
    # hour off), dense enough that replies within the 7-day window are common.
    # Wall-clock times the clock skips (03:00–03:59 on 30 March in Helsinki) never happen.
    st.datetimes(dt.datetime(2025, 3, 1), dt.datetime(2025, 4, 30)).map(lambda d: d.replace(second=0, microsecond=0))
    .filter(_happens).map(lambda d: d.isoformat(" ")),
    st.sampled_from(["email", "sms", "phone", "fax"]),
    st.sampled_from(["in", "out"]),
    st.none(),  # minutes: from the channel's time equation
    # Threads missing or not: engines disagree on text == null, the rules must not.
    st.sampled_from([None, "t1", "t2"]),
)


@settings(max_examples=25, deadline=None)
@given(st.lists(event, min_size=1, max_size=40))
def test_engines_agree_on_random_logs(rows: list[tuple]) -> None:
    p = Portfolio(
        accounts=pd.DataFrame({"account_id": ["A", "B"], "name": ["a", "b"]}),
        interactions=log(rows),
    )
    base = metrics_of(p, "duckdb")
    for engine in ("polars", "pandas"):
        pd.testing.assert_frame_equal(base, metrics_of(p, engine))
    # Invariants: counts add up, chasers are inbound, channels partition the log.
    assert (base.n_inbound + base.n_outbound == base.n_interactions).all()
    assert (base.chasers <= base.n_inbound).all()
    assert (base.after_hours_inbound <= base.n_inbound).all()
    channel_cols = [c for c in base if c.startswith("n_") and c not in ("n_interactions", "n_inbound", "n_outbound", "n_threads", "n_invoices", "n_services", "n_surveys")]
    assert (base[channel_cols].sum(axis=1) == base.n_interactions).all()


@pytest.fixture(scope="module")
def sample() -> tuple[Params, Portfolio]:
    from workbench import load_params, load_portfolio

    params = load_params("params/default.yaml")
    return params, load_portfolio(params)


@pytest.fixture(scope="module")
def sample_on_duckdb(sample: tuple[Params, Portfolio]) -> pd.DataFrame:
    params, portfolio = sample
    m = account_metrics(portfolio, params, engine="duckdb")
    assert len(m) == len(portfolio.accounts)
    assert m["chasers"].sum() > 0 and m["revenue"].sum() > 0
    return m


@pytest.mark.parametrize("engine", ["polars", "pandas", pytest.param("spark", marks=pytest.mark.slow)])
def test_engines_agree_on_the_sample(sample: tuple[Params, Portfolio], sample_on_duckdb: pd.DataFrame, engine: str,
                                     request: pytest.FixtureRequest) -> None:
    """DuckDB, polars, pandas and Spark give identical per-account metrics on the whole sample."""
    if engine == "spark":
        request.getfixturevalue("spark_ready")
    params, portfolio = sample
    pd.testing.assert_frame_equal(sample_on_duckdb, account_metrics(portfolio, params, engine=engine), obj=engine)


def test_planted_drainers_stand_out(sample: tuple[Params, Portfolio]) -> None:
    """The stress signals separate the sample's planted drainers from its committed core."""
    params, portfolio = sample
    m = account_metrics(portfolio, params).merge(
        pd.read_csv(params.data.path / "truth.csv", dtype={"account_id": str}), on="account_id"
    )
    by = m.groupby("archetype")[["after_hours_inbound", "chasers", "complaints"]].median()
    assert (by.loc["drainer"] >= 3 * by.loc["core"].clip(lower=1)).all(), by


def test_duckdb_leaves_room_for_what_the_process_holds(monkeypatch) -> None:
    """DuckDB's own default is 80 % of the machine; the log is already in memory, so the
    limit is 80 % of what is still available (with it, 50 M events spill instead of being
    killed: benchmarks/bench_metrics.py)."""
    import types

    import psutil

    from workbench.engines import duckdb_connection

    monkeypatch.setattr(psutil, "virtual_memory", lambda: types.SimpleNamespace(available=2 * 2**30))
    con = duckdb_connection("Europe/Helsinki")
    limit = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    number, unit = limit.split()
    assert float(number) * {"MiB": 2**20, "GiB": 2**30}[unit] == pytest.approx(0.8 * 2 * 2**30, rel=0.07)  # shown to 0.1 GiB
    assert con.execute("SELECT current_setting('TimeZone')").fetchone()[0] == "Europe/Helsinki"
