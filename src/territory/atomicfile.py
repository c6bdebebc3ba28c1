"""Output files that are whole or absent: written beside, synced, then renamed into place.

A killed export, a full disk or a failing writer must never leave a truncated
file under the name a reader will open (nor eat a good file already there), so
every output is written to a hidden temporary file in the same folder
(``.NAME.PID-XXXXXXXX.tmp.EXT``: the writer's process id, then the name's own
extension so writers that infer the format from it still work), flushed to
disk, then moved over the final name with :func:`os.replace` (atomic on one
file system). On any failure the temporary file is removed; a writer killed
outright leaves only the hidden temporary, which the next write of the same
name (or :func:`territory.cache.sweep`) removes once its process is dead.

A write that fails for a reason of the disk (full, read-only, no such folder,
permission) raises :class:`OutputError`, whose message names the path and what
to do, so a command can say so in one line instead of calling it an internal
error. Only the standard library is imported: the cache uses this too.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

#: ``.NAME.<pid>-<8 hex>.tmp`` optionally followed by NAME's extension.
_TEMP = re.compile(r"\.(\d{1,10})-[0-9a-f]{8}\.tmp(?:\.[^.]*)?$")

_REASONS = {
    errno.ENOSPC: ("the disk is full", "free some space on it or write the file elsewhere"),
    errno.EDQUOT: ("the disk quota is used up", "free some space or write the file elsewhere"),
    errno.EROFS: ("the disk is read-only", "write the file to another folder"),
    errno.EACCES: ("permission denied", "write the file to a folder you can write to"),
    errno.EPERM: ("permission denied", "write the file to a folder you can write to"),
    errno.ENOENT: ("its folder does not exist", "create the folder first or give another path"),
    errno.ENOTDIR: ("a part of the path is not a folder", "give a path inside an existing folder"),
    errno.EISDIR: ("it is a folder", "give a file name, not a folder"),
    errno.ENAMETOOLONG: ("the name is too long", "give a shorter file name"),
}


class OutputError(OSError):
    """An output that could not be written; the message names the file, why, and what to do."""

    def __init__(self, path: str | Path, cause: OSError | None = None, reason: str | None = None) -> None:
        self.path = Path(path)
        code = getattr(cause, "errno", None)
        why, todo = _REASONS.get(code, (None, "check the path and the free space, then run it again"))
        if reason is None:
            detail = (cause.strerror if cause is not None and cause.strerror else
                      str(cause).strip().splitlines()[0][:200] if cause is not None and str(cause).strip() else "")
            reason = f"{why} ({detail})" if why and detail else why or detail or "the write failed"
        super().__init__(code or errno.EIO, f"cannot write {path}: {reason}; {todo}. Nothing was written there.")
        self.reason = reason

    def __str__(self) -> str:
        return str(self.strerror)


def owner_pid(name: str) -> int | None:
    """The process id in a temporary file name made by :func:`replacing`, else None."""
    m = _TEMP.search(name)
    return int(m.group(1)) if m else None


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists (one owned by another user counts)."""
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def _sweep_beside(final: Path) -> None:
    """Remove temporaries of ``final`` whose writer is dead (a kill -9 leaves them behind)."""
    with contextlib.suppress(OSError):
        for p in final.parent.glob(f".{glob_escape(final.name)}.*.tmp*"):
            pid = owner_pid(p.name)
            if pid is not None and pid != os.getpid() and not pid_alive(pid):
                with contextlib.suppress(OSError):
                    p.unlink()


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


def _final(path: Path) -> Path:
    """Where the bytes end up: a symbolic link is written through, not replaced."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (best effort: not every file system allows it)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def replacing(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; when the block ends, it becomes ``path``.

    If the block raises, the temporary is removed and ``path`` is as it was
    (absent, or the previous file untouched); an :class:`OSError` becomes an
    :class:`OutputError` naming ``path``. A destination that exists and is not a
    regular file (``/dev/stdout``, a FIFO) is written directly: renaming over a
    device would replace the device.
    """
    path = Path(path)
    final = _final(path)
    try:
        st = final.stat()
    except OSError:
        st = None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise OutputError(path, OSError(errno.EISDIR, "Is a directory"))
    if st is not None and not stat.S_ISREG(st.st_mode):
        try:
            yield final
        except OutputError:
            raise
        except OSError as exc:
            raise OutputError(path, exc) from None
        return
    _sweep_beside(final)
    tmp = final.with_name(f".{final.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp{final.suffix}")
    try:
        # Created here (not by the writer) so it is ours alone; 0o666 less the umask, as open() would.
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        if st is not None:
            os.chmod(tmp, stat.S_IMODE(st.st_mode))  # replacing a file keeps its permissions
    except OSError as exc:
        raise OutputError(path, exc) from None
    try:
        yield tmp
        _fsync(tmp)
        os.replace(tmp, final)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError) and not isinstance(exc, OutputError):
            raise OutputError(path, exc) from None
        raise
    _fsync_dir(final.parent)


def write_with(path: str | Path, write: Callable[[Path], object]) -> Path:
    """``write(tmp)`` then rename into ``path``; returns ``path``."""
    with replacing(path) as tmp:
        write(tmp)
    return Path(path)


def write_bytes(path: str | Path, data: bytes) -> Path:
    return write_with(path, lambda p: p.write_bytes(data))


def write_text(path: str | Path, text: str) -> Path:
    """UTF-8 text written as given (no newline translation)."""
    return write_bytes(path, text.encode("utf-8"))
