"""Where the front moved: the change between two dates as separate patches.

Each patch is one connected piece of ground that changed hands, with its km²,
who held it before and after (``(none)``: nobody in the data), the region it
mostly lies in and a settlement to name it by ("42 km² near Pokrovsk,
Donetsk (A → B)"; no leading "+", which a spreadsheet would read as a formula). Pieces that are slivers of a coastline or border redrawn between the
dates are not patches: they are left out by the rule below and their total is
reported apart (:attr:`Patches.slivers`), so nothing vanishes unsaid.

Geometry stays in the equal-area CRS of :class:`territory.area.Measured` for
every area (ellipsoidal-accurate, as everywhere); only the output is turned
back to lon/lat.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import affinity

from territory.area import Measured, from_equal_area, threaded
from territory.change import _state
from territory.model import to_day

#: A piece smaller than this is a sliver. Coastlines and borders redrawn between two snapshots (another
#: generalisation, another source) leave pieces well under 1 km²; a reported advance rarely is.
MIN_PATCH_KM2 = 1.0
#: A piece thinner than this everywhere is a sliver, whatever its area: a redrawn coast 50 km long moved by
#: 100 m is 5 km² but nowhere 250 m wide. Tested by shrinking the piece by half this width (a negative
#: buffer in a locally true metric): nothing left means no point of it is this far from both edges.
#: Real advances are deeper than a quarter of a kilometre somewhere.
MIN_WIDTH_M = 250.0
#: A patch is named after the most populous settlement within this distance of it (a town readers know,
#: not the nearest hamlet); with none that close, the nearest settlement and how far it is.
NEAR_KM = 15.0
NONE = "(none)"
COLUMNS = ["patch", "date_from", "date_to", "from_actor", "to_actor", "status", "area_km2", "region", "country",
           "settlement", "settlement_population", "settlement_km", "population_source", "description", "lon", "lat",
           "west", "south", "east", "north"]
#: The lat the equal-area CRS (EPSG:6933) is true at: its x is stretched by cos(30°)/cos(lat) elsewhere.
_TRUE_LAT = 30.0


def population_source(dataset) -> str:
    """Where a dataset's settlement populations come from and how old they are (every view showing one says)."""
    return "; ".join(x for x in (dataset.settlements_source, dataset.population_age) if x)


def sliver_rule() -> str:
    """The rule in words, for tables' notes, the CLI and the Compare page."""
    return (f"pieces under {MIN_PATCH_KM2:g} km² or nowhere {MIN_WIDTH_M:g} m wide are slivers "
            "(coastlines and borders redrawn between the dates), left out and totalled apart")


@dataclass
class Patches:
    """The patches (lon/lat, largest first) and the slivers left out, per (from_actor, to_actor)."""

    patches: gpd.GeoDataFrame
    slivers: pd.DataFrame
    date_from: pd.Timestamp
    date_to: pd.Timestamp

    @property
    def sliver_km2(self) -> float:
        return float(self.slivers["area_km2"].sum()) if len(self.slivers) else 0.0

    @property
    def sliver_count(self) -> int:
        return int(self.slivers["pieces"].sum()) if len(self.slivers) else 0

    def sliver_note(self) -> str:
        return (f"{self.sliver_count} sliver(s), {self.sliver_km2:,.2f} km² in all, left out: {sliver_rule()}")


def _pieces(a: dict, b: dict) -> tuple[list[str], list[str], np.ndarray]:
    """(from, to, geometry) of ground that changed hands between ``a`` and ``b`` (actor → geometry, one status)."""
    actors = sorted(set(a) | set(b))
    empty = shapely.Polygon()
    g1 = np.array([a.get(x, empty) for x in actors], dtype=object)
    g2 = np.array([b.get(x, empty) for x in actors], dtype=object)
    lost, gained = threaded(shapely.difference, g1, g2), threaded(shapely.difference, g2, g1)
    frm, to, geoms = [], [], []
    i, j = (x.ravel() for x in np.meshgrid(np.arange(len(actors)), np.arange(len(actors)), indexing="ij"))
    pair = (i != j) & ~shapely.is_empty(lost[i]) & ~shapely.is_empty(gained[j])
    pair[pair] = shapely.intersects(lost[i[pair]], gained[j[pair]])
    if pair.any():
        taken = threaded(shapely.intersection, lost[i[pair]], gained[j[pair]])
        frm += [actors[k] for k in i[pair]]
        to += [actors[k] for k in j[pair]]
        geoms += list(taken)
    all_gained, all_lost = shapely.union_all(gained), shapely.union_all(lost)
    for k, x in enumerate(actors):  # ground nobody took, and ground taken from nobody
        if not shapely.is_empty(lost[k]):
            frm.append(x), to.append(NONE), geoms.append(shapely.difference(lost[k], all_gained))
        if not shapely.is_empty(gained[k]):
            frm.append(NONE), to.append(x), geoms.append(shapely.difference(gained[k], all_lost))
    return frm, to, np.array(geoms, dtype=object)


def _local(geoms: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Equal-area geometries rescaled about their centroids so metres are true locally (for the width test)."""
    k = math.cos(math.radians(_TRUE_LAT)) / np.cos(np.radians(lat))
    return np.array([affinity.scale(g, 1 / kk, kk, origin="centroid") for g, kk in zip(geoms, k, strict=True)],
                    dtype=object)


def _regions(parts: np.ndarray, layer) -> tuple[list[str], list[str], list]:
    """Region, country and lon/lat outline (None: no region) of each part: the region it overlaps most."""
    names, countries, outlines = [""] * len(parts), [""] * len(parts), [None] * len(parts)
    if layer is None or not len(layer) or not len(parts):
        return names, countries, outlines
    pi, ri = layer.tree.query(parts, predicate="intersects")
    if not len(pi):
        return names, countries, outlines
    km2 = shapely.area(shapely.intersection(parts[pi], layer.equal_area[ri]))
    order = np.lexsort((-km2, pi))
    first = order[np.r_[True, pi[order][1:] != pi[order][:-1]]]
    for p, r in zip(pi[first], ri[first], strict=True):
        names[p], countries[p], outlines[p] = layer.names[r], layer.countries[r], layer.geometry[r]
    return names, countries, outlines


def _settlements(parts_ll: np.ndarray, settlements: pd.DataFrame | None, outlines: list) -> tuple[list, list, list]:
    """Name, population and distance (km, 0 inside) of the settlement each part is named after.

    Places inside the part's region come first (a large patch reaching near a big town over the
    border is not named after it: "near Ramadi, Nineveh" would mislead), then population."""
    n = len(parts_ll)
    names, pops, dists = [""] * n, [None] * n, [None] * n
    if settlements is None or settlements.empty or not {"name", "lat", "lon"} <= set(settlements.columns) or not n:
        return names, pops, dists
    s = settlements.dropna(subset=["lat", "lon"])
    lon, lat = s["lon"].to_numpy(float), s["lat"].to_numpy(float)
    pop = pd.to_numeric(s["population"], errors="coerce").fillna(0).to_numpy() if "population" in s else np.zeros(len(s))
    label = s["name"].astype(str).to_numpy()
    points = shapely.points(lon, lat)
    tree = shapely.STRtree(points)
    nearest = tree.query_nearest(parts_ll, all_matches=False)[1]  # fallback: nearest in degrees
    for p, g in enumerate(parts_ll):
        c = g.centroid
        kx = 111.32 * math.cos(math.radians(c.y))
        dlat, dlon = NEAR_KM / 110.57, NEAR_KM / max(kx, 1e-6)
        w, so, e, no = g.bounds
        cand = np.flatnonzero((lon >= w - dlon) & (lon <= e + dlon) & (lat >= so - dlat) & (lat <= no + dlat))
        cand = np.union1d(cand, [nearest[p]])
        local = affinity.affine_transform(g, [kx, 0, 0, 110.57, -kx * c.x, -110.57 * c.y])
        d = shapely.distance(local, shapely.points((lon[cand] - c.x) * kx, (lat[cand] - c.y) * 110.57))
        near = d <= NEAR_KM
        if near.any() and outlines[p] is not None:
            inside = shapely.contains_xy(outlines[p], lon[cand], lat[cand])
            near &= inside if (near & inside).any() else True
        pick = cand[near][np.lexsort((d[near], -pop[cand][near]))[0]] if near.any() else cand[int(np.argmin(d))]
        names[p] = label[pick]
        pops[p] = int(pop[pick]) if pop[pick] > 0 else None
        dists[p] = round(float(d[cand == pick][0]), 1)
    return names, pops, dists


def _describe(row: pd.Series) -> str:
    where = f" near {row['settlement']}" if row["settlement"] else ""
    if row["settlement"] and row["settlement_km"] and row["settlement_km"] > NEAR_KM:
        where = f" {row['settlement_km']:.0f} km from {row['settlement']}"
    region = f", {row['region']}" if row["region"] else ""
    who = f"{row['from_actor']} → {row['to_actor']}"
    return f"{row['area_km2']:,.0f} km²{where}{region} ({who})"


def find_patches(measured: Measured, start: object, end: object, *, status: str = "controlled",
                 regions=None, settlements: pd.DataFrame | None = None,
                 scope: shapely.Geometry | None = None, population_source: str = "") -> Patches:
    """The change from ``start`` to ``end`` as patches (see the module doc).

    ``regions`` (a :class:`territory.regions.RegionLayer`) names each patch's region; ``settlements``
    (name, lat, lon, population) its settlement, with ``population_source`` (where the figures come from and
    their age) in every row; ``scope`` (equal-area) keeps only ground inside it.
    """
    d1, d2 = to_day(start), to_day(end)
    if d2 < d1:
        raise ValueError(f"the first date ({d1.date()}) is after the second ({d2.date()}): swap them")
    a = {k: g for k, g in _state(measured, d1).items() if k[1] == status}
    b = {k: g for k, g in _state(measured, d2).items() if k[1] == status}
    frm, to, geoms = _pieces({k[0]: g for k, g in a.items()}, {k[0]: g for k, g in b.items()})
    if scope is not None and len(geoms):
        geoms = threaded(lambda g: shapely.intersection(g, scope), geoms)
    parts, idx = shapely.get_parts(geoms, return_index=True) if len(geoms) else (np.array([], dtype=object), np.array([], int))
    # Polygons only: an overlay's stray lines and points (and empty leftovers of a cut) have no area.
    poly = (shapely.get_type_id(parts) == 3) & ~shapely.is_empty(parts)
    parts, idx = parts[poly], idx[poly]
    km2 = shapely.area(parts) / 1e6
    parts_ll = from_equal_area(parts) if len(parts) else parts
    lat = shapely.get_y(shapely.centroid(parts_ll)) if len(parts) else np.array([])
    wide = np.zeros(len(parts), bool)
    big = km2 >= MIN_PATCH_KM2
    if big.any():
        shrunk = shapely.buffer(_local(parts[big], lat[big]), -MIN_WIDTH_M / 2)
        wide[big] = ~shapely.is_empty(shrunk)
    frm_a, to_a = np.asarray(frm, dtype=object), np.asarray(to, dtype=object)
    sl = pd.DataFrame({"from_actor": frm_a[idx[~wide]], "to_actor": to_a[idx[~wide]], "area_km2": km2[~wide]})
    slivers = (sl.groupby(["from_actor", "to_actor"], as_index=False)
               .agg(pieces=("area_km2", "size"), area_km2=("area_km2", "sum")))
    keep = np.flatnonzero(wide)
    keep = keep[np.argsort(-km2[keep], kind="stable")]
    kept, kept_ll = parts[keep], parts_ll[keep]
    region, country, outlines = _regions(kept, regions)
    place, pop, dist = _settlements(kept_ll, settlements, outlines)
    rep = shapely.point_on_surface(kept_ll) if len(kept) else kept_ll
    bounds = shapely.bounds(kept_ll) if len(kept) else np.empty((0, 4))
    frame = pd.DataFrame({
        "patch": [f"p{i + 1}" for i in range(len(keep))],
        "date_from": d1, "date_to": d2,
        "from_actor": frm_a[idx[keep]], "to_actor": to_a[idx[keep]], "status": status,
        "area_km2": km2[keep], "region": region, "country": country,
        "settlement": place, "settlement_population": pd.array(pop, dtype="Int64"),
        "settlement_km": pd.array(dist, dtype="Float64"),
        "population_source": population_source if settlements is not None and len(settlements) else "",
        "description": "",
        "lon": shapely.get_x(rep) if len(kept) else [], "lat": shapely.get_y(rep) if len(kept) else [],
        "west": bounds[:, 0], "south": bounds[:, 1], "east": bounds[:, 2], "north": bounds[:, 3],
    }, columns=COLUMNS)
    if len(frame):
        frame["description"] = frame.apply(_describe, axis=1)
    patches = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(list(kept_ll), crs="EPSG:4326"), crs="EPSG:4326")
    return Patches(patches, slivers, d1, d2)
