"""Territory: the map page. Time player (slider, play, key numbers, legend), chart.

Run with ``make run`` (or ``territory serve``). Every number here comes from
``territory.analysis.Analysis``; ``territory stats`` prints the same figures.
"""

from __future__ import annotations

import time

import streamlit as st

from territory.ui import shell
from territory.ui.charts import net_change_section, rule_data
from territory.ui.downloads import download_name, map_png
from territory.ui.mapview import md_text
from territory.ui.playback import handle_player_event, map_player, player_drawn

_t0 = time.perf_counter()
shell.configure_page("Map")
shell.route_from_url()
an = shell.analysis()
labels = shell.init_date(an)
handle_player_event(labels)

st.title("Territory")
shell.dataset_banner(an)
focus = shell.selected_focus(an)
actors = shell.selected_actors(an)
statuses = shell.selected_statuses()
pick = shell.selected_denominator(an)

MAP_HEIGHT = 720  # px: a desktop map, not a thumbnail
#: The player's frame: big date above the map, slider and buttons below it.
PLAYER_HEIGHT = MAP_HEIGHT + 110


@st.fragment
def date_view() -> None:
    """The map (time moves in the browser) and what follows the date the user stopped on.

    The player moves the map, the big date, the key numbers and the legend
    through every date without a script run; when the user stops it reports
    the date once, and that report reruns this fragment only: the URL, the
    chart's date rule, the download and the notes below catch up. The sidebar,
    title and banner do not depend on the date; a sidebar change reruns the
    whole page (the player re-filters, it is not rebuilt).
    """
    t0 = _t0 if _full_run else time.perf_counter()  # a full run counts the page's setup too
    _full_run.clear()
    handle_player_event(labels)  # a fragment rerun: the player's report arrives here
    day = st.session_state["date"]
    shell.sync_url("map", actors, an.dataset.actors, an)
    map_player(an, labels, day, actors=actors, statuses=statuses, denominator_index=pick, focus=focus,
               changes=shell.change_steps(an), online=bool(st.session_state.get("online_tiles")),
               height=PLAYER_HEIGHT)
    st.caption("Drag the slider, press ← → on it (Home/End: first/last date), or Play: the map, the date, "
               "the key numbers and the legend follow in your browser. When you stop, the rest of the page "
               f"(chart, download, link, Compare) comes to that date: now **{day}**.")
    outside_note(day)
    st.download_button(f"⬇ Download the map of {day} (PNG)", map_png(an, day, focus, pick),
                       file_name=download_name(an, day, "png"), mime="image/png", key="download_map",
                       on_click="ignore", help="The report map for this date: legend, scale bar, sources.")
    st.caption(f"{shell.border_note(an, pick)}. Made with Natural Earth.")
    st.subheader("Area over time")
    if player_drawn():
        st.vega_lite_chart(rule_data(day), shell.page_chart(an, tuple(actors)), width="stretch", key="chart")
        net_change_section(an, [focus], day)
    else:  # a first visit: the map first, the chart below it as soon as the map is on screen
        st.caption("The chart is drawn once the map is on screen.")
    st.caption(f"Areas: {an.measured.snapshots.shape[0]} snapshots measured ellipsoidally. "
               f"Same numbers from the command line: `territory stats`.")
    shell.remember()
    shell.log_timing("map", st.session_state.get("date"), time.perf_counter() - t0)


def outside_note(day: str) -> None:
    """Where the focus actor's area outside the region's outline lies on ``day`` (measured per snapshot)."""
    kn = shell.key_numbers(an, day, pick, focus)
    note = kn.outside_note() if kn.land_only else None
    if note:
        end = " " if note.endswith(".") else ". "  # "… in Central African Rep." takes no second full stop
        st.warning(f"On {day}: {md_text(note)}{end}Not counted in the area held in {md_text(kn.denominator.region)} "
                   f"or its %; whole area {kn.held_km2:,.0f} km² (`area_outside_region_km2` in `territory stats`).",
                   icon="⚠️")


_full_run = [True]  # emptied by the fragment's first pass: its reruns time themselves alone
date_view()
