"""Compare two dates: linked side-by-side maps or one swipe map, the change layer, gains/losses and transfers,
and where the front moved: the patches, each of which the maps zoom to when chosen."""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from territory.ui import patchlist, shell
from territory.ui.maps import base_map
from territory.ui.mapview import change_layer, date_layer

an, labels = shell.open_page("Compare", "Compare two dates")
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
elif start == end:
    st.info(f"“From” and “To” are both {start}: choose another date to see what changed.")

t1, t2 = st.columns([3, 2])
show_change = t1.toggle("Show the change layer (cyan: gained, magenta: lost)", value=True, key="show_change")
view = t2.segmented_control("View", ["Side by side", "Swipe"], default="Side by side", key="compare_view",
                            label_visibility="collapsed") or "Side by side"
result = shell.compare(an, start, end)
maps_area, below = st.container(), st.container()  # the list (below) is read first: its choice zooms the maps

with below:
    st.subheader("Where the front moved")
    found = patchlist.patches(an, start, end)
    listed = found.patches[found.patches["from_actor"].isin(actors) | found.patches["to_actor"].isin(actors)]
    if listed.empty:
        st.caption(f"No ground held under control changed hands between {start} and {end} "
                   "(beyond the slivers noted below).")
        patch = None
    else:
        choice = st.selectbox("Zoom the maps to a patch", patchlist.options(listed), key="compare_patch",
                              help="Each connected piece of controlled ground that changed hands, largest first.")
        patch = patchlist.chosen(listed, choice)
        st.dataframe(listed[["patch", "description", "area_km2", "from_actor", "to_actor", "region", "settlement",
                             "settlement_km"]], hide_index=True, width="stretch",
                     column_config={"patch": "Patch", "description": "Where", "area_km2": st.column_config.NumberColumn(
                         "km²", format="%.1f"), "from_actor": "From", "to_actor": "To", "region": "Region",
                         "settlement": "Named after", "settlement_km": st.column_config.NumberColumn(
                             "km to it", format="%.1f")})
    st.caption(patchlist.caption(found, patchlist.population_source(an.dataset) if an.dataset.settlements is not None
                                 else ""))
view_at = patchlist.fit(patch["west"], patch["south"], patch["east"], patch["north"]) if patch is not None else (None, None)


def add_changes(layer) -> None:
    """Gained and lost ground between the two dates, over the territory."""
    poly = result["polygons"]
    poly = poly[poly["actor"].isin(actors) & poly["status"].isin(statuses)]
    if len(poly):
        change_layer(poly).add_to(layer)


def add_patch(layer) -> None:
    """The patch chosen in the list, outlined."""
    if patch is not None:
        patchlist.outline(patch, listed.geometry.loc[patch.name]).add_to(layer)


MAP_HEIGHT = 560


def draw_maps() -> None:
    """The two maps (or the swipe map), centred on the chosen patch if any."""
    if view == "Swipe":
        st.caption(f"Drag the handle: left of the line shows {start}, right of it {end}.")
        layer = date_layer(an, end, actors, statuses, pane="swipe-right")
        layer.add_child(date_layer(an, start, actors, statuses, pane="swipe"))
        if show_change:
            add_changes(layer)
        add_patch(layer)
        st_folium(base_map(an, sync_group="compare", swipe=True), feature_group_to_add=layer, returned_objects=[],
                  render=False, width="stretch", height=MAP_HEIGHT + 140, key="map_swipe",
                  center=view_at[0], zoom=view_at[1])
    else:
        st.caption("The two maps move together: pan or zoom either one.")
        left, right = st.columns(2)
        with left:
            st.markdown(f"### {start}")
            layer = date_layer(an, start, actors, statuses)
            add_patch(layer)
            st_folium(base_map(an, sync_group="compare"), feature_group_to_add=layer,
                      returned_objects=[], render=False, width="stretch", height=MAP_HEIGHT, key="map_from",
                      center=view_at[0], zoom=view_at[1])
        with right:
            st.markdown(f"### {end}")
            layer = date_layer(an, end, actors, statuses)
            if show_change:
                add_changes(layer)
            add_patch(layer)
            st_folium(base_map(an, sync_group="compare"), feature_group_to_add=layer, returned_objects=[],
                      render=False, width="stretch", height=MAP_HEIGHT, key="map_to",
                      center=view_at[0], zoom=view_at[1])


with maps_area:
    draw_maps()
summary = result["summary"]
summary = summary[summary["actor"].isin(actors) & summary["status"].isin(statuses)]
summary = summary.sort_values("actor", key=lambda col: col != focus, kind="stable")  # the focus actor's rows first
st.subheader(f"Change from {start} to {end}")
km2 = lambda label: st.column_config.NumberColumn(label, format="%.0f")  # noqa: E731
rates = ["net_km2_per_day", "net_km2_per_month"] if start != end else []  # no rate over zero days
st.dataframe(
    summary[["actor", "status", "area_from_km2", "area_to_km2", "gained_km2", "lost_km2", "net_km2", *rates]],
    hide_index=True, width="stretch",
    column_config={"actor": "Actor", "status": "Status", "area_from_km2": km2(f"km² on {start}"),
                   "area_to_km2": km2(f"km² on {end}"), "gained_km2": km2("Gained km²"),
                   "lost_km2": km2("Lost km²"), "net_km2": km2("Net km²"),
                   "net_km2_per_day": km2("Net km² per day"), "net_km2_per_month": km2("Net km² per month")},
)
st.subheader("Who took from whom (controlled, km²)")
st.dataframe(result["transfers"], hide_index=True, width="stretch",
             column_config={"from_actor": "From", "to_actor": "To", "area_km2": km2("km²")})
st.caption("“(none)” is land lost to nobody in the data (or gained from nobody). "
           f"Same numbers: `territory change --from {start} --to {end}`.")
shell.remember()
