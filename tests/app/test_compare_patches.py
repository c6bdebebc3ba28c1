"""Compare's "where the front moved" list (issue 18.6) and the map page's net-change bars (18.5, now the player's), under AppTest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from territory.patches import find_patches
from territory.ui.patchlist import WHOLE, fit
from tests.playerstate import player_payload, stop_at

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.usefixtures("bundled")


def _maps(at: AppTest) -> list[dict]:
    return [json.loads(e.proto.json_args) for e in at.get("component_instance")
            if "feature_group" in json.loads(e.proto.json_args)]


def test_choosing_a_patch_zooms_both_maps_to_it(bundled):
    at = AppTest.from_file(str(ROOT / "pages/compare.py"), default_timeout=120)
    at.session_state["compare_from"] = "2016-06-01"
    at.session_state["date"] = "2016-12-31"
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    box = at.selectbox(key="compare_patch")
    assert box.value == WHOLE
    assert all(m.get("center") is None and m.get("zoom") is None for m in _maps(at))  # the whole map at first
    # The list is the CLI's: same patches, largest first.
    ref = find_patches(bundled.measured, "2016-06-01", "2016-12-31", regions=bundled.region_layer(),
                       settlements=bundled.dataset.settlements).patches
    assert box.options[1] == f"p1 · {ref['description'].iloc[0]}" and "near Mosul" in box.options[1]
    assert len(box.options) == len(ref) + 1
    at = box.set_value(box.options[1]).run()
    assert not at.exception
    maps = _maps(at)
    assert len(maps) == 2
    top = ref.iloc[0]
    centre, zoom = fit(top["west"], top["south"], top["east"], top["north"])
    for m in maps:
        assert m["center"] == pytest.approx(list(centre)) and m["zoom"] == zoom
        assert "#ffb000" in m["feature_group"]  # the patch is outlined on both maps
    assert top["south"] <= centre[0] <= top["north"] and top["west"] <= centre[1] <= top["east"]
    captions = " ".join(c.value for c in at.caption)
    assert "sliver(s)" in captions and "--table patches" in captions


def test_fit_zooms_in_on_small_patches_and_out_on_large_ones():
    (lat, lon), near = fit(37.0, 47.7, 37.1, 47.75)
    assert (lat, lon) == pytest.approx((47.725, 37.05)) and near >= 10
    assert fit(36.0, 30.0, 46.0, 38.0)[1] < near


def test_map_page_net_change_bars_are_the_players_and_follow_the_focus(bundled):
    """The bars moved into the player (assets/player/netchart.js, issue 18.5 + 19): the page draws no Vega-Lite bar
    chart; the player's payload carries the focus actor's week and month periods; the caption names the commands."""
    at = AppTest.from_file(str(ROOT / "src/territory/app/main.py"), default_timeout=120).run()
    at = stop_at(at, at.session_state["date"], drawn=True)
    assert not at.exception, [e.message for e in at.exception]
    bars = [s for s in (json.loads(c.proto.spec) for c in at.get("vega_lite_chart"))
            if any(layer.get("mark", {}).get("type") == "bar" for layer in s.get("layer", [s]))]
    assert bars == []  # no second, date-blind copy of the bars under the map
    net = player_payload(at)["net"]
    assert net["actor"] == bundled.focus_actor and len(net["month"]) > 50 and len(net["week"]) > 200
    captions = " ".join(c.value for c in at.caption)
    assert "territory change --every month" in captions and "territory change --every week" in captions
    other = next(a for a in bundled.dataset.actors if a != bundled.focus_actor)
    at.session_state["focus"] = other
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert player_payload(at)["net"]["actor"] == other

