"""The Regions page in a real Chromium on a generated Ukraine-style archive: choropleth, labels, legend, upload.

The server runs on a folder of property-less daily snapshots (not the bundled
history), so the page must find Ukraine's oblasts by itself; then a district
layer in a projected CRS is uploaded through the page's file input.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

import pytest

pytest.importorskip("playwright")

from playwright.sync_api import Page, expect

from tests.browser.conftest import run_streamlit
from tests.ukraine_style import make_archive, make_district_layer

MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
LOAD_MS = 120_000


@pytest.fixture(scope="module")
def ua_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ua_browser")
    folder = tmp / "snapshots"
    make_archive(folder, 40)
    layer = tmp / "districts.gpkg"
    make_district_layer(layer)
    env = dict(os.environ, TERRITORY_PATH=str(folder), TERRITORY_ACTOR="Occupied",
               TERRITORY_CACHE_DIR=str(tmp / "cache"))
    with run_streamlit("src/territory/app/main.py", log=tmp / "streamlit.log", env=env) as server:
        yield server, layer


def _map_frame(page: Page):
    page.wait_for_selector(MAP_IFRAME, timeout=LOAD_MS)
    frame = page.locator(MAP_IFRAME).element_handle().content_frame()
    frame.wait_for_function("() => window.map && window.map.getZoom", timeout=LOAD_MS)
    return frame


def test_regions_page_choropleth_and_upload(page, page_events, ua_server, save_screenshot):
    server, layer = ua_server
    errors: list[str] = []
    page.on("response", lambda r: errors.append(f"{r.status} {r.request.method} {r.url}") if r.status >= 400 else None)
    page.goto(server.url + "/?page=regions")  # a shared link; opening /Regions directly 404s Streamlit's health probe
    page.wait_for_url(re.compile(r"/regions(\?|$)", re.I), timeout=LOAD_MS)
    expect(page.locator("[data-testid=regions-legend]")).to_be_visible(timeout=LOAD_MS)
    frame = _map_frame(page)
    page.wait_for_selector(IDLE, state="attached", timeout=LOAD_MS)
    # Region names on the map, and a legend naming the actor and the share classes.
    expect(frame.locator(".region-label", has_text="Donetsk")).to_be_visible(timeout=LOAD_MS)
    expect(frame.locator(".region-label", has_text="Crimea and Sevastopol")).to_be_visible()
    legend = page.locator("[data-testid=regions-legend]")
    expect(legend).to_contain_text("Share of each region held by Occupied")
    expect(legend).to_contain_text("75–100%")
    # Filled regions in the actor's colour; hovering one names it.
    filled = frame.locator("path.leaflet-interactive[fill-opacity]:not([fill-opacity='0'])")
    assert filled.count() > 0
    filled.first.hover(force=True)
    expect(frame.locator(".leaflet-tooltip")).to_contain_text("Region", timeout=10_000)
    # Region names never overlap: where two would, the larger region's is kept (zoom in for the other).
    page.wait_for_timeout(300)
    boxes = frame.evaluate("""() => Array.from(document.querySelectorAll('.region-label'))
      .filter(el => getComputedStyle(el).visibility !== 'hidden')
      .map(el => { const r = el.getBoundingClientRect(); return [el.textContent, r.left, r.right, r.top, r.bottom]; })""")
    assert len(boxes) >= 10
    clash = [(a[0], b[0]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
             if not (a[2] < b[1] or a[1] > b[2] or a[4] < b[3] or a[3] > b[4])]
    assert not clash, clash
    # The credits take no side: Leaflet's own prefix (a national flag since 1.9) is replaced.
    credits = frame.locator(".leaflet-control-attribution")
    expect(credits).to_have_text(re.compile(r"^Leaflet\s*\|\s*Made with Natural Earth"))
    assert credits.locator("svg, img").count() == 0
    save_screenshot(page, "regions_bundled_oblasts")

    # Upload the user's district layer, keep the guessed name column, use it.
    page.locator("[data-testid=stExpander] summary", has_text="Region layer").click()
    page.locator("[data-testid=stFileUploaderDropzoneInput]").first.set_input_files(str(layer))
    expect(page.get_by_text("Region name column")).to_be_visible(timeout=LOAD_MS)
    page.get_by_role("button", name="Use this region layer").click()
    frame = _map_frame(page)
    # The four southern districts have one area up to float noise, so which of two touching labels is
    # kept varies with the PROJ release (A1 with pyproj 3.7, B1 with 3.8): all 12 placed, some shown.
    districts = frame.locator(".region-label", has_text="District")
    expect(districts).to_have_count(12, timeout=LOAD_MS)
    expect(districts.filter(visible=True).first).to_be_visible()
    expect(page.get_by_text("Your layer: districts.gpkg")).to_be_visible()
    page.wait_for_selector(IDLE, state="attached", timeout=LOAD_MS)
    save_screenshot(page, "regions_user_layer")
    foreign = [u for u in page_events.requests if urlsplit(u).scheme in ("http", "https")
               and urlsplit(u).hostname not in ("127.0.0.1", "localhost")]
    assert not foreign, foreign
    assert not errors, errors
    page_events.assert_clean()
