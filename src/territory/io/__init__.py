"""Read and write control histories in every common GIS format.

>>> from territory.io import read_history
>>> history, report = read_history("geodata/is_syria_iraq/history.geojson")  # doctest: +SKIP

``read_history`` accepts a file (GeoJSON, GeoPackage, zipped Shapefile,
KML/KMZ, GeoParquet, CSV with WKT) or a folder of dated snapshot files, and
returns the canonical history (see :mod:`territory.model`) and a
:class:`~territory.report.Report`. It raises :class:`~territory.report.LoadError`
(carrying the report) when the input has errors.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from territory.io.options import LoadOptions
from territory.io.normalise import date_from_filename, normalise_layer
from territory.io.readers import SUPPORTED, read_file
from territory.model import canonical, empty_history
from territory.report import LoadError, Report

__all__ = ["LoadOptions", "read_history", "read_history_report", "write_history"]


def read_history_report(path: str | Path, options: LoadOptions | None = None,
                        display_name: str | None = None) -> tuple[gpd.GeoDataFrame | None, Report]:
    """Like :func:`read_history` but never raises: (history or None, report)."""
    options = options or LoadOptions()
    report = Report()
    path = Path(path)
    name = display_name or path.name
    frames: list[gpd.GeoDataFrame] = []
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUPPORTED
                       and not p.name.startswith("."))
        if not files:
            report.error("folder holds no geodata files", file=name, code="empty-folder",
                         hint="put dated snapshot files (e.g. 2015-01-31.geojson) in it")
        for f in files:
            day = date_from_filename(f.name)
            for raw in read_file(f, options, report, f.name):
                if day is None and options.date is None and "date" not in {c.lower() for c in raw.frame.columns}:
                    report.error("no date in the file name and no date column", file=f.name, code="no-date",
                                 hint="name snapshot files YYYY-MM-DD.geojson or YYYYMMDD.geojson")
                    continue
                frame = normalise_layer(raw, options, report, file_date=day)
                if frame is not None:
                    frames.append(frame)
    else:
        day = date_from_filename(path.name) if options.date is None else None
        for raw in read_file(path, options, report, name):
            frame = normalise_layer(raw, options, report, file_date=None)
            if frame is None and day is not None and any(p.code == "no-date" for p in report.errors):
                # A single snapshot file named by its date: retry with that date.
                report.problems = [p for p in report.problems if p.code != "no-date"]
                frame = normalise_layer(raw, options, report, file_date=day)
            if frame is not None:
                frames.append(frame)
    if not report.ok:
        return None, report
    history = canonical(pd.concat(frames, ignore_index=True)) if frames else empty_history()
    if history.empty:
        report.error("no usable rows: nothing to show", file=name, code="no-rows",
                     hint="check the file holds polygons with a date and an actor")
        return None, report
    report.stats["rows"] = len(history)
    report.stats["dates"] = int(history["date"].nunique())
    report.stats["actors"] = int(history["actor"].nunique())
    return history, report


def read_history(path: str | Path, options: LoadOptions | None = None,
                 display_name: str | None = None) -> tuple[gpd.GeoDataFrame, Report]:
    """Load a control history; raise :class:`LoadError` if it has errors."""
    history, report = read_history_report(path, options, display_name)
    if history is None:
        raise LoadError(report)
    return history, report


def write_history(history: gpd.GeoDataFrame, path: str | Path) -> Path:
    """Write a history as GeoParquet, GeoPackage or GeoJSON (by suffix)."""
    path = Path(path)
    suffix = path.suffix.lower()
    out = canonical(history)
    if suffix in {".parquet", ".geoparquet"}:
        out.to_parquet(path, index=False, compression="zstd")
    elif suffix == ".gpkg":
        out.to_file(path, driver="GPKG", layer="history", engine="pyogrio")
    elif suffix in {".geojson", ".json"}:
        tidy = out.copy()
        for col in ("date", "valid_to"):
            tidy[col] = tidy[col].dt.strftime("%Y-%m-%d")
        tidy.to_file(path, driver="GeoJSON", engine="pyogrio")
    else:
        raise ValueError(f"cannot write '{suffix}': use .parquet, .gpkg or .geojson")
    return path
