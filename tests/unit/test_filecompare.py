"""The rebuilt-file comparison ignores the writer's version and nothing else."""

from __future__ import annotations

import json

import geopandas as gpd
import pyarrow.parquet as pq
import shapely

from tests.filecompare import file_difference


def _write(path, names=("a", "b"), x=0.0):
    gdf = gpd.GeoDataFrame({"name": list(names)},
                           geometry=[shapely.box(x, 0, x + 1, 1), shapely.box(2, 0, 3, 1)], crs="EPSG:4326")
    gdf.to_parquet(path)
    return path


def _restamp(path, version="99.0.0"):
    """The same table as a later pandas/geopandas release would write it."""
    table = pq.read_table(path)
    meta = dict(table.schema.metadata)
    pandas_meta = json.loads(meta[b"pandas"])
    pandas_meta["pandas_version"] = version
    pandas_meta["creator"] = {"library": "pyarrow", "version": version}
    geo = json.loads(meta[b"geo"])
    geo["creator"] = {"library": "geopandas", "version": version}
    meta.update({b"pandas": json.dumps(pandas_meta).encode(), b"geo": json.dumps(geo).encode()})
    pq.write_table(table.replace_schema_metadata(meta), path)


def test_a_new_writer_version_is_the_same_file(tmp_path):
    a = _write(tmp_path / "a.parquet")
    b = _write(tmp_path / "b.parquet")
    _restamp(b)
    assert a.read_bytes() != b.read_bytes()
    assert file_difference(a, b) is None


def test_a_changed_row_or_geometry_is_a_difference(tmp_path):
    a = _write(tmp_path / "a.parquet")
    assert file_difference(a, _write(tmp_path / "names.parquet", names=("a", "c"))) is not None
    assert file_difference(a, _write(tmp_path / "moved.parquet", x=0.001)) is not None
    # within float noise (1e-12 degrees) it is the same geometry
    assert file_difference(a, _write(tmp_path / "noise.parquet", x=1e-12)) is None


def test_other_files_compare_by_bytes(tmp_path):
    (tmp_path / "a.geojson").write_text("{}")
    (tmp_path / "b.geojson").write_text("{ }")
    assert file_difference(tmp_path / "a.geojson", tmp_path / "b.geojson") == "bytes differ"
