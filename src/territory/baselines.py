"""Denominators and reference areas: what a percentage is a percentage *of*.

Every share this project prints names its denominator, because the same
country is quoted with several areas (Syria: 185,939 km² as Natural Earth
outlines it, 185,180 or 187,437 km² official). Outline areas are measured
from the bundled geometry, never typed in; official figures come from the
reference-areas table with their source.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from territory.area import area_km2


@dataclass(frozen=True)
class Denominator:
    """A named area to divide by, and where its number comes from."""

    region: str
    km2: float
    source: str
    geometry: shapely.Geometry | None = None

    @property
    def label(self) -> str:
        return f"{self.region} ({self.source}, {self.km2:,.0f} km²)"


#: Columns that name a country or region, in the order they are looked for (case-insensitive):
#: Natural Earth's, geoBoundaries', HDX/OCHA's and the plain words a user's layer uses.
NAME_COLUMNS = ("name", "name_en", "name_1", "adm1_en", "adm2_en", "adm3_en", "shapename", "region",
                "oblast", "governorate", "district", "province", "admin1name_en", "admin2name_en", "nl_name_1", "admin")


def name_column(frame: pd.DataFrame) -> str | None:
    """The column that names each feature of a boundary layer, or None."""
    folded = {str(c).casefold(): c for c in frame.columns}
    return next((folded[c] for c in NAME_COLUMNS if c in folded), None)


def _name_col(frame: pd.DataFrame) -> str:
    col = name_column(frame)
    if col is None:
        raise ValueError(f"layer has no column naming its features (one of {', '.join(NAME_COLUMNS)})")
    return col


def outline_denominators(layer: gpd.GeoDataFrame | None, kind: str = "Natural Earth outline") -> list[Denominator]:
    """One denominator per feature, its area measured from the geometry."""
    if layer is None or layer.empty:
        return []
    col = _name_col(layer)
    geoms = layer.to_crs(4326).geometry
    km2 = area_km2(geoms)
    return [Denominator(str(n), float(a), f"{kind}, measured", g) for n, a, g in zip(layer[col], km2, geoms, strict=True)]


def official_denominators(reference_areas: pd.DataFrame | None, names: list[str]) -> list[Denominator]:
    """Official figures from the reference table whose name starts with one of ``names``."""
    if reference_areas is None or reference_areas.empty:
        return []
    out = []
    for _, row in reference_areas.iterrows():
        name = str(row["name"])
        kind = str(row.get("kind", "") or "")
        if "measured" in str(row.get("source", "")).lower() or "natural earth" in name.lower():
            continue  # measured outlines come from the geometry itself
        for target in names:
            if name == target or name.startswith(f"{target} ("):
                qualifier = name[len(target):].strip(" ()")
                source = qualifier if qualifier.startswith("official") else f"official: {row.get('source', '') or kind}"
                out.append(Denominator(target, float(row["km2"]), source))
    return out


def region_denominators(countries: gpd.GeoDataFrame | None, reference_areas: pd.DataFrame | None,
                        region: str | None) -> list[Denominator]:
    """Selectable denominators for ``region`` ("Iraq+Syria", "Syria", ...).

    For a combined region the outline is the union of its countries (measured)
    and the official figure the sum of the countries' official figures from
    one source family where every part has one.
    """
    if not region:
        return []
    parts = [p.strip() for p in region.split("+") if p.strip()]
    if countries is not None and not countries.empty:  # measure only the countries named, not the world
        countries = countries[countries[_name_col(countries)].astype(str).isin(parts)]
    outlines = {d.region: d for d in outline_denominators(countries)}
    out: list[Denominator] = []
    geom = None
    if all(p in outlines for p in parts):
        geom = shapely.union_all([outlines[p].geometry for p in parts])
        km2 = float(area_km2([geom])[0])
        out.append(Denominator(region, km2, "Natural Earth outline, measured", geom))
    # Official figures divide the area inside the same outline (the numerator is always clipped to it).
    officials = official_denominators(reference_areas, parts)
    if len(parts) == 1:
        out += [Denominator(d.region, d.km2, d.source, geom) for d in officials]
    else:
        by_part: dict[str, list[Denominator]] = {}
        for d in officials:
            by_part.setdefault(d.region, []).append(d)
        if all(p in by_part for p in parts):
            firsts = [by_part[p][0] for p in parts]
            out.append(Denominator(region, float(sum(d.km2 for d in firsts)),
                                   "official, sum of " + " + ".join(f"{d.region} {d.km2:,.0f}" for d in firsts), geom))
    return out


def equivalent(km2: float, reference_areas: pd.DataFrame | None) -> str | None:
    """'about the size of Belgium (30,689 km²)', from the reference table."""
    if reference_areas is None or reference_areas.empty or not km2 or km2 <= 0:
        return None
    ref = reference_areas[~reference_areas["name"].astype(str).str.contains("Natural Earth")]
    km = ref["km2"].astype(float).to_numpy()
    ratio = np.log(km / km2)
    i = int(np.argmin(np.abs(ratio)))
    factor = km2 / km[i]
    name = str(ref["name"].iloc[i])
    if abs(np.log(factor)) < np.log(1.15):
        return f"about the size of {name} ({km[i]:,.0f} km²)"
    if factor > 1:
        return f"about {factor:.1f}× the size of {name} ({km[i]:,.0f} km²)"
    return f"about {factor:.0%} of the size of {name} ({km[i]:,.0f} km²)"
