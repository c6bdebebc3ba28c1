"""Generate the test corpus of broken and warned-about inputs (reproducibly).

    .venv/bin/python scripts/make_broken_corpus.py

writes ``tests/data/broken/`` (inputs that must be refused, each with a specific
error) and ``tests/data/warn/`` (inputs that load with warnings), plus
``cases.csv`` in each folder: ``file,code,substring,options``. ``code`` is the
:class:`~territory.report.Problem` code expected, ``substring`` a piece of text
expected in ``str(problem)`` (message, row, field or hint) and ``options``
``key=value`` pairs (``;``-separated) for :class:`~territory.io.LoadOptions`.

Every file is small and byte-for-byte reproducible: fixed seeds, fixed zip
timestamps, no tool versions embedded.
"""

from __future__ import annotations

import csv
import io
import json
import random
import shutil
import struct
import sys
import tempfile
import warnings
import zipfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ZIP_TIME = (2020, 1, 1, 0, 0, 0)
#: The host every file that tries the network names: tests rewrite the port to a local listener's
#: (five digits, same length) and assert that it got no connection.
NET = "127.0.0.1:47913"


def square(x: float, y: float, size: float = 0.5) -> list[list[list[float]]]:
    return [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]]


def feature(props: dict | None, geometry: dict | None) -> dict:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def poly(x: float = 37.0, y: float = 47.5, size: float = 0.5) -> dict:
    return {"type": "Polygon", "coordinates": square(x, y, size)}


def collection(*features: dict, **extra: object) -> dict:
    return {"type": "FeatureCollection", **extra, "features": list(features)}


def write_json(path: Path, obj: object) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def write_zip(path: Path, members: dict[str, bytes], compress: int = zipfile.ZIP_DEFLATED) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = compress
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)


def shapefile_parts(with_prj: bool = True) -> dict[str, bytes]:
    """A one-polygon shapefile's parts, written by GDAL into a temp folder."""
    import geopandas as gpd
    import shapely

    frame = gpd.GeoDataFrame(
        {"date": ["2015-01-31"], "actor": ["Alpha"]},
        geometry=[shapely.box(37.0, 47.5, 37.5, 48.0)], crs="EPSG:4326",
    )
    with tempfile.TemporaryDirectory() as tmp:
        shp = Path(tmp) / "areas.shp"
        frame.to_file(shp, driver="ESRI Shapefile", engine="pyogrio")
        parts = {p.name: p.read_bytes() for p in sorted(Path(tmp).iterdir())}
    dbf = bytearray(parts["areas.dbf"])
    dbf[1:4] = bytes([120, 1, 1])  # DBF "last update" (YY-1900, MM, DD): fixed, for reproducibility
    parts["areas.dbf"] = bytes(dbf)
    if not with_prj:
        parts.pop("areas.prj", None)
    return parts


def png_bytes() -> bytes:
    """A valid 1x1 PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
            + chunk(b"IEND", b""))


KML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
KML_BODY = """<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>m</name>
<Placemark><name>{name}</name><Polygon><outerBoundaryIs><LinearRing><coordinates>
37,47.5,0 37.5,47.5,0 37.5,48,0 37,48,0 37,47.5,0
</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>
</Document></kml>
"""


def make_broken(out: Path) -> list[tuple[str, str, str, str]]:
    cases: list[tuple[str, str, str, str]] = []

    def case(file: str, code: str, substring: str, options: str = "") -> None:
        cases.append((file, code, substring, options))

    good = {"date": "2015-01-31", "actor": "Alpha", "status": "controlled"}

    (out / "not_geodata_png.geojson").write_bytes(png_bytes())
    case("not_geodata_png.geojson", "unreadable", "could not be read as geodata")

    (out / "text_renamed.geojson").write_text("Meeting notes: the front moved again.\n", encoding="utf-8")
    case("text_renamed.geojson", "unreadable", "could not be read as geodata")

    (out / "picture.png").write_bytes(png_bytes())
    case("picture.png", "unsupported", "unsupported file type '.png'")

    text = json.dumps(collection(feature(good, poly()), feature(good, poly(38))))
    (out / "truncated.geojson").write_text(text[: len(text) // 2], encoding="utf-8")
    case("truncated.geojson", "unreadable", "truncated")

    rng = random.Random(20240101)
    (out / "corrupt.gpkg").write_bytes(bytes(rng.randrange(256) for _ in range(2048)))
    case("corrupt.gpkg", "unreadable", "could not be read as geodata")

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in shapefile_parts().items():
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    whole = buf.getvalue()
    (out / "truncated.zip").write_bytes(whole[: len(whole) // 2])
    case("truncated.zip", "zip-corrupt", "not a readable zip archive")

    (out / "empty.geojson").write_bytes(b"")
    case("empty.geojson", "empty", "0 bytes")

    write_json(out / "zero_features.geojson", collection())
    case("zero_features.geojson", "no-features", "contains no features")

    write_json(out / "missing_date.geojson", collection(
        feature(good, poly()), feature({**good, "date": None}, poly(38))))
    case("missing_date.geojson", "bad-date", "row 2, field 'date': date missing")

    write_json(out / "unparseable_date.geojson", collection(
        feature(good, poly()), feature(good, poly(38)), feature({**good, "date": "sometime in 2015"}, poly(39))))
    case("unparseable_date.geojson", "bad-date", "row 3, field 'date': date 'sometime in 2015' is not a date")

    write_json(out / "no_actor_column.geojson", collection(
        feature({"date": "2015-01-31", "status": "controlled"}, poly())))
    case("no_actor_column.geojson", "no-actor", "no actor column")

    rows = [["date", "actor", "geometry"],
            ["2015-01-31", "Alpha", "POLYGON ((37 47.5, 37.5 47.5, 37.5 48, 37 47.5))"],
            ["2015-01-31", "", "POLYGON ((38 47.5, 38.5 47.5, 38.5 48, 38 47.5))"],
            ["2015-01-31", "   ", "POLYGON ((39 47.5, 39.5 47.5, 39.5 48, 39 47.5))"]]
    write_csv(out / "empty_actor.csv", rows)
    case("empty_actor.csv", "no-actor", "row 3, field 'actor': actor is missing")

    rows = [["date", "actor", "wkt"],
            ["2015-01-31", "Alpha", "POLYGON ((400000 5300000, 450000 5300000, 450000 5350000, 400000 5300000))"]]
    write_csv(out / "utm_no_crs.csv", rows)
    case("utm_no_crs.csv", "projected-no-crs", "declares no CRS")

    write_json(out / "utm_no_crs.geojson", collection(feature(good, {
        "type": "Polygon",
        "coordinates": [[[400000, 5300000], [450000, 5300000], [450000, 5350000], [400000, 5300000]]]})))
    case("utm_no_crs.geojson", "projected-no-crs", "not lon/lat")

    # A number no unit puts on Earth is a corrupt file, not "metres?".
    write_json(out / "absurd_coordinates.geojson", collection(feature(good, {
        "type": "Polygon", "coordinates": [[[37, 47], [1e300, 47], [37.5, 48], [37, 47]]]})))
    case("absurd_coordinates.geojson", "absurd-coordinates", "no place on Earth")

    write_zip(out / "zip_no_shp.zip", {"README.txt": b"Shapefile to follow.\n", "map.pdf": b"%PDF-1.4\n"})
    case("zip_no_shp.zip", "zip-no-shp", "contains no .shp")

    parts = shapefile_parts()
    write_zip(out / "zip_slip.zip", {"../evil.shp": parts["areas.shp"], "../evil.shx": parts["areas.shx"],
                                     "../evil.dbf": parts["areas.dbf"]})
    case("zip_slip.zip", "zip-slip", "'../evil.shp' has a path that escapes")

    write_zip(out / "zip_bomb.zip", {"areas.shp": b"\0" * (4 * 2**20), "areas.shx": parts["areas.shx"],
                                     "areas.dbf": parts["areas.dbf"]})
    case("zip_bomb.zip", "zip-too-large", "more than the limit of 1.0 MiB", "max_unzipped_bytes=1048576")

    # A member whose header declares 64 bytes but whose data inflates to 4 MiB.
    write_zip(out / "zip_lying_sizes.zip", {"areas.shp": b"\0" * (4 * 2**20)})
    data = bytearray((out / "zip_lying_sizes.zip").read_bytes())
    _patch_sizes(data, 64)
    (out / "zip_lying_sizes.zip").write_bytes(bytes(data))
    case("zip_lying_sizes.zip", "zip-corrupt", "not a readable zip archive")

    write_zip(out / "shp_missing_dbf.zip", {k: v for k, v in parts.items() if not k.endswith(".dbf")})
    case("shp_missing_dbf.zip", "shp-incomplete", "lacks its .dbf part")

    write_zip(out / "shp_missing_shx.zip", {k: v for k, v in parts.items() if not k.endswith(".shx")})
    case("shp_missing_shx.zip", "shp-incomplete", "lacks its .shx part")

    lol = "".join(f'  <!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">\n' for i in range(1, 10))
    (out / "billion_laughs.kml").write_text(
        KML_HEAD + '<!DOCTYPE kml [\n  <!ENTITY lol0 "lol">\n' + lol + "]>\n"
        + KML_BODY.format(name="&lol9;"), encoding="utf-8")
    case("billion_laughs.kml", "kml-entity", "refused, never expanded")

    (out / "external_entity.kml").write_text(
        KML_HEAD + '<!DOCTYPE kml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        + KML_BODY.format(name="&xxe;"), encoding="utf-8")
    case("external_entity.kml", "kml-entity", "DOCTYPE or entity declaration")

    (out / "malformed.kml").write_text(KML_HEAD + KML_BODY.format(name="Alpha").replace("</Placemark>", ""),
                                       encoding="utf-8")
    case("malformed.kml", "kml-malformed", "not well-formed XML")

    (out / "not_kml.kml").write_text(KML_HEAD + "<html><body>Export failed</body></html>\n", encoding="utf-8")
    case("not_kml.kml", "kml-not-kml", "not <kml>")

    write_zip(out / "kmz_without_kml.kmz", {"files/icon.png": png_bytes()})
    case("kmz_without_kml.kmz", "kmz-empty", "KMZ holds no .kml document")

    (out / "kmz_not_zip.kmz").write_text(KML_HEAD + KML_BODY.format(name="Alpha"), encoding="utf-8")
    case("kmz_not_zip.kmz", "zip-corrupt", "not a readable zip archive")

    write_csv(out / "csv_without_wkt.csv", [["date", "actor", "lon", "lat"], ["2015-01-31", "Alpha", "37.5", "47.5"]])
    case("csv_without_wkt.csv", "no-wkt", "CSV has no WKT geometry column")

    rows = [["date", "actor", "geometry"]]
    for i in range(5):
        x = 30 + i
        rows.append(["2015-01-31", "Alpha", f"POLYGON (({x} 47, {x + 0.5} 47, {x + 0.5} 48, {x} 47))"])
    rows[3][2] = "POLYGON ((32 47, 32.5 47, 32.5"
    write_csv(out / "csv_invalid_wkt.csv", rows)
    case("csv_invalid_wkt.csv", "bad-wkt", "row 4, field 'geometry': not valid WKT")

    (out / "csv_unquoted_wkt.csv").write_text(
        "date,actor,geometry\n2015-01-31,Alpha,POLYGON ((37 47.5, 37.5 47.5, 37.5 48, 37 47.5))\n", encoding="utf-8")
    case("csv_unquoted_wkt.csv", "csv-fields", "row 2: row has 6 fields but the header has 3")

    write_json(out / "only_null_geometry.geojson", collection(feature(good, None), feature(good, None)))
    case("only_null_geometry.geojson", "no-rows", "no usable rows")

    write_csv(out / "csv_header_only.csv", [["date", "actor", "geometry"]])
    case("csv_header_only.csv", "no-features", "contains no features")

    write_json(out / "unknown_status.geojson", collection(
        feature(good, poly()), feature({**good, "status": "liberated-ish"}, poly(38))))
    case("unknown_status.geojson", "bad-status", "row 2, field 'status': status 'liberated-ish' is not one of")

    write_json(out / "valid_to_before_date.geojson", collection(
        feature({**good, "valid_to": "2015-01-01"}, poly())))
    case("valid_to_before_date.geojson", "bad-interval", "row 1, field 'valid_to': valid_to is not after date")

    write_json(out / "antimeridian.geojson", collection(feature(good, {
        "type": "Polygon", "coordinates": [[[179, 64], [-179, 64], [-179, 66], [179, 66], [179, 64]]]})))
    case("antimeridian.geojson", "antimeridian", "crosses the antimeridian")

    write_json(out / "over_size_limit.geojson", collection(*(feature(good, poly(30 + i)) for i in range(10))))
    case("over_size_limit.geojson", "too-large", "more than the limit of 1.0 KiB", "max_file_bytes=1024")

    folder = out / "folder_no_date"
    folder.mkdir()
    write_json(folder / "2015-01-31.geojson", collection(feature(None, poly())))
    write_json(folder / "latest.geojson", collection(feature(None, poly(38))))
    case("folder_no_date", "no-date", "latest.geojson", "actor=Alpha")

    write_json(out / "only_points.geojson", collection(
        feature(good, {"type": "Point", "coordinates": [37, 47]}),
        feature(good, {"type": "Point", "coordinates": [38, 48]})))
    case("only_points.geojson", "no-rows", "no usable rows")

    write_json(out / "date_out_of_range.geojson", collection(feature({**good, "date": "0001-01-01"}, poly())))
    case("date_out_of_range.geojson", "bad-date", "'0001-01-01' is before 1678-01-01")

    write_json(out / "mapped_column_missing.geojson", collection(feature(good, poly())))
    case("mapped_column_missing.geojson", "bad-mapping", "mapped column 'Datum' (for date) is not in the file",
         "columns.date=Datum")

    (out / "plain.parquet").write_bytes(_plain_parquet())
    case("plain.parquet", "not-geoparquet", "without GeoParquet metadata")

    write_json(out / "latlon_swapped_crs.geojson", collection(feature(good, {
        "type": "Polygon", "coordinates": [[[37, 95], [37.5, 95], [37.5, 96], [37, 95]]]})))
    case("latlon_swapped_crs.geojson", "out-of-range", "outside the lon/lat range")

    _hostile(out, case, good)
    _doors(out, case, good)
    return cases


def _hostile(out: Path, case, good: dict) -> None:
    """Issue 9's hostile inputs: links, contradictions, wrong types, broken coordinates, guessed dates."""
    link = {"type": "link", "properties": {"href": "http://127.0.0.1:9/crs.proj4", "type": "proj4"}}
    write_json(out / "crs_link.geojson", collection(feature(good, poly()), crs=link))
    case("crs_link.geojson", "crs-link", "field 'crs': the file's 'crs' member is a 'link' CRS")

    # GDAL picks its driver by content: JSON named .gpkg is still read as GeoJSON.
    (out / "crs_link_named.gpkg").write_text(json.dumps(collection(feature(good, poly()), crs=link)),
                                            encoding="utf-8")
    case("crs_link_named.gpkg", "crs-link", "never follows links")

    write_json(out / "crs_name_url.geojson", collection(feature(good, poly()), crs={
        "type": "name", "properties": {"name": "https://evil.invalid/crs"}}))
    case("crs_name_url.geojson", "crs-link", "a CRS given as a URL")

    write_json(out / "crs_file_path.geojson", collection(feature(good, poly()), crs={
        "type": "link", "properties": {"href": "/etc/passwd", "type": "ogcwkt"}}))
    case("crs_file_path.geojson", "crs-link", "/etc/passwd")

    write_json(out / "crs_3857_on_degrees.geojson", collection(feature(good, poly()), crs={
        "type": "name", "properties": {"name": "EPSG:3857"}}))
    case("crs_3857_on_degrees.geojson", "crs-contradiction", "contradicts the coordinates")

    write_json(out / "dict_actor.geojson", collection(feature({**good, "actor": {"name": "Alpha"}}, poly())))
    case("dict_actor.geojson", "bad-type", "row 1, field 'actor': actor is a JSON object, not text")

    write_json(out / "list_status.geojson", collection(feature(good, poly()),
                                                       feature({**good, "status": ["controlled"]}, poly(38))))
    case("list_status.geojson", "bad-type", "row 2, field 'status': status is a list, not text")

    (out / "nan_coordinates.geojson").write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
        + json.dumps(good) + ', "geometry": {"type": "Polygon", "coordinates": '
        '[[[37, 47], [NaN, 47], [37.5, 48], [37, 47]]]}}]}\n', encoding="utf-8")
    case("nan_coordinates.geojson", "bad-coordinates", "row 1, field 'geometry': coordinates contain NaN")

    write_csv(out / "nan_coordinates.csv", [["date", "actor", "geometry"],
                                            ["2015-01-31", "Alpha", "POLYGON ((37 47, 38 47, 38 48, 37 47))"],
                                            ["2015-01-31", "Alpha", "POLYGON ((37 47, NaN 47, 38 48, 37 47))"]])
    case("nan_coordinates.csv", "bad-coordinates", "row 3, field 'geometry'")

    write_json(out / "unclosed_ring.geojson", collection(feature(good, poly()), feature(good, {
        "type": "Polygon", "coordinates": [[[38, 47], [39, 47], [39, 48], [38, 48]]]})))
    case("unclosed_ring.geojson", "bad-geometry", "row 2, field 'geometry': geometry cannot be built")

    write_csv(out / "unclosed_ring.csv", [["date", "actor", "geometry"],
                                          ["2015-01-31", "Alpha", "POLYGON ((37 47, 38 47, 38 48, 37 48))"]])
    case("unclosed_ring.csv", "bad-wkt", "row 2, field 'geometry': not valid WKT")

    deep = "POLYGON ((37 47, 38 47, 38 48, 37 47))"
    for _ in range(200):
        deep = f"GEOMETRYCOLLECTION ({deep})"
    write_csv(out / "deep_collection.csv", [["date", "actor", "geometry"], ["2015-01-31", "Alpha", deep]])
    case("deep_collection.csv", "too-deep", "row 2, field 'geometry': GeometryCollections nested more than")

    info = zipfile.ZipInfo("areas.shp", date_time=ZIP_TIME)
    info.create_system = 3
    info.external_attr = (0o120777) << 16  # a symbolic link to /etc/passwd
    with zipfile.ZipFile(out / "zip_symlink.zip", "w") as zf:
        zf.writestr(info, "/etc/passwd")
    case("zip_symlink.zip", "zip-symlink", "'areas.shp' is a symbolic link")

    write_csv(out / "ambiguous_dates.csv", [["date", "actor", "geometry"],
                                            ["01/03/2022", "Alpha", "POLYGON ((37 47, 38 47, 38 48, 37 47))"],
                                            ["02/03/2022", "Alpha", "POLYGON ((37 47, 38 47, 38 48, 37 47))"]])
    case("ambiguous_dates.csv", "bad-date", "row 2, field 'date': date '01/03/2022' is ambiguous")

    write_json(out / "mixed_date_formats.geojson", collection(
        feature(good, poly()), feature({**good, "date": "31/01/2015"}, poly(38))))
    case("mixed_date_formats.geojson", "mixed-dates", "field 'date': the column mixes date formats")

    write_json(out / "mixed_day_month_order.geojson", collection(
        feature({**good, "date": "25/03/2015"}, poly()), feature({**good, "date": "03/25/2015"}, poly(38))))
    case("mixed_day_month_order.geojson", "bad-date", "mixes day/month and month/day orders")

    write_json(out / "date_today.geojson", collection(feature(good, poly()),
                                                      feature({**good, "date": "today"}, poly(38))))
    case("date_today.geojson", "bad-date", "row 2, field 'date': date 'today' is not a date but a word relative")

    write_json(out / "date_now.geojson", collection(feature({**good, "date": "now"}, poly())))
    case("date_now.geojson", "bad-date", "relative to the day the file is read")

    write_csv(out / "two_digit_year.csv", [["date", "actor", "geometry"],
                                           ["01/03/22", "Alpha", "POLYGON ((37 47, 38 47, 38 48, 37 47))"]])
    case("two_digit_year.csv", "bad-date", "two-digit year")

    write_json(out / "valid_to_relative.geojson", collection(feature({**good, "valid_to": "tomorrow"}, poly())))
    case("valid_to_relative.geojson", "bad-date", "field 'valid_to': valid_to 'tomorrow'")

    write_csv(out / "date_format_mismatch.csv", [["date", "actor", "geometry"],
                                                 ["2022.03.01", "Alpha", "POLYGON ((37 47, 38 47, 38 48, 37 47))"],
                                                 ["1/3/2022", "Alpha", "POLYGON ((37 47, 38 47, 38 48, 37 47))"],
                                                 ["March 2022", "Alpha", "POLYGON ((37 47, 38 47, 38 48, 37 47))"]])
    case("date_format_mismatch.csv", "bad-date", "row 4, field 'date': date 'March 2022' does not match the date "
         "format '%d/%m/%Y'", "date_format=%d/%m/%Y")

    write_json(out / "bad_date_format_option.geojson", collection(feature(good, poly())))
    case("bad_date_format_option.geojson", "bad-option", "needs a day, a month and a year", "date_format=%Y-%m")

    write_json(out / "file_date_today.geojson", collection(feature({"actor": "Alpha"}, poly())))
    case("file_date_today.geojson", "bad-option", "'today' is not a date but a word relative", "date=today")

    write_json(out / "dataset.json", {"history": "/etc/passwd", "claims": "../../../../etc/shadow"})
    case("dataset.json", "manifest-not-history", "is a dataset manifest (configuration), not a control history")


def _doors(out: Path, case, good: dict) -> None:
    """Issue 17's files that are doors: formats that point at other files or URLs, and link CRSs GDAL finds."""
    link = {"type": "link", "properties": {"href": f"http://{NET}/crs.proj4", "type": "proj4"}}
    fc = json.dumps(collection(feature(good, poly())))
    # GDAL finds the crs key in any letter case, with letters escaped, with blanks before the brace.
    for fname, key in (("crs_upper_key.geojson", '"CRS"'), ("crs_mixed_case_key.geojson", '"Crs"'),
                       ("crs_escaped_key.geojson", '"\\u0063rs"'), ("crs_blank_before_brace.geojson", '"crs" :\n\t ')):
        (out / fname).write_text(fc[:-1] + f", {key}: " + json.dumps(link) + "}\n", encoding="utf-8")
        case(fname, "crs-link", "never follows links")
    write_json(out / "crs_name_vsicurl.geojson", collection(feature(good, poly()), crs={
        "type": "name", "properties": {"name": f"/vsicurl/http://{NET}/crs"}}))
    case("crs_name_vsicurl.geojson", "crs-link", "a CRS given as a URL")
    (out / "crs_link_utf16.geojson").write_bytes(json.dumps(collection(feature(good, poly()), crs=link))
                                                 .encode("utf-16"))
    case("crs_link_utf16.geojson", "unreadable", "could not be read as geodata")

    # Formats that name other files, URLs or servers, saved under an accepted suffix: refused by name.
    passwd = ('<OGRVRTDataSource><OGRVRTLayer name="passwd"><SrcDataSource>CSV:/etc/passwd</SrcDataSource>'
              "<GeometryType>wkbNone</GeometryType></OGRVRTLayer></OGRVRTDataSource>\n")
    curl = (f'<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>/vsicurl/http://{NET}/x.geojson'
            "</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>\n")
    wfs = f"<OGRWFSDataSource><URL>http://{NET}/wfs?</URL></OGRWFSDataSource>\n"
    gdalg = json.dumps({"type": "gdal_streamed_alg", "command_line":
                        f"gdal vector pipeline ! read /vsicurl/http://{NET}/x.geojson ! write --of stream out"})
    doors = {"vrt_passwd.gpkg": (passwd, "vrt_passwd.gpkg is an OGR VRT file"),
             "vrt_passwd.geojson": (passwd, "is an OGR VRT file"),
             "vrt_passwd.fgb": (passwd, "is an OGR VRT file"),
             "vrt_passwd.kml": (passwd, "is an OGR VRT file"),
             "vrt_vsicurl.geojson": (curl, "is an OGR VRT file"),
             "vrt_xml_decl.gpkg": ('<?xml version="1.0"?>\n<!-- x -->\n' + passwd, "is an OGR VRT file"),
             "wfs_service.gpkg": (wfs, "is a WFS service description"),
             "gdalg_pipeline.geojson": (gdalg, "is a GDALG file")}
    for fname, (text, says) in doors.items():
        (out / fname).write_text(text, encoding="utf-8")
        case(fname, "wrong-format", says)
    parts = shapefile_parts()
    write_zip(out / "vrt_as_shp.zip", {"areas.shp": passwd.encode(), "areas.shx": parts["areas.shx"],
                                       "areas.dbf": parts["areas.dbf"]})
    case("vrt_as_shp.zip", "wrong-format", "areas.shp is an OGR VRT file")
    write_zip(out / "vrt_in_zip.zip", {"2015-01-31.gpkg": passwd.encode()})
    case("vrt_in_zip.zip", "wrong-format", "is an OGR VRT file")
    (out / "passwd.vrt").write_text(passwd, encoding="utf-8")
    case("passwd.vrt", "unsupported", "an OGR VRT file is not accepted")
    (out / "wfs_service.xml").write_text(wfs, encoding="utf-8")
    case("wfs_service.xml", "unsupported", "XML is not accepted")
    (out / "features.gml").write_text(
        '<?xml version="1.0"?>\n<ogr:FeatureCollection xmlns:ogr="http://ogr.maptools.org/" '
        'xmlns:gml="http://www.opengis.net/gml"><gml:featureMember><ogr:x><ogr:actor>Alpha</ogr:actor>'
        "</ogr:x></gml:featureMember></ogr:FeatureCollection>\n", encoding="utf-8")
    case("features.gml", "unsupported", "GML is not accepted")

    # Two members with one name: extracting both would keep only the second one's rows.
    member = json.dumps(collection(feature(good, poly()))).encode()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns "Duplicate name": that is the point
        write_zip(out / "zip_duplicate_member.zip", {"2015-01-31.geojson": member})
        with zipfile.ZipFile(out / "zip_duplicate_member.zip", "a") as zf:
            info = zipfile.ZipInfo("2015-01-31.geojson", date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, json.dumps(collection(feature(good, poly(38)))).encode())
    case("zip_duplicate_member.zip", "zip-duplicate", "two members named '2015-01-31.geojson'")


def _patch_sizes(data: bytearray, size: int) -> None:
    """Overwrite the uncompressed size in every local and central header."""
    i = data.find(b"PK\x03\x04")
    struct.pack_into("<I", data, i + 22, size)
    j = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, j + 24, size)


def _plain_parquet() -> bytes:
    import pandas as pd

    buf = io.BytesIO()
    pd.DataFrame({"date": ["2015-01-31"], "actor": ["Alpha"]}).to_parquet(buf, index=False)
    return buf.getvalue()


def write_csv(path: Path, rows: list[list[str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def make_warn(out: Path) -> list[tuple[str, str, str, str]]:
    cases: list[tuple[str, str, str, str]] = []

    def case(file: str, code: str, substring: str, options: str = "") -> None:
        cases.append((file, code, substring, options))

    def row(date: str, actor: str, geometry: dict, **extra: object) -> dict:
        return feature({"date": date, "actor": actor, "status": "controlled", **extra}, geometry)

    # Alpha holds [37, 38] x [47.5, 48.5]; Beta holds [37.8, 39] x [47.5, 48.5] on 2015-02-28,
    # a wider overlap on 2015-03-31. Overlap widths 0.2 and 0.4 degrees of longitude.
    write_json(out / "overlap.geojson", collection(
        row("2015-01-31", "Alpha", poly(37, 47.5, 1.0)),
        row("2015-01-31", "Beta", poly(38, 47.5, 1.0)),
        row("2015-02-28", "Beta", {"type": "Polygon", "coordinates": [[[37.8, 47.5], [39, 47.5], [39, 48.5],
                                                                       [37.8, 48.5], [37.8, 47.5]]]}),
        row("2015-03-31", "Beta", {"type": "Polygon", "coordinates": [[[37.6, 47.5], [39, 47.5], [39, 48.5],
                                                                       [37.6, 48.5], [37.6, 47.5]]]}),
    ))
    case("overlap.geojson", "overlap", "'Alpha' and 'Beta' both control")

    write_json(out / "duplicates.geojson", collection(
        row("2015-01-31", "Alpha", poly(37)), row("2015-01-31", "Alpha", poly(38)),
        row("2015-01-31", "Alpha", poly(37)),
        # Same ring starting at another vertex: equal geometry too.
        row("2015-01-31", "Alpha", {"type": "Polygon", "coordinates": [[[38.5, 47.5], [38.5, 48], [38, 48],
                                                                        [38, 47.5], [38.5, 47.5]]]}),
    ))
    case("duplicates.geojson", "duplicate", "2 duplicate row(s)")

    write_json(out / "z_coords.geojson", collection(
        row("2015-01-31", "Alpha", {"type": "Polygon", "coordinates": [[[37, 47.5, 120], [37.5, 47.5, 130],
                                                                        [37.5, 48, 125], [37, 48, 110],
                                                                        [37, 47.5, 120]]]}),
        row("2015-01-31", "Beta", poly(39)),
    ))
    case("z_coords.geojson", "", "")

    write_json(out / "bowtie.geojson", collection(
        row("2015-01-31", "Alpha", {"type": "Polygon", "coordinates": [[[37, 47], [38, 48], [38, 47], [37, 48],
                                                                        [37, 47]]]}),
    ))
    case("bowtie.geojson", "repaired", "1 invalid polygon(s) repaired")

    write_json(out / "geometry_collection.geojson", collection(
        row("2015-01-31", "Alpha", {"type": "GeometryCollection", "geometries": [
            {"type": "Point", "coordinates": [36, 47]}, poly(37)]}),
    ))
    case("geometry_collection.geojson", "collection-parts", "non-polygon parts")

    write_json(out / "points_mixed.geojson", collection(
        row("2015-01-31", "Alpha", poly(37)),
        row("2015-01-31", "Alpha", {"type": "Point", "coordinates": [37.2, 47.7]}),
        row("2015-01-31", "Alpha", {"type": "LineString", "coordinates": [[37, 47], [38, 48]]}),
        row("2015-02-28", "Alpha", poly(37.1)),
    ))
    case("points_mixed.geojson", "non-polygon", "rows 2, 3")

    write_json(out / "labels.geojson", collection(
        feature({"date": "2015-01-31", "label": "Окуповано"}, poly(37)),
        feature({"date": "2015-02-28", "label": "Окуповано /// Occupied"}, poly(37.1)),
        feature({"date": "2015-03-31", "label": "Occupied\u00a0by Russia\n"}, poly(37.2)),
        feature({"date": "2015-04-30", "label": " окуповано "}, poly(37.3)),
    ))
    write_csv(out / "labels_aliases.csv", [["alias", "name"], ["окуповано", "Russia"], ["occupied", "Russia"],
                                           ["Occupied by Russia", "Russia"]])
    case("labels.geojson", "", "", "columns.actor=label;aliases=labels_aliases.csv")

    write_json(out / "date_outlier.geojson", collection(
        *(row(f"2015-{m:02d}-01", "Alpha", poly(37 + m / 100)) for m in range(1, 7)),
        row("2105-07-01", "Alpha", poly(37.1)),
    ))
    case("date_outlier.geojson", "date-outlier", "2105-07-01")

    write_json(out / "far_polygon.geojson", collection(
        *(row(f"2015-{m:02d}-01", "Alpha", poly(37 + m / 10)) for m in range(1, 5)),
        row("2015-04-01", "Alpha", poly(-70, -30)),
    ))
    case("far_polygon.geojson", "far-away", "row 5")

    write_json(out / "actor_case.geojson", collection(
        row("2015-01-31", "Alpha", poly(37)), row("2015-02-28", "alpha", poly(38)),
    ))
    case("actor_case.geojson", "similar-actors", "'Alpha' and 'alpha'")

    # Look-alike names: a Cyrillic і (U+0456) in "Islamic State"; a right-to-left override in a name.
    write_json(out / "actor_lookalike.geojson", collection(
        row("2015-01-31", "Islamic State", poly(37)), row("2015-02-28", "Islam\u0456c State", poly(38)),
    ))
    case("actor_lookalike.geojson", "similar-actors", "U+0456")
    write_json(out / "actor_bidi.geojson", collection(
        row("2015-01-31", "Alpha", poly(37)), row("2015-02-28", "Beta \u202eatleD", poly(38)),
    ))
    case("actor_bidi.geojson", "hidden-characters", "RIGHT-TO-LEFT OVERRIDE (U+202E)")

    # KML that names servers (a network link, an icon, an external style): read, nothing fetched.
    (out / "kml_network_link.kml").write_text(KML_HEAD + KML_BODY.format(name="Alpha").replace(
        "<Placemark>", f"<NetworkLink><Link><href>http://{NET}/more.kml</href></Link></NetworkLink>"
        f"<Style id=\"s\"><IconStyle><Icon><href>http://{NET}/icon.png</href></Icon></IconStyle></Style>"
        f"<Placemark><styleUrl>http://{NET}/styles.kml#a</styleUrl>", 1), encoding="utf-8")
    case("kml_network_link.kml", "", "", "date=2015-01-31")

    return cases


def write_cases(path: Path, cases: list[tuple[str, str, str, str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["file", "code", "substring", "options"])
        writer.writerows(cases)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "tests" / "data",
                        help="folder to write broken/ and warn/ into (default: tests/data)")
    args = parser.parse_args(argv)
    for folder, make in ((args.out / "broken", make_broken), (args.out / "warn", make_warn)):
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        cases = make(folder)
        write_cases(folder / "cases.csv", cases)
        print(f"{folder}: {len(cases)} cases")
    return 0


if __name__ == "__main__":
    sys.exit(main())
