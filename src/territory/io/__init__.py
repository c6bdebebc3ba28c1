"""Read and write control histories in every common GIS format.

>>> from territory.io import read_history
>>> history, report = read_history("geodata/is_syria_iraq/history.geojson")  # doctest: +SKIP

``read_history`` accepts a file (GeoJSON, GeoPackage, zipped Shapefile,
KML/KMZ, GeoParquet, CSV with WKT) or a folder of dated snapshot files, and
returns the canonical history (see :mod:`territory.model`) and a
:class:`~territory.report.Report`. It raises :class:`~territory.report.LoadError`
(carrying the report) when the input has errors. ``read_history_report`` never
raises: any unexpected failure becomes an error with code ``internal``.
"""

from __future__ import annotations

import dataclasses
import functools
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from territory.io import loadcache, parallel
from territory.io.dates import date_from_filename
from territory.io.normalise import Rows, check_options, join_rows, normalise_layer
from territory.io.options import LoadOptions
from territory.io.readers import SUPPORTED, RawLayer, read_file
from territory.model import CRS as WGS84
from territory.model import canonical
from territory.report import LoadError, Report

__all__ = ["LoadOptions", "Loaded", "load", "read_history", "read_history_report", "write_history"]

PROVENANCE = ["_file", "_row"]


@dataclass
class Loaded:
    """A loaded history with, row for row, where each row came from.

    ``provenance`` has columns ``_file`` (file name, with layer) and ``_row``
    (1-based feature number; CSV counts its header as row 1), aligned with
    ``history``'s rows. Both are None when the input was refused.
    """

    history: gpd.GeoDataFrame | None
    provenance: pd.DataFrame | None
    report: Report


def _internal(report: Report, name: str, exc: BaseException) -> None:
    text = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    report.error(
        f"unexpected failure while reading ({type(exc).__name__}{': ' + text if text else ''})",
        file=name, code="internal",
        hint="the file is unusual in a way Territory does not handle yet; try exporting it as GeoPackage "
             "or GeoJSON, and please report this with the file",
    )


def _has_polygons(raw: RawLayer) -> bool:
    types = shapely.get_type_id(np.asarray(raw.frame.geometry.values, dtype=object))
    return bool(np.isin(types, (3, 6, 7)).any())


def _layers(raws: list[RawLayer], report: Report) -> list[RawLayer]:
    """Skip layers of multi-layer files (KML folders, GeoPackage tables) holding no polygons,
    when other layers do: an empty folder or a layer of labels is not an error."""
    if len(raws) < 2 or not any(_has_polygons(r) for r in raws):
        return raws
    kept = []
    for r in raws:
        if _has_polygons(r):
            kept.append(r)
        else:
            what = "no features" if r.frame.empty else "no polygons"
            report.warning(f"layer '{r.layer}' has {what}; skipped", file=r.name, code="layer-skipped",
                           hint="nothing to do if the layer is not part of the territory")
    return kept


class Budget:
    """Caps on one input (features, parts, vertices, bytes), counted as its files are read.

    Counting is linear (shapely counts parts and vertices in C), so a hostile file is
    refused with the cap named before any step whose cost grows faster than its size.
    """

    HINT = ("load fewer files or dates, or simplify the polygons first (e.g. QGIS: Vector > Geometry Tools > "
            "Simplify); the limits are listed in the README")

    def __init__(self, options: LoadOptions, report: Report) -> None:
        self.options, self.report = options, report
        self.used = {"max_input_bytes": 0, "max_features": 0, "max_parts": 0, "max_vertices": 0}

    def _add(self, cap: str, n: int, name: str, what: str) -> bool:
        self.used[cap] += n
        limit = getattr(self.options, cap)
        if self.used[cap] <= limit:
            return True
        self.report.error(f"the input holds more {what} than the limit of {limit:,} ({cap}): "
                          f"{self.used[cap]:,} counted up to this file", file=name, code="too-big",
                          hint=self.HINT)
        return False

    def file(self, path: Path, name: str) -> bool:
        try:
            size = path.stat().st_size
        except OSError:
            return True  # the reader reports it
        return self._add("max_input_bytes", size, name, "bytes")

    def layer(self, raw: RawLayer) -> bool:
        geoms = np.asarray(raw.frame.geometry.values, dtype=object)
        name = raw.name if not raw.layer else f"{raw.name}, layer '{raw.layer}'"
        return (self._add("max_features", len(geoms), name, "features")
                and self._add("max_parts", int(shapely.get_num_geometries(geoms).sum()), name, "polygon parts")
                and self._add("max_vertices", int(shapely.get_num_coordinates(geoms).sum()), name, "vertices"))

    def replay(self, calls: list[tuple[str, int, str, str, int]], sub: Report) -> bool:
        """Count one file read apart (by a :class:`FileBudget`) into this budget, and its report into ours.

        Gives the report a one-by-one read would: if the count goes over a cap at one of the
        file's calls, its problems up to that call are kept, then the cap's error; False then.
        """
        main = self.report
        for cap, n, name, what, pos in calls:
            self.report = Report()
            try:
                ok = self._add(cap, n, name, what)
            finally:
                over, self.report = self.report, main
            if not ok:
                main.problems += sub.problems[:pos] + over.problems
                return False
        main.extend(sub)
        return True


class FileBudget(Budget):
    """One file's budget, read apart from the others (in a worker): each count is recorded for
    :meth:`Budget.replay`, and the caps still stop a file that alone exceeds one."""

    def __init__(self, options: LoadOptions, report: Report) -> None:
        super().__init__(options, report)
        self.calls: list[tuple[str, int, str, str, int]] = []

    def _add(self, cap: str, n: int, name: str, what: str) -> bool:
        self.calls.append((cap, n, name, what, len(self.report.problems)))
        return super()._add(cap, n, name, what)


def _read_one(path: Path, options: LoadOptions, report: Report, name: str, *, in_folder: bool,
              budget: Budget | None = None) -> list[Rows]:
    budget = budget or Budget(options, report)
    if not budget.file(path, name):
        return []
    frames = []
    if in_folder:
        day = date_from_filename(path.name)
    else:
        day = date_from_filename(path.name) if options.date is None else None
    for raw in _layers(read_file(path, options, report, name), report):
        if not budget.layer(raw):
            return []
        if raw.file_date is not None:  # a dated snapshot inside a zip: like a folder
            frame = normalise_layer(raw, options, report, file_date=raw.file_date, fill_missing_dates=True)
        else:
            frame = normalise_layer(raw, options, report, file_date=day, fill_missing_dates=in_folder)
        if frame is not None:
            frames.append(frame)
    return frames


def load(path: str | Path, options: LoadOptions | None = None, display_name: str | None = None) -> Loaded:
    """Load a history keeping each row's provenance; never raises."""
    options = options or LoadOptions()
    report = Report()
    path = Path(path)
    name = display_name or path.name or str(path)
    try:
        # A folder of snapshots is kept in the content-hash cache: a warm command skips reading it.
        key = loadcache.key_for(path, options, name) if options.cache and path.is_dir() else None
        if key is not None and (hit := loadcache.fetch(key)) is not None:
            return Loaded(*hit)
        loaded = _load(path, options, report, name)
        if key is not None and loaded.history is not None:
            loadcache.store(key, loaded.history, loaded.provenance, loaded.report, background=True)
        return loaded
    except Exception as exc:  # last resort: never a traceback at the user
        _internal(report, name, exc)
        return Loaded(None, None, report)


def _over_cap(problems: list) -> bool:
    return any(p.code == "too-big" and p.severity == "error" for p in problems)


def _pack(found: list[Rows]) -> Rows | None:
    """A file's rows as one set of arrays, geometry as WKB: cheap to send from a worker.

    (Pickling shapely objects costs a Python call per geometry each way.)
    """
    if not found:
        return None
    rows = join_rows(found)
    rows["geometry"] = shapely.to_wkb(rows["geometry"])
    return rows


def _unpack(packs: list[Rows]) -> Rows:
    """The rows of many :func:`_pack` ed files, geometry decoded at once."""
    rows = join_rows(packs)
    rows["geometry"] = shapely.from_wkb(rows["geometry"])
    return rows


def _read_in_folder(path: Path, options: LoadOptions) -> tuple[Rows | None, Report, list]:
    """One file of a folder read on its own (in a worker): its rows (packed), report and budget counts."""
    report = Report()
    budget = FileBudget(options, report)
    try:
        frames = _read_one(path, options, report, path.name, in_folder=True, budget=budget)
    except Exception as exc:
        _internal(report, path.name, exc)
        frames = []
    return _pack(frames), report, budget.calls


def _read_folder(files: list[Path], options: LoadOptions, report: Report,
                 workers: int | None = None) -> list[Rows]:
    """Every file's rows, in file order; stops at the file where a cap is reached.

    Many files are read by worker processes (see :mod:`.parallel`); their reports and
    budget counts are merged in file order, so the result is the one-by-one read's.
    """
    frames: list[Rows] = []
    workers = parallel.workers_for(len(files), options.workers_when_threaded) if workers is None else workers
    if workers > 1:
        kept, stats = len(report.problems), dict(report.stats)
        try:
            return _read_folder_in_workers(files, options, report, workers)
        except (BrokenProcessPool, OSError):  # a worker died or none could start: read here, report unchanged
            del report.problems[kept:]
            report.stats = stats
    budget = Budget(options, report)
    for i, f in enumerate(files):
        start = len(report.problems)
        try:
            frames += _read_one(f, options, report, f.name, in_folder=True, budget=budget)
        except Exception as exc:
            _internal(report, f.name, exc)
        if _over_cap(report.problems[start:]):
            break  # over a cap: reading on would only waste the server's time
        if options.progress is not None:
            options.progress(i + 1, len(files))
    return frames


def _read_folder_in_workers(files: list[Path], options: LoadOptions, report: Report, workers: int) -> list[Rows]:
    """:func:`_read_folder` on ``workers`` processes (:mod:`.parallel`), merged in file order."""
    budget = Budget(options, report)
    job = functools.partial(_read_in_folder, options=dataclasses.replace(options, progress=None))
    results = parallel.ordered_map(job, files, workers)
    packs = []
    try:
        for i, (found, sub, calls) in enumerate(results):
            if not budget.replay(calls, sub):
                break
            if found is not None:
                packs.append(found)
            if _over_cap(sub.problems):
                break
            if options.progress is not None:
                options.progress(i + 1, len(files))
    finally:
        results.close()
    return [_unpack(packs)] if packs else []


def _load(path: Path, options: LoadOptions, report: Report, name: str) -> Loaded:
    if not check_options(options, report, name):
        return Loaded(None, None, report)
    frames: list[Rows] = []
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUPPORTED
                       and not p.name.startswith(".") and p.name != "dataset.json")
        if not files:
            report.error("folder holds no geodata files", file=name, code="empty-folder",
                         hint="put dated snapshot files (e.g. 2015-01-31.geojson) in it")
        frames = _read_folder(files, options, report)
    elif not path.exists():
        report.error("file or folder not found", file=name, code="missing", hint="check the path")
    elif path.name == "dataset.json":
        report.error("dataset.json is a dataset manifest (configuration), not a control history; it is not read "
                     "as data", file=name, code="manifest-not-history",
                     hint="give the history file itself, or the dataset's folder on the command line "
                          "(a manifest is only read from a path Territory was started on)")
    else:
        frames = _read_one(path, options, report, name, in_folder=False)
    if not report.ok:
        return Loaded(None, None, report)
    frames = [f for f in frames if len(f["geometry"])]
    if not frames or all(shapely.is_empty(f["geometry"]).all() for f in frames):
        report.error("no usable rows: nothing to show", file=name, code="no-rows",
                     hint="check the file holds polygons with a date and an actor")
        return Loaded(None, None, report)
    # One frame for every file's rows (geopandas' per-frame cost paid once, not per snapshot).
    combined = gpd.GeoDataFrame(pd.DataFrame(join_rows(frames)), geometry="geometry", crs=WGS84)  # lon/lat
    order = combined.sort_values(["date", "actor", "status"], kind="stable").index
    combined = combined.loc[order].reset_index(drop=True)
    actors = combined["actor"].nunique()
    if actors > options.max_actors:
        report.error(f"the input names {actors:,} distinct actors, more than the limit of {options.max_actors:,} "
                     "(max_actors)", file=name, field="actor", code="too-big",
                     hint="map look-alike labels to one actor with an alias table, or check the actor column "
                          "is the right one")
        return Loaded(None, None, report)
    provenance = combined[PROVENANCE].copy()
    history = canonical(combined.drop(columns=PROVENANCE))
    report.stats["rows"] = len(history)
    report.stats["dates"] = int(history["date"].nunique())
    report.stats["actors"] = int(history["actor"].nunique())
    return Loaded(history, provenance, report)


def read_history_report(path: str | Path, options: LoadOptions | None = None,
                        display_name: str | None = None) -> tuple[gpd.GeoDataFrame | None, Report]:
    """Like :func:`read_history` but never raises: (history or None, report)."""
    loaded = load(path, options, display_name)
    return loaded.history, loaded.report


def read_history(path: str | Path, options: LoadOptions | None = None,
                 display_name: str | None = None) -> tuple[gpd.GeoDataFrame, Report]:
    """Load a control history; raise :class:`LoadError` if it has errors."""
    history, report = read_history_report(path, options, display_name)
    if history is None:
        raise LoadError(report)
    return history, report


def write_history(history: gpd.GeoDataFrame, path: str | Path) -> Path:
    """Write a history as GeoParquet, GeoPackage or GeoJSON (by suffix).

    Dates are written as ``YYYY-MM-DD`` text in GeoJSON (which has no date
    type) and as dates elsewhere; reading the file back gives equal rows.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in {".parquet", ".geoparquet", ".gpkg", ".geojson", ".json"}:
        raise ValueError(f"cannot write '{suffix}': use .parquet, .gpkg or .geojson")
    out = canonical(history)
    if path.exists() and suffix in {".gpkg", ".geojson", ".json"}:
        path.unlink()  # GDAL would otherwise add a layer or refuse to overwrite
    if suffix in {".parquet", ".geoparquet"}:
        out.to_parquet(path, index=False, compression="zstd")
    elif suffix == ".gpkg":
        out.to_file(path, driver="GPKG", layer="history", engine="pyogrio")
    else:
        tidy = out.copy()
        for col in ("date", "valid_to"):
            tidy[col] = tidy[col].dt.strftime("%Y-%m-%d")
        tidy.to_file(path, driver="GeoJSON", engine="pyogrio")
    return path
