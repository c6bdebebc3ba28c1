"""Temporary folders for uploads and exports that never outlive their use.

Each folder's name carries the creating process's id and start time
(``territory-upload-<pid>-s<start>-xxxx``), so any later process can tell a
dead process's leftovers from a live neighbour's and remove them: a server
killed with SIGKILL mid-upload leaves its raw copy in TMPDIR only until the
next upload or server start anywhere on the machine (:func:`sweep_stale`,
run by :func:`make` and at startup). The start time catches a process id
reused by a new process (in a container the server is often pid 1 every time).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from territory.cache import is_stale

PREFIX = "territory-"
KINDS = ("upload", "export", "claims", "settlements", "regions", "unzip", "chunks")
_OWNER = re.compile(r"^(\d{1,10})-s(\d+)-")


def start_ticks(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot, from /proc), or None where unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat[stat.rindex(")") + 2:].split()[19]
    except (OSError, ValueError, IndexError):
        return None


def owner() -> str:
    """``<pid>-s<start>-`` for this process (``<pid>-`` where the start time is unknown)."""
    pid = os.getpid()
    ticks = start_ticks(pid)
    return f"{pid}-s{ticks}-" if ticks is not None else f"{pid}-"


def make(kind: str) -> Path:
    """A new private temporary folder for ``kind`` (one of :data:`KINDS`); dead processes' leftovers go first.

    An unknown kind is refused: :func:`sweep_stale` looks only for the kinds it
    knows, so another name would leave a killed process's folder behind for good.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown temporary-folder kind {kind!r}: add it to tempfiles.KINDS so leftovers are swept")
    sweep_stale()
    return Path(tempfile.mkdtemp(prefix=f"{PREFIX}{kind}-{owner()}"))


def _stale(rest: str, mtime: float) -> bool:
    """``rest`` is the name after ``territory-<kind>-``: dead owner, reused process id, or over a day old."""
    m = _OWNER.match(rest)
    if m is not None:
        ticks = start_ticks(int(m.group(1)))
        if ticks is not None and ticks != m.group(2):  # that id now belongs to another process
            return True
    return is_stale(rest, mtime)


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
                if p.is_dir() and not p.is_symlink() and _stale(p.name[len(PREFIX) + len(kind) + 1:],
                                                                p.stat().st_mtime):
                    shutil.rmtree(p, ignore_errors=True)
                    removed += 1
            except OSError:
                continue
    return removed
