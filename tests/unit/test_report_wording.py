"""Hints name load options by key; each shell (CLI, Data page) words them its own way."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from territory.cli import CLI_WORDING
from territory.io import LoadOptions, load
from territory.report import NEUTRAL_WORDING, OPTION_KEYS, Report, opt, word_hint

PAGE = {"actor": "the “Actor” field", "column": "the “{column}” box of Column mapping"}


def test_markers_are_worded_per_shell_and_neutral_by_default():
    r = Report()
    r.error("no actor column", file="a.geojson", field="actor",
            hint=f"map one with {opt('column', 'actor')}, or use {opt('actor')}")
    cli = r.worded(CLI_WORDING).problems[0].hint
    page = r.worded(PAGE).problems[0].hint
    assert cli == "map one with --column actor=NAME, or use --actor NAME"
    assert page == "map one with the “actor” box of Column mapping, or use the “Actor” field"
    # Unworded (a library user printing the report): neutral words, never a raw marker.
    assert "{opt:" not in str(r.problems[0]) and "{opt:" not in r.to_records()[0]["hint"]
    assert NEUTRAL_WORDING["actor"] in r.to_records()[0]["hint"]
    # Wording copies: the original report keeps its markers for another shell.
    assert "{opt:actor}" in r.problems[0].hint


def test_every_option_key_has_cli_and_neutral_words():
    for key in OPTION_KEYS:
        assert CLI_WORDING[key].startswith("--") and NEUTRAL_WORDING[key]
        assert "{opt:" not in word_hint(opt(key), CLI_WORDING)
    with pytest.raises(ValueError):
        opt("colour")


def test_user_text_in_a_hint_is_left_alone():
    hint = "the file's columns are: {opt:nope}, {actor}, Partei"
    assert word_hint(hint, CLI_WORDING) == hint


def test_loader_hints_reach_each_shell_in_its_words(tmp_path):
    f = tmp_path / "2022-03-01.geojson"
    gpd.GeoDataFrame(geometry=[shapely.box(30, 48, 31, 49)], crs="EPSG:4326").to_file(f)
    report = load(tmp_path, LoadOptions()).report
    assert not report.ok
    assert "--actor NAME" in str(report.worded(CLI_WORDING))
    assert "the “Actor” field" in str(report.worded(PAGE))
    assert "--" not in str(report.worded(PAGE))
