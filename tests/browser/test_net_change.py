"""In Chromium: the map page's net-change bars (issue 18.5: bars, years on the axis; issue 19: no date, so a
stop leaves them alone) and Compare's patch list moving both maps to the patch chosen (18.6)."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright")

from playwright.sync_api import Page

from tests.browser.test_dashboard import (
    FIRST_LOAD_MS,
    IDLE,
    PLAYER_IFRAME,
    STEP_MS,
    assert_healthy,
    big_date,
    slider,
    wait_date_change,
)
from tests.browser.test_dashboard import http_errors as http_errors  # the fixture, shared

NET_CHART = "[data-testid=stVegaLiteChart] >> nth=0"
BARS_JS = ("() => { const c = document.querySelectorAll('[data-testid=stVegaLiteChart]')[0]; if (!c) return [];"
           " return Array.from(c.querySelectorAll('g.mark-rect path')).map(p => p.getAttribute('opacity') "
           "|| p.getAttribute('fill-opacity') || '1'); }")
LABELS_JS = ("() => Array.from(document.querySelectorAll('[data-testid=stVegaLiteChart]')[0]"
             ".querySelectorAll('g.role-axis-label text')).map(t => t.textContent)")


def _bars(page: Page) -> list[float]:
    return [float(v) for v in page.evaluate(BARS_JS)]


def test_net_bars_carry_years_and_a_stop_leaves_them_alone(page, page_events, http_errors, streamlit_app,
                                                            save_screenshot):
    page.goto(streamlit_app.url + "/")
    page.wait_for_selector(PLAYER_IFRAME, timeout=FIRST_LOAD_MS)
    page.wait_for_function(f"() => ({BARS_JS})().length > 10", timeout=FIRST_LOAD_MS)
    page.locator(NET_CHART).scroll_into_view_if_needed()
    bars = _bars(page)
    assert all(o > 0.5 for o in bars), bars
    dates = [t for t in page.evaluate(LABELS_JS) if re.search("[A-Za-z]", t)]  # the time axis (not "20,000")
    assert dates and all(re.fullmatch(r"[A-Z][a-z]{2} 20\d\d", t) for t in dates), dates  # "Jan 2016": years
    assert len(set(dates)) == len(dates), dates  # no label repeated
    # Mark the chart's drawing: a stop's catch-up run must leave it as it is (no re-render).
    page.evaluate("() => { document.querySelectorAll('[data-testid=stVegaLiteChart]')[0]"
                  ".querySelector('svg').__kept = 1; }")
    day0 = big_date(page)
    slider(page).focus()
    page.keyboard.press("Home")
    day1 = wait_date_change(page, day0)
    page.wait_for_function("(d) => location.search.includes('date=' + d)", arg=day1, timeout=STEP_MS)
    page.wait_for_selector(IDLE, state="attached", timeout=STEP_MS)
    assert page.evaluate("() => document.querySelectorAll('[data-testid=stVegaLiteChart]')[0]"
                         ".querySelector('svg').__kept") == 1
    assert _bars(page) == bars
    page.locator(NET_CHART).scroll_into_view_if_needed()
    save_screenshot(page, "net_change_bars_first_date")
    assert_healthy(page_events, http_errors)


def test_choosing_a_patch_on_compare_moves_both_maps_to_it(page, page_events, http_errors, streamlit_app,
                                                         save_screenshot):
    from playwright.sync_api import expect

    from tests.browser.test_dashboard import MAP_IFRAME
    from tests.browser.test_story_ui import frame_of

    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(streamlit_app.url + "/?page=compare&from=2016-06-01&date=2016-12-31")
    page.wait_for_selector(IDLE, state="attached", timeout=FIRST_LOAD_MS)
    expect(page.locator(MAP_IFRAME)).to_have_count(2, timeout=STEP_MS)
    maps = [frame_of(page, MAP_IFRAME, i) for i in (0, 1)]
    for f in maps:
        f.wait_for_function("() => window.map && window.map.getZoom", timeout=STEP_MS)
    page.wait_for_timeout(1_000)  # a new map re-applies its stored view during its first 0.9 s
    z0 = maps[1].evaluate("() => window.map.getZoom()")
    box = page.get_by_role("combobox", name="Zoom the maps to a patch")
    box.click()
    box.fill("p1 ·")  # the combobox filters its options as a person types
    option = page.get_by_role("option", name=re.compile(r"^p1 · .*near Mosul"))
    option.wait_for(timeout=STEP_MS)
    option.click()
    page.wait_for_selector(IDLE, state="attached", timeout=STEP_MS)
    # p1: Islamic State -> Iraqi government forces around Mosul (west 42.62, south 34.71, east 43.50, north 36.42).
    inside = ("(z0) => { const c = window.map.getCenter(); return window.map.getZoom() > z0"
              " && c.lat > 34.71 && c.lat < 36.42 && c.lng > 42.62 && c.lng < 43.50; }")
    for f in maps:
        f.wait_for_function(inside, arg=z0, timeout=STEP_MS)
        f.wait_for_selector('path.leaflet-interactive[stroke="#ffb000"]', state="attached", timeout=STEP_MS)
    save_screenshot(page, "compare_zoomed_to_patch")
    assert_healthy(page_events, http_errors)
