"""The map page's map: time lives in the browser, the server hears the date once per stop.

The time player (a Leaflet component holding display-simplified, quantised
geometry and the key numbers of every date) is the map at all times: the
slider, arrow keys, Prev/Next and Play move it without a script run. When the
user stops, the component reports the date once (see
``assets/player/component.js``) and :func:`handle_player_event` makes it the
page's date before anything is drawn, so Compare, the exports, the URL and a
reload agree with what is shown.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from territory.analysis import Analysis
from territory.player import analysis_payload, payload_size_bytes, payload_vertices
from territory.playerchunks import page_vertex_budget
from territory.ui.maps import OSM_ATTRIBUTION, key, view_key
from territory.ui.player_component import territory_player

PLAYER_KEY = "player"
#: The page's query parameter for the date (``?date=``): the component sets it in place when it reports.
URL_PARAM = "date"
#: Session key of the date index the component was last told (see :func:`player_index`).
_ARGS_INDEX = "_player_args_index"
_DRAWN = "_player_drawn"
OSM_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


@st.cache_resource(show_spinner="Preparing the map…", hash_funcs={Analysis: key}, max_entries=16)
def payload(an: Analysis, denominator_index: int = 0, focus: str | None = None,
            _changes: pd.DataFrame | None = None) -> dict:
    """The player's data for every date (display-simplified), built once per dataset, denominator and focus actor.

    ``_changes`` (the cached :meth:`Analysis.change_series`) gives the gained/lost figures; not hashed.
    """
    ds = an.dataset
    return analysis_payload(an, label=ds.label if ds.illustrative else "", denominator_index=denominator_index,
                            focus=focus, changes=_changes, max_vertices=page_vertex_budget(len(an.dates)))


@st.cache_resource(show_spinner=False, hash_funcs={Analysis: key}, max_entries=16)
def holds_note(an: Analysis, denominator_index: int = 0, focus: str | None = None,
               _changes: pd.DataFrame | None = None) -> str:
    """What the browser holds, said on the page: dates, polygons (each sent once), vertices, size."""
    p = payload(an, denominator_index, focus, _changes)
    return (f"In your browser: {len(p['dates'])} dates, {len(p['features'])} polygons (each sent once, with the "
            f"dates it holds), {payload_vertices(p):,} display vertices, {payload_size_bytes(p) / 1e6:.1f} MB")


def handle_player_event(labels: list[str]) -> bool:
    """Apply the player's last report (a stop: slider let go, key up, Prev/Next, Pause) before anything is drawn.

    True when this report is the first to say the map has painted (the page may now draw what sits below it).
    """
    event = st.session_state.get(PLAYER_KEY)
    if not isinstance(event, dict):
        return False
    newly_drawn = bool(event.get("drawn")) and not player_drawn()
    if newly_drawn:
        st.session_state[_DRAWN] = True
    if event.get("playing", True):
        return newly_drawn
    marker = (event.get("date"), event.get("seq"))
    if st.session_state.get("_player_seen") == marker:
        return newly_drawn
    st.session_state["_player_seen"] = marker
    if event.get("date") in labels:
        st.session_state["date"] = event["date"]
    return newly_drawn


def player_drawn() -> bool:
    """Has this session's map painted yet? (Then the page may draw the chart below it.)"""
    return bool(st.session_state.get(_DRAWN))


def player_index(an: Analysis, labels: list[str], day: str) -> int:
    """The date index to hand the component: changed only when the date changed on the server's side.

    The component moves the date itself and reports it; handing that same date
    back as a new ``index`` would change the component's arguments, so
    Streamlit would re-send the whole payload (hundreds of kB) after every
    stop. While the component is mounted (its value is in the session) the
    index it was last told stays; a fresh mount (first visit, another page and
    back: Streamlit drops the value of a widget a run does not draw) gets the
    page's date.
    """
    dataset, told = st.session_state.get(_ARGS_INDEX) or (None, None)
    mounted = isinstance(st.session_state.get(PLAYER_KEY), dict)
    if not mounted or dataset != key(an) or not isinstance(told, int) or not 0 <= told < len(labels):
        told = labels.index(day)
    st.session_state[_ARGS_INDEX] = (key(an), told)
    return told


def map_player(an: Analysis, labels: list[str], day: str, *, actors: list[str], statuses: list[str],
               denominator_index: int = 0, focus: str | None = None, changes: pd.DataFrame | None = None,
               online: bool = False, height: int = 820, fps: float = 10) -> dict[str, Any] | None:
    """The map page's map: big date, map, slider, Prev/Next/Play, key numbers and legend, all moved in the browser."""
    tiles = {"url": OSM_TILE_URL, "attribution": OSM_ATTRIBUTION} if online else None
    return territory_player(payload(an, denominator_index, focus, changes), index=player_index(an, labels, day),
                            note=holds_note(an, denominator_index, focus, changes),
                            playing=False, fps=fps, key=PLAYER_KEY, height=height, controls="page",
                            view_key=view_key(an), actors=[a for a in _focus_first(actors, focus)],
                            statuses=list(statuses), tiles=tiles, url_param=URL_PARAM, report_drawn=True)


def _focus_first(actors: list[str], focus: str | None) -> list[str]:
    from territory.keynumbers import focus_first

    return focus_first(list(actors), focus)
