"""A folder-file reader that kills its worker on one file: importable by fork-server workers too."""

from __future__ import annotations

import os
from pathlib import Path

from territory.io.folder import _read_in_folder as _real_read  # bound before any test patches it

DIES_ON = "2022-03-12.geojson"


def dies_on_one(paths: list[Path], options):
    """``territory.io.folder._read_in_folder``, except that the worker process dies (as if killed) on DIES_ON."""
    if any(p.name == DIES_ON for p in paths):
        os._exit(9)
    return _real_read(paths, options)
