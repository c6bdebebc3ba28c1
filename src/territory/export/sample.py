"""A synthetic dataset for tests and the benchmark (no bundled data needed).

Three actors around a made-up front in the Syria/Iraq latitude band: one grows
then shrinks (a peak to measure against), one advances, a contested strip and
an expiring claim exercise every status style.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from territory.datasets import Dataset
from territory.model import canonical
from territory.report import Report

ACTORS = ("Northern Front", "Government forces", "Coalition-backed forces")
COLORS = {"Northern Front": "#1b1b1b", "Government forces": "#D55E00", "Coalition-backed forces": "#0072B2"}


def _blob(lon: float, lat: float, radius: float, seed: int, n: int = 240) -> shapely.Polygon:
    """An irregular polygon (a wobbly circle) with ``n`` vertices."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    wobble = 1 + 0.18 * np.sin(3 * t + rng.uniform(0, 6)) + 0.07 * np.sin(11 * t + rng.uniform(0, 6))
    return shapely.Polygon(np.column_stack([lon + radius * wobble * np.cos(t) * 1.2, lat + radius * wobble * np.sin(t)]))


def synthetic_history(n_dates: int = 24, start: str = "2014-01-01", vertices: int = 240,
                      extra_actor: str | None = None) -> gpd.GeoDataFrame:
    """A canonical history with ``n_dates`` monthly snapshots."""
    rows = []
    days = pd.date_range(start, periods=n_dates, freq="MS")
    for k, day in enumerate(days):
        phase = np.sin(np.pi * k / max(n_dates - 1, 1))  # 0 → 1 → 0: a peak mid-way
        north = _blob(40.0, 35.5, 0.6 + 1.6 * phase, k, vertices)
        gov = shapely.difference(_blob(37.2, 34.2, 1.2 + 0.5 * (1 - phase), 100 + k, vertices), north)
        coal = shapely.difference(_blob(41.5, 36.8, 0.4 + 0.8 * k / n_dates, 200 + k, vertices), north)
        src = f"Synthetic snapshot {day.date()}"
        rows += [(day, ACTORS[0], "controlled", north, src), (day, ACTORS[1], "controlled", gov, src),
                 (day, ACTORS[2], "controlled", coal, src)]
        if k % 3 == 1:
            strip = shapely.intersection(north.buffer(0.25).difference(north), _blob(39, 35, 1.5, 300 + k))
            rows.append((day, ACTORS[0], "contested", strip, src))
        if k == n_dates // 3:
            rows.append((day, ACTORS[0], "claimed", _blob(40.0, 35.5, 2.6, 400, vertices), src))
    if extra_actor:
        rows.append((days[0], extra_actor, "controlled", _blob(36.4, 36.6, 0.25, 999, 40), "Synthetic"))
    frame = pd.DataFrame(rows, columns=["date", "actor", "status", "geometry", "source"])
    frame["source_url"] = "https://example.org/synthetic"
    hist = gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326")
    # A claim that expires: valid_to exercises the validity semantics.
    claimed = hist["status"] == "claimed"
    hist["valid_to"] = pd.NaT
    hist.loc[claimed, "valid_to"] = hist.loc[claimed, "date"] + pd.Timedelta(days=45)
    return canonical(hist)


def synthetic_claims(history: gpd.GeoDataFrame) -> pd.DataFrame:
    """A tiny claims ledger in the checked form territory.claims expects."""
    days = sorted(history["date"].unique())
    mid, late = pd.Timestamp(days[len(days) // 2]), pd.Timestamp(days[-2])
    rows = [
        {"id": "C1", "date": mid, "actor": ACTORS[0], "claimant": "Ministry spokesperson (synthetic)",
         "metric": "area_held", "value": 90000.0, "unit": "km2", "baseline": "", "reference": "",
         "quote": "They hold some ninety thousand square kilometres, an area the size of a country.",
         "source": "Synthetic wire report", "source_url": "https://example.org/c1", "calibration": False},
        {"id": "C2", "date": late, "actor": ACTORS[0], "claimant": "Coalition statement (synthetic)",
         "metric": "percent_lost", "value": 80.0, "unit": "percent", "baseline": "peak", "reference": "",
         "quote": "The group has lost 80 percent of the territory it once held.",
         "source": "Synthetic press release", "source_url": "https://example.org/c2", "calibration": False},
    ]
    out = pd.DataFrame(rows)
    for col in ("region", "note"):
        out[col] = ""
    out["date"] = pd.to_datetime(out["date"])
    return out


def synthetic_dataset(n_dates: int = 24, *, basemap: bool = False, vertices: int = 240,
                      extra_actor: str | None = None, name: str = "synthetic_front") -> Dataset:
    """A Dataset as the loaders would build it, flagged illustrative."""
    hist = synthetic_history(n_dates, vertices=vertices, extra_actor=extra_actor)
    colors = dict(COLORS)
    if extra_actor:
        colors[extra_actor] = "#009E73"
    land = None
    if basemap:
        land = gpd.GeoDataFrame({"name": ["Westland", "Eastland", "Farland"]},
                                geometry=[shapely.box(30, 28, 39.5, 40), shapely.box(39.5, 28, 48, 40),
                                          shapely.box(20, 20, 60, 50).difference(shapely.box(30, 28, 48, 40))],
                                crs="EPSG:4326")
    return Dataset(name=name, title="Synthetic front: territorial control", history=hist, colors=colors,
                   report=Report(), claims=synthetic_claims(hist), basemap=land,
                   countries=land.iloc[:2].reset_index(drop=True) if land is not None else None,
                   illustrative=True, label="Illustrative reconstruction",
                   attribution="Synthetic test data", focus_actor=ACTORS[0])
