"""The Regions page and the land-only headline on data we did not ship: a generated Ukraine-style archive."""

from __future__ import annotations

import html
import io
import json
from contextlib import redirect_stdout
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from streamlit.testing.v1 import AppTest

from territory.cli import main
from tests.playerstate import panel, stop_at
from tests.ukraine_style import district_grid, make_archive, make_district_layer

ROOT = Path(__file__).resolve().parents[2]
DAYS = 60


@pytest.fixture(scope="module")
def ua(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ua_app") / "snapshots"
    make_archive(folder, DAYS)
    layer = folder.parent / "districts.gpkg"
    make_district_layer(layer)
    return folder, layer


@pytest.fixture
def on_archive(ua, monkeypatch):
    monkeypatch.setenv("TERRITORY_PATH", str(ua[0]))
    monkeypatch.setenv("TERRITORY_ACTOR", "Occupied")
    return ua


def run_page(path: str) -> AppTest:
    return AppTest.from_file(str(ROOT / path), default_timeout=180).run()


def map_args(at: AppTest) -> dict:
    maps = [e for e in at.get("component_instance") if "feature_group" in json.loads(e.proto.json_args)]
    return json.loads(maps[0].proto.json_args)


def cli_table(*argv: str) -> pd.DataFrame:
    buf = io.StringIO()
    with redirect_stdout(buf):
        assert main(list(argv)) == 0
    return pd.read_csv(io.StringIO(buf.getvalue()))


def test_regions_page_on_a_bare_archive_uses_bundled_oblasts(on_archive):
    folder, _ = on_archive
    at = run_page("pages/regions.py")
    assert not at.exception, [e.message for e in at.exception]
    day = at.session_state["date"]
    shown = at.dataframe[0].value
    assert len(shown) == 26 and "Crimea and Sevastopol" in set(shown["region"])
    # The page's shares are the CLI's.
    cli = cli_table("regions", str(folder), "--actor", "Occupied", "--date", day)
    merged = shown.merge(cli, on="region")
    assert (merged["Occupied"] - merged["pct_of_region"]).abs().max() < 1e-6
    # The choropleth names every region (labels and tooltips) and has a legend naming the actor.
    fg = map_args(at)["feature_group"]
    assert "Donetsk" in fg and "region-label" in fg and "Held by Occupied" in fg
    assert any("Share of each region held by Occupied" in m.value for m in at.markdown)


def test_region_layer_upload_with_name_column(on_archive):
    folder, layer_path = on_archive
    at = run_page("pages/regions.py")
    day = at.session_state["date"]
    at.get("file_uploader")[0].set_value(("districts.gpkg", layer_path.read_bytes(), "application/geopackage+sqlite3"))
    at.run()
    assert at.selectbox(key="region_name_col_0").value == "district_name"
    at = at.button(key="region_use").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.session_state["region_choice"] == "yours"
    shown = at.dataframe[0].value
    assert set(shown["region"]) == set(district_grid()["district_name"])
    cli = cli_table("regions", str(folder), "--actor", "Occupied", "--date", day, "--regions", str(layer_path),
                    "--region-name", "district_name")
    merged = shown.merge(cli, on="region")
    assert len(merged) == len(shown) and (merged["Occupied"] - merged["pct_of_region"]).abs().max() < 1e-6
    assert "District A1" in map_args(at)["feature_group"]
    assert any("--regions districts.gpkg --region-name district_name" in c.value for c in at.caption)


def test_refused_region_layer_keeps_the_current_one(on_archive, tmp_path):
    at = run_page("pages/regions.py")
    pts = tmp_path / "towns.geojson"
    gpd.GeoDataFrame({"name": ["a"]}, geometry=[shapely.Point(36, 48)], crs=4326).to_file(pts)
    at.get("file_uploader")[0].set_value(("towns.geojson", pts.read_bytes(), "application/geo+json"))
    at.run()
    at = at.button(key="region_use").click().run()
    assert not at.exception
    assert any("Refused: towns.geojson" in e.value for e in at.error)
    assert "region_layer" not in at.session_state
    assert len(at.dataframe[-1].value) == 26  # the report, then the table: still the bundled oblasts


def test_map_page_headline_is_land_only_and_says_what_lies_outside(on_archive):
    folder, _ = on_archive
    at = run_page("src/territory/app/main.py")
    assert not at.exception, [e.message for e in at.exception]
    day = at.session_state["date"]
    stats = cli_table("stats", str(folder), "--actor", "Occupied")
    row = stats[(stats["date"] == day) & (stats["status"] == "controlled")].iloc[0]
    values = panel(at)  # the player's key numbers: the headline is land inside Ukraine
    assert values["actor"] == "Occupied" and values["headline"] == "region" and values["den"]["region"] == "Ukraine"
    assert f"{values['inside']:,} km²" == f"{row['area_in_region_km2']:,.0f} km²"
    warning = next(html.unescape(w.value) for w in at.warning if "lies outside Ukraine" in w.value)  # as shown
    assert f"{row['area_outside_region_km2']:,.0f} km² lies outside Ukraine's outline" in warning
    assert "at sea" in warning and "in Russia" in warning  # where it lies, measured


def test_bundled_regions_page_switches_actor_and_sampling():
    at = run_page("pages/regions.py")
    assert not at.exception
    actors = at.selectbox(key="regions_actor").options
    for actor in actors[:3]:
        at = at.selectbox(key="regions_actor").set_value(actor).run()
        assert not at.exception, [e.message for e in at.exception]
    at = at.selectbox(key="regions_every").set_value("End of each year").run()
    assert not at.exception, [e.message for e in at.exception]
    assert len(at.dataframe[0].value) == 32  # the bundled governorates


def test_regions_actor_follows_the_sidebar_focus_until_picked_here():
    at = run_page("pages/regions.py")
    actors = at.selectbox(key="regions_actor").options
    assert at.selectbox(key="regions_actor").value == at.selectbox(key="focus").value
    other = next(a for a in actors if a != at.selectbox(key="focus").value)
    at = at.selectbox(key="focus").set_value(other).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.selectbox(key="regions_actor").value == other
    assert any(h.value.startswith(f"Over time: {other}") for h in at.subheader)
    third = next(a for a in actors if a != other)
    at = at.selectbox(key="regions_actor").set_value(third).run()  # a pick here stays until the focus changes
    at = at.run()
    assert at.selectbox(key="regions_actor").value == third


def test_data_page_names_the_servers_data_not_the_bundled_one(on_archive):
    at = run_page("pages/data.py")
    assert not at.exception, [e.message for e in at.exception]
    assert at.radio(key="source_choice").options[0] == "The server's data"
    shown = next(m.value for m in at.markdown if m.value.startswith("**Now showing:**"))
    assert "1 actor (Occupied)" in shown


def test_regions_chart_follows_the_maps_drawn_report():
    """A first visit gets the choropleth first; the 'Over time' chart follows the map's "drawn" report."""
    from territory.app import MAIN_SCRIPT, page_path
    from territory.ui.warmup import DRAWN_FLAG

    at = AppTest.from_file(str(MAIN_SCRIPT), default_timeout=180).run()
    day = at.session_state["date"]
    at = stop_at(at, day)  # the map page's player reported itself drawn in this session:
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")  # its charts follow
    at.switch_page(str(page_path("regions"))).run()  # but that says nothing of the Regions page's map
    assert not at.exception
    assert not at.get("arrow_vega_lite_chart") and not at.get("vega_lite_chart")
    assert any("once the map is on screen" in c.value for c in at.caption)
    at.session_state["map_regions"] = {DRAWN_FLAG: True}  # what st_folium's on_change stores from the report
    at.run()
    assert not at.exception
    assert len(at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")) == 1


def test_hostile_region_names_are_text_not_templates_or_html(on_archive, tmp_path):
    """A user's region layer names with Jinja and HTML in them: the page runs, the names stay inert."""
    grid = district_grid()
    grid["district_name"] = ["Brigade {#3}", "{{ 7*7 }}", "<img src=x onerror=alert(1)>", "{% raw %}",
                             *grid["district_name"].iloc[4:]]
    path = tmp_path / "hostile.geojson"
    grid.to_file(path, engine="pyogrio")
    at = run_page("pages/regions.py")
    at.get("file_uploader")[0].set_value(("hostile.geojson", path.read_bytes(), "application/geo+json"))
    at.run()
    at = at.selectbox(key="region_name_col_0").set_value("district_name").run()
    at = at.button(key="region_use").click().run()
    assert not at.exception, [e.message for e in at.exception]
    fg = map_args(at)["feature_group"]
    assert "<img" not in fg and "{{" not in fg and "{#" not in fg  # no markup, nothing a template reads
    assert "7*7" in fg and "Brigade" in fg  # the names are there, as text (never evaluated)
    assert set(at.dataframe[0].value["region"]) >= {"Brigade {#3}", "{{ 7*7 }}"}
