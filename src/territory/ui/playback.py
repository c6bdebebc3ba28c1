"""Client-side playback: all dates play in the browser, no server round trip per frame.

While playing, the map area shows the time player (a Leaflet component that
holds display-simplified, quantised geometry for every date). When the user
pauses, scrubs or playback ends, the component reports the date it shows and
the server-side date slider catches up on the next run.
"""

from __future__ import annotations

import streamlit as st

from territory.analysis import Analysis
from territory.player import analysis_payload
from territory.ui.maps import key, view_key
from territory.ui.player_component import territory_player

PLAYER_KEY = "player"


@st.cache_resource(show_spinner="Preparing playback…", hash_funcs={Analysis: key}, max_entries=16)
def payload(an: Analysis, denominator_index: int = 0, focus: str | None = None) -> dict:
    """The player's data for every date (display-simplified), built once per dataset, denominator and focus actor."""
    ds = an.dataset
    return analysis_payload(an, label=ds.label if ds.illustrative else "", denominator_index=denominator_index,
                            focus=focus)



def handle_player_event(labels: list[str]) -> None:
    """Apply the player's last report (pause/end/scrub) before the slider is drawn."""
    event = st.session_state.get(PLAYER_KEY)
    if not isinstance(event, dict) or event.get("playing", True):
        return
    marker = (event.get("date"), event.get("seq"))
    if st.session_state.get("_player_seen") == marker:
        return
    st.session_state["_player_seen"] = marker
    if event.get("date") in labels:
        st.session_state["date"] = event["date"]
    st.session_state["playing"] = st.session_state["stop_requested"] = False


def player_view(an: Analysis, index: int, fps: int, playing: bool = True, denominator_index: int = 0,
                focus: str | None = None, height: int = 820) -> None:
    """The player in place of the map and its cards: big date, map, key numbers and legend follow each frame.

    ``playing=False`` asks it to stop and report its date.
    """
    territory_player(payload(an, denominator_index, focus), index=index, playing=playing, fps=fps, key=PLAYER_KEY,
                     height=height, controls="dashboard", view_key=view_key(an))
