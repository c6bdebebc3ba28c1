"""The map page hands the player its payload as a served file, its geometry in chunks over the inline budget (AppTest)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from territory.playerchunks import join_payload, read_chunk
from territory.ui import player_component as pc
from tests.playerstate import player_args, player_payload, stop_at

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.usefixtures("bundled")


def test_over_the_budget_the_page_sends_dates_and_numbers_inline_and_geometry_in_served_chunks(monkeypatch):
    monkeypatch.setenv(pc.INLINE_ENV, "100000")
    at = AppTest.from_file(str(ROOT / "src/territory/app/main.py"), default_timeout=120).run()
    assert not at.exception, [e.message for e in at.exception]
    args = player_args(at)
    payload = player_payload(at)
    assert args["chunk_base"] == pc.CHUNK_BASE
    spec = payload["chunks"]
    assert len(spec["list"]) >= 10 and all("g" not in f for f in payload["features"])
    assert len(payload["metrics"]["rows"]) == len(payload["dates"]) == len(payload["legend"]["rows"])
    files = {e["file"]: (pc.CHUNK_DIR / e["file"]).read_bytes() for e in spec["list"]}  # on disk, whole
    assert sum(len(read_chunk(b)[0]) for b in files.values()) == len(payload["features"])
    joined = join_payload(payload, files)
    assert all(f["g"] for f in joined["features"])
    assert "chunks of dates" in args["note"]
    # A stop re-runs the page: the same inline payload (no rebuild in the browser), the files still there.
    at = stop_at(at, payload["dates"][3])
    again = player_args(at)
    assert again["payload_id"] == args["payload_id"] and again["head"] == args["head"]
    assert player_payload(at)["chunks"] == spec
    assert all((pc.CHUNK_DIR / name).is_file() for name in [*files, args["head"]])


def test_under_the_budget_the_page_is_as_before(monkeypatch):
    monkeypatch.delenv(pc.INLINE_ENV, raising=False)
    at = AppTest.from_file(str(ROOT / "src/territory/app/main.py"), default_timeout=120).run()
    payload = player_payload(at)
    assert "chunks" not in payload
    assert all(f["g"] for f in payload["features"])


def _player_json_args(at: AppTest) -> str:
    return next(e.proto.json_args for e in at.get("component_instance") if '"payload_id"' in e.proto.json_args)


def test_the_payload_is_a_served_file_and_the_arguments_stay_small_and_stable(monkeypatch):
    """Streamlit re-sends a component's arguments on every rerun: they name the payload's file, never hold it."""
    monkeypatch.delenv(pc.INLINE_ENV, raising=False)
    at = AppTest.from_file(str(ROOT / "src/territory/app/main.py"), default_timeout=120).run()
    raw = _player_json_args(at)
    args = json.loads(raw)
    assert len(raw) < 4000, len(raw)  # the bundled payload is ~0.7 MB
    assert pc.HEAD_NAME.fullmatch(args["head"]) and args["chunk_base"] == pc.CHUNK_BASE
    body = (pc.CHUNK_DIR / args["head"]).read_bytes()
    assert args["head_bytes"] == len(body) > 100_000
    payload = json.loads(body)
    assert payload["id"] == args["payload_id"] and len(payload["dates"]) > 100
    # A stop re-runs the page: byte-identical arguments (the frame neither refetches nor rebuilds).
    at = stop_at(at, payload["dates"][3])
    assert _player_json_args(at) == raw


def test_only_our_hash_names_are_read_back():
    for bad in ("../etc/passwd", "x.json", "0" * 24 + ".json/..", ""):
        with pytest.raises(ValueError):
            pc.served_payload(bad)
