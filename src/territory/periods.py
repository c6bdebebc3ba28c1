"""Gained, lost and net km² per week, month, quarter or year, in one pass.

A period's change is the state at its end against the state at the end of the
period before (the first period starts from the range's first day), so the
periods chain: their nets add up to the net over the whole range, and each row
is exactly ``territory change --from DATE_FROM --to DATE_TO`` (the row names
both dates). Gained/lost are *not* the sum of the day-by-day steps of
:func:`territory.change.change_series`: ground taken and lost again inside a
month is no gain of that month, as a map of its first and last day shows.

Speed: only the snapshots in force on the period bounds are touched (26 for two
years by month, whatever the number of daily files), and every (period, actor,
status) intersection runs in one threaded vectorised call; pairs where the same
snapshot is in force at both ends need no overlay at all.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from territory.area import Measured, threaded
from territory.model import to_day
from territory.regions import sample_dates, snapshots_in_force

#: ``--every`` choices with a period (``change`` and ``day`` are the change series' business).
PERIODS = ("week", "month", "quarter", "year")
COLUMNS = ["period", "period_start", "period_end", "date_from", "date_to", "actor", "status", "area_from_km2",
           "area_to_km2", "gained_km2", "lost_km2", "net_km2", "net_km2_per_day"]


def _label(day: pd.Timestamp, every: str) -> str:
    if every == "week":
        iso = day.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    if every == "month":
        return day.strftime("%Y-%m")
    if every == "quarter":
        return f"{day.year}-Q{day.quarter}"
    return str(day.year)


def period_bounds(dates: list[pd.Timestamp], every: str, start: object = None, end: object = None) -> pd.DataFrame:
    """One row per period: ``period`` label, calendar ``period_start``/``period_end`` (clipped to the range)
    and the two states compared, ``date_from`` (end of the period before, or the range's first day) and
    ``date_to`` (the period's last day, or the range's last).

    Weeks run Monday to Sunday (ISO). A range starting before the data refuses: a gain since a day
    nothing was mapped cannot be measured.
    """
    if every not in PERIODS:
        raise ValueError(f"--every must be one of {', '.join(PERIODS)}, not {every!r}")
    empty = pd.DataFrame(columns=COLUMNS[:5])
    if not dates:
        return empty
    first = min(dates)
    if start is not None and to_day(start) < first:
        raise ValueError(f"--from {to_day(start).date()} is before the data begins ({first.date()}): a change "
                         "since a day nothing was mapped cannot be measured; start on or after it")
    lo = to_day(start) if start is not None else first
    hi = to_day(end) if end is not None else max(dates)
    ends = [d for d in sample_dates(dates, lo, hi, every) if d > lo]
    if not ends:
        return empty
    froms = [lo, *ends[:-1]]
    # A period's calendar start: the day after the previous bound, except the first (the range's own start).
    starts = [lo] + [f + pd.Timedelta(days=1) for f in froms[1:]]
    return pd.DataFrame({
        "period": [_label(e, every) for e in ends],
        "period_start": pd.to_datetime(starts),
        "period_end": pd.to_datetime(ends),
        "date_from": pd.to_datetime(froms),
        "date_to": pd.to_datetime(ends),
    })


def period_change(measured: Measured, bounds: pd.DataFrame, *, region: shapely.Geometry | None = None,
                  status: str | None = None) -> pd.DataFrame:
    """Gained, lost and net km² of every (actor, status) in every period of ``bounds`` (see :func:`period_bounds`).

    ``region`` (equal-area, from :func:`territory.stats.project_region`) scopes every figure to the
    land inside it. Rows where an actor held nothing at either end are left out.
    """
    if bounds.empty:
        return pd.DataFrame(columns=COLUMNS)
    snaps = measured.snapshots
    if status is not None:
        snaps = snaps[snaps["status"] == status]
    days = np.unique(np.concatenate([bounds["date_from"].to_numpy(), bounds["date_to"].to_numpy()]))
    keys, rows = snapshots_in_force(snaps.reset_index(drop=True), days)
    if not keys:
        return pd.DataFrame(columns=COLUMNS)
    # Positions in ``snaps`` → rows of ``measured``; only the snapshots on the bounds are ever read.
    rows = np.where(rows >= 0, snaps.index.to_numpy()[np.clip(rows, 0, None)], -1)
    used = np.unique(rows[rows >= 0])
    geoms = {}
    if len(used):
        g = measured.geometry[used]
        if region is not None:
            from territory.stats import clip

            g = clip(Measured(measured.snapshots.iloc[used].reset_index(drop=True), g),
                     region_equal_area=region).geometry
        geoms = dict(zip(used.tolist(), g, strict=True))
    empty = shapely.Polygon()
    pick = lambda r: geoms[r] if r >= 0 else empty  # noqa: E731
    day_pos = {d: i for i, d in enumerate(days)}
    i_from = np.array([day_pos[d] for d in bounds["date_from"].to_numpy()])
    i_to = np.array([day_pos[d] for d in bounds["date_to"].to_numpy()])
    # Every (period, key) pair at once.
    k_idx, p_idx = np.meshgrid(np.arange(len(keys)), np.arange(len(bounds)), indexing="ij")
    k_idx, p_idx = k_idx.ravel(), p_idx.ravel()
    r1, r2 = rows[k_idx, i_from[p_idx]], rows[k_idx, i_to[p_idx]]
    held = (r1 >= 0) | (r2 >= 0)  # refined below: inside a region an actor may hold nothing at either end
    k_idx, p_idx, r1, r2 = k_idx[held], p_idx[held], r1[held], r2[held]
    g1 = np.array([pick(r) for r in r1], dtype=object)
    g2 = np.array([pick(r) for r in r2], dtype=object)
    a1, a2 = shapely.area(g1) / 1e6, shapely.area(g2) / 1e6
    inter = np.where(r1 == r2, a1, 0.0)  # the same snapshot at both ends: nothing moved
    todo = (r1 != r2) & (r1 >= 0) & (r2 >= 0)
    if todo.any():
        inter[todo] = threaded(lambda a, b: shapely.area(shapely.intersection(a, b)), g1[todo], g2[todo]) / 1e6
    b = bounds.iloc[p_idx].reset_index(drop=True)
    out = pd.DataFrame({
        "period": b["period"], "period_start": b["period_start"], "period_end": b["period_end"],
        "date_from": b["date_from"], "date_to": b["date_to"],
        "actor": [keys[k][0] for k in k_idx], "status": [keys[k][1] for k in k_idx],
        "area_from_km2": a1, "area_to_km2": a2,
        "gained_km2": np.maximum(a2 - inter, 0.0), "lost_km2": np.maximum(a1 - inter, 0.0),
    })
    out["net_km2"] = out["area_to_km2"] - out["area_from_km2"]
    out = out[(out["area_from_km2"] > 0) | (out["area_to_km2"] > 0)]
    days_in = (out["date_to"] - out["date_from"]).dt.days.clip(lower=1)
    out["net_km2_per_day"] = out["net_km2"] / days_in
    return out.sort_values(["date_to", "actor", "status"], kind="stable").reset_index(drop=True)[COLUMNS]


def period_net(table: pd.DataFrame, bounds: pd.DataFrame, *, status: str = "controlled",
               actors: list[str] | None = None) -> pd.DataFrame:
    """Net km² per period from the area table alone (no overlay): for charts.

    The same figure as :func:`period_change`'s ``net_km2`` (area at ``date_to`` minus area at ``date_from``).
    """
    cols = ["period", "period_start", "period_end", "date_from", "date_to", "actor", "net_km2"]
    t = table[table["status"] == status]
    if actors is not None:
        t = t[t["actor"].isin(actors)]
    if bounds.empty or t.empty:
        return pd.DataFrame(columns=cols)
    frames = []
    for actor, part in t.groupby("actor", sort=False):
        part = part.sort_values("date")
        when = part["date"].to_numpy()
        km2 = part["area_km2"].to_numpy()

        def at(days: np.ndarray, when: np.ndarray = when, km2: np.ndarray = km2) -> np.ndarray:
            pos = np.searchsorted(when, days, side="right") - 1
            return np.where(pos >= 0, km2[np.clip(pos, 0, None)], 0.0)

        f = bounds.copy()
        f["actor"] = actor
        f["net_km2"] = at(f["date_to"].to_numpy()) - at(f["date_from"].to_numpy())
        frames.append(f)
    return pd.concat(frames, ignore_index=True)[cols]
