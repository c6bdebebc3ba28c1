"""Major places to label on maps, from the dataset's own settlement table (offline).

A reader finds their bearings by cities, so every map labels the largest
listed settlements inside the data's extent, thinned so labels do not pile up
(a place closer than ``spacing`` degrees to a larger one is skipped).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

_PAREN = re.compile(r"\s*\([^)]*\)")


@dataclass(frozen=True)
class Place:
    name: str
    lat: float
    lon: float
    population: float
    major: bool  # among the largest few: drawn in larger type


def label_name(name: object) -> str:
    """The settlement's name without notes in parentheses ("Mosul (west bank)" -> "Mosul")."""
    return _PAREN.sub("", str(name)).strip()


def major_places(settlements: pd.DataFrame | None, bounds: tuple[float, float, float, float] | None = None,
                 limit: int = 24, spacing: float = 0.45, major: int = 8) -> list[Place]:
    """The ``limit`` most populous settlements inside ``bounds`` (minx, miny, maxx, maxy), thinned."""
    if settlements is None or settlements.empty or not {"name", "lat", "lon", "population"} <= set(settlements.columns):
        return []
    s = settlements[["name", "lat", "lon", "population"]].copy()
    for col in ("lat", "lon", "population"):
        s[col] = pd.to_numeric(s[col], errors="coerce")
    s = s.dropna(subset=["lat", "lon", "population"])
    s = s[(s["population"] > 0) & s["lat"].between(-90, 90) & s["lon"].between(-180, 180)]
    if bounds is not None:
        x0, y0, x1, y1 = bounds
        s = s[s["lon"].between(x0, x1) & s["lat"].between(y0, y1)]
    s = s.sort_values("population", ascending=False, kind="stable")
    picked: list[Place] = []
    for row in s.itertuples(index=False):
        name = label_name(row.name)
        if not name:
            continue
        if any(np.hypot(p.lat - row.lat, p.lon - row.lon) < spacing for p in picked):
            continue
        picked.append(Place(name, float(row.lat), float(row.lon), float(row.population), len(picked) < major))
        if len(picked) >= limit:
            break
    return picked
