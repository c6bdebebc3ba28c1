"""Heavy uploads on a shared server (issue 9.4): one at a time, caps tighter than the CLI's, progress shown."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from streamlit.testing.v1 import AppTest

from territory.ui import shell
from tests.appnav import open_page

pytestmark = pytest.mark.usefixtures("bundled")


def _file(tmp_path, name="mine.geojson"):
    g = gpd.GeoDataFrame({"date": ["2022-03-01"], "actor": ["Occupied"]}, geometry=[shapely.box(30, 46, 32, 48)],
                         crs=4326)
    g.to_file(tmp_path / name)
    return (name, (tmp_path / name).read_bytes(), "application/geo+json")


def _submit(at: AppTest) -> AppTest:
    at = next(b for b in at.button if b.label == "Load and validate").click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_upload_while_another_is_read_is_refused_and_data_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(shell, "UPLOAD_WAIT_S", 0.1)
    at = open_page("data")
    at.get("file_uploader")[0].set_value(_file(tmp_path))
    sem = shell._upload_semaphore()
    assert sem.acquire(timeout=5)  # another session is reading a heavy upload
    try:
        at = _submit(at)
    finally:
        sem.release()
    assert "source" not in at.session_state or at.session_state["source"] != "uploaded"
    assert any("another upload" in str(r["message"]) for r in at.session_state["upload_report"])
    at.get("file_uploader")[0].set_value(_file(tmp_path))  # the slot is free again: loads
    at = _submit(at)
    assert at.session_state["source"] == "uploaded"


def test_an_upload_over_the_upload_cap_is_refused_with_the_cap_named(tmp_path, monkeypatch):
    from territory.io import options

    monkeypatch.setitem(options.UPLOAD_LIMITS, "max_vertices", 4)
    at = open_page("data")
    at.get("file_uploader")[0].set_value(_file(tmp_path))
    at = _submit(at)
    assert "source" not in at.session_state or at.session_state["source"] != "uploaded"
    assert any("max_vertices" in str(r["message"]) for r in at.session_state["upload_report"])
