"""A long cold load shows progress (issue 8.8): a bar in the page, a line on stderr.

The server's dataset is a folder of dated snapshots read for the first time; the page
draws how many files are read while the load runs (not only a spinner), every session
waiting on it sees the same load, and the command line prints its progress line on a
terminal.
"""

from __future__ import annotations

import io
import time
import zlib
from contextlib import redirect_stderr, redirect_stdout

import geopandas as gpd
import pytest
import shapely
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest

from territory.app import MAIN_SCRIPT
from territory.cli import main
from territory.ui import shell

FILES = 6


@pytest.fixture
def archive(tmp_path):
    folder = tmp_path / "snaps"
    folder.mkdir()
    salt = zlib.crc32(str(tmp_path).encode()) / 2**32  # each test's files differ: a cold load, never a cache hit
    for i in range(FILES):
        ring = shapely.Point(36 + i * 0.05 + salt, 48).buffer(0.5, 40)
        gpd.GeoDataFrame(geometry=[ring], crs=4326).to_file(folder / f"2022-03-{i + 1:02d}.geojson")
    return folder


@pytest.fixture
def slow_reads(monkeypatch):
    """Each file read takes a moment, so a page polling the load sees it part-way."""
    real = shell.load_default

    def load_default(path, options, progress=None):
        def slow(done, total):
            progress(done, total)
            time.sleep(0.3)

        return real(path, options, progress=slow if progress else None)

    monkeypatch.setattr(shell, "load_default", load_default)
    monkeypatch.setattr(shell, "PROGRESS_POLL_S", 0.05)


def test_cold_load_draws_a_progress_bar_of_the_files_read(archive, monkeypatch, slow_reads):
    monkeypatch.setenv("TERRITORY_PATH", str(archive))
    monkeypatch.setenv("TERRITORY_OPTIONS", '{"actor": "Occupied", "status": "controlled"}')
    drawn: list[tuple[float, str]] = []
    real_progress = DeltaGenerator.progress

    def progress(self, value, text=None):
        drawn.append((value, text))
        return real_progress(self, value, text=text)

    monkeypatch.setattr(DeltaGenerator, "progress", progress)
    at = AppTest.from_file(str(MAIN_SCRIPT), default_timeout=120).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.session_state["date"].startswith("2022-03-")  # the archive is what the page shows
    part_way = [(v, t) for v, t in drawn if 0 < v < 1]
    assert part_way, drawn
    assert any(f"of {FILES} files" in t for _, t in part_way)
    values = [v for v, _ in drawn]
    assert values == sorted(values)  # the bar only moves forward
    assert not at.get("progress")  # gone once the page is drawn
    # The page's elements keep their places on the next run (else an open expander would close).
    layout = [(k, type(e).__name__) for k, e in at.main.children.items()]
    at.run()
    assert [(k, type(e).__name__) for k, e in at.main.children.items()] == layout

    drawn.clear()
    again = AppTest.from_file(str(MAIN_SCRIPT), default_timeout=120).run()  # a later visitor: loaded already
    assert not again.exception
    assert drawn == []


def test_sessions_arriving_during_a_load_share_it(archive, monkeypatch, slow_reads):
    options = '{"actor": "Occupied", "status": "controlled"}'
    calls: list[str] = []
    real = shell.load_default
    monkeypatch.setattr(shell, "load_default", lambda *a, **k: calls.append(a[0]) or real(*a, **k))
    first = shell.default_load(str(archive), options, "test-share")
    second = shell.default_load(str(archive), options, "test-share")
    assert first is second
    assert first.finished.wait(60)
    assert calls == [str(archive)]
    assert first.done == first.total == FILES
    assert first.label() == f"Read {FILES} files; measuring the areas…"
    assert first.result.dataset.history["date"].nunique() == FILES


def test_a_failed_load_is_tried_again(monkeypatch, tmp_path):
    def boom(path, options, progress=None):
        raise OSError("disk gone")

    monkeypatch.setattr(shell, "load_default", boom)
    job = shell.default_load(str(tmp_path), "{}", "test-retry")
    assert job.finished.wait(10) and isinstance(job.error, OSError)
    with pytest.raises(OSError):
        shell.wait_with_progress(job)
    assert shell.default_load(str(tmp_path), "{}", "test-retry") is not job


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_cli_prints_a_progress_line_on_a_terminal_during_a_cold_load(archive, monkeypatch):
    err, buf = _Terminal(), io.StringIO()
    with redirect_stderr(err), redirect_stdout(buf):
        code = main(["stats", str(archive), "--actor", "Occupied", "--no-cache"])
    out = buf.getvalue()
    assert code == 0
    assert out.startswith("date,actor,status")
    assert "reading" not in out
    lines = err.getvalue().split("\r")
    assert f"territory: reading 1/{FILES} files" in lines
    assert f"territory: reading {FILES}/{FILES} files\n" in lines


def test_server_prints_the_progress_line_on_its_terminal(archive, monkeypatch):
    err = _Terminal()
    monkeypatch.setattr(shell, "_stderr_is_tty", lambda: True)
    with redirect_stderr(err):
        job = shell.default_load(str(archive), '{"actor": "Occupied"}', "test-tty")
        assert job.finished.wait(60)
    assert f"territory: reading {FILES}/{FILES} files\n" in err.getvalue()
    assert isinstance(job.result, shell.Analysis)


def test_the_servers_own_dataset_may_use_every_core(archive, monkeypatch):
    """The dataset the server was started on is read once for everyone: workers allowed from the threaded server."""
    from territory.io import parallel

    asked = []

    def workers_for(n, threaded_ok=False):
        asked.append(threaded_ok)
        return 1

    monkeypatch.setattr(parallel, "workers_for", workers_for)
    shell.load_default(str(archive), shell.default_options())
    assert asked == [True]
