"""A folder of dated snapshot files: every file's rows, in file order, within one budget.

Files are read a chunk at a time (the files of one shape normalised as one batch, :mod:`.batch`),
many of them by worker processes (:mod:`.parallel`); either way the rows and report are those
of the one-by-one read.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import shapely

from territory.io import batch, parallel
from territory.io.budget import Budget
from territory.io.normalise import Rows, join_rows
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


def _read_in_folder(paths: list[Path], options: LoadOptions) -> list[tuple[Rows | None, Report, list]]:
    """A chunk of a folder's files, each read apart (in a worker): rows (packed), report and budget counts."""
    return [(_pack(rows), report, calls) for rows, report, calls in batch.read_files(paths, options)]


def _read_here(paths: list[Path], options: LoadOptions, used: dict[str, int]) -> list[tuple[Rows | None, Report, list]]:
    """:func:`_read_in_folder` in this process: the rows stay shapely objects, and a chunk stops at the
    file where the running totals (``used``) pass a cap."""
    return [(join_rows(rows) if rows else None, report, calls)
            for rows, report, calls in batch.read_files(paths, options, used)]


def read_folder(files: list[Path], options: LoadOptions, report: Report,
                workers: int | None = None) -> list[Rows]:
    """Every file's rows, in file order; stops at the file where a cap is reached.

    Files are read a chunk at a time, each apart with its own report and budget counts, the
    files of one shape normalised as one batch (:mod:`.batch`); replaying the counts in file
    order gives the report of a one-by-one read. Many files are read by worker processes
    (see :mod:`.parallel`).
    """
    workers = parallel.workers_for(len(files), options.workers_when_threaded) if workers is None else workers
    quiet = dataclasses.replace(options, progress=None)
    chunks = [files[i:i + parallel.CHUNK] for i in range(0, len(files), parallel.CHUNK)]
    if workers > 1:
        kept, stats = len(report.problems), dict(report.stats)
        try:
            job = functools.partial(_read_in_folder, options=quiet)
            packs = _merge(parallel.ordered_map(job, chunks, workers, chunk=1), files, options, report)
            return [_unpack(packs)] if packs else []
        except (BrokenProcessPool, OSError):  # a worker died or none could start: read here, report unchanged
            del report.problems[kept:]
            report.stats = stats
    used: dict[str, int] = {}
    found = _merge((_read_here(c, quiet, used) for c in chunks), files, options, report)
    return [join_rows(found)] if found else []


def _merge(results: Iterator[list], files: list[Path], options: LoadOptions, report: Report) -> list[Rows]:
    """The chunks' results in file order, counted into one budget (each file's rows, as the chunks hold them);
    stops at the file where a cap is reached."""
    budget = Budget(options, report)
    packs = []
    try:
        for i, (found, sub, calls) in enumerate(itertools.chain.from_iterable(results)):
            if not budget.replay(calls, sub):
                break
            if found is not None:
                packs.append(found)
            if _over_cap(sub.problems):
                break
            if options.progress is not None:
                options.progress(i + 1, len(files))
    finally:
        close = getattr(results, "close", None)
        if close is not None:
            close()
    return packs
