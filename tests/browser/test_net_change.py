"""The map page's net-change bars (issue 18.5) drawn by Vega in Chromium: bars, years on the axis, "as of" greying."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright")

from playwright.sync_api import Page

from tests.browser.test_dashboard import (
    FIRST_LOAD_MS,
    PLAYER_IFRAME,
    STEP_MS,
    assert_healthy,
    big_date,
    slider,
    wait_date_change,
)
from tests.browser.test_dashboard import http_errors as http_errors  # the fixture, shared

NET_CHART = "[data-testid=stVegaLiteChart] >> nth=1"
BARS_JS = ("() => { const c = document.querySelectorAll('[data-testid=stVegaLiteChart]')[1]; if (!c) return [];"
           " return Array.from(c.querySelectorAll('g.mark-rect path')).map(p => p.getAttribute('opacity') "
           "|| p.getAttribute('fill-opacity') || '1'); }")
LABELS_JS = ("() => Array.from(document.querySelectorAll('[data-testid=stVegaLiteChart]')[1]"
             ".querySelectorAll('g.role-axis-label text')).map(t => t.textContent)")


def _bars(page: Page) -> list[float]:
    return [float(v) for v in page.evaluate(BARS_JS)]


def test_net_bars_years_and_the_periods_after_the_date_pale(page, page_events, http_errors, streamlit_app,
                                                            save_screenshot):
    page.goto(streamlit_app.url + "/")
    page.wait_for_selector(PLAYER_IFRAME, timeout=FIRST_LOAD_MS)
    page.wait_for_function(f"() => ({BARS_JS})().length > 10", timeout=FIRST_LOAD_MS)
    page.locator(NET_CHART).scroll_into_view_if_needed()
    latest = _bars(page)
    assert all(o > 0.5 for o in latest), latest  # on the latest date nothing lies after it
    labels = page.evaluate(LABELS_JS)
    assert any(re.fullmatch(r"[A-Z][a-z]{2} 20\d\d", t) for t in labels), labels  # "Jan 2016": years on the axis
    day0 = big_date(page)
    slider(page).focus()
    page.keyboard.press("Home")
    wait_date_change(page, day0)
    page.wait_for_function(f"() => ({BARS_JS})().filter(o => parseFloat(o) < 0.5).length > 10", timeout=STEP_MS)
    first = _bars(page)
    assert len(first) == len(latest) and sum(o > 0.5 for o in first) <= 1, first
    page.locator(NET_CHART).scroll_into_view_if_needed()
    save_screenshot(page, "net_change_bars_first_date")
    assert_healthy(page_events, http_errors)
