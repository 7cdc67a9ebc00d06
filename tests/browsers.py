"""Headless Chromium for the browser tests: the system's browser and driver, found once.

Chromium and chromedriver come from the system (Debian: ``chromium``, ``chromium-driver``;
``.ci/install-browser`` installs them). Selenium is pointed at that chromedriver, so
Selenium Manager never downloads anything. Without them a browser test is skipped, except
when ``CI`` is set: there it fails, because CI must really run it (the
``browser_binaries`` fixture in ``conftest.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHROME_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROME_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--disable-extensions",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--window-size=1280,1024",
)


@dataclass(frozen=True)
class Browser:
    chrome: str
    chromedriver: str


def chrome(browser: Browser, profile: Path, *extra: str) -> Any:
    """A headless Chromium with :data:`CHROME_ARGS` (``extra`` replacing a switch of the
    same name), logging the console and the network, its profile in ``profile``."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = browser.chrome
    replaced = {a.split("=", 1)[0] for a in extra}
    for arg in (*(a for a in CHROME_ARGS if a.split("=", 1)[0] not in replaced), *extra):
        options.add_argument(arg)
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    service = Service(executable_path=browser.chromedriver, log_output=str(profile.with_suffix(".log")))
    return webdriver.Chrome(service=service, options=options)
