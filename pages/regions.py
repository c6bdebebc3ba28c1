"""Regions: each actor's share of every region (oblast, governorate, district…) on a date and over time.

Regions come from a layer the user uploads (any format the loaders read, with a choice of the column
that names the regions), else the dataset's own layer, else the bundled Natural Earth admin-1 outlines
of the countries the data lies in. The same numbers: ``territory regions``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import altair as alt
import folium
import pandas as pd
import shapely
import streamlit as st
from streamlit_folium import st_folium

from territory import tempfiles
from territory.regions import RegionLayer, layer_columns, read_region_layer, sample_dates
from territory.report import LoadError
from territory.tables import to_csv
from territory.ui import shell
from territory.ui.mapframe import map_drawn
from territory.ui.maps import base_map
from territory.ui.mapview import md_text
from territory.ui.offline import inert_text

#: Share classes of the choropleth: (upper bound %, fill opacity). Zero is drawn empty.
CLASSES = [(0.0, 0.0), (10.0, 0.18), (25.0, 0.32), (50.0, 0.5), (75.0, 0.68), (100.0, 0.85)]
SAMPLING = {"Every change date": "change", "End of each week": "week", "End of each month": "month",
            "End of each quarter": "quarter", "End of each year": "year"}
MAX_LABELS = 80

an, labels = shell.open_page("Regions", "Regions")
focus = shell.selected_focus(an)


def _opacity(pct: float) -> float:
    if pct <= 0:
        return 0.0
    return next(op for bound, op in CLASSES[1:] if pct <= bound or bound == 100.0)


def _class_label(i: int) -> str:
    lo, hi = CLASSES[i - 1][0], CLASSES[i][0]
    return f"{lo:g}–{hi:g}%" if lo else f"up to {hi:g}%"


@st.cache_data(show_spinner=False, max_entries=16, hash_funcs={RegionLayer: lambda layer: layer.key})
def _display(layer: RegionLayer) -> tuple[list[dict], list[tuple[float, float]]]:
    """Simplified outlines for the browser (display only; areas come from the full outlines) and label points."""
    geoms = layer.geometry
    b = shapely.total_bounds(geoms)
    tol = max(b[2] - b[0], b[3] - b[1], 0.01) / 1500
    simple = shapely.set_precision(shapely.simplify(geoms, tol, preserve_topology=True), 1e-4)
    points = shapely.point_on_surface(geoms)
    return ([shapely.geometry.mapping(g) for g in simple],
            [(float(p.y), float(p.x)) for p in points])


def _upload_panel() -> None:
    """Upload a region layer, choose its name column, and use it (a refused file keeps the current layer)."""
    n = st.session_state.get("region_upload_round", 0)
    up = st.file_uploader("Region layer: GeoJSON, GeoPackage, zipped Shapefile, KML/KMZ, GeoParquet or CSV with WKT",
                          key=f"region_upload_{n}",
                          help="Any polygon layer: oblasts, governorates, districts. Read with the same size limits "
                               "and checks as a history; it stays in this browser session.")
    if up is None:
        return
    tmp = tempfiles.make("regions")
    try:
        path = tmp / Path(up.name).name
        path.write_bytes(up.getvalue())
        cols, guess, report = layer_columns(path, up.name)
        if not cols:
            st.error(f"Refused: {up.name} could not be read as a region layer.")
            st.dataframe(pd.DataFrame(report.to_records()), hide_index=True)
            return
        col = st.selectbox("Region name column", cols, index=cols.index(guess) if guess in cols else 0,
                           key=f"region_name_col_{n}", help="The column that names each region.")
        if st.button("Use this region layer", key="region_use", type="primary"):
            try:
                layer = read_region_layer(path, col, display_name=up.name)
            except LoadError as exc:
                st.error(f"Refused: {up.name}. The regions in use are unchanged.")
                st.dataframe(pd.DataFrame(exc.report.to_records()), hide_index=True)
                return
            st.session_state["region_layer"] = layer
            st.session_state["region_choice"] = "yours"
            st.session_state["region_upload_round"] = n + 1
            st.rerun()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


default_layer = shell.default_region_layer(an)
mine: RegionLayer | None = st.session_state.get("region_layer")
with st.expander("Region layer", expanded=mine is None and default_layer is None):
    _upload_panel()
    if mine is not None:
        for p in mine.report.warnings:
            st.caption(f"⚠️ {p}")
options = {}
if default_layer is not None:
    options["default"] = f"{default_layer.title} ({len(default_layer)} regions)"
if mine is not None:
    options["yours"] = f"Your layer: {mine.title} ({len(mine)} regions, named by '{mine.name_column}')"
if not options:
    st.info("No region layer for this data: it lies in no country of the bundled layers. "
            "Upload one above (oblasts, governorates, districts…).")
    st.stop()
if st.session_state.get("region_choice") not in options:
    st.session_state["region_choice"] = "yours" if "yours" in options else "default"
choice = st.radio("Regions", list(options), format_func=options.get, key="region_choice", horizontal=True)
layer = mine if choice == "yours" else default_layer

c1, c2 = st.columns([3, 2])
c1.select_slider("Date", options=labels, key="date")
day = st.session_state["date"]
actors = an.dataset.actors
# The actor follows the sidebar's focus actor until picked here; a new focus choice wins again.
if actors and (st.session_state.get("regions_focus_seen") != focus
               or st.session_state.get("regions_actor") not in actors):
    st.session_state["regions_actor"] = focus if focus in actors else actors[0]
    st.session_state["regions_focus_seen"] = focus
actor = c2.selectbox("Actor", actors, key="regions_actor", help="Default: the focus actor chosen in the sidebar.")
shell.sync_url("regions", an=an)

table = shell.regions_table(an, layer, (day,))
color = an.dataset.colors.get(actor, "#333")
held = table[table["actor"] == actor].set_index("region")
shapes, points = _display(layer)
feats = []
for i, name in enumerate(layer.names):
    pct = float(held["pct_of_region"].get(name, 0.0))
    km2 = float(held["area_km2"].get(name, 0.0))
    feats.append({"type": "Feature", "geometry": shapes[i], "properties": {
        "region": inert_text(name), "country": inert_text(layer.countries[i] or "—"),
        "share": f"{pct:.1f}% of {layer.km2[i]:,.0f} km²", "held": f"{km2:,.0f} km²", "opacity": _opacity(pct)}})
group = folium.FeatureGroup(name="regions")
folium.GeoJson(
    {"type": "FeatureCollection", "features": feats},
    style_function=lambda f: {"color": "#555", "weight": 0.8, "fillColor": color,
                              "fillOpacity": f["properties"]["opacity"]},
    highlight_function=lambda f: {"weight": 2.5},
    tooltip=folium.GeoJsonTooltip(["region", "country", "held", "share"],
                                  aliases=["Region", "Country", f"Held by {inert_text(actor)}", "Share"]),
).add_to(group)
if len(layer) <= MAX_LABELS:
    # Largest region first: where labels would overlap, the map keeps the larger region's (folium-shim.js).
    for i in sorted(range(len(layer)), key=lambda j: -layer.km2[j]):
        name, (lat, lon) = layer.names[i], points[i]
        folium.Marker([lat, lon], icon=folium.DivIcon(class_name="territory-place",
            html=f'<div class="region-label" style="display:inline-block;font:600 10px sans-serif;color:#333;white-space:nowrap;'
                 f'transform:translate(-50%,-50%);text-shadow:0 0 3px #fff,0 0 3px #fff">{inert_text(name)}</div>',
            icon_size=(0, 0)), interactive=False).add_to(group)

swatches = "".join(
    f'<span style="display:inline-flex;align-items:center;gap:.3em;margin-right:1em">'
    f'<span style="width:1.2em;height:1em;display:inline-block;border:1px solid #555;'
    f'background:{color if op else "transparent"};opacity:{max(op, 0.0) or 1}"></span>{lab}</span>'
    for op, lab in [(0.0, "none")] + [(CLASSES[i][1], _class_label(i)) for i in range(1, len(CLASSES))])
st.markdown(f'<div data-testid="regions-legend"><b>Share of each region held by {md_text(actor)}</b> '
            f'on {day} (controlled): {swatches}</div>', unsafe_allow_html=True)
# The map reports when it is on screen (folium-shim.js); the chart below waits for it on a first visit.
st_folium(base_map(an, report_drawn=True, city_labels=False), feature_group_to_add=group, returned_objects=[], render=False,
          width="stretch", height=520, key="map_regions")

wide = table.pivot_table(index=["country", "region", "region_km2"], columns="actor", values="pct_of_region",
                         aggfunc="sum", fill_value=0.0).reset_index()
st.dataframe(
    wide, hide_index=True, width="stretch",
    column_config={"country": "Country", "region": "Region",
                   "region_km2": st.column_config.NumberColumn("Region km² (outline, measured)", format="%.0f"),
                   **{a: st.column_config.NumberColumn(f"{a} (% of region)", format="%.1f%%")
                      for a in wide.columns if a not in ("country", "region", "region_km2")}},
)
cmd = f"territory regions --date {day}"
if choice == "yours":
    cmd += f" --regions {mine.title} --region-name {mine.name_column}"
sources = ", ".join(sorted(set(layer.sources)))
st.caption(f"Each actor's controlled area inside each region's outline ÷ the outline's area ({sources}), on "
           f"{day}. Actors holding nothing in any region are left out. Same numbers: `{cmd}`.")
st.caption(f"{shell.border_note(an)}. Made with Natural Earth.")
st.download_button("⬇ This table (CSV, long form)", to_csv(table), file_name=f"regions_{day}.csv",
                   mime="text/csv", key="regions_csv", on_click="ignore")

st.subheader(f"Over time: {md_text(actor)}")
default_every = "End of each month" if len(labels) > 90 else "Every change date"
s1, s2 = st.columns([1, 3])
every = s1.selectbox("Sample", list(SAMPLING), index=list(SAMPLING).index(default_every), key="regions_every",
                     help="The state on each change date, or at the end of each period.")
days = tuple(d.date().isoformat() for d in sample_dates(an.dates, every=SAMPLING[every]))
series = shell.regions_table(an, layer, days)
series = series[series["actor"] == actor]
ranked = series.groupby("region")["pct_of_region"].max().sort_values(ascending=False)
ranked = ranked[ranked > 0]
# One selection per (layer, actor): another layer or actor has other regions to rank.
picked = s2.multiselect("Regions", list(ranked.index), default=list(ranked.index[:8]),
                        key=f"regions_pick_{hash((layer.key, actor))}",
                        help="Ranked by the highest share the actor ever held.")
if picked:
    # Every sampled date for every region shown: a region lost entirely drops to 0 instead of the line ending.
    grid = pd.MultiIndex.from_product([pd.DatetimeIndex(pd.to_datetime(list(days)), name="date"), picked],
                                      names=["date", "region"])
    lines = (series[series["region"].isin(picked)]
             .assign(date=lambda d: pd.to_datetime(d["date"]).astype("datetime64[ns]"))
             .groupby(["date", "region"])[["pct_of_region", "area_km2"]].sum()
             .reindex(grid, fill_value=0.0).reset_index())
    if not map_drawn("map_regions"):  # a first visit: the choropleth first, the chart as soon as it is drawn
        st.caption("The chart is drawn once the map is on screen.")
    else:
        st.altair_chart(
            alt.Chart(lines).mark_line(interpolate="step-after").encode(
                x=alt.X("date:T", title=None), y=alt.Y("pct_of_region:Q", title="% of region held"),
                color=alt.Color("region:N", legend=alt.Legend(orient="bottom", title=None)),
                tooltip=["region:N", alt.Tooltip("date:T"), alt.Tooltip("pct_of_region:Q", format=".1f"),
                         alt.Tooltip("area_km2:Q", format=",.0f")]),
            width="stretch",
        )
    flags = f" --every {SAMPLING[every]}" if SAMPLING[every] != "change" else ""
    filt = "".join(f' --region-filter "{r}"' for r in picked[:2])
    st.caption(f"{md_text(actor)}: share of each chosen region at {len(days)} dates ({every.lower()}). Same numbers: "
               f"`territory regions{flags}{filt}`" + (f" `--regions {mine.title}`" if choice == "yours" else "")
               + ".")
else:
    st.info(f"{md_text(actor)} holds none of these regions at any sampled date.")
shell.remember()
