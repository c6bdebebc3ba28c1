"""A manifest around a history alone gets the world outlines a bare history gets.

A user's ``dataset.json`` naming only ``history`` and ``region`` (as the README's
example does) used to load with no country outlines at all: no share of the
region, no land-only figure, no basemap, while the same history given bare had
them. The outlines are the same bundled Natural Earth layer either way; a
manifest's own ``countries`` still wins.
"""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout

import geopandas as gpd
import pandas as pd
import shapely

from territory.cli import main
from territory.datasets import load_dataset


def _stats(path) -> pd.DataFrame:
    buf = io.StringIO()
    with redirect_stdout(buf):
        assert main(["stats", str(path), "--no-cache"]) == 0
    return pd.read_csv(io.StringIO(buf.getvalue()))


def _folder(tmp_path, **manifest):
    folder = tmp_path / "ds"
    folder.mkdir()
    gpd.GeoDataFrame({"date": ["2024-01-01"] * 2, "actor": ["Group A"] * 2, "status": ["controlled"] * 2},
                     geometry=[shapely.box(28, 12, 32, 16), shapely.box(20.5, 5.5, 21.5, 6.5)],  # Sudan, the CAR
                     crs=4326).to_file(folder / "h.geojson")
    (folder / "dataset.json").write_text(json.dumps({"history": "h.geojson", **manifest}), encoding="utf-8")
    return folder


def test_a_manifest_without_outlines_measures_shares_as_the_bare_history_does(tmp_path):
    folder = _folder(tmp_path, title="Sudan, 2024")
    ds = load_dataset(folder)
    assert ds.countries is not None and ds.basemap is not None and ds.reference_areas is not None
    with_manifest, bare = _stats(folder), _stats(folder / "h.geojson")
    cols = ["region", "region_km2", "area_in_region_km2", "area_outside_region_km2", "pct_of_region"]
    assert with_manifest.loc[0, "region"] == "Sudan"
    pd.testing.assert_frame_equal(with_manifest[cols], bare[cols])


def test_the_manifests_region_names_the_denominator(tmp_path):
    folder = _folder(tmp_path, region="Central African Rep.")
    row = _stats(folder).iloc[0]
    assert row["region"] == "Central African Rep."
    assert 0 < row["area_in_region_km2"] < row["area_km2"] and row["pct_of_region"] > 0
