"""Bounded work (issue 9.4): every input is capped, the cap is named when hit, nothing grows faster than the input.

Each hostile input is generated here, small enough to run fast now that the steps are
linear; a subprocess timeout is only a hang guard, never the assertion.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from contextlib import redirect_stderr

import geopandas as gpd
import numpy as np
import pytest
import shapely

from territory.analysis import FOOTPRINT_PARTS, coarse_footprint
from territory.cli_options import progress_line
from territory.io import load
from territory.io.options import LIMITS, UPLOAD_LIMITS, LoadOptions
from tests.cli_run import run_cli as _run


@pytest.fixture
def folder(tmp_path):
    snaps = tmp_path / "snaps"
    snaps.mkdir()
    for i in range(3):
        ring = shapely.Point(31 + i * 0.1, 47).buffer(1.0, 50)  # ~200 vertices each
        gpd.GeoDataFrame(geometry=[ring], crs=4326).to_file(snaps / f"2022-03-0{i + 1}.geojson")
    return snaps


def _refused_with(loaded, cap: str, file: str | None = None):
    assert loaded.history is None
    hits = [p for p in loaded.report.errors if cap in p.message]
    assert hits, [p.message for p in loaded.report.errors]
    if file:
        assert hits[0].file == file
    assert hits[0].hint
    return hits[0]


@pytest.mark.parametrize("cap, value", [("max_vertices", 500), ("max_features", 2), ("max_parts", 2),
                                        ("max_input_bytes", 2 * 1024)])
def test_folder_over_a_cap_is_refused_naming_the_cap_and_the_file(folder, cap, value):
    loaded = load(folder, LoadOptions(actor="Occupied", **{cap: value}))
    problem = _refused_with(loaded, cap)
    assert problem.file.endswith(".geojson")
    assert f"{value:,}" in problem.message


def test_same_folder_under_the_caps_loads(folder):
    assert load(folder, LoadOptions(actor="Occupied")).history is not None
    assert load(folder, LoadOptions(actor="Occupied", **UPLOAD_LIMITS)).history is not None


def test_upload_limits_are_tighter_and_every_cap_is_described():
    defaults = LoadOptions()
    for cap, value in UPLOAD_LIMITS.items():
        assert value <= getattr(defaults, cap), cap
    assert set(UPLOAD_LIMITS) <= set(LIMITS)
    assert all(hasattr(defaults, cap) for cap in LIMITS)


def test_two_thousand_actors_are_refused_with_the_cap_named(tmp_path):
    n = 2000
    xs = np.arange(n) % 50 * 0.02
    ys = np.arange(n) // 50 * 0.02
    frame = gpd.GeoDataFrame({"date": ["2022-03-01"] * n, "actor": [f"Brigade {i}" for i in range(n)]},
                             geometry=shapely.box(30 + xs, 45 + ys, 30.015 + xs, 45.015 + ys), crs=4326)
    path = tmp_path / "actors.geojson"
    frame.to_file(path)
    code, out, err = _run("stats", str(path))
    assert code == 1
    assert "max_actors" in err and "2,000" in err
    assert out == ""


def test_a_100k_part_multipolygon_completes(tmp_path):
    """The region guess used to simplify (preserve_topology) all parts: > 170 s. Now bounded."""
    k = 100_000
    i = np.arange(k)
    x, y = 30 + (i % 400) * 0.02, 45 + (i // 400) * 0.02
    parts = shapely.box(x, y, x + 0.01, y + 0.01)
    footprint = coarse_footprint(np.array([shapely.MultiPolygon(list(parts))], dtype=object), 0.02)
    assert not footprint.is_empty
    assert shapely.get_num_geometries(footprint) <= FOOTPRINT_PARTS
    path = tmp_path / "2022-03-01.geojson"
    gpd.GeoDataFrame(geometry=[shapely.MultiPolygon(list(parts))], crs=4326).to_file(path)
    proc = subprocess.run([sys.executable, "-m", "territory.cli", "stats", str(path), "--actor", "Occupied",
                           "--no-cache"], capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "Occupied" in proc.stdout and "Ukraine" in proc.stdout


def _kmz(path, kml: bytes):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("doc.kml", kml)


def test_kmz_expanding_past_the_kml_cap_is_refused(tmp_path):
    padding = b"<!-- " + b"x" * (3 * 1024 * 1024) + b" -->"
    kml = (b'<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
           + padding + b"</Document></kml>")
    path = tmp_path / "big.kmz"
    _kmz(path, kml)
    assert path.stat().st_size < 100_000  # tiny on disk
    loaded = load(path, LoadOptions(actor="X", max_kml_bytes=1024 * 1024))
    _refused_with(loaded, "max_kml_bytes", "big.kmz")


def test_deep_kml_is_checked_in_constant_memory(tmp_path):
    """Well-formedness is checked by iterparse, dropping elements as they end."""
    from territory.io.xml import check_kml
    from territory.report import Report

    body = b"<Folder><name>f</name></Folder>" * 200_000
    kml = b'<kml xmlns="http://www.opengis.net/kml/2.2"><Document>' + body + b"</Document></kml>"
    report = Report()
    assert check_kml(kml, "many.kml", report)
    assert report.ok


def test_progress_is_reported_per_file(folder):
    seen: list[tuple[int, int]] = []
    loaded = load(folder, LoadOptions(actor="Occupied", cache=False, progress=lambda d, t: seen.append((d, t))))
    assert loaded.history is not None
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_progress_never_reaches_stdout_and_is_off_without_a_terminal(folder):
    code, out, err = _run("stats", str(folder), "--actor", "Occupied", "--no-cache")
    assert code == 0
    assert out.startswith("date,actor,status")
    assert "reading" not in err
    buf = io.StringIO()
    with redirect_stderr(buf):
        progress_line(1, 3)
        progress_line(3, 3)
    assert buf.getvalue() == "\rterritory: reading 1/3 files\rterritory: reading 3/3 files\n"


def test_options_with_a_progress_callback_keep_their_cache_key():
    a = LoadOptions(actor="X")
    b = LoadOptions(actor="X", progress=lambda d, t: None)
    assert repr(a) == repr(b) and a == b
    json.dumps({"options": repr(b)})


def test_overlap_check_of_two_thousand_actors_finds_the_one_overlap():
    """Actor pairs come from a tree of snapshot boxes, not from trying all 2 million pairs."""
    from territory.validate import check_history
    from tests.conftest import make_history

    n = 2000
    rows = [("2022-03-01", f"Brigade {i}", "controlled",
             shapely.box(30 + (i % 50) * 0.05, 45 + (i // 50) * 0.05, 30.04 + (i % 50) * 0.05, 45.04 + (i // 50) * 0.05))
            for i in range(n)]
    rows.append(("2022-03-01", "Intruder", "controlled", shapely.box(30.01, 45.01, 30.03, 45.03)))  # inside Brigade 0
    report = check_history(make_history(rows))
    overlaps = [p for p in report.warnings if p.code == "overlap"]
    assert len(overlaps) == 1
    assert "'Brigade 0' and 'Intruder'" in overlaps[0].message
