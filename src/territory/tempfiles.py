"""Temporary folders for uploads and exports that never outlive their use.

Each folder's name carries the creating process's id
(``territory-upload-<pid>-xxxx``), so a server started after a kill can tell a
dead process's leftovers from a live neighbour's and remove them
(:func:`sweep_stale`, run once at startup).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from territory.cache import is_stale

PREFIX = "territory-"
KINDS = ("upload", "export", "claims", "regions", "unzip")


def make(kind: str) -> Path:
    """A new private temporary folder for ``kind`` (upload, export)."""
    return Path(tempfile.mkdtemp(prefix=f"{PREFIX}{kind}-{os.getpid()}-"))


def sweep_stale(root: Path | None = None) -> int:
    """Remove temporary folders left by killed processes; returns how many were removed."""
    root = Path(tempfile.gettempdir()) if root is None else root
    removed = 0
    for kind in KINDS:
        try:
            found = list(root.glob(f"{PREFIX}{kind}-*"))
        except OSError:
            continue
        for p in found:
            try:
                if p.is_dir() and not p.is_symlink() and is_stale(p.name[len(PREFIX) + len(kind) + 1:],
                                                                  p.stat().st_mtime):
                    shutil.rmtree(p, ignore_errors=True)
                    removed += 1
            except OSError:
                continue
    return removed
