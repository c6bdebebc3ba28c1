"""Hostile files uploaded through the Data page in a real Chromium: each refused, the data kept.

A person first loads their own history, then (by mistake or malice) uploads a
sample of the hostile corpus (tests/data/broken): each is refused with a
located message, the page shows no exception, and the history loaded before
is still what every page shows. Then a history whose actor names look like
templates loads and its names appear literally in the map's legend and popup.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

pytest.importorskip("playwright")

from playwright.sync_api import Page, expect

BROKEN = Path(__file__).resolve().parents[1] / "data" / "broken"
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
MAP_IFRAME = 'iframe[title="territory.ui.player_component.territory_player"]'  # the map page's map: the player
LOAD_MS = 90_000
#: An uploaded file's size as the uploader lists it ("240.0B", "1.2KB"); the empty one says "200MB per file".
FILE_SIZE = re.compile(r"\d+\.\d+\s?(?:B|KB|MB)")

#: A sample of the corpus: manifest as upload, network link, zip symlink, XML bomb, wrong type, guessed date.
SAMPLE = ["dataset.json", "crs_link.geojson", "zip_symlink.zip", "billion_laughs.kml", "dict_actor.geojson",
          "ambiguous_dates.csv", "nan_coordinates.geojson"]


def _fc(names: list[str]) -> str:
    feats = []
    for i, n in enumerate(names):
        x = 37 + i
        feats.append({"type": "Feature", "properties": {"date": "2022-03-01", "actor": n, "source": "{{ 6*7 }}"},
                      "geometry": {"type": "Polygon", "coordinates": [[[x, 47], [x + 0.8, 47], [x + 0.8, 47.8],
                                                                       [x, 47.8], [x, 47]]]}})
    return json.dumps({"type": "FeatureCollection", "features": feats})


def _upload(page: Page, *paths: Path) -> None:
    page.wait_for_selector(IDLE, state="attached", timeout=LOAD_MS)
    uploader = page.locator("[data-testid=stFileUploader]").first
    uploader.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files([str(p) for p in paths])
    # The files are posted to the server (their sizes listed) before the form may be submitted.
    expect(uploader).to_contain_text(FILE_SIZE, timeout=LOAD_MS)
    page.get_by_role("button", name="Load and validate").click()
    # Accepted or refused, the page empties the uploader (a fresh one) when it is done.
    expect(page.locator("[data-testid=stFileUploader]").first).not_to_contain_text(FILE_SIZE, timeout=LOAD_MS)
    page.wait_for_selector(IDLE, state="attached", timeout=LOAD_MS)


def _now_showing(page: Page) -> str:
    return page.locator("[data-testid=stMarkdownContainer]", has_text="Now showing:").first.inner_text()


def test_hostile_uploads_are_refused_and_the_loaded_data_stays(page, page_events, streamlit_app, tmp_path,
                                                               save_screenshot):
    mine = tmp_path / "mine.geojson"
    mine.write_text(_fc(["Alpha", "Beta"]), encoding="utf-8")
    page.goto(streamlit_app.url + "/?page=data")
    expect(page).to_have_title("Data · Territory", timeout=LOAD_MS)
    page.wait_for_selector(IDLE, state="attached", timeout=LOAD_MS)
    _upload(page, mine)
    expect(page.locator("[data-testid=stMain]")).to_contain_text("Loaded mine.geojson", timeout=LOAD_MS)
    before = _now_showing(page)
    assert "mine.geojson" in before and "Alpha, Beta" in before
    for name in SAMPLE:
        _upload(page, BROKEN / name)
        main = page.locator("[data-testid=stMain]")
        expect(main).to_contain_text("Refused", timeout=LOAD_MS)
        expect(main).to_contain_text("previous data is still loaded")
        assert page.locator("[data-testid=stException]").count() == 0, name
        expect(main.get_by_role("heading", name="Validation report")).to_be_visible()
        expect(page.locator("[data-testid=stDataFrame]").last).to_be_visible()  # the report table
        assert _now_showing(page) == before, name  # the earlier upload is untouched
        save_screenshot(page, f"hostile_upload_{name.replace('.', '_')}")
    # The map page (same session, through the sidebar) still shows the user's data.
    page.locator("[data-testid=stSidebarNav] a").first.click()
    page.wait_for_selector(MAP_IFRAME, timeout=LOAD_MS)
    page.wait_for_selector(IDLE, state="attached", timeout=LOAD_MS)
    legend = page.locator(MAP_IFRAME).element_handle().content_frame().locator(".tp-legend")
    expect(legend).to_contain_text("Alpha", timeout=LOAD_MS)
    expect(legend).to_contain_text("Beta")
    expect(legend).not_to_contain_text("Islamic State")
    assert not page_events.page_errors and not page_events.dialogs, (page_events.page_errors, page_events.dialogs)


def test_template_names_are_shown_literally(page, page_events, streamlit_app, tmp_path, save_screenshot):
    names = ["Brigade {#3}", "{{ 7*7 }}", "Cost $5$ **bold**"]
    evil = tmp_path / "names.geojson"
    evil.write_text(_fc(names), encoding="utf-8")
    page.goto(streamlit_app.url + "/?page=data")
    expect(page).to_have_title("Data · Territory", timeout=LOAD_MS)
    page.wait_for_selector(IDLE, state="attached", timeout=LOAD_MS)
    _upload(page, evil)
    expect(page.locator("[data-testid=stMain]")).to_contain_text("Loaded names.geojson", timeout=LOAD_MS)
    page.locator("[data-testid=stSidebarNav] a").first.click()
    page.wait_for_selector(MAP_IFRAME, timeout=LOAD_MS)
    page.wait_for_selector(IDLE, state="attached", timeout=LOAD_MS)
    assert page.locator("[data-testid=stException]").count() == 0
    main = page.locator("[data-testid=stMain]")
    frame = page.locator(MAP_IFRAME).element_handle().content_frame()
    for n in names:
        expect(frame.locator(".tp-legend")).to_contain_text(n, timeout=LOAD_MS)  # the legend, braces and all
    # The focus actor's name heads the key numbers as written: no maths, no bold, no references shown.
    label = frame.locator(".tp-metric-held .tp-metric-label").inner_text()
    assert any(n in label for n in names) and "&#" not in label, label
    assert main.locator(".katex").count() == 0
    frame.wait_for_selector("path.leaflet-interactive", state="attached", timeout=LOAD_MS)
    page.locator(MAP_IFRAME).scroll_into_view_if_needed()  # the map is 720 px tall: a person scrolls to it first
    frame.locator("path.leaflet-interactive").first.click(force=True)
    popup = frame.locator(".leaflet-popup-content")
    expect(popup).to_be_visible(timeout=10_000)
    text = popup.inner_text()
    assert any(n in text for n in names), text
    assert "{{ 6*7 }}" in text and "42" not in text
    save_screenshot(page, "hostile_names_popup")
    assert not page_events.page_errors and not page_events.dialogs
