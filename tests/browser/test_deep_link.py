"""A shared link restores the view in a real Chromium: focus actor, denominator, statuses, Compare's dates.

Expected values come from the core (the largest peak after the default focus, the Syria
official denominator, the key numbers), never typed in.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

pytest.importorskip("playwright")

from playwright.sync_api import Page, expect

from territory.export.naming import slugify
from territory.keynumbers import KeyNumberSource

IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
LOAD_MS = 90_000
PLAYER_IFRAME = 'iframe[title="territory.ui.player_component.territory_player"]'  # the map page's map


def _second_actor(an) -> str:
    """The actor with the largest peak other than the default focus (so ``focus`` must enter the URL)."""
    t = an.table[an.table["status"] == "controlled"]
    peaks = t.groupby("actor")["area_km2"].max().sort_values(ascending=False)
    return str(next(a for a in peaks.index if a != an.focus_actor))


def _wait_idle(page: Page) -> None:
    page.wait_for_selector("[data-testid=stMetric], [data-testid=stSubheader], h3", timeout=LOAD_MS)
    page.wait_for_selector(IDLE, state="attached", timeout=LOAD_MS)


def _panel(page: Page):
    """The map page's key numbers: the time player's panel, in its frame."""
    page.wait_for_selector(PLAYER_IFRAME, timeout=LOAD_MS)
    frame = page.locator(PLAYER_IFRAME).element_handle().content_frame()
    assert frame is not None
    return frame.locator(".tp-metrics")


def _params(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def test_deep_link_restores_focus_denominator_and_statuses(streamlit_app, page: Page, bundled, page_events):
    actor = _second_actor(bundled)
    dens = bundled.denominators()
    # The official figure for the dataset's whole region (not its first, default denominator).
    i = next(k for k, d in enumerate(dens) if k > 0 and d.region == dens[0].region and "official" in d.source)
    key = slugify(f"{dens[i].region} {dens[i].source}")
    day = "2017-01-01"
    query = urlencode([("page", "map"), ("date", day), ("focus", actor), ("denominator", key),
                       ("status", "controlled"), ("status", "claimed")])
    page.goto(f"{streamlit_app.url}/?{query}")
    _wait_idle(page)
    kn = KeyNumberSource(bundled, actor=actor, denominator_index=i).on(day)
    expect(page.get_by_role("combobox", name="Focus actor")).to_have_value(actor)
    expect(page.get_by_role("combobox", name="Share of (denominator)")).to_have_value(dens[i].label)
    assert kn.headline_km2 > 0
    expect(page.get_by_role("checkbox", name="Controlled")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Contested")).not_to_be_checked()
    expect(page.get_by_role("checkbox", name="Claimed")).to_be_checked()
    # The headline is land-only: the focus actor's area inside the chosen denominator's outline.
    panel = _panel(page)
    held = panel.locator(".tp-metric-held")
    expect(held).to_contain_text(f"{actor}: area held", timeout=LOAD_MS)
    expect(held.locator(".tp-metric-value")).to_have_text(f"{kn.headline_km2:,.0f} km²", timeout=LOAD_MS)
    expect(panel.locator(".tp-metric-region")).to_contain_text(f"% of {dens[i].region}")
    expect(panel.locator(".tp-metric-region .tp-metric-value")).to_have_text(f"{kn.pct_of_region:.2f}%")
    # The address bar still carries the view (a link copied now restores it again).
    qp = _params(page)
    assert qp["focus"] == [actor] and qp["denominator"] == [key] and qp["status"] == ["controlled", "claimed"]
    assert qp["date"] == [day]
    page_events.assert_clean()


def test_changing_focus_updates_the_address(streamlit_app, page: Page, bundled):
    actor = _second_actor(bundled)
    page.goto(f"{streamlit_app.url}/?page=map&date=2016-07-04")
    _wait_idle(page)
    page.get_by_role("combobox", name="Focus actor").click()
    page.get_by_role("option", name=actor, exact=True).click()
    expect(_panel(page).locator(".tp-metric-held")).to_contain_text(f"{actor}: area held", timeout=LOAD_MS)
    page.wait_for_function(f"() => new URLSearchParams(location.search).get('focus') === {actor!r}",
                           timeout=LOAD_MS)


def test_deep_link_restores_compare_dates(streamlit_app, page: Page, page_events):
    page.goto(f"{streamlit_app.url}/?page=compare&from=2015-01-01&date=2017-07-10")
    expect(page.get_by_text("Change from 2015-01-01 to 2017-07-10")).to_be_visible(timeout=LOAD_MS)
    page.wait_for_selector(IDLE, state="attached", timeout=LOAD_MS)
    qp = _params(page)
    assert qp["page"] == ["compare"] and qp["from"] == ["2015-01-01"] and qp["date"] == ["2017-07-10"]
    page_events.assert_clean()
