"""Snapshot files of one shape are normalised as one batch (issue 16.8), and give exactly what
reading them one by one gives: the same rows, provenance and report, problem for problem."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from territory.io import batch, load, normalise, parallel
from territory.io.budget import Budget
from territory.io.folder import read_folder, snapshot_files
from territory.io.loading import _load
from territory.io.normalise import join_rows
from territory.io.onefile import read_one
from territory.io.options import LoadOptions
from territory.report import Report


def _ring(x: float, n: int = 40) -> shapely.Polygon:
    return shapely.Point(x, 47).buffer(0.4, n)


BOW_TIE = shapely.Polygon([(30, 45), (31, 46), (31, 45), (30, 46), (30, 45)])


def _write(folder, day: str, geoms, crs=4326, **columns) -> None:
    gpd.GeoDataFrame(columns, geometry=geoms, crs=crs).to_file(folder / f"{day}.geojson")


@pytest.fixture
def archive(tmp_path):
    """Forty snapshots of a few shapes, some clean, some that only a file alone can judge."""
    folder = tmp_path / "snaps"
    folder.mkdir()
    for i in range(40):
        day = (pd.Timestamp("2022-03-01") + pd.Timedelta(days=i)).strftime("%Y-%m-%d")
        geoms = [_ring(31 + i * 0.02), _ring(35 + i * 0.01)]
        if i % 9 == 4:  # a bow tie: repaired, the warning naming this file and row
            geoms[1] = BOW_TIE
        if i < 15:  # no properties: actors from the option
            _write(folder, day, geoms)
        elif i < 30:  # actor and status columns; a note filled in some files only
            note = ["seen", None] if i % 4 == 0 else [None, None]
            _write(folder, day, geoms, actor=["Russia", "Wagner"], status=["controlled", "contested"], note=note)
        elif i == 30:  # a status no one knows: an error naming file, row and field
            _write(folder, day, geoms, actor=["Russia", "Wagner"], status=["controlled", "held-ish"])
        elif i == 31:  # a date column: parsed from the file's own values
            _write(folder, day, geoms, actor=["Russia", "Wagner"], date=["2022-04-01", ""])
        elif i == 32:  # 3-D coordinates
            _write(folder, day, [shapely.force_3d(g) for g in geoms], actor=["Russia", "Wagner"])
        elif i == 33:  # a point among the polygons
            _write(folder, day, [*geoms, shapely.Point(31, 47)], actor=["Russia", "Wagner", "Wagner"])
        else:
            _write(folder, day, geoms, actor=["Russia", "Wagner"], status=["controlled", "contested"])
    return folder


def _one_by_one(folder, options: LoadOptions):
    """The reference: each file read and normalised alone, in order, within one budget."""
    report = Report()
    budget = Budget(options, report)
    frames = []
    for f in snapshot_files(folder):
        start = len(report.problems)
        frames += read_one(f, options, report, f.name, in_folder=True, budget=budget)
        if any(p.code == "too-big" for p in report.problems[start:]):
            break
    return frames, report


def _problems(report: Report) -> list[tuple]:
    return [(p.severity, p.message, p.file, p.row, p.field, p.code, p.hint) for p in report.problems]


def _same_rows(a: dict, b: dict) -> None:
    assert list(a) == list(b)
    for k in a:
        if k == "geometry":
            assert shapely.equals_exact(a[k], b[k], tolerance=0).all()
        else:
            pd.testing.assert_series_equal(pd.Series(a[k]), pd.Series(b[k]), check_names=False)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_batched_folder_read_is_the_one_by_one_read(archive, monkeypatch, workers):
    monkeypatch.setattr(parallel, "CHUNK", 16)  # several chunks, several batches
    options = LoadOptions(actor="Occupied", cache=False)
    frames, expected = _one_by_one(archive, options)
    got = Report()
    rows = read_folder(snapshot_files(archive), options, got, workers=workers)
    assert _problems(got) == _problems(expected)
    assert got.stats == expected.stats
    assert {"repaired", "bad-status", "non-polygon"} <= {p.code for p in got.problems}
    # The rows of every file the one-by-one read kept (the refused one gives none either way).
    (found,) = rows
    _same_rows(found, join_rows(frames))
    assert len(set(found["_file"])) == 39


def test_files_of_one_shape_are_normalised_together(archive, monkeypatch):
    """The batch is what makes the read cheaper: fewer normalisations than files (fails without it)."""
    calls = []
    real = batch.normalise_layer

    def counting(raw, *args, **kwargs):
        calls.append(len(raw.frame))
        return real(raw, *args, **kwargs)

    monkeypatch.setattr(batch, "normalise_layer", counting)
    monkeypatch.setattr(parallel, "workers_for", lambda n, threaded_ok=False: 1)
    files = snapshot_files(archive)[:15]  # the property-less ones, two of them repaired
    results = batch.read_files(files, LoadOptions(actor="Occupied", cache=False))
    assert calls == [30]  # 15 files x 2 rows, as one frame
    repaired = [(f.name, [p.row for p in r.problems]) for f, (_, r, _) in zip(files, results, strict=True) if r.problems]
    assert [name for name, _ in repaired] == ["2022-03-05.geojson", "2022-03-14.geojson"]
    for (rows, _, _), f in zip(results, files, strict=True):
        (part,) = rows
        assert (part["_file"] == f.name).all() and part["_row"].tolist() == [1, 2]
        assert (part["date"] == np.datetime64(f.stem, "ns")).all()  # each file's rows dated by its own name


def test_a_date_column_is_parsed_with_the_file_alone(tmp_path):
    """'01/02/2022' alone is ambiguous; beside '13/02/2022' in another file it is not: never batched."""
    folder = tmp_path / "d"
    folder.mkdir()
    _write(folder, "2022-02-01", [_ring(31)], actor=["A"], date=["01/02/2022"])
    _write(folder, "2022-02-13", [_ring(31)], actor=["A"], date=["13/02/2022"])
    options = LoadOptions(cache=False)
    _, expected = _one_by_one(folder, options)
    got = Report()
    _load(folder, options, got, folder.name)
    assert _problems(got) == _problems(expected)


def test_the_batch_keeps_each_files_json_properties_as_alone(tmp_path):
    """Columns whose values differ in type between files are not joined into another type."""
    folder = tmp_path / "j"
    folder.mkdir()
    feat = {"type": "Feature", "geometry": json.loads(shapely.to_geojson(_ring(31)))}
    for i, source in enumerate(["a", 3, None, "b"]):
        doc = {"type": "FeatureCollection", "features": [{**feat, "properties": {"actor": "A", "source": source}}]}
        (folder / f"2022-01-0{i + 1}.geojson").write_text(json.dumps(doc), encoding="utf-8")
    options = LoadOptions(cache=False)
    frames, expected = _one_by_one(folder, options)
    got = load(folder, options)
    assert _problems(got.report) == _problems(expected)
    ref = normalise.join_rows(frames)
    assert got.history["source"].tolist() == list(ref["source"])


def test_files_of_geometry_alone_build_no_frame(archive, monkeypatch):
    """Property-less snapshots are read as geometry arrays and batched without building a frame per file."""
    from territory.io.readers import GeometryLayer

    built = []
    real = GeometryLayer.frame
    monkeypatch.setattr(GeometryLayer, "frame", property(lambda self: built.append(self.name) or real.fget(self),
                                                         real.fset))
    results = batch.read_files(snapshot_files(archive)[:15], LoadOptions(actor="Occupied", cache=False))
    assert built == [] and all(len(rows) == 1 for rows, _, _ in results)


def test_the_batched_read_measures_the_km2_of_the_per_file_read(archive, monkeypatch):
    """Numbers do not change: every snapshot's km² from the batched read is the per-file read's to 1e-9."""
    from territory.area import measure

    (archive / "2022-03-31.geojson").unlink()  # the refused one
    options = LoadOptions(actor="Occupied", cache=False)
    batched = load(archive, options)
    monkeypatch.setattr(batch, "MIN_BATCH", 10**9)  # every file normalised alone
    alone = load(archive, options)
    assert batched.history is not None and alone.history is not None
    a = measure(batched.history).snapshots
    b = measure(alone.history).snapshots
    pd.testing.assert_frame_equal(a.drop(columns="area_km2"), b.drop(columns="area_km2"))
    assert np.allclose(a["area_km2"], b["area_km2"], rtol=1e-9, atol=0) and (a["area_km2"] > 0).all()


def test_a_folder_read_here_stops_at_the_file_that_passes_a_cap(tmp_path, monkeypatch):
    """Files each under the caps, together over max_input_bytes: the in-process read (uploads) stops at the
    file that passes it, as a one-by-one read does, instead of reading its whole chunk first."""
    folder = tmp_path / "big"
    folder.mkdir()
    for i in range(20):
        _write(folder, f"2022-03-{i + 1:02d}", [_ring(31 + i * 0.02, 400)])
    size = (folder / "2022-03-01.geojson").stat().st_size
    read = []
    real = batch.raw_layers
    monkeypatch.setattr(batch, "raw_layers", lambda path, *a, **k: read.append(path.name) or real(path, *a, **k))
    options = LoadOptions(actor="Occupied", cache=False, max_input_bytes=int(size * 2.5))
    _, expected = _one_by_one(folder, options)
    got = Report()
    read_folder(snapshot_files(folder), options, got, workers=1)
    assert _problems(got) == _problems(expected) and got.errors[0].code == "too-big"
    assert read == ["2022-03-01.geojson", "2022-03-02.geojson", "2022-03-03.geojson"]


def test_coordinates_that_are_not_numbers_are_refused_in_a_folder_as_alone(tmp_path):
    """NaN makes a polygon invalid to GEOS: the batch must not repair it away, but leave the file to say so."""
    folder = tmp_path / "snaps"
    folder.mkdir()
    ring = "[[30,45],[31,45],[31,46],[30,46],[30,45]]"
    for day in ("01", "02", "03", "04"):
        coords = ring.replace("[31,46]", "[NaN,46]") if day == "04" else ring
        (folder / f"2022-01-{day}.geojson").write_text(
            '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
            f'"geometry":{{"type":"Polygon","coordinates":[{coords}]}}}}]}}')
    alone = Report()
    read_one(folder / "2022-01-04.geojson", LoadOptions(actor="X"), alone, "2022-01-04.geojson", in_folder=True)
    assert [p.code for p in alone.problems] == ["bad-coordinates"]
    got = load(folder, LoadOptions(actor="X", cache=False))
    assert got.history is None
    assert [(p.code, p.file, p.row) for p in got.report.problems] == [("bad-coordinates", "2022-01-04.geojson", "1")]
