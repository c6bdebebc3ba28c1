"""The Data page does what the CLI does: status, file date, column mapping, alias table, a claims ledger alone;
a refused file leaves the uploader empty and the loaded data untouched; hints name the page's fields."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from streamlit.testing.v1 import AppTest

from territory.app import MAIN_SCRIPT, page_path
from territory.datasets import bundled_path
from territory.ui.shell import PAGE_WORDING

DATA = page_path("data")

pytestmark = pytest.mark.usefixtures("bundled")


def data_page() -> AppTest:
    at = AppTest.from_file(str(MAIN_SCRIPT), default_timeout=120).run()
    at.switch_page(str(DATA)).run()
    assert not at.exception
    return at


def uploader(at: AppTest, which: str):
    """The page's uploaders in order: history files, claims ledger, alias table."""
    return at.get("file_uploader")[("files", "claims", "aliases").index(which)]


def submit(at: AppTest) -> AppTest:
    at = next(b for b in at.button if b.label == "Load and validate").click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def geojson(frame: gpd.GeoDataFrame, tmp_path: Path, name: str) -> tuple[str, bytes, str]:
    p = tmp_path / name
    frame.to_file(p)
    return (name, p.read_bytes(), "application/geo+json")


def test_fields_map_columns_aliases_status_and_date(tmp_path):
    """German column names, two spellings of one actor, no status column: fixed with the page's fields."""
    g = gpd.GeoDataFrame({"Datum": ["2022-03-01", "2022-04-01"], "Partei": ["Окуповано /// occ", "OCC "]},
                         geometry=[shapely.box(30, 46, 32, 48), shapely.box(30, 46, 33, 48)], crs=4326)
    aliases = b"alias,name\nocc,Occupied\n"
    at = data_page()
    uploader(at, "files").set_value(geojson(g, tmp_path, "front.geojson"))
    at.text_input(key="upload_col_date").set_value("Datum")
    at.text_input(key="upload_col_actor").set_value("Partei")
    at.selectbox(key="upload_status").set_value("contested")
    uploader(at, "aliases").set_value(("aliases.csv", aliases, "text/csv"))
    at = submit(at)
    assert at.session_state["source"] == "uploaded"
    an = at.session_state["uploaded"]
    assert an.dataset.actors == ["Occupied"]
    assert set(an.dataset.history["status"]) == {"contested"}
    assert [d.date().isoformat() for d in an.dates] == ["2022-03-01", "2022-04-01"]
    assert not uploader(at, "files").value and not uploader(at, "aliases").value  # emptied after a load
    assert at.text_input(key="upload_col_date").value == "Datum"  # the fields keep their values


def test_file_date_field_dates_an_undated_file(tmp_path):
    g = gpd.GeoDataFrame({"actor": ["Occupied"]}, geometry=[shapely.box(30, 46, 32, 48)], crs=4326)
    at = data_page()
    uploader(at, "files").set_value(geojson(g, tmp_path, "latest.geojson"))
    at.date_input(key="upload_file_date").set_value(dt.date(2023, 5, 1))
    at = submit(at)
    an = at.session_state["uploaded"]
    assert [d.date() for d in an.dates] == [dt.date(2023, 5, 1)]


def test_refused_file_leaves_the_uploader_and_the_data(tmp_path):
    """A property-less snapshot without the Actor field: refused, hint names the field, nothing lost."""
    g = gpd.GeoDataFrame(geometry=[shapely.box(30, 46, 32, 48)], crs=4326)
    at = data_page()
    uploader(at, "files").set_value(geojson(g, tmp_path, "2022-03-01.geojson"))
    at.selectbox(key="upload_status").set_value("contested")
    at = submit(at)
    assert any("Refused" in e.value and "still loaded" in e.value for e in at.error)
    assert not uploader(at, "files").value, "the refused file is still in the uploader"
    assert "uploaded" not in at.session_state and at.session_state["source_choice"] == "Bundled data"
    assert at.selectbox(key="upload_status").value == "contested"
    report = at.session_state["upload_report"]
    hints = " ".join(r["hint"] for r in report)
    assert PAGE_WORDING["actor"] in hints
    assert "--" not in hints and "{opt:" not in hints
    shown = at.dataframe[-1].value
    assert "what to do" in shown.columns and PAGE_WORDING["actor"] in " ".join(shown["what to do"])


def test_bad_alias_table_is_refused_with_its_name(tmp_path):
    g = gpd.GeoDataFrame({"date": ["2022-03-01"], "actor": ["A"]}, geometry=[shapely.box(30, 46, 32, 48)], crs=4326)
    at = data_page()
    uploader(at, "files").set_value(geojson(g, tmp_path, "a.geojson"))
    uploader(at, "aliases").set_value(("names.csv", b"from,to\nx,y\n", "text/csv"))
    at = submit(at)
    assert any("alias table" in e.value for e in at.error)
    assert at.session_state["upload_report"][0]["file"] == "names.csv"
    assert "uploaded" not in at.session_state


def test_claims_ledger_alone_is_checked_against_the_data_shown(bundled):
    ledger = pd.read_csv(bundled_path() / "claims.csv", dtype=str, keep_default_na=False).head(3)
    buf = io.StringIO()
    ledger.to_csv(buf, index=False)
    at = data_page()
    day = at.session_state["_date"]
    uploader(at, "claims").set_value(("three.csv", buf.getvalue().encode(), "text/csv"))
    at = submit(at)
    assert at.session_state["_date"] == day  # same data: the view is kept
    assert any("Checked 3 claim(s)" in s.value for s in at.success)
    an = at.session_state["uploaded"]
    assert an.dataset.title == bundled.dataset.title and an.dates == bundled.dates
    table = an.claims()
    assert len(table) == 3 and set(table["id"]) == set(ledger["id"])
    # The Claims page now shows these three rows.
    at.switch_page(str(page_path("claims"))).run()
    assert not at.exception
    assert len(at.dataframe[0].value) == 3


def test_claims_ledger_alone_takes_the_upload_slot(bundled, monkeypatch):
    """A claims-only upload waits for the server's one upload slot like any other (issue 17.5): while
    another upload holds it, it is refused as busy and the data shown stays."""
    from territory.ui import shell

    ledger = pd.read_csv(bundled_path() / "claims.csv", dtype=str, keep_default_na=False).head(3)
    buf = io.StringIO()
    ledger.to_csv(buf, index=False)
    at = data_page()
    monkeypatch.setattr(shell, "UPLOAD_WAIT_S", 0.2)
    sem = shell._upload_semaphore()
    assert sem.acquire(timeout=5)  # another session's upload is being read
    try:
        uploader(at, "claims").set_value(("three.csv", buf.getvalue().encode(), "text/csv"))
        at = submit(at)
    finally:
        sem.release()
    assert not any("Checked 3 claim(s)" in s.value for s in at.success)
    assert any("reading another upload" in str(r) for r in at.session_state["upload_report"])
    assert "uploaded" not in at.session_state  # the data shown is unchanged


def test_a_problem_in_every_uploaded_file_is_one_row(tmp_path):
    """Five property-less snapshots without the Actor field: one row naming the files, not five."""
    g = gpd.GeoDataFrame(geometry=[shapely.box(30, 46, 32, 48)], crs=4326)
    at = data_page()
    uploader(at, "files").set_value([geojson(g, tmp_path, f"2022-03-0{i}.geojson") for i in range(1, 6)])
    at = submit(at)
    assert any("Refused" in e.value for e in at.error)
    report = at.session_state["upload_report"]
    assert len(report) == 1
    assert report[0]["file"] == "5 files (2022-03-01.geojson, 2022-03-02.geojson, 2022-03-03.geojson, …)"
