"""Any subset of the tables that makes sense runs (issue 9): every report notebook either
completes and says what it could not compute, or stops with one clear line.

The notebooks' code cells run in-process in an IPython shell (as tests/inprocess.py does),
so a tiny portfolio costs seconds, not a kernel start per notebook: the property test can
afford many shapes of data, and the named cases (a)–(g) of the issue each get their own
test of what the reports say. Two end-to-end runs of ``workbench run`` on folders cut from
the bundled sample check that the same holds through papermill and the HTML export.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

from workbench import InputError, Params, Portfolio, WorkbenchError, load_params, load_portfolio
from workbench.analysis import PARTS
from workbench.cli import main as cli_main
from workbench.energy import implausible_log
from workbench.metrics import account_metrics
from workbench.paths import notebooks_dir, repo_root
from workbench.run import discover_notebooks

SAMPLE = repo_root() / "data" / "sample"
REPORTS = [p.stem for p in discover_notebooks()]
END = dt.date(2026, 6, 30)
CHANNELS = ("email", "phone", "sms", "chat", "ticket", "meeting", "visit", "fax")
MEMBERS = ("Oona Omistaja", "Tiina Tekijä", "Matti Myyjä")
SERVICES = ("bookkeeping", "payroll", "tax advice")


# --------------------------------------------------------------------------- tiny portfolios


@dataclass(frozen=True)
class Case:
    """The shape of one small portfolio; :func:`write_case` makes its CSV files."""

    accounts: int
    log: str  # "absent", "inbound only" or "both directions"
    invoices: str  # "absent", "present" or "with credit notes"
    surveys: bool
    leads: bool
    team: bool
    channels: tuple[str, ...]
    single_day: bool
    events: int  # at most this many interactions per account
    seed: int


def write_case(case: Case, folder: Path) -> Path:
    """Write ``case`` as canonical CSV files in ``folder``; absent tables get no file.

    A log with no rows is written as a header only, which the loader reads as no log.
    """
    rng = np.random.default_rng(case.seed)
    folder.mkdir(parents=True, exist_ok=True)
    ids = [f"A{i:03d}" for i in range(1, case.accounts + 1)]
    members = list(MEMBERS[: int(rng.integers(1, len(MEMBERS) + 1))])
    since = [(END - dt.timedelta(days=int(d))).isoformat() if rng.random() < 0.7 else ""
             for d in rng.integers(30, 1500, case.accounts)]
    pd.DataFrame({
        "account_id": ids,
        "name": [f"Customer {i} Oy" for i in range(1, case.accounts + 1)],
        "owner": rng.choice(members, case.accounts),
        "since": since,
        "contract": rng.choice(["retainer", "project", "ad hoc", ""], case.accounts),
        "protected": rng.choice(["false", "true"], case.accounts, p=[0.9, 0.1]),
    }).to_csv(folder / "accounts.csv", index=False)

    if case.log != "absent":
        rows = []
        for acc in ids:
            for _ in range(int(rng.integers(0, case.events + 1))):
                day = END - dt.timedelta(days=3 if case.single_day else int(rng.integers(1, 500)))
                ts = dt.datetime.combine(day, dt.time(int(rng.integers(6, 23)), int(rng.integers(0, 60))))
                rows.append({
                    "account_id": acc,
                    "ts": ts.strftime("%Y-%m-%dT%H:%M:%S+03:00"),
                    "channel": rng.choice(case.channels),
                    "direction": "in" if case.log == "inbound only" else rng.choice(["in", "out"]),
                    "minutes": "" if rng.random() < 0.6 else f"{rng.uniform(1, 90):.1f}",
                    "handled_by": rng.choice(members),
                    "thread_id": f"T{acc}-{rng.integers(0, 3)}",
                    "is_complaint": "true" if rng.random() < 0.1 else "false",
                })
        columns = ["account_id", "ts", "channel", "direction", "minutes", "handled_by", "thread_id", "is_complaint"]
        pd.DataFrame(rows, columns=columns).to_csv(folder / "interactions.csv", index=False)

    if case.invoices != "absent":
        rows = []
        for acc in ids:
            for _ in range(int(rng.integers(0, 7))):
                amount = float(rng.uniform(50, 3000))
                # Credit notes and cancellations are credits: negative amounts, never purchases.
                if case.invoices == "with credit notes" and rng.random() < 0.4:
                    amount = -amount
                rows.append({"account_id": acc, "date": (END - dt.timedelta(days=int(rng.integers(1, 700)))).isoformat(),
                             "amount": f"{amount:.2f}", "cost": f"{abs(amount) * 0.5:.2f}",
                             "service": rng.choice(SERVICES)})
        if rows:
            pd.DataFrame(rows).to_csv(folder / "invoices.csv", index=False)

    if case.surveys:
        pd.DataFrame({
            "account_id": rng.choice(ids, 3),
            "date": [(END - dt.timedelta(days=int(d))).isoformat() for d in rng.integers(1, 400, 3)],
            "score": rng.integers(0, 11, 3), "scale": "nps",
        }).to_csv(folder / "surveys.csv", index=False)
    if case.leads:
        created = [dt.datetime.combine(END - dt.timedelta(days=int(d)), dt.time(10)) for d in rng.integers(2, 300, 3)]
        pd.DataFrame({
            "lead_id": ["L1", "L2", "L3"],
            "created_ts": [c.isoformat() for c in created],
            "first_response_ts": [(c + dt.timedelta(hours=float(h))).isoformat() if h < 40 else ""
                                  for c, h in zip(created, rng.uniform(0, 60, 3))],
            "source": "web form", "converted": "false",
        }).to_csv(folder / "leads.csv", index=False)
    if case.team:
        pd.DataFrame({
            "member": members,
            "hours_per_week": rng.choice([20.0, 37.5, 40.0], len(members)),
            "role": ["owner"] + ["specialist"] * (len(members) - 1),
            "cost_per_hour": rng.uniform(40, 90, len(members)).round(2),
        }).to_csv(folder / "team.csv", index=False)
    return folder


# --------------------------------------------------------------------------- running the reports


@dataclass
class Report:
    """One notebook run in-process: the text it showed, or the exception it stopped on."""

    text: str
    error: BaseException | None


def run_reports(data: Path, out: Path) -> dict[str, Report]:
    """Run each report notebook's code cells in one IPython shell, fresh for each notebook.

    ``out`` is passed as ``out_dir``, so publishing and the plan's exports run too.
    """
    shell = InteractiveShell.instance()
    reports = {}
    for name in REPORTS:
        shell.reset(new_session=False)
        nb = parameterize_notebook(load_notebook_node(str(notebooks_dir() / f"{name}.ipynb")),
                                   {"data_dir": str(data), "out_dir": str(out)})
        texts: list[str] = []
        error = None
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            with capture_output() as captured:
                result = shell.run_cell(cell.source, store_history=False)
            if result.result is not None:
                texts.append(_text(result.result))
            texts += [str(o.data.get("text/markdown", o.data.get("text/plain", ""))) for o in captured.outputs]
            if not result.success:
                error = result.error_in_exec or result.error_before_exec
                break
        reports[name] = Report("\n".join(texts), error)
    return reports


def _text(value: object) -> str:
    data = getattr(value, "data", None)
    if isinstance(data, str):  # IPython.display.Markdown
        return data
    if isinstance(data, pd.DataFrame):  # a table for people (a Styler): the text it shows
        return data.to_string()
    return value.to_string() if isinstance(value, pd.DataFrame) else type(value).__name__


def assert_runs_or_stops_in_one_line(reports: dict[str, Report]) -> bool:
    """True when every notebook ran; a notebook that stopped must have stopped on a
    WorkbenchError whose message is one line (what ``workbench run`` prints), never on
    another exception."""
    errors = {n: r.error for n, r in reports.items() if r.error is not None}
    for name, e in errors.items():
        assert isinstance(e, WorkbenchError), f"{name}: {type(e).__name__}: {e}"
        assert "\n" not in str(e) and "Traceback" not in str(e), f"{name}: {e}"
    return not errors


cases = st.builds(
    Case,
    accounts=st.integers(1, 7),
    log=st.sampled_from(["absent", "inbound only", "both directions"]),
    invoices=st.sampled_from(["absent", "present", "with credit notes"]),
    surveys=st.booleans(),
    leads=st.booleans(),
    team=st.booleans(),
    channels=st.lists(st.sampled_from(CHANNELS), min_size=1, max_size=3, unique=True).map(tuple),
    single_day=st.booleans(),
    events=st.integers(0, 15),
    seed=st.integers(0, 2**16),
)


@settings(max_examples=14, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases)
def test_any_subset_runs_or_stops_in_one_line(case: Case) -> None:
    """Random subsets of the tables, empty channels, one account, one day: each report
    runs and lists what it could not compute, or the run stops with one clear line."""
    with tempfile.TemporaryDirectory() as tmp:
        data = write_case(case, Path(tmp) / "data")
        reports = run_reports(data, Path(tmp) / "out")
    if not assert_runs_or_stops_in_one_line(reports):
        return
    for name, report in reports.items():
        assert "Not computed:" in report.text or "every figure could be computed" in report.text, name
    if not case.leads:
        assert "lead response: there is no leads table" in reports["00_overview"].text
        assert "lead response: there is no leads table" in reports["03_communication_plan"].text
    if not case.team:
        assert "there is no team table" in reports["02_energy_drain"].text


# --------------------------------------------------------------------------- the cases

BASE = Case(accounts=5, log="both directions", invoices="with credit notes", surveys=True, leads=True,
            team=True, channels=("email", "phone", "meeting"), single_day=False, events=12, seed=3)


def _reports(case: Case, tmp_path: Path) -> dict[str, str]:
    reports = run_reports(write_case(case, tmp_path / "data"), tmp_path / "out")
    assert assert_runs_or_stops_in_one_line(reports), "every report should run"
    return {n: r.text for n, r in reports.items()}


def test_a_invoices_without_a_contact_log(tmp_path: Path) -> None:
    text = _reports(replace(BASE, log="absent"), tmp_path)
    assert "Contact over time cannot be shown: there is no contact log." in text["00_overview"]
    assert "contact over time, time per relationship, meetings and visits: there is no contact log" in text["00_overview"]
    assert "the harmony indicator" in text["01_commitment"] and "the engagement indicator" in text["01_commitment"]
    assert "The whale curve cannot be shown: there is no contact log." in text["02_energy_drain"]
    assert "cost to serve, net value, the 80/20" in text["02_energy_drain"]
    assert "unknown: there is no contact log" in text["02_energy_drain"]  # the costing's contact row
    assert "response promises, measured: there is no contact log" in text["03_communication_plan"]
    # Without contact time the cost to serve is unknown, so net value is too: never 0.
    drain = json.loads((tmp_path / "out" / PARTS / "02_energy_drain.json").read_text(encoding="utf-8"))
    assert drain["costing"]["contact_hours"] is None and drain["drop_candidates"] == 0
    plan = json.loads((tmp_path / "out" / PARTS / "03_communication_plan.json").read_text(encoding="utf-8"))
    assert all(t["net_value"] is None for t in plan["tiers"] if t["accounts"])


def test_b_a_log_of_inbound_messages_only(tmp_path: Path) -> None:
    text = _reports(replace(BASE, log="inbound only"), tmp_path)
    assert "our messages to customers: the contact log holds no messages from us" in text["00_overview"]
    assert "the engagement indicator" in text["01_commitment"]
    assert "every quick follow-up counts as a chaser" in text["02_energy_drain"]
    assert "Measured response times cannot be shown: the contact log holds no messages from us." in text[
        "03_communication_plan"]


def test_c_interactions_only(tmp_path: Path) -> None:
    text = _reports(replace(BASE, invoices="absent", surveys=False, leads=False, team=False), tmp_path)
    assert "revenue is unknown (no invoices table)" in text["01_commitment"]
    assert "The commitment × revenue map cannot be shown: there are no invoices." in text["01_commitment"]
    assert "revenue, margin and net value: there are no invoices" in text["02_energy_drain"]
    assert "no account counts as valuable or as buying" in text["03_communication_plan"]
    for missing in ("customers per team member: there is no team table", "satisfaction: there are no survey answers",
                    "lead response: there is no leads table"):
        assert missing in text["00_overview"]


def test_d_no_leads_team_or_surveys(tmp_path: Path) -> None:
    text = _reports(replace(BASE, surveys=False, leads=False, team=False), tmp_path)
    assert "Satisfaction cannot be shown: there are no survey answers." in text["00_overview"]
    assert "Lead response cannot be shown: there is no leads table." in text["00_overview"]
    assert "the satisfaction indicator" in text["01_commitment"]
    assert "the team's own hours and cost: there is no team table" in text["02_energy_drain"]
    assert "the schedule plans for one person" in text["03_communication_plan"]


def test_e_a_single_account(tmp_path: Path) -> None:
    text = _reports(replace(BASE, accounts=1, events=30), tmp_path)
    assert "none could be scored" in text["01_commitment"]
    assert "The distribution of scores cannot be shown" in text["01_commitment"]
    assert "the backtest:" in text["01_commitment"]


def test_f_every_contact_on_one_day(tmp_path: Path) -> None:
    text = _reports(replace(BASE, single_day=True), tmp_path)
    assert "cannot be shown" not in text["00_overview"] + text["02_energy_drain"]
    assert "the plan starts on" in text["03_communication_plan"]


def test_g_channels_the_log_never_uses(tmp_path: Path) -> None:
    text = _reports(replace(BASE, channels=("fax",), invoices="absent", surveys=False, leads=False, team=False),
                    tmp_path)
    assert "The 80/20 of energy cannot be shown" not in text["02_energy_drain"]


def test_no_behaviour_at_all_stops_in_one_line(tmp_path: Path) -> None:
    """Accounts alone show nothing to analyse: every notebook stops on the loader's line."""
    reports = run_reports(write_case(replace(BASE, log="absent", invoices="absent"), tmp_path / "data"),
                          tmp_path / "out")
    assert not assert_runs_or_stops_in_one_line(reports)
    for report in reports.values():
        assert isinstance(report.error, InputError) and "Fix:" in str(report.error)


# --------------------------------------------------------------------------- the plausibility guard


def _log_of(tmp_path: Path, rows_per_contact: int) -> tuple[pd.DataFrame, Portfolio, Params]:
    """The sample's accounts and team with a quarter of its log, each row repeated
    ``rows_per_contact`` times as a ticket system logs status updates."""
    data = tmp_path / "events"
    data.mkdir()
    for name in ("accounts.csv", "team.csv"):
        shutil.copy(SAMPLE / name, data / name)
    log = pd.read_csv(SAMPLE / "interactions.csv", dtype=str)
    log = log[log["ts"] >= "2026-08-01"]
    events = log.loc[log.index.repeat(rows_per_contact)].copy()
    events["interaction_id"] += "-" + events.groupby(level=0).cumcount().astype(str)
    events.to_csv(data / "interactions.csv", index=False)
    params = load_params("params/default.yaml", data_dir=str(data))
    portfolio = load_portfolio(params)
    return account_metrics(portfolio, params), portfolio, params


def test_a_plausible_log_is_not_flagged(tmp_path: Path) -> None:
    metrics, portfolio, params = _log_of(tmp_path, 1)
    assert implausible_log(metrics, portfolio.interactions, portfolio.team, params) is None


def test_an_event_log_is_flagged_with_its_likely_cause(tmp_path: Path) -> None:
    """Five rows per contact (status updates of tickets) is more than the team's hours."""
    metrics, portfolio, params = _log_of(tmp_path, 5)
    flag = implausible_log(metrics, portfolio.interactions, portfolio.team, params)
    assert flag is not None and flag.share > 1 and flag.team_known
    assert flag.contacts == int(metrics["n_interactions"].sum())
    # The quarter the log covers, in whole weeks, not the year-long window.
    assert flag.days < 100
    text = flag.sentence()
    assert "probably records events (status updates of tickets), not contacts" in text
    assert "data.tables.interactions" in text and "practical capacity" in text


# --------------------------------------------------------------------------- end to end


def _folder(tmp_path: Path, name: str, log: pd.DataFrame | None) -> Path:
    data = tmp_path / name
    data.mkdir()
    for table in ("accounts", "invoices", "surveys", "leads", "team"):
        shutil.copy(SAMPLE / f"{table}.csv", data / f"{table}.csv")
    if log is not None:
        log.to_csv(data / "interactions.csv", index=False)
    return data


@pytest.mark.slow
@pytest.mark.parametrize("case", ["invoices only", "inbound only"])
def test_workbench_run_says_what_it_could_not_compute(case: str, tmp_path: Path) -> None:
    """`workbench run` through papermill: all four reports, each naming what it lacks."""
    log = pd.read_csv(SAMPLE / "interactions.csv", dtype=str)
    data = _folder(tmp_path, case.replace(" ", "-"), None if case == "invoices only" else log[log["direction"] == "in"])
    out = tmp_path / "reports"
    assert cli_main(["run", "--params", "params/default.yaml", "--data", str(data), "--out", str(out)]) == 0
    (run,) = (out / "sample").iterdir()
    html = {name: (run / f"{name}.html").read_text(encoding="utf-8") for name in REPORTS}
    expected = {
        "invoices only": {
            "00_overview": "there is no contact log", "01_commitment": "the harmony indicator",
            "02_energy_drain": "The 80/20 of energy cannot be shown: there is no contact log",
            "03_communication_plan": "response promises, measured: there is no contact log",
        },
        "inbound only": {
            "00_overview": "the contact log holds no messages from us",
            "01_commitment": "the engagement indicator",
            "02_energy_drain": "every quick follow-up counts as a chaser",
            "03_communication_plan": "Measured response times cannot be shown: the contact log holds no messages from us",
        },
    }[case]
    for name, phrase in expected.items():
        assert "Not computed:" in html[name], name
        assert phrase in html[name].replace("&#39;", "'"), (name, phrase)
