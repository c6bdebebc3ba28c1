"""Areas: ellipsoidal accuracy against pyproj.Geod, antimeridian, union semantics."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from territory.area import area_km2, geod_area_km2, measure, union_area_km2


def random_polygons(n: int, seed: int) -> np.ndarray:
    """Star-shaped polygons 5–300 km across anywhere between 60°S and 70°N."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        lat, lon = rng.uniform(-60, 70), rng.uniform(-178, 178)
        r = rng.uniform(5, 300) / 2 / 111.0
        k = rng.integers(3, 40)
        ang = np.sort(rng.uniform(0, 2 * np.pi, k))
        rad = r * rng.uniform(0.5, 1.0, k)
        xs = lon + rad * np.cos(ang) / np.cos(np.radians(lat))
        ys = lat + rad * np.sin(ang)
        out.append(shapely.Polygon(np.column_stack([xs, ys])))
    return np.array(out)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_area_matches_geod_within_a_hundredth_of_a_percent(seed):
    polys = random_polygons(150, seed)
    ours = area_km2(polys)
    ref = geod_area_km2(polys)
    rel = np.abs(ours - ref) / ref
    assert rel.max() < 1e-4, f"worst relative error {rel.max():.2e}"


def test_big_polygon_matches_geod_on_finely_densified_ring():
    # Iraq-sized box: edges straight in lon/lat (GeoJSON semantics), not geodesics.
    box = shapely.box(38.8, 29.0, 48.6, 37.4)
    assert abs(area_km2([box])[0] / geod_area_km2([box], 0.001)[0] - 1) < 1e-4


def test_web_mercator_would_be_wrong():
    # Guard against the classic mistake: the answer is not the Mercator area.
    import geopandas as gpd

    g = gpd.GeoSeries([shapely.box(10, 47.5, 11, 48.5)], crs=4326)
    merc = g.to_crs(3857).area.iloc[0] / 1e6
    ours = area_km2(g)[0]
    assert merc / ours > 2.0
    assert abs(ours / geod_area_km2(g)[0] - 1) < 1e-4


def test_union_semantics_overlap_counted_once(small_history):
    m = measure(small_history)
    a = m.snapshots[(m.snapshots["actor"] == "A") & (m.snapshots["status"] == "controlled")].iloc[0]
    boxes = [shapely.box(38, 35, 40, 37), shapely.box(39, 36, 41, 38)]
    assert a["area_km2"] == pytest.approx(union_area_km2(boxes), rel=1e-12)
    assert a["area_km2"] < area_km2(boxes).sum()


def test_antimeridian_split_multipolygon_is_measured_correctly():
    # A 2°x2° square centred on 180°, split as GeoJSON requires.
    split = shapely.MultiPolygon([shapely.box(179, -1, 180, 1), shapely.box(-180, -1, -179, 1)])
    whole = shapely.box(9, -1, 11, 1)  # the same square elsewhere on the equator
    assert area_km2([split])[0] == pytest.approx(area_km2([whole])[0], rel=1e-9)


def test_threaded_calls_in_bounded_chunks_and_keeps_order(monkeypatch):
    """Chunks of at most MAX_CHUNK elements (memory reused between calls), results in input order."""
    from territory import area

    sizes = []

    def fn(a, b):
        sizes.append(len(a))
        return shapely.area(shapely.intersection(a, b))

    rng = np.random.default_rng(7)
    polys = shapely.buffer(shapely.points(rng.uniform(0, 10, (300, 2))), rng.uniform(0.1, 1, 300))
    shifted = shapely.transform(polys, lambda c: c + 0.05)
    want = shapely.area(shapely.intersection(polys, shifted))
    for cores in (1, 2):
        sizes.clear()
        monkeypatch.setattr(area, "_cores", lambda cores=cores: cores)
        np.testing.assert_array_equal(area.threaded(fn, polys, shifted), want)
        assert max(sizes) <= area.MAX_CHUNK and sum(sizes) == len(polys)


def test_threaded_uses_no_threads_on_one_core(monkeypatch):
    """A process pinned to one CPU (taskset, a one-core container) runs the chunks itself: threads would only cost."""
    import threading

    from territory import area

    monkeypatch.setattr(area, "_cores", lambda: 1)
    seen = set()

    def fn(a):
        seen.add(threading.get_ident())
        return shapely.area(a)

    area.threaded(fn, random_polygons(200, 8))
    assert seen == {threading.get_ident()}
