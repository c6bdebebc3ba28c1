"""Has a folium map been on screen yet? (The Regions page draws its chart after its map.)

The map page's map is the time player (:mod:`territory.ui.playback`), which
reports its own first paint; folium maps built with ``base_map(...,
report_drawn=True)`` send one value once their first territory path is
painted (``assets/player/folium-shim.js``), and :func:`map_drawn` reads it.
"""

from __future__ import annotations

import os

import streamlit as st

from territory.ui.warmup import DRAWN_FLAG


def shared_caches_on() -> bool:
    """False when ``TERRITORY_SHARED_CACHE=0`` (the naive baseline of ``bench/bench_sessions.py``)."""
    return os.environ.get("TERRITORY_SHARED_CACHE", "1").strip() != "0"


def map_drawn(map_key: str = "map") -> bool:
    """Has this session's map been on screen yet? (Then the page may draw what sits below it.)

    A first visit renders the whole page at once, and a chart under the map
    costs the browser more than the map itself (~1.2 s of a ~4 s first load on
    one core, bench/bench_sessions.py); drawing it after the map has painted
    gets the map on screen first. The map (``report_drawn``) sends one value
    when its first territory path is painted (or 1.5 s after it was created,
    for a date with no territory); that value reruns the page. Once seen, it
    holds for the session, for that map. True in the naive baseline
    (``TERRITORY_SHARED_CACHE=0``), which draws everything at once.
    """
    seen = f"_map_drawn:{map_key}"
    if not shared_caches_on() or st.session_state.get(seen):
        return True
    value = st.session_state.get(map_key)
    if isinstance(value, dict) and value.get(DRAWN_FLAG):
        st.session_state[seen] = True
        return True
    return False
