"""On-disk cache of measured datasets, keyed by a content hash of the inputs.

The key hashes every input file's bytes (and name), the load options and the
area method, so an edited file, a new option or a new method never serves a
stale number. This module imports nothing heavy: a warm CLI call can answer
from the cache without loading geopandas, shapely or pyproj.

The cache never breaks a command: a folder that cannot be created or written
means "compute without caching", and every entry carries a checksum file
(``NAME.sum``: SHA-256, size, cache version) written after the entry itself,
so a truncated, corrupt or foreign file is detected, removed and rebuilt,
never returned as a result.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from collections.abc import Callable
from pathlib import Path

from territory import atomicfile

#: Bump when the measuring method or an entry's layout changes, to invalidate old caches.
CACHE_VERSION = "2"
#: Parquet compression of cache entries: coordinates barely compress, and LZ4 writes and reads
#: them faster than zstd for ~10% more disk.
PARQUET_CODEC = "lz4"
#: Temporary files older than this are swept even if their writer's process id is in use again.
STALE_SECONDS = 24 * 3600


def cache_dir() -> Path:
    """``$TERRITORY_CACHE_DIR``, else ``$XDG_CACHE_HOME/territory`` or ``~/.cache/territory``."""
    if env := os.environ.get("TERRITORY_CACHE_DIR"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "territory"


def input_files(path: Path) -> list[Path]:
    """The files a dataset is read from, found without parsing geodata."""
    from territory import manifest

    found = manifest.find(path)
    if found is not None:  # checked and confined like the loader does (raises LoadError if refused)
        man = manifest.read(found)
        files = [found, *(p for k, p in man.files.items() if k != "basemap")]
        return [f for f in files if f.is_file()]
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
    if not path.is_file():  # missing, a device or a FIFO: never hashed (it could be endless)
        raise FileNotFoundError(f"not a regular file: {path}")
    return [path]


def _digest_file(f: Path) -> bytes:
    h = hashlib.sha256()
    with open(f, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.digest()


#: Files modified this recently are hashed but their digest not remembered (like git's "racy" check).
RACY_SECONDS = 2.0


def _memo_name(parent: Path) -> str:
    return hashlib.sha256(str(parent).encode("utf-8", "surrogateescape")).hexdigest()[:32] + ".json"


def _load_memo(parent: Path) -> dict:
    data = fetch_bytes("digests", _memo_name(parent))
    try:
        memo = json.loads(data) if data else {}
    except ValueError:
        memo = {}
    return memo if isinstance(memo, dict) else {}


def file_digests(files: list[Path]) -> list[bytes]:
    """SHA-256 of each file's bytes.

    A digest is remembered on disk per folder, under the file's (size, mtime, inode),
    so a warm command stats its inputs instead of re-reading them: an edited file
    gets a new mtime and is hashed again. Files changed in the last seconds are
    never remembered, so an edit within the clock's resolution cannot be missed.
    """
    out: list[bytes] = []
    memos: dict[Path, dict] = {}
    changed: set[Path] = set()
    now = time.time()
    for f in files:
        f = Path(os.path.abspath(f))
        st = os.stat(f)
        stamp = [st.st_size, st.st_mtime_ns, st.st_ino]
        memo = memos.get(f.parent)
        if memo is None:
            memo = memos[f.parent] = _load_memo(f.parent)
        seen = memo.get(f.name)
        if isinstance(seen, list) and len(seen) == 4 and seen[:3] == stamp:
            try:
                out.append(bytes.fromhex(seen[3]))
                continue
            except (TypeError, ValueError):
                pass
        digest = _digest_file(f)
        out.append(digest)
        if now - st.st_mtime > RACY_SECONDS:
            memo[f.name] = [*stamp, digest.hex()]
            changed.add(f.parent)
    for parent in changed:
        store_bytes("digests", _memo_name(parent), json.dumps(memos[parent]).encode())
    return out


def content_key(files: list[Path], extra: object = None) -> str:
    """SHA-256 over names and bytes of ``files`` plus ``extra`` (options)."""
    h = hashlib.sha256(f"territory-cache-{CACHE_VERSION}\n".encode())
    h.update(json.dumps(extra, sort_keys=True, default=str).encode())
    for f, digest in zip(files, file_digests(files), strict=True):
        h.update(f.name.encode() + b"\0")
        h.update(digest)
    return h.hexdigest()[:32]


def entry(key: str, name: str) -> Path:
    return cache_dir() / key / name


def _sum_path(path: Path) -> Path:
    return path.with_name(path.name + ".sum")


def _discard(path: Path) -> None:
    for p in (path, _sum_path(path)):
        with contextlib.suppress(OSError):
            p.unlink()


def _write_via_tmp(path: Path, write: Callable[[Path], None]) -> None:
    atomicfile.write_with(path, write)


def store(key: str, name: str, write: Callable[[Path], None]) -> bool:
    """Write an entry with ``write(path)`` and its checksum; False (nothing raised) if the cache is unusable.

    The entry is written through a temporary file, then its ``.sum``: a crash in
    between leaves an entry without a checksum, which :func:`fetch` rebuilds.
    """
    path = entry(key, name)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _discard(path)
        _write_via_tmp(path, write)
        st = path.stat()
        meta = {"sha256": _digest_file(path).hex(), "size": st.st_size, "version": CACHE_VERSION, "name": name}
        _write_via_tmp(_sum_path(path), lambda p: p.write_text(json.dumps(meta), encoding="utf-8"))
        return True
    except OSError:  # read-only, full or missing folder: compute without caching
        _discard(path)
        return False


def fetch(key: str, name: str) -> Path | None:
    """The entry's path if it exists and matches its checksum; a bad entry is removed and None returned."""
    path = entry(key, name)
    try:
        if not path.is_file():
            return None
        meta = json.loads(_sum_path(path).read_text(encoding="utf-8"))
        if (isinstance(meta, dict) and meta.get("version") == CACHE_VERSION and meta.get("name") == name
                and meta.get("size") == path.stat().st_size and meta.get("sha256") == _digest_file(path).hex()):
            return path
    except (OSError, ValueError):
        pass
    _discard(path)  # corrupt, truncated or not ours: rebuilt by the caller
    return None


def store_bytes(key: str, name: str, data: bytes) -> bool:
    return store(key, name, lambda p: p.write_bytes(data))


def fetch_bytes(key: str, name: str) -> bytes | None:
    path = fetch(key, name)
    if path is None:
        return None
    try:
        return path.read_bytes()
    except OSError:
        return None


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Write through a temporary file so a crash never leaves a half-written file (see territory.atomicfile)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_via_tmp(path, write)


def is_stale(name: str, mtime: float, now: float | None = None) -> bool:
    """Whether a temporary file or folder named ``...<sep>PID<sep>...`` was left by a dead process.

    The writer's process id is the first all-digit field after the prefix;
    without one (or when it is alive but the file is over a day old) age decides.
    """
    now = time.time() if now is None else now
    fields = name.replace(".", "-").split("-")
    pid = next((int(f) for f in fields if f.isdigit() and len(f) <= 7), None)
    if pid is not None and pid != os.getpid() and not atomicfile.pid_alive(pid):
        return True
    return now - mtime > STALE_SECONDS


def sweep() -> int:
    """Remove temporary files left in the cache by killed writers; returns how many."""
    root = cache_dir()
    removed = 0
    try:
        tmps = list(root.glob("*/.*.tmp*"))
    except OSError:
        return 0
    for p in tmps:
        try:
            pid = atomicfile.owner_pid(p.name)  # names made by atomicfile; older ones by is_stale's guess
            if (pid is not None and pid != os.getpid() and not atomicfile.pid_alive(pid)) or \
                    is_stale(p.name if pid is None else str(pid), p.stat().st_mtime):
                p.unlink()
                removed += 1
        except OSError:
            continue
    return removed
