"""Every page under Streamlit's AppTest: no exception, numbers react to the date, uploads are safe."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from streamlit.testing.v1 import AppTest

from tests.playerstate import panel, player_args, player_payload, step, stop_at

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["src/territory/app/main.py", "pages/compare.py", "pages/claims.py", "pages/regions.py", "pages/data.py",
         "pages/export.py"]

pytestmark = pytest.mark.usefixtures("bundled")


def run_page(path: str, **state) -> AppTest:
    at = AppTest.from_file(str(ROOT / path), default_timeout=120)
    for k, v in state.items():
        at.session_state[k] = v
    return at.run()


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_without_exception(page):
    at = run_page(page)
    assert not at.exception, [e.message for e in at.exception]


def test_map_page_labels_reconstruction_and_shows_map():
    at = run_page("src/territory/app/main.py")
    assert any("Illustrative reconstruction" in w.value for w in at.warning)
    args = player_args(at)
    payload = player_payload(at)
    assert "Islamic State" in [a["name"] for a in payload["actors"]] and payload["features"]
    assert payload["dates"][args["index"]] == at.session_state["date"]  # the map opens on the page's date
    assert args["tiles"] is None  # offline: the basemap travels in the payload, no tile server
    # The page says what the browser holds: every date, each polygon once.
    assert args["note"].startswith(f"In your browser: {len(payload['dates'])} dates, {len(payload['features'])} polygons")


def test_map_page_names_the_partial_actors():
    """Actors the bundled model leaves partial are named, with why, in the sidebar."""
    from territory.datasets import load_dataset
    from territory.ui.mapview import md_text

    partial = load_dataset().partial
    at = run_page("src/territory/app/main.py")
    shown = " ".join(m.value for m in at.sidebar.markdown)  # data text, markup characters as references
    assert partial and all(f"**{md_text(actor)}**: {md_text(note)}" in shown for actor, note in partial.items())


def test_a_stop_moves_the_page_not_the_player():
    """The player's one report per stop becomes the page's date; its arguments stay (no payload resent)."""
    at = run_page("src/territory/app/main.py")
    first = player_args(at)
    dates = player_payload(at)["dates"]
    i = dates.index(at.session_state["date"])
    day = dates[i - 3 if i >= 3 else i + 3]
    at = stop_at(at, day)
    assert not at.exception
    assert at.session_state["date"] == day and at.query_params["date"] in (day, [day])
    second = player_args(at)
    assert second == first  # same payload, same index: the browser already shows the date
    assert any(b.label == f"⬇ Download the map of {day} (PNG)" for b in at.get("download_button"))


def test_numbers_differ_between_dates_and_name_the_region():
    at = run_page("src/territory/app/main.py")
    dates = player_payload(at)["dates"]
    early, late = panel(at, dates[5]), panel(at, dates[-3])
    assert early["held"] != late["held"]
    assert late["den"]["region"] and late["pct_region"] is not None  # the region share names its region


def test_prev_and_next_steps_move_the_date():
    at = run_page("src/territory/app/main.py")
    before = at.session_state["date"]
    at = step(at, -1)
    assert at.session_state["date"] < before
    at = step(at, 1)
    assert at.session_state["date"] == before


def test_date_from_url_query_param():
    at = AppTest.from_file(str(ROOT / "src/territory/app/main.py"), default_timeout=120)
    at.query_params["date"] = "2016-07-04"
    at.run()
    assert at.session_state["date"] == "2016-07-04"


def test_claims_page_lists_the_story_claims():
    at = run_page("pages/claims.py")
    table = at.dataframe[0].value
    assert len(table) >= 40
    assert {"consistent", "overstated"} & set(table["verdict"])


def _geojson_bytes(tmp_path: Path) -> bytes:
    g = gpd.GeoDataFrame({"date": ["2022-03-01", "2022-04-01"], "actor": ["Occupied", "Occupied"]},
                         geometry=[shapely.box(30, 46, 32, 48), shapely.box(30, 46, 33, 48)], crs=4326)
    p = tmp_path / "mine.geojson"
    g.to_file(p)
    return p.read_bytes()


def test_upload_good_then_bad_keeps_previous_data(tmp_path):
    at = run_page("src/territory/app/main.py")
    at.switch_page(str(ROOT / "pages/data.py")).run()
    at.get("file_uploader")[0].set_value(("mine.geojson", _geojson_bytes(tmp_path), "application/geo+json"))
    at = _submit(at)
    assert not at.exception
    assert at.session_state["source"] == "uploaded"
    uploaded = at.session_state["uploaded"]
    assert uploaded.dataset.actors == ["Occupied"]
    # The uploader was emptied: the next file is not merged with the first.
    assert not at.get("file_uploader")[0].value
    # Now a broken file: refused with its message; the uploaded data stays.
    at.get("file_uploader")[0].set_value(("broken.geojson", b'{"type": "FeatureCollection", "features": [', "application/json"))
    at = _submit(at)
    assert not at.exception
    assert any("Refused" in e.value for e in at.error)
    report = at.session_state["upload_report"]
    assert report and report[0]["file"] == "broken.geojson"
    assert at.session_state["uploaded"] is uploaded
    # The map page now shows the uploaded data (this session only).
    at.switch_page(str(ROOT / "pages/map.py")).run()
    assert not at.exception
    assert panel(at)["actor"] == "Occupied"
    other = run_page("src/territory/app/main.py")  # a new session still sees the bundled data
    assert panel(other)["actor"] == "Islamic State"


def _submit(at: AppTest) -> AppTest:
    button = next(b for b in at.button if b.label == "Load and validate")
    return button.click().run()


@pytest.mark.parametrize("kind", ["Time-series table (CSV)", "Report map (PNG)", "Territory on the date (GeoJSON)"])
def test_export_page_prepares_a_download(kind):
    at = run_page("pages/export.py")
    at.selectbox(key="export_kind").set_value(kind).run()
    at = at.button(key="export_go").click().run()
    assert not at.exception and not at.error
    name, data, _mime = at.session_state["export_ready"]
    assert name.startswith("is_syria_iraq") and len(data) > 100
    if name.endswith(".csv"):
        assert data.startswith(b"date,actor,status")
    if name.endswith(".png"):
        assert data[:8] == b"\x89PNG\r\n\x1a\n"


def test_map_page_numbers_match_the_cli():
    """The player's key numbers are what `territory stats` prints for the same date, rounded as printed."""
    import io
    from contextlib import redirect_stdout

    import pandas as pd

    from territory.cli import main

    buf = io.StringIO()
    with redirect_stdout(buf):
        assert main(["stats", "--no-cache"]) == 0
    stats = pd.read_csv(io.StringIO(buf.getvalue()))
    at = run_page("src/territory/app/main.py")
    at = stop_at(at, "2016-07-04")
    row = stats[(stats["date"] == "2016-07-04") & (stats["actor"] == "Islamic State") & (stats["status"] == "controlled")].iloc[0]
    values = panel(at)
    # Land-only headline: the area inside the region's outline, as the table's area_in_region_km2.
    assert values["headline"] == "region" and values["den"]["region"] == "Iraq+Syria"
    assert f"{values['inside']:,} km²" == f"{row['area_in_region_km2']:,.0f} km²"
    assert f"{values['pct_peak']:.1f}%" == f"{row['pct_of_peak']:.1f}%"
    assert f"{values['pct_region']:.2f}%" == f"{row['pct_of_region']:.2f}%"


def test_hostile_labels_are_escaped_on_the_map(tmp_path):
    g = gpd.GeoDataFrame({"date": ["2022-03-01"], "actor": ["<img src=x onerror=alert(1)>"],
                          "source": ["<script>alert(2)</script>"]},
                         geometry=[shapely.box(30, 46, 32, 48)], crs=4326)
    p = tmp_path / "evil.geojson"
    g.to_file(p)
    at = run_page("src/territory/app/main.py")
    at.switch_page(str(ROOT / "pages/data.py")).run()
    at.get("file_uploader")[0].set_value(("evil.geojson", p.read_bytes(), "application/geo+json"))
    at = _submit(at)
    at.switch_page(str(ROOT / "pages/map.py")).run()
    assert not at.exception
    payload = player_payload(at)
    # Names and sources travel as data; player.js writes them with textContent only (test_player.py).
    assert [a["name"] for a in payload["actors"]] == ["<img src=x onerror=alert(1)>"]
    assert payload["features"][0]["src"] == "<script>alert(2)</script>"


def test_compare_page_with_reversed_dates_swaps_them():
    at = run_page("pages/compare.py")
    at.selectbox(key="compare_from").set_value("2017-01-01").run()
    at = at.selectbox(key="date").set_value("2015-01-01").run()
    assert not at.exception
    assert any("after" in i.value for i in at.info)


def test_claims_table_verdict_first_blank_missing_figures():
    """The verdict is the first column; a missing figure is an empty cell, not "None" or "nan"."""
    at = run_page("pages/claims.py")
    assert not at.exception
    df = at.dataframe[0].value
    data = df.data if hasattr(df, "data") else df  # a Styler: its frame
    assert data.columns[0] == "verdict"
    for col in ("implied_km2", "computed_km2", "ratio", "claimant", "quote"):
        cells = [str(v) for v in data[col]]
        assert not any(v in ("None", "nan", "NaN", "<NA>") for v in cells), col


def test_compare_page_with_one_date_says_so_and_shows_no_rate_over_zero_days():
    at = run_page("pages/compare.py")
    day = at.session_state["date"]
    at = at.selectbox(key="compare_from").set_value(day).run()
    assert not at.exception
    assert any(f"both {day}: choose another date" in i.value for i in at.info)
    assert "net_km2_per_day" not in at.dataframe[0].value.columns


def test_map_page_draws_the_chart_once_the_map_reports_it_drawn():
    """A first visit gets the map first: the chart under it follows the player's "drawn" report (component.js)."""
    at = run_page("src/territory/app/main.py")
    assert player_args(at)["report_drawn"]
    assert not at.get("vega_lite_chart")
    assert any("once the map is on screen" in c.value for c in at.caption)
    at = stop_at(at, at.session_state["date"], drawn=True)  # what the player sends once it has painted
    assert not at.exception
    # The claims about area held (the net change bars are the player's own now: netchart.js), and the caption
    # naming the command behind those bars.
    assert len(at.get("vega_lite_chart")) == 1
    assert any("territory change --every month" in c.value for c in at.caption)
    at.session_state["player"] = None  # a page switch drops the component's value: the session keeps the chart
    at.run()
    assert len(at.get("vega_lite_chart")) == 1


def test_export_page_says_when_names_have_letters_the_export_fonts_lack(tmp_path, monkeypatch):
    """Images would show boxes for these letters: the page says so before the user downloads."""
    path = tmp_path / "h.geojson"
    gpd.GeoDataFrame({"date": ["2023-04-15", "2023-10-01"], "actor": ["中国军队", "တပ်မတော်"],
                      "status": ["controlled"] * 2},
                     geometry=[shapely.box(24, 12, 27, 15), shapely.box(30, 14, 33, 17)], crs=4326).to_file(path)
    monkeypatch.setenv("TERRITORY_PATH", str(path))
    at = run_page("pages/export.py")
    assert not at.exception, [e.message for e in at.exception]
    notes = [w.value for w in at.warning if "no glyph in the export fonts" in w.value]
    assert len(notes) == 1 and "中国军队" in notes[0] and "တ" not in notes[0]


def test_outside_warning_ends_one_sentence_once_and_keeps_names_literal(tmp_path, monkeypatch):
    """'… in Central African Rep.' takes no second full stop; a region name is text, not markdown."""
    import html

    path = tmp_path / "h.geojson"
    gpd.GeoDataFrame({"date": ["2024-01-01"] * 2, "actor": ["Group A"] * 2, "status": ["controlled"] * 2},
                     geometry=[shapely.box(28, 12, 32, 16), shapely.box(20.5, 5.5, 21.5, 6.5)],  # Sudan, and the CAR
                     crs=4326).to_file(path)
    monkeypatch.setenv("TERRITORY_PATH", str(path))
    at = run_page("src/territory/app/main.py")
    assert not at.exception, [e.message for e in at.exception]
    shown = [html.unescape(w.value) for w in at.warning if "lies outside" in w.value]
    assert len(shown) == 1 and "Central African Rep." in shown[0]
    assert ".." not in shown[0] and "Rep. Not counted" in shown[0]
