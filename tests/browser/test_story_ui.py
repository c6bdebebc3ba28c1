"""Issue 10 in a real Chromium: the legend is the map's colour, playback reads at a glance,
claims are coloured by verdict, and the pages look finished (title, tall labelled map, linked Compare).

Pixels are sampled from screenshots: a point is taken inside a territory path
(checked with ``elementFromPoint``, away from city labels) and compared with
the centre of that actor's legend swatch. Expected names and numbers come from
the core (``territory.places``, ``territory.keynumbers``), never typed in.
"""

from __future__ import annotations

import io
import re

import pytest

pytest.importorskip("playwright")

from PIL import Image
from playwright.sync_api import Frame, Page, expect

from territory.style import VERDICT_COLORS
from tests.browser.test_dashboard import (
    IDLE,
    MAP_IFRAME,
    PLAYER_IFRAME,
    STEP_MS,
    assert_healthy,
    http_errors,  # noqa: F401  (fixture)
    open_map,
)

IS = "Islamic State"
TOL = 4  # per channel: anti-aliasing free interior pixels match to the unit; allow PNG/colour rounding

# A point inside the first path with this fill, away from its edges and from every label:
# frame-relative CSS px, or null.
INTERIOR_JS = """
([sel, labelSel]) => {
  const labels = Array.from(document.querySelectorAll(labelSel)).map(e => e.getBoundingClientRect());
  const free = (x, y) => !labels.some(r => x >= r.left - 4 && x <= r.right + 4 && y >= r.top - 4 && y <= r.bottom + 4);
  for (const path of document.querySelectorAll(sel)) {
    const b = path.getBoundingClientRect();
    for (let gy = 0.1; gy < 0.95; gy += 0.05) {
      for (let gx = 0.1; gx < 0.95; gx += 0.05) {
        const x = Math.round(b.left + gx * b.width), y = Math.round(b.top + gy * b.height);
        const ok = [[0, 0], [3, 0], [-3, 0], [0, 3], [0, -3]].every(([dx, dy]) =>
          document.elementFromPoint(x + dx, y + dy) === path);
        if (ok && free(x, y)) return [x, y];
      }
    }
  }
  return null;
}
"""


def pixel(page: Page, x: float, y: float) -> tuple[int, int, int]:
    png = page.screenshot(clip={"x": x, "y": y, "width": 1, "height": 1})
    return Image.open(io.BytesIO(png)).convert("RGB").getpixel((0, 0))


def close(a: tuple[int, int, int], b: tuple[int, int, int], tol: int = TOL) -> bool:
    return max(abs(p - q) for p, q in zip(a, b, strict=True)) <= tol


def frame_of(page: Page, selector: str, index: int = 0) -> Frame:
    frame = page.locator(selector).nth(index).element_handle().content_frame()
    assert frame is not None
    return frame


def interior_pixel(page: Page, frame: Frame, iframe_sel: str, path_sel: str, label_sel: str,
                   index: int = 0) -> tuple[int, int, int]:
    pt = frame.evaluate(INTERIOR_JS, [path_sel, label_sel])
    assert pt, f"no clear interior point in {path_sel}"
    box = page.locator(iframe_sel).nth(index).bounding_box()
    return pixel(page, box["x"] + pt[0], box["y"] + pt[1])


def centre_pixel(page: Page, locator) -> tuple[int, int, int]:
    b = locator.bounding_box()
    assert b and b["width"] >= 8 and b["height"] >= 8, b
    return pixel(page, b["x"] + b["width"] / 2, b["y"] + b["height"] / 2)


def overlap(a: dict, b: dict) -> float:
    w = max(0.0, min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"]))
    h = max(0.0, min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"]))
    return w * h


def analysis():
    from territory.analysis import Analysis
    from territory.datasets import load_dataset

    return Analysis.from_paths(load_dataset())


# --------------------------------------------------------------------------- 10.3 legend = map


def test_legend_swatch_is_the_rendered_fill(page, page_events, http_errors, streamlit_app, save_screenshot):  # noqa: F811
    page.set_viewport_size({"width": 1400, "height": 1000})
    frame = open_map(page, streamlit_app.url + "/?date=2015-06-01")
    is_path = 'path.leaflet-interactive[fill="#000000"]'
    swatch = frame.locator(f'.tp-swatch[data-actor="{IS}"]')
    swatch.scroll_into_view_if_needed()
    fill = interior_pixel(page, frame, PLAYER_IFRAME, is_path, ".tp-place")  # after any scroll
    legend = centre_pixel(page, swatch)
    save_screenshot(page, "story_legend_vs_fill")
    assert close(fill, legend), (fill, legend)
    assert max(fill) < 80, f"Islamic State should read black-ish on the map, got {fill}"
    # The legend sits beside the map, never over it.
    map_box = frame.locator(".tp-map").bounding_box()
    assert overlap(map_box, swatch.bounding_box()) == 0
    assert_healthy(page_events, http_errors)


def test_html_export_swatch_is_the_rendered_fill(page, page_events, block_network, tmp_path):
    from territory.export.html import html_export

    out = html_export(analysis(), tmp_path / "story.html")
    block_network(page)
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(out.as_uri())
    page.wait_for_selector("path.tp-feature")
    page.locator(".tp-slider").focus()
    # A date where IS holds ground: its peak (from the payload's own key numbers).
    peak = page.evaluate("() => { const p = JSON.parse(document.getElementById('tp-data').textContent);"
                         " return p.metrics.rows.map(r => r[0]).reduce((b, v, i, a) => v > a[b] ? i : b, 0); }")
    page.evaluate("(i) => window.__territoryPlayer.setIndex(i)", peak)
    color = page.evaluate(f"() => JSON.parse(document.getElementById('tp-data').textContent).actors"
                          f".find(a => a.name === {IS!r}).color")
    sel = f'path.tp-feature.tp-s-controlled[fill="{color}"]'
    swatch = page.locator(f'.tp-legend .tp-swatch[data-actor="{IS}"]')
    swatch.scroll_into_view_if_needed()  # the side panel scrolls: under the two charts the map and panel are shorter
    pt = page.evaluate(INTERIOR_JS, [sel, ".tp-place"])
    assert pt
    fill = pixel(page, *pt)
    legend = centre_pixel(page, swatch)
    assert close(fill, legend), (fill, legend)
    assert page_events.blocked == []


def test_html_export_city_labels_never_overlap(page, page_events, block_network, tmp_path):
    from territory.export.html import html_export

    out = html_export(analysis(), tmp_path / "labels.html")
    block_network(page)
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(out.as_uri())
    page.wait_for_selector(".tp-place", state="attached")
    page.wait_for_timeout(300)  # the label pass runs 30 ms after the map settles
    boxes = page.evaluate("""() => Array.from(document.querySelectorAll('.tp-place'))
      .filter(el => getComputedStyle(el).visibility !== 'hidden')
      .map(el => { const r = el.firstElementChild.getBoundingClientRect();
                   return [el.textContent, r.left, r.right, r.top, r.bottom]; })""")
    assert len(boxes) >= 5
    clash = [(a[0], b[0]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
             if not (a[2] < b[1] or a[1] > b[2] or a[4] < b[3] or a[3] > b[4])]
    assert not clash, clash
    assert page_events.blocked == []


# --------------------------------------------------------------------------- 10.4 playback


def test_play_and_pause_keep_the_zoom_and_the_panel_follows_the_frame(page, page_events, http_errors,  # noqa: F811
                                                                      streamlit_app, save_screenshot):
    page.set_viewport_size({"width": 1400, "height": 1000})
    player = open_map(page, streamlit_app.url + "/?date=2015-01-01")  # the map page's map is the player
    player.evaluate("() => { window.map.on('zoomend', () => { window.__z = (window.__z || 0) + 1; }); }")
    z0 = player.evaluate("() => window.map.getZoom()")
    player.locator(".leaflet-control-zoom-in").click()
    player.wait_for_function("(z0) => window.__z && !window.map._animatingZoom && window.map.getZoom() > z0",
                             arg=z0, timeout=5_000)
    zoom, center = player.evaluate("() => [window.map.getZoom(), window.map.getCenter()]")
    player.locator(".tp-play").click()

    # One slider and one speed selector on screen; the page has none of its own.
    assert page.locator("[data-testid=stSlider]").count() == 0
    assert player.locator("input[type=range]").count() == 1
    assert player.locator("select").count() == 1

    # The big date and the key numbers follow the frames, from the core's own figures.
    from territory.keynumbers import KeyNumberSource

    src = KeyNumberSource(analysis())
    seen = set()
    for _ in range(3):
        player.wait_for_function("(d) => document.querySelector('.tp-date').textContent !== d",
                                 arg=player.locator(".tp-date").inner_text(), timeout=STEP_MS)
        player.evaluate("() => window.__territoryPlayer.pause()")
        day = player.locator(".tp-date").inner_text()
        held = player.locator(".tp-metric-held .tp-metric-value").inner_text()
        assert held == f"{src.on(day).headline_km2:,.0f} km²", (day, held)  # what the map page leads with
        seen.add(day)
        player.evaluate("() => window.__territoryPlayer.play()")
    assert len(seen) == 3
    # The legend never covers more than a fifth of the map.
    legend, mapbox = player.locator(".tp-legend").bounding_box(), player.locator(".tp-map").bounding_box()
    assert overlap(legend, mapbox) <= 0.2 * mapbox["width"] * mapbox["height"]
    save_screenshot(page, "story_playing")

    # Pause: the page catches up, the map stays where the user put it (no remount).
    player.locator(".tp-play").click()
    page.wait_for_function("(d) => location.search.includes('date=' + d)",
                           arg=player.locator(".tp-date").inner_text(), timeout=STEP_MS)
    page.wait_for_selector(IDLE, state="attached", timeout=STEP_MS)
    pz, pc = player.evaluate("() => [window.map.getZoom(), window.map.getCenter()]")
    assert pz == pytest.approx(zoom) and pc["lat"] == pytest.approx(center["lat"], abs=0.05)
    assert pc["lng"] == pytest.approx(center["lng"], abs=0.05)
    assert player.evaluate("() => window.__territoryMounts") == 1
    assert_healthy(page_events, http_errors)


def test_standalone_legend_never_covers_a_fifth_of_the_map(page, page_events, block_network, tmp_path):
    from territory.export.html import html_export

    out = html_export(analysis(), tmp_path / "story.html")
    block_network(page)
    for w, h in ((1400, 900), (1000, 700), (600, 800)):
        page.set_viewport_size({"width": w, "height": h})
        page.goto(out.as_uri())
        page.wait_for_selector("path.tp-feature")
        legend, mapbox = page.locator(".tp-legend").bounding_box(), page.locator(".tp-map").bounding_box()
        assert overlap(legend, mapbox) <= 0.2 * mapbox["width"] * mapbox["height"], (w, h)
        assert mapbox["height"] >= 0.3 * h, (w, h, mapbox)


# --------------------------------------------------------------------------- 10.5 claims


def test_claims_markers_coloured_by_verdict_with_a_legend(page, page_events, http_errors,  # noqa: F811
                                                               streamlit_app, save_screenshot):
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(streamlit_app.url + "/?page=claims")
    expect(page).to_have_title("Claims · Territory", timeout=120_000)
    page.wait_for_selector(IDLE, state="attached", timeout=120_000)
    # The ledger's first column is the verdict (pinned): in view at the table's left edge.
    grid = page.locator("[data-testid=stDataFrame]").first
    expect(grid).to_be_visible()
    assert grid.bounding_box()["x"] < page.viewport_size["width"] / 2
    chart = page.locator("[data-testid=stVegaLiteChart]").first
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(1500)
    fills = set(chart.evaluate("e => Array.from(e.querySelectorAll('g.mark-symbol path'))"
                               ".map(p => (p.getAttribute('fill') || '').toLowerCase())"))
    legend_text = chart.inner_text()
    palette = {c.lower() for c in VERDICT_COLORS.values()}
    marker_fills = {f for f in fills if f and f != "none"}
    assert marker_fills and marker_fills <= palette | {"#ffffff"}, marker_fills
    assert len(marker_fills & palette) >= 2  # more than one verdict shown, in its own colour
    assert "Claim verdict" in legend_text and "consistent" in legend_text
    save_screenshot(page, "story_claims")
    assert_healthy(page_events, http_errors)


# --------------------------------------------------------------------------- 10.6 polish


def test_title_near_the_top_tall_map_with_city_labels(page, page_events, http_errors, streamlit_app,  # noqa: F811
                                                      save_screenshot):
    page.set_viewport_size({"width": 1440, "height": 900})
    frame = open_map(page, streamlit_app.url + "/")
    top = page.evaluate("() => { const r = document.createRange();"
                        " r.selectNodeContents(document.querySelector('[data-testid=stMain] h1'));"
                        " return r.getBoundingClientRect().top; }")
    assert top < 80, f"blank band above the title: its text starts {top:.0f} px down"
    # A desktop map, not a thumbnail: at least 60% of the window's height (600 px on the map page, so that
    # the player's area chart under it is on the same 1080p screen).
    assert frame.locator(".tp-map").bounding_box()["height"] >= 0.6 * 900
    from territory.places import major_places
    from territory.player import place_rows

    an = analysis()
    expected = {p[0] for p in place_rows(an)}
    placed = set(frame.locator(".tp-place-name").evaluate_all("els => els.map(e => e.textContent)"))
    assert expected and expected == placed, (expected ^ placed)
    # Labels that would overlap a larger place's are hidden at this zoom; the largest always show.
    visible = {t for t, hidden in frame.locator(".tp-place").evaluate_all(
        "els => els.map(e => [e.textContent, getComputedStyle(e).visibility === 'hidden'])") if not hidden}
    (s, w), (n, e) = [[float(v) for v in c] for c in (an.dataset.history.total_bounds[[1, 0]],
                                                     an.dataset.history.total_bounds[[3, 2]])]
    largest = {p.name for p in major_places(an.dataset.settlements, (w, s, e, n), limit=3)}
    assert largest <= visible, (largest, visible)
    # Chips in the sidebar show whole actor names.
    for name in an.dataset.actors:
        chip = page.locator("[data-testid=stSidebar] [data-tag] span[title]", has_text=name).first
        assert chip.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), name
    save_screenshot(page, "story_polish")
    assert_healthy(page_events, http_errors)


def test_compare_maps_move_together_and_swipe(page, page_events, http_errors, streamlit_app,  # noqa: F811
                                              save_screenshot):
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(streamlit_app.url + "/?page=compare&date=2016-07-04")
    expect(page).to_have_title("Compare · Territory", timeout=120_000)
    page.wait_for_selector(IDLE, state="attached", timeout=120_000)
    expect(page.locator(MAP_IFRAME)).to_have_count(2, timeout=STEP_MS)
    left, right = frame_of(page, MAP_IFRAME, 0), frame_of(page, MAP_IFRAME, 1)
    for f in (left, right):
        f.wait_for_function("() => window.map && window.map.getZoom", timeout=STEP_MS)
    # A new map re-applies the stored view during its first 0.9 s (folium-shim keepView): a person's
    # first zoom comes after that, and so does ours.
    page.wait_for_timeout(1_000)
    z0 = right.evaluate("() => window.map.getZoom()")
    left.locator(".leaflet-control-zoom-in").click()
    right.wait_for_function("(z0) => window.map.getZoom() > z0 + 0.5", arg=z0, timeout=STEP_MS)
    left.evaluate("() => window.map.panBy([120, 60], {animate: false})")
    right.wait_for_function("(c) => Math.abs(window.map.getCenter().lng - c.lng) < 1e-6",
                            arg=left.evaluate("() => window.map.getCenter()"), timeout=STEP_MS)

    page.get_by_text("Swipe", exact=True).click()
    expect(page.locator(MAP_IFRAME)).to_have_count(1, timeout=STEP_MS)
    page.wait_for_selector(IDLE, state="attached", timeout=STEP_MS)
    swipe = frame_of(page, MAP_IFRAME)
    swipe.wait_for_selector(".territory-swipe-range", timeout=STEP_MS)
    swipe.wait_for_function("() => document.querySelectorAll('.leaflet-swipe-pane path').length > 0"
                            " && document.querySelectorAll('.leaflet-swipe-right-pane path').length > 0",
                            timeout=STEP_MS)
    swipe.evaluate("() => { const r = document.querySelector('.territory-swipe-range'); r.value = '0.25';"
                   " r.dispatchEvent(new Event('input')); }")
    width = swipe.evaluate("() => window.map.getSize().x")
    clip = swipe.evaluate("() => document.querySelector('.leaflet-swipe-pane').style.clip")
    nums = [float(v) for v in re.findall(r"-?[\d.]+", clip)]
    nw_x = swipe.evaluate("() => window.map.containerPointToLayerPoint([0, 0]).x")
    assert nums[1] - nw_x == pytest.approx(0.25 * width, abs=1.5), clip
    save_screenshot(page, "story_compare_swipe")
    assert_healthy(page_events, http_errors)
