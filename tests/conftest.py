"""Shared fixtures: small synthetic histories built in code, and the bundled dataset."""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from territory.actors import assign_colors
from territory.model import canonical
from territory.report import Report

ROOT = Path(__file__).resolve().parents[1]
#: pg_server / pg_url: a throwaway PostGIS cluster, for tests/postgis and the browser's team test.
pytest_plugins = ["tests.postgis.fixtures"]
POSTGIS_FIXTURES = {"pg_server", "pg_url"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that needs a PostGIS server ``postgis``, wherever it lives (``-m "not postgis"``)."""
    for item in items:
        if POSTGIS_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.postgis)


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache(tmp_path_factory):
    """Tests never read or write the user's real cache."""
    os.environ["TERRITORY_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))


def make_history(rows: list[tuple]) -> gpd.GeoDataFrame:
    """rows: (date, actor, status, geometry[, valid_to])."""
    records = []
    for r in rows:
        rec = {"date": pd.Timestamp(r[0]), "actor": r[1], "status": r[2], "geometry": r[3]}
        if len(r) > 4:
            rec["valid_to"] = pd.Timestamp(r[4]) if r[4] else pd.NaT
        records.append(rec)
    frame = gpd.GeoDataFrame(records, geometry="geometry", crs=4326)
    return canonical(frame)


@pytest.fixture
def small_history() -> gpd.GeoDataFrame:
    return make_history([
        ("2015-01-01", "A", "controlled", shapely.box(38, 35, 40, 37)),
        ("2015-01-01", "A", "controlled", shapely.box(39, 36, 41, 38)),
        ("2015-01-01", "B", "controlled", shapely.box(41, 36, 42, 37)),
        ("2015-01-01", "A", "contested", shapely.box(40, 34, 41, 35)),
        ("2015-02-01", "A", "controlled", shapely.box(38, 35, 39.5, 37)),
        ("2015-02-01", "B", "controlled", shapely.box(39.5, 35, 42, 37)),
        ("2015-03-01", "A", "controlled", shapely.box(38, 35, 39, 36), "2015-04-01"),
    ])


@pytest.fixture
def small_dataset(small_history):
    from territory.datasets import Dataset

    return Dataset("small", "Small test history", small_history, assign_colors(["A", "B"]), Report(),
                   illustrative=True, label="Illustrative test data")


@pytest.fixture(scope="session")
def bundled():
    from territory.analysis import Analysis
    from territory.datasets import bundled_path, load_dataset

    if not (bundled_path() / "dataset.json").exists():
        pytest.skip("bundled dataset not built")
    return Analysis.of(load_dataset())
