"""The Compare page's "where the front moved" list: the patches between two dates, and a zoom to one.

The figures are :func:`territory.patches.find_patches`' (``territory change --table patches``); this
module only caches them per (dataset, dates) and turns a patch's bounds into the centre and zoom the
folium maps are moved to (st_folium changes centre and zoom in place, without reloading the map).
"""

from __future__ import annotations

import math

import folium
import pandas as pd
import streamlit as st

from territory.analysis import Analysis
from territory.geos import SHARED_GEOMETRY
from territory.patches import NEAR_KM, Patches, find_patches, population_source
from territory.ui.maps import key
from territory.ui.mapview import inert_geojson

WHOLE = "(whole map)"
#: Zoom limits: a 1 km² patch would otherwise zoom to street level, a country-sized one out to the globe.
MIN_ZOOM, MAX_ZOOM = 4, 13


@st.cache_data(show_spinner="Finding where the front moved…", hash_funcs={Analysis: key}, max_entries=64)
def patches(an: Analysis, start: str, end: str) -> Patches:
    """Patches of controlled ground between ``start`` and ``end``, with regions and settlements."""
    with SHARED_GEOMETRY:  # the region layer's prepared outlines may be shared between sessions
        return find_patches(an.measured, start, end, regions=an.region_layer(), settlements=an.dataset.settlements,
                            population_source=population_source(an.dataset))


def fit(west: float, south: float, east: float, north: float, width_px: int = 600,
        height_px: int = 560) -> tuple[tuple[float, float], int]:
    """(lat, lon) centre and the largest Web-Mercator zoom at which the box fits a map of this size."""
    def merc(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(max(min(lat, 85.0), -85.0)) / 2))

    span_x = max(east - west, 1e-6) / 360
    span_y = max(merc(north) - merc(south), 1e-6) / (2 * math.pi)
    zoom = math.floor(min(math.log2(width_px / 256 / span_x), math.log2(height_px / 256 / span_y)) - 0.3)
    return ((south + north) / 2, (west + east) / 2), max(MIN_ZOOM, min(MAX_ZOOM, zoom))


def options(table: pd.DataFrame) -> list[str]:
    """The choices: the whole map, then each patch as 'p1 · 42 km² near Pokrovsk, Donetsk (A → B)'."""
    return [WHOLE, *(f"{p} · {d}" for p, d in zip(table["patch"], table["description"], strict=True))]


def chosen(table: pd.DataFrame, choice: str | None) -> pd.Series | None:
    """The row of the patch ``choice`` names (None for the whole map or a patch no longer listed)."""
    if not choice or choice == WHOLE:
        return None
    rows = table[table["patch"] == choice.split(" · ", 1)[0]]
    return rows.iloc[0] if len(rows) else None


def outline(row: pd.Series, geometry) -> folium.GeoJson:
    """The chosen patch drawn as a thick outline over the change layer."""
    data = inert_geojson({"type": "FeatureCollection", "features": [{
        "type": "Feature", "geometry": geometry.__geo_interface__,
        "properties": {"patch": row["description"]}}]})
    return folium.GeoJson(data, name="patch", tooltip=folium.GeoJsonTooltip(["patch"], labels=False),
                          style_function=lambda _f: {"color": "#ffb000", "weight": 4, "fillOpacity": 0.0})


def caption(found: Patches, source: str) -> str:
    """What was left out and how patches are named (``source``: the settlements' population source, "" for
    none), and the command that prints the same list."""
    note = found.sliver_note()
    named = (f"each patch is named after the most populous settlement within {NEAR_KM:g} km of it in its region "
             f"({source})" if source else "this dataset lists no settlements to name patches after")
    d1, d2 = found.date_from.date().isoformat(), found.date_to.date().isoformat()
    return (f"{note[0].upper()}{note[1:]}; {named}. Same list: `territory change --from {d1} --to {d2} "
            "--table patches` (`--format geojson` for the outlines).")
