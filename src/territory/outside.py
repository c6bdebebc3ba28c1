"""Where the part of an actor's area outside the region's outline lies: at sea, or in which neighbour.

Shares and the map page's headline count only the area inside the region's
outline (its land). What is left over is said out loud, measured, never typed:
"5,885 km² lies outside Ukraine: 5,100 km² at sea, 785 km² in Russia".
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from territory.area import to_equal_area

#: Leftovers smaller than this (km²) are edge noise between two generalised outlines, not a finding.
MIN_OUTSIDE_KM2 = 1.0
SEA = "at sea or outside every country outline"


class Places:
    """Country outlines in equal-area metres, to name where an outside part lies."""

    def __init__(self, countries: gpd.GeoDataFrame | None) -> None:
        if countries is None or countries.empty:
            self.names, self.geoms = [], np.array([], dtype=object)
            return
        col = next((c for c in ("name", "NAME", "name_en") if c in countries.columns), None)
        self.names = countries[col].astype(str).tolist() if col else [""] * len(countries)
        self._lonlat = np.asarray(countries.to_crs(4326).geometry.values, dtype=object)
        self.geoms = np.full(len(self._lonlat), None, dtype=object)  # projected on first use

    def _projected(self, idx: np.ndarray) -> np.ndarray:
        todo = [i for i in idx if self.geoms[i] is None]
        if todo:
            geoms = to_equal_area(self._lonlat[todo])
            bad = ~shapely.is_valid(geoms)
            if bad.any():
                geoms[bad] = shapely.make_valid(geoms[bad], method="structure", keep_collapsed=False)
            self.geoms[todo] = geoms
        return self.geoms[idx]

    def split(self, outside_equal_area: shapely.Geometry, region: str) -> list[tuple[str, float]]:
        """(place, km²) of an outside part, largest first: each neighbour it lies in, then the sea."""
        total = float(shapely.area(outside_equal_area)) / 1e6
        if total < MIN_OUTSIDE_KM2:
            return []
        out: list[tuple[str, float]] = []
        if self.names:
            lon_box = shapely.box(*to_lonlat_bounds(outside_equal_area))
            near = np.flatnonzero(shapely.intersects(self._lonlat, lon_box))
            near = [i for i in near if self.names[i] not in region.split("+")]
            if near:
                geoms = self._projected(np.asarray(near))
                box = shapely.box(*shapely.bounds(outside_equal_area))
                km2 = shapely.area(shapely.intersection(shapely.intersection(geoms, box), outside_equal_area)) / 1e6
                out = [(self.names[i], float(a)) for i, a in zip(near, km2, strict=True) if a >= MIN_OUTSIDE_KM2]
        rest = total - sum(a for _, a in out)
        if rest >= MIN_OUTSIDE_KM2:
            out.append((SEA, rest))
        return sorted(out, key=lambda p: -p[1])


def to_lonlat_bounds(geom_equal_area: shapely.Geometry) -> tuple[float, float, float, float]:
    from territory.area import from_equal_area

    box = from_equal_area([shapely.box(*shapely.bounds(geom_equal_area))])[0]
    return tuple(shapely.bounds(box))


def describe(outside_km2: float, places: list[tuple[str, float]], region: str) -> str:
    """'5,885 km² lies outside Ukraine's outline: 5,100 km² at sea…, 785 km² in Russia'."""
    text = f"{outside_km2:,.0f} km² lies outside {region}'s outline"
    if places:
        parts = [f"{km2:,.0f} km² {name}" if name == SEA else f"{km2:,.0f} km² in {name}" for name, km2 in places]
        text += ": " + ", ".join(parts)
    return text
