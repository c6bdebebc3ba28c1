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
