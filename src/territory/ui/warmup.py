"""Warm a freshly started dashboard before people open it.

A new server process does its heavy work on the first session's run: imports
(geopandas, folium, Streamlit's own), reading the measured dataset, building
the shared per-process caches (base map, the date's layer, key numbers, the
chart). That is ~5 s on an idle 2-core machine and 15-25 s on a busy one, and
every session that opens meanwhile waits for it. ``territory serve`` calls
:func:`warm` as soon as the server answers, so the work is done once, by the
server itself, instead of in front of the first visitors.

:func:`warm` speaks Streamlit's websocket protocol (what the browser's page
sends for a first visit: one rerun request with the query string) and reads
the run's messages until it finishes. It only ever connects to the URL it is
given (the local server), renders nothing, and never raises: a warm-up that
fails just leaves the first visitor to do the work, as before.
"""

from __future__ import annotations

import json
import re
import time
import urllib.parse
import urllib.request
from collections.abc import Callable

DRAWN_FLAG = "territory_drawn"  # the map's "on screen" report (territory.ui.mapframe.map_drawn)
PLAYER = "territory_player"  # the map page's map (territory.ui.playback): its stops carry the date


_HEAD = re.compile(r"[0-9a-f]{24}\.json")  # the player's payload file names (player_component.HEAD_NAME)


def _player_dates(url: str, component: str, args: dict) -> list[str]:
    """The player's dates, from the payload file its arguments name (fetched as its frame fetches it)."""
    head, base = args.get("head"), args.get("chunk_base")
    if not isinstance(head, str) or not _HEAD.fullmatch(head) or not isinstance(base, str):
        return []
    frame = f"{url}/component/{urllib.parse.quote(component)}/index.html"
    target = urllib.parse.urljoin(frame, base + head)
    if not target.startswith(f"{url}/component/"):  # only ever the local server's component route
        return []
    try:
        with urllib.request.urlopen(target, timeout=30) as r:
            return list(json.loads(r.read().decode("utf-8")).get("dates", []))
    except (OSError, ValueError, AttributeError):
        return []


def wait_healthy(url: str, timeout: float = 120.0, alive: Callable[[], bool] = lambda: True) -> bool:
    """Poll ``/_stcore/health`` until the server says ok (False after ``timeout`` or once ``alive()`` is False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and alive():
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200 and r.read().strip() == b"ok":
                    return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


#: Dates precomputed by a warm-up (each date's layer, key numbers, settlements): beyond this a dataset
#: is warmed at its default date only (memory: each date's numbers stay cached).
MAX_DATES = 256


def warm(url: str, query: str = "", timeout: float = 600.0, every_date: bool = True,
         max_dates: int = MAX_DATES) -> bool:
    """Run the default page once on the server at ``url`` (``http://127.0.0.1:PORT``); True if it finished.

    With ``every_date`` (and at most ``max_dates`` dates), it then stops on
    every date, as a person stepping through the history would, so every
    date's shared layer and numbers exist before anyone asks: a step is then a
    lookup (~30 ms of server time instead of ~80 ms on the bundled history).
    On the map page the date lives in the time player: its "drawn" report and
    each stop are the component's value, as ``assets/player/component.js`` sends them;
    its dates are read from the payload file its arguments name, as the frame fetches it.
    """
    try:
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        from websockets.sync.client import connect
    except ImportError:  # an older Streamlit without these: no warm-up
        return False
    deadline = time.monotonic() + timeout
    slider: dict = {}
    drawn: dict = {}  # the map component: a browser reports it drawn, and the page then draws its chart

    def rerun(ws, value: str | None = None, report_drawn: bool = False) -> bool:
        msg = BackMsg()
        msg.rerun_script.query_string = query
        msg.rerun_script.page_script_hash = ""
        if drawn.get("player") and (value is not None or report_drawn):  # the player's one value per stop
            day = value if value is not None else slider["value"]
            msg.rerun_script.fragment_id = drawn["fragment"]
            w = msg.rerun_script.widget_states.widgets.add()
            w.id = drawn["id"]
            drawn["seq"] = drawn.get("seq", 0) + 1
            w.json_value = json.dumps({"index": slider["options"].index(day), "date": day, "playing": False,
                                       "seq": drawn["seq"], "drawn": True})
            value, report_drawn = None, False
        if value is not None:
            w = msg.rerun_script.widget_states.widgets.add()
            w.id = slider["id"]
            w.string_array_value.data.append(value)
        if report_drawn:
            msg.rerun_script.fragment_id = drawn["fragment"]
            w = msg.rerun_script.widget_states.widgets.add()
            w.id = drawn["id"]
            w.json_value = json.dumps({DRAWN_FLAG: True})
        ws.send(msg.SerializeToString())
        while time.monotonic() < deadline:
            fm = ForwardMsg()
            fm.ParseFromString(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            kind = fm.WhichOneof("type")
            # A run that ends by asking for another (the map page's first "drawn" report reruns the page)
            # is not the end: wait for the run it asked for.
            if kind == "script_finished" and fm.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                return True
            if kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                el = fm.delta.new_element
                if el.WhichOneof("type") == "slider" and el.slider.options and "id" not in slider:
                    slider.update(id=el.slider.id, options=list(el.slider.options),
                                  value=el.slider.raw_value[0] if el.slider.raw_value else "")
                if (el.WhichOneof("type") == "component_instance" and "id" not in drawn
                        and el.component_instance.component_name.endswith("st_folium")):
                    drawn.update(id=el.component_instance.id, fragment=fm.delta.fragment_id)
                if (el.WhichOneof("type") == "component_instance" and "id" not in drawn
                        and el.component_instance.component_name.endswith(PLAYER)):
                    args = json.loads(el.component_instance.json_args or "{}")
                    dates = _player_dates(url, el.component_instance.component_name, args)
                    if dates:
                        drawn.update(id=el.component_instance.id, fragment=fm.delta.fragment_id, player=True)
                        slider.update(options=dates, value=dates[int(args.get("index", 0))])
        return False

    try:
        with connect(url.replace("http://", "ws://", 1) + "/_stcore/stream", subprotocols=["streamlit"],
                     max_size=2**28, open_timeout=30) as ws:
            if not rerun(ws):
                return False
            if drawn and not rerun(ws, report_drawn=True):  # what the map sends once on screen
                return False
            options = slider.get("options", [])
            if every_date and 1 < len(options) <= max_dates:
                for day in options:
                    if day != slider["value"] and not rerun(ws, day):
                        return False
            return True
    except Exception:  # never let a warm-up break the server start
        return False
