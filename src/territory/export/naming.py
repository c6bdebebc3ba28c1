"""Conventional export file names: dataset, date and format in one safe slug.

A journalist downloading five exports of the same dataset must be able to tell
them apart in a Downloads folder, and the name must be safe on every OS.
"""

from __future__ import annotations

import re
import unicodedata

from territory.model import to_day

_UNSAFE = re.compile(r"[^a-z0-9]+")
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
             *(f"lpt{i}" for i in range(1, 10))}
MAX_STEM = 120


def slugify(text: object, fallback: str = "territory") -> str:
    """ASCII, lower case, ``_`` between words; never empty nor a reserved name."""
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    slug = _UNSAFE.sub("_", ascii_text.lower()).strip("_")[:MAX_STEM].strip("_")
    if not slug:
        return fallback
    return f"{slug}_" if slug in _RESERVED else slug


def _day_text(day: object) -> str:
    if isinstance(day, tuple | list):
        return "_".join(_day_text(d) for d in day if d is not None)
    return to_day(day).date().isoformat()


def filename(dataset_name: str, day: object, fmt: str, kind: str = "map") -> str:
    """``is_syria_iraq_2015-06-01_map.png``; ``day`` may be None or a (start, end) pair."""
    parts = [slugify(dataset_name)]
    if day is not None:
        text = _day_text(day)
        if text:
            parts.append(text)
    parts.append(slugify(kind, "export"))
    ext = slugify(fmt, "bin").replace("_", "")
    return "_".join(parts) + "." + ext
