"""The map page's map, rendered once per process and shared by every session.

``st_folium`` renders the whole folium tree through Jinja on every call: the
constant base map (basemap GeoJSON included) and the date's feature group,
~40 ms of a ~60 ms date step on the bundled history, and per session, so 20
people stepping dates queue behind each other on the server's one GIL. Here:

* the base map's script, header and html are rendered once per
  (dataset, tiles) (:func:`base_frame`);
* a date's layer script once per (dataset, date, actors, statuses)
  (:func:`layer_script`), shared by every session that looks at that date;

so a step is two cache lookups and the component call. Both caches are
``st.cache_resource``: one object per process, no copy per hit, and Streamlit
holds a per-key lock while a value is computed, so 20 sessions opening at
once wait for one computation instead of each doing it.

The component's arguments are built as streamlit-folium's own ``st_folium``
builds them (its module-level helpers; a unit test compares the two), so the
frontend cannot tell the difference: same iframe key, same layer swap, zoom
kept across steps (FIELD-NOTES §4). If a streamlit-folium release drops those
helpers, :func:`show_map` falls back to plain ``st_folium``.

``TERRITORY_SHARED_CACHE=0`` turns the shared per-date caches off (every run
renders everything itself): the naive baseline of ``bench/bench_sessions.py``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import folium
import folium.elements
import streamlit as st

from territory.analysis import Analysis
from territory.ui.maps import base_map, key
from territory.ui.mapview import date_layer
from territory.ui.warmup import DRAWN_FLAG

try:  # streamlit-folium's own rendering steps (0.22 - 0.27)
    from streamlit_folium import (
        _component_func,
        _get_feature_group_string,
        _get_header,
        _get_html,
        _get_map_string,
        generate_js_hash,
        get_full_id,
    )
except ImportError:  # pragma: no cover - a release without them: plain st_folium
    _component_func = None

#: Max cached date layers per process (each is the date's display GeoJSON as JS, ~20 kB on the
#: bundled history, a few hundred kB on a dense daily archive).
LAYER_ENTRIES = 512


def shared_caches_on() -> bool:
    """False when ``TERRITORY_SHARED_CACHE=0`` (benchmark baseline / debugging)."""
    return os.environ.get("TERRITORY_SHARED_CACHE", "1").strip() != "0"


@dataclass(frozen=True)
class BaseFrame:
    """A rendered base map: what st_folium sends for it, minus the date's layer."""

    script: str
    header: str
    html: str
    map_id: str
    css_links: tuple[str, ...]
    js_links: tuple[str, ...]
    bounds: Any
    zoom: Any


def render_base(m: folium.Map) -> BaseFrame:
    """Render ``m`` the way ``st_folium(m, render=False)`` does (without a feature group)."""
    m.render()
    html = _get_html(m)
    header = _get_header(m)
    script = _get_map_string(m)
    css: list[str] = []
    js: list[str] = []
    for el in _walk(m):
        if not isinstance(el, folium.elements.JSCSSMixin):
            continue
        css.extend(href for _, href in getattr(el, "default_css", []))
        js.extend(src for _, src in getattr(el, "default_js", []))
    try:
        bounds = m.get_bounds()
    except AttributeError:  # pragma: no cover - as st_folium
        bounds = [[None, None], [None, None]]
    return BaseFrame(script, header, html, get_full_id(m), tuple(dict.fromkeys(css)), tuple(dict.fromkeys(js)),
                     bounds, m.options.get("zoom") if hasattr(m, "options") else {})


def _walk(el: Any):
    yield el
    for child in getattr(el, "_children", {}).values():
        yield from _walk(child)


def render_layer(fg: folium.FeatureGroup, map_id: str) -> str:
    """The feature group's script as st_folium sends it (``feature_group=``) for a map named ``map_id``."""
    host = folium.Map(tiles=None)
    name, _, ident = map_id.partition("_")
    host._name, host._id = name, ident
    return _get_feature_group_string(fg, map=host, idx=0)


@st.cache_resource(show_spinner=False, hash_funcs={Analysis: key}, max_entries=16)
def base_frame(an: Analysis, online: bool) -> BaseFrame:
    """The dataset's base map, rendered once per process (per tiles choice)."""
    return render_base(base_map(an, online=online, keep_view=True, report_drawn=True))


@st.cache_resource(show_spinner=False, hash_funcs={Analysis: key}, max_entries=LAYER_ENTRIES)
def layer_script(an: Analysis, day: str, actors: tuple[str, ...], statuses: tuple[str, ...], map_id: str) -> str:
    """One date's territory layer as st_folium's feature-group script, shared by every session."""
    return render_layer(date_layer(an, day, list(actors), list(statuses)), map_id)


def map_drawn(map_key: str = "map") -> bool:
    """Has this session's map been on screen yet? (Then the page may draw what sits below it.)

    A first visit renders the whole page at once, and the chart under the map
    costs the browser more than the map itself (~1.2 s of a ~4 s first load on
    one core, bench/bench_sessions.py); drawing it after the map has painted
    gets the map on screen first. The map (``report_drawn``) sends one value
    when its first territory path is painted (or 1.5 s after it was created,
    for a date with no territory); that value reruns the page's fragment. Once
    seen, it holds for the session, for that map (the map page's report says nothing
    of the Regions page's map). True where no report can come (the naive
    baseline's plain ``st_folium``).
    """
    seen = f"_map_drawn:{map_key}"
    if _component_func is None or not shared_caches_on() or st.session_state.get(seen):
        return True
    value = st.session_state.get(map_key)
    if isinstance(value, dict) and value.get(DRAWN_FLAG):
        st.session_state[seen] = True
        return True
    return False


def _bounds_dict(bounds: Any) -> dict:
    (s, w), (n, e) = bounds
    return {"_southWest": {"lat": s, "lng": w}, "_northEast": {"lat": n, "lng": e}}


def show_map(an: Analysis, day: str, actors: list[str], statuses: list[str], *, online: bool = False,
             height: int = 560, width: str | int = "stretch", map_key: str = "map",
             returned_objects: list[str] | None = None) -> Any:
    """The dashboard map for ``day``: constant base map plus the date's layer (as ``st_folium``)."""
    returned = [] if returned_objects is None else returned_objects
    if _component_func is None or not shared_caches_on():
        from streamlit_folium import st_folium

        return st_folium(base_map(an, online=online, keep_view=True), feature_group_to_add=date_layer(an, day, actors, statuses),
                         returned_objects=returned, render=False, width=width, height=height, key=map_key)
    base = base_frame(an, online)
    fg = layer_script(an, day, tuple(actors), tuple(statuses), base.map_id)
    defaults = {k: v for k, v in _defaults(base).items() if k in returned}
    hash_key = _hash_key(base.script, map_key)

    def _on_change() -> None:
        st.session_state[map_key] = st.session_state.get(hash_key, {})

    return _component_func(
        script=base.script, header=base.header, html=base.html, id=base.map_id, key=hash_key,
        height=height, width=width, returned_objects=returned, default=defaults, zoom=None, center=None,
        feature_group=fg, return_on_hover=False, layer_control=None, pixelated=False,
        css_links=list(base.css_links), js_links=list(base.js_links), on_change=_on_change, wrap_longitude=False,
    )


@lru_cache(maxsize=64)
def _hash_key(script: str, map_key: str) -> str:
    """st_folium's iframe key (a regex pass and SHA-256 over the whole script: once, not every step)."""
    return generate_js_hash(script, map_key, False)


def _defaults(base: BaseFrame) -> dict[str, Any]:
    return {
        "last_clicked": None, "last_object_clicked": None, "last_object_clicked_count": None,
        "last_object_clicked_tooltip": None, "last_object_clicked_popup": None, "all_drawings": None,
        "last_active_drawing": None, "bounds": _bounds_dict(base.bounds), "zoom": base.zoom,
        "last_circle_radius": None, "last_circle_polygon": None, "selected_layers": None,
        "selected_tags": None, "last_geocoder_result": None,
    }

