"""Open each HTML report of a real run in headless Chromium, as a person would, with no network.

For every notebook of a Finnish run on the bundled sample (the run ``reportruns.py`` makes
once per session), and for the run's ``index.html``, this checks that

1. every plotly figure is drawn: each ``.plotly-graph-div`` holds a ``.main-svg`` of
   non-zero size and at least one trace, and there are as many figure divs in the page
   as there are plotly figure outputs in the executed notebook;
2. the browser console has no errors (no SEVERE entries: script errors, failed loads);
3. the page asks for nothing but ``file:``, ``data:``, ``blob:`` or ``about:`` URLs. The
   browser is offline three ways: every host name resolves to nothing
   (``--host-resolver-rules``), the DevTools network is emulated offline, and background
   networking is off; every request the page makes is read from the DevTools network log
   and from ``performance.getEntriesByType('resource')``;
4. a full-page screenshot is saved to the test's tmp_path (kept for a person to look at,
   not compared).

Chromium and chromedriver come from the system (Debian: ``chromium``, ``chromium-driver``;
``.ci/install-browser`` installs them). Selenium is pointed at that chromedriver, so
Selenium Manager never downloads anything. Without them the test is skipped, except when
``CI`` is set: there it fails, because CI must really run it.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import pytest

from browsers import Browser, chrome
from reportruns import sample_run
from workbench.run import RunResult

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
PLOTLY_MIME = "application/vnd.plotly.v1+json"
ALLOWED_SCHEMES = ("file:", "data:", "blob:", "about:")
FIGURE_TIMEOUT_S = 20.0
_GRAPH_DIV = re.compile(r"""class=["'][^"']*\bplotly-graph-div\b""")


@pytest.fixture(scope="module")
def report(browser_binaries: Browser, tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    """One real run of the whole report on the bundled sample, in Finnish (the language
    with more to go wrong: decimal commas, translated figure text)."""
    return sample_run("fi", tmp_path_factory)


@pytest.fixture
def driver(browser_binaries: Browser, tmp_path: Path) -> Iterator[Any]:
    drv = chrome(browser_binaries, tmp_path / "chrome-profile")
    try:
        drv.set_page_load_timeout(60)
        drv.execute_cdp_cmd("Network.enable", {})
        drv.execute_cdp_cmd("Network.emulateNetworkConditions", {
            "offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1,
        })
        yield drv
    finally:
        drv.quit()


def expected_figures(notebook: Path) -> int:
    """Plotly figures among the executed notebook's outputs.

    An output is a figure when it carries the plotly mimetype, or HTML holding a plotly
    graph div (the inline renderer). The output that only loads plotly.js is not one.
    """
    nb = nbformat.read(notebook, as_version=4)
    count = 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            html = data.get("text/html", "")
            html = "".join(html) if isinstance(html, list) else html
            divs = len(_GRAPH_DIV.findall(html))
            if divs:
                count += divs
            elif PLOTLY_MIME in data:
                count += 1
    return count


# Per figure div: drawn = a .main-svg with non-zero size; traces = the figure's data.
_FIGURES_JS = """
return Array.from(document.querySelectorAll('.plotly-graph-div')).map((gd, i) => {
  const svg = gd.querySelector('.main-svg');
  const r = svg ? svg.getBoundingClientRect() : null;
  return {index: i, id: gd.id, svg: !!svg, width: r ? r.width : 0, height: r ? r.height : 0,
          traces: Array.isArray(gd.data) ? gd.data.length : 0, layout: !!gd._fullLayout};
});
"""


def _drawn(fig: dict[str, Any]) -> bool:
    return fig["svg"] and fig["width"] > 0 and fig["height"] > 0 and fig["traces"] > 0


@dataclass
class PageCheck:
    """What a person would notice opening one report, offline."""

    name: str
    expected: int
    figures: list[dict[str, Any]] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    screenshot: Path | None = None

    def problems(self) -> list[str]:
        out = []
        if len(self.figures) != self.expected:
            out.append(f"{len(self.figures)} figure divs in the page, but the notebook has "
                       f"{self.expected} plotly figure outputs")
        for f in self.figures:
            if not _drawn(f):
                out.append(f"figure #{f['index']} ({f['id']}) not drawn: main-svg={f['svg']}, "
                           f"size {f['width']:.0f}x{f['height']:.0f}, {f['traces']} traces")
        out += [f"console error: {m}" for m in self.console_errors]
        out += [f"network request: {u}" for u in self.requests]
        if not (self.screenshot and self.screenshot.is_file() and self.screenshot.stat().st_size):
            out.append("no screenshot saved")
        return out


def _drain(driver: Any) -> None:
    driver.get_log("browser")
    driver.get_log("performance")


def _requested_urls(driver: Any) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg.get("method") == "Network.requestWillBeSent":
            urls.append(msg["params"]["request"]["url"])
    urls += driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)")
    return urls


def _screenshot(driver: Any, path: Path) -> Path:
    shot = driver.execute_cdp_cmd("Page.captureScreenshot",
                                  {"format": "png", "captureBeyondViewport": True})
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def check_page(driver: Any, html: Path, expected: int, screenshot: Path) -> PageCheck:
    """Open ``html`` and record figures, console errors and requests; save a screenshot."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    check = PageCheck(html.name, expected)
    _drain(driver)
    driver.get(html.resolve().as_uri())

    def all_drawn(d: Any) -> tuple[list[dict[str, Any]]] | bool:
        # The figure divs are in the static HTML; wait until plotly has drawn each one.
        figs = d.execute_script(_FIGURES_JS)
        return (figs,) if all(map(_drawn, figs)) else False

    try:
        (check.figures,) = WebDriverWait(driver, FIGURE_TIMEOUT_S, poll_frequency=0.2).until(
            all_drawn)
    except TimeoutException:
        check.figures = driver.execute_script(_FIGURES_JS)
    time.sleep(0.3)  # let late script errors and failed loads reach the log
    check.console_errors = [e["message"] for e in driver.get_log("browser")
                            if e.get("level") == "SEVERE"]
    check.requests = sorted({u for u in _requested_urls(driver)
                             if not u.startswith(ALLOWED_SCHEMES)})
    check.screenshot = _screenshot(driver, screenshot)
    return check


def test_reports_draw_offline_in_a_browser(
    browser_binaries: Browser, report: RunResult, driver: Any, tmp_path: Path
) -> None:
    assert report.notebooks, "the run produced no notebooks"
    checks = [
        check_page(driver, nb.html, expected_figures(nb.notebook), tmp_path / f"{nb.name}.png")
        for nb in report.notebooks
    ]
    # The index draws no figure: it must open offline, error-free, and show its text.
    checks.append(check_page(driver, report.run_dir / "index.html", 0, tmp_path / "index.png"))
    assert sum(c.expected for c in checks) > 0, (
        "the sample report shows no plotly figure at all: this test would check nothing")
    failures = [f"{c.name}: {p}" for c in checks for p in c.problems()]
    assert not failures, (
        f"{len(failures)} problem(s) opening the reports offline in Chromium "
        f"(screenshots in {tmp_path}):\n  " + "\n  ".join(failures))


def test_report_navigation_works_offline(browser_binaries: Browser, report: RunResult, driver: Any) -> None:
    """From the index to each report and back, by clicking, with the network off; each
    report's table of contents jumps to a heading of the page."""
    from selenium.webdriver.common.by import By

    index = (report.run_dir / "index.html").resolve().as_uri()
    for nb in report.notebooks:
        driver.get(index)
        driver.find_element(By.CSS_SELECTOR, f'ul.links a[href="{nb.html.name}"]').click()
        assert driver.current_url.endswith(nb.html.name)
        toc = driver.find_elements(By.CSS_SELECTOR, "nav.wb-nav ol a")
        assert toc, f"{nb.name}: no table of contents"
        target = toc[-1].get_attribute("href").split("#", 1)[1]
        toc[-1].click()
        assert driver.execute_script(
            "const e = document.getElementById(arguments[0]); if (!e) return false;"
            " const top = e.getBoundingClientRect().top; return window.scrollY > 0 && top > -2 && top < window.innerHeight;",
            target), f"{nb.name}: the last contents entry does not bring its heading into view"
        driver.find_element(By.CSS_SELECTOR, "nav.wb-nav a.wb-back").click()
        assert driver.current_url.endswith("index.html")
