"""The country layer of bare histories is built once and then read from the content-hash cache (issue 8.8)."""

from __future__ import annotations

import numpy as np
import shapely
from geopandas.testing import assert_geodataframe_equal

from territory import datasets


def test_countries_come_from_the_cache_unchanged(tmp_path, monkeypatch):
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


def test_without_the_cache_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.setenv("TERRITORY_CACHE_DIR", str(tmp_path / "cache"))
    layer = datasets.countries_for_bare_histories(use_cache=False)
    assert "Ukraine" in set(layer["name"])
    assert not list(tmp_path.rglob("*.parquet"))


def test_a_corrupt_entry_is_built_again(tmp_path, monkeypatch):
    monkeypatch.setenv("TERRITORY_CACHE_DIR", str(tmp_path / "cache"))
    datasets.countries_for_bare_histories()
    entry = next((tmp_path / "cache").rglob(datasets.COUNTRIES_ENTRY))
    entry.write_bytes(b"not parquet")
    layer = datasets.countries_for_bare_histories()
    assert_geodataframe_equal(layer, datasets._build_countries())
