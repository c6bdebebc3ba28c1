"""The measurement cache: keyed by content, exact on the way back, never stale."""

from __future__ import annotations

from pathlib import Path

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


# --- The cache never breaks a command (issue 9.6) -------------------------------------------

import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

import geopandas as gpd  # noqa: E402
import pytest  # noqa: E402

from territory import tempfiles  # noqa: E402
from tests.cli_run import run_cli as _run  # noqa: E402


@pytest.fixture
def folder(tmp_path):
    snaps = tmp_path / "snaps"
    snaps.mkdir()
    for name, box in (("2022-03-01.geojson", (30, 46, 32, 48)), ("2022-04-01.geojson", (30, 46, 33, 48))):
        gpd.GeoDataFrame(geometry=[shapely.box(*box)], crs=4326).to_file(snaps / name)
    return snaps


@pytest.fixture
def own_cache(tmp_path, monkeypatch):
    root = tmp_path / "cache"
    monkeypatch.setenv("TERRITORY_CACHE_DIR", str(root))
    return root


def _stats(folder) -> tuple[int, str, str]:
    return _run("stats", str(folder), "--actor", "Occupied")


def _uncached(folder) -> str:
    code, out, _ = _run("stats", str(folder), "--actor", "Occupied", "--no-cache")
    assert code == 0
    return out


@pytest.mark.parametrize("where", ["under-a-file", "proc"])
def test_uncreatable_cache_dir_means_no_caching(folder, tmp_path, monkeypatch, where):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    target = blocker / "cache" if where == "under-a-file" else Path("/proc/territory-cache-test")
    monkeypatch.setenv("TERRITORY_CACHE_DIR", str(target))
    expected = _uncached(folder)
    for _ in range(2):  # cold, then "warm": both compute
        code, out, err = _stats(folder)
        assert code == 0, err
        assert out == expected
        assert "Traceback" not in err
    assert not target.exists()


def test_read_only_cache_files_mean_no_caching(folder, own_cache, monkeypatch):
    """Writes that fail (a read-only or full disk) are skipped, never fatal."""
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Read-only file system")

    expected = _uncached(folder)
    monkeypatch.setattr(cache, "_write_via_tmp", refuse)
    code, out, err = _stats(folder)
    assert (code, out) == (0, expected), err
    assert not list(own_cache.rglob("stats.csv"))


def _entry(root, name):
    found = list(root.rglob(name))
    assert len(found) == 1, found
    return found[0]


def test_corrupt_cached_table_is_detected_and_rebuilt(folder, own_cache):
    code, first, _ = _stats(folder)
    assert code == 0
    path = _entry(own_cache, "stats.csv")
    data = bytearray(path.read_bytes())
    data[-3] ^= 0x01  # one flipped bit, same size
    path.write_bytes(bytes(data))
    code, again, _ = _stats(folder)
    assert (code, again) == (0, first)
    assert _entry(own_cache, "stats.csv").read_bytes() == first.encode()  # rebuilt


def test_foreign_file_in_the_cache_is_never_printed(folder, own_cache):
    code, first, _ = _stats(folder)
    path = _entry(own_cache, "stats.csv")
    path.write_text("date,actor\n2099-01-01,planted\n")
    cache._sum_path(path).unlink()
    code, again, _ = _stats(folder)
    assert (code, again) == (0, first)
    assert "planted" not in again


def test_cached_measurement_with_wrong_schema_is_rebuilt(small_history, own_cache):
    import pyarrow as pa
    import pyarrow.parquet as pq

    first = measure_cached(small_history, "k3")
    foreign = pa.table({"x": [1, 2, 3]})
    cache.store("k3", "measured.parquet", lambda p: pq.write_table(foreign, p))  # right checksum, wrong content
    again = measure_cached(small_history, "k3")
    pd.testing.assert_frame_equal(first.snapshots, again.snapshots, check_dtype=False)


def test_truncated_measurement_is_rebuilt(small_history, own_cache):
    first = measure_cached(small_history, "k4")
    path = cache.entry("k4", "measured.parquet")
    path.write_bytes(path.read_bytes()[:100])
    again = measure_cached(small_history, "k4")
    pd.testing.assert_frame_equal(first.snapshots, again.snapshots, check_dtype=False)
    assert cache.fetch("k4", "measured.parquet") is not None  # written again, checksum and all


def test_edited_input_changes_the_key_even_with_remembered_digests(tmp_path, own_cache):
    a = tmp_path / "a.geojson"
    a.write_text('{"type": "FeatureCollection", "features": [1]}')
    os.utime(a, (1_600_000_000, 1_600_000_000))
    k1 = cache.content_key([a])
    assert cache.content_key([a]) == k1  # from the remembered digest
    a.write_text('{"type": "FeatureCollection", "features": [2]}')  # same size, new content
    os.utime(a, (1_600_000_100, 1_600_000_100))
    assert cache.content_key([a]) != k1
    a.write_text('{"type": "FeatureCollection", "features": [3]}')  # edited just now: hashed again
    assert cache.content_key([a]) != k1


def test_upload_is_not_written_to_the_disk_cache(folder, own_cache):
    from territory.analysis import Analysis
    from territory.datasets import load_dataset
    from territory.io.options import LoadOptions

    ds = load_dataset(folder, LoadOptions(actor="Occupied"))
    an = Analysis.from_paths(ds, extra={"upload": True}, persist=False)
    assert an.cache_key  # still named by content for the in-memory caches
    assert not list(own_cache.rglob("measured.parquet*"))


def _dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    return int(proc.stdout)


def test_startup_sweep_removes_a_killed_servers_temp_copies(tmp_path):
    dead = tmp_path / f"territory-upload-{_dead_pid()}-abc"
    (dead / "history").mkdir(parents=True)
    (dead / "history" / "secret.geojson").write_text("{}")
    alive = tempfiles.make("upload")
    try:
        live_here = tmp_path / f"territory-upload-{os.getpid()}-def"
        live_here.mkdir()
        old = tmp_path / "territory-export-zzzz"  # no process id: age decides
        old.mkdir()
        os.utime(old, (1_600_000_000, 1_600_000_000))
        assert tempfiles.sweep_stale(tmp_path) == 2
        assert not dead.exists() and not old.exists()
        assert live_here.exists()
        assert alive.name.startswith(f"territory-upload-{os.getpid()}-")
    finally:
        alive.rmdir()


def test_cache_sweep_removes_temp_files_of_dead_writers(own_cache):
    d = own_cache / "somekey"
    d.mkdir(parents=True)
    stale = d / f".measured.parquet.{_dead_pid()}.tmp"
    stale.write_bytes(b"half")
    mine = d / f".stats.csv.{os.getpid()}.tmp"
    mine.write_bytes(b"being written")
    assert cache.sweep() == 1
    assert not stale.exists() and mine.exists()


def test_a_loaded_folder_is_cached_and_identical(folder, own_cache):
    from territory.io import load
    from territory.io.options import LoadOptions

    first = load(folder, LoadOptions(actor="Occupied"))
    from territory.io import loadcache

    loadcache.wait()  # the entry is written in the background while the caller goes on
    assert list(own_cache.rglob("history.parquet"))
    again = load(folder, LoadOptions(actor="Occupied"))
    assert again.history.equals(first.history) or again.history.geom_equals(first.history).all()
    pd.testing.assert_frame_equal(pd.DataFrame(again.history.drop(columns="geometry")),
                                  pd.DataFrame(first.history.drop(columns="geometry")))
    assert again.report == first.report
    pd.testing.assert_frame_equal(again.provenance.reset_index(drop=True), first.provenance.reset_index(drop=True),
                                  check_dtype=False)
    loadcache.wait()
    _entry(own_cache, "history.parquet").write_bytes(b"garbage")  # corrupt: loaded again, same result
    third = load(folder, LoadOptions(actor="Occupied"))
    assert len(third.history) == len(first.history)


def test_uploads_and_no_cache_never_store_a_loaded_folder(folder, own_cache):
    from territory.io import load
    from territory.io.options import LoadOptions

    assert load(folder, LoadOptions(actor="Occupied", cache=False)).history is not None
    assert not list(own_cache.rglob("history.parquet"))
    code, _, _ = _run("stats", str(folder), "--actor", "Occupied", "--no-cache")
    assert code == 0
    assert not list(own_cache.rglob("*.parquet"))


def test_a_loaded_folder_is_written_in_bounded_chunks(folder, own_cache, monkeypatch):
    """The history entry is written a few rows at a time (memory bounded), and reads back the same."""
    import pyarrow.parquet as pq

    from territory.io import load, loadcache
    from territory.io.options import LoadOptions

    monkeypatch.setattr(loadcache, "CHUNK", 1)
    first = load(folder, LoadOptions(actor="Occupied"))
    loadcache.wait()
    entry = pq.ParquetFile(_entry(own_cache, "history.parquet"))
    assert entry.metadata.num_rows == len(first.history) > 1
    assert entry.metadata.num_row_groups == len(first.history)
    again = load(folder, LoadOptions(actor="Occupied"))
    assert again.history.geom_equals_exact(first.history.geometry, 0).all()
    pd.testing.assert_frame_equal(pd.DataFrame(again.history.drop(columns="geometry")),
                                  pd.DataFrame(first.history.drop(columns="geometry")))
