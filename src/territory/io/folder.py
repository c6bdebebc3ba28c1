"""A folder of dated snapshot files: every file's rows, in file order, within one budget.

Many files are read by worker processes (:mod:`.parallel`); a folder read in workers gives the
rows and report of the one-by-one read.
"""

from __future__ import annotations

import dataclasses
import functools
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import shapely

from territory.io import parallel
from territory.io.budget import Budget, FileBudget
from territory.io.normalise import Rows, join_rows
from territory.io.onefile import internal, read_one
from territory.io.options import LoadOptions
from territory.io.readers import SUPPORTED
from territory.report import Report
from territory.safefile import not_regular


def snapshot_files(path: Path, report: Report | None = None) -> list[Path]:
    """The folder's geodata files, sorted by name (hidden files and a dataset manifest left out).

    A FIFO, device or dangling link in the folder is skipped, with a warning in ``report``.
    """
    if report is not None:
        for entry in sorted(p for p in path.iterdir() if not p.name.startswith(".")):
            what = not_regular(entry)
            if what:
                report.warning(f"skipped: it is {what}, not a regular file", file=entry.name, code="not-a-file",
                               hint="put only data files in the folder")
    return sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUPPORTED
                  and not p.name.startswith(".") and p.name != "dataset.json")


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
        frames = read_one(path, options, report, path.name, in_folder=True, budget=budget)
    except Exception as exc:
        internal(report, path.name, exc)
        frames = []
    return _pack(frames), report, budget.calls


def read_folder(files: list[Path], options: LoadOptions, report: Report,
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
            frames += read_one(f, options, report, f.name, in_folder=True, budget=budget)
        except Exception as exc:
            internal(report, f.name, exc)
        if _over_cap(report.problems[start:]):
            break  # over a cap: reading on would only waste the server's time
        if options.progress is not None:
            options.progress(i + 1, len(files))
    return frames


def _read_folder_in_workers(files: list[Path], options: LoadOptions, report: Report, workers: int) -> list[Rows]:
    """:func:`read_folder` on ``workers`` processes (:mod:`.parallel`), merged in file order."""
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
