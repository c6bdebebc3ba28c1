"""Build geodata/naturalearth/admin1.parquet: the bundled first-level regions (oblasts, governorates).

Reads only ``geodata/naturalearth/sources/`` (Natural Earth, public domain) and
writes the same table on every run (tests compare its content: pandas and geopandas
stamp their own version into the file):

* Syria's 14 and Iraq's 18 governorates and Ukraine's 25 oblast-level units,
  10m admin-1, as extracted in ``sources/`` (see ``SOURCES_README.md``).
* Crimea: Natural Earth's 10m admin-1 layer does not list Crimea and Sevastopol
  under Ukraine, while the Ukraine outline the project divides by (10m admin-0,
  German point of view) includes them. The missing unit is *derived*: Ukraine's
  outline minus the union of its 25 units, keeping parts over 1 km² (the rest
  are sub-km² slivers where the two layers' lines differ). So the regions tile
  the denominator's outline, and no region silently changes country.
* Syria's ``UNDOF`` zone feature is dropped (not a governorate; as in
  ``regions_syria_iraq.geojson``).

Run: ``.venv/bin/python scripts/build_admin1.py`` (then commit the parquet and README).
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Geod

ROOT = Path(__file__).resolve().parents[1]
NE = ROOT / "geodata" / "naturalearth"
SRC = NE / "sources"
OUT = NE / "admin1.parquet"
GEOD = Geod(ellps="WGS84")
MIN_PART_KM2 = 1.0

#: Natural Earth name_en -> the spelling used across the project (as build_is_history.py).
NAMES = {
    "Al-Hasakah": "Al-Hasakah", "Al-Raqqah": "Raqqa", "Al Anbar": "Anbar", "Saladin": "Salah ad-Din",
    "Babylon": "Babil", "Al Muthanna": "Muthanna", "Al-Qādisiyyah": "Al-Qadisiyyah",
}
#: Natural Earth names both the city and the oblast "Kyiv": keep them apart by ISO code.
BY_ISO = {"UA-30": "Kyiv City", "UA-32": "Kyiv Oblast"}


def geod_km2(geom: shapely.Geometry) -> float:
    area, _ = GEOD.geometry_area_perimeter(shapely.orient_polygons(geom))
    return abs(area) / 1e6


def crimea(units: gpd.GeoDataFrame, countries: gpd.GeoDataFrame) -> shapely.Geometry:
    """Ukraine's 10m outline (German point of view) minus its 25 admin-1 units."""
    ukraine = countries.loc[countries["name"] == "Ukraine", "geometry"].iloc[0]
    rest = shapely.difference(ukraine, shapely.union_all(units.geometry.values))
    parts = [p for p in shapely.get_parts(rest) if shapely.get_type_id(p) == 3 and geod_km2(p) > MIN_PART_KM2]
    return shapely.MultiPolygon(parts)


def build() -> gpd.GeoDataFrame:
    si = gpd.read_file(SRC / "ne10m_admin1_syria_iraq.geojson")
    si = si[si["iso_3166_2"] != "SY-X01~"]  # UNDOF zone: not a governorate
    ua = gpd.read_file(SRC / "ne10m_admin1_ukraine.geojson")
    countries = gpd.read_file(NE / "countries.geojson")
    rows = []
    for frame in (si, ua):
        for r in frame.itertuples():
            rows.append({"name": BY_ISO.get(r.iso_3166_2, NAMES.get(r.name_en, r.name_en)),
                         "country": r.admin, "iso_3166_2": r.iso_3166_2, "kind": r.type_en or "",
                         "scale": "10m", "derived": "", "geometry": r.geometry})
    rows.append({"name": "Crimea and Sevastopol", "country": "Ukraine", "iso_3166_2": "UA-43;UA-40",
                 "kind": "Autonomous Republic; City", "scale": "10m",
                 "derived": "Ukraine 10m outline (German point of view) minus its 25 admin-1 units",
                 "geometry": crimea(ua, countries)})
    out = gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs="EPSG:4326")
    out["geometry"] = shapely.orient_polygons(np.asarray(out.geometry.values, dtype=object))
    out["geodesic_km2"] = [round(geod_km2(g), 1) for g in out.geometry.values]
    return out.sort_values(["country", "name"], kind="stable").reset_index(drop=True)


def main() -> int:
    layer = build()
    layer.to_parquet(OUT, index=False, compression="zstd", write_covering_bbox=False)
    by_country = layer.groupby("country").size()
    print(f"wrote {OUT}: {len(layer)} regions "
          f"({', '.join(f'{c} {n}' for c, n in by_country.items())}), {OUT.stat().st_size / 1024:.0f} kB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
