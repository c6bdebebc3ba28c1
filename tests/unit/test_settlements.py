"""Settlements: who holds each place on a date, which changed hands, the bundled gazetteer and users' layers."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
import shapely

from territory.analysis import Analysis
from territory.datasets import load_dataset
from territory.gazetteer import GAZETTEER_AGE, GAZETTEER_SOURCE, gazetteer_places, read_settlements
from territory.report import LoadError
from territory.settlements import CHANGED_COLUMNS, ON_COLUMNS, compute_holdings
from tests.cli_run import run_cli as run
from tests.conftest import make_history

#: A front in eastern Ukraine: A west of the line, B east of it; the line moves east, then west.
ROWS = [
    ("2024-01-01", "A", "controlled", shapely.box(36, 47.5, 38, 48.5)),
    ("2024-01-01", "B", "controlled", shapely.box(38, 47.5, 40, 48.5)),
    ("2024-01-10", "A", "controlled", shapely.box(36, 47.5, 39, 48.5)),
    ("2024-01-10", "B", "controlled", shapely.box(39, 47.5, 40, 48.5)),
    ("2024-02-01", "A", "controlled", shapely.box(36, 47.5, 37, 48.5)),
    ("2024-02-01", "B", "controlled", shapely.box(37, 47.5, 40, 48.5)),
    ("2024-02-01", "B", "contested", shapely.box(36.4, 47.5, 36.6, 48.5)),
]
#: Places whose holder on each date is known from the boxes above.
PLACES = "name,lat,lon,population,population_year\nWest,48,36.5,100,2001\nMid,48,37.5,300,2001\n" \
         "East,48,38.5,200,2001\nFar,45,45,50,2001\n"


@pytest.fixture
def front(tmp_path):
    hist = make_history(ROWS)
    hist["date"] = hist["date"].dt.strftime("%Y-%m-%d")
    path = tmp_path / "front.geojson"
    hist.drop(columns=[c for c in hist.columns if c == "valid_to"]).to_file(path)
    places = tmp_path / "places.csv"
    places.write_text(PLACES, encoding="utf-8")
    return path, places


def _analysis(path, places=None) -> Analysis:
    from territory.datasets import use_settlements

    ds = load_dataset(path)
    if places is not None:
        use_settlements(ds, read_settlements(places))
    return Analysis.from_paths(ds)


def test_holders_on_each_date_and_places_that_changed_hands(front):
    path, places = front
    an = _analysis(path, places)
    on = an.settlements_on("2024-01-15").set_index("name")
    assert on.loc[["West", "Mid", "East", "Far"], "actor"].tolist() == ["A", "A", "A", ""]
    on = an.settlements_on("2024-02-05").set_index("name")
    assert on.loc["West", "actor"] == "A" and on.loc["West", "status"] == "controlled"  # controlled beats contested
    assert on.loc[["Mid", "East"], "actor"].tolist() == ["B", "B"]
    assert an.settlements_on("2023-12-31")["actor"].eq("").all()  # before the data: nobody
    assert an.settlements_on("2024-02-05", actor="B")["name"].tolist() == ["Mid", "East"]  # most populous first

    moved = an.settlements_changed("2024-01-05", "2024-01-20")
    assert list(moved.columns) == CHANGED_COLUMNS
    assert moved[["name", "date", "from_actor", "to_actor"]].values.tolist() == [["East", "2024-01-10", "B", "A"]]
    moved = an.settlements_changed("2024-01-05", "2024-03-01").set_index("name")
    assert sorted(moved.index) == ["Mid"]  # East went to A and back to B: the same hands at both ends
    assert moved.loc["Mid", "date"] == "2024-02-01" and moved.loc["Mid", "from_actor"] == "A"
    with pytest.raises(ValueError, match="after"):
        an.settlements_changed("2024-03-01", "2024-01-01")


def test_totals_match_a_naive_point_in_polygon_count(bundled):
    """settlements_at counts as contains_xy over each actor's controlled polygons would."""
    an = bundled
    st = an.settlement_layer.table
    x, y = st["lon"].to_numpy(float), st["lat"].to_numpy(float)
    pop = pd.to_numeric(st["population"], errors="coerce").fillna(0).to_numpy()
    for day in ("2014-09-01", "2015-06-01", "2017-07-15"):
        got = an.settlements_at(day).set_index("actor")
        state = an.state(day)
        state = state[state["status"] == "controlled"]
        for actor, part in state.groupby("actor"):
            inside = np.zeros(len(st), bool)
            for g in part.geometry.values:
                inside |= shapely.covers(g, shapely.points(x, y))
            if inside.any():
                assert got.loc[actor, "settlements"] == inside.sum(), (day, actor)
                assert got.loc[actor, "population"] == int(pop[inside].sum()), (day, actor)


def test_identical_geometries_are_tested_once_and_give_the_same_answer():
    hist = make_history([(f"2024-01-{d:02d}", "A", "controlled", shapely.box(0, 0, 1, 1)) for d in range(1, 6)])
    from territory.model import change_dates, with_validity

    h = with_validity(hist)
    hold = compute_holdings(h, change_dates(hist), np.array([0.5, 2.0]), np.array([0.5, 2.0]))
    assert hold.places.tolist() == [0] and (hold.codes[:, 0] == 1).all() and hold.holders == [("A", "controlled")]


def test_cli_columns_and_the_population_source_stated(front):
    path, places = front
    code, out, err = run("settlements", str(path), "--settlements", str(places), "--date", "2024-01-15")
    assert code == 0, err
    table = pd.read_csv(io.StringIO(out), keep_default_na=False)
    assert list(table.columns) == ON_COLUMNS
    assert list(table.columns[:8]) == ["name", "country", "region", "population", "lon", "lat", "actor", "status"]
    assert table["population_source"].str.contains("places.csv").all()
    assert table["population_source"].str.contains("figures of 2001").all()
    assert "figures of 2001" in err
    code, out, err = run("settlements", str(path), "--settlements", str(places), "--from", "2024-01-05",
                         "--to", "2024-01-20", "--format", "json")
    assert code == 0, err
    assert [(r["name"], r["from_actor"], r["to_actor"]) for r in json.loads(out)] == [("East", "B", "A")]
    code, _, err = run("settlements", str(path), "--date", "2024-01-15", "--from", "2024-01-01")
    assert code == 2 and "either --date" in err
    code, _, err = run("settlements", str(path), "--date", "2024-01-15", "--held-by", "Nobody")
    assert code == 2 and "no actor 'Nobody'" in err


def test_the_gazetteer_is_every_bare_historys_settlement_layer(front):
    """Without a layer of its own, a history gets GeoNames' places around it, offline, source and age stated."""
    path, _ = front
    an = _analysis(path)
    assert an.dataset.settlements_source == GAZETTEER_SOURCE and an.dataset.population_age == GAZETTEER_AGE
    on = an.settlements_on("2024-01-15")
    donetsk = on[(on["name"] == "Donetsk") & (on["country"] == "Ukraine")].iloc[0]  # Russia has one too
    assert donetsk["actor"] == "A" and donetsk["status"] == "controlled"
    assert donetsk["region"] == "Donetsk"  # named from the bundled admin-1 outlines
    assert donetsk["population"] > 500_000
    assert on["population_source"].str.contains("GeoNames cities500").all()
    assert on["population_source"].str.contains("before 2022").all()
    code, out, err = run("settlements", str(path), "--date", "2024-01-15", "--held-by", "A")
    assert code == 0, err
    held = pd.read_csv(io.StringIO(out))
    assert "Donetsk" in set(held["name"]) and set(held["actor"]) == {"A"}
    assert "GeoNames" in err


def test_gazetteer_loads_offline_from_the_bundled_file(monkeypatch):
    import socket

    def refuse(*_a, **_k):
        raise AssertionError("the gazetteer opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    ukraine = gazetteer_places((22.1, 44.3, 40.2, 52.4), margin=0)
    assert 5000 < (ukraine["country"] == "Ukraine").sum() < 6000  # field notes: 5,488 before dedupe
    kyiv = ukraine[(ukraine["name"] == "Kyiv")]
    assert len(kyiv) == 1 and kyiv["population"].iloc[0] > 2_000_000
    assert ukraine["population"].dropna().min() > 0
    assert ukraine["lon"].between(22.1, 40.2).all() and ukraine["lat"].between(44.3, 52.4).all()


def test_a_users_layer_overrides_the_gazetteer_and_the_manifests(front, tmp_path):
    path, places = front
    man = tmp_path / "ds"
    man.mkdir()
    (man / "history.geojson").write_bytes(path.read_bytes())
    (man / "towns.csv").write_text("settlement,latitude,longitude,pop\nMine,48,36.5,7\n", encoding="utf-8")
    (man / "dataset.json").write_text(json.dumps({"history": "history.geojson", "settlements": "towns.csv"}))
    ds = load_dataset(man)
    assert ds.settlements["name"].tolist() == ["Mine"] and "towns.csv" in ds.settlements_source
    (man / "dataset.json").write_text(json.dumps({"history": "history.geojson", "settlements": "towns.csv",
                                                  "population_source": "2021 census (Statistics Office)"}))
    assert _analysis(man).settlement_layer.population_note == "population: 2021 census (Statistics Office)"
    code, out, err = run("settlements", str(man), "--date", "2024-01-15")
    assert code == 0, err and pd.read_csv(io.StringIO(out))["name"].tolist() == ["Mine"]
    code, out, err = run("settlements", str(man), "--settlements", str(places), "--date", "2024-01-15")
    assert code == 0, err
    assert sorted(pd.read_csv(io.StringIO(out))["name"]) == ["East", "Far", "Mid", "West"]


@pytest.mark.parametrize(("text", "words"), [
    ("name,lat\nX,48\n", "no lon column"),
    ("name,lat,lon\nX,48,36\nY,north,36\n", "row 3"),
    ("name,lat,lon,population\nX,48,36,many\n", "not a whole number"),
])
def test_a_bad_settlement_layer_is_refused_with_file_row_and_field(tmp_path, front, text, words):
    path, _ = front
    bad = tmp_path / "bad.csv"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        read_settlements(bad)
    said = "\n".join(map(str, caught.value.report.problems))
    assert "bad.csv" in said and words in said
    code, _, err = run("settlements", str(path), "--settlements", str(bad), "--date", "2024-01-15")
    assert code == 1 and "bad.csv" in err and "Traceback" not in err


def test_the_map_players_settlement_figures_state_their_source_and_age(front):
    """The player's key numbers carry the held settlements, their population and where that comes from."""
    from territory.player import key_number_rows

    path, places = front
    an = _analysis(path)
    payload = key_number_rows(an, actor="A")
    assert payload["population_source"] == f"{GAZETTEER_SOURCE}; {GAZETTEER_AGE}"
    col = payload["cols"].index("settlements")
    on = an.settlements_on(an.dates[0], actor="A")
    assert payload["rows"][0][col] == len(on)  # the same count as `territory settlements --held-by A`
    assert payload["rows"][0][col + 1] == int(on["population"].fillna(0).sum())
    mine = key_number_rows(_analysis(path, places), actor="A")
    assert mine["population_source"] == "places.csv (the data's own settlement layer); figures of 2001"


def test_settlements_gained_counts_the_places_an_actor_took(front):
    """The figure a 'settlements_gained' claim is checked against: places held at the end, not at the start."""
    from territory.settlements import settlements_gained

    path, places = front
    an = _analysis(path, places)
    table = an.settlement_layer.table
    assert settlements_gained(an.holdings, table, "A", "2024-01-05", "2024-01-20") == (1, 200)  # East
    assert settlements_gained(an.holdings, table, "B", "2024-01-05", "2024-03-01") == (1, 300)  # Mid
    assert settlements_gained(an.holdings, table, "B", "2024-01-20", "2024-03-01") == (2, 500)  # Mid, East
    assert settlements_gained(an.holdings, table, "Nobody", "2024-01-05", "2024-03-01") == (0, 0)


def test_holdings_are_read_back_from_the_cache_per_settlement_table(front, monkeypatch):
    import territory.settlements as mod

    path, places = front
    first = _analysis(path, places).holdings
    monkeypatch.setattr(mod, "compute_holdings", lambda *a, **k: pytest.fail("computed again"))
    again = _analysis(path, places).holdings  # a new Analysis of the same data: from the cache
    assert np.array_equal(first.codes, again.codes) and first.holders == again.holders
    other = places.with_name("other.csv")
    other.write_text(PLACES.replace("East,48,38.5", "East,48,38.6"), encoding="utf-8")
    with pytest.raises(pytest.fail.Exception, match="computed again"):
        _ = _analysis(path, other).holdings  # another table (one place moved): never the first one's answer


def test_an_uploads_holdings_never_reach_the_disk_cache(front):
    """Uploads are measured with persist=False: their settlement holdings stay in memory too."""
    from territory import cache

    path, _ = front
    ds = load_dataset(path)
    an = Analysis.from_paths(ds, extra={"upload": True}, persist=False)
    assert an.cache_key and len(an.holdings.places)
    assert not (cache.cache_dir() / an.cache_key).exists()


def test_serve_passes_the_users_layer_to_the_dashboard_and_checks_it_first(front, tmp_path):
    """territory serve --settlements FILE: the dashboard counts the user's places; a bad file stops the start."""
    import argparse

    from territory.cli import serve_options
    from territory.ui.shell import load_default

    path, places = front
    opts = serve_options(argparse.Namespace(actor=None, status=None, file_date=None, column=None, aliases=None,
                                            settlements=str(places)))
    an = load_default(str(path), json.dumps(opts))
    assert isinstance(an, Analysis), an
    assert sorted(an.dataset.settlements["name"]) == ["East", "Far", "Mid", "West"]
    bad = tmp_path / "bad.csv"
    bad.write_text("name,lat\nX,1\n", encoding="utf-8")
    code, _, err = run("serve", str(path), "--settlements", str(bad), "--port", "1")
    assert code == 1 and "bad.csv" in err and "no lon column" in err
