"""Region breakdown on data we did not ship: a generated Ukraine-style archive and a user's district layer."""

from __future__ import annotations

import io
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from territory.area import area_km2, geod_area_km2, to_equal_area
from territory.regions import TABLE_COLUMNS, bundled_admin1, read_region_layer, sample_dates
from territory.report import LoadError
from tests.cli_run import run_cli as run
from tests.filecompare import file_difference
from tests.ukraine_style import archive_fixtures, district_grid, make_district_layer

ROOT = Path(__file__).resolve().parents[2]

DAYS = 120
ua, ua_analysis = archive_fixtures(DAYS)


def table(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text))


@pytest.fixture(scope="module")
def districts(tmp_path_factory):
    path = tmp_path_factory.mktemp("layer") / "districts.gpkg"
    make_district_layer(path)
    return path


def test_bundled_admin1_tiles_each_country_outline():
    """Ukraine's units, Crimea included, cover exactly the outline its percentages divide by."""
    countries = gpd.read_file(ROOT / "geodata/naturalearth/countries.geojson")
    for country in ("Ukraine", "Syria", "Iraq"):
        layer = bundled_admin1([country])
        outline = countries.loc[countries["name"] == country, "geometry"].iloc[0]
        union = shapely.union_all(layer.geometry)
        # Everything in the outline is in some region, and no region leaves it (to within 0.3%: the
        # Syrian UNDOF strip is not a governorate; Natural Earth layers differ by slivers elsewhere).
        gap = area_km2([shapely.difference(outline, union)])[0]
        spill = area_km2([shapely.difference(union, outline)])[0]
        total = area_km2([outline])[0]
        assert gap / total < 3e-3 and spill / total < 1e-4, (country, gap, spill)
    ukraine = bundled_admin1(["Ukraine"])
    assert len(ukraine) == 26 and "Crimea and Sevastopol" in ukraine.names
    assert len(set(ukraine.names)) == len(ukraine.names)  # Kyiv city and oblast told apart


def test_bundled_admin1_is_rebuilt_from_its_sources(tmp_path, monkeypatch):
    """The committed admin1.parquet is what scripts/build_admin1.py makes (rows, names, geometry)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_admin1", ROOT / "scripts/build_admin1.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    monkeypatch.setattr(mod, "OUT", tmp_path / "admin1.parquet")
    mod.main()
    assert file_difference(tmp_path / "admin1.parquet", ROOT / "geodata/naturalearth/admin1.parquet") is None


def test_country_without_admin1_falls_back_to_its_outline():
    from territory.datasets import countries_for_bare_histories

    layer = bundled_admin1(["Ukraine", "Moldova"], countries_for_bare_histories())
    assert "Moldova" in layer.names
    i = layer.names.index("Moldova")
    assert "no admin-1" in layer.sources[i]


def test_region_table_sums_to_the_area_inside_the_country(ua_analysis):
    """Oblasts tile Ukraine: an actor's km² summed over them is its km² inside Ukraine (stats)."""
    an = ua_analysis
    days = an.dates[:: DAYS // 4]
    t = an.regions_table(days)
    assert list(t.columns) == TABLE_COLUMNS
    assert t["actor"].notna().all() and (t["actor"] != "").all()
    assert set(t["country"]) == {"Ukraine"}
    den = an.denominators()[0]
    stats = an.stats(den)
    for day in days:
        inside = stats.loc[(stats["date"] == day) & (stats["status"] == "controlled"), "area_in_region_km2"].iloc[0]
        assert t.loc[t["date"] == day, "area_km2"].sum() == pytest.approx(inside, rel=1e-4)
    np.testing.assert_allclose(t["pct_of_region"], 100 * t["area_km2"] / t["region_km2"])
    assert (t["pct_of_region"] <= 100 + 1e-6).all()


def test_user_layer_in_a_projected_crs(ua_analysis, districts):
    layer = read_region_layer(districts, "district_name")
    grid = district_grid()
    assert layer.names == grid["district_name"].tolist()
    # Region areas are ellipsoidal: checked against pyproj.Geod on the same lon/lat cells.
    np.testing.assert_allclose(layer.km2, geod_area_km2(grid.geometry), rtol=1e-3)
    day = ua_analysis.dates[10]
    t = ua_analysis.regions_at(day, layer=layer)
    snap = ua_analysis.measured
    s = snap.snapshots
    i = int(np.flatnonzero((s["date"] == day).to_numpy())[0])
    cells = to_equal_area(grid.to_crs(4326).geometry)
    expected = shapely.area(shapely.intersection(cells, snap.geometry[i])) / 1e6
    got = t.set_index("region").loc[grid["district_name"], "area_km2"].to_numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=0.05)
    assert set(t["region_source"]) == {"districts.gpkg (your layer), measured"}


def test_region_name_column_guessed_chosen_and_refused(tmp_path, districts):
    guessed = read_region_layer(districts)  # 'district_name' is the only text column with unique values
    assert guessed.name_column == "district_name"
    with pytest.raises(LoadError) as exc:
        read_region_layer(districts, "oblast")
    p = exc.value.report.errors[0]
    assert p.field == "oblast" and "district_name" in p.message and "--region-name" in p.hint


def test_region_layer_without_polygons_is_refused(tmp_path):
    pts = tmp_path / "towns.geojson"
    gpd.GeoDataFrame({"name": ["a", "b"]}, geometry=[shapely.Point(36, 48), shapely.Point(37, 48)],
                     crs=4326).to_file(pts)
    with pytest.raises(LoadError) as exc:
        read_region_layer(pts)
    assert any(p.code == "no-polygons" for p in exc.value.report.errors)


def test_duplicate_region_names_are_told_apart(tmp_path):
    path = tmp_path / "dups.geojson"
    gpd.GeoDataFrame({"name": ["Nova", "Nova"], "country": ["A", "B"]},
                     geometry=[shapely.box(36, 48, 37, 49), shapely.box(37, 48, 38, 49)], crs=4326).to_file(path)
    layer = read_region_layer(path)
    assert layer.names == ["Nova (A)", "Nova (B)"]
    assert any(p.code == "region-duplicate" for p in layer.report.warnings)


def test_sample_dates():
    changes = list(pd.date_range("2022-03-01", "2022-06-10"))
    months = sample_dates(changes, every="month")
    assert [d.date().isoformat() for d in months] == ["2022-03-31", "2022-04-30", "2022-05-31", "2022-06-10"]
    assert sample_dates(changes, "2022-04-15", "2022-04-17") == list(pd.date_range("2022-04-15", "2022-04-17"))
    with pytest.raises(ValueError, match="swap"):
        sample_dates(changes, "2022-05-01", "2022-04-01")


def test_cli_donetsk_month_by_month(ua):
    code, out, err = run("regions", str(ua), "--actor", "Occupied", "--region-filter", "donetsk",
                         "--every", "month", "--no-cache")
    assert code == 0, err
    t = table(out)
    assert set(t["region"]) == {"Donetsk"} and set(t["actor"]) == {"Occupied"}
    last = (pd.Timestamp("2022-03-01") + pd.Timedelta(days=DAYS - 1)).date().isoformat()
    assert t["date"].tolist() == ["2022-03-31", "2022-04-30", "2022-05-31", last]
    # Each month's figure is the one-date command's figure for that day.
    code, one, _ = run("regions", str(ua), "--actor", "Occupied", "--date", "2022-04-30", "--no-cache")
    single = table(one).set_index("region").loc["Donetsk"]
    assert t.set_index("date").loc["2022-04-30", "area_km2"] == pytest.approx(single["area_km2"])
    # The generated front moves east every day: Donetsk's occupied share shrinks month by month.
    assert t["pct_of_region"].is_monotonic_decreasing and t["pct_of_region"].iloc[0] > 0


def test_cli_user_layer_json_and_usage_errors(ua, districts):
    code, out, err = run("regions", str(ua), "--actor", "Occupied", "--date", "2022-04-01",
                         "--regions", str(districts), "--region-name", "district_name", "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert {r["region"] for r in rows} == set(district_grid()["district_name"])
    assert run("regions", str(ua), "--actor", "Occupied", "--date", "2022-04-01", "--every", "month")[0] == 2
    code, _, err = run("regions", str(ua), "--actor", "Occupied", "--region-filter", "Atlantis")
    assert code == 2 and "Donetsk" in err  # the message lists real regions
    code, _, err = run("regions", str(ua), "--actor", "Occupied", "--regions", str(districts), "--region-name", "x")
    assert code == 1 and "district_name" in err
    code, _, err = run("regions", str(ua), "--actor", "Occupied", "--held-by", "Nobody")
    assert code == 2 and "Occupied" in err
    code, out, err = run("regions", str(ua), "--actor", "Occupied", "--date", "2021-01-01")
    assert code == 0 and out.startswith("region,country") and "the data runs from 2022-03-01" in err


def test_bundled_regions_unchanged(bundled):
    """The bundled dataset keeps its governorates (its own region layer) and its numbers."""
    code, out, err = run("regions", "--date", "2015-06-01")
    assert code == 0, err
    t = table(out)
    assert len(set(t["region"])) == 32 and t["actor"].notna().all()
    is_ = t[t["actor"] == "Islamic State"]
    assert is_["area_km2"].sum() > 0


def _write(grid: gpd.GeoDataFrame, fmt: str, folder: Path) -> Path:
    if fmt == "shp.zip":
        import zipfile

        shp = folder / "shp"
        shp.mkdir()
        grid.rename(columns={"district_name": "district"}).to_file(shp / "districts.shp", engine="pyogrio")
        out = folder / "districts.zip"
        with zipfile.ZipFile(out, "w") as zf:
            for f in sorted(shp.iterdir()):
                zf.write(f, f.name)
        return out
    if fmt == "csv":
        out = folder / "districts.csv"
        pd.DataFrame({"district_name": grid["district_name"], "wkt": grid.geometry.to_wkt()}).to_csv(out, index=False)
        return out
    if fmt == "parquet":
        out = folder / "districts.parquet"
        grid.to_parquet(out)
        return out
    if fmt == "kml":
        out = folder / "districts.kml"
        grid.rename(columns={"district_name": "Name"})[["Name", "geometry"]].to_file(out, driver="KML", engine="pyogrio")
        return out
    raise AssertionError(fmt)


@pytest.mark.parametrize("fmt", ["shp.zip", "csv", "parquet", "kml"])
def test_region_layer_in_every_format_the_loaders_read(tmp_path, fmt):
    grid = district_grid()
    layer = read_region_layer(_write(grid, fmt, tmp_path))
    assert sorted(layer.names) == sorted(grid["district_name"])
    np.testing.assert_allclose(sorted(layer.km2), sorted(geod_area_km2(grid.geometry)), rtol=1e-3)


def test_share_of_an_oblast_and_an_oblast_claim_on_a_bare_history(ua, tmp_path):
    """--region Donetsk divides by the bundled oblast; a claim about Donetsk is checked against it."""
    code, out, err = run("stats", str(ua), "--actor", "Occupied", "--region", "Donetsk", "--no-cache")
    assert code == 0, err
    t = table(out)
    assert set(t["region"]) == {"Donetsk"}
    code, one, _ = run("regions", str(ua), "--actor", "Occupied", "--date", "2022-04-30", "--region-filter", "Donetsk")
    row = t[t["date"] == "2022-04-30"].iloc[0]
    assert row["pct_of_region"] == pytest.approx(table(one)["pct_of_region"].iloc[0], rel=1e-9)
    claims = tmp_path / "claims.csv"
    pct = round(float(row["pct_of_region"]))
    claims.write_text("date,actor,claimant,metric,value,unit,baseline,region,quote,source\n"
                      f"2022-04-30,Occupied,Analyst,percent_held,{pct},percent,Donetsk,Donetsk,"
                      f"\"holds {pct}% of Donetsk oblast\",test\n", encoding="utf-8")
    code, out, err = run("claims", str(ua), str(claims), "--actor", "Occupied", "--no-cache")
    assert code == 0, err
    verdict = table(out)["verdict"].iloc[0]
    assert verdict == "consistent"


def test_a_manifests_own_region_layer_is_named_as_such_not_natural_earth(tmp_path):
    """A user's dataset.json naming its districts: denominators and region tables cite that file."""
    from territory.analysis import Analysis
    from territory.datasets import load_dataset

    grid = district_grid()
    grid.to_file(tmp_path / "districts.geojson", engine="pyogrio")
    held = grid.iloc[[0]].assign(date="2022-03-01", actor="Occupied")[["date", "actor", "geometry"]]
    held.to_file(tmp_path / "history.geojson", engine="pyogrio")
    (tmp_path / "dataset.json").write_text(json.dumps({
        "title": "Districts test", "history": "history.geojson", "regions": "districts.geojson",
        "region": grid["district_name"].iloc[0]}), encoding="utf-8")
    ds = load_dataset(tmp_path)  # no column the loader knows names the districts: said, layer not used
    assert ds.regions is None
    assert [(p.file, p.field, p.code) for p in ds.report.warnings] == [("dataset.json", "regions", "regions-no-name")]
    assert "region_name_column" in ds.report.warnings[0].hint
    (tmp_path / "dataset.json").write_text(json.dumps({
        "title": "Districts test", "history": "history.geojson", "regions": "districts.geojson",
        "region_name_column": "district_name", "region": grid["district_name"].iloc[0]}), encoding="utf-8")
    an = Analysis.from_paths(load_dataset(tmp_path), use_cache=False)
    assert an.dataset.regions_source == "region layer districts.geojson"
    d = an.denominators()[0]
    assert d.source == "region layer districts.geojson, measured" and "Natural Earth" not in d.label
    assert set(an.region_layer().frame()["region_source"]) == {"region layer districts.geojson, measured"}
    (tmp_path / "dataset.json").write_text(json.dumps({
        "title": "Districts test", "history": "history.geojson", "regions": "districts.geojson",
        "regions_source": "District outlines, State Statistics Service 2020", "region_name_column": "district_name",
        "region": grid["district_name"].iloc[0]}), encoding="utf-8")
    an = Analysis.from_paths(load_dataset(tmp_path), use_cache=False)
    assert an.denominators()[0].source == "District outlines, State Statistics Service 2020, measured"


def test_the_bundled_region_layer_is_cited_as_natural_earth():
    from territory.analysis import Analysis
    from territory.datasets import bundled_path, load_dataset

    an = Analysis.from_paths(load_dataset(bundled_path()))
    assert an.dataset.regions_source == "Natural Earth admin-1 outline"


def test_a_claim_gets_one_figure_however_the_snapshots_are_packaged(ua, ua_analysis, tmp_path):
    """The bare folder and the same snapshots under a dataset.json naming "region": "Ukraine" give the same km²
    and share for "holds 20% of Ukraine": the land inside Ukraine's outline, as the map headline (issue 18.2)."""
    import shutil

    from territory.keynumbers import KeyNumberSource

    pack = tmp_path / "pack"
    shutil.copytree(ua, pack / "snapshots")
    (pack / "dataset.json").write_text(json.dumps({"history": "snapshots", "region": "Ukraine"}), encoding="utf-8")
    claims = tmp_path / "claims.csv"
    claims.write_text("date,actor,metric,value,unit,baseline\n2022-03-15,Occupied,percent_held,20,percent,Ukraine\n",
                      encoding="utf-8")
    rows = []
    for where in (ua, pack):
        code, out, err = run("claims", str(where), str(claims), "--actor", "Occupied", "--no-cache")
        assert code == 0, err
        rows.append(table(out).iloc[0])
    assert rows[0]["computed_km2"] == pytest.approx(rows[1]["computed_km2"], rel=1e-9)
    assert rows[0]["computed_pct"] == pytest.approx(rows[1]["computed_pct"], rel=1e-9)
    assert all("land inside the Ukraine outline" in r["basis"] for r in rows)
    headline = KeyNumberSource(ua_analysis).on("2022-03-15")
    assert headline.denominator.region == "Ukraine" and headline.land_only
    assert rows[0]["computed_km2"] == pytest.approx(headline.headline_km2, rel=1e-6)


def test_a_bare_history_is_placed_in_the_country_holding_most_of_it(ua_analysis):
    """Stray polygons far away (a quarter of the footprint, in Russia) no longer make the region "Russia+Ukraine";
    the map page says how the region was found (issue 18.10)."""
    from dataclasses import replace

    from territory.analysis import Analysis
    from territory.model import canonical

    h = ua_analysis.dataset.history
    far = h.assign(geometry=shapely.box(60, 55, 63, 58))  # ~64,000 km² near Yekaterinburg on every date
    an = Analysis.of(replace(ua_analysis.dataset, history=canonical(pd.concat([h, far], ignore_index=True))))
    shares = dict(an._region_guess)
    assert shares["Russia"] >= 0.2  # the old rule (every country with 20%) would have joined it
    assert an.region_name() == "Ukraine"
    basis = an.region_basis()
    assert basis.startswith("Ukraine: the country holding most of the area") and "Russia" in basis
    assert ua_analysis.region_basis().startswith("Ukraine: ")
