"""A real snnviz server on a free loopback port, and headless Debian Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from snnviz.app_launcher import start_server

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("SNNVIZ_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """Start ``streamlit run app.py`` with the project's config on a free loopback port."""
    env = dict(os.environ, SNNVIZ_CACHE_DIR=str(tmp_path_factory.mktemp("cache")))
    env.pop("SNNVIZ_MODELS_DIR", None)
    log = tmp_path_factory.mktemp("server") / "server.log"
    with start_server(env=env, log=log) as app:
        yield {"url": app.url, "port": app.port, "log": log, "proc": app.proc}


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium (never a downloaded browser)."""
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is required in CI but {CHROMIUM} is missing (apt-get install chromium).")
        pytest.skip(f"Chromium not found at {CHROMIUM}; install Debian's chromium to run the browser test.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


def _wait_for_app(page, selector: str = ".js-plotly-plot", timeout_ms: int = 180_000) -> None:
    """Wait until ``selector`` is drawn and Streamlit has stopped running the script (no spinner, progress bar
    or running indicator for 1.5 s)."""
    page.wait_for_selector('[data-testid="stAppViewContainer"]', timeout=timeout_ms)
    page.wait_for_selector(selector, state="attached", timeout=timeout_ms)
    busy = '[data-testid="stStatusWidget"], [data-testid="stSpinner"], [data-testid="stProgress"]'
    deadline = time.monotonic() + timeout_ms / 1000
    quiet_since = None
    while time.monotonic() < deadline:
        if page.locator(busy).count() > 0:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > 1.5:
            return
        page.wait_for_timeout(250)
    raise TimeoutError("the app did not finish rendering in time")


@pytest.fixture
def wait_for_app():
    """A function that waits until Streamlit has finished running and drawing a page."""
    return _wait_for_app
