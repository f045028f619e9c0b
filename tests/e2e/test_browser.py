"""End to end: the real server in headless Chromium — every page renders, the raster animation plays.

Screenshots of every page are written to docs/screenshots/ (they illustrate the README).
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
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
    wait_for_app(page)
    raster = page.locator(".js-plotly-plot").filter(has=page.locator(".updatemenu-button")).first
    raster.scroll_into_view_if_needed()
    slider_before = raster.locator(".slider-current-value").first.text_content()
    play = raster.locator(".updatemenu-button").first
    play.click()
    page.wait_for_timeout(2500)
    slider_after = raster.locator(".slider-current-value").first.text_content()
    assert slider_after != slider_before, "pressing play did not advance the raster animation"
