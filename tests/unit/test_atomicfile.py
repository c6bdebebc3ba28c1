"""Outputs are whole or absent: territory.atomicfile writes beside, syncs, renames; failures leave nothing."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from territory import atomicfile, cache
from territory.atomicfile import OutputError


def _dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    return int(proc.stdout)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_write_lands_whole_with_the_usual_permissions(tmp_path: Path) -> None:
    out = tmp_path / "t.csv"
    atomicfile.write_text(out, "a,b\r\n1,2\n")
    assert out.read_bytes() == b"a,b\r\n1,2\n"  # no newline translation
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask
    assert _leftovers(tmp_path) == []


def test_a_failure_mid_write_leaves_no_file_and_no_temp(tmp_path: Path) -> None:
    out = tmp_path / "film.mp4"

    def half(p: Path) -> None:
        p.write_bytes(b"x" * 48)
        raise RuntimeError("killed half way")

    with pytest.raises(RuntimeError):
        atomicfile.write_with(out, half)
    assert not out.exists()
    assert _leftovers(tmp_path) == []


def test_a_failed_write_keeps_the_previous_file_intact(tmp_path: Path) -> None:
    out = tmp_path / "map.png"
    out.write_bytes(b"the good one")
    os.chmod(out, 0o640)

    def full(p: Path) -> None:
        p.write_bytes(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OutputError) as info:
        atomicfile.write_with(out, full)
    assert out.read_bytes() == b"the good one"
    assert _leftovers(tmp_path) == []
    msg = str(info.value)
    assert str(out) in msg and "disk is full" in msg and "Nothing was written" in msg
    atomicfile.write_bytes(out, b"new")  # a later success keeps the file's permissions
    assert out.read_bytes() == b"new" and out.stat().st_mode & 0o777 == 0o640


def test_full_disk_at_the_sync_is_an_output_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_space(path: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomicfile, "_fsync", no_space)
    with pytest.raises(OutputError, match="disk is full"):
        atomicfile.write_text(tmp_path / "x.json", "{}")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
def test_dev_full_and_a_path_under_a_device() -> None:
    with pytest.raises(OutputError, match="disk is full") as info:
        atomicfile.write_text("/dev/full", "x" * 100_000)  # a device is written, never renamed over
    assert info.value.errno == errno.ENOSPC
    assert Path("/dev/full").is_char_device()
    with pytest.raises(OutputError, match="not a folder") as info:
        atomicfile.write_text("/dev/full/x.gif", "x")
    assert "/dev/full/x.gif" in str(info.value)


def test_missing_folder_and_folder_destination(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="folder does not exist"):
        atomicfile.write_text(tmp_path / "nope" / "x.csv", "x")
    with pytest.raises(OutputError, match="it is a folder"):
        atomicfile.write_text(tmp_path, "x")


def test_a_symlink_is_written_through(tmp_path: Path) -> None:
    target = tmp_path / "real.csv"
    target.write_text("old")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    atomicfile.write_text(link, "new")
    assert link.is_symlink() and target.read_text() == "new"


def test_a_killed_writer_leaves_only_a_hidden_temp_that_the_next_write_sweeps(tmp_path: Path) -> None:
    out = tmp_path / "anim.gif"
    code = ("import sys, time; from pathlib import Path; from territory import atomicfile\n"
            "def slow(p):\n    p.write_bytes(b'GIF89a' + b'x' * 1000)\n    print('ready', flush=True)\n"
            "    time.sleep(60)\n"
            f"atomicfile.write_with(Path({str(out)!r}), slow)\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
        proc.stdout.close()
    assert not out.exists()  # never a truncated file under the name
    left = _leftovers(tmp_path)
    assert len(left) == 1 and atomicfile.owner_pid(left[0]) == proc.pid
    live = tmp_path / f".anim.gif.{os.getpid()}-0123abcd.tmp.gif"  # a live writer's temp is not touched
    live.write_bytes(b"busy")
    atomicfile.write_bytes(out, b"GIF89a")
    assert out.read_bytes() == b"GIF89a"
    assert _leftovers(tmp_path) == [live.name]


def test_owner_pid_reads_only_our_temp_names() -> None:
    assert atomicfile.owner_pid(".map_2024-05-01.png.4242-0a1b2c3d.tmp.png") == 4242
    assert atomicfile.owner_pid(".stats.csv.77-deadbeef.tmp") == 77
    assert atomicfile.owner_pid("map_2024-05-01.png") is None


def test_cache_sweep_removes_new_style_temps_of_dead_writers(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TERRITORY_CACHE_DIR", str(tmp_path))
    d = tmp_path / "key"
    d.mkdir()
    dead = d / f".history.parquet.{_dead_pid()}-00ff00ff.tmp.parquet"
    dead.write_bytes(b"half")
    mine = d / f".stats.csv.{os.getpid()}-00ff00ff.tmp.csv"
    mine.write_bytes(b"being written")
    old = d / ".x.csv.tmp"  # no process id: age decides
    old.write_bytes(b"?")
    os.utime(old, (time.time() - 3 * 86400,) * 2)
    assert cache.sweep() == 2
    assert not dead.exists() and not old.exists() and mine.exists()


def test_cache_entries_go_through_the_same_writer(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TERRITORY_CACHE_DIR", str(tmp_path))
    seen = []
    real = atomicfile.write_with
    monkeypatch.setattr(atomicfile, "write_with", lambda p, w: seen.append(Path(p).name) or real(p, w))
    assert cache.store_bytes("k", "stats.csv", b"a,b\n")
    assert seen == ["stats.csv", "stats.csv.sum"]
    assert cache.fetch_bytes("k", "stats.csv") == b"a,b\n"
