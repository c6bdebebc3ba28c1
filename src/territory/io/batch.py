"""Snapshot files of one shape normalised as one frame, so pandas' per-frame cost is paid once a batch.

An archive of daily snapshots is hundreds of files that all look alike: one lon/lat layer, the
same columns, the date in the file name. Normalising each file alone costs ~1-2 ms of pandas and
geopandas overhead per file, more than parsing a small file; here the files of one shape are
normalised as one frame instead, with one day per row, and the result is split back by file.

Faster, not laxer: a file joins a batch only when its own normalisation cannot depend on the
other files (its date comes from its name, not from a column whose format is inferred from
every value; its columns are the batch's and hold values in the same columns; its geometry is
2-D polygons in EPSG:4326, repaired here by the same function as alone, with the same warning).
The batch must then give no problem and count nothing: otherwise each of its files is normalised
alone, as before, so every message names its own file and row.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from geopandas.array import from_shapely

from territory.io.budget import FileBudget
from territory.io.normalise import (
    KML_DATE_COLUMNS,
    SYNONYMS,
    Rows,
    _blank,
    _is_wgs84,
    normalise_layer,
    repair_rows,
    repair_warning,
)
from territory.io.onefile import internal, normalise, raw_layers
from territory.io.options import LoadOptions
from territory.io.readers import GeometryLayer, RawLayer
from territory.report import Report

#: Columns whose values would date the rows: a file holding one is normalised alone.
DATE_NAMES = frozenset((*SYNONYMS["date"], *SYNONYMS["valid_to"], *KML_DATE_COLUMNS))
#: Fewer candidate files than this are normalised one by one (a batch costs one frame).
MIN_BATCH = 2


class _File:
    """One file of a chunk: its report, budget counts, rows, and (while pending) its layer for a batch."""

    def __init__(self, path: Path, options: LoadOptions) -> None:
        self.path, self.name = path, path.name
        self.report = Report()
        self.budget = FileBudget(options, self.report)
        self.rows: list[Rows] = []
        self.raw: RawLayer | None = None
        self.day: pd.Timestamp | None = None
        self.geometry: np.ndarray | None = None
        self.repair = Report()

    def result(self) -> tuple[list[Rows], Report, list]:
        return self.rows, self.report, self.budget.calls


def _shape(raw: RawLayer, day: pd.Timestamp | None, options: LoadOptions) -> tuple | None:
    """What a file must share with the others of its batch, or None if it is to be normalised alone."""
    if isinstance(raw, GeometryLayer):  # geometry alone: no frame to look at (nor to build)
        if (day is None or raw.layer is not None or raw.file_date is not None or not len(raw.geometry)
                or raw.crs is None or {"date", "valid_to"} & set(options.columns)):
            return None
        try:
            return ((), frozenset()) if _is_wgs84(raw.crs) else None
        except Exception:
            return None
    frame = raw.frame
    if (day is None or raw.layer is not None or raw.file_date is not None or frame.attrs or frame.empty
            or not isinstance(frame, gpd.GeoDataFrame) or frame.crs is None
            or not (isinstance(frame.index, pd.RangeIndex) and frame.index.start == 0 and frame.index.step == 1)
            or {"date", "valid_to"} & set(options.columns)):
        return None
    try:
        if not _is_wgs84(frame.crs):
            return None
    except Exception:
        return None
    if frame.active_geometry_name != "geometry":
        return None
    columns, filled = [], []
    for c in frame.columns:
        if c == "geometry":
            continue
        values = frame[c]
        columns.append((c, str(values.dtype)))
        if not bool(_blank(values).all()):
            if str(c).strip().casefold() in DATE_NAMES:
                return None  # dates from a column: parsed with the file's own values, alone
            filled.append(c)
    return tuple(columns), frozenset(filled)


def _geometry_ok(files: list[_File]) -> list[_File]:
    """The files whose geometry is 2-D polygons of finite coordinates, none empty or missing, checked for all
    files at once.

    Invalid ones are repaired (into each file's ``f.repair``) as normalising the file alone would;
    a file with anything else (or a polygon with no area left once repaired) is left out, to be
    normalised alone. One set of vectorised calls for the batch, not one per file.
    """
    arrs = [f.raw.geometry_values() for f in files]  # type: ignore[union-attr]
    sizes = np.array([len(a) for a in arrs])
    stops = np.cumsum(sizes)
    owner = np.repeat(np.arange(len(files)), sizes)
    arr = np.concatenate(arrs)
    odd = ~np.isin(shapely.get_type_id(arr), (3, 6)) | shapely.is_empty(arr) | shapely.has_z(arr)
    out = np.bincount(owner[odd], minlength=len(files)) > 0
    broken = ~out[owner] & ~shapely.is_valid(arr)
    if broken.any():  # NaN or infinite coordinates (GEOS calls them invalid) are refused alone, never repaired
        coords, row = shapely.get_coordinates(arr[broken], return_index=True)
        bad = np.flatnonzero(broken)[np.unique(row[~np.isfinite(coords).all(axis=1)])]
        if len(bad):
            out[np.unique(owner[bad])] = True
            broken &= ~out[owner]
    collapsed = np.zeros(len(arr), bool)
    if broken.any():
        arr = arr.copy()
        collapsed = repair_rows(arr, broken)
        out |= np.bincount(owner[collapsed], minlength=len(files)) > 0  # dropping a polygon: the file alone says so
    kept = []
    for f, start, stop, left_out in zip(files, stops - sizes, stops, out, strict=True):
        if left_out:
            continue
        f.geometry = arr[start:stop]
        if broken[start:stop].any():
            repair_warning(f.repair, broken[start:stop], collapsed[start:stop], f.name, 1)
        kept.append(f)
    return kept


def _batch(files: list[_File], options: LoadOptions) -> bool:
    """Normalise ``files`` (one shape) as one frame and split the rows back; False if anything was reported."""
    alone = isinstance(files[0].raw, GeometryLayer)  # then every file of the batch is (same shape: no columns)
    first = None if alone else files[0].raw.frame  # type: ignore[union-attr]
    names = [] if first is None else [c for c in first.columns if c != "geometry"]
    data: dict[str, object] = {c: np.concatenate([f.raw.frame[c].to_numpy() for f in files])  # type: ignore[union-attr]
                               for c in names}
    sizes = np.array([len(f.geometry) for f in files])  # type: ignore[arg-type]
    crs = files[0].raw.crs if alone else first.crs  # type: ignore[union-attr]
    data["geometry"] = from_shapely(np.concatenate([f.geometry for f in files]), crs=crs)  # type: ignore[misc]
    frame = gpd.GeoDataFrame(pd.DataFrame(data), geometry="geometry")  # as the reader builds one file's
    if any(frame[c].dtype != first[c].dtype for c in names):
        return False  # pandas read the joined values as another type: each file alone
    days = np.repeat(np.array([f.day for f in files], dtype="datetime64[ns]"), sizes)
    scratch = Report()
    rows = normalise_layer(RawLayer(frame, "batch"), options, scratch, file_date=days, fill_missing_dates=True)
    if rows is None or scratch.problems or scratch.stats or len(rows["geometry"]) != sizes.sum():
        return False
    stops = np.cumsum(sizes)
    for f, start, stop in zip(files, stops - sizes, stops, strict=True):
        part = {k: v[start:stop] for k, v in rows.items()}
        part["_file"] = np.full(stop - start, f.name, dtype=object)
        part["_row"] = np.arange(1, stop - start + 1)
        f.rows = [part]
        f.report.extend(f.repair)
    return True


def read_files(paths: Sequence[Path], options: LoadOptions,
               used: dict[str, int] | None = None) -> list[tuple[list[Rows], Report, list]]:
    """Each file's rows, report and budget counts, as :func:`~territory.io.folder.read_folder` reads a
    file apart (a :class:`~territory.io.budget.FileBudget` each), with the files of one shape
    normalised as one batch. Replaying the counts in file order gives the one-by-one read.

    ``used``: running totals of the caps over the files read so far (in-process reads): the
    chunk stops at the file that passes one, as a one-by-one read stops there, so a folder of
    many files each under the caps is never read whole before it is refused.
    """
    groups: dict[tuple, list[_File]] = {}
    read: list[_File] = []
    for path in paths:
        f = _File(path, options)
        _read(f, options, groups)
        read.append(f)
        if used is not None and _passes_a_cap(used, f.budget.calls, options):
            break
    for group in groups.values():
        batched: list[_File] = []
        try:
            if len(group) >= MIN_BATCH:
                batched = _geometry_ok(group)
                if len(batched) < MIN_BATCH or not _batch(batched, options):
                    batched = []
        except Exception:  # anything unexpected: each file alone says what it is
            batched = []
        done = {id(f) for f in batched}
        for f in group:
            if id(f) not in done:
                _alone(f, options)
    return [f.result() for f in read]


def _passes_a_cap(used: dict[str, int], calls: list, options: LoadOptions) -> bool:
    for cap, n, *_ in calls:
        used[cap] = used.get(cap, 0) + n
    return any(total > getattr(options, cap) for cap, total in used.items())


def _read(f: _File, options: LoadOptions, groups: dict[tuple, list[_File]]) -> None:
    """Read one file: kept pending in its batch group, or normalised alone now."""
    try:
        got = raw_layers(f.path, options, f.report, f.name, in_folder=True, budget=f.budget)
        if got is None:
            return
        layers, day = got
        if len(layers) == 1 and not f.report.problems:
            if not f.budget.layer(layers[0]):
                return  # over a cap: nothing of the file is kept
            shape = _shape(layers[0], day, options)
            f.raw, f.day = layers[0], day
            if shape is not None:  # its geometry is checked with the group's (see _geometry_ok)
                groups.setdefault(shape, []).append(f)
            else:
                _alone(f, options)
            return
        for raw in layers:
            if not f.budget.layer(raw):
                f.rows = []
                return
            found = normalise(raw, day, options, f.report, in_folder=True)
            if found is not None:
                f.rows.append(found)
    except Exception as exc:
        internal(f.report, f.name, exc)
        f.rows = []


def _alone(f: _File, options: LoadOptions) -> None:
    """Normalise one pending file by itself (its own messages, rows numbered in the file)."""
    try:
        found = normalise(f.raw, f.day, options, f.report, in_folder=True)  # type: ignore[arg-type]
        f.rows = [found] if found is not None else []
    except Exception as exc:
        internal(f.report, f.name, exc)
        f.rows = []
