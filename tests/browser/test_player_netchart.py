"""The player's net-change bars (assets/player/netchart.js) in a real Chromium, offline.

Under the area chart, the focus actor's gained − lost per week or month: the
periods after the date shown are pale, the one holding it is outlined and a
marker follows every frame (keys, Play) in the browser; hover shows the period's
gained/lost/net as ``territory change --every`` prints them; a click moves the
player to the period's end. Checked on the standalone HTML export of the bundled
history (the map page loads the same files; its 0-script-run check is
tests/browser/test_scrub.py::test_net_bars_follow_the_keys_without_a_script_run).
"""

from __future__ import annotations

import io
import re
from contextlib import redirect_stdout
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("playwright")

from playwright.sync_api import Page


def cli_periods(every: str) -> pd.DataFrame:
    """`territory change --every EVERY` as a table (what a reader runs to check the bars)."""
    from territory.cli import main

    buf = io.StringIO()
    with redirect_stdout(buf):
        assert main(["change", "--every", every]) == 0
    return pd.read_csv(io.StringIO(buf.getvalue()), dtype={"period": str})


def _open(page: Page, block_network, path: Path) -> None:
    page.set_viewport_size({"width": 1300, "height": 1100})
    block_network(page)
    page.goto(path.as_uri())
    page.wait_for_selector("path.tp-feature", timeout=15_000)
    page.wait_for_selector(".tp-net-bar", state="attached", timeout=15_000)


STATE_JS = """() => Array.from(document.querySelectorAll('.tp-net-bar')).map(b =>
  [b.dataset.period, b.classList.contains('tp-net-after') ? 'after' :
   b.classList.contains('tp-net-current') ? 'current' : 'before'])"""


def _check_state(page: Page, day: str, rows: list[list]) -> str:
    """Bars before the period holding ``day`` full, it outlined, the rest pale; the marker on ``day``."""
    assert page.locator(".tp-net-mark").get_attribute("data-date") == day
    holding = [r[0] for r in rows if r[1] <= day][-1]
    want = [[r[0], "before" if r[0] < holding else "current" if r[0] == holding else "after"] for r in rows]
    assert page.evaluate(STATE_JS) == want, day
    return holding


def test_bars_follow_keys_and_play(page, page_events, block_network, bundled_export):
    """Keys and Play move the marker and the pale/current periods with every frame; axes carry years."""
    path, payload = bundled_export
    _open(page, block_network, path)
    dates, rows = payload["dates"], payload["net"]["month"]
    assert page.locator(".tp-net").get_attribute("data-every") == "month"  # the default
    assert page.locator(".tp-net-bar").count() == len(rows) > 50
    years = page.eval_on_selector_all(".tp-net-xlab", "els => els.map(e => e.textContent)")
    assert years and all(re.fullmatch(r"20\d\d", y) for y in years), years
    ylabs = page.eval_on_selector_all(".tp-net-ylab", "els => els.map(e => e.textContent)")
    assert "0" in ylabs and all(re.fullmatch(r"[+\u2212]?[\d,]+", v) for v in ylabs), ylabs
    # Bars are coloured by the sign of the payload's net.
    cls = page.eval_on_selector_all(".tp-net-bar", "els => els.map(e => e.getAttribute('class'))")
    for r, c in zip(rows, cls, strict=True):
        assert ("tp-net-gain" in c) == (r[6] > 0) and ("tp-net-loss" in c) == (r[6] < 0), (r, c)
    page.locator(".tp-slider").focus()
    page.keyboard.press("Home")
    _check_state(page, dates[0], rows)
    xs = [float(page.locator(".tp-net-mark").get_attribute("x1"))]
    for k in range(1, 8):
        page.keyboard.press("ArrowRight")
        _check_state(page, dates[k], rows)
        xs.append(float(page.locator(".tp-net-mark").get_attribute("x1")))
    assert xs == sorted(xs) and xs[-1] > xs[0], xs
    page.locator(".tp-play").click()
    page.wait_for_function("(d) => document.querySelector('.tp-net-mark').dataset.date > d", arg=dates[12],
                           timeout=10_000)
    page.locator(".tp-play").click()
    shown = page.locator(".tp-date").inner_text().strip()
    holding = _check_state(page, shown, rows)
    assert page.locator(".tp-net").get_attribute("data-period") == holding
    assert holding in page.locator(".tp-net-now").inner_text()  # the line screen readers hear on focus
    page_events.assert_clean()


@pytest.mark.parametrize("every", ["month", "week"])
def test_hover_is_territory_change_and_click_is_the_period_end(page, page_events, block_network, bundled_export, every):
    """Hover shows a period's gained/lost/net as `territory change --every` prints them; a click goes to its end."""
    path, payload = bundled_export
    _open(page, block_network, path)
    if every == "week":
        page.locator(".tp-net-btn[data-every=week]").click()
        assert page.locator(".tp-net-btn[data-every=week]").get_attribute("aria-pressed") == "true"
        assert page.locator(".tp-net-bar").count() == len(payload["net"]["week"])
    cli = cli_periods(every)
    cli = cli[(cli["actor"] == payload["net"]["actor"]) & (cli["status"] == "controlled")].set_index("period")

    def km2(v: float, sign: str = "") -> str:
        r = round(v)
        lead = {"+": "+" if r > 0 else "", "-": "\u2212" if r > 0 else "",
                "±": "+" if r > 0 else "\u2212" if r < 0 else ""}.get(sign, "")
        return f"{lead}{abs(r):,} km²"

    box = page.locator(".tp-net-overlay").bounding_box()
    seen = set()
    for frac in (0.12, 0.5, 0.83):
        page.mouse.move(box["x"] + box["width"] * frac, box["y"] + box["height"] / 2)
        period = page.locator(".tp-net-tip-period").inner_text()
        seen.add(period)
        ref = cli.loc[period]
        assert page.locator(".tp-net-tip-gained").inner_text() == km2(ref["gained_km2"], "+")
        assert page.locator(".tp-net-tip-lost").inner_text() == km2(ref["lost_km2"], "-")
        assert page.locator(".tp-net-tip-net").inner_text() == km2(ref["net_km2"], "±")
        assert ref["date_to"] in page.locator(".tp-net-tip-span").inner_text()
    assert len(seen) == 3
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] / 2)
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] / 2)
    period = page.locator(".tp-net-tip-period").inner_text()
    end = cli.loc[period, "date_to"]
    want = [d for d in payload["dates"] if d <= end][-1]  # the state in force at the period's end
    assert page.locator(".tp-date").inner_text().strip() == want
    assert page.locator(".tp-net-mark").get_attribute("data-date") == want
    page.mouse.move(0, 0)
    assert not page.locator(".tp-net-tip").is_visible()
    page_events.assert_clean()


def test_choice_is_remembered_and_keys_reach_the_bars(page, page_events, block_network, bundled_export):
    """Week/Month survives a reload (sessionStorage, like the map's view); Page Down on the focused bars jumps to a
    period's end; the player's arrow keys work there too."""
    path, payload = bundled_export
    _open(page, block_network, path)
    page.locator(".tp-net-btn[data-every=week]").click()
    page.reload()
    page.wait_for_selector(".tp-net-bar", state="attached", timeout=15_000)
    assert page.locator(".tp-net").get_attribute("data-every") == "week"
    assert page.locator(".tp-net-btn[data-every=week]").get_attribute("aria-pressed") == "true"
    assert page.locator(".tp-net-btn[data-every=month]").get_attribute("aria-pressed") == "false"
    plot = page.locator(".tp-net-plot")
    assert plot.get_attribute("tabindex") == "0" and "Page Down" in plot.get_attribute("aria-label")
    plot.focus()
    assert page.locator(".tp-net-now").get_attribute("aria-live") == "polite"  # read while focused
    weeks, dates = payload["net"]["week"], payload["dates"]
    page.keyboard.press("ArrowRight")
    assert page.locator(".tp-date").inner_text().strip() == dates[1]
    page.keyboard.press("PageDown")
    day = page.locator(".tp-date").inner_text().strip()
    holding = [r for r in weeks if r[1] <= dates[1]][-1]
    assert day == [d for d in dates if d <= holding[2]][-1]
    assert holding[0] in page.locator(".tp-net-now").inner_text()
    page.locator(".tp-slider").focus()
    assert page.locator(".tp-net-now").get_attribute("aria-live") == "off"
    page.evaluate("() => window.__territoryPlayer.destroy()")
    assert page.locator(".tp-net-svg").count() == 0
    page_events.assert_clean()


def test_reduced_motion_steps_the_bars_without_animation(page, page_events, block_network, bundled_export):
    """With "reduce motion", nothing in the bars transitions or animates: marker and classes jump with the date."""
    path, payload = bundled_export
    page.emulate_media(reduced_motion="reduce")
    _open(page, block_network, path)
    rows, dates = payload["net"]["month"], payload["dates"]
    page.locator(".tp-slider").focus()
    page.keyboard.press("Home")
    page.keyboard.press("ArrowRight")
    _check_state(page, dates[1], rows)
    moving = page.evaluate("""() => Array.from(document.querySelectorAll(
        '.tp-net-bar, .tp-net-mark, .tp-net-now, .tp-net-tip')).filter(e => {
          const s = getComputedStyle(e);
          return s.transitionDuration.split(',').some(d => parseFloat(d) > 0) || s.animationName !== 'none'; }).length""")
    assert moving == 0
    page_events.assert_clean()
