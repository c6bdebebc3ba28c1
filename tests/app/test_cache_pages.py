"""The dashboard with a cache it cannot use: pages compute without caching, never a traceback (issue 9.6)."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.playerstate import panel

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.usefixtures("bundled")


def test_map_page_works_when_the_cache_folder_cannot_be_created(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("TERRITORY_CACHE_DIR", str(blocker / "cache"))
    st.cache_resource.clear()  # measure again in this process, with the unusable cache
    st.cache_data.clear()
    try:
        at = AppTest.from_file(str(ROOT / "src/territory/app/main.py"), default_timeout=120).run()
        assert not at.exception, [e.message for e in at.exception]
        assert panel(at)["actor"] == "Islamic State" and panel(at)["held"] is not None  # the player's key numbers
    finally:
        st.cache_resource.clear()
        st.cache_data.clear()
