"""The `territory` CLI on a plain GeoJSON, a folder of dated files without properties, and the bundled data."""

from __future__ import annotations

import io
import json

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from tests.cli_run import run_cli as run


@pytest.fixture
def geojson_file(tmp_path, small_history):
    p = tmp_path / "history.geojson"
    h = small_history.copy()
    h["date"] = h["date"].dt.strftime("%Y-%m-%d")
    h["valid_to"] = h["valid_to"].dt.strftime("%Y-%m-%d")
    h.to_file(p)
    return p


@pytest.fixture
def snapshot_folder(tmp_path):
    folder = tmp_path / "snaps"
    folder.mkdir()
    for name, box in (("2022-03-01.geojson", (30, 46, 32, 48)), ("20220401.geojson", (30, 46, 33, 48))):
        gpd.GeoDataFrame(geometry=[shapely.box(*box)], crs=4326).to_file(folder / name)
    return folder


def test_stats_plain_geojson_csv(geojson_file):
    code, out, err = run("stats", str(geojson_file))
    assert code == 0, err
    table = pd.read_csv(io.StringIO(out))
    assert {"date", "actor", "status", "area_km2", "pct_of_peak", "peak_km2"} <= set(table.columns)
    assert set(table["actor"]) == {"A", "B"}


def test_stats_folder_without_properties_needs_actor(snapshot_folder):
    code, _, err = run("stats", str(snapshot_folder))
    assert code == 1 and "actor" in err and "Traceback" not in err
    code, out, err = run("stats", str(snapshot_folder), "--actor", "Occupied", "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert [r["date"] for r in rows] == ["2022-03-01", "2022-04-01"]
    assert rows[1]["area_km2"] > rows[0]["area_km2"] > 0
    # Denominator named in every row (Ukraine outline from the bundled world layer).
    assert all(r.get("region") for r in rows)


def test_stats_warm_cache_gives_identical_output(geojson_file):
    first = run("stats", str(geojson_file))
    second = run("stats", str(geojson_file))
    assert first[0] == second[0] == 0 and first[1] == second[1]


def test_change_and_transfers(geojson_file):
    code, out, err = run("change", str(geojson_file), "--from", "2015-01-01", "--to", "2015-02-01",
                         "--format", "json")
    assert code == 0, err
    body = json.loads(out)
    a = next(r for r in body["summary"] if r["actor"] == "A" and r["status"] == "controlled")
    assert a["gained_km2"] - a["lost_km2"] == pytest.approx(a["net_km2"], abs=1e-3)
    assert any(t["from_actor"] == "A" and t["to_actor"] == "B" for t in body["transfers"])


def test_validate_exit_codes(geojson_file, tmp_path):
    assert run("validate", str(geojson_file))[0] == 0
    bad = tmp_path / "bad.geojson"
    bad.write_text("{ this is not json")
    code, out, err = run("validate", str(bad))
    assert code == 1 and "bad.geojson" in out and "Traceback" not in out + err


def test_usage_errors_exit_2():
    assert run("change")[0] == 2
    assert run("stats", "--format", "xml")[0] == 2


def test_dates(geojson_file):
    code, out, _ = run("dates", str(geojson_file))
    assert code == 0 and out.split() == ["2015-01-01", "2015-02-01", "2015-03-01", "2015-04-01"]


def test_bundled_commands(bundled):
    code, out, err = run("stats")
    assert code == 0, err
    table = pd.read_csv(io.StringIO(out))
    assert (table["region"] == "Iraq+Syria").all()
    assert table["region_source"].str.contains("Natural Earth").all()
    code, out, err = run("stats", "--denominator", "official")
    assert code == 0, err
    assert pd.read_csv(io.StringIO(out))["region_source"].str.contains("official").all()
    code, out, err = run("regions", "--date", "2015-06-01")
    assert code == 0, err
    regions = pd.read_csv(io.StringIO(out))
    assert {"region", "region_km2", "actor", "area_km2", "pct_of_region"} <= set(regions.columns)
    assert run("validate")[0] == 0
    code, out, err = run("claims")
    assert code == 0, err
    assert {"claim", "implied_km2", "computed_km2", "ratio", "verdict"} <= set(pd.read_csv(io.StringIO(out)).columns)


@pytest.mark.parametrize("argv", [["stats", ""], ["claims", " "], ["claims", "", "x.csv"], ["regions", "", "--date", "2015-01-01"]])
def test_an_empty_path_is_a_usage_error_not_the_current_folder(argv, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # "" used to read whatever the current folder held
    code, out, err = run(*argv)
    assert code == 2 and out == ""
    assert "is empty: give a file or folder" in err


def _path_actions(parser, prefix=()):
    """(command words, PATH action) for every command of ``parser`` that takes a PATH."""
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _path_actions(sub, (*prefix, name))
        elif action.dest == "path":
            yield prefix, action


def test_every_path_said_to_default_to_the_bundled_history_is_optional():
    """Help that tells the truth (16.5): a PATH whose help promises the bundled history may be left out."""
    from territory.cli import build_parser

    found = list(_path_actions(build_parser()))
    assert ("db", "import") in [words for words, _ in found]
    for words, action in found:
        if "bundled history" in (action.help or ""):
            assert action.nargs == "?" and action.default is None, words
        else:
            assert action.required, f"{words}: PATH neither optional nor said to be required"


def test_db_import_without_path_imports_the_bundled_history(monkeypatch):
    from territory.datasets import bundled_path
    from territory.store import postgis

    seen = []
    monkeypatch.setattr(postgis, "import_dataset", lambda url, path, options, replace: seen.append(path) or "db-1")
    code, _out, err = run("db", "import", "postgresql://u@h/d")
    assert code == 0, err
    assert seen == [bundled_path()]
    assert "imported the bundled history into postgresql://u@h/d" in err
    assert "bundled history" in run("db", "import", "--help")[1]


def test_db_append_needs_its_path_and_says_so():
    code, _out, err = run("db", "append", "postgresql://u@h/d")
    assert code == 2 and "path" in err
    help_text = run("db", "append", "--help")[1]
    assert "bundled history" not in help_text and "snapshots to add" in help_text


def test_a_conflicting_append_exits_1_as_the_readme_says(monkeypatch, geojson_file):
    """README: 0 ok, 1 input refused, 2 usage, 3 internal. A snapshot the store holds with other content is
    refused input (exit 1), not a usage error."""
    import re
    from pathlib import Path

    from territory.store import StoreConflict, postgis

    def clash(url, path, options):
        raise StoreConflict("1 snapshot(s) in history.geojson differ from the ones stored: nothing was appended")

    monkeypatch.setattr(postgis, "append", clash)
    code, _out, err = run("db", "append", "postgresql://u@h/d", str(geojson_file))
    assert code == 1, err
    assert "input refused" in err and "Traceback" not in err
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    said = re.search(r"one stored with different content is\s+refused[^.]*exit (\d)", readme)
    assert said and int(said.group(1)) == code, "the README says another exit code for a conflicting append"
