"""Change between two dates: gains, losses, net, and who took from whom.

Identity kept exactly (tests check it): ``gained - lost == area_to - area_from``
for each (actor, status), because gained = to − (to ∩ from) and
lost = from − (to ∩ from) are measured from one intersection.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from territory.area import Measured, from_equal_area, threaded
from territory.model import END, to_day

DAYS_PER = {"day": 1.0, "week": 7.0, "month": 365.2425 / 12}


def _state(measured: Measured, day: pd.Timestamp) -> dict[tuple[str, str], shapely.Geometry]:
    s = measured.snapshots
    m = ((s["date"] <= day) & (s[END].isna() | (s[END] > day))).to_numpy()
    return {(a, st): measured.geometry[i] for i, a, st in zip(np.flatnonzero(m), s["actor"][m], s["status"][m], strict=True)}


def compare(measured: Measured, start: object, end: object, *, status: str | None = None) -> dict[str, pd.DataFrame | gpd.GeoDataFrame]:
    """Change from ``start`` to ``end``.

    Returns ``summary`` (per actor/status: area_from, area_to, gained, lost,
    net, net per day/week/month), ``transfers`` (from_actor, to_actor, km²:
    land one actor lost that another gained; "(none)" for land nobody gained
    or that came from nobody) and ``polygons`` (gained/lost geometry in lon/lat).
    """
    d1, d2 = to_day(start), to_day(end)
    if d2 < d1:
        raise ValueError(f"the first date ({d1.date()}) is after the second ({d2.date()}): swap them")
    a, b = _state(measured, d1), _state(measured, d2)
    keys = sorted(set(a) | set(b))
    if status is not None:
        keys = [k for k in keys if k[1] == status]
    empty = shapely.Polygon()
    g1 = np.array([a.get(k, empty) for k in keys], dtype=object)
    g2 = np.array([b.get(k, empty) for k in keys], dtype=object)
    inter = shapely.intersection(g1, g2)
    gained_geom = shapely.difference(g2, g1)
    lost_geom = shapely.difference(g1, g2)
    area1, area2 = shapely.area(g1) / 1e6, shapely.area(g2) / 1e6
    ai = shapely.area(inter) / 1e6
    days = max((d2 - d1).days, 1) if d2 != d1 else np.nan
    summary = pd.DataFrame({
        "actor": [k[0] for k in keys],
        "status": [k[1] for k in keys],
        "date_from": d1,
        "date_to": d2,
        "area_from_km2": area1,
        "area_to_km2": area2,
        "gained_km2": np.maximum(area2 - ai, 0.0),
        "lost_km2": np.maximum(area1 - ai, 0.0),
    })
    summary["net_km2"] = summary["area_to_km2"] - summary["area_from_km2"]
    for unit, n in DAYS_PER.items():
        summary[f"net_km2_per_{unit}"] = summary["net_km2"] / days * n
    # Who took from whom: controlled land lost by one actor and gained by another.
    rows = []
    ctrl = [i for i, k in enumerate(keys) if k[1] == "controlled"]
    for i in ctrl:
        lost = lost_geom[i]
        if shapely.is_empty(lost):
            continue
        taken = 0.0
        for j in ctrl:
            if i == j or shapely.is_empty(gained_geom[j]):
                continue
            km2 = float(shapely.area(shapely.intersection(lost, gained_geom[j])) / 1e6)
            if km2 > 0.0005:
                rows.append((keys[i][0], keys[j][0], km2))
                taken += km2
        rest = float(shapely.area(lost) / 1e6) - taken
        if rest > 0.0005:
            rows.append((keys[i][0], "(none)", rest))
    for j in ctrl:
        gained = float(shapely.area(gained_geom[j]) / 1e6)
        from_others = sum(km2 for _, to, km2 in rows if to == keys[j][0])
        if gained - from_others > 0.0005:
            rows.append(("(none)", keys[j][0], gained - from_others))
    transfers = pd.DataFrame(rows, columns=["from_actor", "to_actor", "area_km2"])
    poly_rows = []
    for i, k in enumerate(keys):
        for kind, geom in (("gained", gained_geom[i]), ("lost", lost_geom[i])):
            if not shapely.is_empty(geom):
                poly_rows.append({"actor": k[0], "status": k[1], "change": kind,
                                  "area_km2": float(shapely.area(geom) / 1e6), "geometry": geom})
    if poly_rows:
        frame = pd.DataFrame(poly_rows)
        polygons = gpd.GeoDataFrame(frame.drop(columns="geometry"),
                                    geometry=from_equal_area(frame["geometry"].to_numpy()), crs="EPSG:4326")
    else:
        polygons = gpd.GeoDataFrame({"actor": [], "status": [], "change": [], "area_km2": []},
                                    geometry=gpd.GeoSeries([], crs="EPSG:4326"))
    return {"summary": summary, "transfers": transfers, "polygons": polygons}


def change_series(measured: Measured) -> pd.DataFrame:
    """Gained/lost/net km² for every consecutive pair of snapshots of each (actor, status).

    One vectorised intersection per step; an expiry (``valid_to``) with no
    follow-up snapshot counts as losing everything.
    """
    s = measured.snapshots.reset_index(names="i").sort_values(["actor", "status", "date"], kind="stable")
    prev = s.groupby(["actor", "status"], sort=False)["i"].shift(1)
    prev_end = s.groupby(["actor", "status"], sort=False)[END].shift(1)
    has_prev = prev.notna().to_numpy()
    cur_i = s["i"].to_numpy()
    prev_i = prev.fillna(-1).astype(int).to_numpy()
    geoms = measured.geometry
    areas = measured.snapshots["area_km2"].to_numpy()
    # A gap (previous snapshot expired before this one began) means starting from nothing.
    gap = has_prev & prev_end.notna().to_numpy() & (prev_end.to_numpy() < s["date"].to_numpy())
    pair = has_prev & ~gap
    inter = np.zeros(len(s))
    if pair.any():
        inter[pair] = threaded(lambda a, b: shapely.area(shapely.intersection(a, b)),
                               geoms[cur_i[pair]], geoms[prev_i[pair]]) / 1e6
    before = np.where(pair, areas[prev_i], 0.0)
    after = areas[cur_i]
    out = pd.DataFrame({
        "date": s["date"].to_numpy(),
        "actor": s["actor"].to_numpy(),
        "status": s["status"].to_numpy(),
        "area_before_km2": before,
        "area_km2": after,
        "gained_km2": np.maximum(after - inter, 0.0),
        "lost_km2": np.maximum(before - inter, 0.0),
    })
    # Expiries (valid_to) not followed at once by a snapshot: a loss of everything that day.
    next_date = s.groupby(["actor", "status"], sort=False)["date"].shift(-1).to_numpy()
    ends = s[END].to_numpy()
    expiring = ~pd.isna(ends) & (pd.isna(next_date) | (next_date > ends))
    exp = pd.DataFrame({
        "date": ends[expiring],
        "actor": s["actor"].to_numpy()[expiring],
        "status": s["status"].to_numpy()[expiring],
        "area_before_km2": after[expiring],
        "area_km2": 0.0,
        "gained_km2": 0.0,
        "lost_km2": after[expiring],
    })
    out = pd.concat([out, exp], ignore_index=True) if len(exp) else out
    out["net_km2"] = out["gained_km2"] - out["lost_km2"]
    return out.sort_values(["date", "actor", "status"], kind="stable").reset_index(drop=True)
