"""End to end: `workbench run` on the sample, checked against the output contract."""

from __future__ import annotations

import hashlib
import json
import re
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

import workbench.run as run_module
from workbench import RunError
from workbench.paths import repo_root
from workbench.run import RunResult, run_report

pytestmark = pytest.mark.slow
ROOT = repo_root()
SAMPLE = ROOT / "data" / "sample"
CLI = [sys.executable, "-m", "workbench.cli"]


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("reports")


@pytest.fixture(scope="module")
def sample_before() -> dict[str, str]:
    return digest(SAMPLE)


@pytest.fixture(scope="module")
def first(reports: Path, sample_before: dict[str, str]) -> RunResult:
    lines: list[str] = []
    result = run_report("params/default.yaml", out_dir=str(reports), progress=lines.append)
    assert len(lines) == len(result.notebooks) and "00_overview" in lines[0]
    return result


def test_run_folder_holds_the_contract(first: RunResult, reports: Path) -> None:
    names = {p.name for p in first.run_dir.iterdir()}
    assert {"00_overview.ipynb", "00_overview.html", "accounts.csv", "summary.json", "run.log"} <= names
    assert "parts" not in names
    assert first.run_dir.parent == reports / "sample"
    assert not list((reports / "sample").glob(".*partial")), "staging folder left behind"


def test_accounts_csv_one_row_per_account(first: RunResult) -> None:
    accounts = pd.read_csv(SAMPLE / "accounts.csv", dtype=str)
    out = pd.read_csv(first.run_dir / "accounts.csv", dtype={"account_id": str})
    assert list(out.columns[:2]) == ["account_id", "name"]
    assert sorted(out["account_id"]) == sorted(accounts["account_id"])
    assert out["account_id"].is_unique
    for col in ("n_interactions", "effort_hours", "after_hours_inbound", "chasers", "revenue", "tenure_days"):
        assert col in out, col
    assert out["n_interactions"].sum() > 0


def test_summary_records_figures_params_and_inputs(first: RunResult, sample_before: dict[str, str]) -> None:
    s = first.summary
    head = s["notebooks"]["00_overview"]
    assert head["customers"] == 320 and head["as_of"] == s["as_of"] == "2026-11-01"
    assert head["leads"]["median_hours"] > 0 and head["customers_per_member"] > 0
    assert s["params"]["client"]["timezone"] == "Europe/Helsinki"
    # Checksums are of the files as they are on disk, so a report can be traced to its data.
    for key, sha in s["inputs"].items():
        assert sha == sample_before[key.split(":", 1)[1]]


def test_executed_notebook_got_the_run_parameters(first: RunResult) -> None:
    nb = nbformat.read(first.run_dir / "00_overview.ipynb", as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and "as_of = \"2026-11-01\"" in injected[0].source
    assert not any(o.get("output_type") == "error" for c in nb.cells for o in c.get("outputs", []))


def test_html_has_figures_and_no_code_or_cdn(first: RunResult) -> None:
    html = (first.run_dir / "00_overview.html").read_text(encoding="utf-8")
    assert html.count('class="plotly-graph-div"') >= 5
    assert "wb.start(" not in html  # code cells are hidden
    # Nothing is fetched: no external scripts or styles (MathJax, require.js, plotly CDN).
    assert not re.search(r'<(script|link)[^>]+(src|href)="https?://', html)


def test_inputs_are_never_modified(first: RunResult, sample_before: dict[str, str]) -> None:
    assert digest(SAMPLE) == sample_before


def test_second_run_never_touches_the_first(first: RunResult, reports: Path) -> None:
    before = digest(first.run_dir)
    second = run_report("params/default.yaml", out_dir=str(reports), progress=lambda _: None)
    assert second.run_dir != first.run_dir and second.run_dir.parent == first.run_dir.parent
    assert digest(first.run_dir) == before


FAILING = {
    "cells": [
        {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "execution_count": None, "outputs": [],
         "source": "params_file = None\nas_of = None\ndata_dir = None\nout_dir = None\ninteractive = False"},
        {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": "x = 1"},
        {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
         "source": "raise ValueError('the energy weights do not add up')"},
    ],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    "nbformat": 4, "nbformat_minor": 5,
}


def test_failed_run_says_where_and_keeps_the_notebook(
    first: RunResult, reports: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    books = tmp_path / "notebooks"
    books.mkdir()
    shutil.copy(ROOT / "notebooks" / "00_overview.ipynb", books)
    (books / "01_broken.ipynb").write_text(json.dumps(FAILING), encoding="utf-8")
    monkeypatch.setattr(run_module, "notebooks_dir", lambda: books)
    before = digest(first.run_dir)
    runs_before = set((reports / "sample").iterdir())

    with pytest.raises(RunError) as err:
        run_report("params/default.yaml", out_dir=str(reports), progress=lambda _: None)

    message = str(err.value)
    assert "01_broken.ipynb" in message and "cell" in message
    assert "ValueError: the energy weights do not add up" in message and "\n" not in message
    new = set((reports / "sample").iterdir()) - runs_before
    assert len(new) == 1 and next(iter(new)).name.endswith("-failed")
    failed = next(iter(new))
    assert (failed / "01_broken.ipynb").is_file() and (failed / "00_overview.html").is_file()
    assert "run failed" in (failed / "run.log").read_text(encoding="utf-8")
    assert not (failed / "parts" / "prepared").exists(), "a failed run keeps no copy of the client's log"
    assert digest(first.run_dir) == before


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run([*CLI, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=600)


def test_cli_bad_params_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "acme.yaml"
    bad.write_text("client:\n  nmae: Acme\n", encoding="utf-8")
    res = cli("run", "--params", str(bad), "--out", str(tmp_path / "out"))
    assert res.returncode == 2
    assert res.stderr.strip().count("\n") == 0 and "Traceback" not in res.stderr
    assert "client.nmae" in res.stderr and "Fix:" in res.stderr
    assert not (tmp_path / "out").exists()


def test_cli_bad_data_names_file_column_row(tmp_path: Path) -> None:
    data = tmp_path / "acme"
    shutil.copytree(SAMPLE, data)
    log = pd.read_csv(data / "interactions.csv", dtype=str)
    log.loc[41, "ts"] = "not a time"
    log.to_csv(data / "interactions.csv", index=False)
    res = cli("run", "--data", str(data), "--out", str(tmp_path / "out"))
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "interactions.csv" in res.stderr and "ts" in res.stderr and "row 43" in res.stderr
    assert not (tmp_path / "out").exists()


def test_cli_check_reports_what_it_read() -> None:
    res = cli("check")
    assert res.returncode == 0, res.stderr
    assert "interactions" in res.stdout and "38733 rows" in res.stdout and "ok" in res.stdout


def test_simultaneous_runs_do_not_cross_wires(tmp_path: Path) -> None:
    """A scheduled report and someone else's run at the same moment: kernels must not share
    sockets (jupyter_client's default IPC prefix is one fixed name per working folder)."""
    params = tmp_path / "one.yaml"
    params.write_text("report: {notebooks: [00_overview]}\n", encoding="utf-8")
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    procs = [
        subprocess.Popen([*CLI, "run", "--params", str(params), "--out", str(tmp_path / f"r{i}")],
                         cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for i in range(3)
    ]
    results = [p.communicate(timeout=600) for p in procs]
    for p, (_, err) in zip(procs, results):
        assert p.returncode == 0, err


def test_whole_report_runs_on_accounts_and_interactions_only(tmp_path: Path) -> None:
    """Only two tables are required: every notebook must degrade, and say so, not guess."""
    data = tmp_path / "minimal"
    data.mkdir()
    for name in ("accounts.csv", "interactions.csv"):
        shutil.copy(SAMPLE / name, data / name)
    result = run_report("params/default.yaml", data_dir=str(data), out_dir=str(tmp_path / "out"))
    assert [n.name for n in result.notebooks] == [p.stem for p in run_module.discover_notebooks()]
    html = {n.name: n.html.read_text(encoding="utf-8") for n in result.notebooks}
    assert "revenue is unknown (no invoices table)" in html["01_commitment"]
    assert "No account is a drop candidate" in html["02_energy_drain"]
    accounts = pd.read_csv(result.run_dir / "accounts.csv")
    assert len(accounts) == len(pd.read_csv(SAMPLE / "accounts.csv")) and not accounts["drop_candidate"].any()


def test_kernel_messages_go_to_the_run_log_not_the_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """The terminal shows one line per notebook; what the kernel process itself logs (e.g.
    ipykernel's "KeyboardInterrupt caught in kernel" at shutdown) is kept in run.log."""
    books = tmp_path / "notebooks"
    books.mkdir()
    shutil.copy(ROOT / "notebooks" / "00_overview.ipynb", books)
    chatty = json.loads(json.dumps(FAILING))
    chatty["cells"][2]["source"] = "get_ipython().kernel.log.error('kernel speaks: 7f3a')"
    (books / "01_chatty.ipynb").write_text(json.dumps(chatty), encoding="utf-8")
    monkeypatch.setattr(run_module, "notebooks_dir", lambda: books)

    result = run_report("params/default.yaml", out_dir=str(tmp_path / "out"), progress=lambda _: None)

    captured = capfd.readouterr()
    assert "kernel speaks: 7f3a" not in captured.err + captured.out
    assert "kernel speaks: 7f3a" in (result.run_dir / "run.log").read_text(encoding="utf-8")


# --- index.html and the reports' navigation ---------------------------------------------

from html.parser import HTMLParser  # noqa: E402

from reportruns import report_pages, sample_run  # noqa: E402
from workbench import formatting  # noqa: E402
from workbench.i18n import override  # noqa: E402


class _Page(HTMLParser):
    """Visible text (no scripts or styles), links, ids and external references of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.external: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("script", "style"):
            self._skip += 1
        if a.get("id"):
            self.ids.add(a["id"] or "")
        if tag == "a" and a.get("href"):
            self.links.append(a["href"] or "")
        for key in ("src", "href", "data", "poster", "srcset"):
            if re.match(r"\s*(https?:)?//", a.get(key) or ""):
                self.external.append(f"<{tag} {key}={a[key]}>")
        self.text.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        self.text.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)

    @property
    def visible(self) -> str:
        return " ".join("".join(self.text).split())


def parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _network_references(html: str) -> list[str]:
    """What a page would fetch: external src/href, CSS url() and @import of a remote address."""
    found = re.findall(r"""<(?:script|link|img|iframe|source|video|audio|embed|object)\b[^>]*?\s(?:src|href|data)\s*=\s*["']?\s*(?:https?:)?//[^"'\s>]+""", html, re.I)
    found += re.findall(r"""url\(\s*["']?\s*(?:https?:)?//[^)]+\)""", html, re.I)
    found += re.findall(r"""@import\s+["']?(?:url\()?\s*["']?(?:https?:)?//[^;]+""", html, re.I)
    return found


def _expected_figures(summary: dict, language: str) -> dict[str, str]:
    """Headline figures of summary.json as the index must write them."""
    nb = summary["notebooks"]
    with override(language):
        return {
            "customers": formatting.number(nb["00_overview"]["customers"]),
            "active customers": formatting.number(nb["00_overview"]["active_customers"]),
            "committed": formatting.number(nb["01_commitment"]["committed_accounts"]),
            "committed revenue share": formatting.percent(nb["01_commitment"]["committed_revenue_share"]),
            "pareto accounts": formatting.number(nb["02_energy_drain"]["pareto"]["accounts"]),
            "pareto energy share": formatting.percent(nb["02_energy_drain"]["pareto"]["energy_share"]),
            "drop candidates": formatting.number(nb["02_energy_drain"]["drop_candidates"]),
            "revenue lost": formatting.money(nb["02_energy_drain"]["what_if"]["revenue_lost"]),
            "margin lost": formatting.money(nb["02_energy_drain"]["what_if"]["margin_lost"]),
            "capacity use": formatting.percent(nb["03_communication_plan"]["capacity"]["use"]),
            "plan start": formatting.date(nb["03_communication_plan"]["plan_start"]),
        }


INDEX_SENTENCES = {
    "en": ["The firm has", "customers are committed", "candidates for letting go", "Letting them go would lose",
           "The plan starts on", "Which response promise to publish", "Read the report"],
    "fi": ["Yrityksellä on", "on sitoutuneita", "luopumisehdokkaita", "Heistä luopuminen veisi",
           "Suunnitelma alkaa", "Mikä vastauslupaus julkaistaan", "Lue raportti"],
}


def _check_index(run: RunResult, language: str) -> None:
    index = run.run_dir / "index.html"
    assert index.is_file(), "the run wrote no index.html"
    page = parse(index)
    text = page.visible
    for sentence in INDEX_SENTENCES[language]:
        assert sentence in text, f"{language} index lacks {sentence!r}"
    # The page's text has its whitespace (no-break spaces too) collapsed: so have the figures.
    wrong = {k: v for k, v in _expected_figures(run.summary, language).items() if " ".join(v.split()) not in text}
    with override(language):
        start = formatting.date(run.summary["notebooks"]["03_communication_plan"]["plan_start"])
    starts = re.search(r"(?:The plan starts on|Suunnitelma alkaa) \w+ (\S+?)\s*,?\s*(?:with|ja) ", text)
    assert starts and starts.group(1) == start, (starts and starts.group(0), start)
    assert not wrong, f"figures of summary.json not in the {language} index: {wrong}\n{text}"
    # Every report is linked, by its title, and every link resolves to a file of the run.
    for nb in run.notebooks:
        assert nb.html.name in page.links and nb.title and nb.title in text
    local = [h for h in page.links if not h.startswith("#")]
    assert local and all((run.run_dir / h.split("#")[0]).is_file() for h in local), local
    # A whole run on the sample has every figure: no sentence saying one is missing.
    for gap in ("missing from this run", "puuttuu tämän ajon", "did not include", "ei sisältynyt"):
        assert gap not in text, gap


def test_index_summarises_the_run_in_english(first: RunResult) -> None:
    _check_index(first, "en")


def test_index_summarises_the_run_in_finnish(tmp_path_factory: pytest.TempPathFactory) -> None:
    _check_index(sample_run("fi", tmp_path_factory), "fi")


def test_reports_link_back_and_have_a_table_of_contents(first: RunResult) -> None:
    for nb in first.notebooks:
        page = parse(nb.html)
        assert "index.html" in page.links, f"{nb.name}: no link back to the index"
        anchors = [h[1:] for h in page.links if h.startswith("#")]
        assert len(anchors) >= 3, f"{nb.name}: no table of contents"
        assert all(a in page.ids for a in anchors), f"{nb.name}: contents link to missing headings"
        html = nb.html.read_text(encoding="utf-8")
        assert 'class="wb-nav"' in html and html.index('class="wb-nav"') < html.index("<h2")


def test_no_run_html_references_the_network(first: RunResult) -> None:
    pages = [*first.run_dir.glob("*.html")]
    assert {p.name for p in pages} >= {"index.html", *(nb.html.name for nb in first.notebooks)}
    found = {p.name: _network_references(p.read_text(encoding="utf-8")) + parse(p).external for p in pages}
    assert not {k: v for k, v in found.items() if v}, found


def test_no_finnish_run_html_references_the_network(tmp_path_factory: pytest.TempPathFactory) -> None:
    run = sample_run("fi", tmp_path_factory)
    found = {p.name: _network_references(p.read_text(encoding="utf-8")) + parse(p).external
             for p in report_pages(run)}
    assert not {k: v for k, v in found.items() if v}, found


def test_index_of_a_partial_pseudonymized_run_degrades_and_names_nobody(tmp_path: Path) -> None:
    """A run of only 02 and 03, pseudonymized: the index says what it cannot summarise, keeps
    what it can, and names no customer, contact or team member of the sample."""
    params = tmp_path / "partial.yaml"
    params.write_text(yaml_dump({"report": {"notebooks": ["02_energy_drain", "03_communication_plan"],
                                            "pseudonymize": True, "pseudonym_key": str(tmp_path / "key"),
                                            "language": "fi"}}), encoding="utf-8")
    run = run_report(params, data_dir=str(SAMPLE), out_dir=str(tmp_path / "out"), progress=lambda _: None)
    index = run.run_dir / "index.html"
    html = index.read_text(encoding="utf-8")
    text = parse(index).visible
    assert text.count("Tähän ajoon ei sisältynyt raporttia") == 2, text  # 00 and 01 were not run
    assert "Ketkä vievät tiimin energiaa" in text and "Suunnitelma alkaa" in text
    assert "Asiakas " in text, "the drainers are named by their codes"
    accounts = pd.read_csv(SAMPLE / "accounts.csv", dtype=str)
    team = pd.read_csv(SAMPLE / "team.csv", dtype=str)
    people = {*accounts["name"].dropna(), *accounts["owner"].dropna(), *accounts["contact"].dropna(),
              *accounts["email"].dropna(), *team["member"].dropna(), *team["email"].dropna()}
    leaked = sorted(n for n in people if len(n) > 3 and n in html)
    assert not leaked, f"the pseudonymized index names {leaked[:5]}"
    local = [h for h in parse(index).links if not h.startswith("#")]
    assert all((run.run_dir / h).is_file() for h in local), local


def yaml_dump(d: dict) -> str:
    import yaml

    return yaml.safe_dump(d, allow_unicode=True)


def test_a_failed_run_leaves_no_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The index is written with the rest of the run, in the staging folder: a run that fails
    while writing it is set aside whole, and no run folder with a half-made index appears."""
    def broken(folder: Path, summary: dict, reports_: list) -> Path:
        (folder / "index.html").write_text("<html><body>half", encoding="utf-8")
        raise RuntimeError("index failed")

    monkeypatch.setattr(run_module, "write_index", broken)
    books = tmp_path / "notebooks"
    books.mkdir()
    (books / "00_stub.ipynb").write_text(json.dumps({**FAILING, "cells": FAILING["cells"][:2]}), encoding="utf-8")
    monkeypatch.setattr(run_module, "notebooks_dir", lambda: books)
    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match="index failed"):
        run_report("params/default.yaml", out_dir=str(out), progress=lambda _: None)
    folders = list((out / "sample").iterdir())
    assert [f.name.endswith("-failed") for f in folders if not f.name.startswith(".")] == [True]


# --- the index page from a summary alone (no notebooks run) ------------------------------

from workbench.summary_page import Report, render  # noqa: E402


def _visible(html: str) -> str:
    page = _Page()
    page.feed(html)
    return page.visible


SUMMARY = {
    "client": "Acme", "as_of": "2026-11-01", "params": {}, "inputs_changed_during_run": [],
    "notebooks": {"00_overview": {"customers": 12, "active_customers": 10, "window_days": 365, "new_customers": 1,
                                  "customers_per_member": 6.0, "team_members": 2, "hours_per_relationship": 3.25}},
}


def test_index_says_what_a_partial_run_cannot_summarise(tmp_path: Path) -> None:
    for lang, gap, missing in (("en", "This run did not include the report", "Some figures are missing"),
                               ("fi", "Tähän ajoon ei sisältynyt raporttia", "Osa luvuista puuttuu")):
        with override(lang):
            text = _visible(render(tmp_path, SUMMARY, [Report("00_overview", "Overview", "00_overview.html")]))
            assert text.count(gap) == 3, text  # 01, 02 and 03 were not run
            assert formatting.number(12) in text and " ".join(formatting.hours(3.25, 1).split()) in text
            assert missing not in text  # 00's figures are all there
            # A figure missing from a notebook that ran: its sentence goes, one note says so.
            partial = {**SUMMARY, "notebooks": {"00_overview": {"customers": 12},
                                                "02_energy_drain": {"drop_candidates": 3}}}
            text = _visible(render(tmp_path, partial, []))
            assert missing in text and text.count(gap) == 2


def test_index_reads_the_plans_promises(tmp_path: Path) -> None:
    summary = {**SUMMARY, "params": {"plan": {"tiers": [{"name": "core", "label_fi": "ydinasiakkaat"}]}},
               "notebooks": {"03_communication_plan": {"promises": {
                   "kept_share_required": 0.75, "public_promise_hours": 16.0,
                   "tiers": {"core": {"target_hours": 4.0, "status": "proposed", "kept_share": 0.5,
                                      "publish_hours": 16.0}}}}}}
    with override("fi"):
        text = _visible(render(tmp_path, summary, []))
    # Promises read as report 03 writes them: whole working days as days.
    assert "75 %" in text and "ydinasiakkaat : tavoite, vastaus neljän työtunnin kuluessa" in text
    assert "julkaise nyt lupaus vastata kahden arkipäivän kuluessa" in text and "core" not in text
    with override("en"):
        text = _visible(render(tmp_path, summary, []))
    assert "Publish one promise on the website" in text and "within 2 working days" in text


def test_index_divides_customers_by_the_members_who_own_them(tmp_path: Path) -> None:
    """An assistant who owns no customers is not counted: the sentence says whom it divides by."""
    head = {**SUMMARY["notebooks"]["00_overview"], "team_members": 3, "customers_per_member": 5.0,
            "client_facing_members": ["A", "B"]}
    with override("en"):
        text = _visible(render(tmp_path, {**SUMMARY, "notebooks": {"00_overview": head}}, []))
    assert "The team has 3 members; the 2 who own customers look after 5 customers each on average." in text
    with override("en"):
        text = _visible(render(tmp_path, SUMMARY, []))  # every member owns customers
    assert "The team has 2 members, who look after 6 customers each on average." in text
