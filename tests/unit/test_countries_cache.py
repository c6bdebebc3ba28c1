"""The country layer of bare histories is built at build time (issue 16.8); built at run time it is kept
in the content-hash cache (issue 8.8)."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

from territory import datasets


@pytest.fixture
def no_prebuilt(tmp_path, monkeypatch):
    """As if the prebuilt layer were missing: the layer is built at run time and cached."""
    monkeypatch.setattr(datasets, "prebuilt_countries_path", lambda: tmp_path / "missing.parquet")


def test_the_prebuilt_layer_is_a_fresh_build_of_the_bundled_sources():
    """Rebuild with scripts/build_countries.py when this fails (the sources or the build changed)."""
    path = datasets.prebuilt_countries_path()
    layer = datasets._read_prebuilt_countries([datasets.world_countries_path(), datasets._fine_countries_path()])
    assert layer is not None, f"{path} is missing or names other sources: run scripts/build_countries.py"
    built = datasets._build_countries()
    assert_geodataframe_equal(built, layer)
    assert shapely.equals_exact(np.asarray(built.geometry.values), np.asarray(layer.geometry.values), 0).all()


def test_the_prebuilt_layer_is_read_not_built(tmp_path, monkeypatch):
    monkeypatch.setenv("TERRITORY_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(datasets, "_build_countries", lambda: pytest.fail("built at run time"))
    layer = datasets.countries_for_bare_histories()
    assert "Ukraine" in set(layer["name"])
    assert not list(tmp_path.rglob("*.parquet"))  # nothing to cache


def test_a_prebuilt_layer_of_other_sources_is_not_used(tmp_path, monkeypatch):
    """Sources changed since the build (or a foreign file in its place): the layer is built from the sources."""
    monkeypatch.setenv("TERRITORY_CACHE_DIR", str(tmp_path / "cache"))
    fine = tmp_path / "countries.geojson"
    shutil.copy(datasets._fine_countries_path(), fine)
    with fine.open("a") as fh:
        fh.write("\n")  # other bytes, same content
    monkeypatch.setattr(datasets, "_fine_countries_path", lambda: fine)
    calls = []
    real = datasets._build_countries
    monkeypatch.setattr(datasets, "_build_countries", lambda: calls.append(1) or real())
    assert "Ukraine" in set(datasets.countries_for_bare_histories()["name"])
    assert calls == [1]


def test_countries_come_from_the_cache_unchanged(tmp_path, monkeypatch, no_prebuilt):
    monkeypatch.setenv("TERRITORY_CACHE_DIR", str(tmp_path / "cache"))
    built = datasets._build_countries()
    first = datasets.countries_for_bare_histories()
    entries = list((tmp_path / "cache").rglob(datasets.COUNTRIES_ENTRY))
    assert len(entries) == 1
    calls = []
    monkeypatch.setattr(datasets, "_build_countries", lambda: calls.append(1))
    cached = datasets.countries_for_bare_histories()
    assert calls == []  # read, not built
    for layer in (first, cached):
        assert_geodataframe_equal(built, layer)
        assert shapely.equals_exact(np.asarray(built.geometry.values), np.asarray(layer.geometry.values), 0).all()


def test_without_the_cache_nothing_is_written(tmp_path, monkeypatch, no_prebuilt):
    monkeypatch.setenv("TERRITORY_CACHE_DIR", str(tmp_path / "cache"))
    layer = datasets.countries_for_bare_histories(use_cache=False)
    assert "Ukraine" in set(layer["name"])
    assert not list(tmp_path.rglob("*.parquet"))


def test_a_corrupt_entry_is_built_again(tmp_path, monkeypatch, no_prebuilt):
    monkeypatch.setenv("TERRITORY_CACHE_DIR", str(tmp_path / "cache"))
    datasets.countries_for_bare_histories()
    entry = next((tmp_path / "cache").rglob(datasets.COUNTRIES_ENTRY))
    entry.write_bytes(b"not parquet")
    layer = datasets.countries_for_bare_histories()
    assert_geodataframe_equal(layer, datasets._build_countries())
