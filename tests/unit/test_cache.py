"""The measurement cache: keyed by content, exact on the way back, never stale."""

from __future__ import annotations

import pandas as pd
import shapely

from territory import cache
from territory.analysis import measure_cached


def test_cached_measurement_round_trips_exactly(small_history):
    first = measure_cached(small_history, "k1")
    assert cache.entry("k1", "measured.parquet").exists()
    again = measure_cached(small_history, "k1")
    pd.testing.assert_frame_equal(first.snapshots, again.snapshots, check_dtype=False)
    assert all(shapely.equals_exact(first.geometry, again.geometry, 0))


def test_key_changes_with_content_options_and_names(tmp_path):
    a = tmp_path / "a.geojson"
    a.write_text('{"type": "FeatureCollection", "features": []}')
    k1 = cache.content_key([a], {"actor": "X"})
    assert cache.content_key([a], {"actor": "X"}) == k1
    assert cache.content_key([a], {"actor": "Y"}) != k1
    a.write_text('{"type": "FeatureCollection", "features": [ ]}')
    assert cache.content_key([a], {"actor": "X"}) != k1


def test_corrupt_cache_entry_is_recomputed(small_history):
    measure_cached(small_history, "k2")
    cache.entry("k2", "measured.parquet").write_bytes(b"not parquet")
    m = measure_cached(small_history, "k2")
    assert len(m.snapshots) > 0
