"""Borders that don't take sides silently: the map draws the outline the shares divide by, and says so."""

from __future__ import annotations

import pytest
import shapely

from territory.area import area_km2
from territory.borders import default_world, differences, note
from tests.ukraine_style import make_archive

CRIMEA = shapely.Point(34.1, 45.3)


@pytest.fixture(scope="module")
def ua_analysis(tmp_path_factory):
    from territory.analysis import Analysis
    from territory.datasets import load_dataset
    from territory.io.options import LoadOptions

    folder = tmp_path_factory.mktemp("ua_borders") / "snapshots"
    make_archive(folder, 20)
    return Analysis.from_paths(load_dataset(folder, LoadOptions(actor="Occupied")), use_cache=False)


def test_bare_history_countries_put_no_land_in_two_countries(ua_analysis):
    countries = ua_analysis.dataset.countries
    assert countries[countries.contains(CRIMEA)]["name"].tolist() == ["Ukraine"]
    # The default 50m layer does draw Crimea in Russia: that is what the merge corrects.
    world = default_world()
    assert world[world.contains(CRIMEA)]["name"].tolist() == ["Russia"]
    ukraine = countries.loc[countries["name"] == "Ukraine", "geometry"].iloc[0]
    russia = countries.loc[countries["name"] == "Russia", "geometry"].iloc[0]
    assert area_km2([shapely.intersection(ukraine, russia)])[0] < 1.0


def test_note_names_and_measures_the_disputed_land(ua_analysis):
    den = ua_analysis.denominators()[0]
    assert den.region == "Ukraine"
    diffs = differences(den)
    assert [d.other for d in diffs] == ["Russia"] and diffs[0].name == "Crimea and Sevastopol"
    world = default_world()
    russia = world.loc[world["name"] == "Russia", "geometry"].iloc[0]
    pieces = shapely.get_parts(shapely.intersection(den.geometry, russia))
    km2 = area_km2(pieces)
    assert diffs[0].km2 == pytest.approx(km2.max(), rel=1e-9)  # the one big piece, measured
    text = note(den)
    assert "Crimea and Sevastopol" in text and f"{diffs[0].km2:,.0f} km²" in text and "Russia" in text


def test_bundled_outlines_differ_only_by_generalisation(bundled):
    for den in bundled.denominators():
        assert differences(den) == [], den.label
        assert note(den).startswith("Borders: Natural Earth (")


def test_export_source_line_states_the_convention(ua_analysis, tmp_path):
    from territory.export.facts import source_line
    from territory.export.mapview import save_map

    line = source_line(ua_analysis)
    assert "Crimea and Sevastopol" in line and "shown in Russia" in line
    out = save_map(ua_analysis, ua_analysis.dates[-1], tmp_path / "map.svg", width=1600, height=1000)
    svg = out.read_text(encoding="utf-8")
    assert "Crimea and Sevastopol" in svg
    # The report map draws Crimea inside Ukraine's border and not inside Russia's.
    from pyproj import Transformer

    from territory.export.geometry import display_for

    disp = display_for(ua_analysis)
    x, y = Transformer.from_crs("EPSG:4326", disp.crs, always_xy=True).transform(CRIMEA.x, CRIMEA.y)
    holders = [n for g, n in zip(disp.borders, disp.border_names, strict=True) if shapely.contains_xy(g, x, y)]
    assert holders == ["Ukraine"]


def test_report_map_leads_with_land_and_draws_oblasts(ua_analysis):
    from territory.export.geometry import display_for
    from territory.keynumbers import KeyNumberSource

    day = ua_analysis.dates[-1]
    kn = KeyNumberSource(ua_analysis).on(day)
    lines = kn.lines()
    assert lines[0] == f"{kn.area_in_region_km2:,.0f} km² held in Ukraine"
    assert lines[1] == f"+ {kn.held_km2 - kn.area_in_region_km2:,.0f} km² outside it (sea, neighbours)"
    stats = ua_analysis.stats(kn.denominator)
    row = stats[(stats["date"] == day) & (stats["status"] == "controlled")].iloc[0]
    assert kn.area_in_region_km2 == pytest.approx(row["area_in_region_km2"], rel=1e-9)
    # A bare history's report map draws the bundled oblast lines around it.
    assert len(display_for(ua_analysis).regions) > 0
