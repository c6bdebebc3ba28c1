"""The time-series table: km² per date × actor × status, with named shares.

Each share carries its baseline in the same row (``region``, ``region_km2``,
``region_source``; ``peak_date``, ``peak_km2`` (the peak *to date*: the largest
area on or before the row's date); ``baseline_date``, ``baseline_km2``), so a
number copied out of the table keeps its meaning.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from territory.area import Measured, area_table, threaded, to_equal_area
from territory.baselines import Denominator


def clip(measured: Measured, region_lonlat: shapely.Geometry | None = None, *,
         region_equal_area: shapely.Geometry | None = None) -> Measured:
    """Snapshots intersected with a region (for '% of Syria' of a two-country history).

    Pass ``region_equal_area`` (from :func:`project_region`) to skip re-projecting
    the outline when clipping many times. Only areas wanted? :func:`clipped_km2`
    measures the same intersections without keeping them.
    """
    region = region_equal_area if region_equal_area is not None else project_region(region_lonlat)
    inside, todo = _inside_and_crossing(region, measured.geometry)
    geoms = measured.geometry.copy()
    if todo.any():
        geoms[todo] = threaded(shapely.intersection, *_cut(region, measured.geometry[todo]))
    geoms[~inside & ~todo] = shapely.Polygon()
    snaps = measured.snapshots.copy()
    snaps["area_km2"] = shapely.area(geoms) / 1e6
    return Measured(snaps, geoms)


def clipped_km2(measured: Measured, region_equal_area: shapely.Geometry) -> np.ndarray:
    """km² of each snapshot inside the region: ``clip(...).snapshots["area_km2"]``, to the bit.

    Each intersection is measured as soon as it is made and dropped (:func:`threaded` chunks), so
    the clipped shapes (~75 MB for 800 snapshots of a front line) are never all held at once: their
    memory is reused chunk after chunk instead of faulted in anew (19,000 page faults fewer).
    A snapshot that repeats the one before it exactly (a day the source did not change) reuses
    its figure instead of intersecting the same shapes again.
    """
    src = _first_of_repeats(measured.geometry)
    unique = np.unique(src)
    g = measured.geometry[unique]
    inside, todo = _inside_and_crossing(region_equal_area, g)
    out = np.where(inside, shapely.area(g), 0.0)
    if todo.any():
        out[todo] = threaded(lambda a, b: shapely.area(shapely.intersection(a, b)), *_cut(region_equal_area, g[todo]))
    return out[np.searchsorted(unique, src)] / 1e6


def _first_of_repeats(geoms: np.ndarray) -> np.ndarray:
    """For each geometry, the index of the first of the run of exactly equal geometries it ends (itself if new).

    Exactly equal: same type, structure and coordinate bits (``equals_exact`` at tolerance 0), so any
    computation on the first gives the same bits for the rest.
    """
    n = len(geoms)
    same = np.zeros(n, dtype=bool)
    if n > 1:
        counts = shapely.get_num_coordinates(geoms)
        cand = np.flatnonzero(counts[1:] == counts[:-1]) + 1
        if len(cand):
            same[cand] = shapely.equals_exact(geoms[cand], geoms[cand - 1], tolerance=0.0)
    return np.maximum.accumulate(np.where(same, 0, np.arange(n)))


def _inside_and_crossing(region: shapely.Geometry, geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which snapshots lie wholly in the (prepared) region, and which cross its outline (need an intersection).

    The rest are disjoint from it (0 km² inside).
    """
    inside = shapely.contains(region, geoms)
    return inside, ~inside & shapely.intersects(region, geoms)


#: Snapshot boxes are rounded outward to this grid (metres) before the outline is cut to them.
CUT_GRID_M = 50_000.0


def _cut(region: shapely.Geometry, geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``geoms`` and, aligned with them, the part of ``region`` near each, to intersect pairwise.

    The outline is first cut to the snapshot's box (linear time), so the
    intersection only sees the part of a long border that can matter. Boxes are
    rounded outward to a 50 km grid, so the snapshots of a slowly moving front
    share one cut: an 800-date archive cuts the outline a handful of times.
    The intersections then run on every core (:func:`threaded`).
    """
    b = shapely.bounds(geoms)
    grid = np.column_stack([np.floor(b[:, :2] / CUT_GRID_M), np.ceil(b[:, 2:] / CUT_GRID_M)]) * CUT_GRID_M
    boxes, which = np.unique(grid, axis=0, return_inverse=True)
    cuts = shapely.intersection(region, shapely.box(*boxes.T))
    return geoms, cuts[np.ravel(which)]


def project_region(region_lonlat: shapely.Geometry) -> shapely.Geometry:
    """A region outline in the equal-area CRS, prepared for repeated clipping."""
    region = to_equal_area([region_lonlat])[0]
    if not region.is_valid:  # densified near-coincident borders (a union of two layers) can cross once projected
        region = shapely.make_valid(region, method="structure", keep_collapsed=False)
    shapely.prepare(region)
    return region


def peaks_to_date(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with ``peak_km2`` and ``peak_date``: each (actor, status)'s largest area on or before the row's date.

    "% of peak" as of a date divides by the peak *to date*: a report or page as of D never cites a
    peak that came later. The peak's date is the first day the running maximum was reached.
    """
    out = table.sort_values(["actor", "status", "date"], kind="stable")
    g = out.groupby(["actor", "status"], sort=False)["area_km2"]
    top = g.cummax()
    before = top.groupby([out["actor"], out["status"]], sort=False).shift(1)
    new = before.isna() | (out["area_km2"] > before)
    out = out.assign(peak_date=out["date"].where(new), peak_km2=top)
    out["peak_date"] = out.groupby(["actor", "status"], sort=False)["peak_date"].ffill().where(top > 0)
    return out.loc[table.index]


def value_at(table: pd.DataFrame, day: pd.Timestamp, actor: str, status: str = "controlled") -> float:
    """km² of (actor, status) in force on ``day`` (0 before it first appears)."""
    rows = table[(table["actor"] == actor) & (table["status"] == status) & (table["date"] <= day)]
    return float(rows["area_km2"].iloc[-1]) if len(rows) else 0.0


def stats_table(
    measured: Measured,
    *,
    denominator: Denominator | None = None,
    baseline: pd.Timestamp | None = None,
    dates: list[pd.Timestamp] | None = None,
) -> pd.DataFrame:
    """The full table: each actor's whole area, and the part inside the region for the share.

    ``area_km2``, peaks (to date) and baselines are the actor's whole area; ``area_in_region_km2``
    is the part inside the denominator's outline (land of the region: the map page's
    headline), which ``pct_of_region`` divides by ``region_km2``, and
    ``area_outside_region_km2`` the rest (sea, neighbouring countries).
    """
    table = area_table(measured, dates)
    if table.empty:
        return table
    out = peaks_to_date(table)  # peak to date: the table as of each row's date, never a later peak
    out["pct_of_peak"] = np.where(out["peak_km2"] > 0, 100 * out["area_km2"] / out["peak_km2"], np.nan)
    if denominator is not None:
        inside = out["area_km2"]
        if denominator.geometry is not None:
            snaps = measured.snapshots.assign(area_km2=clipped_km2(measured, project_region(denominator.geometry)))
            clipped = area_table(Measured(snaps, measured.geometry), dates)
            inside = out[["date", "actor", "status"]].merge(clipped, on=["date", "actor", "status"], how="left")["area_km2"]
        out["region"] = denominator.region
        out["region_km2"] = denominator.km2
        out["region_source"] = denominator.source
        out["area_in_region_km2"] = inside.to_numpy()
        out["area_outside_region_km2"] = (out["area_km2"] - out["area_in_region_km2"]).clip(lower=0.0)
        out["pct_of_region"] = 100 * out["area_in_region_km2"] / denominator.km2
    if baseline is not None:
        base = area_table(measured, [baseline])[["actor", "status", "area_km2"]].rename(columns={"area_km2": "baseline_km2"})
        out = out.merge(base, on=["actor", "status"], how="left")
        out["baseline_date"] = baseline
        out["baseline_km2"] = out["baseline_km2"].fillna(0.0)
        out["pct_of_baseline"] = np.where(out["baseline_km2"] > 0, 100 * out["area_km2"] / out["baseline_km2"], np.nan)
    out = out.sort_values(["actor", "status", "date"], kind="stable")
    out["change_km2"] = out.groupby(["actor", "status"], sort=False)["area_km2"].diff().fillna(out["area_km2"])
    return out.sort_values(["date", "actor", "status"], kind="stable").reset_index(drop=True)
