"""Download helpers for the shell: run an export into a temp file and hand back its bytes."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from territory import tempfiles
from territory.analysis import Analysis
from territory.export import filename

MIME = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf", "html": "text/html",
        "gif": "image/gif", "mp4": "video/mp4", "geojson": "application/geo+json",
        "gpkg": "application/geopackage+sqlite3", "csv": "text/csv", "json": "application/json",
        "md": "text/markdown"}


def produce(write: Callable[[Path], object], suffix: str) -> bytes:
    """Call ``write(path)`` on a temporary path and return the file's bytes."""
    with tempfile.TemporaryDirectory(prefix=f"territory-export-{tempfiles.owner()}") as tmp:
        out = Path(tmp) / f"export.{suffix}"
        write(out)
        return out.read_bytes()


def map_png(an: Analysis, day: str, focus: str | None = None, denominator_index: int = 0) -> Callable[[], bytes]:
    """Deferred PNG of the report map for ``day``, ``focus``'s numbers (rendered only when clicked)."""
    from territory.export import save_map

    return lambda: produce(lambda p: save_map(an, day, p, "png", focus=focus, denominator_index=denominator_index),
                           "png")


def download_name(an: Analysis, day: object, fmt: str, kind: str = "map") -> str:
    return filename(an.dataset.name, day, fmt, kind)
