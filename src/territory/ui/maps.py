"""Per-dataset map pieces for the shell: the clipped basemap and the constant base map."""

from __future__ import annotations

import folium
import geopandas as gpd
import shapely
import streamlit as st

from territory.analysis import Analysis
from territory.places import Place, major_places
from territory.ui.mapview import inert_geojson
from territory.ui.offline import make_base_map


def key(an: Analysis) -> str:
    """Cache key of an analysis for the shell's caches: its content hash (id() if it has none)."""
    return an.cache_key or str(id(an))


def bounds(an: Analysis) -> list[list[float]]:
    """[[south, west], [north, east]] of the history, padded 5%."""
    x0, y0, x1, y1 = an.dataset.history.total_bounds
    px, py = (x1 - x0) * 0.05 + 0.1, (y1 - y0) * 0.05 + 0.1
    return [[float(y0 - py), float(x0 - px)], [float(y1 + py), float(x1 + px)]]


@st.cache_resource(show_spinner=False, hash_funcs={Analysis: key})
def basemap_geojson(an: Analysis) -> dict | None:
    """Country outlines around the data, clipped and simplified for the browser."""
    layer = an.dataset.basemap if an.dataset.basemap is not None else an.dataset.countries
    if layer is None or layer.empty:
        return None
    (s, w), (n, e) = bounds(an)
    # Wide enough that a page's map does not show the clip edge as a straight line: a wide
    # map (Regions, ~2.6:1) fitted to a square extent at 50°N sees ~1 extent beyond each side.
    pad = max(n - s, e - w) * 1.25 + 1.0
    box = shapely.box(max(w - pad, -180), max(s - pad, -90), min(e + pad, 180), min(n + pad, 90))
    clipped = layer.to_crs(4326).clip(box)
    clipped = clipped[~clipped.geometry.is_empty]
    tol = max(n - s, e - w) / 1000  # ~1 px at the fitted view
    geoms = shapely.set_precision(shapely.simplify(clipped.geometry.values, tol, preserve_topology=True), 1e-3)
    name_col = next((c for c in ("name", "NAME", "name_en") if c in clipped.columns), None)
    out = gpd.GeoDataFrame({"name": clipped[name_col].astype(str) if name_col else ""}, geometry=geoms, crs=4326)
    return inert_geojson(out.__geo_interface__)  # names from a user's layer never reach a template


@st.cache_resource(show_spinner=False, hash_funcs={Analysis: key})
def places(an: Analysis) -> list[Place]:
    """Major cities to label (from the dataset's settlement table), around the data."""
    (s, w), (n, e) = bounds(an)
    return major_places(an.dataset.settlements, (w, s, e, n))


def view_key(an: Analysis) -> str:
    """Key under which the map page's folium map and the time player share centre and zoom."""
    return "map:" + key(an)[:16]


OSM_TILES = "OpenStreetMap"
OSM_ATTRIBUTION = "© OpenStreetMap contributors"


def base_map(an: Analysis, online: bool | None = None, *, keep_view: bool = False, sync_group: str | None = None,
             swipe: bool = False, report_drawn: bool = False, city_labels: bool = True) -> folium.Map:
    """The constant base map: identical bytes on every rerun for the same dataset.

    Offline by default; the sidebar's opt-in (``online``, default: the session's
    ``online_tiles`` toggle) adds OpenStreetMap tiles (a network request).
    City labels come from the dataset's settlements. ``keep_view`` shares the
    view with the time player (map page); ``sync_group`` links maps that move
    together (Compare); ``swipe`` adds the swipe divider; ``report_drawn`` has
    the map report its first paint (the map page's chart waits for it). ``city_labels=False``
    leaves the labels to the caller's own layer (the Regions page names its regions: a city's
    label drawn first would hide the region's where they meet).
    """
    if online is None:
        online = bool(st.session_state.get("online_tiles"))
    return make_base_map(bounds(an), basemap_geojson(an), tiles=OSM_TILES if online else None,
                         tiles_attribution=OSM_ATTRIBUTION if online else None, places=places(an) if city_labels else [],
                         view_key=view_key(an) if keep_view else None, sync_group=sync_group, swipe=swipe,
                         report_drawn=report_drawn)
