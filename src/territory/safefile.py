"""Reads that cannot hang or exhaust memory: regular files only, each size-capped.

``/dev/zero``, a FIFO or a socket reports a size of 0 (or blocks forever when
read), so a size check alone is not enough: anything that is not a regular
file is refused first, then the size is compared with the cap.
"""

from __future__ import annotations

import stat
from pathlib import Path

from territory.report import Report

MiB = 1024 * 1024


def human_bytes(n: int) -> str:
    """A byte count for messages: 512 bytes, 1.0 KiB, 3.2 MiB, 1.0 GiB."""
    if n < 1024:
        return f"{n} bytes"
    for unit in ("KiB", "MiB", "GiB"):
        n /= 1024
        if n < 1024 or unit == "GiB":
            return f"{n:,.1f} {unit}"
    raise AssertionError("unreachable")


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def not_regular(path: Path) -> str | None:
    """What a folder entry is if it is neither a regular file nor a folder (links followed), else None.

    Such entries (a FIFO, a link to ``/dev/zero``, a dangling link) are skipped when a folder is read,
    and the report says so.
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "a link to nothing" if path.is_symlink() else None
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})"
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return _kind(mode)


def check_file(path: Path, name: str, report: Report, max_bytes: int, *, what: str = "file",
               field: str = "") -> bool:
    """True if ``path`` is a regular file of 1..``max_bytes`` bytes; else report why and return False."""
    where = {"file": name, **({"field": field} if field else {})}
    try:
        st = path.stat()
    except FileNotFoundError:
        report.error(f"{what} not found", code="missing", hint="check the path", **where)
        return False
    except OSError as exc:
        report.error(f"{what} cannot be opened ({exc.strerror or exc})", code="unreadable",
                     hint="check the path and its permissions", **where)
        return False
    if not stat.S_ISREG(st.st_mode):
        report.error(f"{what} is {_kind(st.st_mode)}, not a regular file", code="not-a-file",
                     hint="give the path of a data file", **where)
        return False
    if st.st_size == 0:
        report.error(f"{what} is empty (0 bytes)", code="empty", hint="export the data again", **where)
        return False
    if st.st_size > max_bytes:
        report.error(f"{what} is {human_bytes(st.st_size)}, more than the limit of {human_bytes(max_bytes)}",
                     code="too-large", hint="split the data into smaller files", **where)
        return False
    return True


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """At most ``max_bytes`` bytes of a file (for a file already checked by :func:`check_file`)."""
    with open(path, "rb") as fh:
        return fh.read(max_bytes)
