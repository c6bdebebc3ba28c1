"""Folder reads never fork a process that runs another thread, native ones included.

numpy (OpenBLAS), pyarrow (jemalloc) and GDAL start threads ``threading`` does not see; a
fork() then copies whatever lock one of them holds (CPython 3.12+ warns "This process is
multi-threaded, use of fork() may lead to deadlocks in the child"). The reads get their
workers from a fork server instead, and that server forks them from a single thread.
"""

from __future__ import annotations

import _thread
import json
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import geopandas as gpd
import shapely

from territory.io import parallel

ROOT = Path(__file__).resolve().parents[2]

#: Run in a fresh interpreter: a native-like thread (``_thread``: invisible to ``threading``), then
#: a folder read on two workers. Every fork() this process makes with more than one OS thread is
#: recorded; the fork server's own thread count is read from /proc after the read.
SCRIPT = textwrap.dedent("""
    import _thread, json, os, sys, threading, time
    from multiprocessing import forkserver

    from territory.io import load, parallel

    if __name__ == "__main__":
        _thread.start_new_thread(time.sleep, (600,))
        time.sleep(0.05)
        unsafe = []
        real_fork = os.fork

        def fork():
            threads = len(os.listdir("/proc/self/task"))
            if threads > 1:
                unsafe.append(threads)
            return real_fork()

        os.fork = fork
        parallel.workers_for = lambda n, threaded_ok=False: 2  # even on a one-core runner
        py_threads = threading.active_count()
        loaded = load(sys.argv[1])
        pid = forkserver._forkserver._forkserver_pid
        server = len(os.listdir(f"/proc/{pid}/task")) if pid else None
        print(json.dumps({"py_threads": py_threads, "rows": len(loaded.history),
                          "unsafe_forks": unsafe, "server_threads": server}))
""")


def test_a_thread_threading_does_not_see_is_counted():
    before = parallel.os_threads()
    stop = threading.Event()
    _thread.start_new_thread(stop.wait, ())
    time.sleep(0.05)
    try:
        assert parallel.os_threads() == before + 1
    finally:
        stop.set()


def test_a_read_with_native_threads_never_forks_them(tmp_path):
    """Fails on the old check (threading.active_count() == 1 -> fork): the process forked itself with
    the native thread running, and the fork server (preloading territory.io) ran OpenBLAS's and
    pyarrow's threads when it forked the workers. Under -W error::DeprecationWarning too (3.12+)."""
    folder = tmp_path / "snaps"
    folder.mkdir()
    for i in range(parallel.MIN_FILES + 4):
        gpd.GeoDataFrame({"actor": ["A"]}, geometry=[shapely.Point(30 + i * 0.1, 45).buffer(0.3)],
                         crs=4326).to_file(folder / f"2022-03-{i + 1:02d}.geojson")
    (tmp_path / "read.py").write_text(SCRIPT, encoding="utf-8")
    done = subprocess.run([sys.executable, "-W", "error::DeprecationWarning", str(tmp_path / "read.py"), str(folder)],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "multi-threaded" not in done.stderr, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["py_threads"] == 1  # only the thread threading cannot see
    assert out["rows"] == parallel.MIN_FILES + 4
    assert out["unsafe_forks"] == []
    assert out["server_threads"] == 1, out


def test_the_reader_reads_while_the_fork_server_starts(monkeypatch):
    """The fork server imports territory.io (~1.3 s of CPU) before its first worker runs: the reader
    maps the first chunks itself meanwhile, then the workers the rest, all in order (was: idle)."""
    import os

    from tests.unit.parallel_helpers import item_and_pid

    monkeypatch.setattr(parallel, "os_threads", lambda: 2)  # as with numpy's threads, on any runner
    out = list(parallel.ordered_map(item_and_pid, list(range(1000)), 2))
    assert [x for x, _ in out] == list(range(1000))
    pids = [pid for _, pid in out]
    assert pids[0] == os.getpid()
    assert set(pids) - {os.getpid()}, "no worker mapped anything"
