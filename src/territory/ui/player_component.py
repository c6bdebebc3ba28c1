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

The payload never travels as the component's arguments: on every rerun the
main frame re-handles a component's arguments (over the websocket only a
reference to Streamlit's cached message goes, 1.4 kB a stop, but the page
decodes it, parses the JSON and posts it to the iframe), and the page held
a second copy of it. It goes as a file, the *head*
(:meth:`territory.playerchunks.Chunked.head`), that the iframe fetches once
(``assets/player/component.js``) and the browser caches; the arguments carry
its name and the small per-run values (about 1 kB). Measured on the bundled
history: Chromium CPU per stop 0.126 -> 0.119 s, the player frame's JS heap
42 -> 29 MiB; what a stop still costs is Streamlit's own rerun (its React
render, messages, compositing), not this component (``bench/bench_scrub.py``). Archives too big to
send at once (over :data:`territory.playerchunks.INLINE_MAX_BYTES` of JSON, or
``$TERRITORY_PLAYER_INLINE_BYTES`` where set: tests force a tiny budget) go
split (:func:`territory.playerchunks.split_payload`): the dates, key numbers,
legend, basemap and places in the head, the geometry in chunk files of
consecutive dates that the browser fetches ahead of the scrub
(``assets/player/chunks.js``), without a rerun. All these files are written
whole-or-absent (:mod:`territory.atomicfile`) into this process's own
temporary folder (:func:`territory.tempfiles.make` ``"chunks"``: removed at
exit, swept by the next process if this one is killed), which a second
component, ``territory_chunks``, declares, so Streamlit's component route
serves them (``/component/<name>/<file>``: its path checks refuse anything
outside the folder; ``Cache-Control: public``). Names are our hashes of the
bytes, never anything from a data file; a file is never rewritten with other
bytes. :func:`served_payload` reads back what a run handed the browser.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import re
import shutil
import threading
from collections import OrderedDict
from importlib import resources
from typing import Any

import streamlit.components.v1 as components

from territory import atomicfile, tempfiles
from territory.player import payload_id
from territory.playerchunks import INLINE_MAX_BYTES, Chunked, split_payload

#: Folder served to the iframe; its index.html speaks the component protocol.
COMPONENT_DIR = str(resources.files("territory").joinpath("assets", "player"))

_component = components.declare_component("territory_player", path=COMPONENT_DIR)
#: Streamlit serves COMPONENT_DIR at ``/component/<COMPONENT_NAME>/`` once declared (at import).
COMPONENT_NAME: str = _component.name

#: This process's chunk folder (content-hashed, immutable files), served as a component of its own.
CHUNK_DIR = tempfiles.make("chunks")
atexit.register(shutil.rmtree, CHUNK_DIR, ignore_errors=True)
_chunks = components.declare_component("territory_chunks", path=str(CHUNK_DIR))
#: The chunk files' URL relative to the player's iframe (``/component/<COMPONENT_NAME>/index.html``).
CHUNK_BASE = f"../{_chunks.name}/"
#: Environment override of the inline budget in bytes (tests and benches force chunking with it).
INLINE_ENV = "TERRITORY_PLAYER_INLINE_BYTES"
#: Split payloads kept (as the page's payload cache keeps 16); files no kept split names are removed.
_KEPT_SPLITS = 16
_splits: OrderedDict[tuple[str, int], Chunked] = OrderedDict()
_lock = threading.Lock()
#: The names we give served files (playerchunks.chunk_name); component.js and chunks.js check the same.
HEAD_NAME = re.compile(r"[0-9a-f]{24}\.json")


def inline_budget() -> int:
    """The inline budget in bytes: ``$TERRITORY_PLAYER_INLINE_BYTES`` where set to a positive integer, else the core's."""
    raw = os.environ.get(INLINE_ENV, "").strip()
    try:
        value = int(raw) if raw else INLINE_MAX_BYTES
    except ValueError:
        value = INLINE_MAX_BYTES
    return value if value > 0 else INLINE_MAX_BYTES


def _publish(files: dict[str, bytes]) -> None:
    """Make sure every served file is on disk (whole or absent); a swept folder is made again."""
    CHUNK_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    for name, body in files.items():
        path = CHUNK_DIR / name
        if not path.exists():
            atomicfile.write_bytes(path, body)
    with contextlib.suppress(OSError):
        os.utime(CHUNK_DIR)  # in use: the age rule of tempfiles' sweep must not take it


def _prune(keep: set[str]) -> int:
    """Remove served files no kept split names (bounded disk); returns how many."""
    removed = 0
    with contextlib.suppress(OSError):
        for path in CHUNK_DIR.iterdir():
            if path.name not in keep and not path.name.startswith(".") and path.is_file():
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed += 1
    return removed


def served(payload: dict[str, Any]) -> Chunked:
    """The payload as the browser gets it: its head file, whole or the inline part + chunk files (written here, cached)."""
    budget = inline_budget()
    key = (str(payload.get("id") or payload_id(payload)), budget)
    with _lock:
        out = _splits.get(key)
        if out is not None:
            _splits.move_to_end(key)
        else:
            out = split_payload(payload, inline_max_bytes=budget)
            _splits[key] = out
            while len(_splits) > _KEPT_SPLITS:
                _splits.popitem(last=False)
            _prune({name for s in _splits.values() for name in s.served_files()})
        _publish(out.served_files())
    return out


def served_payload(head: str) -> dict[str, Any]:
    """The payload (head) a run handed the browser, by the name in the component's ``head`` argument.

    Only one of our hash names is read (tests, the warm-up's checks); anything else is refused.
    """
    if not isinstance(head, str) or not HEAD_NAME.fullmatch(head):
        raise ValueError(f"not a payload file name: {head!r}")
    return json.loads((CHUNK_DIR / head).read_bytes().decode("utf-8"))


def chunk_note(out: Chunked) -> str | None:
    """What a split payload sends up front and what comes as the user scrubs (said under the player)."""
    if not out.chunked:
        return None
    spec = out.payload["chunks"]
    return (f"Of these, {out.inline_bytes() / 1e6:.1f} MB are sent up front (dates, key numbers, legend, each "
            f"polygon's dates); the polygons' geometry ({out.chunk_bytes() / 1e6:.1f} MB) comes in "
            f"{len(spec['list'])} chunks of dates, fetched ahead of the slider, at most {spec['keep']} chunks "
            "held at a time.")


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
    out = served(payload)
    extra = chunk_note(out)
    if extra:
        note = f"{note} {extra}" if note else extra
    head, body = out.head
    value = _component(
        head=head,  # the payload's file (fetched once by the frame): never the payload itself
        head_bytes=len(body),
        payload_id=pid,
        chunk_base=CHUNK_BASE,  # where the head and any chunk files are, relative to the frame
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
