"""End to end: the real server in headless Chromium — every page renders, the raster animation plays.

Screenshots of every page are written to tests/e2e/artifacts/, or to ``$SNNVIZ_SCREENSHOT_DIR``:
``make screenshots`` sets it to docs/screenshots/, the pictures in the README.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SHOTS = Path(os.environ.get("SNNVIZ_SCREENSHOT_DIR") or Path(__file__).resolve().parent / "artifacts")
PAGES = [("overview", ""), ("samples", "samples"), ("spikes", "spikes"), ("hypersphere", "hypersphere"),
         ("compare", "compare"), ("learn", "learn")]


@pytest.fixture(scope="module")
def page(server, browser):
    context = browser.new_context(viewport={"width": 1500, "height": 1100})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.errors = errors  # type: ignore[attr-defined]
    yield pg
    context.close()


@pytest.mark.parametrize(("name", "path"), PAGES)
def test_page_renders_without_exceptions(page, server, wait_for_app, name, path):
    page.goto(f"{server['url']}/{path}", wait_until="domcontentloaded")
    wait_for_app(page)
    assert page.locator('[data-testid="stException"]').count() == 0, f"{name}: an exception is shown"
    assert page.locator('[data-testid="stSidebar"]').count() == 1
    assert page.locator(".js-plotly-plot").count() >= 1, f"{name}: no chart was drawn"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)
    assert not page.errors, page.errors  # type: ignore[attr-defined]


def test_raster_animation_plays(page, server, wait_for_app):
    page.goto(f"{server['url']}/spikes", wait_until="domcontentloaded")
    wait_for_app(page, ".updatemenu-button")
    raster = page.locator(".js-plotly-plot").filter(has=page.locator(".updatemenu-button")).first
    raster.scroll_into_view_if_needed()
    frame_of = "el => (el.layout.sliders && el.layout.sliders.length) ? el.layout.sliders[0].active : null"
    before = raster.evaluate(frame_of)
    assert before is not None, "the raster has no animation slider"
    raster.locator(".updatemenu-button").first.click()  # the first button is play
    seen = set()
    for _ in range(20):
        page.wait_for_timeout(150)
        seen.add(raster.evaluate(frame_of))
    assert len(seen - {before}) >= 2, f"pressing play did not step through the frames (saw {sorted(seen)})"
