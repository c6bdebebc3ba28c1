"""The dashboard in a real Chromium, against a real ``streamlit run`` of the packaged app.

One server for the session (``streamlit_app`` in conftest.py), a fresh page
per test. Each test checks what a person sees (the territory drawn, the date
label, the chart's date marker, the player) and ends with ``assert_healthy``:
no failed request, no HTTP error, no console or page error, and no request
to any host but the local server.

Map facts used here: the map page's map is the time player,
``iframe[title="territory.ui.player_component.territory_player"]`` (same
origin as the app); inside it ``window.map`` is the Leaflet map, ``.tp-date``
the big date, ``.tp-slider`` the date slider, and time moves without a
script run until the user stops (tests/browser/test_scrub.py). Compare's maps
are folium (``iframe[title="streamlit_folium.st_folium"]``). Territory paths
are the interactive ones (the grey basemap is ``interactive=False``); Islamic
State is filled ``#000000`` (geodata/is_syria_iraq/actors.csv).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

pytest.importorskip("playwright")

from playwright.sync_api import Frame, Page, Response, expect

MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
PLAYER_IFRAME = 'iframe[title="territory.ui.player_component.territory_player"]'
IS_PATH = 'path.leaflet-interactive[fill="#000000"]'
TERRITORY_PATH = "path.tp-feature"  # any actor's territory drawn by the player
MID = "/?date=2015-06-01"  # a date with Islamic State territory and dates on both sides (the default is the latest)
BIG_DATE = ".tp-date"  # inside the player's frame
RULE = ".tp-chart-mark"  # inside the player's frame: its area chart's date marker (assets/player/chart.js)
# Under the player, drawn once the map is on screen: the caption naming the net-change bars' command (always
# there with two dates or more; the claims chart only when there are claims).
BELOW = "[data-testid=stCaptionContainer] >> text=territory change --every month"
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
# Sorted 'd' attributes of the territory paths: changes when other polygons are drawn.
PATHS_JS = ("() => Array.from(document.querySelectorAll('path.leaflet-interactive'))"
            ".map(p => p.getAttribute('d')).sort().join('\\n')")
FIRST_LOAD_MS = 90_000  # the first page of the session measures the bundled dataset (cold cache)
STEP_MS = 20_000


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def http_errors(page: Page) -> list[str]:
    """Responses with status >= 400 (``requestfailed`` alone misses a 404)."""
    errors: list[str] = []

    def on_response(r: Response) -> None:
        if r.status >= 400:
            errors.append(f"{r.status} {r.url}")

    page.on("response", on_response)
    return errors


def assert_healthy(page_events, http_errors: list[str]) -> None:
    """Nothing failed, nothing logged an error, nothing left the machine."""
    foreign = [u for u in page_events.requests
               if urlsplit(u).scheme not in ("data", "blob", "about")
               and urlsplit(u).hostname not in LOCAL_HOSTS]
    assert page_events.requests, "no request recorded: is the page_events fixture attached?"
    assert not foreign, f"requests left 127.0.0.1/localhost: {foreign}"
    assert not http_errors, http_errors
    page_events.assert_clean()


def open_map(page: Page, url: str) -> Frame:
    """Go to the map page at ``url`` and return the player's frame once the territory and the charts are drawn."""
    page.goto(url)
    page.wait_for_selector(PLAYER_IFRAME, timeout=FIRST_LOAD_MS)
    frame = page.locator(PLAYER_IFRAME).element_handle().content_frame()
    assert frame is not None
    frame.wait_for_function("() => window.map && window.map.getZoom", timeout=FIRST_LOAD_MS)
    frame.wait_for_selector(TERRITORY_PATH, state="attached", timeout=FIRST_LOAD_MS)
    frame.wait_for_selector(RULE, state="attached", timeout=FIRST_LOAD_MS)
    page.wait_for_selector(BELOW, state="attached", timeout=FIRST_LOAD_MS)  # the page's one rerun after the paint
    page.wait_for_selector(IDLE, state="attached", timeout=FIRST_LOAD_MS)
    return frame


def player(page: Page) -> Frame:
    frame = page.locator(PLAYER_IFRAME).element_handle().content_frame()
    assert frame is not None
    return frame


def date_label(page: Page):
    """The big date above the map (the player's)."""
    return player(page).locator(BIG_DATE)


def big_date(page: Page) -> str:
    return date_label(page).inner_text().strip()


def slider(page: Page):
    """The player's date slider, an <input type=range> (role=slider is implicit)."""
    return player(page).get_by_role("slider")


def wait_date_change(page: Page, before: str) -> str:
    """Wait until the big date label shows a different date; return it."""
    expect(date_label(page)).not_to_have_text(before, timeout=STEP_MS)
    after = big_date(page)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", after), after
    return after


def rule(page: Page) -> tuple[float, str]:
    """The player's chart's date marker: (x in px, the date it marks)."""
    loc = player(page).locator(RULE)
    return float(loc.get_attribute("x1")), loc.get_attribute("data-date") or ""


def wait_rule(page: Page, day: str) -> None:
    """Wait for the chart's date marker to stand on ``day``."""
    player(page).wait_for_function("(d) => document.querySelector('.tp-chart-mark')?.dataset.date === d",
                                   arg=day, timeout=STEP_MS)


# --------------------------------------------------------------------------- tests


def test_map_draws_the_territory(page, page_events, http_errors, streamlit_app, save_screenshot):
    frame = open_map(page, streamlit_app.url + MID)
    assert frame.evaluate("() => typeof window.map.getZoom === 'function'")
    n_is = frame.locator(IS_PATH).count()
    assert n_is >= 1
    # The fill is drawn with a visible opacity and the path has real geometry.
    box = frame.locator(IS_PATH).first.bounding_box()
    assert box and box["width"] > 5 and box["height"] > 5, box
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", big_date(page))
    assert page.get_by_text("Illustrative reconstruction").first.is_visible()
    save_screenshot(page)
    assert_healthy(page_events, http_errors)


VISIBLE_LABEL_BOXES_JS = """() => Array.from(document.querySelectorAll('.tp-place'))
  .filter(el => getComputedStyle(el).visibility !== 'hidden')
  .map(el => { const r = el.firstElementChild.getBoundingClientRect();
               return {name: el.textContent, l: r.left, r: r.right, t: r.top, b: r.bottom}; })"""


def _overlaps(boxes: list[dict]) -> list[tuple[str, str]]:
    return [(a["name"], b["name"]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
            if not (a["r"] < b["l"] or a["l"] > b["r"] or a["b"] < b["t"] or a["t"] > b["b"])]


def test_city_labels_never_overlap_and_zooming_in_shows_more(page, page_events, http_errors, streamlit_app):
    frame = open_map(page, streamlit_app.url + "/")
    frame.wait_for_selector(".tp-place", state="attached", timeout=STEP_MS)
    page.wait_for_timeout(300)  # the label pass runs 30 ms after the map settles
    boxes = frame.evaluate(VISIBLE_LABEL_BOXES_JS)
    names = {b["name"] for b in boxes}
    assert {"Baghdad", "Damascus", "Aleppo"} <= names, names  # the largest places are always shown
    assert not _overlaps(boxes), _overlaps(boxes)
    frame.evaluate("() => window.map.setZoom(window.map.getZoom() + 2, {animate: false})")
    page.wait_for_timeout(300)
    zoomed = frame.evaluate(VISIBLE_LABEL_BOXES_JS)
    assert not _overlaps(zoomed), _overlaps(zoomed)
    hidden = frame.evaluate("() => document.querySelectorAll('.tp-place').length") - len(boxes)
    assert hidden > 0  # the bundled map's 24 labels do not all fit at the first zoom...
    assert len(zoomed) > len(boxes)  # ...and zooming in brings hidden ones back
    assert_healthy(page_events, http_errors)


def test_date_step_redraws_in_place_and_keeps_zoom(page, page_events, http_errors, streamlit_app,
                                                  save_screenshot):
    frame = open_map(page, streamlit_app.url + MID)
    iframe = page.locator(PLAYER_IFRAME).element_handle()
    frame.evaluate("() => { window.__territoryMarker = 'kept'; }")

    # Zoom in the way a person does: the + control.
    # (zoomend, not moveend: a late resize/pan of the fresh map must not count as our zoom.)
    z0 = frame.evaluate("() => window.map.getZoom()")
    frame.evaluate("() => { window.map.on('zoomend', () => { window.__zoomEnds = (window.__zoomEnds || 0) + 1; }); }")
    frame.locator(".leaflet-control-zoom-in").click()
    frame.wait_for_function("(z0) => window.__zoomEnds && !window.map._animatingZoom && window.map.getZoom() > z0",
                            arg=z0, timeout=STEP_MS)  # a hang guard: CI shares 2 cores
    zoom = frame.evaluate("() => window.map.getZoom()")
    assert zoom >= z0 + 0.75, (z0, zoom)  # one zoomDelta (1) in, whatever the zoomSnap
    paths0 = frame.evaluate(PATHS_JS)
    rule0 = rule(page)

    day0 = big_date(page)
    slider(page).focus()
    page.keyboard.press("ArrowRight")
    day1 = wait_date_change(page, day0)
    assert day1 > day0
    expect(slider(page)).to_have_attribute("aria-valuetext", day1)
    frame.wait_for_function(f"(before) => ({PATHS_JS})() !== before", arg=paths0, timeout=STEP_MS)
    frame.wait_for_selector(IS_PATH, state="attached", timeout=STEP_MS)
    page.wait_for_function("(d) => location.search.includes('date=' + d)", arg=day1, timeout=STEP_MS)  # caught up
    page.wait_for_selector(IDLE, state="attached", timeout=STEP_MS)
    save_screenshot(page, "dashboard_step_next_zoomed")

    # Same iframe element, same window (no remount), zoom kept.
    assert page.evaluate("([a, sel]) => a.isConnected && a === document.querySelector(sel)",
                         [iframe, PLAYER_IFRAME])
    assert frame.evaluate("() => window.__territoryMarker") == "kept"
    assert frame.evaluate("() => window.map.getZoom()") == zoom

    # End jumps to the last date; still the same frame at the same zoom.
    paths1 = frame.evaluate(PATHS_JS)
    page.keyboard.press("End")
    last = frame.evaluate("() => window.__territoryPlayer.getDate()")
    expect(date_label(page)).to_have_text(last, timeout=STEP_MS)
    assert frame.evaluate("() => window.__territoryPlayer.getIndex()") == int(slider(page).get_attribute("max"))
    frame.wait_for_function(f"(before) => ({PATHS_JS})() !== before", arg=paths1, timeout=STEP_MS)
    page.wait_for_function("(d) => location.search.includes('date=' + d)", arg=last, timeout=STEP_MS)
    wait_rule(page, last)
    page.wait_for_selector(IDLE, state="attached", timeout=STEP_MS)
    assert page.evaluate("([a, sel]) => a.isConnected && a === document.querySelector(sel)",
                         [iframe, PLAYER_IFRAME])
    assert frame.evaluate("() => [window.__territoryMarker, window.map.getZoom()]") == ["kept", zoom]
    assert rule(page)[0] > rule0[0]
    assert f"date={last}" in page.url
    save_screenshot(page, "dashboard_step_end_zoomed")
    assert_healthy(page_events, http_errors)


def test_chart_rule_follows_the_date(page, page_events, http_errors, streamlit_app, save_screenshot):
    """The player's area chart moves its date marker with the date, in the browser: no script run for it."""
    open_map(page, streamlit_app.url + MID)
    day0 = big_date(page)
    x0, marked0 = rule(page)
    assert marked0 == day0

    player(page).get_by_role("button", name="Next date").click()
    day1 = wait_date_change(page, day0)
    assert rule(page)[1] == day1  # moved with the frame, before any catch-up
    x1, _ = rule(page)
    assert x1 > x0, (x0, x1)

    slider(page).focus()
    page.keyboard.press("Home")
    day2 = wait_date_change(page, day1)
    assert day2 < day0
    wait_rule(page, day2)
    x2, _ = rule(page)
    assert x2 < x0, (x2, x0)
    player(page).locator(".tp-chart").scroll_into_view_if_needed()
    save_screenshot(page, "dashboard_chart_rule_first_date")
    assert_healthy(page_events, http_errors)


def test_play_advances_and_pause_reports_back(page, page_events, http_errors, streamlit_app,
                                             save_screenshot):
    open_map(page, streamlit_app.url + "/?date=2015-01-01")
    frame = player(page)
    start = big_date(page)
    frame.locator(".tp-play").click()
    i0 = int(frame.locator(".tp-date-small").inner_text().split("/")[0])
    # 10 dates/s by default: several dates within ~1 s.
    frame.wait_for_function(
        "(i0) => parseInt(document.querySelector('.tp-date-small').textContent) >= i0 + 4",
        arg=i0, timeout=3_000,
    )
    assert big_date(page) > start
    assert frame.locator("path.leaflet-interactive").count() > 0
    save_screenshot(page, "dashboard_playing")

    frame.locator(".tp-play").click()
    paused = big_date(page)
    assert paused > start, (start, paused)
    # Streamlit catches up with the date the player stopped on (the URL); the chart's marker is already there.
    page.wait_for_function("(d) => location.search.includes('date=' + d)", arg=paused, timeout=STEP_MS)
    wait_rule(page, paused)
    expect(slider(page)).to_have_attribute("aria-valuetext", paused)
    page.wait_for_selector(IDLE, state="attached", timeout=STEP_MS)
    assert big_date(page) == paused
    save_screenshot(page, "dashboard_paused")
    assert_healthy(page_events, http_errors)


def test_prev_next_buttons_step_the_date(page, page_events, http_errors, streamlit_app, save_screenshot):
    open_map(page, streamlit_app.url + MID)
    frame = player(page)
    day0 = big_date(page)
    frame.get_by_role("button", name="Next date").click()
    day1 = wait_date_change(page, day0)
    assert day1 > day0
    frame.get_by_role("button", name="Next date").click()
    day2 = wait_date_change(page, day1)
    assert day2 > day1
    frame.get_by_role("button", name="Previous date").click()
    expect(date_label(page)).to_have_text(day1, timeout=STEP_MS)
    frame.get_by_role("button", name="Previous date").click()
    expect(date_label(page)).to_have_text(day0, timeout=STEP_MS)
    expect(slider(page)).to_have_attribute("aria-valuetext", day0)
    page.wait_for_function("(d) => location.search.includes('date=' + d)", arg=day0, timeout=STEP_MS)
    page.wait_for_selector(IDLE, state="attached", timeout=STEP_MS)
    save_screenshot(page)
    assert_healthy(page_events, http_errors)


def test_every_page_opens_from_the_sidebar(page, page_events, http_errors, streamlit_app, save_screenshot):
    open_map(page, streamlit_app.url + "/")
    links = page.locator("[data-testid=stSidebarNav] a")
    names = [t.strip() for t in links.all_inner_texts()]
    assert {"Compare", "Claims", "Regions", "Data"} <= set(names), names
    pages = [n for n in names if n in ("Compare", "Claims", "Regions", "Data", "Export")]
    for name in pages:
        page.locator("[data-testid=stSidebarNav]").get_by_role("link", name=name, exact=True).click()
        page.wait_for_url(re.compile(rf"/{name.lower()}(\?|$)"), timeout=STEP_MS)
        expect(page).to_have_title(f"{name} · Territory", timeout=FIRST_LOAD_MS)
        main = page.locator("[data-testid=stMain]")
        expect(main.locator("h1").first).to_be_visible(timeout=FIRST_LOAD_MS)
        page.wait_for_selector(IDLE, state="attached", timeout=FIRST_LOAD_MS)
        # Every map frame loaded before moving on: leaving mid-load aborts its scripts (a failed request).
        page.wait_for_function("() => Array.from(document.querySelectorAll('iframe'))"
                               ".every(f => f.contentDocument && f.contentDocument.readyState === 'complete')",
                               timeout=FIRST_LOAD_MS)
        assert page.locator("[data-testid=stException]").count() == 0, (
            name, page.locator("[data-testid=stException]").all_inner_texts())
        # Some content beyond the title.
        assert main.locator("[data-testid=stElementContainer]:visible").count() >= 2, name
        save_screenshot(page, f"dashboard_page_{name.lower()}")
    # Back to the map page: the date survived the trip.
    page.locator("[data-testid=stSidebarNav] a").first.click()
    page.wait_for_selector(PLAYER_IFRAME, timeout=STEP_MS)
    expect(date_label(page)).to_be_visible()
    assert_healthy(page_events, http_errors)


def test_page_query_param_routes(page, page_events, http_errors, streamlit_app, save_screenshot):
    # ?page= is how a shared link opens a sub-page without loading /Compare directly
    # (a direct /Compare load makes Streamlit probe /Compare/_stcore/* and get 404s).
    page.goto(streamlit_app.url + "/?page=compare&date=2016-07-04")
    expect(page).to_have_title("Compare · Territory", timeout=FIRST_LOAD_MS)
    page.wait_for_selector(IDLE, state="attached", timeout=FIRST_LOAD_MS)
    assert page.locator("[data-testid=stException]").count() == 0
    expect(page.locator("[data-testid=stMain] h1").first).to_be_visible()
    save_screenshot(page, "dashboard_query_page_compare")
    assert_healthy(page_events, http_errors)


def test_date_in_url_opens_on_that_date(page, page_events, http_errors, streamlit_app, save_screenshot):
    frame = open_map(page, streamlit_app.url + "/?date=2016-07-04")
    expect(date_label(page)).to_have_text("2016-07-04")
    expect(slider(page)).to_have_attribute("aria-valuetext", "2016-07-04")
    assert rule(page)[1] == "2016-07-04"
    assert frame.locator(IS_PATH).count() >= 1
    assert "date=2016-07-04" in page.url
    save_screenshot(page)
    assert_healthy(page_events, http_errors)
