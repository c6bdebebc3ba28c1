"""Which border convention a map follows, said in its source line.

A share divides by one outline ("Ukraine", Natural Earth 10m, German point of
view: Crimea inside). The map drawn under it must not silently draw another
line, and its source line must say which one it draws. Where the outline holds
land that Natural Earth's default (de-facto) 50m layer gives to another
country, that land is measured and named here: "Ukraine includes Crimea and
Sevastopol (27,388 km²), which Natural Earth's default 50m layer shows in
Russia". Generalisation slivers between the two scales are not a convention
and are ignored (see :data:`MIN_SHARE`).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
import shapely

from territory.area import area_km2
from territory.baselines import Denominator

#: A piece of land counts as held under another convention when one connected part of it is at least
#: this share of the outline (Crimea is 4.5% of Ukraine; 10m-vs-50m slivers stay under 0.2%).
MIN_SHARE = 0.005


@dataclass(frozen=True)
class Difference:
    """Land inside the denominator's outline that the default layer puts in ``other``."""

    region: str
    other: str
    km2: float
    name: str | None  # the admin-1 unit that holds most of it, when known


@lru_cache(maxsize=1)
def default_world() -> gpd.GeoDataFrame | None:
    """Natural Earth's default 50m countries (the de-facto lines), read once per process."""
    from territory.datasets import _read_geo, world_countries_path

    return _read_geo(world_countries_path())


def differences(den: Denominator | None, world: gpd.GeoDataFrame | None = None) -> list[Difference]:
    """Land of ``den``'s outline that the default layer shows in another country, largest first."""
    world = default_world() if world is None else world
    if den is None or den.geometry is None or world is None or world.empty:
        return []
    parts = [p.strip() for p in den.region.split("+")]
    outline = den.geometry
    total = float(area_km2([outline])[0])
    others = world[~world["name"].isin(parts)]
    others = others[others.intersects(outline)]
    out = []
    for name, geom in zip(others["name"], others.geometry.values, strict=True):
        pieces = shapely.get_parts(shapely.intersection(outline, geom))
        pieces = pieces[np.isin(shapely.get_type_id(pieces), (3, 6))]
        if not len(pieces):
            continue
        km2 = area_km2(pieces)
        big = pieces[km2 >= MIN_SHARE * total]
        if len(big):
            out.append(Difference(den.region, str(name), float(km2[km2 >= MIN_SHARE * total].sum()),
                                  _unit_name(shapely.union_all(big), parts)))
    return sorted(out, key=lambda d: -d.km2)


def _unit_name(piece: shapely.Geometry, countries: list[str]) -> str | None:
    from territory.regions import bundled_admin1

    layer = bundled_admin1(countries)
    if layer is None:
        return None
    overlap = area_km2(shapely.intersection(layer.geometry, piece))
    i = int(np.argmax(overlap))
    return layer.names[i] if overlap[i] > 0.5 * float(area_km2([piece])[0]) else None


def note(den: Denominator | None, world: gpd.GeoDataFrame | None = None) -> str:
    """The source line's border sentence for a map whose shares divide by ``den``."""
    if den is None or den.geometry is None:
        return "Borders: Natural Earth (de-facto lines)"
    diffs = differences(den, world)
    if not diffs:
        return f"Borders: Natural Earth ({den.region} as the outline its shares divide by)"
    said = "; ".join(f"{d.region} includes {d.name or 'land'} ({d.km2:,.0f} km²), shown in {d.other} on "
                     "Natural Earth's default (de-facto) layer" for d in diffs)
    return f"Borders: Natural Earth, drawn as the outline the shares divide by: {said}"


_NOTES: dict[int, tuple[weakref.ref, str]] = {}


def note_for(analysis: object, index: int = 0) -> str:
    """:func:`note` for the analysis's ``index``-th denominator, memoised per live Analysis
    (exports ask on every frame; the dashboard on every rerun)."""
    from territory.keynumbers import denominator

    key = hash((id(analysis), index))
    hit = _NOTES.get(key)
    if hit is not None and hit[0]() is analysis:
        return hit[1]
    text = note(denominator(analysis, index))
    _NOTES[key] = (weakref.ref(analysis), text)
    return text
