"""Territory: the map page. Time player (slider, play, key numbers, legend, area chart, net-change bars).

Run with ``make run`` (or ``territory serve``). Every number here comes from
``territory.analysis.Analysis``; ``territory stats`` prints the same figures.
"""

from __future__ import annotations

import time

import streamlit as st

from territory.ui import shell
from territory.ui.charts import has_claims, net_change_note
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

#: px: a desktop map, not a thumbnail, with the player's chart still on a 1080p screen beside it.
MAP_HEIGHT = 600
#: The player's "Area over time" chart under its controls (assets/player/chart.js).
CHART_HEIGHT = 250
#: The player's net-change bars under its chart (assets/player/netchart.js): Week/Month, the period shown, bars.
NET_HEIGHT = 160
#: The player's frame: big date above the map, slider and buttons below it, then its charts.
PLAYER_HEIGHT = MAP_HEIGHT + 110 + CHART_HEIGHT + NET_HEIGHT


@st.fragment
def date_view() -> None:
    """The map (time moves in the browser) and what follows the date the user stopped on.

    The player moves the map, the big date, the key numbers, the legend and
    its area chart's date marker through every date without a script run; when
    the user stops it reports the date once, and that report reruns this
    fragment only: the URL, the download button (named for the date) and the note
    on land outside the region catch up (the PNG is made on click, not here). The
    charts below the fragment carry no date. The sidebar, title and banner do
    not depend on the date; a sidebar change reruns the whole page (the player
    re-filters, it is not rebuilt).
    """
    fragment_only = not _full_run
    t0 = _t0 if _full_run else time.perf_counter()  # a full run counts the page's setup too
    _full_run.clear()
    # A fragment rerun: the player's report arrives here. Its first "drawn" report reruns the whole page
    # once, so the charts below the fragment (held back on a first visit) are drawn under the painted map.
    if handle_player_event(labels) and fragment_only:
        st.rerun()
    day = st.session_state["date"]
    shell.sync_url("map", actors, an.dataset.actors, an)
    map_player(an, labels, day, actors=actors, statuses=statuses, denominator_index=pick, focus=focus,
               changes=shell.change_steps(an), online=bool(st.session_state.get("online_tiles")),
               height=PLAYER_HEIGHT)
    outside_note(day)
    st.download_button(f"⬇ Download the map of {day} (PNG)", map_png(an, day, focus, pick),
                       file_name=download_name(an, day, "png"), mime="image/png", key="download_map",
                       on_click="ignore", help="The report map for this date: legend, scale bar, sources.")
    shell.remember()
    shell.log_timing("map", st.session_state.get("date"), time.perf_counter() - t0)


def below_the_map() -> None:
    """What does not depend on the date: where the net-change bars' figures come from, and the claims.

    Outside the date fragment, so a stop re-renders none of it; held back on a first visit until the
    map is on screen (the player's "drawn" report reruns the page once: see :func:`date_view`).
    """
    st.caption(f"{shell.border_note(an, pick)}. Made with Natural Earth. Chart under the map: controlled km² "
               f"per actor, {an.measured.snapshots.shape[0]} snapshots measured ellipsoidally; hover for the "
               f"figures, as `territory stats` prints them.")
    if not player_drawn():
        st.caption("The charts below are drawn once the map is on screen.")
        return
    net_change_note(an)  # with the charts: names the command behind the player's net-change bars
    spec = shell.page_chart(an, tuple(actors))
    if has_claims(spec):
        st.subheader("Claims about area held")
        st.vega_lite_chart(spec, width="stretch", key="chart")
        st.caption("Each published claim about area held, coloured by verdict, on the series it is checked against "
                   "(dashed: the land inside the dataset's region, or inside the region it names). Every claim, "
                   "with its figures: the Claims page, or `territory claims`.")


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
# Above the player, outside the fragment: a stop re-renders only the few elements that name the date.
st.caption("Drag the slider, press ← → on it (Home/End: first/last date), click a chart, or Play: the map, the "
           "date, the key numbers, the legend and the charts' date lines (area; net change per week or month) "
           "follow in your browser. When you stop, the rest of the page (the download, the link, Compare, Export) "
           "comes to the date shown.")
date_view()
below_the_map()
