"""The bare-snapshot GeoJSON fast path reads exactly what GDAL reads, or declines."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio.raw
import pytest
import shapely

from territory.io import barejson, readers
from territory.report import Report


def _gdal_wkb(path: Path) -> list[bytes]:
    return list(pyogrio.raw.read(str(path))[2])


def _tricky_coords(rng: np.random.Generator, n: int) -> list[list[float]]:
    """A closed ring whose numbers GDAL and GEOS must both parse to the nearest double."""
    ang = np.sort(rng.uniform(0, 2 * np.pi, n))
    r = rng.uniform(0.5, 1.5, n)
    pts = [[float(30 + r[i] * np.cos(a)), float(48 + r[i] * np.sin(a))] for i, a in enumerate(ang)]
    pts[1] = [30.1, 48.000000000000001]  # more digits than a double holds
    pts[2] = [3.01e1, 4.8e+1]  # exponents
    return [*pts, pts[0]]


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_same_bits_as_gdal_for_files_gdal_and_pyogrio_write(tmp_path):
    rng = np.random.default_rng(11)
    polys = [shapely.Polygon(_tricky_coords(rng, 300)) for _ in range(3)]
    multi = shapely.MultiPolygon([shapely.Polygon(_tricky_coords(rng, 50)),
                                  shapely.box(40, 40, 41, 41), shapely.box(42, 40, 43, 41).buffer(0.1, 3)])
    f = tmp_path / "2022-02-24.geojson"
    gpd.GeoDataFrame(geometry=[*polys, multi], crs=4326).to_file(f, engine="pyogrio")  # with GDAL's CRS84 member
    got = barejson.read(f)
    assert got is not None
    assert list(shapely.to_wkb(got)) == _gdal_wkb(f)
    # hand-written: no crs member, properties null, a 3D polygon with a hole, compact whitespace
    ring = [[0.1, 0.2, 5.0], [1e0, 0.2, 5.5], [1.0, 1.0, 6], [0.1, 0.2, 5.0]]
    hole = [[0.5, 0.4, 1], [0.6, 0.4, 1], [0.55, 0.5, 1], [0.5, 0.4, 1]]
    feats = [{"type": "Feature", "properties": None, "geometry": {"type": "Polygon", "coordinates": [ring, hole]}}]
    g = _write(tmp_path / "b.json", json.dumps({"type": "FeatureCollection", "features": feats}, separators=(",", ":")))
    got = barejson.read(g)
    assert got is not None
    assert list(shapely.to_wkb(got)) == _gdal_wkb(g)


BOX = [[[0, 0], [1, 0], [1, 1], [0, 0]]]


def _fc(features: list, **top) -> str:
    return json.dumps({"type": "FeatureCollection", **top, "features": features})


def _feat(geometry, **members) -> dict:
    return {"type": "Feature", "properties": {}, **members, "geometry": geometry}


@pytest.mark.parametrize("text", [
    _fc([{**_feat({"type": "Polygon", "coordinates": BOX}), "properties": {"actor": "A"}}]),  # a property
    _fc([_feat({"type": "Polygon", "coordinates": BOX}, id="x1")]),  # an id (GDAL may make it a field)
    _fc([_feat({"type": "Polygon", "coordinates": BOX}, note="foreign member")]),
    _fc([_feat({"type": "Polygon", "coordinates": BOX})],
        crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}}),  # another CRS
    _fc([_feat(None)]),  # no geometry
    _fc([]),  # no feature
    _fc([_feat({"type": "LineString", "coordinates": [[0, 0], [1, 1]]})]),
    _fc([_feat({"type": "Polygon", "coordinates": []})]),  # empty
    _fc([_feat({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1]]]})]),  # ring not closed
    _fc([_feat({"type": "Polygon", "coordinates": BOX})], name="caf\\u00e9"),  # an escape
    json.dumps(_feat({"type": "Polygon", "coordinates": BOX})),  # a Feature, not a collection
    json.dumps({"type": "Polygon", "coordinates": BOX}),
    _fc([_feat({"type": "Polygon", "coordinates": BOX})])[:-3],  # truncated
])
def test_declines_what_it_cannot_read_as_gdal_does(tmp_path, text):
    assert barejson.read(_write(tmp_path / "x.geojson", text)) is None


def test_reader_uses_the_fast_path_and_gives_gdals_layer(tmp_path, monkeypatch):
    f = tmp_path / "2022-02-24.geojson"
    gpd.GeoDataFrame(geometry=[shapely.box(30, 45, 31, 46)], crs=4326).to_file(f, engine="pyogrio")
    fast = readers.read_vector(f, f.name, Report())
    monkeypatch.setattr(barejson, "read", lambda path: None)
    slow = readers.read_vector(f, f.name, Report())
    assert len(fast) == len(slow) == 1
    assert isinstance(fast[0], readers.GeometryLayer) and isinstance(slow[0], readers.GeometryLayer)
    assert (fast[0].name, fast[0].layer, fast[0].crs) == (slow[0].name, slow[0].layer, slow[0].crs)
    assert list(shapely.to_wkb(fast[0].geometry)) == list(shapely.to_wkb(slow[0].geometry))
