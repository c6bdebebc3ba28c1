"""Load a control history (a file or a folder of snapshots) with each row's provenance; never raises."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from territory.area import DENSIFY_DEG, densified_vertices
from territory.io import loadcache
from territory.io.folder import read_folder, snapshot_files
from territory.io.normalise import Rows, check_options, join_rows
from territory.io.onefile import internal, read_one
from territory.io.options import LoadOptions
from territory.model import CRS as WGS84
from territory.model import canonical
from territory.report import LoadError, Report

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
        internal(report, name, exc)
        return Loaded(None, None, report)


def _load(path: Path, options: LoadOptions, report: Report, name: str) -> Loaded:
    if not check_options(options, report, name):
        return Loaded(None, None, report)
    frames: list[Rows] = []
    if path.is_dir():
        files = snapshot_files(path, report)
        if not files:
            report.error("folder holds no geodata files", file=name, code="empty-folder",
                         hint="put dated snapshot files (e.g. 2015-01-31.geojson) in it")
        frames = read_folder(files, options, report)
    elif not path.exists():
        report.error("file or folder not found", file=name, code="missing", hint="check the path")
    elif path.name == "dataset.json":
        report.error("dataset.json is a dataset manifest (configuration), not a control history; it is not read "
                     "as data", file=name, code="manifest-not-history",
                     hint="give the history file itself, or the dataset's folder on the command line "
                          "(a manifest is only read from a path Territory was started on)")
    else:
        frames = read_one(path, options, report, name, in_folder=False)
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
    dense = densified_vertices(combined.geometry.values)  # what measuring the area works on
    if dense > options.max_vertices:
        report.error(f"measuring the polygons needs up to {dense:,} vertices, more than the limit of "
                     f"{options.max_vertices:,} (max_vertices): edges longer than {DENSIFY_DEG}° are divided "
                     "so that their area is exact", file=name, field="geometry", code="too-big",
                     hint="the polygons have long straight edges (large boxes?): clip them to the area of "
                          "interest or split them; the limits are listed in the README")
        return Loaded(None, None, report)
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
