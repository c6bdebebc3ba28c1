"""The dashboard's basemap reaches past what any page's map shows, so no clip edge is drawn as a line."""

from __future__ import annotations

import shapely

from territory.analysis import Analysis
from territory.datasets import load_dataset
from territory.io.options import LoadOptions
from territory.ui.maps import basemap_geojson, bounds
from tests.ukraine_style import make_archive


def test_basemap_reaches_an_extent_beyond_the_data_on_every_side(tmp_path):
    make_archive(tmp_path / "snapshots", 5)
    an = Analysis.from_paths(load_dataset(tmp_path / "snapshots", LoadOptions(actor="Occupied")), use_cache=False)
    (s, w), (n, e) = bounds(an)
    geo = basemap_geojson(an)
    x0, y0, x1, y1 = shapely.total_bounds([shapely.geometry.shape(f["geometry"]) for f in geo["features"]])
    # A 2.6:1 map (the Regions page) fitted to this extent shows about one extent beyond each side.
    width = e - w
    assert x0 <= w - width and x1 >= e + width, ((x0, x1), (w, e))
    assert y0 <= s - (n - s) / 2 and y1 >= n + (n - s) / 2
