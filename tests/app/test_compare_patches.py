"""Compare's "where the front moved" list (issue 18.6) and the map page's net-change bars (18.5), under AppTest."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from territory.patches import find_patches
from territory.ui.patchlist import WHOLE, fit
from tests.playerstate import stop_at

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


def _net_spec(at: AppTest) -> dict:
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    found = [s for s in specs if s["layer"][0]["mark"]["type"] == "bar"]
    assert len(found) == 1, "the map page drew no net change bars"
    return found[0]


def test_map_page_draws_net_change_bars_per_month_and_week():
    at = AppTest.from_file(str(ROOT / "src/territory/app/main.py"), default_timeout=120).run()
    at = stop_at(at, at.session_state["date"], drawn=True)
    assert not at.exception
    spec = _net_spec(at)
    bars = spec["layer"][0]
    assert bars["encoding"]["x"]["axis"]["format"] == "%b %Y"
    assert bars["encoding"]["x2"]["field"] == "bar_end"
    assert bars["encoding"]["y2"] == {"datum": 0}  # bars rise from zero (a ranged x alone draws slabs at the value)
    # The bars carry no date (the map's date lives in the browser): another date leaves them as they were.
    assert "params" not in spec and all(layer["mark"]["type"] != "rule" or "y" in layer["encoding"]
                                        for layer in spec["layer"])
    assert _net_spec(stop_at(at, "2016-01-01", drawn=True)) == spec
    assert any("territory change --every month" in c.value for c in at.caption)
    at.session_state["net_every"] = "Week"
    at.run()
    assert any("territory change --every week" in c.value for c in at.caption)


def test_net_bars_are_the_cli_periods(bundled):
    from territory.periods import period_bounds, period_change
    from territory.ui.charts import net_change_chart

    spec = net_change_chart(bundled, ["Islamic State"], "month").to_dict()
    data = pd.DataFrame(spec["datasets"][spec["layer"][0]["data"]["name"]])
    ref = period_change(bundled.measured, period_bounds(bundled.dates, "month"), status="controlled")
    ref = ref[ref["actor"] == "Islamic State"]
    merged = data.merge(ref, on="period", suffixes=("", "_cli"))
    assert len(merged) == len(ref) > 50
    assert merged["net_km2"].to_numpy() == pytest.approx(merged["net_km2_cli"].to_numpy(), abs=1e-6)
