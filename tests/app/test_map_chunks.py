"""The map page hands the player its geometry in chunks when the payload is over the inline budget (AppTest)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from territory.playerchunks import join_payload, read_chunk
from territory.ui import player_component as pc
from tests.playerstate import player_args, stop_at

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.usefixtures("bundled")


def test_over_the_budget_the_page_sends_dates_and_numbers_inline_and_geometry_in_served_chunks(monkeypatch):
    monkeypatch.setenv(pc.INLINE_ENV, "100000")
    at = AppTest.from_file(str(ROOT / "src/territory/app/main.py"), default_timeout=120).run()
    assert not at.exception, [e.message for e in at.exception]
    args = player_args(at)
    payload = args["payload"]
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
    assert again["payload_id"] == args["payload_id"] and again["payload"]["chunks"] == spec
    assert all((pc.CHUNK_DIR / name).is_file() for name in files)


def test_under_the_budget_the_page_is_as_before(monkeypatch):
    monkeypatch.delenv(pc.INLINE_ENV, raising=False)
    at = AppTest.from_file(str(ROOT / "src/territory/app/main.py"), default_timeout=120).run()
    args = player_args(at)
    assert args["chunk_base"] is None and "chunks" not in args["payload"]
    assert all(f["g"] for f in args["payload"]["features"])
