"""From a file's raw table to canonical control-history rows.

Column names are matched through a mapping (``--column date=Datum``) or known
synonyms; actor and status labels through alias tables; geometry is made 2-D,
transformed from its declared CRS to EPSG:4326, repaired where invalid, and
stripped of non-polygon parts. Everything dropped or repaired is counted in
the report.

Work is vectorised (per distinct value, or per array of geometries); Python
loops only run over rows that are reported, and at most :data:`MAX_ROW_PROBLEMS`
rows are listed one by one for each kind of problem.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from territory.actors import STATUS_ALIASES
from territory.io.dates import (
    FORMAT_HINT,
    MAX_DAY,
    MIN_DAY,
    check_format,
    parse_one,
    parse_texts,
)
from territory.io.options import LoadOptions
from territory.io.readers import RawLayer
from territory.io.repair import make_valid_structure
from territory.model import CRS as WGS84
from territory.model import HISTORY_COLUMNS, STATUSES
from territory.report import Report, opt

SYNONYMS: dict[str, Sequence[str]] = {
    "date": ("date", "datum", "day", "snapshot_date", "as_of", "timestamp", "begin", "start", "start_date", "date_from", "valid_from"),
    "actor": ("actor", "controlled_by", "holder", "party", "side", "faction", "force", "group", "owner", "controller"),
    "status": ("status", "control_status", "control", "state"),
    "valid_to": ("valid_to", "end", "end_date", "until", "date_to", "expires"),
    "source": ("source", "sources"),
    "source_url": ("source_url", "url", "link", "href"),
    "note": ("note", "notes", "description", "comment", "remarks"),
}
#: KML (LIBKML) puts <TimeStamp> in 'timestamp' and <TimeSpan> in 'begin'/'end': one
#: Placemark may have either, so these columns complete each other.
KML_DATE_COLUMNS = ("timestamp", "begin")
#: Last-resort actor columns, for files (KML) that only carry a name.
NAME_FALLBACK = ("name", "folder", "layer")
#: Rows listed one by one per kind of problem; the rest are summarised.
MAX_ROW_PROBLEMS = 20
PARTIAL_DATE = re.compile(r"^\d{4}(-\d{1,2})?$")

#: Geometry type ids (shapely.get_type_id).
POLYGONAL = (3, 6)
COLLECTION = 7
TYPE_NAMES = ("Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString",
              "MultiPolygon", "GeometryCollection")


def parse_day(value: object, fmt: str | None = None) -> pd.Timestamp | None:
    """One date-like value to a midnight Timestamp, or None if it is not a usable date (see :mod:`.dates`)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    text = str(value).strip()
    if not text:
        return None
    return parse_one(text, fmt)[0]


def _blank(values: pd.Series) -> pd.Series:
    """True where a cell is missing or only whitespace."""
    return values.isna() | (values.astype("string").str.strip().fillna("") == "")


def _is_empty_column(values: pd.Series) -> bool:
    return bool(_blank(values).all())


def find_columns(frame: pd.DataFrame, options: LoadOptions, report: Report, name: str) -> dict[str, str]:
    """Canonical column -> the file's column name, for those present.

    Columns named in ``options.columns`` are used as given; synonyms are only
    used when they hold at least one value (KML readers add empty 'timestamp',
    'begin' and 'end' columns to every layer).
    """
    geom_name = frame.active_geometry_name if isinstance(frame, gpd.GeoDataFrame) else None
    present = {str(c).strip().casefold(): c for c in frame.columns if c != geom_name}
    found: dict[str, str] = {}
    for canon, theirs in options.columns.items():
        if canon not in HISTORY_COLUMNS or canon == "geometry":
            report.error(f"the column mapping names an unknown column '{canon}'", file=name, code="bad-mapping",
                         hint=f"map one of: {', '.join(c for c in HISTORY_COLUMNS if c != 'geometry')}")
            continue
        key = str(theirs).strip().casefold()
        if key not in present:
            report.error(f"mapped column '{theirs}' (for {canon}) is not in the file", file=name, field=str(theirs),
                         code="bad-mapping",
                         hint=f"the file's columns are: {', '.join(str(c) for c in frame.columns if c != geom_name)}")
            continue
        found[canon] = present[key]
    for canon, names in SYNONYMS.items():
        if canon in found:
            continue
        for cand in names:
            if cand in present and present[cand] not in found.values() and not _is_empty_column(frame[present[cand]]):
                found[canon] = present[cand]
                break
    if "actor" not in found and "actor" in present and present["actor"] not in found.values():
        found["actor"] = present["actor"]  # an 'actor' column left blank: say which rows, not "no actor column"
    return found


def _parse_dates(values: pd.Series, fmt: str | None = None) -> tuple[pd.Series, dict[str, str], str | None]:
    """Parse each distinct value once, by the rules of :mod:`.dates`.

    Returns the days (NaT where refused), value -> why it was refused, and a
    message if the column mixes formats (then every day is NaT).
    """
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        out = values
        if getattr(values.dt, "tz", None) is not None:
            out = values.dt.tz_localize(None)
        out = out.dt.normalize()
        ok = out.isna() | ((out >= MIN_DAY) & (out < MAX_DAY))
        return out.where(ok).astype("datetime64[ns]"), {}, None
    text = values.astype("string").str.strip()
    uniq = [str(v) for v in text.dropna().unique() if str(v)]
    days, problems, mixed = parse_texts(uniq, fmt)
    if mixed:
        days = {}
    return pd.Series(text.map(days), index=values.index).astype("datetime64[ns]"), problems, mixed


def _kind(value: object) -> str:
    return "JSON object" if isinstance(value, dict) else "true/false value" if isinstance(value, bool) else "list"


def _show(value: object) -> str:
    """A cell as the user wrote it (dates that GDAL parsed shown as dates)."""
    if isinstance(value, pd.Timestamp | np.datetime64):
        ts = pd.Timestamp(value)
        return ts.date().isoformat() if ts == ts.normalize() else ts.isoformat()
    return str(value).strip()[:80]


def _rows(index: np.ndarray, offset: int, limit: int = 5) -> str:
    shown = ", ".join(str(int(i) + offset) for i in index[:limit])
    return shown + (f" and {len(index) - limit} more" if len(index) > limit else "")


def _row_errors(report: Report, mask: np.ndarray, offset: int, make: object, *, file: str, field: str,
                code: str, hint: str, summary: str) -> None:
    """One error per flagged row (the first few), then one summarising the rest."""
    idx = np.flatnonzero(mask)
    for i in idx[:MAX_ROW_PROBLEMS]:
        report.error(make(i), file=file, row=str(int(i) + offset), field=field, code=code, hint=hint)  # type: ignore[operator]
    if len(idx) > MAX_ROW_PROBLEMS:
        report.error(f"{len(idx) - MAX_ROW_PROBLEMS} more row(s) {summary}", file=file, field=field, code=code,
                     hint=hint)


#: GeometryCollections nested deeper than this are refused (no real export nests them).
MAX_NESTING = 32


def _flatten(geom: shapely.Geometry) -> list[shapely.Geometry]:
    """Non-collection parts of a (possibly nested) GeometryCollection, without recursion."""
    out: list[shapely.Geometry] = []
    stack = [geom]
    while stack:
        for part in shapely.get_parts(stack.pop()):
            if shapely.get_type_id(part) == COLLECTION:
                stack.append(part)
            else:
                out.append(part)
    return out


def _nesting(geom: shapely.Geometry) -> int:
    """How deep GeometryCollections nest in ``geom`` (stops counting past MAX_NESTING)."""
    depth, level = 0, [geom]
    while level and depth <= MAX_NESTING:
        level = [p for g in level for p in shapely.get_parts(g) if shapely.get_type_id(p) == COLLECTION]
        depth += 1
    return depth


_WGS84_CRS = CRS.from_user_input(WGS84)
_LONLAT = (_WGS84_CRS, CRS.from_epsg(4979), CRS.from_user_input("OGC:CRS84"))
_LONLAT_WKT: dict[str, bool] = {}


def _is_wgs84(crs: CRS) -> bool:
    """Whether ``crs`` is WGS84 lon/lat (EPSG:4326, its 3-D twin, CRS84), cached: comparing is slow."""
    key = crs.srs or crs.to_wkt()
    if key not in _LONLAT_WKT:
        _LONLAT_WKT[key] = any(crs.equals(other, ignore_axis_order=True) for other in _LONLAT)
    return _LONLAT_WKT[key]


def _looks_projected(bounds: np.ndarray) -> bool:
    """Coordinates in the thousands: metres or feet, not degrees."""
    return bool(np.nanmax(np.abs(bounds)) > 1000)


def _bounds_text(b: np.ndarray) -> str:
    return f"x {b[0]:,.6g}..{b[2]:,.6g}, y {b[1]:,.6g}..{b[3]:,.6g}"


#: No CRS puts a place on Earth further out than this: the widest projections reach ~2e7 m (~6.6e7 US ft).
EARTH_MAX_COORDINATE = 1e8


def _refuse_not_lonlat(b: np.ndarray, report: Report, name: str, detail: str, hint: str) -> None:
    """Projected-looking coordinates: 'metres?' when they could be, 'corrupt' when no unit fits."""
    if np.nanmax(np.abs(b)) > EARTH_MAX_COORDINATE:
        report.error(f"coordinates are no place on Earth ({_bounds_text(b)}): too large for degrees, metres "
                     "or feet, so the numbers themselves are wrong", file=name, field="geometry",
                     code="absurd-coordinates",
                     hint="fix the coordinates in the file (a value such as 1e+300 is a writing error), "
                          "then load it again")
        return
    report.error(f"coordinates are not lon/lat ({_bounds_text(b)}: metres?) {detail}", file=name,
                 field="geometry", code="projected-no-crs", hint=hint)


def _crs_contradicted(crs: CRS, arr: np.ndarray, present: np.ndarray, report: Report, name: str) -> bool:
    """A projected CRS declared over coordinates that look like lon/lat degrees: an error, True."""
    if not (crs.is_projected and present.any()):
        return False
    b = shapely.total_bounds(arr[present])
    if not (np.all(np.abs(b[[0, 2]]) <= 180) and np.all(np.abs(b[[1, 3]]) <= 90)):
        return False
    unit = (crs.axis_info[0].unit_name if crs.axis_info else "") or "metres"
    report.error(
        f"the file declares {crs.to_string()!s} ({crs.name}, in {unit}) but the coordinates look like "
        f"lon/lat degrees ({_bounds_text(b)}): the declared CRS "
        "contradicts the coordinates",
        file=name, field="geometry", code="crs-contradiction",
        hint="if the coordinates are lon/lat, declare EPSG:4326 (or drop the CRS from a GeoJSON); "
             "otherwise the coordinates were written in the wrong units",
    )
    return True


def _to_lonlat(frame: gpd.GeoDataFrame, arr: np.ndarray, present: np.ndarray, report: Report,
               name: str) -> gpd.GeoSeries | None:
    """The layer's geometry in EPSG:4326; None (with an error) when its CRS is missing for projected
    coordinates, unreadable, contradicted by the coordinates, or cannot be transformed."""
    geom = frame.geometry
    if frame.crs is None:
        if present.any() and _looks_projected(shapely.total_bounds(arr[present])):
            _refuse_not_lonlat(shapely.total_bounds(arr[present]), report, name, "and the file declares no CRS",
                               "declare the CRS (a .prj beside the .shp, or a 'crs' in the file) or reproject "
                               "to EPSG:4326 (lon/lat) before loading")
            return None
        return geom
    try:
        crs = CRS.from_user_input(frame.crs)
        is_wgs84 = _is_wgs84(crs)
    except Exception as exc:
        report.error(f"declared CRS cannot be understood ({str(exc)[:160]})", file=name, field="geometry",
                     code="bad-crs", hint="declare a standard CRS such as EPSG:4326")
        return None
    if is_wgs84:
        if present.any() and _looks_projected(shapely.total_bounds(arr[present])):
            _refuse_not_lonlat(shapely.total_bounds(arr[present]), report, name,
                               "but the file is read as EPSG:4326 (GeoJSON without a 'crs' member always is)",
                               "reproject to EPSG:4326 (lon/lat) before loading, or save in a format that "
                               "declares its CRS (GeoPackage, zipped Shapefile with .prj)")
            return None
        return geom
    if _crs_contradicted(crs, arr, present, report, name):
        return None
    try:
        geom = geom.to_crs(WGS84)
    except Exception as exc:
        report.error(f"cannot transform from the declared CRS {crs.name!r} to lon/lat ({str(exc)[:160]})",
                     file=name, field="geometry", code="bad-crs",
                     hint="reproject to EPSG:4326 (lon/lat) before loading")
        return None
    report.count("reprojected_rows", int(present.sum()))
    return geom


def _refuse_unmeasurable(arr: np.ndarray, present: np.ndarray, types: np.ndarray, report: Report, name: str,
                         offset: int, valid: np.ndarray | None = None) -> bool:
    """Rows with NaN/infinite coordinates or absurdly nested collections: errors by row, True.

    Coordinates that are not numbers are reported, not repaired (repairing would silently drop them).
    ``valid`` (``shapely.is_valid`` of ``arr``): GEOS calls a geometry with a NaN or infinite
    coordinate invalid, so only the other rows' coordinates are looked at.
    """
    suspect = present if valid is None else present & ~valid
    coords, owner = shapely.get_coordinates(arr[suspect], return_index=True)
    if len(coords):
        nonfinite = np.zeros(len(arr), bool)
        nonfinite[np.flatnonzero(suspect)[np.unique(owner[~np.isfinite(coords).all(axis=1)])]] = True
        _row_errors(report, nonfinite, offset, lambda i: "coordinates contain NaN or infinity (not numbers)",
                    file=name, field="geometry", code="bad-coordinates", summary="with NaN or infinite coordinates",
                    hint="fix or remove the broken vertices of this polygon in a GIS")
        if nonfinite.any():
            return True
    deep = [i for i in np.flatnonzero(present & (types == COLLECTION)) if _nesting(arr[i]) > MAX_NESTING]
    if deep:
        mask = np.zeros(len(arr), bool)
        mask[deep] = True
        _row_errors(report, mask, offset, lambda i: f"GeometryCollections nested more than {MAX_NESTING} levels deep",
                    file=name, field="geometry", code="too-deep", summary="with too deeply nested collections",
                    hint="export plain Polygons or MultiPolygons")
        return True
    return False


def _polygonal_rows(arr: np.ndarray, present: np.ndarray, types: np.ndarray, report: Report, name: str,
                    offset: int) -> tuple[np.ndarray, np.ndarray]:
    """(polygonal, other) row masks; GeometryCollections are flattened in place to their polygon parts.

    Dropped parts and non-polygon features are warned about with their rows.
    """
    polygonal = present & np.isin(types, POLYGONAL)
    collections = present & (types == COLLECTION)
    if collections.any():
        lost = []
        for i in np.flatnonzero(collections):
            parts = _flatten(arr[i])
            polys = [p for p in parts if shapely.get_type_id(p) in POLYGONAL and not p.is_empty]
            if len(polys) < len(parts):
                lost.append(i)
            if polys:
                arr[i] = polys[0] if len(polys) == 1 else shapely.union_all(polys)
                polygonal[i] = True
        report.count("collections_flattened", int(collections.sum()))
        if lost:
            lost_idx = np.asarray(lost)
            report.warning(
                f"{len(lost_idx)} GeometryCollection(s) had non-polygon parts (points or lines), dropped: "
                f"rows {_rows(lost_idx, offset)}",
                file=name, field="geometry", code="collection-parts",
                hint="territory must be polygons; only the polygon parts are kept",
            )
            report.count("collection_parts_dropped", len(lost_idx))
    other = present & ~polygonal
    if other.any():
        kinds = sorted(set(shapely.get_type_id(arr[other]).tolist()))
        names = ", ".join(TYPE_NAMES[k] for k in kinds if 0 <= k < len(TYPE_NAMES))
        report.warning(
            f"{int(other.sum())} non-polygon feature(s) ({names}) dropped: rows {_rows(np.flatnonzero(other), offset)}",
            file=name, field="geometry", code="non-polygon",
            hint="territory must be polygons; points and lines are ignored",
        )
        report.count("non_polygon_dropped", int(other.sum()))
    return polygonal, other


def _empty_missing(arr: np.ndarray, present: np.ndarray, null_input: np.ndarray, unparsed: object,
                   report: Report, name: str, offset: int) -> None:
    """Rows without geometry become empty polygons ("holds nothing"), in place; null ones are warned about.

    An explicitly empty polygon is the model's way to say "holds nothing from this day"; a row
    with no geometry at all may be an export failure, so it is pointed out. Rows whose WKT could
    not be parsed (``unparsed``) were reported as errors already.
    """
    missing = ~present
    if unparsed is not None and len(unparsed):  # type: ignore[arg-type]
        missing[np.asarray(unparsed, dtype=int)] = False
    if not missing.any():
        return
    null = missing & null_input
    if null.any():
        report.warning(
            f"{int(null.sum())} row(s) with no readable geometry (null, missing, or not a valid geometry "
            f"object, e.g. coordinates written as text), read as 'holds nothing': "
            f"rows {_rows(np.flatnonzero(null), offset)}",
            file=name, field="geometry", code="empty-geometry",
            hint="check these rows' geometry (coordinates are numbers: [36.1, 35.2], not \"36.1\"); remove "
                 "them if they are not meant to end a holding (an empty polygon says 'holds nothing' without "
                 "this warning)",
        )
    report.count("empty_geometries", int(missing.sum()))
    arr[missing] = shapely.Polygon()


def _repair(arr: np.ndarray, keep: np.ndarray, report: Report, name: str, offset: int,
            valid: np.ndarray | None = None) -> np.ndarray:
    """Invalid polygons made valid in place (warned about by row); returns ``keep`` less those left with no area.

    ``valid``: ``shapely.is_valid(arr)`` if already known (not checked again).
    """
    broken = keep & ~(shapely.is_valid(arr) if valid is None else valid)
    if not broken.any():
        return keep
    collapsed = repair_rows(arr, broken)
    repair_warning(report, broken, collapsed, name, offset)
    if collapsed.any():
        arr[collapsed] = None
        keep = keep & ~collapsed
    return keep


def repair_rows(arr: np.ndarray, broken: np.ndarray) -> np.ndarray:
    """The ``broken`` rows of ``arr`` made valid and polygonal in place; returns the rows left with no area."""
    arr[broken] = [_polygonal(g) for g in make_valid_structure(arr[broken])]
    return broken & shapely.is_empty(arr)


def repair_warning(report: Report, broken: np.ndarray, collapsed: np.ndarray, name: str, offset: int) -> None:
    """The warning naming the rows :func:`repair_rows` repaired (and counting them)."""
    report.warning(
        f"{int(broken.sum())} invalid polygon(s) repaired (self-intersections, bad rings): "
        f"rows {_rows(np.flatnonzero(broken), offset)}"
        + (f"; {int(collapsed.sum())} had no area left and were dropped" if collapsed.any() else ""),
        file=name, field="geometry", code="repaired",
        hint="check these polygons in a GIS; the repaired shape may differ from what was meant",
    )
    report.count("repaired_geometries", int(broken.sum()))


def _check_extent(arr: np.ndarray, keep: np.ndarray, report: Report, name: str, offset: int) -> None:
    """Errors by row for coordinates outside ±180/±90 and for parts wrapping the antimeridian."""
    bounds = np.full((len(arr), 4), np.nan)
    bounds[keep] = shapely.bounds(arr[keep])
    with np.errstate(invalid="ignore"):
        off_range = keep & ((np.abs(bounds[:, [0, 2]]) > 180.0001).any(axis=1)
                            | (np.abs(bounds[:, [1, 3]]) > 90.0001).any(axis=1))
    _row_errors(
        report, off_range, offset,
        lambda i: (f"coordinates are outside the lon/lat range (x {bounds[i, 0]:.1f}..{bounds[i, 2]:.1f}, "
                   f"y {bounds[i, 1]:.1f}..{bounds[i, 3]:.1f})"),
        file=name, field="geometry", code="out-of-range", summary="with coordinates outside the lon/lat range",
        hint="longitude must be within ±180 and latitude within ±90: check for swapped or mistyped "
             "coordinates, or a wrong declared CRS",
    )
    # A part spanning more than 180° of longitude almost certainly wraps the wrong way
    # round the globe. MultiPolygons correctly split at ±180° are fine.
    candidates = np.flatnonzero(keep & ~off_range & ((bounds[:, 2] - bounds[:, 0]) > 180))
    if len(candidates):
        parts, owner = shapely.get_parts(arr[candidates], return_index=True)
        pb = shapely.bounds(parts)
        wide = np.zeros(len(arr), bool)
        wide[candidates[np.unique(owner[(pb[:, 2] - pb[:, 0]) > 180])]] = True
        _row_errors(
            report, wide, offset,
            lambda i: "polygon spans more than 180° of longitude: it probably crosses the antimeridian (±180°)",
            file=name, field="geometry", code="antimeridian", summary="crossing the antimeridian",
            hint="split it at ±180° into a MultiPolygon (e.g. with the 'antimeridian' Python package) "
                 "before loading",
        )


def normalise_geometry(frame: gpd.GeoDataFrame, report: Report, name: str, offset: int) -> np.ndarray | None:
    """2-D polygonal EPSG:4326 geometry, or None if the whole layer is refused.

    Non-polygon rows become None (dropped later, with a warning); rows with no
    geometry become empty polygons ("holds nothing", with a warning).
    """
    arr = np.asarray(frame.geometry.values, dtype=object)
    null_input = pd.isna(arr)
    present = ~(null_input | shapely.is_empty(arr))
    geom = _to_lonlat(frame, arr, present, report, name)
    if geom is None:
        return None
    arr = np.asarray(geom.values, dtype=object)
    has_z = present & shapely.has_z(arr)
    if has_z.any():
        arr = shapely.force_2d(arr)
        report.count("z_dropped", int(has_z.sum()))
    types = shapely.get_type_id(arr)
    valid = shapely.is_valid(arr)  # once: it also vouches for the coordinates (see _refuse_unmeasurable)
    if _refuse_unmeasurable(arr, present, types, report, name, offset, valid):
        return None
    polygonal, other = _polygonal_rows(arr, present, types, report, name, offset)
    flattened = present & (types == COLLECTION)  # changed in place by _polygonal_rows: checked again
    if flattened.any():
        valid[flattened] = shapely.is_valid(arr[flattened])
    _empty_missing(arr, present, null_input, frame.attrs.get("unparsed_rows"), report, name, offset)
    arr[other] = None
    keep = _repair(arr, polygonal, report, name, offset, valid)
    if keep.any():
        _check_extent(arr, keep, report, name, offset)
    return arr


def _polygonal(g: shapely.Geometry) -> shapely.Geometry:
    if g is None:
        return shapely.Polygon()
    if shapely.get_type_id(g) in POLYGONAL:
        return g
    polys = [p for p in _flatten(g) if shapely.get_type_id(p) == 3 and not p.is_empty]
    return shapely.MultiPolygon(polys) if len(polys) > 1 else (polys[0] if polys else shapely.Polygon())


def check_options(options: LoadOptions, report: Report, name: str) -> bool:
    """Refuse option values that cannot work (they would fail on every row)."""
    ok = True
    if options.date is not None:
        day, why = parse_one(str(options.date).strip())
        if day is None:
            report.error(f"the file date {why or repr(options.date) + ' is not a date'}",
                         file=name, field="date", code="bad-option", hint=f"write {opt('file_date')} as YYYY-MM-DD")
            ok = False
    if options.date_format:
        problem = check_format(options.date_format)
        if problem:
            report.error(problem, file=name, field="date", code="bad-option",
                         hint=f"write {opt('date_format')} like %d/%m/%Y (day/month/year) or %m/%d/%Y "
                              "(month/day/year)")
            ok = False
    if options.status is not None and STATUS_ALIASES.resolve(options.status) is None:
        report.error(f"the status option '{options.status}' is not one of {', '.join(STATUSES)}", file=name,
                     field="status", code="bad-option", hint="use controlled, contested or claimed")
        ok = False
    if options.actor is not None and not str(options.actor).strip():
        report.error("the actor option is blank", file=name, field="actor", code="bad-option",
                     hint=f"give the actor's name with {opt('actor')}, e.g. 'Islamic State'")
        ok = False
    return ok


def _refuse_non_text(frame: pd.DataFrame, cols: dict[str, str], report: Report, name: str, offset: int) -> bool:
    """A true/false actor or status column, or JSON objects/lists in any column: errors by row, True."""
    n = len(frame)
    for canon, col in cols.items():
        values = frame[col]
        if canon in ("actor", "status") and pd.api.types.is_bool_dtype(values.dtype):
            _row_errors(report, np.ones(n, dtype=bool), offset, lambda i, c=canon: f"{c} is true/false, not text",
                        file=name, field=str(col), code="bad-type", summary=f"whose {canon} is not text",
                        hint=f"write the {canon} as text, e.g. \"Occupied\" (JSON true/false is not a name)")
            return True
        if values.dtype == object:
            nested = values.map(lambda v: isinstance(v, dict | list | tuple | set | np.ndarray | bool)).to_numpy(dtype=bool)
            _row_errors(report, nested, offset,
                        lambda i, v=values, c=canon: f"{c} is a {_kind(v.iloc[i])}, not text",
                        file=name, field=str(col), code="bad-type", summary=f"whose {canon} is not text",
                        hint=f"write the {canon} as plain text (a string), not a JSON object or list")
            if nested.any():
                return True
    return False


def _warn_partial_dates(raw_dates: pd.Series, report: Report, name: str, col: str, offset: int) -> None:
    """A warning naming the rows whose date is only a year or a month (read as its first day)."""
    text = raw_dates.astype("string").str.strip()
    partial = text.str.fullmatch(PARTIAL_DATE.pattern).fillna(False).to_numpy(dtype=bool)
    if partial.any():
        report.warning(
            f"{int(partial.sum())} date(s) give only a year or a month (e.g. '{text[partial].iloc[0]}'), "
            f"read as its first day: rows {_rows(np.flatnonzero(partial), offset)}",
            file=name, field=str(col), code="partial-date",
            hint="write full dates as YYYY-MM-DD if the day is known",
        )


def _date_column(frame: pd.DataFrame, col: str, fmt: str | None, fill: pd.Timestamp | None, report: Report,
                 name: str, offset: int) -> pd.Series:
    """The date column's days (NaT where refused, with an error by row); ``fill`` dates its empty cells.

    KML's 'timestamp' and 'begin' columns complete each other (a Placemark has either).
    """
    raw_dates = frame[col]
    dates, why, mixed = _parse_dates(raw_dates, fmt)
    if str(col).casefold() in KML_DATE_COLUMNS:
        for other in KML_DATE_COLUMNS:
            match = [c for c in frame.columns if str(c).casefold() == other and c != col]
            if match:
                more, more_why, more_mixed = _parse_dates(frame[match[0]], fmt)
                dates = dates.fillna(more)
                why, mixed = {**more_why, **why}, mixed or more_mixed
    if fill is not None:
        dates = dates.where(dates.notna() | ~_blank(raw_dates), fill)
    bad = dates.isna().to_numpy()
    blank = _blank(raw_dates).to_numpy()
    if mixed:
        report.error(mixed, file=name, field=str(col), code="mixed-dates",
                     hint="write every date of the column the same way (YYYY-MM-DD), or " + FORMAT_HINT)
    else:
        ambiguous = any("ambiguous" in w or "orders" in w or "two-digit" in w for w in why.values())
        _row_errors(
            report, bad, offset,
            lambda i: "date missing" if blank[i] else
            "date " + why.get(str(raw_dates.iloc[i]).strip(), f"'{_show(raw_dates.iloc[i])}' is not a date"),
            file=name, field=str(col), code="bad-date", summary="with a missing or unparseable date",
            hint=FORMAT_HINT if ambiguous else "write dates as YYYY-MM-DD (years 1678-2261)",
        )
    if not bad.any() and not pd.api.types.is_datetime64_any_dtype(raw_dates.dtype):
        _warn_partial_dates(raw_dates, report, name, col, offset)
    return dates


def _layer_dates(frame: pd.DataFrame, cols: dict[str, str], options: LoadOptions, report: Report, name: str,
                 offset: int, file_date: pd.Timestamp | np.ndarray | None, fill_missing_dates: bool) -> object | None:
    """Each row's date: from its column, else the file name's or the options' date; None (with an error) if none.

    ``file_date`` may give one day per row (snapshot files normalised as one batch: :mod:`.batch`).
    """
    if "date" in cols:
        fill = file_date if fill_missing_dates else None
        return _date_column(frame, cols["date"], options.date_format, fill, report, name, offset)
    if file_date is not None or options.date:
        day = file_date if file_date is not None else parse_day(options.date)  # checked by check_options
        return np.broadcast_to(np.asarray(day, dtype="datetime64[ns]"), len(frame)).copy()
    if "date" not in options.columns:  # else a bad mapping was reported already
        report.error("no date column and no date in the file name", file=name, field="date", code="no-date",
                     hint=f"add a 'date' column (YYYY-MM-DD), map one with {opt('column', 'date')}, "
                          f"name the file YYYY-MM-DD.geojson, or use {opt('file_date')}")
    return None


def _layer_actors(frame: pd.DataFrame, cols: dict[str, str], options: LoadOptions, report: Report, name: str,
                  offset: int) -> object | None:
    """Each row's actor, cleaned by the alias table; None (with an error) if the layer names none.

    With no actor column and no actor option, a 'name' (KML) column stands in, with a warning.
    """
    actor_col = cols.get("actor")
    if actor_col is None and options.actor is None:
        lower = {str(c).casefold(): c for c in frame.columns if c != frame.active_geometry_name}
        actor_col = next((lower[c] for c in NAME_FALLBACK if c in lower and not _is_empty_column(frame[lower[c]])),
                         None)
        if actor_col is not None:
            report.warning(f"no actor column: actors are taken from the '{actor_col}' column", file=name,
                           field=str(actor_col), code="actor-from-name",
                           hint=f"if that is wrong, map the right column with {opt('column', 'actor')} "
                                f"or use {opt('actor')}")
    if actor_col is not None:
        labels = frame[actor_col]
        missing = _blank(labels)
        if options.actor is not None:
            labels = labels.where(~missing, options.actor)
            missing = pd.Series(False, index=labels.index)
        missing_arr = missing.to_numpy(dtype=bool)
        _row_errors(report, missing_arr, offset, lambda i: "actor is missing", file=name, field=str(actor_col),
                    code="no-actor", summary="with no actor",
                    hint=f"fill in the actor, or use {opt('actor')} for rows without one")
        uniq = labels[~missing].unique()
        cleaned = {v: options.aliases.clean(v) for v in uniq}
        return labels.map(cleaned)
    if options.actor is not None:
        return np.full(len(frame), options.aliases.clean(options.actor), dtype=object)
    if "actor" not in options.columns:
        report.error("no actor column", file=name, field="actor", code="no-actor",
                     hint=f"add an 'actor' column, map one with {opt('column', 'actor')}, or use {opt('actor')}")
    return None


def _layer_statuses(frame: pd.DataFrame, cols: dict[str, str], options: LoadOptions, report: Report, name: str,
                    offset: int) -> object:
    """Each row's status through the alias table (blank cells take the option's or 'controlled')."""
    default_status = STATUS_ALIASES.resolve(options.status) or "controlled"
    if "status" not in cols:
        return np.full(len(frame), default_status, dtype=object)
    labels = frame[cols["status"]]
    empty = _blank(labels)
    lookup = {v: STATUS_ALIASES.resolve(v) for v in labels[~empty].unique()}
    resolved = labels.map(lookup).where(~empty, default_status)
    unknown = resolved.isna().to_numpy()
    _row_errors(
        report, unknown, offset, lambda i: f"status '{labels.iloc[i]}' is not one of {', '.join(STATUSES)}",
        file=name, field=str(cols["status"]), code="bad-status", summary="with an unknown status",
        hint="use controlled, contested or claimed (or a known alias such as 'occupied', 'grey zone')",
    )
    return resolved


def _layer_valid_to(frame: pd.DataFrame, cols: dict[str, str], fmt: str | None, dates: object | None,
                    report: Report, name: str, offset: int) -> object:
    """Each row's valid_to (NaT if none); errors by row where unparseable or not after the row's date."""
    if "valid_to" not in cols:
        return np.full(len(frame), np.datetime64("NaT", "ns"))
    col = cols["valid_to"]
    raw_vt = frame[col]
    vt, vt_why, vt_mixed = _parse_dates(raw_vt, fmt)
    if vt_mixed:
        report.error(vt_mixed, file=name, field=str(col), code="mixed-dates",
                     hint="write every date of the column the same way (YYYY-MM-DD), or " + FORMAT_HINT)
    else:
        bad = (vt.isna() & ~_blank(raw_vt)).to_numpy()
        _row_errors(report, bad, offset,
                    lambda i: "valid_to " + vt_why.get(str(raw_vt.iloc[i]).strip(),
                                                       f"'{_show(raw_vt.iloc[i])}' is not a date"),
                    file=name, field=str(col), code="bad-date",
                    summary="with an unparseable valid_to", hint="write dates as YYYY-MM-DD or leave empty")
    if dates is not None:
        start = pd.Series(np.asarray(dates, dtype="datetime64[ns]"))
        inverted = (vt.notna() & start.notna() & (vt <= start)).to_numpy()
        _row_errors(
            report, inverted, offset,
            lambda i: f"valid_to is not after date ({vt.iloc[i]:%Y-%m-%d} <= {start.iloc[i]:%Y-%m-%d})",
            file=name, field=str(col), code="bad-interval", summary="with valid_to not after date",
            hint="valid_to is the first day the row no longer holds: it must be later than date",
        )
    return vt


def _text_column(frame: pd.DataFrame, col: str | None) -> object:
    """A free-text column (source, note) stripped, blank cells None; all None if the layer has none."""
    if col is None:
        return np.full(len(frame), None, dtype=object)
    values = frame[col]
    text = values.astype("string").str.strip()
    return text.astype(object).where(~_blank(values), None)


def normalise_layer(
    raw: RawLayer, options: LoadOptions, report: Report, file_date: pd.Timestamp | np.ndarray | None = None,
    fill_missing_dates: bool = False,
) -> dict[str, np.ndarray] | None:
    """History rows from one raw layer as column arrays (None if refused), geometry in EPSG:4326.

    ``file_date`` (from the file name) dates the rows when the layer has no date
    column; with ``fill_missing_dates`` (snapshot folders) it also dates rows
    whose date cell is empty. The result has the canonical columns plus ``_row``
    (1-based feature number, CSV counting its header as row 1) and ``_file``, as
    arrays of equal length; rows are in file order.
    """
    frame = raw.frame
    name = raw.name if not raw.layer else f"{raw.name}, layer '{raw.layer}'"
    offset = int(frame.attrs.get("row_offset", 1))
    if frame.empty:
        report.error("contains no features", file=name, code="no-features",
                     hint="export the layer again; it has no rows")
        return None
    if not (isinstance(frame.index, pd.RangeIndex) and frame.index.start == 0 and frame.index.step == 1):
        frame = frame.reset_index(drop=True)
    before = len(report.problems)  # this layer's problems follow (counting all errors per file is quadratic)
    cols = find_columns(frame, options, report, name)
    if _refuse_non_text(frame, cols, report, name, offset):
        return None
    out: dict[str, object] = {}
    dates = _layer_dates(frame, cols, options, report, name, offset, file_date, fill_missing_dates)
    if dates is not None:
        out["date"] = dates
    actors = _layer_actors(frame, cols, options, report, name, offset)
    if actors is not None:
        out["actor"] = actors
    out["status"] = _layer_statuses(frame, cols, options, report, name, offset)
    out["valid_to"] = _layer_valid_to(frame, cols, options.date_format, dates, report, name, offset)
    for extra in ("source", "source_url", "note"):
        out[extra] = _text_column(frame, cols.get(extra))
    geometry = normalise_geometry(frame, report, name, offset)
    if geometry is None or any(p.severity == "error" for p in report.problems[before:]):
        return None
    n = len(frame)
    keep = ~pd.isna(geometry)
    columns = {k: np.asarray(v)[keep] for k, v in out.items()}
    columns["_row"] = (np.arange(n) + offset)[keep]
    columns["_file"] = np.full(int(keep.sum()), name, dtype=object)
    columns["geometry"] = geometry[keep]
    # Plain arrays (EPSG:4326 geometry): the caller makes one frame of all layers' rows, instead
    # of paying pandas' and geopandas' per-frame cost once per snapshot file.
    return columns


#: A layer's history rows as column arrays (see :func:`normalise_layer`).
Rows = dict[str, np.ndarray]


def join_rows(parts: list[Rows]) -> Rows:
    """The rows of several layers, in order, as one set of column arrays."""
    if len(parts) == 1:
        return dict(parts[0])
    return {c: np.concatenate([p[c] for p in parts]) for c in parts[0]}
