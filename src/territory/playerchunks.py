"""The time player's geometry in chunks of consecutive dates, for archives too big to send at once.

The map page hands the browser one payload (:func:`territory.player.build_payload`).
Up to :data:`INLINE_MAX_BYTES` of compact JSON it goes whole, as always. Over
it, :func:`split_payload` keeps everything small inline (dates, key numbers,
legend, basemap, places, and each feature's actor, status, validity, km² and
source) and moves the features' geometry (``g``) into chunk files:

* chunk ``c`` covers the dates ``[from, to)``; the dates are cut so each chunk
  holds about ``chunk_bytes`` of geometry (:data:`CHUNK_SHARE` of the inline
  budget), a date never split;
* a feature's geometry is in exactly one chunk: the one covering its first
  date ``f`` (geometry that does not change between dates is still sent once);
* ``needs`` lists the chunks a date of chunk ``c`` draws from: its own and those
  whose features are still in force in it (a long-lived polygon's chunk is
  needed on every date it holds);
* a chunk file is ``{"v": 1, "k": [feature index, ...], "g": [geometry, ...]}``
  (the inline ``features[k]`` gets ``g`` back), named by the SHA-256 of its
  bytes: immutable, and nothing from a data file ever becomes a file name.

The inline part itself goes as a file too (:meth:`Chunked.head`, named the
same way), never as component arguments: Streamlit's page re-handles a
component's arguments on every rerun (parses them, posts them to the iframe)
and holds a copy. The iframe fetches the head once; the browser caches it.

:func:`join_payload` is the inverse (the round trip equals the unsplit payload,
so a chunked date's frame is the same geometry as an inline one at that vertex
budget). The browser's side is ``assets/player/chunks.js``; the Streamlit side
that writes and serves the files is :mod:`territory.ui.player_component`. No
Streamlit import here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

#: Inline budget: a payload over this many bytes of compact JSON sends its geometry in chunks.
#: The 800-date archive of ~3,000-vertex daily snapshots (1.48 MB at the page's vertex budget) fits.
INLINE_MAX_BYTES = 2_500_000
#: A chunk's target size as a share of the inline budget (2.5 MB / 5 = 500 kB of geometry a chunk).
CHUNK_SHARE = 5
#: Chunks the browser fetches ahead of the playhead, in the direction of the scrub or play.
AHEAD_CHUNKS = 2
#: Chunks the browser keeps (loaded or loading); farther ones are dropped, farthest first. The figure
#: that bounds its memory: 8 x 500 kB = 4 MB of geometry JSON at the default budget, whatever the archive's length
#: (plus any chunk the current date itself needs, e.g. the first one when a polygon held from the start is still shown).
KEEP_CHUNKS = 8
#: Chunk format version; chunks.js checks it.
CHUNK_VERSION = 1
#: The map page's display vertex budget, and the archive length it was sized for: a longer archive
#: gets proportionally more vertices (then goes in chunks) instead of ever coarser snapshots.
PAGE_VERTICES = 150_000
PAGE_DATES = 800


def page_vertex_budget(n_dates: int) -> int:
    """Display vertices for the map page's player: :data:`PAGE_VERTICES`, more for archives over :data:`PAGE_DATES`.

    Up to 800 dates nothing changes; 3,000 dates get 562,500 vertices (the same
    detail a date as the 800-date archive), which no longer fit inline.
    """
    return max(PAGE_VERTICES, PAGE_VERTICES * int(n_dates) // PAGE_DATES)


def _compact(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def chunk_name(body: bytes) -> str:
    """A chunk file's name: our own hash of its bytes (24 hex digits) and ``.json``."""
    return hashlib.sha256(body).hexdigest()[:24] + ".json"


@dataclass(frozen=True)
class Chunked:
    """A payload ready to serve: ``payload`` goes inline; ``files`` (name -> bytes) are fetched by the browser."""

    payload: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def chunked(self) -> bool:
        return bool(self.files)

    @cached_property
    def head(self) -> tuple[str, bytes]:
        """The inline part as the file the browser fetches: (our hash name, compact JSON bytes)."""
        body = _compact(self.payload)
        return chunk_name(body), body

    def served_files(self) -> dict[str, bytes]:
        """Every file the browser may fetch for this payload: the head and the chunks."""
        name, body = self.head
        return {name: body, **self.files}

    def inline_bytes(self) -> int:
        return len(self.head[1])

    def chunk_bytes(self) -> int:
        return sum(len(b) for b in self.files.values())


def _cut(sizes: list[int], target: int) -> list[tuple[int, int]]:
    """Consecutive date ranges ``[a, b)`` of about ``target`` bytes each (every date in one range)."""
    ranges, start, acc = [], 0, 0
    for d, size in enumerate(sizes):
        acc += size
        if acc >= target and d + 1 < len(sizes):
            ranges.append((start, d + 1))
            start, acc = d + 1, 0
    if sizes:
        ranges.append((start, len(sizes)))
    return ranges


def split_payload(payload: Mapping[str, Any], *, inline_max_bytes: int = INLINE_MAX_BYTES,
                  chunk_bytes: int | None = None) -> Chunked:
    """The payload as it goes to the browser: whole when it fits ``inline_max_bytes``, else its geometry in chunks.

    ``chunk_bytes`` (default: the inline budget / :data:`CHUNK_SHARE`) is each
    chunk's target size. The inline part keeps ``id`` (the content is the same).
    """
    if "chunks" in payload:
        raise ValueError("payload is already split")
    full = _compact(payload)
    if len(full) <= inline_max_bytes or not payload.get("features"):
        return Chunked(dict(payload))
    target = max(1, int(chunk_bytes if chunk_bytes is not None else inline_max_bytes // CHUNK_SHARE))
    feats = payload["features"]
    n = len(payload["dates"])
    bodies = [_compact(f["g"]) for f in feats]
    sizes = [0] * n
    for f, body in zip(feats, bodies, strict=True):
        sizes[f["f"]] += len(body) + 1
    ranges = _cut(sizes, target)
    chunk_of_date = [0] * n
    for c, (a, b) in enumerate(ranges):
        for d in range(a, b):
            chunk_of_date[d] = c
    members: list[list[int]] = [[] for _ in ranges]
    needs: list[set[int]] = [{c} for c in range(len(ranges))]
    for k, f in enumerate(feats):
        home = chunk_of_date[f["f"]]
        members[home].append(k)
        last = n - 1 if f["t"] is None else f["t"] - 1
        for c in range(home, chunk_of_date[max(f["f"], min(last, n - 1))] + 1):
            needs[c].add(home)
    files: dict[str, bytes] = {}
    listing = []
    for c, ((a, b), ks) in enumerate(zip(ranges, members, strict=True)):
        # The geometry bodies are already compact JSON: splice them rather than re-encode.
        body = (b'{"v":%d,"c":%d,"k":' % (CHUNK_VERSION, c) + _compact(ks) + b',"g":['
                + b",".join(bodies[k] for k in ks) + b"]}")
        name = chunk_name(body)
        files[name] = body
        listing.append({"from": a, "to": b, "file": name, "bytes": len(body), "needs": sorted(needs[c])})
    bare = [{k: v for k, v in f.items() if k != "g"} for f in feats]
    inline = {k: (bare if k == "features" else v) for k, v in payload.items()}
    inline["chunks"] = {"v": CHUNK_VERSION, "list": listing, "bytes": sum(len(b) for b in files.values()),
                        "ahead": AHEAD_CHUNKS, "keep": KEEP_CHUNKS}
    return Chunked(inline, files)


def read_chunk(body: bytes) -> tuple[list[int], list[Any]]:
    """A chunk file's feature indices and geometries (checks the format)."""
    data = json.loads(body.decode("utf-8"))
    if not isinstance(data, dict) or data.get("v") != CHUNK_VERSION or len(data["k"]) != len(data["g"]):
        raise ValueError("not a player chunk of this version")
    return list(data["k"]), list(data["g"])


def join_payload(payload: Mapping[str, Any], files: Mapping[str, bytes]) -> dict[str, Any]:
    """The whole payload again from its inline part and chunk files (a standalone export inlines everything)."""
    if "chunks" not in payload:
        return dict(payload)
    geoms: dict[int, Any] = {}
    for entry in payload["chunks"]["list"]:
        ks, gs = read_chunk(files[entry["file"]])
        geoms.update(zip(ks, gs, strict=True))
    out = {k: v for k, v in payload.items() if k != "chunks"}
    out["features"] = [_ordered({**f, "g": geoms[k]}) for k, f in enumerate(payload["features"])]
    return out


#: A feature's keys in build_payload's order, so a joined payload's JSON (and its id) is byte-identical.
_KEY_ORDER = {k: i for i, k in enumerate(("a", "s", "f", "t", "km2", "src", "url", "g", "lk"))}


def _ordered(feature: dict[str, Any]) -> dict[str, Any]:
    return dict(sorted(feature.items(), key=lambda kv: _KEY_ORDER.get(kv[0], len(_KEY_ORDER))))


def chunks_for_date(payload: Mapping[str, Any], day: int) -> list[int]:
    """The chunks the browser needs to draw date index ``day`` (as chunks.js finds them)."""
    listing = payload["chunks"]["list"]
    for entry in listing:
        if entry["from"] <= day < entry["to"]:
            return list(entry["needs"])
    raise IndexError(day)
