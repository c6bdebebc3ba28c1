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

import time
import urllib.request
from collections.abc import Callable


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


def warm(url: str, query: str = "", timeout: float = 600.0) -> bool:
    """Run the default page once on the server at ``url`` (``http://127.0.0.1:PORT``); True if the run finished."""
    try:
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        from websockets.sync.client import connect
    except ImportError:  # an older Streamlit without these: no warm-up
        return False
    msg = BackMsg()
    msg.rerun_script.query_string = query
    msg.rerun_script.page_script_hash = ""
    deadline = time.monotonic() + timeout
    try:
        with connect(url.replace("http://", "ws://", 1) + "/_stcore/stream", subprotocols=["streamlit"],
                     max_size=2**28, open_timeout=30) as ws:
            ws.send(msg.SerializeToString())
            while time.monotonic() < deadline:
                raw = ws.recv(timeout=max(0.1, deadline - time.monotonic()))
                fm = ForwardMsg()
                fm.ParseFromString(raw)
                if fm.WhichOneof("type") == "script_finished":
                    return True
    except Exception:  # never let a warm-up break the server start
        return False
    return False
