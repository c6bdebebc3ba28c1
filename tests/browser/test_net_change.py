"""In Chromium: the map page's net-change bars (issue 18.5: bars, years on the axis; now drawn by the player, so they
follow the date with no script run) and Compare's patch list moving both maps to the patch chosen (18.6)."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright")

from playwright.sync_api import expect

from tests.browser.test_dashboard import (
    FIRST_LOAD_MS,
    IDLE,
    STEP_MS,
    assert_healthy,
)
from tests.browser.test_dashboard import http_errors as http_errors  # the fixture, shared

NET_STATE_JS = """() => Array.from(document.querySelectorAll('.tp-net-bar')).map(b =>
  [b.dataset.period, b.classList.contains('tp-net-after') ? 'after' :
   b.classList.contains('tp-net-current') ? 'current' : 'before'])"""


def _bars_follow(frame, day: str, rows: list[list]) -> None:
    """Periods before the one holding ``day`` full, it outlined, the later ones pale; the marker on ``day``."""
    assert frame.locator(".tp-net-mark").get_attribute("data-date") == day
    holding = [r[0] for r in rows if r[1] <= day][-1]
    want = [[r[0], "before" if r[0] < holding else "current" if r[0] == holding else "after"] for r in rows]
    assert frame.evaluate(NET_STATE_JS) == want, day


def test_net_bars_follow_keys_and_play_without_a_script_run(page, page_events, http_errors, streamlit_app,
                                                           save_screenshot):
    """Issue 18.5's bars, now the player's: keys and Play move their pale/current periods and marker in the browser
    (0 script runs until the stop); hover shows `territory change --every month`'s figures; the years are on the axis;
    the page draws no second (Vega-Lite) copy of them."""
    from territory.analysis import Analysis
    from territory.datasets import load_dataset
    from territory.netbars import net_rows
    from tests.browser.test_player_netchart import cli_periods
    from tests.browser.test_scrub import open_player, runs, settle, url_date

    an = Analysis.from_paths(load_dataset())
    net, dates = net_rows(an), [d.date().isoformat() for d in an.dates]  # what the page's player is sent
    rows = net["month"]
    frame = open_player(page, streamlit_app.url + "/?date=2015-01-01")
    assert page.locator("[data-testid=stVegaLiteChart] g.mark-rect").count() == 0  # no Vega-Lite bars
    frame.locator(".tp-net").scroll_into_view_if_needed()
    years = frame.eval_on_selector_all(".tp-net-xlab", "els => els.map(e => e.textContent)")
    assert years and all(re.fullmatch(r"20\d\d", y) for y in years), years
    _bars_follow(frame, "2015-01-01", rows)
    before = runs(streamlit_app)
    frame.locator(".tp-slider").focus()
    i = dates.index("2015-01-01")
    for k in range(1, 11):
        page.keyboard.press("ArrowRight")
        expect(frame.locator(".tp-date")).to_have_text(dates[i + k], timeout=2_000)
        _bars_follow(frame, dates[i + k], rows)
    assert runs(streamlit_app) == before, "a script ran while the bars followed the keys"
    assert settle(page, streamlit_app, before, 1) == 1  # the stop: one run
    before = runs(streamlit_app)
    frame.locator(".tp-play").click()
    frame.wait_for_function("(d) => document.querySelector('.tp-net-mark').dataset.date > d", arg=dates[i + 24],
                            timeout=STEP_MS)
    assert runs(streamlit_app) == before, "a script ran while the bars followed Play"
    frame.locator(".tp-play").click()
    _bars_follow(frame, frame.locator(".tp-date").inner_text().strip(), rows)
    assert settle(page, streamlit_app, before, 1) == 1  # the pause: one run
    cli = cli_periods("month")
    cli = cli[(cli["actor"] == net["actor"]) & (cli["status"] == "controlled")].set_index("period")
    box = frame.locator(".tp-net-overlay").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.4, box["y"] + box["height"] / 2)
    period = frame.locator(".tp-net-tip-period").inner_text()
    ref = cli.loc[period]
    whole = round(ref["net_km2"])
    sign = "+" if whole > 0 else "\u2212" if whole < 0 else ""
    assert frame.locator(".tp-net-tip-net").inner_text() == f"{sign}{abs(whole):,} km²"
    assert frame.locator(".tp-net-tip-gained").inner_text().endswith(f"{round(ref['gained_km2']):,} km²")
    assert frame.locator(".tp-net-tip-lost").inner_text().endswith(f"{round(ref['lost_km2']):,} km²")
    save_screenshot(page, "net_change_bars_in_the_player")
    # A click on the bar is a stop at the period's end (the last date on or before it): one run, the URL follows.
    want = [d for d in dates if d <= ref["date_to"]][-1]
    before = runs(streamlit_app)
    page.mouse.click(box["x"] + box["width"] * 0.4, box["y"] + box["height"] / 2)
    expect(frame.locator(".tp-date")).to_have_text(want, timeout=2_000)
    _bars_follow(frame, want, rows)
    assert settle(page, streamlit_app, before, 1) == 1
    assert url_date(page) == want
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
