"""The map opens on the latest date (on a live archive the latest day is the news), or the manifest's ``date``."""

from __future__ import annotations

import json
from dataclasses import replace

import geopandas as gpd
import shapely

from territory.analysis import Analysis
from territory.datasets import load_dataset
from territory.ui.shell import _default_date, date_labels


def test_the_map_opens_on_the_latest_date_not_the_peak(bundled):
    labels = date_labels(bundled)
    assert _default_date(bundled, labels) == labels[-1]


def test_a_manifest_date_is_where_the_map_opens(bundled):
    labels = date_labels(bundled)
    named = Analysis(replace(bundled.dataset, open_date=labels[3]), bundled.measured)
    assert _default_date(named, labels) == labels[3]
    between = Analysis(replace(bundled.dataset, open_date=labels[3] + "x"), bundled.measured)  # after labels[3]
    assert _default_date(between, labels) == labels[3]  # the state in force on it


def test_manifest_date_is_read(tmp_path):
    g = gpd.GeoDataFrame({"date": ["2022-03-01", "2022-04-01"], "actor": ["A", "A"]},
                         geometry=[shapely.box(30, 46, 32, 48), shapely.box(30, 46, 33, 48)], crs=4326)
    g.to_file(tmp_path / "history.geojson", driver="GeoJSON")
    (tmp_path / "dataset.json").write_text(json.dumps({"history": "history.geojson", "date": "2022-03-01"}))
    assert load_dataset(tmp_path).open_date == "2022-03-01"
