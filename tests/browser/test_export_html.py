"""The exported standalone HTML in a real Chromium with every network request aborted.

Checks what a reader sees: the territory drawn in the actors' colours, the
date control changing it, and the footer stating the size bound.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from territory.analysis import Analysis
from territory.export import html_export
from territory.export.html import MAX_VERTICES
from territory.export.sample import COLORS, synthetic_dataset


@pytest.fixture
def export_file(tmp_path: Path) -> tuple[Path, Analysis]:
    an = Analysis.of(synthetic_dataset(6, basemap=True))
    return html_export(an, tmp_path / "player.html"), an


def _state(page) -> tuple[str, int, str]:
    return (page.locator(".tp-date").inner_text(), page.locator("path.tp-feature").count(),
            page.locator(".tp-legend").inner_text())


def test_export_html_offline(page, page_events, block_network, save_screenshot, export_file) -> None:
    path, an = export_file
    block_network(page)
    page.goto(path.as_uri())
    page.wait_for_selector("path.tp-feature")
    assert page_events.blocked == []
    page_events.assert_clean()

    # The territory draws, in the dataset's colours.
    for color in COLORS.values():
        assert page.locator(f'path.tp-feature[fill="{color}"]').count() >= 1, color
    first = _state(page)
    assert first[0] == an.dates[0].date().isoformat()
    footer = page.locator("footer.tx-footer")
    assert footer.is_visible()
    assert f"{MAX_VERTICES:,}" in footer.inner_text()
    save_screenshot(page, "export_html_d0")

    # The time control changes what is drawn.
    page.locator(".tp-next").click()
    page.locator(".tp-next").click()
    second = _state(page)
    assert second[0] == an.dates[2].date().isoformat()
    assert second != first
    assert page.locator("path.tp-s-contested").count() >= 1  # the contested strip of month 2 (k % 3 == 1)
    save_screenshot(page, "export_html_d2")
    assert page_events.blocked == []


def test_export_html_legend_marks_partial_actors(page, block_network, tmp_path: Path) -> None:
    """An actor the data models only in part says so in the player's legend, with the reason on hover."""
    import dataclasses

    ds = synthetic_dataset(3, basemap=True)
    actor = ds.actors[0]
    an = Analysis.of(dataclasses.replace(ds, partial={actor: "only the towns are modelled"}))
    path = html_export(an, tmp_path / "partial.html")
    block_network(page)
    page.goto(path.as_uri())
    page.wait_for_selector("path.tp-feature")
    mark = page.locator(".tp-legend-partial")
    assert mark.count() == 1 and mark.get_attribute("title") == "only the towns are modelled"
    assert actor in page.locator(".tp-legend-row").filter(has=mark).inner_text()
