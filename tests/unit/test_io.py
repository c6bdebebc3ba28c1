"""Reading every supported format, and writing/reading back without loss."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from territory.area import area_km2
from territory.io import LoadOptions, load, read_history, read_history_report, write_history
from territory.model import canonical
from territory.report import LoadError

REL = 1e-9


def _square(x: float, y: float, w: float = 0.375, h: float = 0.25) -> shapely.Polygon:
    return shapely.Polygon([(x, y), (x + w, y), (x + w, y + h), (x, y + h)])


@pytest.fixture
def history() -> gpd.GeoDataFrame:
    """Two actors, three dates, a contested zone, a valid_to and a MultiPolygon."""
    rows = [
        ("2015-01-31", "Alpha", "controlled", _square(37.125, 47.5), None, "ISW"),
        ("2015-01-31", "Beta", "controlled", _square(38.5, 47.5), None, "DSM"),
        ("2015-01-31", "Beta", "contested", _square(38.0, 47.5, 0.25), "2015-02-15", None),
        ("2015-02-28", "Alpha", "controlled",
         shapely.MultiPolygon([_square(37.125, 47.5), _square(37.625, 47.875, 0.125, 0.125)]), None, "ISW"),
        ("2015-02-28", "Beta", "controlled", _square(38.5625, 47.5), None, None),
        ("2015-03-31", "Alpha", "controlled", _square(37.0, 47.25, 0.5, 0.5), None, None),
    ]
    frame = pd.DataFrame(rows, columns=["date", "actor", "status", "geometry", "valid_to", "source"])
    frame["date"] = pd.to_datetime(frame["date"])
    frame["valid_to"] = pd.to_datetime(frame["valid_to"])
    return canonical(gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326"))


def _keys(h: gpd.GeoDataFrame) -> pd.DataFrame:
    out = h[["date", "actor", "status"]].copy()
    out["area"] = area_km2(h.geometry)
    return out.sort_values(["date", "actor", "status", "area"]).reset_index(drop=True)


def assert_same_rows(got: gpd.GeoDataFrame, want: gpd.GeoDataFrame, *, valid_to: bool = True) -> None:
    """Equal dates, actors, statuses (and valid_to); areas equal to 1e-9 relative."""
    a, b = _keys(got), _keys(want)
    assert len(a) == len(b)
    pd.testing.assert_frame_equal(a[["date", "actor", "status"]], b[["date", "actor", "status"]])
    np.testing.assert_allclose(a["area"], b["area"], rtol=REL)
    if valid_to:
        pd.testing.assert_series_equal(got["valid_to"].reset_index(drop=True),
                                       want["valid_to"].reset_index(drop=True), check_names=False)
    assert got.crs.to_epsg() == 4326


def _to_file(history: gpd.GeoDataFrame, path: Path, driver: str) -> Path:
    out = history.copy()
    if driver in {"GeoJSON", "ESRI Shapefile"}:
        for col in ("date", "valid_to"):
            out[col] = out[col].dt.strftime("%Y-%m-%d")
    out.to_file(path, driver=driver, engine="pyogrio")
    return path


def test_geojson(tmp_path, history):
    got, report = read_history(_to_file(history, tmp_path / "h.geojson", "GeoJSON"))
    assert report.ok and not report.warnings
    assert_same_rows(got, history)
    assert got.loc[got["actor"] == "Alpha", "source"].dropna().unique().tolist() == ["ISW"]


def test_geopackage(tmp_path, history):
    got, report = read_history(_to_file(history, tmp_path / "h.gpkg", "GPKG"))
    assert report.ok
    assert_same_rows(got, history)


def test_zipped_shapefile_with_prj(tmp_path, history):
    folder = tmp_path / "shp"
    folder.mkdir()
    _to_file(history, folder / "areas.shp", "ESRI Shapefile")
    parts = sorted(folder.iterdir())
    assert any(p.suffix == ".prj" for p in parts)
    with zipfile.ZipFile(tmp_path / "areas.zip", "w") as zf:
        for p in parts:
            zf.write(p, f"export/{p.name}")  # a folder inside the zip, as many tools do
    got, report = read_history(tmp_path / "areas.zip")
    assert report.ok and not report.warnings, str(report)
    assert_same_rows(got, history)


def test_zipped_shapefile_in_utm_is_transformed(tmp_path, history):
    folder = tmp_path / "shp"
    folder.mkdir()
    _to_file(history.to_crs("EPSG:32637"), folder / "areas.shp", "ESRI Shapefile")
    with zipfile.ZipFile(tmp_path / "areas.zip", "w") as zf:
        for p in folder.iterdir():
            zf.write(p, p.name)
    got, report = read_history(tmp_path / "areas.zip")
    assert report.stats["reprojected_rows"] == len(history)
    assert_same_rows(got, history)
    assert got.total_bounds[0] == pytest.approx(37.0, abs=1e-6)


def test_geopackage_in_web_mercator_is_transformed(tmp_path, history):
    got, report = read_history(_to_file(history.to_crs("EPSG:3857"), tmp_path / "h.gpkg", "GPKG"))
    assert report.stats["reprojected_rows"] == len(history)
    assert_same_rows(got, history)


def test_geoparquet(tmp_path, history):
    path = tmp_path / "h.parquet"
    history.to_parquet(path)
    got, report = read_history(path)
    assert report.ok
    assert_same_rows(got, history)


def test_csv_with_wkt(tmp_path, history):
    table = pd.DataFrame({
        "date": history["date"].dt.strftime("%Y-%m-%d"),
        "actor": history["actor"],
        "status": history["status"],
        "valid_to": history["valid_to"].dt.strftime("%Y-%m-%d").fillna(""),
        "wkt": shapely.to_wkt(np.asarray(history.geometry.values), rounding_precision=-1),
    })
    path = tmp_path / "h.csv"
    table.to_csv(path, index=False)
    got, report = read_history(path)
    assert report.ok
    assert_same_rows(got, history)


def test_csv_semicolon_separated(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("Datum;Partei;geometry\n31.01.2015;Alpha;POLYGON ((37 47, 38 47, 38 48, 37 47))\n",
                    encoding="utf-8")
    got, _ = read_history(path, LoadOptions(columns={"actor": "Partei"}))
    assert got["date"].iloc[0] == pd.Timestamp("2015-01-31")
    assert got["actor"].iloc[0] == "Alpha"


def test_folder_of_snapshots_without_properties(tmp_path):
    folder = tmp_path / "snapshots"
    folder.mkdir()
    geoms = {"2015-01-31.geojson": _square(37, 47.5), "20150228.geojson": _square(37.25, 47.5, 0.5)}
    for name, g in geoms.items():
        (folder / name).write_text(json.dumps({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(g)}]}))
    (folder / "README.md").write_text("not data")  # ignored: not a geodata suffix
    got, report = read_history(folder, LoadOptions(actor="Islamic State"))
    assert report.ok and not report.warnings
    assert got["date"].tolist() == [pd.Timestamp("2015-01-31"), pd.Timestamp("2015-02-28")]
    assert got["actor"].unique().tolist() == ["Islamic State"]
    assert got["status"].unique().tolist() == ["controlled"]
    np.testing.assert_allclose(area_km2(got.geometry), area_km2(list(geoms.values())), rtol=REL)
    # provenance names each row's file
    loaded = load(folder, LoadOptions(actor="Islamic State"))
    assert loaded.provenance["_file"].tolist() == ["2015-01-31.geojson", "20150228.geojson"]
    assert loaded.provenance["_row"].tolist() == [1, 1]


def test_single_file_named_by_date(tmp_path):
    path = tmp_path / "front_2015-05-01.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"actor": "Alpha"}, "geometry": shapely.geometry.mapping(_square(37, 47))}]}))
    got, _report = read_history(path)
    assert got["date"].tolist() == [pd.Timestamp("2015-05-01")]


def test_column_mapping(tmp_path, history):
    out = history.rename(columns={"date": "Datum", "actor": "Partei"})
    out["Datum"] = out["Datum"].dt.strftime("%Y-%m-%d")
    out["valid_to"] = out["valid_to"].dt.strftime("%Y-%m-%d")
    out.to_file(tmp_path / "h.geojson", driver="GeoJSON", engine="pyogrio")
    got, _ = read_history(tmp_path / "h.geojson", LoadOptions(columns={"date": "Datum", "actor": "Partei"}))
    assert_same_rows(got, history)
    # a mapping to a column the file lacks is an error naming the file's columns
    _, report = read_history_report(tmp_path / "h.geojson", LoadOptions(columns={"actor": "Seite"}))
    assert [p.code for p in report.errors] == ["bad-mapping"]
    assert "Partei" in report.errors[0].hint


MY_MAPS_KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2">
  <Document>
    <name>Control map</name>
    <description/>
    <Style id="poly-FF5252-1200-77-normal">
      <LineStyle><color>ff5252ff</color><width>1.2</width></LineStyle>
      <PolyStyle><color>4d5252ff</color><fill>1</fill><outline>1</outline></PolyStyle>
    </Style>
    {folders}
  </Document>
</kml>
"""

PLACEMARK = """<Placemark>
        <name>{name}</name>
        <description><![CDATA[date: {date}<br>actor: {actor}<br>status: {status}]]></description>
        <styleUrl>#poly-FF5252-1200-77</styleUrl>
        <ExtendedData>
          <Data name="date"><value>{date}</value></Data>
          <Data name="actor"><value>{actor}</value></Data>
          <Data name="status"><value>{status}</value></Data>
        </ExtendedData>
        {geometry}
      </Placemark>"""


def _kml_geometry(g: shapely.Geometry) -> str:
    def polygon(p: shapely.Polygon) -> str:
        coords = " ".join(f"{x!r},{y!r},0" for x, y in p.exterior.coords)
        return ("<Polygon><outerBoundaryIs><LinearRing><tessellate>1</tessellate><coordinates>"
                f"{coords}</coordinates></LinearRing></outerBoundaryIs></Polygon>")

    if g.geom_type == "MultiPolygon":
        return "<MultiGeometry>" + "".join(polygon(p) for p in g.geoms) + "</MultiGeometry>"
    return polygon(g)


def my_maps_kml(history: gpd.GeoDataFrame, *, with_dates: bool = True) -> str:
    """KML as Google My Maps exports it: one Folder per map layer (here: per actor)."""
    folders = []
    for actor, rows in history.groupby("actor", sort=True):
        marks = []
        for i, row in enumerate(rows.itertuples()):
            mark = PLACEMARK.format(name=f"Polygon {i + 1}", date=f"{row.date:%Y-%m-%d}", actor=actor,
                                    status=row.status, geometry=_kml_geometry(row.geometry))
            if not with_dates:
                mark = mark.replace(f'<Data name="date"><value>{row.date:%Y-%m-%d}</value></Data>', "")
            marks.append(mark)
        folders.append(f"<Folder>\n      <name>{actor}</name>\n      " + "\n      ".join(marks) + "\n    </Folder>")
    return MY_MAPS_KML.format(folders="\n    ".join(folders))


def test_kml_as_google_my_maps_exports_it(tmp_path, history):
    path = tmp_path / "Control map.kml"
    path.write_text(my_maps_kml(history), encoding="utf-8")
    got, report = read_history(path)
    assert report.ok, str(report)
    assert_same_rows(got, history, valid_to=False)
    assert got["note"].str.startswith("date: ").all()  # the description is kept as the note


def test_kmz_as_google_my_maps_exports_it(tmp_path, history):
    path = tmp_path / "Control map.kmz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("doc.kml", my_maps_kml(history))
        zf.writestr("images/icon-1.png", b"\x89PNG\r\n\x1a\n")
    got, report = read_history(path)
    assert report.ok, str(report)
    assert_same_rows(got, history, valid_to=False)


def test_kml_dates_from_timestamp_and_timespan(tmp_path):
    box = "<Polygon><outerBoundaryIs><LinearRing><coordinates>37,47 37.5,47 37.5,47.5 37,47</coordinates></LinearRing></outerBoundaryIs></Polygon>"
    kml = f"""<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Folder><name>Alpha</name>
<Placemark><name>Alpha</name><TimeStamp><when>2015-01-31</when></TimeStamp>{box}</Placemark>
<Placemark><name>Alpha</name><TimeSpan><begin>2015-02-28</begin><end>2015-03-15</end></TimeSpan>{box}</Placemark>
</Folder></Document></kml>"""
    path = tmp_path / "timed.kml"
    path.write_text(kml, encoding="utf-8")
    got, report = read_history(path)
    assert got["date"].tolist() == [pd.Timestamp("2015-01-31"), pd.Timestamp("2015-02-28")]
    assert got["valid_to"].iloc[1] == pd.Timestamp("2015-03-15")
    assert got["actor"].unique().tolist() == ["Alpha"]
    assert any(p.code == "actor-from-name" for p in report.warnings)


def test_kml_date_from_file_name(tmp_path, history):
    path = tmp_path / "2015-03-31.kml"
    path.write_text(my_maps_kml(history.iloc[[0]], with_dates=False), encoding="utf-8")
    got, _ = read_history(path)
    assert got["date"].tolist() == [pd.Timestamp("2015-03-31")]


@pytest.mark.parametrize("suffix", [".parquet", ".gpkg", ".geojson"])
def test_round_trip(tmp_path, history, suffix):
    first, _ = read_history(_to_file(history, tmp_path / "in.gpkg", "GPKG"))
    written = write_history(first, tmp_path / f"out{suffix}")
    again, report = read_history(written)
    assert report.ok and not report.warnings, str(report)
    assert_same_rows(again, first)
    assert list(again.columns) == list(first.columns)
    for col in ("date", "actor", "status", "valid_to", "source", "source_url", "note"):
        pd.testing.assert_series_equal(again[col], first[col], check_dtype=suffix != ".geojson")
    if suffix == ".geojson":
        assert shapely.equals_exact(again.geometry.values, first.geometry.values, tolerance=1e-12).all()
    else:
        assert (shapely.to_wkb(again.geometry.values) == shapely.to_wkb(first.geometry.values)).all()
        assert again.equals(first)
    # writing twice overwrites (GDAL would otherwise append a layer or refuse)
    write_history(again, written)
    assert len(read_history(written)[0]) == len(first)


def test_round_trip_keeps_empty_geometry_rows(tmp_path, history):
    """An empty geometry row means 'holds nothing from this day': it must survive a round trip."""
    h = history.copy()
    h.loc[len(h)] = [pd.Timestamp("2015-04-30"), "Beta", "controlled", shapely.Polygon(), pd.NaT, None, None, None]
    h = canonical(h)
    for suffix in (".parquet", ".gpkg", ".geojson"):
        back, _ = read_history(write_history(h, tmp_path / f"e{suffix}"))
        assert len(back) == len(h)
        assert back.geometry.is_empty.sum() == 1, suffix


def test_write_refuses_unknown_suffix(tmp_path, history):
    with pytest.raises(ValueError, match=r"use \.parquet"):
        write_history(history, tmp_path / "h.xlsx")


def test_read_history_raises_load_error_with_report(tmp_path):
    path = tmp_path / "empty.geojson"
    path.write_bytes(b"")
    with pytest.raises(LoadError) as info:
        read_history(path)
    assert info.value.report.errors[0].code == "empty"
    assert "empty.geojson" in str(info.value)


def test_missing_path_is_reported(tmp_path):
    history, report = read_history_report(tmp_path / "nope.geojson")
    assert history is None and report.errors[0].code == "missing"


def test_tz_aware_dates_keep_their_local_day(tmp_path):
    path = tmp_path / "h.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"actor": "A", "date": "2015-01-31T01:30:00+03:00"},
         "geometry": shapely.geometry.mapping(_square(37, 47))}]}))
    got, _ = read_history(path)
    assert got["date"].tolist() == [pd.Timestamp("2015-01-31")]


def test_split_antimeridian_multipolygon_is_accepted(tmp_path):
    g = shapely.MultiPolygon([shapely.box(179, 64, 180, 66), shapely.box(-180, 64, -179, 66)])
    path = tmp_path / "chukotka.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"actor": "A", "date": "2015-01-31"},
         "geometry": shapely.geometry.mapping(g)}]}))
    got, report = read_history(path)
    assert report.ok and len(got) == 1


def test_bad_options_are_reported_not_raised(tmp_path, history):
    path = _to_file(history, tmp_path / "h.geojson", "GeoJSON")
    _, report = read_history_report(path, LoadOptions(date="someday", status="liberated"))
    assert sorted(p.code for p in report.errors) == ["bad-option", "bad-option"]


def test_empty_kml_folder_is_skipped(tmp_path, history):
    text = my_maps_kml(history).replace("</Document>", "<Folder><name>Empty layer</name></Folder></Document>")
    path = tmp_path / "m.kml"
    path.write_text(text, encoding="utf-8")
    got, _report = read_history(path)
    assert len(got) == len(history)


def test_multi_layer_geopackage_skips_layers_without_polygons(tmp_path, history):
    path = _to_file(history, tmp_path / "h.gpkg", "GPKG")
    gpd.GeoDataFrame({"label": ["Kyiv"]}, geometry=[shapely.Point(30.5, 50.45)], crs="EPSG:4326").to_file(
        path, layer="towns", engine="pyogrio")
    got, report = read_history(path)
    assert_same_rows(got, history)
    assert [p.code for p in report.warnings] == ["layer-skipped"]


def test_zipped_folder_of_snapshots(tmp_path):
    path = tmp_path / "snapshots.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for day, x in (("2015-01-31", 37.0), ("2015-02-28", 37.5)):
            zf.writestr(f"daily/{day}.geojson", json.dumps({"type": "FeatureCollection", "features": [
                {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(_square(x, 47))}]}))
        zf.writestr("daily/README.txt", "Snapshots of the front line")
    got, _ = read_history(path, LoadOptions(actor="Alpha"))
    assert got["date"].tolist() == [pd.Timestamp("2015-01-31"), pd.Timestamp("2015-02-28")]


@pytest.mark.slow
def test_folder_of_800_snapshots_reads_every_date(tmp_path):
    """800 property-less daily files read as 800 dates (their speed is bench/bench_stats.py's)."""
    folder = tmp_path / "daily"
    folder.mkdir()
    for i, day in enumerate(pd.date_range("2015-01-01", periods=800)):
        g = _square(37 + (i % 40) / 100, 47.5)
        (folder / f"{day:%Y-%m-%d}.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(g)}]}))
    got, report = read_history(folder, LoadOptions(actor="Alpha"))
    assert len(got) == 800 and report.stats["dates"] == 800
