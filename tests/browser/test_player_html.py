"""The standalone player HTML in a real Chromium, fully offline.

Every request other than the file itself is aborted, so a forgotten CDN link
or a stray image shows up as a failure, and the test checks what a person
sees: coloured territory paths, the date changing with the controls and with
playback, and a hostile actor name shown as text.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from territory.player import build_payload, standalone_html

XSS = '<img src=x onerror="window.__xss=1;alert(1)">'
COLORS = {"Alpha": "#E69F00", XSS: "#0072B2"}


def _history() -> gpd.GeoDataFrame:
    """Two actors over 4 dates: growth, a contested strip, an expiring claim."""
    rows = []

    def add(day: str, actor: str, status: str, geom: shapely.Geometry, valid_to: str | None = None) -> None:
        rows.append(
            {
                "date": pd.Timestamp(day),
                "actor": actor,
                "status": status,
                "geometry": geom,
                "valid_to": pd.Timestamp(valid_to) if valid_to else pd.NaT,
                "source": f"Test source for {actor} </script><b>bold</b>",
                "source_url": "https://example.org/source",
                "note": None,
            }
        )

    add("2022-01-01", "Alpha", "controlled", shapely.box(30, 48, 32, 50))
    add("2022-01-01", XSS, "controlled", shapely.box(33, 48, 35, 50))
    add("2022-01-05", "Alpha", "controlled", shapely.box(30, 48, 33, 50))
    add("2022-01-05", "Alpha", "contested", shapely.box(33, 48, 33.5, 50))
    add("2022-01-09", XSS, "controlled", shapely.box(33.5, 48, 35, 50))
    add("2022-01-09", "Alpha", "claimed", shapely.box(30, 47, 35, 51), valid_to="2022-01-12")
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def _basemap() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": ["Land"]}, geometry=[shapely.box(25, 44, 40, 54)], crs="EPSG:4326"
    )


def _expected_on(payload: dict, i: int) -> int:
    return sum(
        1 for f in payload["features"] if f["f"] <= i and (f["t"] is None or i < f["t"])
    )


@pytest.fixture
def player_file(tmp_path: Path) -> tuple[Path, dict]:
    hist = _history()
    payload = build_payload(
        hist,
        COLORS,
        basemap=_basemap(),
        title="Test <script>alert(2)</script> map",
        label="Control",
        attribution="Data: test & <i>friends</i>",
        areas={i: 1000.0 * (i + 1) for i in hist.index},
    )
    path = tmp_path / "player.html"
    path.write_text(standalone_html(payload), encoding="utf-8")
    return path, payload


def _drawn(page) -> int:
    return page.locator("path.tp-feature").count()


def test_standalone_player_offline(page, page_events, block_network, save_screenshot, player_file):
    path, payload = player_file
    block_network(page)
    url = path.as_uri()
    page.goto(url)
    page.wait_for_selector("path.tp-feature")

    # Nothing but the file itself was requested; nothing failed.
    assert [u for u in page_events.requests if not u.startswith("data:")] == [url]
    assert page_events.blocked == []
    page_events.assert_clean()

    # Territory paths are drawn in the actors' colours.
    assert page.locator('path.tp-feature[fill="#E69F00"]').count() == 1
    assert page.locator('path.tp-feature[fill="#0072B2"]').count() == 1
    assert _drawn(page) == _expected_on(payload, 0)
    assert page.locator(".tp-date").inner_text() == "2022-01-01"
    assert page.locator("path.tp-basemap").count() == 1
    save_screenshot(page, "player_standalone_d0")

    # Next button: contested strip appears (dashed, lighter).
    page.locator(".tp-next").click()
    assert page.locator(".tp-date").inner_text() == "2022-01-05"
    assert _drawn(page) == _expected_on(payload, 1)
    assert page.locator("path.tp-s-contested").count() == 1
    assert page.locator("path.tp-s-contested").get_attribute("stroke-dasharray") == "5 4"

    # Slider (keyboard on the native range input): claim on date 2, gone on 3.
    slider = page.locator(".tp-slider")
    slider.focus()
    page.keyboard.press("ArrowRight")
    assert page.locator(".tp-date").inner_text() == "2022-01-09"
    assert page.locator("path.tp-s-claimed").count() == 1
    assert page.locator("path.tp-s-claimed").get_attribute("fill") == "none"
    save_screenshot(page, "player_standalone_d2")
    page.keyboard.press("End")
    assert page.locator(".tp-date").inner_text() == "2022-01-12"
    assert page.locator("path.tp-s-claimed").count() == 0
    assert _drawn(page) == _expected_on(payload, 3)

    # Legend shows the hostile name as text and km² for the current date.
    legend = page.locator(".tp-legend")
    assert XSS in legend.inner_text()
    assert page.locator(".tp-root img").count() == 0
    assert "km²" in legend.inner_text()
    assert page.evaluate("window.__xss") is None
    assert "<script>" in page.title()

    # Tooltip/popup: hostile name and source rendered as text.
    page.locator('path.tp-feature[fill="#0072B2"]').click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert XSS in popup.inner_text()
    assert "</script><b>bold</b>" in popup.inner_text()
    assert popup.locator("b, img").count() == 0
    assert popup.locator("a").get_attribute("href") == "https://example.org/source"
    save_screenshot(page, "player_standalone_popup")

    # Play from the start advances the date without any request.
    page.locator(".tp-root").focus()
    page.keyboard.press("Home")
    assert page.locator(".tp-date").inner_text() == "2022-01-01"
    n_requests = len(page_events.requests)
    page.locator(".tp-play").click()
    page.wait_for_function(
        "() => document.querySelector('.tp-date').textContent !== '2022-01-01'", timeout=5000
    )
    page.wait_for_function("() => !window.__territoryPlayer.isPlaying()", timeout=10000)
    assert page.locator(".tp-date").inner_text() == "2022-01-12"
    assert len(page_events.requests) == n_requests
    assert page.evaluate("window.__xss") is None
    page_events.assert_clean()


def test_space_toggles_and_speed(page, page_events, block_network, player_file):
    path, _payload = player_file
    block_network(page)
    page.goto(path.as_uri())
    page.wait_for_selector("path.tp-feature")
    page.locator(".tp-speed").select_option("20")
    page.locator(".tp-root").focus()
    page.keyboard.press("Space")
    assert page.evaluate("window.__territoryPlayer.isPlaying()") or page.locator(
        ".tp-date"
    ).inner_text() != "2022-01-01"
    page.wait_for_function("() => !window.__territoryPlayer.isPlaying()", timeout=5000)
    assert page.locator(".tp-date").inner_text() == "2022-01-12"
    page_events.assert_clean()


def _long_history(n_dates: int) -> gpd.GeoDataFrame:
    """One actor whose front moves east every day, plus a fixed second actor."""
    rows = []
    start = pd.Timestamp("2023-01-01")
    for i in range(n_dates):
        rows.append(
            {
                "date": start + pd.Timedelta(days=i),
                "actor": "Alpha",
                "status": "controlled",
                "geometry": shapely.Point(30, 49).buffer(0.5 + 0.02 * i, quad_segs=64),
                "valid_to": pd.NaT,
                "source": None,
                "source_url": None,
                "note": None,
            }
        )
    rows.append(
        {
            "date": start,
            "actor": "Beta",
            "status": "controlled",
            "geometry": shapely.box(34, 47, 36, 51),
            "valid_to": pd.NaT,
            "source": None,
            "source_url": None,
            "note": None,
        }
    )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def test_playback_rate(page, page_events, block_network, tmp_path: Path):
    """20 dates/s requested; at least 10 achieved (issue: 4, ideally 10+)."""
    payload = build_payload(_long_history(60), {"Alpha": "#D55E00", "Beta": "#009E73"})
    path = tmp_path / "long.html"
    path.write_text(standalone_html(payload), encoding="utf-8")
    block_network(page)
    page.goto(path.as_uri())
    page.wait_for_selector("path.tp-feature")
    page.evaluate("window.__territoryPlayer.setFps(20); window.__territoryPlayer.play()")
    page.wait_for_function("() => !window.__territoryPlayer.isPlaying()", timeout=15000)
    stats = page.evaluate("window.__territoryPlayer.stats()")
    assert stats["frames"] == 59
    assert stats["fps"] >= 10, stats
    assert page.locator("path.tp-feature").count() == 2
    page_events.assert_clean()
