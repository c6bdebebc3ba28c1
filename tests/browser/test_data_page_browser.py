"""The Data page in a real Chromium: a refused snapshot leaves the uploader empty and the data loaded;
the same file with the Actor field filled in loads and the map shows it."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

pytest.importorskip("playwright")

from playwright.sync_api import Page, expect

from tests.browser.test_dashboard import PLAYER_IFRAME, player

IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
CHIP = "[data-testid=stFileChip]"  # a file waiting in an uploader
LOAD_MS = 90_000


def _upload_and_submit(page: Page, path) -> None:
    page.locator("[data-testid=stFileUploaderDropzoneInput]").first.set_input_files(str(path))
    expect(page.locator(CHIP).filter(has_text=path.name)).to_be_visible()
    page.get_by_role("button", name="Load and validate").click()


def test_refused_then_fixed_with_the_actor_field(streamlit_app, page: Page, tmp_path, page_events):
    snap = tmp_path / "2022-03-01.geojson"  # a property-less snapshot, as front-line archives publish them
    gpd.GeoDataFrame(geometry=[shapely.box(30, 46, 32, 48)], crs=4326).to_file(snap)
    page.goto(f"{streamlit_app.url}/?page=data")  # the app's own deep link (a /data path probes /data/_stcore)
    expect(page.get_by_role("button", name="Load and validate")).to_be_visible(timeout=LOAD_MS)
    page.wait_for_selector(IDLE, state="attached", timeout=LOAD_MS)

    _upload_and_submit(page, snap)
    alert = page.locator("[data-testid=stAlertContentError]").filter(has_text="Refused")
    expect(alert).to_contain_text("still loaded", timeout=LOAD_MS)
    expect(page.get_by_text("Validation report")).to_be_visible()
    expect(page.locator(CHIP)).to_have_count(0)  # the uploader was emptied
    expect(page.locator("[data-testid=stMarkdownContainer]").filter(has_text="Now showing:")).to_contain_text("Syria")  # the bundled data is still shown

    page.get_by_label("Actor", exact=True).fill("Occupied")
    _upload_and_submit(page, snap)
    expect(page.locator("[data-testid=stAlertContentSuccess]")).to_contain_text(f"Loaded {snap.name}",
                                                                                 timeout=LOAD_MS)
    expect(page.locator("[data-testid=stMarkdownContainer]").filter(has_text="Now showing:")).to_contain_text("Occupied")
    expect(page.locator(CHIP)).to_have_count(0)

    # In-app navigation (a reload would start a new session): the map page now shows the upload.
    page.locator("[data-testid=stSidebarNav] a").first.click()
    page.wait_for_selector(PLAYER_IFRAME, timeout=LOAD_MS)
    held = player(page).locator(".tp-metric-held")
    expect(held).to_contain_text("Occupied: area held", timeout=LOAD_MS)
    page_events.assert_clean()
