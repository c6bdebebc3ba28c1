"""On-disk cache of measured datasets, keyed by a content hash of the inputs.

The key hashes every input file's bytes (and name), the load options and the
area method, so an edited file, a new option or a new method never serves a
stale number. This module imports nothing heavy: a warm CLI call can answer
from the cache without loading geopandas, shapely or pyproj.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

#: Bump when the measuring method changes, to invalidate old caches.
CACHE_VERSION = "1"


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


def content_key(files: list[Path], extra: object = None) -> str:
    """SHA-256 over names and bytes of ``files`` plus ``extra`` (options)."""
    h = hashlib.sha256(f"territory-cache-{CACHE_VERSION}\n".encode())
    h.update(json.dumps(extra, sort_keys=True, default=str).encode())
    for f in files:
        h.update(f.name.encode() + b"\0")
        with open(f, "rb") as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
    return h.hexdigest()[:32]


def entry(key: str, name: str) -> Path:
    return cache_dir() / key / name


def write_atomic(path: Path, write) -> None:
    """Write through a temporary file so a crash never leaves a half-written cache."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    write(tmp)
    os.replace(tmp, path)
