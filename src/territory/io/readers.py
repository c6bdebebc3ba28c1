"""Format readers: turn one file of any supported format into raw GeoDataFrames.

Each reader returns the file's attribute table and geometry untouched (no
column renaming, no reprojection); :mod:`territory.io.normalise` does the rest.
Failures become report rows, never exceptions.
"""

from __future__ import annotations

import tempfile
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from territory.io import archive
from territory.io.options import LoadOptions
from territory.io.xml import check_kml
from territory.report import Report

VECTOR_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp", ".fgb", ".gml"}
PARQUET_SUFFIXES = {".parquet", ".geoparquet"}
CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
KML_SUFFIXES = {".kml", ".kmz"}
ZIP_SUFFIXES = {".zip"}
SUPPORTED = VECTOR_SUFFIXES | PARQUET_SUFFIXES | CSV_SUFFIXES | KML_SUFFIXES | ZIP_SUFFIXES
WKT_COLUMNS = ("geometry", "wkt", "geom", "the_geom", "shape", "footprint")

FORMATS_HINT = "supported: GeoJSON, GeoPackage, zipped Shapefile, KML/KMZ, GeoParquet, CSV with a WKT column"


@dataclass
class RawLayer:
    """A file's table as read, with the name to use in messages."""

    frame: gpd.GeoDataFrame
    name: str
    layer: str | None = None


def _corrupt(report: Report, name: str, exc: Exception, what: str = "geodata") -> None:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    report.error(
        f"could not be read as {what} ({text[:200]})",
        file=name, code="unreadable",
        hint=f"the file may be truncated, corrupt or not geodata; {FORMATS_HINT}",
    )


def read_vector(path: Path, name: str, report: Report) -> list[RawLayer]:
    """GeoJSON, GeoPackage, Shapefile, FlatGeobuf via pyogrio; every layer."""
    try:
        layers = pyogrio.list_layers(path)
    except Exception as exc:  # pyogrio raises several DataSourceError flavours
        _corrupt(report, name, exc)
        return []
    out = []
    for layer_name, _geom_type in layers:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                frame = pyogrio.read_dataframe(path, layer=layer_name)
        except Exception as exc:
            _corrupt(report, name, exc)
            return []
        if not isinstance(frame, gpd.GeoDataFrame):
            continue  # attribute-only tables inside a GeoPackage
        out.append(RawLayer(frame, name, str(layer_name) if len(layers) > 1 else None))
    if not out:
        report.error("contains no layer with geometry", file=name, code="no-geometry",
                     hint=f"export polygons of territory; {FORMATS_HINT}")
    return out


def read_parquet(path: Path, name: str, report: Report) -> list[RawLayer]:
    try:
        frame = gpd.read_parquet(path)
    except Exception as exc:
        _corrupt(report, name, exc, "GeoParquet")
        return []
    return [RawLayer(frame, name)]


def read_csv(path: Path, name: str, report: Report) -> list[RawLayer]:
    """CSV/TSV with a WKT geometry column; bad WKT is reported per row."""
    sep = "\t" if path.suffix.lower() == ".tsv" else None
    try:
        table = pd.read_csv(path, sep=sep, engine="python", dtype=str, keep_default_na=False,
                            encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        report.error("file is empty", file=name, code="empty", hint="export the data again")
        return []
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        _corrupt(report, name, exc, "CSV")
        return []
    lower = {c.lower().strip(): c for c in table.columns}
    col = next((lower[c] for c in WKT_COLUMNS if c in lower), None)
    if col is None:
        report.error(
            f"CSV has no WKT geometry column (looked for {', '.join(WKT_COLUMNS)}; found {', '.join(map(str, table.columns[:12]))})",
            file=name, field="geometry", code="no-wkt",
            hint="add a 'geometry' column with WKT polygons, e.g. POLYGON ((lon lat, ...))",
        )
        return []
    texts = table[col].astype(str).str.strip()
    geoms = []
    for i, text in enumerate(texts):
        if not text:
            geoms.append(None)
            continue
        try:
            geoms.append(shapely.from_wkt(text))
        except shapely.errors.GEOSException as exc:
            report.error(f"not valid WKT ({str(exc)[:120]})", file=name, row=str(i + 2), field=col,
                         code="bad-wkt", hint="fix the WKT text of this row (row numbers count the header as 1)")
            geoms.append(None)
    frame = gpd.GeoDataFrame(table.drop(columns=[col]), geometry=geoms)  # CRS unknown: checked later
    frame.attrs["row_offset"] = 2
    return [RawLayer(frame, name)]


def read_kml(path: Path, name: str, report: Report) -> list[RawLayer]:
    """KML/KMZ as Google My Maps exports them: every folder is a layer."""
    try:
        if path.suffix.lower() == ".kmz":
            with zipfile.ZipFile(path) as zf:
                if archive.safe_members(zf, name, report, max_bytes=256 * 2**20, max_members=1000) is None:
                    return []
                kmls = [n for n in zf.namelist() if n.lower().endswith(".kml")]
                if not kmls:
                    report.error("KMZ holds no .kml document", file=name, code="kmz-empty",
                                 hint="export the map again as KMZ or KML")
                    return []
                data = zf.read(kmls[0])
        else:
            data = path.read_bytes()
    except (zipfile.BadZipFile, OSError) as exc:
        _corrupt(report, name, exc, "KMZ")
        return []
    if not check_kml(data, name, report):
        return []
    with tempfile.TemporaryDirectory() as tmp:
        doc = Path(tmp) / "doc.kml"
        doc.write_bytes(data)
        layers = read_vector(doc, name, report)
    for layer in layers:
        frame = layer.frame
        if layer.layer and "folder" not in frame.columns:
            frame["folder"] = layer.layer
        if frame.crs is None:
            frame.set_crs("EPSG:4326", inplace=True)  # KML is always WGS84 lon/lat
    return layers


def read_file(path: Path, options: LoadOptions, report: Report, name: str | None = None) -> list[RawLayer]:
    """Read one file of any supported format after size and emptiness checks."""
    name = name or path.name
    if not path.exists():
        report.error("file not found", file=name, code="missing", hint="check the path")
        return []
    size = path.stat().st_size
    if size == 0:
        report.error("file is empty (0 bytes)", file=name, code="empty", hint="export the data again")
        return []
    if size > options.max_file_bytes:
        report.error(
            f"file is {size / 2**20:,.0f} MiB, more than the limit of {options.max_file_bytes / 2**20:,.0f} MiB",
            file=name, code="too-large", hint="split the history into a folder of dated files",
        )
        return []
    suffix = path.suffix.lower()
    if suffix in ZIP_SUFFIXES:
        return read_zip(path, options, report, name)
    if suffix in KML_SUFFIXES:
        return read_kml(path, name, report)
    if suffix in PARQUET_SUFFIXES:
        return read_parquet(path, name, report)
    if suffix in CSV_SUFFIXES:
        return read_csv(path, name, report)
    if suffix in VECTOR_SUFFIXES:
        return read_vector(path, name, report)
    report.error(f"unsupported file type '{suffix or '(none)'}'", file=name, code="unsupported",
                 hint=FORMATS_HINT)
    return []


def read_zip(path: Path, options: LoadOptions, report: Report, name: str) -> list[RawLayer]:
    """A zipped Shapefile (or any one supported file inside a zip)."""
    with tempfile.TemporaryDirectory() as tmp:
        files = archive.extract(path, Path(tmp), report, max_bytes=options.max_unzipped_bytes,
                                max_members=options.max_zip_members)
        if files is None:
            return []
        shps = sorted(f for f in files if f.suffix.lower() == ".shp" and not f.name.startswith("._"))
        if shps:
            layers: list[RawLayer] = []
            for shp in shps:
                missing = [ext for ext in (".shx", ".dbf") if not shp.with_suffix(ext).exists()
                           and not shp.with_suffix(ext.upper()).exists()]
                if missing:
                    report.error(f"shapefile '{shp.name}' lacks its {' and '.join(missing)} part",
                                 file=name, code="shp-incomplete",
                                 hint="zip all the shapefile's parts (.shp, .shx, .dbf, .prj) together")
                    return []
                layers += read_vector(shp, f"{name}:{shp.name}", report)
            return layers
        others = [f for f in files if f.suffix.lower() in SUPPORTED - ZIP_SUFFIXES]
        if not others:
            report.error("zip archive contains no .shp (nor any other geodata file)", file=name,
                         code="zip-no-shp", hint="zip the shapefile's .shp, .shx, .dbf and .prj together")
            return []
        layers = []
        for other in sorted(others):
            layers += read_file(other, options, report, f"{name}:{other.name}")
        return layers
