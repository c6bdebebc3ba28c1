"""Format readers: turn one file of any supported format into raw GeoDataFrames.

Each reader returns the file's attribute table and geometry untouched (no
column renaming, no reprojection); :mod:`territory.io.normalise` does the rest.
Failures become report rows, never exceptions.
"""

from __future__ import annotations

import csv
import functools
import json
import os
import re
import tempfile
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from geopandas.array import from_shapely
from pyproj import CRS

from territory import tempfiles
from territory.io import archive, offline
from territory.io.dates import date_from_filename
from territory.io.options import LoadOptions
from territory.io.xml import check_kml
from territory.report import Report
from territory.safefile import check_file, human_bytes

VECTOR_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp", ".fgb"}
PARQUET_SUFFIXES = {".parquet", ".geoparquet"}
CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
KML_SUFFIXES = {".kml", ".kmz"}
ZIP_SUFFIXES = {".zip"}
SUPPORTED = VECTOR_SUFFIXES | PARQUET_SUFFIXES | CSV_SUFFIXES | KML_SUFFIXES | ZIP_SUFFIXES
#: Files looked at inside a zip that holds no shapefile (a README.txt is not data).
ZIP_INNER = SUPPORTED - ZIP_SUFFIXES - {".txt"}
#: Formats that hold exactly one layer: no need to list layers first.
SINGLE_LAYER = {".geojson", ".json", ".shp", ".fgb"}
WKT_COLUMNS = ("geometry", "wkt", "geom", "the_geom", "shape", "footprint")

offline.configure()  # only the allowed GDAL drivers; GDAL and PROJ never touch the network, for every read

#: What each suffix GDAL reads must hold, as named in messages.
EXPECTED = {".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "a GeoPackage", ".shp": "a Shapefile",
            ".fgb": "FlatGeobuf"}
#: The GDAL drivers forced by a ``DRIVER:path`` prefix (the others have none: the driver allow-list in
#: :mod:`.offline` and the first-bytes check in :func:`check_content` leave them one reader each).
PREFIX = {".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GPKG"}
#: Formats GDAL could read but Territory refuses, and why.
REFUSED_SUFFIXES = {
    ".gml": "GML is not accepted (GDAL's GML reader writes a .gfs file beside the input and may fetch "
            "the schemas it names)",
    ".vrt": "an OGR VRT file is not accepted (it names other files or URLs to read)",
    ".xml": "XML is not accepted (WFS and VRT descriptions name servers or files to read)",
}

FORMATS_HINT = "supported: GeoJSON, GeoPackage, zipped Shapefile, KML/KMZ, GeoParquet, CSV with a WKT column"


@dataclass
class RawLayer:
    """A file's table as read, with the name to use in messages."""

    frame: gpd.GeoDataFrame
    name: str
    layer: str | None = None
    #: Date in the name of a file found inside a zip (a zipped folder of snapshots).
    file_date: pd.Timestamp | None = None

    def geometry_values(self) -> np.ndarray:
        """The layer's geometries as an object array."""
        return np.asarray(self.frame.geometry.values, dtype=object)


class GeometryLayer(RawLayer):
    """A layer of geometry alone (no attribute columns), as read; its frame is built on first use.

    An archive of property-less snapshots is normalised a batch of files at a time
    (:mod:`.batch`) from the geometries alone: building each file's frame would cost more
    than parsing a small file.
    """

    def __init__(self, geometry: np.ndarray, crs: CRS | None, name: str, layer: str | None = None) -> None:
        self.geometry, self.crs, self._frame = geometry, crs, None
        super().__init__(None, name, layer)  # type: ignore[arg-type]

    @property  # type: ignore[override]
    def frame(self) -> gpd.GeoDataFrame:
        if self._frame is None:
            self._frame = gpd.GeoDataFrame(geometry=from_shapely(self.geometry, crs=self.crs))
        return self._frame

    @frame.setter
    def frame(self, value: gpd.GeoDataFrame | None) -> None:
        if value is not None:
            self._frame = value

    def geometry_values(self) -> np.ndarray:
        return self.geometry


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__


MAGIC = (
    (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"), (b"PK\x03\x04", "a zip archive (rename it .zip, or .kmz for Google Earth)"),
    (b"SQLite format 3", "an SQLite database"), (b"PAR1", "a Parquet file (rename it .parquet)"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
)


#: Formats that point at other files, URLs, servers or programs, from their first bytes (lower case).
FOREIGN = (
    (b"<ogrvrtdatasource", "an OGR VRT file (it names other files or URLs to read)"),
    (b"<vrtdataset", "a GDAL VRT file (it names other files or URLs to read)"),
    (b"<ogrwfsdatasource", "a WFS service description (it names a server to query)"),
    (b"<wfs_capabilities", "a WFS capabilities document (it names a server to query)"),
    (b"<wfs:", "a WFS response (GML)"),
    (b"<gml:", "GML"),
)
#: GDAL connection strings and URLs (a file's content is never opened as one; named for the message).
_CONNECTION = re.compile(rb"^(?:(?:pg|wfs|oapif|csw|mysql|odbc|mssql|oci|gdalg|vrt):|/vsi|https?://|ftp://)")
_TOPOJSON = re.compile(rb'"type"\s*:\s*"Topology"')


def foreign(head: bytes) -> str | None:
    """What a file is, from its first bytes, if it is a format that points elsewhere (VRT, GDALG, WFS...)."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<?xml"):
        text = text[text.find(b"?>") + 2:].lstrip() if b"?>" in text else text
        while text.startswith(b"<!--") and b"-->" in text:
            text = text[text.find(b"-->") + 3:].lstrip()
    for magic, what in FOREIGN:
        if text.startswith(magic):
            return what
    if b"gdal_streamed_alg" in text:
        return "a GDALG file (a GDAL command pipeline naming other files or URLs)"
    if _CONNECTION.match(text):
        return "a connection string or URL (Territory reads files, never what they name)"
    return None


def _matches(head: bytes, suffix: str) -> bool:
    if suffix in (".geojson", ".json"):
        return head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")
    if suffix == ".gpkg":
        return head.startswith(b"SQLite format 3\0")
    if suffix == ".shp":
        return head.startswith(b"\x00\x00\x27\x0a")  # file code 9994, big-endian
    if suffix == ".fgb":
        return head.startswith(b"fgb\x03fgb")
    return True


def check_content(path: Path, name: str, report: Report) -> bool:
    """True if the file's first bytes are the format its suffix names; else refuse it, saying what it is.

    GDAL picks a driver from the content, not the name: this is what keeps an OGR VRT saved as
    ``x.gpkg`` (or a GDALG JSON saved as ``x.geojson``) from being read as what it points at.
    """
    suffix = path.suffix.lower()
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        report.error(f"cannot be opened ({exc.strerror or exc})", file=name, code="unreadable",
                     hint="check the path and its permissions")
        return False
    what = foreign(head)
    expected = EXPECTED.get(suffix, suffix)
    if what:
        report.error(f"{PurePosixPath(name).name} is {what}, not {expected}: not accepted", file=name,
                     code="wrong-format",
                     hint=f"Territory reads each format with its own reader only; {FORMATS_HINT}")
        return False
    if _matches(head, suffix):
        if suffix in (".geojson", ".json") and _TOPOJSON.search(head):
            _corrupt(report, name, ValueError("TopoJSON"), path=path)
            return False
        return True
    _corrupt(report, name, ValueError(f"not {expected}: its first bytes are not those of the format"), path=path)
    return False


def gdal_path(path: Path) -> str:
    """The string handed to GDAL: absolute (so no name reads as a ``DRIVER:`` or ``/vsi`` prefix), and
    with the format's own driver forced where GDAL allows it."""
    full = os.path.abspath(path)
    if full.startswith("/vsi"):
        raise ValueError(f"refusing a GDAL virtual file system path: {full}")
    prefix = PREFIX.get(path.suffix.lower())
    return f"{prefix}:{full}" if prefix and ":" not in full else full


def sniff(path: Path) -> str | None:
    """What a file that failed to read really is, from its first bytes, if recognisable."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(512)
    except OSError:
        return None
    for magic, what in MAGIC:
        if head.startswith(magic) and not (magic == b"SQLite format 3" and path.suffix.lower() == ".gpkg"):
            return what  # (a GeoPackage is an SQLite database: GDAL's own reason says more)
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"\0" in head and path.suffix.lower() in {".geojson", ".json", ".csv", ".kml", ".txt", ".wkt"}:
        return "binary data (it holds NUL bytes), not a text format such as GeoJSON or CSV"
    if text.startswith((b"<!doctype html", b"<html")):
        return "a web page (HTML), not the data: download the file itself"
    if text.startswith(b"<?xml") or text.startswith(b"<kml"):
        return "XML (KML? rename it .kml)"
    if text[:1] not in (b"{", b"[") and path.suffix.lower() in {".geojson", ".json"}:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return "plain text, not JSON"
    return None


def _corrupt(report: Report, name: str, exc: BaseException, what: str = "geodata", hint: str = "",
             path: Path | None = None) -> None:
    actual = sniff(path) if path is not None else None
    if actual:
        detail = f"the file is {actual}"
    elif "not recognized as being in a supported file format" in str(exc):
        detail = "not in any recognised geodata format"
    elif isinstance(exc, UnicodeDecodeError):
        detail = f"its text is not UTF-8 (a byte 0x{exc.object[exc.start]:02x})"
        hint = hint or "save the file as UTF-8 (GeoJSON is always UTF-8); in a spreadsheet: 'CSV UTF-8'"
    elif "TopoJSON" in str(exc):
        detail = "it is TopoJSON, which Territory does not read"
        hint = hint or "convert it to GeoJSON first, e.g. with mapshaper (-o format=geojson) or topojson-client"
    else:
        detail = _first_line(exc)
        if path is not None:
            for spelled in (gdal_path(path), os.path.abspath(path), str(path)):
                detail = detail.replace(spelled, "the file")
    report.error(
        f"could not be read as {what} ({detail})",
        file=name, code="unreadable",
        hint=hint or f"the file may be truncated, corrupt or not geodata; {FORMATS_HINT}",
    )


def _json_or_text(text: object) -> object:
    try:
        return json.loads(text) if isinstance(text, str) else text
    except ValueError:
        return text


@functools.lru_cache(maxsize=64)
def _crs(text: str | None) -> CRS | None:
    return CRS.from_user_input(text) if text else None


def _read_layer(path: str, layer: str | None) -> pd.DataFrame | GeometryLayer:
    """One layer as ``pyogrio.read_dataframe`` gives it, at a fraction of its fixed cost.

    A folder of 800 small snapshots pays the per-file cost 800 times: this reads
    the raw arrays and builds the frame once (dates as written, as text); a layer of
    geometry alone is a :class:`GeometryLayer`, whose frame waits. ``path`` is a
    :func:`gdal_path`.
    """
    opts: dict[str, str] = {}
    try:
        meta, _, wkb, field_data = pyogrio.raw.read(path, layer=layer, datetime_as_string=True)
    except ValueError as exc:  # a date GDAL parses but Python cannot hold (year 10000): keep dates as text,
        if "out of range" not in str(exc):  # so validation names the row and field
            raise
        opts = {"DATE_AS_STRING": "YES"}
        meta, _, wkb, field_data = pyogrio.raw.read(path, layer=layer, datetime_as_string=True, **opts)
    columns = [str(c) for c in meta["fields"]]
    if "geometry" in columns:  # a field named like the geometry column: let pyogrio sort it out
        return pyogrio.read_dataframe(path, layer=layer, datetime_as_string=True, **opts)
    data = dict(zip(columns, field_data, strict=True))
    for subtype, column in zip(meta["ogr_subtypes"], columns, strict=True):
        if subtype == "OFSTJSON":  # objects and lists in GeoJSON properties: parsed as pyogrio does
            data[column] = pd.Series(data[column], dtype=object).map(_json_or_text, na_action="ignore").to_numpy()
    if wkb is None:
        return pd.DataFrame(data, columns=columns)
    if not columns:  # geometry alone: the frame waits until it is needed (see GeometryLayer)
        return GeometryLayer(shapely.from_wkb(wkb), _crs(meta["crs"]), "")
    data["geometry"] = from_shapely(shapely.from_wkb(wkb), crs=_crs(meta["crs"]))
    return gpd.GeoDataFrame(pd.DataFrame(data), geometry="geometry")


def _drivers_safe(name: str, report: Report) -> bool:
    """Fail closed if a GDAL driver outside the allow-list is loaded (see :func:`.offline.check_drivers`)."""
    return offline.check_drivers(name, report)


def read_vector(path: Path, name: str, report: Report) -> list[RawLayer]:
    """GeoJSON, GeoPackage, Shapefile, FlatGeobuf (and KML from :func:`read_kml`), each with its own driver."""
    if not _drivers_safe(name, report):
        return []
    if offline.looks_like_json(path) and not offline.check_json_crs(path, name, report):
        return []  # a link CRS is refused as such, whatever the file's suffix
    if not check_content(path, name, report):
        return []
    gpath = gdal_path(path)
    if path.suffix.lower() in SINGLE_LAYER:
        layer_names: list[str | None] = [None]
    else:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                layer_names = [str(row[0]) for row in pyogrio.list_layers(gpath)]
        except Exception as exc:  # pyogrio raises several DataSourceError flavours
            _corrupt(report, name, exc, path=path)
            return []
    out = []
    for layer_name in layer_names:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                # Dates as written: parsed (keeping their local day) by normalise.
                frame = _read_layer(gpath, layer_name)
        except Exception as exc:
            if not _explain_geometry_failure(gpath, layer_name, name, report, exc):
                _corrupt(report, name, exc, path=path)
            return []
        if isinstance(frame, GeometryLayer):
            frame.name, frame.layer = name, layer_name if len(layer_names) > 1 else None
            out.append(frame)
            continue
        if not isinstance(frame, gpd.GeoDataFrame):
            continue  # attribute-only tables inside a GeoPackage
        out.append(RawLayer(frame, name, layer_name if len(layer_names) > 1 else None))
    if not out:
        report.error("contains no layer with geometry", file=name, code="no-geometry",
                     hint=f"export polygons of territory; {FORMATS_HINT}")
    return out


def _explain_geometry_failure(path: str, layer: str | None, name: str, report: Report, exc: Exception) -> bool:
    """Name the rows whose geometry GEOS refused (unclosed rings...), or explain GDAL's size limit.

    True if the failure was explained (errors added), False to fall back to the generic message.
    """
    text = str(exc)
    if "too complex/large" in text:
        report.error("a single feature is larger than GDAL's GeoJSON reader accepts (the file is not truncated: "
                     "one geometry holds too many vertices)", file=name, field="geometry", code="feature-too-large",
                     hint="simplify the polygons (e.g. to a few hundred thousand vertices) or save the file as "
                          "GeoPackage or FlatGeobuf")
        return True
    if "LinearRing" not in text and "IllegalArgumentException" not in text:
        return False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _, _, wkb, _ = pyogrio.raw.read(path, layer=layer, read_geometry=True, columns=[])
    except Exception:
        return False
    geoms = shapely.from_wkb(wkb, on_invalid="ignore")
    failed = np.flatnonzero(pd.isna(geoms) & pd.notna(wkb))
    if not len(failed):
        return False
    why = _first_line(exc).split(": ", 1)[-1]
    for i in failed[:20]:
        report.error(f"geometry cannot be built ({why})", file=name, row=str(int(i) + 1), field="geometry",
                     code="bad-geometry", hint="close every ring (its last point equals its first) and give each "
                                               "ring at least 4 points; fix it in a GIS")
    if len(failed) > 20:
        report.error(f"{len(failed) - 20} more row(s) whose geometry cannot be built", file=name, field="geometry",
                     code="bad-geometry", hint="close every ring (its last point equals its first)")
    return True


def read_parquet(path: Path, name: str, report: Report) -> list[RawLayer]:
    hint = ("write it with geopandas' to_parquet (GeoParquet keeps the geometry and CRS), "
            "or export GeoPackage/GeoJSON instead")
    try:
        frame = gpd.read_parquet(path)
    except Exception as exc:
        text = str(exc)
        if "geo" in text and ("metadata" in text or "Missing" in text):
            report.error("is a Parquet table without GeoParquet metadata (no 'geo' key): it has no geometry "
                         "column Territory can read", file=name, code="not-geoparquet", hint=hint)
        else:
            with open(path, "rb") as fh:
                is_parquet = fh.read(4) == b"PAR1"
            if is_parquet:
                report.error(f"is a Parquet file that cannot be read as GeoParquet ({_first_line(exc)})", file=name,
                             code="unreadable", hint=hint)
            else:
                _corrupt(report, name, exc, "GeoParquet", path=path, hint=hint)
        return []
    return [RawLayer(frame, name)]


def _date_in_name(name: str) -> pd.Timestamp | None:
    return date_from_filename(name)


def _field_count_problem(path: Path, sep: str) -> tuple[int, int, int] | None:
    """(row, fields, header fields) of the first row whose field count differs from the header."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, delimiter=sep)
        header = next(reader, None)
        if header is None:
            return None
        for row in reader:
            if row and len(row) != len(header):
                return reader.line_num, len(row), len(header)
    return None


def _sniff_delimiter(header: str, suffix: str) -> str:
    """The delimiter of a CSV, guessed from its header line only (WKT holds commas)."""
    if suffix == ".tsv":
        return "\t"
    counts = {d: header.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(path: Path, name: str, report: Report) -> list[RawLayer]:
    """CSV/TSV with a WKT geometry column; bad WKT is reported per row."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            header = fh.readline()
        sep = _sniff_delimiter(header, path.suffix.lower())
        ragged = _field_count_problem(path, sep)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            table = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                                index_col=False)
    except pd.errors.EmptyDataError:
        report.error("file holds no table (no header row)", file=name, code="empty", hint="export the data again")
        return []
    except UnicodeDecodeError as exc:
        report.error(f"is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at position {exc.start})",
                     file=name, code="encoding", hint="save the CSV as UTF-8")
        return []
    except (pd.errors.ParserError, csv.Error, ValueError) as exc:
        _corrupt(report, name, exc, "CSV", hint="check the quoting of the WKT column; fields holding commas "
                                              "must be quoted")
        return []
    if ragged is not None:
        row, got, want = ragged
        report.error(f"row has {got} fields but the header has {want}", file=name, row=str(row),
                     code="csv-fields",
                     hint=f"WKT holds '{sep}': put the geometry in double quotes, e.g. \"POLYGON ((37 47, ...))\"")
        return []
    lower = {str(c).lower().strip(): c for c in table.columns}
    col = next((lower[c] for c in WKT_COLUMNS if c in lower), None)
    if col is None:
        report.error(
            f"CSV has no WKT geometry column (looked for {', '.join(WKT_COLUMNS)}; "
            f"found {', '.join(map(str, table.columns[:12]))})",
            file=name, field="geometry", code="no-wkt",
            hint="add a 'geometry' column with WKT polygons, e.g. POLYGON ((lon lat, ...)), "
                 "or map an existing one",
        )
        return []
    texts = table[col].astype(str).str.strip().to_numpy(dtype=object)
    blank = texts == ""
    texts[blank] = None
    with warnings.catch_warnings(), np.errstate(invalid="ignore"):
        warnings.simplefilter("ignore")
        geoms = shapely.from_wkt(texts, on_invalid="ignore")
    failed = np.flatnonzero(pd.isna(geoms) & ~blank)
    for i in failed[:20]:
        try:
            shapely.from_wkt(texts[i])
            why = "not valid WKT"
        except Exception as exc:  # GEOSException with the parser's reason
            why = f"not valid WKT ({_first_line(exc)[:120]})"
        report.error(why, file=name, row=str(i + 2), field=str(col), code="bad-wkt",
                     hint="fix the WKT text of this row (row numbers count the header as 1)")
    if len(failed) > 20:
        report.error(f"{len(failed) - 20} more row(s) with invalid WKT", file=name, field=str(col), code="bad-wkt",
                     hint="fix the WKT text of these rows")
    frame = gpd.GeoDataFrame(table.drop(columns=[col]), geometry=geoms)  # CRS unknown: checked later
    frame.attrs["row_offset"] = 2
    frame.attrs["unparsed_rows"] = failed.tolist()
    return [RawLayer(frame, name)]


def _kmz_document(path: Path, name: str, report: Report, options: LoadOptions) -> bytes | None:
    """The main KML of a KMZ: doc.kml, else the first .kml at the top level, else any."""
    with zipfile.ZipFile(path) as zf:
        infos = archive.safe_members(zf, name, report, max_bytes=options.max_unzipped_bytes,
                                     max_members=options.max_zip_members)
        if infos is None:
            return None
        kmls = [i for i in infos if i.filename.lower().endswith(".kml") and not i.is_dir()
                and "__MACOSX" not in i.filename]
        if not kmls:
            report.error(
                f"KMZ holds no .kml document (it holds: {', '.join(i.filename for i in infos[:8]) or 'nothing'})",
                file=name, code="kmz-empty", hint="export the map again as KMZ or KML")
            return None
        top = [i for i in kmls if len(PurePosixPath(i.filename).parts) == 1]
        doc = next((i for i in kmls if i.filename.lower() == "doc.kml"), (top or kmls)[0])
        with zf.open(doc) as fh:  # zipfile stops at the declared (already checked) size
            data = fh.read(options.max_kml_bytes + 1)
        return data if _kml_size_ok(data, name, report, options) else None


def _kml_size_ok(data: bytes, name: str, report: Report, options: LoadOptions) -> bool:
    if len(data) <= options.max_kml_bytes:
        return True
    report.error(f"KML document is larger than the limit of {human_bytes(options.max_kml_bytes)} (max_kml_bytes)",
                 file=name, code="too-big",
                 hint="export fewer folders or simplified polygons, or save the layer as GeoPackage")
    return False


def read_kml(path: Path, name: str, report: Report, options: LoadOptions) -> list[RawLayer]:
    """KML/KMZ as Google My Maps exports them: every folder is a layer."""
    try:
        if path.suffix.lower() == ".kmz":
            data = _kmz_document(path, name, report, options)
        else:
            with open(path, "rb") as fh:
                data = fh.read(options.max_kml_bytes + 1)
            data = data if _kml_size_ok(data, name, report, options) else None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
        report.error(f"not a readable zip archive ({_first_line(exc)})", file=name, code="zip-corrupt",
                     hint="a KMZ is a zip: the file may be truncated, or be a plain KML (rename it .kml)")
        return []
    if data is None:
        return []
    what = foreign(data[:4096])
    if what:
        report.error(f"{PurePosixPath(name).name} is {what}, not KML: not accepted", file=name, code="wrong-format",
                     hint=f"give the file the suffix of its real format, or export it again; {FORMATS_HINT}")
        return []
    if not check_kml(data, name, report):
        return []
    with tempfile.TemporaryDirectory(prefix=f"territory-unzip-{tempfiles.owner()}") as tmp:
        doc = Path(tmp) / "doc.kml"
        doc.write_bytes(data)
        layers = read_vector(doc, name, report)
    for layer in layers:
        frame = layer.frame
        if layer.layer and "folder" not in {str(c).casefold() for c in frame.columns}:
            frame["folder"] = layer.layer
        if frame.crs is None:
            frame.set_crs("EPSG:4326", inplace=True)  # KML is always WGS84 lon/lat
    return layers


def read_file(path: Path, options: LoadOptions, report: Report, name: str | None = None) -> list[RawLayer]:
    """Read one file of any supported format after size and emptiness checks."""
    name = name or path.name
    if not check_file(path, name, report, options.max_file_bytes):
        return []  # missing, empty, over the cap, or a device/FIFO that would hang or never end
    suffix = path.suffix.lower()
    if suffix in ZIP_SUFFIXES:
        return read_zip(path, options, report, name)
    if suffix in KML_SUFFIXES:
        return read_kml(path, name, report, options)
    if suffix in PARQUET_SUFFIXES:
        return read_parquet(path, name, report)
    if suffix in CSV_SUFFIXES:
        return read_csv(path, name, report)
    if suffix in VECTOR_SUFFIXES:
        return read_vector(path, name, report)
    if suffix in REFUSED_SUFFIXES:
        report.error(REFUSED_SUFFIXES[suffix], file=name, code="unsupported",
                     hint=f"convert it to GeoPackage or GeoJSON first (e.g. ogr2ogr out.gpkg {path.name}); "
                          f"{FORMATS_HINT}")
        return []
    report.error(f"unsupported file type '{suffix or '(none)'}'", file=name, code="unsupported",
                 hint=FORMATS_HINT)
    return []


def read_zip(path: Path, options: LoadOptions, report: Report, name: str) -> list[RawLayer]:
    """A zipped Shapefile (or any supported file inside a zip)."""
    with tempfile.TemporaryDirectory(prefix=f"territory-unzip-{tempfiles.owner()}") as tmp:
        files = archive.extract(path, Path(tmp), report, max_bytes=options.max_unzipped_bytes,
                                max_members=options.max_zip_members, name=name)
        if files is None:
            return []
        files = [f for f in files if "__MACOSX" not in f.parts and not f.name.startswith("._")]
        shps = sorted(f for f in files if f.suffix.lower() == ".shp")
        if shps:
            layers: list[RawLayer] = []
            for shp in shps:
                siblings = {f.name.lower() for f in shp.parent.iterdir()}
                missing = [ext for ext in (".shx", ".dbf") if (shp.stem + ext).lower() not in siblings]
                if missing:
                    report.error(f"shapefile '{shp.name}' lacks its {' and '.join(missing)} part",
                                 file=name, code="shp-incomplete",
                                 hint="zip all the shapefile's parts (.shp, .shx, .dbf, .prj) together")
                    return []
                if (shp.stem + ".prj").lower() not in siblings:
                    report.warning(f"shapefile '{shp.name}' has no .prj: its CRS is unknown, lon/lat assumed",
                                   file=name, code="shp-no-prj",
                                   hint="zip the .prj too so the coordinates are read in the right CRS")
                inner = shp.relative_to(tmp).as_posix()
                layers += read_vector(shp, f"{name}:{inner}", report)
            return layers
        others = sorted(f for f in files if f.suffix.lower() in ZIP_INNER)
        if not others:
            listed = ", ".join(f.name for f in files[:8]) or "nothing"
            report.error(f"zip archive contains no .shp (nor any other geodata file); it holds: {listed}", file=name,
                         code="zip-no-shp", hint="zip the shapefile's .shp, .shx, .dbf and .prj together")
            return []
        layers = []
        for other in others:
            found = read_file(other, options, report, f"{name}:{other.relative_to(tmp).as_posix()}")
            day = _date_in_name(other.name)
            for layer in found:
                layer.file_date = day
            layers += found
        return layers
