"""Fonts for exported maps: DejaVu Sans first, then vendored Noto fonts for scripts it lacks.

DejaVu Sans (matplotlib's own) covers Latin, Cyrillic, Greek, Arabic, Hebrew,
Armenian and Georgian, but a Burmese or Amharic actor name came out as boxes in
every PNG, PDF and animation. The Noto fallbacks under ``assets/fonts`` (see its
README for provenance, OFL licence) fill those scripts; matplotlib picks, glyph by
glyph, the first family in :data:`FAMILY` that has it. Anything still missing is
named by :func:`missing_glyphs`, so an export can say so once instead of printing
boxes silently (or one matplotlib warning per letter).
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Iterable
from importlib import resources
from typing import Any

from matplotlib import font_manager
from matplotlib.ft2font import FT2Font

#: The export font family, in fallback order.
FAMILY = ["DejaVu Sans", "Noto Sans Myanmar", "Noto Sans Ethiopic"]



def quiet() -> None:
    """Silence matplotlib's one-warning-per-missing-letter: :func:`missing_note` says it once, in words.

    Called by every export before drawing. A process-wide filter, put (back) at the front
    each time: ``catch_warnings`` is not thread-safe in a dashboard server, and a filter
    set once at import is lost to any ``catch_warnings`` block around that import.
    """
    warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font", category=UserWarning)


@functools.cache
def register() -> tuple[str, ...]:
    """Add the vendored fonts to matplotlib's font manager (once per process); their paths."""
    folder = resources.files("territory").joinpath("assets", "fonts")
    paths = sorted(str(p) for p in folder.iterdir() if p.name.endswith(".ttf"))
    for path in paths:
        font_manager.fontManager.addfont(path)
    return tuple(paths)


@functools.cache
def _covered() -> frozenset[int]:
    """Code points some font of :data:`FAMILY` (regular weight) can draw."""
    register()
    out: set[int] = set()
    for name in FAMILY:
        path = font_manager.findfont(font_manager.FontProperties(family=name), fallback_to_default=False)
        out.update(FT2Font(path).get_charmap())
    return frozenset(out)


def missing_glyphs(texts: Iterable[str]) -> str:
    """The distinct characters of ``texts`` no export font can draw (spaces and controls aside), in order."""
    covered = _covered()
    seen: dict[str, None] = {}
    for text in texts:
        for ch in str(text):
            if ch.isprintable() and not ch.isspace() and ord(ch) not in covered:
                seen.setdefault(ch)
    return "".join(seen)


def export_texts(dataset: Any) -> list[str]:
    """The dataset's own text an export draws: title, actor names, attribution."""
    return [str(dataset.title or ""), *map(str, dataset.actors), str(dataset.attribution or "")]


def missing_note(dataset: Any) -> str | None:
    """One sentence naming the characters of the dataset's text no export font can draw, or None."""
    chars = missing_glyphs(export_texts(dataset))
    if not chars:
        return None
    shown = chars if len(chars) <= 24 else chars[:24] + "…"
    return (f"{len(chars)} character(s) in the dataset's names have no glyph in the export fonts and show as boxes "
            f"in images, PDFs and animations: {shown}. The dashboard and the HTML export draw them with the "
            "browser's fonts; for images, name the actors in a script the export fonts cover (Latin, Cyrillic, "
            "Greek, Arabic, Hebrew, Armenian, Georgian, Myanmar, Ethiopic).")
