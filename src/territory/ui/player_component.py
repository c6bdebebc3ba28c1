"""The time player as a Streamlit custom component (no npm build).

The front end is ``territory/assets/player/`` (``index.html`` +
``component.js`` + ``player.js`` + the project's one copy of Leaflet):
Streamlit serves only the declared folder and refuses symlinks out of it, so
Leaflet lives here, and folium maps load it from this component's route too
(:mod:`territory.ui.offline`). See ``component.js`` for the message protocol.

Usage::

    value = territory_player(payload, index=i, playing=True, fps=10, key="player")
    # value is None until the user stops (slider let go, key released, Prev/Next, Pause, end of
    # playback; one report per stop, after 300 ms of quiet), then
    # {"index": int, "date": "YYYY-MM-DD", "playing": False, "seq": int}
    # (also in st.session_state[key]); ``seq`` changes with every report. With
    # ``report_drawn=True`` the first value comes once the map has painted, with "drawn": True.

The payload travels with every rerun (Streamlit resends component args), so
keep it cached (``st.cache_resource``) and within a few MB; the front end
rebuilds the map only when ``payload["id"]`` changes.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import streamlit.components.v1 as components

from territory.player import payload_id

#: Folder served to the iframe; its index.html speaks the component protocol.
COMPONENT_DIR = str(resources.files("territory").joinpath("assets", "player"))

_component = components.declare_component("territory_player", path=COMPONENT_DIR)
#: Streamlit serves COMPONENT_DIR at ``/component/<COMPONENT_NAME>/`` once declared (at import).
COMPONENT_NAME: str = _component.name


def territory_player(
    payload: dict[str, Any],
    *,
    index: int = 0,
    playing: bool = False,
    fps: float = 4,
    key: str | None = None,
    height: int = 560,
    controls: str = "full",
    view_key: str | None = None,
    actors: list[str] | None = None,
    statuses: list[str] | None = None,
    tiles: dict[str, str] | None = None,
    url_param: str | None = None,
    report_drawn: bool = False,
    note: str | None = None,
) -> dict[str, Any] | None:
    """Show the player; return its last stop report (see module docstring).

    ``index``/``playing``/``fps`` are applied by the front end only when they
    change between reruns, so passing the server's slider position back each
    run does not interrupt playback. ``controls="dashboard"`` drops the
    player's speed selector (the page has one), ``"page"`` only its title;
    ``view_key`` keeps the map's centre and zoom (sessionStorage), so a remount
    (another page and back) keeps the user's view. ``actors`` (legend order)
    and ``statuses`` filter what is drawn without rebuilding the map;
    ``tiles`` (``{"url", "attribution"}``, https only) puts online tiles under
    it. ``url_param`` names the page's query parameter the front end sets to
    the date it reports (history.replaceState: no history entry per stop).
    ``note`` is a line of text under the controls (what the browser holds).
    """
    pid = payload.get("id") or payload_id(payload)
    value = _component(
        payload=payload,
        payload_id=pid,
        index=int(index),
        playing=bool(playing),
        fps=float(fps),
        height=int(height),
        controls=controls,
        view_key=view_key,
        actors=None if actors is None else [str(a) for a in actors],
        statuses=None if statuses is None else [str(s) for s in statuses],
        tiles=tiles,
        url_param=url_param,
        report_drawn=bool(report_drawn),
        note=None if note is None else str(note),
        key=key,
        default=None,
    )
    return value if isinstance(value, dict) else None
