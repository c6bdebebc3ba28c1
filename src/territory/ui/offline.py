"""Offline folium maps for Streamlit: vendored assets and a stable base map.

Findings (streamlit-folium 0.27.4, folium 0.20, Streamlit 1.67):

* The st_folium frontend bundle (``streamlit_folium/frontend/build``) contains
  no CDN URL itself. At run time it loads, one after another, every URL in
  the ``js_links``/``css_links`` args, which the Python side collects from
  ``default_js``/``default_css`` of every ``JSCSSMixin`` element in the map
  tree (the Map, plugins, branca colormaps add d3 from two CDNs). A failing
  script rejects the loading promise and the map is never created: that is
  why the map is blank offline. CSS failures only cost a failed request.
* folium's defaults are Leaflet, jQuery, Bootstrap JS, awesome-markers JS and
  six stylesheets from four CDNs. For polygons (``GeoJson``), ``Tooltip``,
  ``GeoJsonTooltip``, ``GeoJsonPopup`` and ``LayerControl`` only Leaflet is
  needed. jQuery is used by ``folium.Popup`` (``$(html)[0]``), by
  ``objects_to_stay_in_front`` (``$(document).ready``) and by ``GeoJson``
  with ``embed=False`` (``$.ajax``); Bootstrap and awesome-markers only by
  ``folium.Icon``/``Marker`` styling. We ship ``folium-shim.js`` (ours, 1 kB)
  for the first two uses instead of 90 kB of jQuery; ``embed=False`` and
  awesome-markers are not supported offline.
* Header ``<script src>`` and ``<link rel=stylesheet>`` tags are stripped by
  st_folium and the rest of the header is inserted with ``innerHTML``, so
  inline ``<script>`` in the header never runs (``<style>`` does).
* Assets are served from the one vendored copy inside the package,
  ``territory/assets/player/``, through the player component's route
  (``/component/<name>/...``, see :mod:`territory.ui.player_component`).
  Streamlit's static folder (``static/`` next to the main script) would need
  a second copy, as its handler refuses symlinks out of it, and the main script
  differs between ``streamlit run app.py`` and an installed ``territory serve``.
  The URL is relative to st_folium's own component iframe
  (``/component/streamlit_folium.st_folium/index.html``), so it also works
  under ``server.baseUrlPath`` behind a reverse proxy.
* st_folium keys the iframe on a hash of the generated script with
  ``_<suffix>`` names stripped; folium names elements with random uuids, so
  :func:`make_base_map` renames every element deterministically: the same
  inputs give byte-identical HTML and the iframe stays mounted (FIELD-NOTES §4).
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import branca
import folium
import folium.elements
from branca.element import Element
from folium.features import DivIcon

from territory.style import BORDER, LAND, SEA  # one colour table for every map
from territory.ui.player_component import COMPONENT_NAME

#: Where the vendored Leaflet and shim are served, relative to another component's iframe.
ASSET_URL = f"../{COMPONENT_NAME}"


def offline_map_assets(
    base_url: str = ASSET_URL,
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """``(default_js, default_css)`` for folium pointing at vendored files only."""
    base = base_url.rstrip("/")
    js = [
        ("leaflet", f"{base}/leaflet/leaflet.js"),
        ("territory_labels", f"{base}/labels.js"),  # before the shim, which uses it
        ("territory_folium_shim", f"{base}/folium-shim.js"),
    ]
    css = [("leaflet_css", f"{base}/leaflet/leaflet.css")]
    return js, css


def configure_folium_offline(base_url: str = ASSET_URL) -> None:
    """Point every ``folium.Map`` at the vendored assets (class-wide, idempotent).

    :func:`make_base_map` already sets its own map's assets; call this when
    other code builds folium maps too.
    """
    js, css = offline_map_assets(base_url)
    folium.Map.default_js = js
    folium.Map.default_css = css


def _walk(el: Any) -> Iterator[Any]:
    yield el
    for child in list(getattr(el, "_children", {}).values()):
        yield from _walk(child)


def asset_urls(m: folium.Map) -> list[str]:
    """JS/CSS URLs st_folium would load for ``m`` (same walk as st_folium)."""
    urls: list[str] = []
    for el in _walk(m):
        if isinstance(el, branca.colormap.ColorMap):
            urls += ["https://d3js.org/d3.v4.min.js", "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js"]
        if isinstance(el, folium.elements.JSCSSMixin):
            urls += [u for _, u in getattr(el, "default_js", [])]
            urls += [u for _, u in getattr(el, "default_css", [])]
    return list(dict.fromkeys(urls))


def external_urls(m: folium.Map) -> list[str]:
    """Asset URLs of ``m`` that would leave the app's own origin."""
    return [u for u in asset_urls(m) if u.startswith(("http:", "https:", "//"))]


def make_deterministic(m: folium.Map, prefix: str = "t") -> folium.Map:
    """Replace folium's random element ids by ``<prefix><n>`` in tree order.

    Also renames the root Figure and rebuilds the children dicts (keyed by
    element name) so rendering order and names are stable.
    """
    root = m.get_root()
    for n, el in enumerate(_walk(root)):
        el._id = f"{prefix}{n}"
    for el in _walk(root):
        kids = getattr(el, "_children", None)
        if kids:
            el._children = {child.get_name(): child for child in kids.values()}
    return m


def inert_text(value: object) -> str:
    """Data text made inert for a folium page: HTML-escaped, and braces as character references.

    folium/branca compile each element's rendered script (which embeds the
    GeoJSON and its properties) as a Jinja template, so ``{#``, ``{{`` or
    ``{%`` in a name would be a template syntax error or, worse, be
    evaluated. As ``&#123;``/``&#125;`` they reach no template, and the
    tooltip/popup (which insert values as HTML) show the braces literally.
    """
    return html.escape(str(value)).replace("{", "&#123;").replace("}", "&#125;")


#: City labels: readable over any fill (white halo), never catching the mouse.
PLACE_CSS = (".territory-place{background:none;border:none;pointer-events:none}"
             ".territory-place-name{display:inline-block;transform:translate(-50%,-50%);white-space:nowrap;"
             "font:600 11px/1 system-ui,sans-serif;color:#1f2328;"
             "text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff,0 0 4px #fff}"
             ".territory-place-major .territory-place-name{font-size:13px;font-weight:700}")

SWIPE_CSS = (".territory-swipe{position:absolute;inset:0;pointer-events:none;z-index:800}"
             ".territory-swipe-line{position:absolute;top:0;bottom:0;width:3px;margin-left:-1px;background:#fff;"
             "box-shadow:0 0 3px rgba(0,0,0,.7)}"
             ".territory-swipe-range{position:absolute;left:0;right:0;bottom:30px;width:100%;margin:0;"
             "pointer-events:auto;cursor:ew-resize}")


def _style(_feature: Mapping[str, Any]) -> dict[str, Any]:
    return {"color": BORDER, "weight": 0.8, "fillColor": LAND, "fillOpacity": 1.0}


def make_base_map(
    bounds: Sequence[Sequence[float]],
    basemap_geojson: Mapping[str, Any] | None = None,
    *,
    tiles: str | None = None,
    tiles_attribution: str | None = None,
    attribution: str = "Made with Natural Earth",
    base_url: str = ASSET_URL,
    places: Sequence[Any] = (),
    view_key: str | None = None,
    sync_group: str | None = None,
    swipe: bool = False,
    report_drawn: bool = False,
) -> folium.Map:
    """The constant map under the territory layers: no network unless ``tiles``.

    ``bounds`` is ``[[south, west], [north, east]]``; ``basemap_geojson`` a
    GeoJSON FeatureCollection (grey land, country borders) or None. Identical
    inputs give byte-identical output, so st_folium keeps its iframe. Passing
    ``tiles`` (a folium tiles name or URL template, opt-in) adds an online tile
    layer under the basemap's borders.

    st_folium adds ``feature_group_to_add`` to the map it is given, so build a
    fresh base map each run (cache the GeoJSON, not the Map).

    ``places`` (:class:`territory.places.Place`) become a label layer of city
    names. ``view_key`` keeps the user's centre and zoom in sessionStorage
    (the time player reads the same key, so Play/Pause keep the view);
    ``sync_group`` makes every map of that group pan and zoom together, and
    ``swipe`` adds a divider with the ``swipe`` pane left of it and the
    ``swipe-right`` pane right of it
    (both in ``folium-shim.js``, read from the map's options). ``report_drawn``
    makes the map tell Streamlit once it has painted its first territory path
    (the map page draws its chart after that: :func:`territory.ui.mapframe.map_drawn`).
    """
    (s, w), (n, e) = bounds
    extra = {k: v for k, v in (("territoryViewKey", view_key), ("territorySync", sync_group),
                               ("territorySwipe", "swipe" if swipe else None),
                               ("territoryReportDrawn", True if report_drawn else None)) if v}
    m = folium.Map(
        location=[(s + n) / 2, (w + e) / 2],
        zoom_start=5,
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
        zoom_snap=0.25,
        **extra,
    )
    js, css = offline_map_assets(base_url)
    m.default_js = js
    m.default_css = css
    m.get_root().header.add_child(
        Element(f"<style>.leaflet-container{{background:{SEA}}}</style>"), name="territory_sea"
    )
    if tiles:
        folium.TileLayer(tiles, attr=tiles_attribution, name="Tiles", control=False).add_to(m)
    if basemap_geojson:
        folium.GeoJson(
            json.loads(json.dumps(basemap_geojson, sort_keys=True)),
            name="Basemap",
            style_function=_style,
            interactive=False,
            control=False,
            smooth_factor=1.0,
            attribution=attribution,
        ).add_to(m)
    if swipe:
        m.get_root().header.add_child(Element(f"<style>{SWIPE_CSS}</style>"), name="territory_swipe")
    if places:
        m.get_root().header.add_child(Element(f"<style>{PLACE_CSS}</style>"), name="territory_places")
        labels = folium.FeatureGroup(name="Places", control=False)
        for p in places:
            folium.Marker([round(p.lat, 4), round(p.lon, 4)], interactive=False, keyboard=False,
                          icon=DivIcon(html=f'<span class="territory-place-name">{inert_text(p.name)}</span>',
                                       class_name="territory-place" + (" territory-place-major" if p.major else ""),
                                       icon_size=None)).add_to(labels)
        labels.add_to(m)
    m.fit_bounds([[float(s), float(w)], [float(n), float(e)]])
    digest = hashlib.sha1(repr((bounds, tiles, attribution, view_key, sync_group, swipe, report_drawn)).encode()).hexdigest()[:6]
    return make_deterministic(m, prefix=f"t{digest}x")
