"""Dataset-level validation: overlaps, duplicates, outliers, and the warned-but-loaded corpus."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from test_io_broken import WARN, options_for, read_cases

from territory.actors import AliasTable
from territory.area import area_km2, geod_area_km2
from territory.io import LoadOptions, read_history
from territory.model import canonical
from territory.validate import check_history, validate

WARN_CASES = read_cases(WARN)


@pytest.mark.parametrize("case", WARN_CASES, ids=[c["file"] for c in WARN_CASES])
def test_warned_file_loads(case):
    report = validate(WARN / case["file"], options_for(case["options"], WARN))
    assert report.ok, str(report)
    if case["code"]:
        hits = [p for p in report.warnings if p.code == case["code"]]
        assert hits, f"expected a '{case['code']}' warning:\n{report}"
        assert any(case["substring"] in str(p) for p in hits), str(report)


def _km2(message: str) -> float:
    return float(re.search(r"largest overlap ([\d,.]+) km²", message)[1].replace(",", ""))


def test_overlap_km2_is_right():
    report = validate(WARN / "overlap.geojson")
    [warning] = [p for p in report.warnings if p.code == "overlap"]
    assert "'Alpha' and 'Beta'" in warning.message
    assert "on 2 date(s)" in warning.message  # 2015-02-28 and 2015-03-31; not 2015-01-31 (they only touch)
    assert "on 2015-03-31" in warning.message  # the larger overlap
    expected = geod_area_km2([shapely.box(37.6, 47.5, 38.0, 48.5)])[0]
    assert _km2(warning.message) == pytest.approx(expected, rel=0.01)
    assert report.stats["overlapping_actor_pairs"] == 1


def test_overlap_ignores_contested_and_other_dates():
    rows = [
        ("2015-01-31", "A", "controlled", shapely.box(37, 47, 38, 48)),
        ("2015-01-31", "B", "contested", shapely.box(37.5, 47, 38.5, 48)),  # grey zone may overlap
        ("2015-03-31", "B", "controlled", shapely.box(37.5, 47, 38.5, 48)),  # A has moved by then
        ("2015-03-31", "A", "controlled", shapely.box(36, 47, 37.5, 48)),
    ]
    h = canonical(gpd.GeoDataFrame(pd.DataFrame(rows, columns=["date", "actor", "status", "geometry"])
                                   .assign(date=lambda d: pd.to_datetime(d["date"])), crs="EPSG:4326"))
    report = check_history(h)
    assert not report.problems
    # now make A still hold the overlap on 2015-03-31 via an earlier snapshot that never ends
    h2 = canonical(pd.concat([h[h["date"] < "2015-03-01"], h[(h["actor"] == "B") & (h["status"] == "controlled")]]))
    [warning] = check_history(h2).warnings
    assert "on 1 date(s)" in warning.message and "2015-03-31" in warning.message
    expected = area_km2([shapely.box(37.5, 47, 38, 48)])[0]
    assert _km2(warning.message) == pytest.approx(expected, rel=0.01)


def test_overlap_respects_valid_to():
    rows = [
        ("2015-01-31", "A", shapely.box(37, 47, 38, 48), pd.Timestamp("2015-02-15")),
        ("2015-03-01", "B", shapely.box(37.5, 47, 38.5, 48), pd.NaT),
    ]
    frame = pd.DataFrame(rows, columns=["date", "actor", "geometry", "valid_to"]).assign(
        date=lambda d: pd.to_datetime(d["date"]), status="controlled")
    h = canonical(gpd.GeoDataFrame(frame, crs="EPSG:4326"))
    assert not check_history(h).problems


def test_duplicates_name_rows():
    report = validate(WARN / "duplicates.geojson")
    [warning] = [p for p in report.warnings if p.code == "duplicate"]
    assert warning.file == "duplicates.geojson"
    assert "rows 3 (same as row 1), 4 (same as row 2)" in warning.message
    assert report.stats["duplicate_rows"] == 2


def test_z_coordinates_dropped_silently_and_counted():
    history, report = read_history(WARN / "z_coords.geojson")
    assert not report.warnings
    assert report.stats["z_dropped"] == 1
    assert not shapely.has_z(history.geometry.values).any()
    assert "reprojected_rows" not in report.stats  # 3-D WGS84 is still lon/lat


def test_bowtie_repaired():
    history, report = read_history(WARN / "bowtie.geojson")
    assert report.stats["repaired_geometries"] == 1
    assert history.geometry.is_valid.all()
    assert area_km2(history.geometry)[0] == pytest.approx(area_km2([shapely.box(37, 47, 38, 48)])[0] / 2, rel=0.01)


def test_geometry_collection_keeps_polygon():
    history, report = read_history(WARN / "geometry_collection.geojson")
    assert history.geometry.iloc[0].geom_type == "Polygon"
    assert report.stats["collections_flattened"] == 1


def test_points_mixed_with_polygons_dropped():
    history, report = read_history(WARN / "points_mixed.geojson")
    assert len(history) == 2
    assert report.stats["non_polygon_dropped"] == 2
    [w] = [p for p in report.warnings if p.code == "non-polygon"]
    assert "Point, LineString" in w.message


def test_labels_mapped_to_one_actor_via_alias_table():
    options = LoadOptions(columns={"actor": "label"}, aliases=AliasTable.from_csv(WARN / "labels_aliases.csv"))
    history, _report = read_history(WARN / "labels.geojson", options)
    assert history["actor"].unique().tolist() == ["Russia"]
    assert len(history) == 4


def test_check_history_without_provenance_numbers_history_rows():
    frame = pd.DataFrame({"date": pd.to_datetime(["2015-01-31"] * 2), "actor": "A", "status": "controlled",
                          "geometry": [shapely.box(37, 47, 38, 48)] * 2})
    report = check_history(canonical(gpd.GeoDataFrame(frame, crs="EPSG:4326")), name="mem")
    [w] = report.warnings
    assert w.code == "duplicate" and w.file == "mem" and "rows 2 (same as row 1)" in w.message


def test_clean_history_has_no_warnings(tmp_path):
    path = tmp_path / "clean.geojson"
    feats = [{"type": "Feature", "properties": {"date": f"2015-{m:02d}-01", "actor": a},
              "geometry": shapely.geometry.mapping(shapely.box(x, 47, x + 0.9, 48))}
             for m in range(1, 7) for a, x in (("A", 37.0), ("B", 38.0))]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    report = validate(path)
    assert report.ok and not report.problems, str(report)


def test_validate_refuses_and_never_raises(tmp_path):
    path = tmp_path / "x.geojson"
    path.write_text("{")
    report = validate(path)
    assert not report.ok and report.errors[0].code == "unreadable"
    report = validate(tmp_path / "missing.geojson")
    assert report.errors[0].code == "missing"


def test_unexpected_failure_becomes_internal_error(tmp_path, monkeypatch):
    path = tmp_path / "ok.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"date": "2015-01-01", "actor": "A"},
         "geometry": shapely.geometry.mapping(shapely.box(37, 47, 38, 48))}]}))

    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr("territory.io.readers.read_vector", boom)
    report = validate(path)
    [error] = report.errors
    assert error.code == "internal" and error.file == "ok.geojson" and "kaboom" in error.message


def _daily(n: int, actors: list[str]) -> gpd.GeoDataFrame:
    days = pd.date_range("2015-01-01", periods=n)
    rows = []
    for k, actor in enumerate(actors):
        for i, day in enumerate(days):
            x = 37 + k * 0.95 + (i % 10) / 100  # neighbours overlapping a little on some days
            rows.append((day, actor, "controlled", shapely.box(x, 47, x + 1, 48)))
    frame = pd.DataFrame(rows, columns=["date", "actor", "status", "geometry"])
    return canonical(gpd.GeoDataFrame(frame, crs="EPSG:4326"))


def test_many_dates_one_actor_has_no_problems():
    """800 daily snapshots of one actor: nothing to report (its speed is bench/bench_validate.py's)."""
    report = check_history(_daily(800, ["A"]))
    assert not report.problems


@pytest.mark.slow
def test_many_dates_several_actors_give_one_warning_per_pair():
    history = _daily(800, ["A", "B", "C"])
    report = check_history(history)
    overlaps = [p for p in report.warnings if p.code == "overlap"]
    assert len(overlaps) == 2  # A-B and B-C, one warning each however many dates
    assert all("on 800 date(s)" in p.message for p in overlaps)
    assert np.isfinite([_km2(p.message) for p in overlaps]).all()


def test_data_page_and_cli_name_the_same_rows(tmp_path):
    """The Data page's checks (load_dataset + check_history) cite the file's feature numbers, as validate does,
    not the row numbers of the date-sorted history (issue 18.10: row 61 on the CLI, row 77 on the page)."""
    from territory.datasets import load_dataset

    box = shapely.box(30, 46, 32, 48)
    feats = [("2022-05-01", "B", shapely.box(33, 46, 34, 47)), ("2022-03-01", "A", box),
             ("2022-04-01", "A", shapely.box(30, 46, 31, 47)), ("2022-03-01", "A", box)]  # row 4 repeats row 2
    g = gpd.GeoDataFrame({"date": [f[0] for f in feats], "actor": [f[1] for f in feats]},
                         geometry=[f[2] for f in feats], crs=4326)
    path = tmp_path / "front.geojson"
    g.to_file(path, driver="GeoJSON")
    cli = [p for p in validate(path).warnings if p.code == "duplicate"]
    ds = load_dataset(path, display_name=path.name, allow_manifest=False)
    page = [p for p in check_history(ds.history, provenance=ds.provenance, name=path.name).warnings
            if p.code == "duplicate"]
    assert [str(p) for p in cli] == [str(p) for p in page]
    assert "rows 4 (same as row 2)" in str(cli[0])


def test_a_problem_in_every_file_of_a_folder_is_said_once(tmp_path):
    """`territory validate FOLDER` without --actor: one line for all the files, a few named, not one per file."""
    from tests.cli_run import run_cli

    for i in range(12):
        gpd.GeoDataFrame(geometry=[shapely.box(30, 46, 31 + i / 10, 47)], crs=4326).to_file(
            tmp_path / f"2022-03-{i + 1:02d}.geojson", driver="GeoJSON")
    code, out, _ = run_cli("validate", str(tmp_path))
    assert code == 1
    lines = [line for line in out.splitlines() if line.startswith("error:")]
    assert lines == [("error: all 12 files (2022-03-01.geojson, 2022-03-02.geojson, 2022-03-03.geojson, …), "
                      "field 'actor': no actor column — add an 'actor' column, map one with --column actor=NAME, "
                      "or use --actor NAME")]
    assert "12 errors" in out  # the count is still of every file's problem


def test_summarised_keeps_problems_of_few_files_apart():
    from territory.report import Report

    r = Report()
    r.error("bad", file="a.geojson", field="x")
    r.error("bad", file="b.geojson", field="x")
    r.error("other", file="c.geojson")
    assert [p.file for p in r.summarised().problems] == ["a.geojson", "b.geojson", "c.geojson"]
    r.error("bad", file="d.geojson", field="x")
    assert [p.file for p in r.summarised().problems] == ["3 files (a.geojson, b.geojson, d.geojson)", "c.geojson"]


def test_a_manifest_whose_history_is_a_folder_works_everywhere(tmp_path):
    """dataset.json with "history": "snapshots" (a folder): validate, stats and the server's load agree (issue 18.10:
    stats exited 3 with IsADirectoryError while validate said 0 errors)."""
    from territory.analysis import Analysis
    from territory.datasets import load_dataset
    from tests.cli_run import run_cli
    from tests.ukraine_style import make_archive

    make_archive(tmp_path / "snapshots", 5)
    (tmp_path / "dataset.json").write_text(json.dumps({"history": "snapshots", "region": "Ukraine"}))
    code, out, _ = run_cli("validate", str(tmp_path), "--actor", "Occupied")
    assert code == 0 and "0 errors" in out
    code, out, err = run_cli("stats", str(tmp_path), "--actor", "Occupied", "--no-cache")
    assert code == 0, err
    assert len(pd.read_csv(__import__("io").StringIO(out))) == 5
    an = Analysis.from_paths(load_dataset(tmp_path, LoadOptions(actor="Occupied")))  # what serve does
    assert len(an.dates) == 5 and an.region_name() == "Ukraine"
    code, out, _ = run_cli("validate", str(tmp_path))  # without --actor: refused the same way by both
    code2, _, err2 = run_cli("stats", str(tmp_path), "--no-cache")
    assert code == code2 == 1 and "all 5 files" in out and "5 files" in err2
