"""Loaded histories kept in the content-hash cache, so a warm command skips reading 800 files.

The entry holds the canonical history with each row's provenance (Parquet, geometry as
lon/lat WKB) and the load's report (JSON), keyed by the input files' bytes, the load options and
this module's version; like every cache entry it is checksummed and rebuilt when
corrupt. Loads with ``options.cache`` off (dashboard uploads) never touch the disk.

The table is written :data:`CHUNK` rows at a time: building it whole (WKB, Arrow table and
Parquet pages of 800 snapshots: ~150 MB of fresh memory) cost more in page faults than in
writing (0.47 of 0.59 CPU s, on one core).
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from territory import cache
from territory.model import CRS, canonical
from territory.report import Problem, Report

#: 2: geometry as a WKB column written in chunks (1 was GeoParquet written whole).
VERSION = "2"
HISTORY, REPORT = "history.parquet", "load-report.json"
#: Rows per written chunk (bounded memory: see the module docstring; 32, like the measurement
#: entry's :data:`territory.analysis.CACHE_CHUNK`: 128 cost ~60 MB more peak RSS on 800 snapshots).
CHUNK = 32


def key_for(path: Path, options: object, name: str) -> str | None:
    """The entry's key, or None when the input cannot be listed (the loader reports why)."""
    try:
        files = cache.input_files(path) if path.is_dir() else [path]
        if not files or not all(f.is_file() for f in files):
            return None
        return cache.content_key(files, {"load": VERSION, "options": repr(options), "name": name})
    except Exception:  # a manifest refused, a file vanishing: load without the cache
        return None


def fetch(key: str):
    """(history, provenance, report) from the cache, or None."""
    wait(key)
    hist_path, report_bytes = cache.fetch(key, HISTORY), cache.fetch_bytes(key, REPORT)
    if hist_path is None or report_bytes is None:
        return None
    try:
        frame = _read(hist_path)
        meta = json.loads(report_bytes)
        report = Report([Problem(**p) for p in meta["problems"]], {str(k): int(v) for k, v in meta["stats"].items()})
        provenance = pd.DataFrame({"_file": frame["_file"].astype(object).to_numpy(), "_row": frame["_row"].to_numpy()})
        history = canonical(frame.drop(columns=["_file", "_row"]))  # dtypes as loaded (text as object); order kept
    except Exception:  # right checksum, unreadable content (another version's layout): load again
        return None
    return history, provenance, report


def store(key: str, history: gpd.GeoDataFrame, provenance, report: Report, *, background: bool = False) -> None:
    """Write the entry; with ``background``, on a thread, so the command measures meanwhile.

    What is written is copied first (the caller may change its report later). A reader
    of the same entry (:func:`fetch`) waits for the write; so does :func:`wait`, which the
    CLI calls before it returns, and a process's exit (the thread is not a daemon).
    """
    geoms = np.asarray(history.geometry.values, dtype=object).copy()  # shapely geometries are immutable
    frame = pd.DataFrame(history.drop(columns=history.geometry.name))  # a copy (pandas copy-on-write)
    frame["_file"] = provenance["_file"].to_numpy()
    frame["_row"] = provenance["_row"].to_numpy()
    meta = json.dumps({"problems": [asdict(p) for p in report.problems], "stats": report.stats}).encode()

    def write() -> None:
        try:
            if cache.store(key, HISTORY, lambda p: _write(frame, geoms, p)):
                cache.store_bytes(key, REPORT, meta)
        except Exception:  # the cache never breaks a command: the next one loads again
            pass

    if not background:
        write()
        return
    thread = threading.Thread(target=write, name="territory-cache-write")
    with _LOCK:
        _PENDING[key] = thread
    thread.start()


def _write(frame: pd.DataFrame, geoms: np.ndarray, path: Path) -> None:
    """``frame`` plus a ``wkb`` column, :data:`CHUNK` rows at a time (one schema, from the whole frame)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.Schema.from_pandas(frame, preserve_index=False).append(pa.field("wkb", pa.binary()))
    with pq.ParquetWriter(path, schema, compression=cache.PARQUET_CODEC) as writer:
        for start in range(0, len(frame), CHUNK):
            part = pa.Table.from_pandas(frame.iloc[start:start + CHUNK], schema=schema.remove(len(schema) - 1),
                                        preserve_index=False)
            writer.write_table(part.append_column("wkb", pa.array(shapely.to_wkb(geoms[start:start + CHUNK]),
                                                                   type=pa.binary())))


def _read(path: Path) -> gpd.GeoDataFrame:
    """What :func:`_write` wrote, as a lon/lat GeoDataFrame."""
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    if "wkb" not in table.column_names:
        raise ValueError("not a loaded history this version wrote")
    geoms = shapely.from_wkb(table.column("wkb").to_numpy(zero_copy_only=False))
    return gpd.GeoDataFrame(table.drop_columns(["wkb"]).to_pandas(), geometry=geoms, crs=CRS)


_PENDING: dict[str, threading.Thread] = {}
_LOCK = threading.Lock()


def wait(key: str | None = None) -> None:
    """Wait until the background writes of ``key`` (or all of them) are done."""
    with _LOCK:
        threads = [t for k, t in _PENDING.items() if key is None or k == key]
    for t in threads:
        t.join()
    with _LOCK:
        for k in [k for k, t in _PENDING.items() if not t.is_alive()]:
            del _PENDING[k]
