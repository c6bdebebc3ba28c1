"""One input file's rows: read, counted against the budget, empty layers skipped, normalised.

Shared by a single file and by each file of a folder (see :mod:`.folder`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from territory.io.budget import Budget
from territory.io.dates import date_from_filename
from territory.io.normalise import Rows, normalise_layer
from territory.io.options import LoadOptions
from territory.io.readers import RawLayer, read_file
from territory.report import Report


def internal(report: Report, name: str, exc: BaseException) -> None:
    """Report an unexpected failure as an error with code ``internal``: never a traceback at the user."""
    text = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    report.error(
        f"unexpected failure while reading ({type(exc).__name__}{': ' + text if text else ''})",
        file=name, code="internal",
        hint="the file is unusual in a way Territory does not handle yet; try exporting it as GeoPackage "
             "or GeoJSON, and please report this with the file",
    )


def _has_polygons(raw: RawLayer) -> bool:
    types = shapely.get_type_id(raw.geometry_values())
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


def raw_layers(path: Path, options: LoadOptions, report: Report, name: str, *, in_folder: bool,
               budget: Budget) -> tuple[list[RawLayer], pd.Timestamp | None] | None:
    """One file's layers as read, and the day in its name; None if its bytes are over a cap of ``budget``.

    A file in a folder takes its date from its name (its rows may lack one); a lone file
    does too unless the options give a date.
    """
    if not budget.file(path, name):
        return None
    if in_folder:
        day = date_from_filename(path.name)
    else:
        day = date_from_filename(path.name) if options.date is None else None
    return _layers(read_file(path, options, report, name), report), day


def normalise(raw: RawLayer, day: pd.Timestamp | None, options: LoadOptions, report: Report, *,
              in_folder: bool) -> Rows | None:
    """One layer's history rows (see :func:`normalise_layer`), dated by ``day`` where they lack a date."""
    if raw.file_date is not None:  # a dated snapshot inside a zip: like a folder
        return normalise_layer(raw, options, report, file_date=raw.file_date, fill_missing_dates=True)
    return normalise_layer(raw, options, report, file_date=day, fill_missing_dates=in_folder)


def read_one(path: Path, options: LoadOptions, report: Report, name: str, *, in_folder: bool,
             budget: Budget | None = None) -> list[Rows]:
    """The rows of each layer of one file; [] once a cap of ``budget`` is reached."""
    budget = budget or Budget(options, report)
    got = raw_layers(path, options, report, name, in_folder=in_folder, budget=budget)
    if got is None:
        return []
    layers, day = got
    frames = []
    for raw in layers:
        if not budget.layer(raw):
            return []
        frame = normalise(raw, day, options, report, in_folder=in_folder)
        if frame is not None:
            frames.append(frame)
    return frames
