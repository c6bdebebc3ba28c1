"""The map page's player with its geometry in chunks of dates (issue 19 point 4), in a real Chromium.

The server runs with a tiny inline budget (``$TERRITORY_PLAYER_INLINE_BYTES``),
so the bundled history's 121 dates go as an inline part (dates, key numbers,
legend) plus ~24 chunk files the frame fetches from the chunk component's
route as the user scrubs. Scrubbing across chunk boundaries must bring each
date's polygons (the same geometry as the unsplit payload), run no script,
keep the numbers right (they are inline: they move even while a date's map is
still on its way, and the map says so), and hold a bounded number of chunks.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator

import pytest

pytest.importorskip("playwright")

from playwright.sync_api import Frame, Page, Route, expect

from territory.analysis import Analysis
from territory.datasets import load_dataset
from territory.player import analysis_payload
from territory.playerchunks import page_vertex_budget
from territory.stats import stats_table
from tests.browser.conftest import StreamlitServer, run_streamlit
from tests.browser.test_dashboard import IDLE, PLAYER_IFRAME, TERRITORY_PATH

LOAD_MS = 120_000
BUDGET = 100_000  # bytes: the bundled payload is ~700 kB, so its geometry goes in ~24 chunks
CHUNK_URL = re.compile(r"/component/territory\.ui\.player_component\.territory_chunks/[0-9a-f]{24}\.json$")
READY_JS = "() => { const n = document.querySelector('.tp-chunk-note'); return !!n && n.style.display === 'none'; }"


@pytest.fixture(scope="module")
def chunked_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StreamlitServer]:
    tmp = tmp_path_factory.mktemp("chunked")
    timings = tmp / "timings.tsv"
    env = {k: v for k, v in os.environ.items() if k not in ("TERRITORY_PATH", "TERRITORY_ACTOR")}
    env.update(TERRITORY_CACHE_DIR=str(tmp / "cache"), TERRITORY_TIMINGS=str(timings),
               TERRITORY_PLAYER_INLINE_BYTES=str(BUDGET))
    with run_streamlit("app.py", log=tmp / "streamlit.log", env=env, timings=timings, timeout=90) as server:
        yield server


@pytest.fixture(scope="module")
def bundled() -> Analysis:
    return Analysis.from_paths(load_dataset())


@pytest.fixture(scope="module")
def unsplit(bundled) -> dict:
    """The page's payload geometry as it would be inline, at the page's vertex budget."""
    return analysis_payload(bundled, max_vertices=page_vertex_budget(len(bundled.dates)))


def runs(app: StreamlitServer) -> int:
    return sum(1 for line in app.timing_lines() if line.startswith("map\t"))


def open_player(page: Page, url: str) -> Frame:
    page.goto(url)
    page.wait_for_selector(PLAYER_IFRAME, timeout=LOAD_MS)
    frame = page.locator(PLAYER_IFRAME).element_handle().content_frame()
    assert frame is not None
    frame.wait_for_selector(TERRITORY_PATH, state="attached", timeout=LOAD_MS)
    page.wait_for_selector(IDLE, state="attached", timeout=LOAD_MS)
    return frame


def alive(payload: dict, day: int) -> list[int]:
    return [k for k, f in enumerate(payload["features"]) if f["f"] <= day and (f["t"] is None or day < f["t"])]


def chunk_of(spec: dict, day: int) -> int:
    return next(c for c, e in enumerate(spec["list"]) if e["from"] <= day < e["to"])


def drag_to(frame: Frame, day: int) -> None:
    """What a mouse drag on the slider does: an input event per position, no change event until let go."""
    frame.evaluate("(d) => { const s = document.querySelector('.tp-slider'); s.value = String(d);"
                   " s.dispatchEvent(new Event('input', {bubbles: true})); }", day)


def check_frame(frame: Frame, unsplit: dict, day: int) -> None:
    """Date ``day``'s polygons have arrived, are drawn, and are the unsplit payload's geometry."""
    frame.wait_for_function(READY_JS, timeout=20_000)
    ks = alive(unsplit, day)
    got = frame.evaluate("(ks) => ks.map(k => window.__territoryPayload.features[k].g || null)", ks)
    assert got == [unsplit["features"][k]["g"] for k in ks], day
    on = frame.evaluate("() => window.__territoryPlayer.stats().layersOn")
    assert on >= 1 and frame.locator(TERRITORY_PATH).count() >= 1, day


def test_scrub_across_chunks_fetches_frames_without_a_rerun(page: Page, chunked_app, bundled, unsplit) -> None:
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url) if CHUNK_URL.search(r.url) else None)
    bad: list[str] = []
    page.on("response", lambda r: bad.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    frame = open_player(page, chunked_app.url + "/?date=2015-01-01")
    spec = frame.evaluate("() => window.__territoryPayload.chunks")
    assert spec and len(spec["list"]) >= 10, "the tiny budget did not split the payload"
    assert frame.evaluate("() => window.__territoryPayload.features.filter(f => f.g).length") < len(unsplit["features"])
    labels = [d.date().isoformat() for d in bundled.dates]
    start = labels.index("2015-01-01")
    check_frame(frame, unsplit, start)
    assert fetched, "no chunk was fetched"
    # The note under the player says what comes in chunks.
    assert "chunks of dates" in frame.locator(".tp-note").inner_text()

    table = stats_table(bundled.measured, denominator=bundled.denominators()[0])
    focus = bundled.focus_actor
    before, sent = runs(chunked_app), frame.evaluate("() => window.__territorySent.length")
    chunk0 = chunk_of(spec, start)
    # A drag (input events, no release yet), forward across ~3 chunk boundaries, then back across one.
    path = [start + k for k in range(1, 16)] + [start + 15 - k for k in range(1, 8)]
    for day in path:
        drag_to(frame, day)
        expect(frame.locator(".tp-date")).to_have_text(labels[day], timeout=5_000)
        check_frame(frame, unsplit, day)
        row = table[(table["date"] == labels[day]) & (table["actor"] == focus)
                    & (table["status"] == "controlled")].iloc[0]
        assert frame.locator(".tp-metric-held .tp-metric-value").inner_text() == f"{row['area_in_region_km2']:,.0f} km²"
        assert frame.locator(".tp-metric-peak .tp-metric-value").inner_text() == f"{row['pct_of_peak']:.1f}%"
    assert chunk_of(spec, start + 15) - chunk0 >= 2
    assert runs(chunked_app) == before, "a script ran during the scrub"
    assert frame.evaluate("() => window.__territorySent.length") == sent  # fetching chunks sends nothing
    stats = frame.evaluate("() => window.__territoryPlayer.chunkStats()")
    assert stats["fetches"] >= 3 and stats["failed"] == 0, stats
    # Let go: one report, one run, and the page's date is the one shown.
    frame.evaluate("() => document.querySelector('.tp-slider').dispatchEvent(new Event('change', {bubbles: true}))")
    end = time.monotonic() + 20
    while time.monotonic() < end and runs(chunked_app) == before:
        time.sleep(0.1)
    time.sleep(1.0)
    page.wait_for_selector(IDLE, state="attached", timeout=20_000)
    assert runs(chunked_app) - before == 1
    assert f"date={labels[path[-1]]}" in page.url
    assert not bad, bad


def block_chunks(page: Page) -> dict[str, bool]:
    """Abort every request to the chunk route while the returned ``hold["on"]`` is true (the network is down)."""
    hold = {"on": True}

    def stall(route: Route) -> None:
        if hold["on"]:
            route.abort()
        else:
            route.continue_()

    page.route(CHUNK_URL, stall)
    return hold


def test_numbers_move_while_the_map_loads_and_memory_stays_bounded(page: Page, chunked_app, bundled, unsplit) -> None:
    frame = open_player(page, chunked_app.url + "/?date=2015-01-01")
    labels = [d.date().isoformat() for d in bundled.dates]
    hold = block_chunks(page)
    last = len(labels) - 1
    frame.evaluate(f"() => window.__territoryPlayer.setIndex({last})")  # far away: its chunks are not loaded
    expect(frame.locator(".tp-date")).to_have_text(labels[last])
    note = frame.locator(".tp-chunk-note")
    expect(note).to_be_visible()
    expect(note).to_contain_text(labels[last])
    table = stats_table(bundled.measured, denominator=bundled.denominators()[0])
    row = table[(table["date"] == labels[last]) & (table["actor"] == bundled.focus_actor)
                & (table["status"] == "controlled")].iloc[0]
    assert frame.locator(".tp-metric-held .tp-metric-value").inner_text() == f"{row['area_in_region_km2']:,.0f} km²"
    hold["on"] = False  # the network is back: the retry brings the map without any user action
    check_frame(frame, unsplit, last)
    expect(note).to_be_hidden()
    page.unroute(CHUNK_URL)
    # Play through every date: the frame never holds more than its budget of chunks.
    keep = frame.evaluate("() => window.__territoryPayload.chunks.keep")
    most_needed = max(len(e["needs"]) for e in frame.evaluate("() => window.__territoryPayload.chunks.list"))
    frame.evaluate("() => window.__territoryPlayer.setIndex(0)")
    for day in range(0, len(labels), 3):
        frame.evaluate(f"() => window.__territoryPlayer.setIndex({day})")
        frame.wait_for_function(READY_JS, timeout=20_000)
    stats = frame.evaluate("() => window.__territoryPlayer.chunkStats()")
    assert stats["evicted"] > 0
    assert stats["maxHeld"] <= keep + most_needed, stats
    assert stats["loaded"] <= keep + most_needed, stats
    time.sleep(0.5)
    check_frame(frame, unsplit, len(labels) - 1 - (len(labels) - 1) % 3)


def test_the_payload_file_is_fetched_once_and_a_failed_fetch_is_said_with_retry(page: Page, chunked_app) -> None:
    """The frame fetches the payload's head file (never component args); a failure shows in the frame, Retry brings the map."""
    hold = block_chunks(page)
    page.goto(chunked_app.url + "/")
    page.wait_for_selector(PLAYER_IFRAME, timeout=LOAD_MS)
    frame = page.locator(PLAYER_IFRAME).element_handle().content_frame()
    assert frame is not None
    status = frame.locator(".tp-load-status")
    expect(status).to_contain_text("could not be loaded", timeout=LOAD_MS)
    assert frame.locator(TERRITORY_PATH).count() == 0
    hold["on"] = False
    frame.locator(".tp-load-retry").click()
    frame.wait_for_selector(TERRITORY_PATH, state="attached", timeout=LOAD_MS)
    expect(status).to_have_count(0)
    page.unroute(CHUNK_URL)
    page.wait_for_selector(IDLE, state="attached", timeout=LOAD_MS)
    fetches = frame.evaluate("() => window.__territoryHeadFetches")
    # A stop reruns the page: same arguments, so the frame neither refetches its payload nor rebuilds the map.
    frame.locator(".tp-slider").focus()
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("() => location.search.includes('date=')", timeout=20_000)
    page.wait_for_selector(IDLE, state="attached", timeout=LOAD_MS)
    assert frame.evaluate("() => [window.__territoryHeadFetches, window.__territoryMounts]") == [fetches, 1]
