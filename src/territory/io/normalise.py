"""From a file's raw table to canonical control-history rows.

Column names are matched through a mapping (``--column date=Datum``) or known
synonyms; actor and status labels through alias tables; geometry is made 2-D,
transformed from its declared CRS to EPSG:4326, repaired where invalid, and
stripped of non-polygon parts. Everything dropped or repaired is counted in
the report.
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
from territory.io.options import LoadOptions
from territory.io.readers import RawLayer
from territory.model import CRS as WGS84
from territory.model import HISTORY_COLUMNS, STATUSES, canonical
from territory.report import Report

SYNONYMS: dict[str, Sequence[str]] = {
    "date": ("date", "datum", "day", "snapshot_date", "as_of", "timestamp", "begin", "start", "start_date", "date_from", "valid_from"),
    "actor": ("actor", "controlled_by", "holder", "party", "side", "faction", "force", "group", "owner", "controller"),
    "status": ("status", "control_status", "control", "state"),
    "valid_to": ("valid_to", "end", "end_date", "until", "date_to", "expires"),
    "source": ("source", "sources"),
    "source_url": ("source_url", "url", "link", "href"),
    "note": ("note", "notes", "description", "comment", "remarks"),
}
#: Last-resort actor columns, for files (KML) that only carry a name.
NAME_FALLBACK = ("name", "folder", "layer")

DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4})-?(\d{2})-?(\d{2})(?!\d)")


def date_from_filename(name: str) -> pd.Timestamp | None:
    """The date in a snapshot's file name (YYYYMMDD or YYYY-MM-DD), or None."""
    for match in DATE_IN_NAME.finditer(name):
        try:
            return pd.Timestamp(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            continue
    return None


def find_columns(frame: pd.DataFrame, options: LoadOptions, report: Report, name: str) -> dict[str, str]:
    """Canonical column -> the file's column name, for those present."""
    present = {str(c).strip().casefold(): c for c in frame.columns if c != frame.geometry.name}
    found: dict[str, str] = {}
    for canon, theirs in options.columns.items():
        if canon not in HISTORY_COLUMNS:
            report.error(f"--column names an unknown column '{canon}'", file=name, code="bad-mapping",
                         hint=f"map one of: {', '.join(c for c in HISTORY_COLUMNS if c != 'geometry')}")
            continue
        key = theirs.strip().casefold()
        if key not in present:
            report.error(f"mapped column '{theirs}' (for {canon}) is not in the file", file=name, field=theirs,
                         code="bad-mapping", hint=f"the file's columns are: {', '.join(map(str, frame.columns))}")
            continue
        found[canon] = present[key]
    for canon, names in SYNONYMS.items():
        if canon in found:
            continue
        for cand in names:
            if cand in present and present[cand] not in found.values():
                found[canon] = present[cand]
                break
    return found


def _parse_dates(values: pd.Series) -> pd.Series:
    """Parse each distinct value once; unparseable values become NaT."""
    text = values.astype("string").str.strip()
    uniq = text.dropna().unique()
    parsed: dict[str, pd.Timestamp] = {}
    for v in uniq:
        if v == "":
            continue
        try:
            ts = pd.Timestamp(v)
        except (ValueError, TypeError, OverflowError):
            ts = None
        if ts is None or ts is pd.NaT:
            d = date_from_filename(v)  # accept compact YYYYMMDD
            ts = d
        if ts is not None:
            if ts.tzinfo is not None:
                ts = ts.tz_convert("UTC").tz_localize(None)
            parsed[v] = ts.normalize()
    return text.map(parsed).astype("datetime64[ns]")


def _rows(index: np.ndarray, offset: int, limit: int = 5) -> str:
    shown = ", ".join(str(int(i) + offset) for i in index[:limit])
    return shown + (f" and {len(index) - limit} more" if len(index) > limit else "")


def normalise_geometry(frame: gpd.GeoDataFrame, report: Report, name: str, offset: int) -> gpd.GeoSeries | None:
    """2-D polygonal EPSG:4326 geometry, or None if the whole layer is refused."""
    geom = frame.geometry
    arr = np.asarray(geom.values, dtype=object)
    present = ~(pd.isna(arr) | shapely.is_empty(arr))
    if frame.crs is None:
        if present.any():
            b = shapely.total_bounds(arr[present])
            if b[0] < -180.5 or b[2] > 180.5 or b[1] < -90.5 or b[3] > 90.5:
                report.error(
                    f"coordinates are outside the lon/lat range (x {b[0]:,.0f}..{b[2]:,.0f}, y {b[1]:,.0f}..{b[3]:,.0f}) "
                    "and the file declares no CRS",
                    file=name, field="geometry", code="projected-no-crs",
                    hint="declare the CRS (a .prj beside the .shp, or a 'crs' in the file) or reproject to EPSG:4326 (lon/lat) before loading",
                )
                return None
        geom = geom.set_crs(WGS84)
    else:
        try:
            crs = CRS.from_user_input(frame.crs)
        except Exception as exc:
            report.error(f"declared CRS cannot be understood ({exc})", file=name, code="bad-crs",
                         hint="declare a standard CRS such as EPSG:4326")
            return None
        if not crs.equals(CRS.from_epsg(4326), ignore_axis_order=True):
            geom = geom.to_crs(WGS84)
            report.count("reprojected_rows", int(present.sum()))
    arr = shapely.force_2d(np.asarray(geom.values, dtype=object))
    # Keep polygonal parts only.
    types = shapely.get_type_id(arr)
    polygonal = np.isin(types, (3, 6))
    collections = types == 7
    if collections.any():
        for i in np.flatnonzero(collections):
            parts = shapely.get_parts(arr[i])
            polys = [p for p in parts if shapely.get_type_id(p) in (3, 6)]
            arr[i] = shapely.union_all(polys) if polys else shapely.Polygon()
        report.count("collections_flattened", int(collections.sum()))
        polygonal |= collections
    other = present & ~polygonal
    if other.any():
        kinds = sorted(set(shapely.get_type_id(arr[other]).tolist()))
        names = ", ".join(["Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString"][k] for k in kinds if k < 6)
        report.warning(
            f"{int(other.sum())} non-polygon feature(s) ({names}) dropped: rows {_rows(np.flatnonzero(other), offset)}",
            file=name, field="geometry", code="non-polygon",
            hint="territory must be polygons; points and lines are ignored",
        )
        report.count("non_polygon_dropped", int(other.sum()))
    missing = ~present
    if missing.any():
        report.warning(
            f"{int(missing.sum())} row(s) with empty or no geometry, read as 'holds nothing': rows {_rows(np.flatnonzero(missing), offset)}",
            file=name, field="geometry", code="empty-geometry",
            hint="remove these rows if they are not meant to end a holding",
        )
        report.count("empty_geometries", int(missing.sum()))
        arr[missing] = shapely.Polygon()
    keep_mask = polygonal | missing
    valid = shapely.is_valid(arr)
    broken = keep_mask & ~valid
    if broken.any():
        fixed = shapely.make_valid(arr[broken], method="structure", keep_collapsed=False)
        arr[broken] = [_polygonal(g) for g in fixed]
        report.count("repaired_geometries", int(broken.sum()))
    bounds = shapely.bounds(arr)
    with np.errstate(invalid="ignore"):
        too_wide = keep_mask & ((bounds[:, 2] - bounds[:, 0]) > 180)
        off_range = keep_mask & ((np.abs(bounds[:, [0, 2]]) > 180.0001).any(axis=1) | (np.abs(bounds[:, [1, 3]]) > 90.0001).any(axis=1))
    for i in np.flatnonzero(off_range):
        report.error(
            f"coordinates outside lon/lat range ({bounds[i, 0]:.1f}, {bounds[i, 1]:.1f}, {bounds[i, 2]:.1f}, {bounds[i, 3]:.1f})",
            file=name, row=str(i + offset), field="geometry", code="out-of-range",
            hint="the declared CRS is probably wrong; declare the real CRS or reproject to EPSG:4326",
        )
    for i in np.flatnonzero(too_wide & ~off_range):
        report.error(
            "polygon spans more than 180° of longitude: it probably crosses the antimeridian (±180°)",
            file=name, row=str(i + offset), field="geometry", code="antimeridian",
            hint="split it at ±180° into a MultiPolygon (e.g. with the 'antimeridian' tool) before loading",
        )
    arr[~keep_mask] = None
    return gpd.GeoSeries(arr, index=frame.index, crs=WGS84)


def _polygonal(g: shapely.Geometry) -> shapely.Geometry:
    if shapely.get_type_id(g) in (3, 6):
        return g
    polys = [p for p in shapely.get_parts(g) if shapely.get_type_id(p) == 3]
    return shapely.MultiPolygon(polys) if len(polys) > 1 else (polys[0] if polys else shapely.Polygon())


def normalise_layer(
    raw: RawLayer, options: LoadOptions, report: Report, file_date: pd.Timestamp | None = None
) -> gpd.GeoDataFrame | None:
    """Canonical history rows from one raw layer (None if refused)."""
    frame, name = raw.frame, raw.name
    offset = int(frame.attrs.get("row_offset", 1))
    if frame.empty:
        report.error("contains no features", file=name, code="no-features",
                     hint="export the layer again; it has no rows")
        return None
    before = len(report.errors)
    cols = find_columns(frame, options, report, name)
    n = len(frame)
    out = pd.DataFrame(index=frame.index)

    # date
    if "date" in cols:
        dates = _parse_dates(frame[cols["date"]])
        bad = dates.isna().to_numpy()
        if file_date is not None:
            dates = dates.fillna(file_date)
            bad = np.zeros(n, bool)
        for i in np.flatnonzero(bad)[:20]:
            raw_value = frame[cols["date"]].iloc[i]
            what = "missing" if pd.isna(raw_value) or str(raw_value).strip() == "" else f"'{raw_value}' is not a date"
            report.error(f"date {what}", file=name, row=str(i + offset), field=str(cols["date"]), code="bad-date",
                         hint="write dates as YYYY-MM-DD")
        if bad.sum() > 20:
            report.error(f"{int(bad.sum()) - 20} more rows with a missing or unparseable date", file=name,
                         field=str(cols["date"]), code="bad-date", hint="write dates as YYYY-MM-DD")
        out["date"] = dates
    elif file_date is not None or options.date:
        out["date"] = file_date if file_date is not None else pd.Timestamp(options.date).normalize()
    else:
        report.error("no date column and no date in the file name", file=name, field="date", code="no-date",
                     hint="add a 'date' column (YYYY-MM-DD), map one with --column date=NAME, "
                          "name the file YYYY-MM-DD.geojson, or pass --date")
    # actor
    actor_col = cols.get("actor")
    if actor_col is None and options.actor is None:
        lower = {str(c).casefold(): c for c in frame.columns}
        actor_col = next((lower[c] for c in NAME_FALLBACK if c in lower), None)
    if actor_col is not None:
        labels = frame[actor_col]
        missing = labels.isna() | (labels.astype("string").str.strip() == "")
        if options.actor is not None:
            labels = labels.where(~missing, options.actor)
            missing = pd.Series(False, index=labels.index)
        for i in np.flatnonzero(missing.to_numpy())[:20]:
            report.error("actor is missing", file=name, row=str(i + offset), field=str(actor_col), code="no-actor",
                         hint="fill in the actor, or pass --actor NAME for rows without one")
        cleaned = {v: options.aliases.clean(v) for v in labels[~missing].unique()}
        out["actor"] = labels.map(cleaned)
    elif options.actor is not None:
        out["actor"] = options.aliases.clean(options.actor)
    else:
        report.error("no actor column", file=name, field="actor", code="no-actor",
                     hint="add an 'actor' column, map one with --column actor=NAME, or pass --actor NAME")
    # status
    if "status" in cols:
        labels = frame[cols["status"]]
        empty = labels.isna() | (labels.astype("string").str.strip() == "")
        resolved = labels.map(lambda v: STATUS_ALIASES.resolve(v) if not pd.isna(v) else None)
        resolved = resolved.where(~empty, options.status)
        unknown = resolved.isna().to_numpy()
        for i in np.flatnonzero(unknown)[:20]:
            report.error(f"status '{labels.iloc[i]}' is not one of {', '.join(STATUSES)}", file=name,
                         row=str(i + offset), field=str(cols["status"]), code="bad-status",
                         hint="use controlled, contested or claimed (or add an alias)")
        out["status"] = resolved
    else:
        out["status"] = options.status
    if "valid_to" in cols:
        vt = _parse_dates(frame[cols["valid_to"]])
        raw_vt = frame[cols["valid_to"]].astype("string").str.strip()
        bad = (vt.isna() & raw_vt.notna() & (raw_vt != "")).to_numpy()
        for i in np.flatnonzero(bad)[:20]:
            report.error(f"valid_to '{raw_vt.iloc[i]}' is not a date", file=name, row=str(i + offset),
                         field=str(cols["valid_to"]), code="bad-date", hint="write dates as YYYY-MM-DD or leave empty")
        out["valid_to"] = vt
        if "date" in out:
            inverted = (out["valid_to"].notna() & (out["valid_to"] <= out["date"])).to_numpy()
            for i in np.flatnonzero(inverted)[:20]:
                report.error("valid_to is not after date", file=name, row=str(i + offset),
                             field=str(cols["valid_to"]), code="bad-interval",
                             hint="valid_to is the first day the row no longer holds")
    for extra in ("source", "source_url", "note"):
        if extra in cols:
            values = frame[cols[extra]]
            out[extra] = values.where(values.notna() & (values.astype("string").str.strip() != ""), None)
    geometry = normalise_geometry(frame, report, name, offset)
    if geometry is None or len(report.errors) > before:
        return None
    out = gpd.GeoDataFrame(out, geometry=geometry, crs=WGS84)
    out = out[out.geometry.notna()]
    return canonical(out)
