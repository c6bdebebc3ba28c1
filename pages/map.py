"""Territory: the map page. Date slider, play, metrics, chart.

Run with ``make run`` (or ``territory serve``). Every number here comes from
``territory.analysis.Analysis``; ``territory stats`` prints the same figures.
"""

from __future__ import annotations

import time

import streamlit as st

from territory.keynumbers import focus_first
from territory.ui import shell
from territory.ui.charts import rule_data
from territory.ui.downloads import download_name, map_png
from territory.ui.mapframe import map_drawn, show_map
from territory.ui.mapview import legend_html, md_text
from territory.ui.playback import handle_player_event, player_view

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


def _step(delta: int) -> None:
    i = labels.index(st.session_state["date"])
    st.session_state["date"] = labels[max(0, min(len(labels) - 1, i + delta))]


def date_controls(playing: bool) -> tuple[str, int]:
    """Prev / next / play, the speed, the slider over the dates that exist and the date in large type; (day, fps)."""
    c_prev, c_next, c_play, c_speed, c_date = st.columns([1, 1, 1.3, 1.6, 4])
    c_prev.button("Prev", icon=":material/skip_previous:", on_click=_step, args=(-1,), key="prev", width="stretch",
                  disabled=playing)
    c_next.button("Next", icon=":material/skip_next:", on_click=_step, args=(1,), key="next", width="stretch",
                  disabled=playing)
    stopping = st.session_state.get("stop_requested", False)
    if c_play.button("Pause" if playing else "Play", icon=":material/pause:" if playing else ":material/play_arrow:",
                     key="play", width="stretch",
                     help="Plays every date in the browser; pausing brings the page to the date shown."):
        if not playing:
            st.session_state["playing"] = True
        elif not stopping:
            st.session_state["stop_requested"] = True  # the player reports its date, then stops
        else:  # pressed again before the player answered: stop here
            st.session_state["playing"] = st.session_state["stop_requested"] = False
        st.rerun(scope="app")  # playing swaps the map for the player: the whole page
    fps = c_speed.selectbox("Speed", [2, 4, 10, 20], index=2, key="fps", format_func=lambda v: f"{v} dates/s",
                            label_visibility="collapsed")
    if not playing:
        c_date.markdown(f"<div style='font-size:2.2rem;font-weight:700;line-height:1.1' data-testid='big-date'>"
                        f"{st.session_state['date']}</div>", unsafe_allow_html=True)
        st.select_slider("Date", options=labels, key="date", label_visibility="collapsed")
    return st.session_state["date"], fps


MAP_HEIGHT = 720  # px: a desktop map, not a thumbnail

if st.session_state.get("playing", False):
    # While playing, the player shows the date, slider, map, key numbers and legend itself, frame by frame.
    day, fps = date_controls(True)
    shell.sync_url("map", actors, an.dataset.actors, an)
    player_view(an, labels.index(day), fps, playing=not st.session_state.get("stop_requested", False),
                denominator_index=pick, focus=focus, height=MAP_HEIGHT + 110)
    st.caption("Playing: the date, the map, the key numbers and the legend follow each frame. "
               "Pause to bring the page (chart, downloads) to the date shown.")
    shell.remember()
    st.stop()  # nothing below would follow the frames: it returns with the date when playback stops


@st.fragment
def date_view() -> None:
    """Everything a date step changes: a step reruns this part only.

    The sidebar, title and banner do not depend on the date, so a step neither
    recomputes nor re-sends them, and the browser does not re-render them (the
    page's own rendering is most of a step's CPU when many pages share a
    machine: bench/bench_sessions.py). A sidebar change reruns the whole page.
    """
    t0 = _t0 if _full_run else time.perf_counter()  # a full run counts the page's setup too
    _full_run.clear()
    day, _fps = date_controls(False)
    shell.sync_url("map", actors, an.dataset.actors, an)
    map_col, side_col = st.columns([3, 1.15])
    with map_col:
        # Base map and the date's layer rendered once per process, shared by every session.
        show_map(an, day, actors, statuses, online=bool(st.session_state.get("online_tiles")),
                 height=MAP_HEIGHT, map_key="map")
        st.download_button("⬇ Download this map (PNG)", map_png(an, day, focus, pick),
                           file_name=download_name(an, day, "png"), mime="image/png", key="download_map",
                           on_click="ignore", help="The report map for this date: legend, scale bar, sources.")
    with side_col:
        key_numbers(day)
    st.caption(f"{shell.border_note(an, pick)}. Made with Natural Earth.")
    st.subheader("Area over time")
    if map_drawn("map"):
        st.vega_lite_chart(rule_data(day), shell.page_chart(an, tuple(actors)), width="stretch", key="chart")
    else:  # a first visit: the map first, the chart below it as soon as the map is on screen
        st.caption("The chart is drawn once the map is on screen.")
    st.caption(f"Areas: {an.measured.snapshots.shape[0]} snapshots measured ellipsoidally. "
               f"Same numbers from the command line: `territory stats`.")
    shell.remember()
    shell.log_timing("map", st.session_state.get("date"), time.perf_counter() - t0)


def key_numbers(day: str) -> None:
    """The focus actor's metric cards and the legend for ``day``."""
    denoms = shell.denominators(an)
    kn = shell.key_numbers(an, day, pick, focus)
    held = kn.held_km2
    if kn.land_only:  # land-only by default: the headline is the part inside the region's outline
        st.metric(f"{md_text(focus)}: area held in {md_text(kn.denominator.region)}", shell.fmt_km2(kn.headline_km2),
                  help=f"Controlled status, inside {kn.denominator.region}'s outline ({kn.denominator.source}); "
                       f"whole area including outside it: {held:,.0f} km². Same as `area_in_region_km2` "
                       "in `territory stats`.")
        note = kn.outside_note()
        if note:
            end = " " if note.endswith(".") else ". "  # "… in Central African Rep." takes no second full stop
            st.warning(f"{md_text(note)}{end}Not counted above or in the % of {md_text(kn.denominator.region)}; whole area "
                       f"{held:,.0f} km² (`area_outside_region_km2` in `territory stats`).", icon="⚠️")
    else:
        st.metric(f"{md_text(focus)}: area held", shell.fmt_km2(held),
                  help="Controlled status; ellipsoidal area of the union of its polygons.")
    if focus in an.dataset.partial:  # the model leaves the focus actor's territory incomplete
        st.caption(f"⚠️ Partial model: {md_text(an.dataset.partial[focus])}")
    st.metric("% of peak", f"{kn.pct_of_peak:.1f}%" if kn.pct_of_peak is not None else "—",
              help=f"Whole area held ({held:,.0f} km², inside and outside any outline) ÷ its peak, "
                   f"{kn.peak_km2:,.0f} km² on {kn.peak_date.date() if kn.peak_date is not None else '—'} "
                   "(`pct_of_peak` in `territory stats`)")
    if kn.pct_of_region is not None:
        region, label, _km2 = denoms[pick]
        st.metric(f"% of {md_text(region)}", f"{kn.pct_of_region:.2f}%",
                  help=f"Area of {focus} inside {region}: {kn.area_in_region_km2:,.0f} km² ÷ {label}")
    i = labels.index(day)
    if i > 0:
        gained, lost = shell.step_change(an, day, focus)
        st.metric(f"Change since {labels[i - 1]}", f"{gained - lost:+,.0f} km²",
                  help=f"gained {gained:,.0f} km², lost {lost:,.0f} km² (`territory change --from {labels[i - 1]} --to {day}`)")
        st.caption(f"gained {gained:,.0f} km² · lost {lost:,.0f} km²")
    eq = shell.equivalent(an, held)
    if eq:
        st.caption(f"{shell.fmt_km2(held)} is {eq}.")
    sett = shell.settlements_at(an, day)
    if len(sett):
        srow = sett[sett["actor"] == focus]
        if len(srow):
            st.metric("Settlements held (listed)", f"{int(srow['settlements'].iloc[0])}",
                      help=f"population ≈ {int(srow['population'].iloc[0]):,} (bundled settlement table)")
    st.markdown(legend_html(an, day, focus_first(actors, focus)), unsafe_allow_html=True)


_full_run = [True]  # emptied by the fragment's first pass: its reruns time themselves alone
date_view()
