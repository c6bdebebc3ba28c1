"""The player's "Area over time" chart (assets/player/chart.js) in a real Chromium, offline.

Drawn by the player itself under its controls, so its date marker moves with
every frame in the browser; hovering names each shown actor's km² on that
date, the figures ``territory stats`` prints; a click on it moves the player
there. Checked on the standalone HTML export of the bundled history (the map
page loads the same files: see tests/browser/test_scrub.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("playwright")

from playwright.sync_api import Page

from territory.stats import stats_table


def _open(page: Page, block_network, path: Path) -> None:
    page.set_viewport_size({"width": 1300, "height": 1000})
    block_network(page)
    page.goto(path.as_uri())
    page.wait_for_selector("path.tp-feature", timeout=15_000)
    page.wait_for_selector(".tp-chart-line", timeout=15_000)


def _mark_x(page: Page) -> float:
    return float(page.locator(".tp-chart-mark").get_attribute("x1"))


def test_marker_follows_every_frame_and_axes_carry_years(page, page_events, block_network, bundled_export, bundled):
    """Keys and Play move the chart's date marker with the date; the time axis names years, y is km²."""
    path, payload = bundled_export
    _open(page, block_network, path)
    dates = payload["dates"]
    assert page.locator(".tp-spark").count() == 0  # the full chart replaces the panel's sparkline
    t = bundled.table
    drawn = {a for a in t.loc[(t["status"] == "controlled") & (t["area_km2"] > 0), "actor"]}
    assert {e.get_attribute("data-actor") for e in page.locator(".tp-chart-line").all()} == drawn
    years = page.eval_on_selector_all(".tp-chart-xlab", "els => els.map(e => e.textContent)")
    assert years and all(re.fullmatch(r"20\d\d", y) for y in years), years
    ylabs = page.eval_on_selector_all(".tp-chart-ylab", "els => els.map(e => e.textContent)")
    assert ylabs[0] == "0" and all(re.fullmatch(r"[\d,]+", v) for v in ylabs), ylabs
    page.locator(".tp-slider").focus()
    xs = [_mark_x(page)]
    for k in range(1, 6):
        page.keyboard.press("ArrowRight")
        assert page.locator(".tp-chart-mark").get_attribute("data-date") == dates[k]
        xs.append(_mark_x(page))
    assert xs == sorted(xs) and xs[-1] > xs[0], xs  # moved right with each later date
    page.locator(".tp-play").click()
    page.wait_for_function("(d) => document.querySelector('.tp-chart-mark').dataset.date > d", arg=dates[8],
                           timeout=10_000)
    page.locator(".tp-play").click()
    shown = page.locator(".tp-date").inner_text().strip()
    assert page.locator(".tp-chart-mark").get_attribute("data-date") == shown
    page_events.assert_clean()


def test_hover_values_are_territory_stats_and_click_moves_the_date(page, page_events, block_network, bundled_export,
                                                                    bundled):
    """Hovering shows each actor's controlled km² on the date under the pointer, as `territory stats` prints it."""
    path, _ = bundled_export
    _open(page, block_network, path)
    table = stats_table(bundled.measured, denominator=bundled.denominators()[0])
    box = page.locator(".tp-chart-overlay").bounding_box()
    seen = set()
    for frac in (0.1, 0.45, 0.8):
        page.mouse.move(box["x"] + box["width"] * frac, box["y"] + box["height"] / 2)
        tip = page.locator(".tp-chart-tip")
        day = tip.locator(".tp-chart-tip-date").inner_text()
        seen.add(day)
        rows = table[(table["date"] == day) & (table["status"] == "controlled") & (table["area_km2"] > 0)]
        want = {r.actor: f"{r.area_km2:,.0f} km²" for r in rows.itertuples()}
        got = dict(zip(tip.locator(".tp-chart-tip-name").all_inner_texts(),
                       tip.locator(".tp-chart-tip-km2").all_inner_texts(), strict=True))
        assert got == want, day
    assert len(seen) == 3
    page.mouse.click(box["x"] + box["width"] * 0.45, box["y"] + box["height"] / 2)
    page.mouse.move(box["x"] + box["width"] * 0.45, box["y"] + box["height"] / 2)
    day = page.locator(".tp-chart-tip-date").inner_text()
    assert page.locator(".tp-date").inner_text().strip() == day  # a click moves the player there
    assert page.locator(".tp-chart-mark").get_attribute("data-date") == day
    page.mouse.move(0, 0)
    assert not page.locator(".tp-chart-tip").is_visible()
    page_events.assert_clean()


def test_destroying_the_player_disconnects_the_chart(page, page_events, block_network, bundled_export):
    """A rebuild (another focus actor, tiles) destroys the player: its chart stops watching its size too."""
    path, _ = bundled_export
    page.add_init_script("""(() => { const d = ResizeObserver.prototype.disconnect; window.__disconnects = 0;
      ResizeObserver.prototype.disconnect = function () { window.__disconnects++; return d.call(this); }; })()""")
    _open(page, block_network, path)
    page.evaluate("() => window.__territoryPlayer.destroy()")
    assert page.evaluate("() => window.__disconnects") >= 1
    assert page.locator(".tp-chart-svg").count() == 0
    page_events.assert_clean()
