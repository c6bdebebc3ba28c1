"""A stop on the map page is cheap: its catch-up re-renders a few small elements, no chart, no PNG.

The date lives in the browser (the player draws the area chart and moves its
date marker, assets/player/chart.js); when the user stops, the date fragment
reruns. Nothing below it depends on the date, and the download's PNG is made
when clicked (``st.download_button(data=callable)``), never on a stop.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.playerstate import player_payload, stop_at

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.usefixtures("bundled")


def _charts(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]


def test_a_stop_changes_no_chart_and_makes_no_png(monkeypatch):
    import territory.export

    made = []
    monkeypatch.setattr(territory.export, "save_map", lambda *a, **k: made.append(a))
    at = AppTest.from_file(str(ROOT / "src/territory/app/main.py"), default_timeout=120).run()
    at = stop_at(at, at.session_state["date"], drawn=True)
    assert not at.exception
    before = _charts(at)
    assert before, "no chart below the map"
    dates = player_payload(at)["dates"]
    for day in (dates[len(dates) // 3], dates[len(dates) // 2]):
        at = stop_at(at, day, drawn=True)
        assert not at.exception and at.session_state["date"] == day
        assert _charts(at) == before  # no chart carries the date: nothing to re-render in the browser
        button = at.get("download_button")[0]
        assert day in button.proto.label  # the download is of the date shown
        assert at.query_params["date"] in (day, [day])  # the URL agrees
    assert made == []  # no PNG rendered by any of these runs: it is made on click
    # The player draws the area chart (its date marker moves in the browser) from the legend's per-date km².
    legend = player_payload(at)["legend"]
    assert len(legend["rows"]) == len(player_payload(at)["dates"])


def test_the_deferred_png_is_of_the_date_shown(bundled, monkeypatch):
    import territory.export
    from territory.ui.downloads import map_png

    calls, real = [], territory.export.save_map

    def spy(an, day, path, fmt, **kw):
        calls.append(day)
        return real(an, day, path, fmt, **kw)

    monkeypatch.setattr(territory.export, "save_map", spy)
    make = map_png(bundled, "2016-01-04")
    assert calls == []  # nothing made until the click
    assert make()[:8] == b"\x89PNG\r\n\x1a\n" and calls == ["2016-01-04"]


def test_one_date_history_says_net_change_needs_two_dates(tmp_path, monkeypatch):
    """One date makes no period: no empty chart with one month's name along its axis, a sentence instead."""
    import geopandas as gpd
    import shapely

    path = tmp_path / "h.geojson"
    gpd.GeoDataFrame({"date": ["2024-01-01"], "actor": ["Group A"], "status": ["controlled"]},
                     geometry=[shapely.box(28, 12, 32, 16)], crs=4326).to_file(path)
    monkeypatch.setenv("TERRITORY_PATH", str(path))
    at = AppTest.from_file(str(ROOT / "src/territory/app/main.py"), default_timeout=120).run()
    at = stop_at(at, "2024-01-01", drawn=True)
    assert not at.exception, [e.message for e in at.exception]
    assert any("Net change needs two dates; this history has 1." in c.value for c in at.caption)
    assert not [s for s in _charts(at) if s["layer"][0]["mark"]["type"] == "bar"]
