"""Where the front moved (issue 18.6): patches with km², from → to, region and settlement; slivers apart."""

from __future__ import annotations

import io
import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from territory.area import geod_area_km2, measure
from territory.patches import MIN_PATCH_KM2, MIN_WIDTH_M, find_patches
from territory.regions import layer_from_frame
from tests.cli_run import run_cli
from tests.conftest import make_history

D1, D2 = "2024-01-01", "2024-02-01"
#: The advance's corner and width (lon/lat); its height is solved so the advance is 42 km² on the ellipsoid.
X0, Y0, DX = 37.0, 47.7, 0.1
#: The coast (south edge of A's ground) redrawn 0.0009° (≈100 m) further south along 1° (≈75 km): 7.5 km², thin.
COAST_SHIFT = 0.0009


def _advance() -> shapely.Polygon:
    lo, hi = 0.01, 0.1
    for _ in range(60):  # bisect the height: Geod is the reference
        mid = (lo + hi) / 2
        km2 = geod_area_km2([shapely.box(X0, Y0, X0 + DX, Y0 + mid)])[0]
        lo, hi = (mid, hi) if km2 < 42 else (lo, mid)
    return shapely.box(X0, Y0, X0 + DX, Y0 + (lo + hi) / 2)


ADVANCE = _advance()


def _history() -> gpd.GeoDataFrame:
    a1 = shapely.box(36.0, 47.5, 37.0, 48.0)
    a2 = shapely.union(shapely.box(36.0, 47.5 - COAST_SHIFT, 37.0, 48.0), ADVANCE)
    b1 = shapely.box(37.0, 47.5, 38.0, 48.0)
    return make_history([(D1, "A", "controlled", a1), (D1, "B", "controlled", b1),
                         (D2, "A", "controlled", a2), (D2, "B", "controlled", shapely.difference(b1, ADVANCE))])


@pytest.fixture(scope="module")
def found():
    regions = layer_from_frame(gpd.GeoDataFrame({"name": ["Donetsk oblast", "West"]},
                                                geometry=[shapely.box(36.95, 47, 39, 49), shapely.box(30, 47, 36.95, 49)],
                                                crs=4326), "test layer", "test regions")
    cx, cy = ADVANCE.centroid.x, ADVANCE.centroid.y
    # A city 4 km away but over the region's border is not what a reader of "…, Donetsk oblast" looks for.
    settlements = pd.DataFrame({"name": ["Hamlet", "Pokrovsk", "Faraway City", "Border City"],
                                "lat": [cy, cy + 0.06, 50.0, cy], "lon": [cx, cx + 0.05, 30.0, 36.9],
                                "population": [600, 60_000, 3_000_000, 1_000_000]})
    return find_patches(measure(_history()), D1, D2, regions=regions, settlements=settlements,
                        population_source="test table, 2024")


def test_the_advance_is_one_patch_of_42_km2_named_by_the_town_near_it(found):
    p = found.patches
    assert len(p) == 1
    row = p.iloc[0]
    assert (row["from_actor"], row["to_actor"], row["status"]) == ("B", "A", "controlled")
    assert row["area_km2"] == pytest.approx(42, rel=1e-4)
    assert row["area_km2"] == pytest.approx(geod_area_km2([p.geometry.iloc[0]])[0], rel=1e-4)
    assert row["region"] == "Donetsk oblast"
    # The most populous place within reach in the patch's region: not the hamlet on the spot, the far city,
    # nor the bigger city just over the regional border.
    assert row["settlement"] == "Pokrovsk" and row["settlement_population"] == 60_000
    assert row["population_source"] == "test table, 2024"
    assert 0 < row["settlement_km"] < 10
    assert row["description"] == "42 km² near Pokrovsk, Donetsk oblast (B → A)"
    w, s, e, n = ADVANCE.bounds
    assert (row["west"], row["south"], row["east"], row["north"]) == pytest.approx((w, s, e, n), abs=1e-6)
    assert shapely.equals_exact(shapely.normalize(p.geometry.iloc[0].simplify(1e-9)),
                                shapely.normalize(ADVANCE), tolerance=1e-6)


def test_the_redrawn_coast_is_a_sliver_reported_apart(found):
    coast = shapely.box(36.0, 47.5 - COAST_SHIFT, 37.0, 47.5)
    coast_km2 = geod_area_km2([coast])[0]
    assert coast_km2 > MIN_PATCH_KM2  # large enough by area: the width test is what leaves it out
    assert found.sliver_count == 1
    assert found.sliver_km2 == pytest.approx(coast_km2, rel=1e-3)
    sl = found.slivers.iloc[0]
    assert (sl["from_actor"], sl["to_actor"]) == ("(none)", "A")
    assert f"{MIN_WIDTH_M:g} m" in found.sliver_note() and "7.5" in found.sliver_note()


def test_a_wider_coast_move_is_a_patch():
    """The same coast moved 500 m (twice the minimum width) is a real change: kept."""
    h = _history()
    h.loc[(h["actor"] == "A") & (h["date"] == pd.Timestamp(D2)), "geometry"] = shapely.union(
        shapely.box(36.0, 47.5 - 0.0045, 37.0, 48.0), ADVANCE)
    got = find_patches(measure(h), D1, D2)
    assert len(got.patches) == 2 and got.sliver_count == 0
    assert set(zip(got.patches["from_actor"], got.patches["to_actor"], strict=True)) == {("B", "A"), ("(none)", "A")}
    assert (got.patches["region"] == "").all() and (got.patches["settlement"] == "").all()  # no layers: blank


def test_no_change_and_reversed_dates():
    m = measure(_history())
    same = find_patches(m, D1, D1)
    assert same.patches.empty and same.sliver_count == 0 and list(same.patches.columns)[-1] == "geometry"
    with pytest.raises(ValueError, match="swap"):
        find_patches(m, D2, D1)


def test_patches_of_the_bundled_history_add_up_to_the_transfers(bundled):
    """Every controlled km² that changed hands is in a patch or a sliver: nothing vanishes."""
    got = find_patches(bundled.measured, "2016-06-01", "2016-12-31", regions=bundled.region_layer(),
                       settlements=bundled.dataset.settlements)
    transfers = bundled.compare("2016-06-01", "2016-12-31")["transfers"]
    total = got.patches["area_km2"].sum() + got.sliver_km2
    # Within 1e-4: transfers drop (pair) rows under 0.0005 km² and net actors' overlaps by area sums.
    assert total == pytest.approx(transfers["area_km2"].sum(), rel=1e-4)
    assert got.patches["area_km2"].is_monotonic_decreasing and (got.patches["area_km2"] >= MIN_PATCH_KM2).all()
    top = got.patches.iloc[0]
    assert (top["from_actor"], top["to_actor"], top["region"]) == ("Islamic State", "Iraqi government forces", "Nineveh")
    assert top["settlement"].startswith("Mosul")


@pytest.fixture(scope="module")
def history_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("patches") / "history.geojson"
    h = _history()
    h.assign(date=h["date"].dt.strftime("%Y-%m-%d"))[["date", "actor", "status", "geometry"]].to_file(path)
    return path


def test_cli_patches_csv_json_geojson(history_file):
    base = ("change", str(history_file), "--from", D1, "--to", D2, "--table", "patches", "--no-cache")
    code, out, err = run_cli(*base)
    assert code == 0, err
    t = pd.read_csv(io.StringIO(out))
    assert len(t) == 1 and t["area_km2"].iloc[0] == pytest.approx(42, rel=1e-4)
    assert t["region"].iloc[0] == "Donetsk"  # bundled Natural Earth admin-1 of Ukraine, for a bare file
    assert "1 sliver(s), 7." in err and "left out" in err
    # A bare file's settlements are the bundled gazetteer's: the population's source rides along in the row.
    assert t["settlement"].iloc[0] and "GeoNames" in t["population_source"].iloc[0]
    code, out, _ = run_cli(*base, "--format", "json")
    assert json.loads(out)[0]["to_actor"] == "A"
    code, out, err = run_cli(*base, "--format", "geojson")
    assert code == 0, err
    fc = json.loads(out)
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 1
    assert fc["slivers"]["pieces"] == 1 and fc["slivers"]["area_km2"] == pytest.approx(7.5, abs=0.2)
    f = fc["features"][0]
    props = f["properties"]
    assert props["date_from"] == D1 and props["area_km2"] == pytest.approx(42, rel=1e-4)
    # A missing figure is null, never NaN (which is not JSON); present ones are plain numbers.
    assert all(v is None or (isinstance(v, str | int | float) and v == v) for v in props.values())
    assert geod_area_km2([shapely.geometry.shape(f["geometry"])])[0] == pytest.approx(42, rel=1e-4)
    # --region-filter keeps only ground inside the regions chosen.
    code, out, err = run_cli(*base, "--region-filter", "Lviv")
    assert code == 0 and pd.read_csv(io.StringIO(out)).empty and "0 sliver(s)" in err


def test_width_test_measures_true_metres_at_high_latitude():
    """At 60°N EPSG:6933 stretches x ×1.73: a 300 m-wide north-south strip must still count as 300 m wide."""
    strip_w = 300 / (111_320 * np.cos(np.radians(60)))  # 300 m of longitude at 60°N
    a1 = shapely.box(20.0, 59.5, 21.0, 60.5)
    a2 = shapely.box(20.0, 59.5, 21.0 + strip_w, 60.5)
    got = find_patches(measure(make_history([(D1, "A", "controlled", a1), (D2, "A", "controlled", a2)])), D1, D2)
    assert len(got.patches) == 1 and got.sliver_count == 0
    thin = shapely.box(20.0, 59.5, 21.0 + strip_w / 2, 60.5)  # 150 m: a sliver, though 16 km² by area
    got = find_patches(measure(make_history([(D1, "A", "controlled", a1), (D2, "A", "controlled", thin)])), D1, D2)
    assert got.patches.empty and got.sliver_count == 1 and got.sliver_km2 > 10
