"""Per-region (governorate) shares at the selected date, as a choropleth and a table, and over time."""

from __future__ import annotations

import altair as alt
import folium
import streamlit as st
from streamlit_folium import st_folium

from territory.ui import shell
from territory.ui.maps import base_map

shell.configure_page("Regions")
an = shell.analysis()
labels = shell.init_date(an)
st.title("Regions")
shell.dataset_banner(an)
if an.dataset.regions is None:
    st.info("This dataset has no region layer (governorates, oblasts…).")
    st.stop()

c1, c2 = st.columns([3, 2])
c1.select_slider("Date", options=labels, key="date")
day = st.session_state["date"]
actor = c2.selectbox("Actor", an.dataset.actors, index=an.dataset.actors.index(an.focus_actor), key="regions_actor")
shell.sync_url("regions")

table = shell.regions_at(an, day)
mine = table[table["actor"] == actor].set_index("region")["pct_of_region"]
regions = an.dataset.regions.copy()
name_col = "name" if "name" in regions.columns else regions.columns[0]
regions["share"] = regions[name_col].map(mine).fillna(0.0)
regions["label"] = regions["share"].map(lambda v: f"{v:.1f}%")
color = an.dataset.colors.get(actor, "#333")

layer = folium.FeatureGroup(name="regions")
folium.GeoJson(
    regions[[name_col, "share", "label", "geometry"]].__geo_interface__,
    style_function=lambda f: {"color": "#555", "weight": 0.8, "fillColor": color,
                              "fillOpacity": 0.05 + 0.8 * min(f["properties"]["share"], 100) / 100},
    tooltip=folium.GeoJsonTooltip([name_col, "label"], aliases=["Region", f"Held by {actor}"]),
).add_to(layer)
st_folium(base_map(an), feature_group_to_add=layer, returned_objects=[], render=False, width="stretch",
          height=480, key="map_regions")

wide = table.pivot_table(index=["country", "region", "region_km2"], columns="actor", values="pct_of_region",
                         aggfunc="sum", fill_value=0.0).reset_index()
st.dataframe(
    wide, hide_index=True, width="stretch",
    column_config={"region_km2": st.column_config.NumberColumn("region km² (outline)", format="%.0f"),
                   **{a: st.column_config.NumberColumn(f"{a} (% of region)", format="%.1f%%")
                      for a in wide.columns if a not in ("country", "region", "region_km2")}},
)
st.caption(f"Share of each region's Natural Earth outline area (measured) held on {day}, controlled status. "
           f"Same numbers: `territory regions --date {day}`.")

st.subheader(f"Over time: {actor}")
series = shell.regions_series(an)
series = series[series["actor"] == actor]
top = series.groupby("region")["area_km2"].max().sort_values(ascending=False).head(8).index
st.altair_chart(
    alt.Chart(series[series["region"].isin(top)]).mark_line(interpolate="step-after").encode(
        x=alt.X("date:T", title=None), y=alt.Y("pct_of_region:Q", title="% of region held"),
        color=alt.Color("region:N", legend=alt.Legend(orient="bottom", title=None)),
        tooltip=["region:N", alt.Tooltip("date:T"), alt.Tooltip("pct_of_region:Q", format=".1f")]),
    width="stretch",
)
st.caption(f"The {len(top)} regions where {actor} held most, at each of the {len(labels)} change dates.")
shell.remember()
