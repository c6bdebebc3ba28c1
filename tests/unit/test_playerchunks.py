"""The player's geometry in chunks of dates (territory.playerchunks): every date finds its features, round trip."""

from __future__ import annotations

import itertools
import json
import re

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from territory.player import build_payload, payload_id, payload_json, payload_size_bytes
from territory.playerchunks import (
    INLINE_MAX_BYTES,
    PAGE_VERTICES,
    chunks_for_date,
    join_payload,
    page_vertex_budget,
    read_chunk,
    split_payload,
)


def _history(days: int = 60) -> gpd.GeoDataFrame:
    """A daily-changing front (one row a day), a polygon held throughout, and one held for 20 days."""
    start = pd.Timestamp("2023-01-01")
    rows = [{"date": start + pd.Timedelta(days=i), "actor": "A", "status": "controlled",
             "geometry": shapely.Point(30, 48).buffer(1 + 0.01 * i, quad_segs=32)} for i in range(days)]
    rows.append({"date": start, "actor": "B", "status": "controlled", "geometry": shapely.box(33, 47, 34, 48)})
    rows.append({"date": start + pd.Timedelta(days=5), "actor": "B", "status": "claimed",
                 "geometry": shapely.box(34, 47, 35, 48), "valid_to": start + pd.Timedelta(days=25)})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)


@pytest.fixture(scope="module")
def payload() -> dict:
    return build_payload(_history(), {"A": "#E69F00", "B": "#0072B2"}, max_vertices=100_000)


def _alive(p: dict, day: int) -> set[int]:
    return {k for k, f in enumerate(p["features"]) if f["f"] <= day and (f["t"] is None or day < f["t"])}


def test_under_the_budget_nothing_changes(payload) -> None:
    out = split_payload(payload)
    assert not out.chunked and out.files == {}
    assert out.payload == payload and "chunks" not in out.payload
    assert payload_size_bytes(payload) < INLINE_MAX_BYTES


def test_every_date_finds_its_features_in_exactly_the_chunks_that_cover_it(payload) -> None:
    size = payload_size_bytes(payload)
    out = split_payload(payload, inline_max_bytes=size // 4, chunk_bytes=size // 10)
    assert out.chunked
    listing = out.payload["chunks"]["list"]
    assert len(listing) >= 5
    # consecutive date ranges covering every date once
    assert listing[0]["from"] == 0 and listing[-1]["to"] == len(payload["dates"])
    assert all(a["to"] == b["from"] and a["from"] < a["to"] for a, b in itertools.pairwise(listing))
    homes: dict[int, int] = {}
    for c, entry in enumerate(listing):
        ks, _ = read_chunk(out.files[entry["file"]])
        for k in ks:
            assert k not in homes, f"feature {k} in two chunks"
            homes[k] = c
            assert entry["from"] <= payload["features"][k]["f"] < entry["to"]  # in the chunk of its first date
    assert sorted(homes) == list(range(len(payload["features"])))  # every feature in exactly one
    for day in range(len(payload["dates"])):
        needed = chunks_for_date(out.payload, day)
        found = {k for k, c in homes.items() if c in needed}
        assert _alive(payload, day) <= found, day
        # and no chunk is asked for that holds nothing in force on that date
        assert all(any(homes[k] == c for k in _alive(payload, day)) or listing[c]["from"] <= day < listing[c]["to"]
                   for c in needed)
    # the polygon held from the first date is drawn from the first chunk on every date
    held_all = next(k for k, f in enumerate(payload["features"]) if f["a"] == 1 and f["t"] is None)
    assert all(homes[held_all] in chunks_for_date(out.payload, d) for d in range(len(payload["dates"])))


def test_round_trip_equals_the_inline_payload(payload) -> None:
    size = payload_size_bytes(payload)
    out = split_payload(payload, inline_max_bytes=size // 2)
    assert out.chunked
    joined = join_payload(out.payload, out.files)
    assert joined == payload
    assert payload_json(joined) == payload_json(payload)  # byte for byte: same id, same frames
    assert payload_id(joined) == payload["id"] == out.payload["id"]


def test_inline_part_keeps_numbers_and_drops_only_geometry(payload) -> None:
    size = payload_size_bytes(payload)
    out = split_payload(payload, inline_max_bytes=size // 2)
    inline = out.payload
    for key in payload:
        if key != "features":
            assert inline[key] == payload[key], key
    assert all("g" not in f for f in inline["features"])
    assert [{k: v for k, v in f.items() if k != "g"} for f in payload["features"]] == inline["features"]
    assert out.inline_bytes() < size // 2
    assert inline["chunks"]["bytes"] == out.chunk_bytes() == sum(e["bytes"] for e in inline["chunks"]["list"])


def test_chunk_names_are_our_hashes_of_their_bytes(payload) -> None:
    import hashlib

    out = split_payload(payload, inline_max_bytes=1000)
    for name, body in out.files.items():
        assert re.fullmatch(r"[0-9a-f]{24}\.json", name)
        assert name == hashlib.sha256(body).hexdigest()[:24] + ".json"
        json.loads(body)
    again = split_payload(payload, inline_max_bytes=1000)
    assert again.files == out.files  # deterministic: immutable names


def test_the_head_is_the_inline_part_as_a_hash_named_file(payload) -> None:
    import hashlib

    for out in (split_payload(payload), split_payload(payload, inline_max_bytes=1000)):
        name, body = out.head
        assert name == hashlib.sha256(body).hexdigest()[:24] + ".json"
        assert json.loads(body) == out.payload and out.inline_bytes() == len(body)
        assert out.served_files() == {name: body, **out.files}
    assert split_payload(payload).head[1] == payload_json(payload).encode("utf-8")  # whole: the payload itself


def test_already_split_is_refused(payload) -> None:
    out = split_payload(payload, inline_max_bytes=1000)
    with pytest.raises(ValueError):
        split_payload(out.payload)


def test_page_vertex_budget_grows_only_past_800_dates() -> None:
    assert page_vertex_budget(1) == page_vertex_budget(800) == PAGE_VERTICES
    assert page_vertex_budget(3000) == 562_500


def test_standalone_html_stays_one_file(payload) -> None:
    from territory.player import standalone_html

    out = split_payload(payload, inline_max_bytes=1000)
    with pytest.raises(ValueError, match="inline"):
        standalone_html(out.payload)
    page = standalone_html(join_payload(out.payload, out.files))
    assert '"chunks"' not in page and page.count('"g":') == len(payload["features"])


# --------------------------------------------------------------------------
# the Streamlit side: chunk files written into this process's own folder, served by a component route


def test_served_writes_whole_hash_named_files_and_remakes_a_swept_folder(payload, monkeypatch) -> None:
    import shutil

    from territory.ui import player_component as pc

    monkeypatch.setenv(pc.INLINE_ENV, "5000")
    out = pc.served(payload)
    assert out.chunked and out.payload["chunks"]["list"]
    assert pc.CHUNK_DIR.name.startswith("territory-chunks-")  # tempfiles' naming: swept once this process dies
    for name, body in out.files.items():
        assert (pc.CHUNK_DIR / name).read_bytes() == body
    assert not [p for p in pc.CHUNK_DIR.iterdir() if p.name.startswith(".")]  # no temporaries left
    assert pc.served(payload) is out  # cached per payload and budget
    shutil.rmtree(pc.CHUNK_DIR)  # e.g. a day-old folder swept by another process
    pc.served(payload)
    assert sorted(p.name for p in pc.CHUNK_DIR.iterdir()) == sorted(out.served_files())
    note = pc.chunk_note(out)
    assert note is not None and f"{len(out.files)} chunks of dates" in note and "at most 8 chunks" in note
    assert pc.CHUNK_BASE == "../territory.ui.player_component.territory_chunks/"


def test_under_the_budget_the_whole_payload_is_served_as_one_file(payload, monkeypatch) -> None:
    from territory.ui import player_component as pc

    monkeypatch.delenv(pc.INLINE_ENV, raising=False)
    out = pc.served(payload)
    name, body = out.head
    assert not out.chunked and (pc.CHUNK_DIR / name).read_bytes() == body
    assert pc.served_payload(name) == payload


def test_inline_budget_env_and_default(monkeypatch, payload) -> None:
    from territory.ui import player_component as pc

    monkeypatch.delenv(pc.INLINE_ENV, raising=False)
    assert pc.inline_budget() == INLINE_MAX_BYTES
    assert not pc.served(payload).chunked  # a small payload goes whole, as before
    for bad in ("", "x", "-3", "0"):
        monkeypatch.setenv(pc.INLINE_ENV, bad)
        assert pc.inline_budget() == INLINE_MAX_BYTES
    monkeypatch.setenv(pc.INLINE_ENV, "12345")
    assert pc.inline_budget() == 12345


def test_files_no_kept_split_names_are_removed(monkeypatch) -> None:
    from territory.ui import player_component as pc

    monkeypatch.setenv(pc.INLINE_ENV, "3000")
    monkeypatch.setattr(pc, "_KEPT_SPLITS", 1)
    first = pc.served(build_payload(_history(30), {"A": "#000"}, max_vertices=100_000))
    second = pc.served(build_payload(_history(31), {"A": "#000"}, max_vertices=100_000))
    on_disk = {p.name for p in pc.CHUNK_DIR.iterdir()}
    assert set(second.served_files()) <= on_disk
    assert not (set(first.served_files()) - set(second.served_files())) & on_disk  # the dropped split's files are gone
