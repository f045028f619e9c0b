"""A real snnviz server on a free loopback port, and headless Debian Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("SNNVIZ_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"the server at {url} did not become healthy in {timeout:.0f} s")


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """Start ``streamlit run app.py`` with the project's config on a free loopback port."""
    port = free_port()
    env = dict(os.environ, SNNVIZ_CACHE_DIR=str(tmp_path_factory.mktemp("cache")))
    env.pop("SNNVIZ_MODELS_DIR", None)
    log = tmp_path_factory.mktemp("server") / "server.log"
    with open(log, "w") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)],
            cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        yield {"url": url, "port": port, "log": log, "proc": proc}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


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
