"""The map page's time player in a real Chromium: time moves in the browser, the server hears it once.

The map page's map is the time player (``territory.ui.playback.map_player``):
dragging its slider, arrow keys, Prev/Next and Play move the polygons, the big
date, the key numbers and the legend without a script run; when the user
stops, ONE value reaches Streamlit, which brings the URL and the download to
that date. The area chart is the player's own (assets/player/chart.js): its
date marker moves with every frame, without a run. Script runs are counted from the server's
``$TERRITORY_TIMINGS`` (one line per map-page run).
"""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest

pytest.importorskip("playwright")

from playwright.sync_api import Frame, Page, expect

from territory.analysis import Analysis
from territory.datasets import load_dataset
from territory.player import METRIC_COLS
from territory.stats import stats_table
from tests.browser.test_dashboard import IDLE, PLAYER_IFRAME, open_map

STEP_MS = 20_000


@pytest.fixture(scope="module")
def bundled() -> Analysis:
    return Analysis.from_paths(load_dataset())


def open_player(page: Page, url: str) -> Frame:
    """Open the map page; the player's frame once territory is painted and the page has caught up."""
    return open_map(page, url)


def runs(streamlit_app) -> int:
    return sum(1 for line in streamlit_app.timing_lines() if line.startswith("map\t"))


def shown(frame: Frame) -> str:
    return frame.locator(".tp-date").inner_text().strip()


def url_date(page: Page) -> str | None:
    return parse_qs(urlsplit(page.url).query).get("date", [None])[0]


def settle(page: Page, streamlit_app, before: int, expected: int, timeout: float = 20.0) -> int:
    """Wait for ``expected`` new script runs (then a quiet second); return how many came."""
    end = time.monotonic() + timeout
    while time.monotonic() < end and runs(streamlit_app) - before < expected:
        time.sleep(0.1)
    time.sleep(1.0)
    page.wait_for_selector(IDLE, state="attached", timeout=STEP_MS)
    return runs(streamlit_app) - before


def test_ten_key_steps_run_no_script_then_one(page: Page, streamlit_app, bundled) -> None:
    """Ten arrow-key steps on the slider: the map moves each time, no script runs; one run when the user stops."""
    frame = open_player(page, streamlit_app.url + "/?date=2015-01-01")
    labels = [d.date().isoformat() for d in bundled.dates]
    start = shown(frame)
    assert start == "2015-01-01" == url_date(page)
    slider = frame.locator(".tp-slider")
    slider.focus()
    assert frame.evaluate("() => document.activeElement.classList.contains('tp-slider')")
    before, sent = runs(streamlit_app), frame.evaluate("() => window.__territorySent.length")
    mark = frame.locator(".tp-chart-mark")
    x0 = float(mark.get_attribute("x1"))
    paths = []
    for k in range(10):
        page.keyboard.press("ArrowRight")
        want = labels[labels.index(start) + k + 1]
        expect(frame.locator(".tp-date")).to_have_text(want, timeout=2_000)
        assert slider.get_attribute("aria-valuetext").startswith(want)
        assert mark.get_attribute("data-date") == want  # the chart's date marker moved with the frame
        paths.append(frame.evaluate("() => document.querySelectorAll('path.tp-feature').length"))
    assert runs(streamlit_app) == before, "a script ran during the scrub"
    assert float(mark.get_attribute("x1")) > x0
    end = labels[labels.index(start) + 10]
    assert settle(page, streamlit_app, before, 1) == 1  # one catch-up after the user stops
    assert frame.evaluate("() => window.__territorySent.length") - sent == 1
    assert url_date(page) == end  # the URL agrees with what is shown
    assert shown(frame) == end
    assert page.get_by_role("button", name=f"Download the map of {end} (PNG)").count() == 1  # the download too
    # The whole page is not re-sent to the player: no remount, same map object (zoom kept).
    assert frame.evaluate("() => window.__territoryMounts") == 1


def test_a_click_on_the_chart_is_one_stop_there(page: Page, streamlit_app, bundled) -> None:
    """Clicking the player's area chart moves the map to that date at once; the server hears it once."""
    frame = open_player(page, streamlit_app.url + "/?date=2015-01-01")
    chart = frame.locator(".tp-chart-overlay")
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    before = runs(streamlit_app)
    page.mouse.move(box["x"] + box["width"] * 0.7, box["y"] + box["height"] / 2)
    hovered = frame.locator(".tp-chart-tip-date").inner_text()
    assert runs(streamlit_app) == before  # hovering asks nothing of the server
    page.mouse.click(box["x"] + box["width"] * 0.7, box["y"] + box["height"] / 2)
    expect(frame.locator(".tp-date")).to_have_text(hovered, timeout=2_000)
    assert frame.locator(".tp-chart-mark").get_attribute("data-date") == hovered
    assert settle(page, streamlit_app, before, 1) == 1
    assert url_date(page) == hovered


def test_drag_play_pause_and_back_button(page: Page, streamlit_app, bundled) -> None:
    """Dragging the slider moves the map live; Play/Pause moves it too; each stop is one run, no history entry."""
    frame = open_player(page, streamlit_app.url + "/?date=2014-06-01")
    frame.evaluate("() => { const m = window.__territoryPlayer.map; m.setZoom(m.getZoom() + 1, {animate: false}); }")
    zoom = frame.evaluate("() => window.__territoryPlayer.map.getZoom()")
    history0 = page.evaluate("() => history.length")
    frame.locator(".tp-slider").scroll_into_view_if_needed()
    box = frame.locator(".tp-slider").bounding_box()
    before = runs(streamlit_app)
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + 4, y)
    page.mouse.down()
    seen = set()
    for k in range(1, 11):
        page.mouse.move(box["x"] + box["width"] * k / 20, y)
        seen.add(shown(frame))
    assert runs(streamlit_app) == before  # dragging: the server hears nothing yet
    assert len(seen) >= 5, seen  # the map followed the pointer
    page.mouse.up()
    assert settle(page, streamlit_app, before, 1) == 1
    day = shown(frame)
    assert url_date(page) == day
    # Play, then Pause: frames in the browser, one run at the pause.
    before = runs(streamlit_app)
    frame.locator(".tp-play").click()
    frame.wait_for_function("(d) => document.querySelector('.tp-date').textContent !== d", arg=day, timeout=STEP_MS)
    frame.locator(".tp-play").click()
    assert not frame.evaluate("() => window.__territoryPlayer.isPlaying()")
    assert settle(page, streamlit_app, before, 1) == 1
    assert url_date(page) == shown(frame) != day
    assert frame.evaluate("() => window.__territoryPlayer.map.getZoom()") == zoom  # zoom kept
    assert page.evaluate("() => history.length") == history0  # stops replace the URL, never push


def test_numbers_shown_equal_territory_stats(page: Page, streamlit_app, bundled) -> None:
    """The key numbers and legend the browser shows on a date are `territory stats`' figures for it."""
    frame = open_player(page, streamlit_app.url + "/?date=2016-01-04")
    den = bundled.denominators()[0]
    table = stats_table(bundled.measured, denominator=den)
    focus = bundled.focus_actor
    labels = [d.date().isoformat() for d in bundled.dates]
    frame.locator(".tp-slider").focus()
    for _ in range(3):
        day = shown(frame)
        row = table[(table["date"] == day) & (table["actor"] == focus) & (table["status"] == "controlled")].iloc[0]
        value = frame.locator(".tp-metric-held .tp-metric-value").inner_text()
        assert value == f"{row['area_in_region_km2']:,.0f} km²", (day, value)
        assert frame.locator(".tp-metric-region .tp-metric-value").inner_text() == f"{row['pct_of_region']:.2f}%"
        assert frame.locator(".tp-metric-peak .tp-metric-value").inner_text() == f"{row['pct_of_peak']:.1f}%"
        legend = frame.locator(".tp-legend-row", has=frame.locator(f".tp-swatch[data-actor='{focus}']"))
        assert f"controlled {row['area_km2']:,.0f} km²" in legend.inner_text()
        page.keyboard.press("ArrowRight")
        expect(frame.locator(".tp-date")).to_have_text(labels[labels.index(day) + 1], timeout=2_000)
    assert METRIC_COLS[0] == "held"
    assert json.loads(json.dumps(frame.evaluate("() => window.__territorySent.length"))) >= 1


def test_slider_is_accessible(page: Page, streamlit_app) -> None:
    """A keyboard user sees where focus is and hears the date; reduced motion gets steps."""
    page.emulate_media(reduced_motion="reduce")
    frame = open_player(page, streamlit_app.url + "/?date=2015-01-01")
    slider = frame.locator(".tp-slider")
    frame.locator(".tp-next").focus()  # the controls in tab order: Prev, Play, Next, then the slider
    page.keyboard.press("Tab")
    assert frame.evaluate("() => document.activeElement.classList.contains('tp-slider')"), "Tab never reaches the slider"
    outline = frame.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", ""), outline  # a visible focus ring
    assert slider.get_attribute("aria-label") == "Date"
    assert slider.get_attribute("aria-valuetext").startswith("2015-01-01")
    assert frame.evaluate("() => window.__territoryPlayer.map.options.zoomAnimation") is False
    frame.locator(".tp-play").click()
    time.sleep(1.6)
    frame.locator(".tp-play").click()
    stats = frame.evaluate("() => window.__territoryPlayer.stats()")
    assert stats["frames"] <= 3, stats  # at most one date a second, not 10


def test_sidebar_changes_keep_the_date_and_filter_without_a_rebuild(page: Page, streamlit_app, bundled) -> None:
    """Status layers re-filter the same map; another focus actor rebuilds it on the date the user is on."""
    frame = open_player(page, streamlit_app.url + "/?date=2015-01-01")
    frame.locator(".tp-slider").focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    day = shown(frame)
    assert day > "2015-01-01"
    page.wait_for_function("(d) => location.search.includes('date=' + d)", arg=day, timeout=STEP_MS)
    page.wait_for_selector(IDLE, state="attached", timeout=STEP_MS)
    assert frame.locator("path.tp-s-controlled").count() > 0
    page.get_by_role("checkbox", name="Controlled").uncheck(force=True)
    frame.wait_for_function("() => document.querySelectorAll('path.tp-s-controlled').length === 0", timeout=STEP_MS)
    assert frame.evaluate("() => window.__territoryMounts") == 1 and shown(frame) == day
    page.get_by_role("checkbox", name="Controlled").check(force=True)
    frame.wait_for_function("() => document.querySelectorAll('path.tp-s-controlled').length > 0", timeout=STEP_MS)
    time.sleep(0.5)
    page.wait_for_selector(IDLE, state="attached", timeout=STEP_MS)  # the sidebar's rerun is over
    t = bundled.table[bundled.table["status"] == "controlled"]
    other = next(a for a in t.groupby("actor")["area_km2"].max().sort_values(ascending=False).index
                 if a != bundled.focus_actor)
    box = page.get_by_role("combobox", name="Focus actor")
    box.click()
    if not page.get_by_role("option", name=other, exact=True).is_visible():  # a click that landed as the sidebar redrew
        box.click()
    page.get_by_role("option", name=other, exact=True).click()
    frame = page.locator(PLAYER_IFRAME).element_handle().content_frame()
    expect(frame.locator(".tp-metric-held .tp-metric-label")).to_contain_text(other, timeout=STEP_MS)
    assert shown(frame) == day  # rebuilt for the new focus actor, on the same date
