"""Compare two dates: side-by-side maps, the change layer, gains/losses and transfers."""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from territory.ui import shell
from territory.ui.maps import base_map
from territory.ui.mapview import change_layer, date_layer

shell.configure_page("Compare")
an = shell.analysis()
labels = shell.init_date(an)
st.title("Compare two dates")
shell.dataset_banner(an)
focus = shell.selected_focus(an)
actors = shell.selected_actors(an)
statuses = shell.selected_statuses()

i_to = labels.index(st.session_state["date"])
shell.restore_compare_from(labels, labels[max(0, i_to - 6)])
c1, c2 = st.columns(2)
start = c1.selectbox("From", labels, key="compare_from")
end = c2.selectbox("To", labels, key="date")
shell.sync_url("compare", actors, an.dataset.actors, an)
if start > end:
    st.info(f"“From” is after “To”: showing the change from {end} to {start}.")
    start, end = end, start

show_change = st.toggle("Show the change layer on the right map (green: gained, red: lost)", value=True,
                        key="show_change")
left, right = st.columns(2)
with left:
    st.markdown(f"### {start}")
    st_folium(base_map(an), feature_group_to_add=date_layer(an, start, actors, statuses),
              returned_objects=[], render=False, width="stretch", height=430, key="map_from")
with right:
    st.markdown(f"### {end}")
    result = shell.compare(an, start, end)
    layer = date_layer(an, end, actors, statuses)
    if show_change:
        poly = result["polygons"]
        poly = poly[poly["actor"].isin(actors) & poly["status"].isin(statuses)]
        if len(poly):
            change_layer(poly).add_to(layer)
    st_folium(base_map(an), feature_group_to_add=layer, returned_objects=[], render=False, width="stretch",
              height=430, key="map_to")

summary = result["summary"]
summary = summary[summary["actor"].isin(actors) & summary["status"].isin(statuses)]
summary = summary.sort_values("actor", key=lambda col: col != focus, kind="stable")  # the focus actor's rows first
st.subheader(f"Change from {start} to {end}")
st.dataframe(
    summary[["actor", "status", "area_from_km2", "area_to_km2", "gained_km2", "lost_km2", "net_km2",
             "net_km2_per_day", "net_km2_per_month"]],
    hide_index=True, width="stretch",
    column_config={c: st.column_config.NumberColumn(format="%.0f") for c in
                   ["area_from_km2", "area_to_km2", "gained_km2", "lost_km2", "net_km2", "net_km2_per_day", "net_km2_per_month"]},
)
st.subheader("Who took from whom (controlled, km²)")
st.dataframe(result["transfers"], hide_index=True, width="stretch",
             column_config={"area_km2": st.column_config.NumberColumn(format="%.0f")})
st.caption("“(none)” is land lost to nobody in the data (or gained from nobody). "
           f"Same numbers: `territory change --from {start} --to {end}`.")
shell.remember()
