"""Measuring divides long edges (0.01° pieces): a few large boxes would become millions of vertices, so the
loader counts what measuring will work on against ``max_vertices`` before measuring (issue 17.5: a 7 MB
upload of 20,000 boxes held the server at 4 GB for 90 s)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from territory.area import DENSIFY_DEG, densified_vertices, densify
from territory.io import load
from territory.io.options import LoadOptions


def test_the_count_bounds_what_densify_makes_and_is_close():
    rng = np.random.default_rng(0)
    geoms = [shapely.box(x, y, x + w, y + h) for x, y, w, h in rng.uniform(0, 3, (50, 4))]
    geoms += [shapely.Point(30, 47).buffer(2, 64), shapely.Polygon()]
    made = int(shapely.get_num_coordinates(densify(geoms)).sum())
    counted = densified_vertices(geoms)
    assert made <= counted <= made * 1.05 + 10


def test_large_boxes_are_refused_by_what_measuring_them_needs(tmp_path):
    boxes = [shapely.box(30 + i, 45, 35 + i, 50) for i in range(5)]  # 25 vertices, 10,000 once densified
    path = tmp_path / "boxes.geojson"
    gpd.GeoDataFrame({"actor": ["A"] * 5, "date": ["2022-03-01"] * 5}, geometry=boxes, crs=4326).to_file(path)
    loaded = load(path, LoadOptions(cache=False, max_vertices=5_000))
    assert loaded.history is None
    (err,) = loaded.report.errors
    assert err.code == "too-big" and "max_vertices" in err.message and f"{DENSIFY_DEG}°" in err.message
    assert "10,025" in err.message  # 25 vertices + 20 edges of 5° in 0.01° pieces
    assert load(path, LoadOptions(cache=False, max_vertices=20_000)).history is not None
