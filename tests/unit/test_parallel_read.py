"""A folder read by worker processes gives exactly what a one-by-one read gives (issue 8.8).

Same rows in the same order, same provenance, and the same report problem for problem:
warnings and errors name the same file, row and field, and a cap reached part-way is
named at the same file with the same count.
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from territory.io import load, parallel
from territory.io.options import LoadOptions


def _ring(x: float, n: int = 60) -> shapely.Polygon:
    return shapely.Point(x, 47).buffer(0.5, n)


@pytest.fixture
def mixed(tmp_path):
    """Twenty snapshots: most clean, some with problems a reader reports per file and row."""
    folder = tmp_path / "snaps"
    folder.mkdir()
    for i in range(20):
        day = f"2022-03-{i + 1:02d}"
        geoms = [_ring(31 + i * 0.05)]
        if i == 3:  # a self-intersecting bow tie: repaired, with a warning naming the row
            geoms.append(shapely.Polygon([(30, 45), (31, 46), (31, 45), (30, 46), (30, 45)]))
        if i == 7:  # a point among polygons: dropped with a warning
            geoms.append(shapely.Point(31, 47))
        gpd.GeoDataFrame(geometry=geoms, crs=4326).to_file(folder / f"{day}.geojson")
    # a file holding text, not JSON: an error naming it
    (folder / "2022-03-21.geojson").write_text("not json at all", encoding="utf-8")
    # an object where an actor's name should be: an error naming file, row and field
    bad = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"actor": {"nested": 1}},
         "geometry": json.loads(shapely.to_geojson(_ring(32)))}]}
    (folder / "2022-03-22.geojson").write_text(json.dumps(bad), encoding="utf-8")
    return folder


def _load(folder, workers: int, monkeypatch, **options):
    monkeypatch.setattr(parallel, "workers_for", lambda n, threaded_ok=False: workers)
    monkeypatch.setattr(parallel, "CHUNK", 3)  # several chunks, finishing out of order
    seen: list[tuple[int, int]] = []
    opts = LoadOptions(actor="Occupied", cache=False, progress=lambda d, t: seen.append((d, t)), **options)
    return load(folder, opts), seen


def _problems(loaded) -> list[tuple]:
    return [(p.severity, p.message, p.file, p.row, p.field, p.code, p.hint) for p in loaded.report.problems]


def _same(a, b) -> None:
    assert _problems(a) == _problems(b)
    assert a.report.stats == b.report.stats
    assert (a.history is None) == (b.history is None)
    if a.history is not None:
        pd.testing.assert_frame_equal(a.provenance, b.provenance)
        pd.testing.assert_frame_equal(a.history.drop(columns="geometry"), b.history.drop(columns="geometry"))
        ga, gb = np.asarray(a.history.geometry.values), np.asarray(b.history.geometry.values)
        assert shapely.equals_exact(ga, gb, tolerance=0).all()
        assert a.history.crs == b.history.crs


def test_workers_report_what_a_serial_read_reports(mixed, monkeypatch):
    serial, _ = _load(mixed, 1, monkeypatch)
    forked, seen = _load(mixed, 2, monkeypatch)
    _same(serial, forked)
    assert serial.history is None  # the two broken files refuse the folder
    codes = {p.code for p in forked.report.problems}
    assert {"repaired", "unreadable", "bad-type"} <= codes
    bad_type = next(p for p in forked.report.errors if p.code == "bad-type")
    assert (bad_type.file, bad_type.row, bad_type.field) == ("2022-03-22.geojson", "1", "actor")
    assert seen[-1] == (22, 22)


def test_workers_load_the_same_history(mixed, monkeypatch):
    for name in ("2022-03-21.geojson", "2022-03-22.geojson"):
        (mixed / name).unlink()
    serial, _ = _load(mixed, 1, monkeypatch)
    forked, seen = _load(mixed, 2, monkeypatch)
    assert forked.history is not None and len(forked.history) == 21  # 20 rings and a repaired bow tie
    _same(serial, forked)
    assert seen == [(i, 20) for i in range(1, 21)]
    assert forked.provenance["_file"].iloc[0] == "2022-03-01.geojson"


@pytest.mark.parametrize("cap, value", [("max_vertices", 61 * 9 + 10), ("max_features", 8), ("max_parts", 7),
                                        ("max_input_bytes", 9_000)])
def test_a_cap_reached_part_way_is_named_at_the_same_file(mixed, monkeypatch, cap, value):
    serial, _ = _load(mixed, 1, monkeypatch, **{cap: value})
    forked, _ = _load(mixed, 2, monkeypatch, **{cap: value})
    _same(serial, forked)
    hit = [p for p in forked.report.errors if cap in p.message]
    assert len(hit) == 1 and hit[0].code == "too-big"
    assert hit[0].file.startswith("2022-03-0")  # part-way, before the broken files


def test_one_file_alone_over_a_cap_is_refused_by_its_worker(mixed, monkeypatch):
    big = shapely.Point(33, 47).buffer(0.5, 2000)  # ~8,000 vertices in one file
    gpd.GeoDataFrame(geometry=[big], crs=4326).to_file(mixed / "2022-03-05.geojson")
    serial, _ = _load(mixed, 1, monkeypatch, max_vertices=5_000)
    forked, _ = _load(mixed, 2, monkeypatch, max_vertices=5_000)
    _same(serial, forked)
    hit = [p for p in forked.report.errors if "max_vertices" in p.message]
    assert [p.file for p in hit] == ["2022-03-05.geojson"]


def test_many_files_use_workers_only_from_a_single_threaded_process(monkeypatch):
    import threading

    assert parallel.workers_for(parallel.MIN_FILES - 1) == 1
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    assert parallel.workers_for(800) == min(parallel.cores(), parallel.MAX_WORKERS)
    monkeypatch.setattr(threading, "active_count", lambda: 3)  # a server's threads: never fork
    assert parallel.workers_for(800) == 1


def test_ctrl_c_during_a_folder_read_is_one_line_not_a_traceback(mixed, monkeypatch, capsys):
    from territory import cli

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "load_analysis", interrupted)
    assert cli.main(["stats", str(mixed), "--actor", "Occupied", "--no-cache"]) == cli.EXIT_INTERRUPTED == 130
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "territory: interrupted\n"


def test_a_folders_cache_entry_is_written_while_the_command_goes_on(mixed, monkeypatch, tmp_path):
    """The loaded folder is stored on a thread; a reader of the entry, and the CLI's return, wait for it."""
    import threading

    from territory import cli
    from territory.io import loadcache

    monkeypatch.setenv("TERRITORY_CACHE_DIR", str(tmp_path / "cache"))
    for name in ("2022-03-21.geojson", "2022-03-22.geojson"):
        (mixed / name).unlink()
    gate = threading.Event()
    real_store = loadcache.cache.store

    def slow_store(key, name, write):
        if name == loadcache.HISTORY:
            gate.wait(30)  # held until the test has seen load() return
        return real_store(key, name, write)

    monkeypatch.setattr(loadcache.cache, "store", slow_store)
    first = load(mixed, LoadOptions(actor="Occupied"))
    assert first.history is not None
    assert not list((tmp_path / "cache").rglob("history.parquet"))  # load() did not wait for the write
    gate.set()
    again = load(mixed, LoadOptions(actor="Occupied"))  # the reader waits for the entry, then uses it
    assert list((tmp_path / "cache").rglob("history.parquet"))
    pd.testing.assert_frame_equal(again.provenance, first.provenance)
    monkeypatch.setattr(loadcache.cache, "store", real_store)
    (tmp_path / "cache2").mkdir()
    monkeypatch.setenv("TERRITORY_CACHE_DIR", str(tmp_path / "cache2"))
    assert cli.main(["stats", str(mixed), "--actor", "Occupied", "--out", str(tmp_path / "s.csv")]) == 0
    assert list((tmp_path / "cache2").rglob("history.parquet.sum"))  # complete when the command returns


@pytest.fixture
def another_thread():
    """The process runs a second thread, as a dashboard server does."""
    import threading

    stop = threading.Event()
    t = threading.Thread(target=stop.wait, daemon=True)
    t.start()
    yield
    stop.set()
    t.join()


def test_a_threaded_process_gets_workers_from_a_fork_server_only_when_asked(mixed, monkeypatch, another_thread):
    """The server's own dataset is read on every core without forking the threaded server; an upload is not."""
    assert parallel.workers_for(800) == 1  # a user's upload: one core, the others stay with other sessions
    assert parallel.workers_for(800, threaded_ok=True) == min(parallel.cores(), parallel.MAX_WORKERS)
    serial, _ = _load(mixed, 1, monkeypatch)
    contexts = []
    real = parallel._context

    def recorded():
        ctx = real()
        contexts.append(ctx.get_start_method())
        return ctx

    monkeypatch.setattr(parallel, "_context", recorded)
    served, seen = _load(mixed, 2, monkeypatch)
    assert contexts == ["forkserver"]  # never a plain fork of a threaded process
    _same(serial, served)
    assert seen[-1] == (22, 22)


@pytest.mark.parametrize("threaded", [False, True], ids=["forked", "fork-server"])
def test_a_worker_that_dies_leaves_the_one_by_one_read(mixed, monkeypatch, request, threaded):
    """A worker killed mid-read (out of memory, say): the folder is read in-process, the report not doubled."""
    import territory.io.folder as io_folder
    from tests.unit.parallel_helpers import dies_on_one

    if threaded:
        request.getfixturevalue("another_thread")

    for name in ("2022-03-21.geojson", "2022-03-22.geojson"):
        (mixed / name).unlink()
    serial, _ = _load(mixed, 1, monkeypatch)
    monkeypatch.setattr(io_folder, "_read_in_folder", dies_on_one)  # importable: fork-server workers find it too
    after, seen = _load(mixed, 2, monkeypatch)
    _same(serial, after)
    assert after.history is not None and len(after.history) == 21
    assert seen[-1] == (20, 20)


def test_a_job_that_cannot_reach_the_workers_is_run_here_not_hung(another_thread):
    """From a threaded process the job is pickled to the fork server's workers; one that cannot be
    (a local function) would hang CPython's pool: it runs in-process instead."""
    def local(x: int) -> int:
        return x * 2

    assert list(parallel.ordered_map(local, list(range(40)), 2)) == [x * 2 for x in range(40)]
