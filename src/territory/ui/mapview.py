"""The dashboard map: a constant base map plus one feature group per date.

Per FIELD-NOTES §4, ``st_folium`` keys its iframe on the base map's code, so
the base map is built once per dataset and kept byte-identical; the date's
territory goes in ``feature_group_to_add`` and the frame stays mounted (zoom
and pan survive a date step). Display geometry is simplified and rounded once
per dataset; areas shown come from the measured full geometry.
"""

from __future__ import annotations

import html

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import streamlit as st

from territory.analysis import Analysis
from territory.manifest import valid_color
from territory.model import END, active_mask, to_day
from territory.style import CHANGE_COLORS, CHANGE_STYLE, leaflet_style, swatch_css
from territory.ui.offline import inert_text

#: Fill for an actor without a valid colour.
FALLBACK_COLOR = "#777777"


#: Characters HTML or Streamlit's markdown would read as syntax ($…$ maths, **bold**, [links](…), :red[…]).
_MARKUP = {c: f"&#{ord(c)};" for c in "&<>\"'$*_[]()`~:#\\|!{}"}


def md_text(value: object) -> str:
    """Data text for ``st.markdown(..., unsafe_allow_html=True)``: no HTML and no markdown syntax left.

    Every markup character becomes a character reference, which displays as the
    character itself: ``Cost $5$`` reads as written instead of becoming maths.
    """
    return "".join(_MARKUP.get(ch, ch) for ch in str(value))


def color(value: object) -> str:
    """A strict ``#RRGGBB`` colour, never raw text into HTML or a style."""
    return valid_color(value) or FALLBACK_COLOR


def inert_geojson(data: dict) -> dict:
    """A FeatureCollection with every string property passed through :func:`inert_text`."""
    feats = []
    for f in data.get("features", []):
        props = {k: inert_text(v) if isinstance(v, str) else v for k, v in (f.get("properties") or {}).items()}
        feats.append({**f, "properties": props})
    return {**data, "features": feats}


def display_tolerance(an: Analysis) -> float:
    """Simplification tolerance in degrees: ~1/2000 of the data's extent."""
    b = an.dataset.history.total_bounds
    span = max(b[2] - b[0], b[3] - b[1], 0.01)
    return span / 2000


@st.cache_resource(show_spinner=False, hash_funcs={Analysis: lambda a: a.cache_key or str(id(a))})
def display_frame(an: Analysis) -> gpd.GeoDataFrame:
    """History rows with display geometry, validity and the snapshot's measured km²."""
    h = an.history.copy()
    geoms = shapely.simplify(np.asarray(h.geometry.values, dtype=object), display_tolerance(an), preserve_topology=True)
    h["geometry"] = shapely.set_precision(geoms, 1e-4)
    snaps = an.measured.snapshots[["actor", "status", "date", "area_km2"]]
    h = h.merge(snaps, on=["actor", "status", "date"], how="left")
    return gpd.GeoDataFrame(h, geometry="geometry", crs="EPSG:4326")


def _fmt(d: object) -> str:
    return "" if pd.isna(d) else pd.Timestamp(d).date().isoformat()


def date_geojson(an: Analysis, day: str, actors: list[str], statuses: list[str]) -> dict:
    """GeoJSON of the state on ``day`` with escaped, display-ready properties."""
    frame = display_frame(an)
    m = active_mask(frame, to_day(day)) & frame["actor"].isin(actors).to_numpy() & frame["status"].isin(statuses).to_numpy()
    part = frame[m & ~frame.geometry.is_empty.to_numpy()]
    colors = an.dataset.colors
    feats = []
    for row in part.itertuples(index=False):
        until = _fmt(getattr(row, END))
        src = row.source if isinstance(row.source, str) else ""
        feats.append({
            "type": "Feature",
            "geometry": shapely.geometry.mapping(row.geometry),
            "properties": {
                "actor": inert_text(row.actor),
                "status": row.status,
                "area": f"{row.area_km2:,.0f} km²" if pd.notna(row.area_km2) else "",
                "valid": f"{_fmt(row.date)} → {until or 'still in force'}",
                "source": inert_text(src) or "—",
                "color": color(colors.get(row.actor)),
            },
        })
    return {"type": "FeatureCollection", "features": feats}


def _style(feature: dict) -> dict:
    p = feature["properties"]
    return leaflet_style(p["color"], p["status"])


def date_layer(an: Analysis, day: str, actors: list[str], statuses: list[str],
               pane: str | None = None) -> folium.FeatureGroup:
    """The feature group handed to ``st_folium(feature_group_to_add=...)`` (in Leaflet ``pane`` if given)."""
    fg = folium.FeatureGroup(name=f"Territory {day}")
    data = date_geojson(an, day, actors, statuses)
    if data["features"]:
        fields = ["actor", "status", "area", "valid", "source"]
        aliases = ["Actor", "Status", "Area (snapshot)", "Valid", "Source"]
        folium.GeoJson(
            data,
            style_function=_style,
            highlight_function=lambda f: {"weight": 3},
            tooltip=folium.GeoJsonTooltip(fields=fields[:3], aliases=aliases[:3]),
            popup=folium.GeoJsonPopup(fields=fields, aliases=aliases),
            name=f"territory-{day}",
            **({"pane": pane} if pane else {}),
        ).add_to(fg)
    return fg


def legend_html(an: Analysis, day: str, actors: list[str]) -> str:
    """Colour legend with each actor's km² per status on ``day`` (escaped)."""
    pivot = an.table.pivot_table(index="date", columns=["actor", "status"], values="area_km2", aggfunc="last")
    upto = pivot[pivot.index <= to_day(day)]
    now = upto.ffill().iloc[-1] if len(upto) else pd.Series(dtype=float)
    rows = []
    for actor in actors:
        parts = []
        for status in ("controlled", "contested", "claimed"):
            v = now.get((actor, status), np.nan)
            if pd.notna(v) and v > 0:
                parts.append(f"{status} {v:,.0f} km²")
        fill = color(an.dataset.colors.get(actor))
        note = an.dataset.partial.get(actor)
        if note:  # the model leaves this actor's territory incomplete: say so beside its km²
            parts.append("partial model")
        rows.append(
            f'<div style="display:flex;gap:.5em;align-items:center;margin:.15em 0">'
            f'<span class="territory-swatch" data-actor="{md_text(actor)}" '
            f'style="width:1.1em;height:1.1em;display:inline-block;flex:none;box-sizing:border-box;{swatch_css(fill)}"></span>'
            f'<span><b>{md_text(actor)}</b> <span style="color:#555"'
            + (f' title="{md_text(note)}" data-partial="1"' if note else "")
            + f'>{html.escape(" · ".join(parts) or "none")}</span></span></div>'
        )
    return "".join(rows)


def change_layer(poly: gpd.GeoDataFrame) -> folium.GeoJson:
    """Compare's gained/lost polygons (columns actor, status, change, area_km2), data made inert."""
    poly = poly.assign(area=poly["area_km2"].map(lambda v: f"{v:,.0f} km²"))
    data = inert_geojson(poly[["actor", "status", "change", "area", "geometry"]].__geo_interface__)
    return folium.GeoJson(
        data,
        style_function=lambda f: {  # hues no bundled actor uses (territory.style)
            "color": CHANGE_COLORS.get(f["properties"]["change"], "#555555"), "weight": CHANGE_STYLE.weight,
            "opacity": CHANGE_STYLE.line_opacity, "fillOpacity": CHANGE_STYLE.fill_opacity,
            "dashArray": CHANGE_STYLE.dash, "fillColor": CHANGE_COLORS.get(f["properties"]["change"], "#555555")},
        tooltip=folium.GeoJsonTooltip(["actor", "change", "area"], aliases=["Actor", "Change", "Area"]),
        name="change",
    )
