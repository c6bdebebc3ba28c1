"""Per-dataset tables kept on disk, so a restarted dashboard's first visitors read them.

The change series (~4 s on the bundled history) and the claims ledger (~2-3 s)
are computed once per process anyway (``st.cache_resource``/``st.cache_data``
in the shell); on disk they survive a restart, so 20 people opening the
dashboard right after one don't wait behind these computations.

An entry is keyed by the dataset's content key (input bytes, options, cache
version) *and* a fingerprint of the core's source code, so a changed rule
(a new claims verdict, a fixed change computation) never serves an old table.
Any cache problem (read-only, missing, corrupt or foreign file) means
"compute without the cache", never an error.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from functools import cache as memo
from pathlib import Path

import pandas as pd

from territory import cache


@memo
def code_fingerprint() -> str:
    """SHA-256 (16 hex) over the core's Python sources (``territory`` minus ``ui``/``app``)."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for f in sorted(root.rglob("*.py")):
        rel = f.relative_to(root).as_posix()
        if rel.startswith(("ui/", "app/")):
            continue
        h.update(rel.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:16]


def table_path(key: str, name: str) -> Path:
    return cache.entry(key, f"{name}-{code_fingerprint()}.parquet")


def disk_table(key: str | None, name: str, compute: Callable[[], pd.DataFrame | None],
               columns: tuple[str, ...] = ()) -> pd.DataFrame | None:
    """``compute()``, read from / written to ``<cache>/<key>/<name>-<code>.parquet`` when ``key`` is given.

    A file that does not read as Parquet or lacks ``columns`` is recomputed and rewritten.
    ``None`` results are not stored.
    """
    if key is None:
        return compute()
    path = None
    try:
        path = table_path(key, name)
        if path.is_file():
            table = pd.read_parquet(path)
            if set(columns) <= set(table.columns):
                return table
    except Exception:  # a bad cache entry is recomputed, never fatal
        pass
    table = compute()
    if table is not None and path is not None:
        with contextlib.suppress(Exception):  # read-only or full cache: serve without storing
            cache.write_atomic(path, lambda p: table.to_parquet(p, index=False))
    return table
