"""A folder-file reader that kills its worker on one file: importable by fork-server workers too."""

from __future__ import annotations

import os
from pathlib import Path

from territory.io.folder import _read_in_folder as _real_read  # bound before any test patches it

DIES_ON = "2022-03-12.geojson"
#: The test process (fork-server workers import this module afresh; forked ones inherit the value).
READER = os.getpid()


def dies_on_one(paths: list[Path], options):
    """``territory.io.folder._read_in_folder``, except that the worker process dies (as if killed) on DIES_ON.

    The reader itself reads on (it reads the first chunks while the fork server starts)."""
    if any(p.name == DIES_ON for p in paths) and os.getpid() != READER:
        os._exit(9)
    return _real_read(paths, options)


def item_and_pid(x: int) -> tuple[int, int]:
    """The item and the process that mapped it (a little work each, as a file read is)."""
    import time

    time.sleep(0.002)
    return x, os.getpid()
