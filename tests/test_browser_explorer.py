"""The explorer in a real browser: JupyterLab and the Voilà app, in headless Chromium.

In each, the explorer is run as a person runs it, a control and the account picker are
moved by typing and choosing, and the test asserts that the figures and the sentences
changed, that the picked account is ringed, and that the console shows no error and the
page asked nothing of any host but the server. Screenshots are kept for a person to look at:
in ``$WORKBENCH_SCREENSHOTS`` when set (CI keeps them), else in the test's tmp_path.

Every wait is bounded; a hang fails the test (with pytest-timeout's stack trace as the last
resort) instead of stalling CI.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import workbench as wb
from browsers import Browser, chrome
from servers import jupyter_lab, workbench_app
from workbench.app import app_notebook
from workbench.widgets import Explorer

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

REPO = Path(__file__).resolve().parents[1]
#: Long enough for the kernel to start, load the sample and fit the weights on CI's two cores.
READY_S = 240.0
UPDATE_S = 60.0
FIGURES = len(Explorer.FIGURE_VIEWS)  # one figure per figure view when the explorer is up


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("WORKBENCH_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def driver(browser_binaries: Browser, tmp_path: Path) -> Iterator[Any]:
    # Every host name resolves to nothing but the server's own address: the page may load
    # what the server serves and nothing from anywhere else.
    drv = chrome(browser_binaries, tmp_path / "chrome-profile", "--window-size=1400,1100",
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1")
    try:
        drv.set_page_load_timeout(120)
        drv.set_script_timeout(30)
        yield drv
    finally:
        drv.quit()


def _wait(what: str, condition: Callable[[], Any], timeout: float, driver: Any, shots: Path) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            got = condition()
        except Exception:  # the page is still being built: an element not there yet
            got = None
        if got:
            return got
        time.sleep(0.5)
    shot = _screenshot(driver, shots / f"timeout-{what.replace(' ', '-')}.png")
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what} (screenshot: {shot})", pytrace=False)


def _screenshot(driver: Any, path: Path) -> Path:
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


_FIGURES_JS = """
return Array.from(document.querySelectorAll('.js-plotly-plot')).map(gd => ({
  title: (gd.layout && gd.layout.title && (gd.layout.title.text || gd.layout.title)) || '',
  data: JSON.stringify(gd.data || []),
  rings: (gd.data || []).filter(t => t.marker && t.marker.symbol === 'circle-open' && t.marker.size === 22)
                        .map(t => t.name),
  drawn: !!gd.querySelector('.main-svg') && gd.getBoundingClientRect().width > 0,
}));
"""


def _figures(driver: Any) -> list[dict[str, Any]]:
    return driver.execute_script(_FIGURES_JS)


def _digest(figures: list[dict[str, Any]]) -> list[str]:
    return [hashlib.sha1(f["data"].encode()).hexdigest()[:12] for f in figures]


def _section_text(driver: Any, heading: str) -> str:
    """The text of the output under an ``<h3>`` of the explorer."""
    return driver.execute_script("""
      const h = Array.from(document.querySelectorAll('h3')).find(e => e.textContent.trim() === arguments[0]);
      if (!h) return null;
      let box = h.closest('.widget-html, .jupyter-widgets');
      const next = box && box.nextElementSibling;
      return next ? next.innerText : null;""", heading)


def _control(driver: Any, label: str) -> Any:
    """The widget box whose description is ``label``."""
    from selenium.webdriver.common.by import By

    for box in driver.find_elements(By.CSS_SELECTOR, ".widget-inline-hbox"):
        labels = box.find_elements(By.CSS_SELECTOR, "label")
        if labels and labels[0].text.strip() == label:
            return box
    return None


def _open_group(driver: Any, title: str) -> None:
    from selenium.webdriver.common.by import By

    for head in driver.find_elements(By.CSS_SELECTOR, ".jupyter-widget-Collapse-header, .lm-Collapse-header, "
                                                      ".p-Collapse-header"):
        if head.text.strip() == title:
            head.click()
            return
    raise AssertionError(f"no group titled {title!r}")


def _type_into(driver: Any, label: str, value: str, field: str = "input") -> None:
    """Replace what the control labelled ``label`` shows in its ``field`` (CSS: a text box,
    or ``.widget-readout`` of a slider) with ``value`` and press Enter, as a person would."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    box = _control(driver, label)
    assert box is not None, f"no control labelled {label!r}"
    target = box.find_element(By.CSS_SELECTOR, field)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", target)
    target.click()
    target.send_keys(Keys.CONTROL, "a")
    target.send_keys(value, Keys.ENTER)


def _pick(driver: Any, label: str, option_text: str | None = None, index: int | None = None) -> str:
    """Choose an option of the dropdown labelled ``label``; returns the option's text."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    box = _control(driver, label)
    assert box is not None, f"no dropdown labelled {label!r}"
    select = Select(box.find_element(By.CSS_SELECTOR, "select"))
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
    if option_text is not None:
        select.select_by_visible_text(option_text)
    else:
        select.select_by_index(index)
    return select.first_selected_option.text


def _console_errors(driver: Any) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


def _foreign_requests(driver: Any, host: str) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg.get("method") == "Network.requestWillBeSent":
            urls.append(msg["params"]["request"]["url"])
    # chrome: is the browser's own new-tab page, before the test opens the server's.
    allowed = (f"http://{host}", f"ws://{host}", "data:", "blob:", "about:", "chrome:")
    return sorted({u for u in urls if not u.startswith(allowed)})


def exercise_explorer(driver: Any, shots: Path, prefix: str, save_to: Path) -> dict[str, Any]:
    """Move the complaint weight, type a tier rule, pick another account and save what was
    moved to ``save_to``, in the explorer open in ``driver``; return what changed.
    Screenshots: before, after the weight, after the pick."""
    figures = _wait("the explorer's figures", lambda: (lambda f: f if len(f) >= FIGURES and all(x["drawn"] for x in f)
                                                       else None)(_figures(driver)), READY_S, driver, shots)
    _wait("the comparison", lambda: _section_text(driver, "Against the params file"), 30, driver, shots)
    before = {"figures": _digest(figures), "changes": _section_text(driver, "Against the params file"),
              "tiers": _section_text(driver, "Tiers")}
    _screenshot(driver, shots / f"{prefix}-1-opened.png")

    _open_group(driver, "Energy")
    _type_into(driver, "Extra weight of a complaint", "6", ".widget-readout")
    changed = _wait("the answers to redraw after the complaint weight moved",
                    lambda: (lambda t: t if t and t != before["changes"] else None)(
                        _section_text(driver, "Against the params file")), UPDATE_S, driver, shots)
    after = _wait("the figures to redraw", lambda: (lambda f: f if _digest(f) != before["figures"] and all(
        x["drawn"] for x in f) else None)(_figures(driver)), UPDATE_S, driver, shots)
    _screenshot(driver, shots / f"{prefix}-2-complaint-weight-6.png")

    # A tier's rule, typed as text: "develop" keeps only the dissatisfied valuable accounts,
    # so the valuable uncommitted ones fall through to the tiers below.
    tiers_then = _section_text(driver, "Tiers")
    _open_group(driver, "Tiers")
    _type_into(driver, "develop: who belongs", "valuable and dissatisfied")
    _wait("the tiers to follow the rule", lambda: (lambda t: t if t and t != tiers_then else None)(
        _section_text(driver, "Tiers")), UPDATE_S, driver, shots)

    rings_before = [f["rings"] for f in after]
    picked = _pick(driver, "Account", index=3)
    name = picked.rsplit(" (", 1)[0]
    rings = _wait("the picked account to be ringed", lambda: (lambda f: [x["rings"] for x in f] if sum(
        x["rings"] == [name] for x in f) >= 4 else None)(_figures(driver)), UPDATE_S, driver, shots)
    _screenshot(driver, shots / f"{prefix}-3-account-picked.png")
    # Agreed at the table: saved as a params file where the test says.
    from selenium.webdriver.common.by import By

    _type_into(driver, "File", str(save_to))
    button = next(b for b in driver.find_elements(By.CSS_SELECTOR, "button") if b.text.strip() == "Save as params file")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()
    _wait("the params file to be saved", lambda: save_to.is_file(), UPDATE_S, driver, shots)
    card = driver.execute_script("""
      return Array.from(document.querySelectorAll('h3')).map(h => h.textContent).find(t => t.includes(arguments[0]));
    """, name)
    return {"before": before, "changes": changed, "tiers": _section_text(driver, "Tiers"),
            "figures_changed": sum(a != b for a, b in zip(_digest(after), before["figures"])),
            "rings_before": rings_before, "rings": rings, "picked": name, "card": card, "saved": save_to}


def _check(result: dict[str, Any]) -> None:
    assert result["before"]["changes"].strip().startswith("Nothing changes"), result["before"]["changes"]
    assert "Drop candidates:" in result["changes"], result["changes"]
    assert result["figures_changed"] >= 2, "moving a weight redrew fewer than two figures"
    assert result["tiers"] != result["before"]["tiers"], "the tier table did not change"
    assert [result["picked"]] in result["rings"] and [result["picked"]] not in result["rings_before"]
    assert result["card"], f"no card headed {result['picked']!r}"
    saved = wb.load_params(result["saved"])
    assert saved.energy.complaint_weight == 6.0
    assert next(t for t in saved.plan.tiers if t.name == "develop").when == ("valuable and dissatisfied",)


def test_the_explorer_in_jupyterlab(driver: Any, screenshots: Path, tmp_path: Path) -> None:
    # The consultant's notebook, with interactive = True, in a folder of its own: JupyterLab
    # autosaves, and the committed notebook must not take a live session's outputs.
    root = tmp_path / "lab"
    root.mkdir()
    app_notebook(REPO / "params" / "default.yaml", root)
    with jupyter_lab(root, tmp_path / "jupyter") as lab:
        driver.get(lab.url)
        _wait("JupyterLab to start the notebook's kernel", lambda: driver.execute_script(
            "const a = window.jupyterapp; const w = a && a.shell.currentWidget;"
            " return !!(w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel"
            " && w.sessionContext.session.kernel.status === 'idle');"), READY_S, driver, screenshots)
        driver.get_log("browser")  # JupyterLab's own start-up chatter is not the explorer's
        driver.execute_script("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        result = exercise_explorer(driver, screenshots, "jupyterlab", tmp_path / "agreed.yaml")
        errors = _console_errors(driver)
        foreign = _foreign_requests(driver, lab.url.split("/")[2])
    _check(result)
    assert not errors, "console errors in JupyterLab:\n" + "\n".join(errors)
    assert not foreign, f"requests beyond the server: {foreign}"


def test_the_explorer_as_the_voila_app(driver: Any, screenshots: Path, tmp_path: Path) -> None:
    with workbench_app(tmp_path / "voila") as app:
        driver.get(app.url)
        result = exercise_explorer(driver, screenshots, "voila", tmp_path / "agreed.yaml")
        errors = _console_errors(driver)
        foreign = _foreign_requests(driver, app.url.split("/")[2])
        text = driver.execute_script("return document.body.innerText")
    _check(result)
    assert "wb.start(" not in text and "import workbench" not in text, "the app shows code"
    assert not errors, "console errors in the Voilà app:\n" + "\n".join(errors)
    assert not foreign, f"requests beyond the server: {foreign}"
