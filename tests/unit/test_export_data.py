"""Data exports read back with their own readers: GeoJSON/GPKG via geopandas, CSV/JSON."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from territory.analysis import Analysis
from territory.export import write_state, write_table
from territory.export.data import STATE_COLUMNS, state_frame
from territory.export.sample import synthetic_dataset

DAY = "2014-09-15"
HOSTILE = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture(scope="module")
def analysis() -> Analysis:
    return Analysis.of(synthetic_dataset(12, extra_actor=HOSTILE))


@pytest.mark.parametrize("fmt", ["geojson", "gpkg"])
def test_state_round_trip(analysis: Analysis, tmp_path: Path, fmt: str) -> None:
    expected = state_frame(analysis, DAY)
    out = write_state(analysis, DAY, tmp_path / f"state.{fmt}")
    back = gpd.read_file(out)
    assert list(back.columns) == [*STATE_COLUMNS, "geometry"]
    assert len(back) == len(expected) > 0
    for col in ("actor", "status", "source"):
        assert back[col].tolist() == expected[col].tolist(), col
    for col in ("date", "valid_until", "as_of"):  # GDAL may read ISO strings back as dates
        got = pd.to_datetime(back[col]).dt.strftime("%Y-%m-%d").where(back[col].notna(), None)
        assert got.tolist() == expected[col].tolist(), col
    assert back["area_km2"].round(3).tolist() == pytest.approx(expected["area_km2"].tolist())
    assert back.crs.to_epsg() == 4326
    assert back.geometry.geom_equals_exact(expected.geometry, tolerance=1e-9).all()
    assert HOSTILE in set(back["actor"])  # GIS formats keep names verbatim


def test_state_areas_match_the_analysis(analysis: Analysis) -> None:
    frame = state_frame(analysis, DAY)
    table = analysis.table
    on = table[table["date"] == max(d for d in analysis.dates if d <= pd.Timestamp(DAY))]
    a = frame.groupby(["actor", "status"])["area_km2"].sum()
    b = on.set_index(["actor", "status"])["area_km2"]
    for key, km2 in a.items():  # one row per snapshot here, so row areas add up to the union
        assert km2 == pytest.approx(b[key], rel=1e-6)


@pytest.mark.parametrize("table", ["stats", "change", "claims"])
def test_csv_neutralises_formulas(analysis: Analysis, tmp_path: Path, table: str) -> None:
    out = write_table(analysis, table, tmp_path / f"{table}.csv")
    rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    assert rows
    cells = [v for r in rows for v in r.values()]
    assert not any(isinstance(v, str) and v.startswith(("=", "+", "@")) for v in cells)
    if table != "claims":
        assert "'" + HOSTILE in {r["actor"] for r in rows}


def test_json_keeps_text_verbatim(analysis: Analysis, tmp_path: Path) -> None:
    out = write_table(analysis, "stats", tmp_path / "stats.json")
    records = json.loads(out.read_text(encoding="utf-8"))
    assert HOSTILE in {r["actor"] for r in records}


def test_change_since_is_a_summary(analysis: Analysis, tmp_path: Path) -> None:
    out = write_table(analysis, "change", tmp_path / "c.csv", day=DAY, since="2014-03-01")
    frame = pd.read_csv(out)
    assert len(frame) > 0


def test_unknown_table_refused(analysis: Analysis, tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_table(analysis, "nope", tmp_path / "x.csv")
    with pytest.raises(ValueError):
        write_state(analysis, DAY, tmp_path / "x.shp")


def test_state_export_carries_the_union_area_of_each_snapshot():
    import shapely

    from territory.analysis import Analysis
    from territory.area import union_area_km2
    from territory.datasets import Dataset
    from territory.export.data import state_frame
    from territory.report import Report
    from tests.conftest import make_history

    a, b = shapely.box(30, 46, 32, 48), shapely.box(31, 46, 33, 48)
    h = make_history([("2022-03-01", "X", "controlled", a), ("2022-03-01", "X", "controlled", b)])
    frame = state_frame(Analysis.of(Dataset("t", "t", h, {"X": "#000000"}, Report())), "2022-03-02")
    assert (frame["snapshot_km2"] == frame["snapshot_km2"].iloc[0]).all()
    assert frame["snapshot_km2"].iloc[0] == pytest.approx(union_area_km2([a, b]), rel=1e-6)
    assert frame["area_km2"].sum() > frame["snapshot_km2"].iloc[0]
