"""Upload temporaries a killed process leaves behind are swept by any later process, not only a new server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from territory import tempfiles

CHILD = ("from territory import tempfiles\n"
         "d = tempfiles.make('upload')\n"
         "(d / 'raw.geojson').write_text('{}')\n"
         "print(d, flush=True)\n"
         "import time; time.sleep(60)\n")


@pytest.fixture
def own_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def test_an_upload_killed_mid_read_is_swept_by_the_next_upload(own_tmp: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "TMPDIR": str(own_tmp)})
    try:
        left = Path(proc.stdout.readline().strip())
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
        proc.stdout.close()
    assert left.parent == own_tmp and (left / "raw.geojson").exists()
    assert left.name.startswith(f"territory-upload-{proc.pid}-s")  # owner's id and start time in the name
    mine = tempfiles.make("upload")  # any process's next upload, not only a server start
    try:
        assert not left.exists()
        assert mine.exists() and tempfiles.sweep_stale(own_tmp) == 0  # a live owner's folder stays
    finally:
        mine.rmdir()


@pytest.mark.skipif(tempfiles.start_ticks(os.getpid()) is None, reason="no /proc here")
def test_a_reused_process_id_does_not_keep_a_dead_owners_folder(own_tmp: Path) -> None:
    """In a container the server is often pid 1 on every start: the start time tells the two apart."""
    reused = own_tmp / f"territory-upload-{os.getpid()}-s1-abcd"  # our pid, another process's start time
    reused.mkdir()
    assert tempfiles.sweep_stale(own_tmp) == 1 and not reused.exists()


@pytest.mark.skipif(tempfiles.start_ticks(os.getpid()) is None, reason="no /proc here")
@pytest.mark.parametrize("kind", tempfiles.KINDS)
def test_every_kind_made_is_a_kind_swept(own_tmp: Path, kind: str) -> None:
    """A settlement upload's folder was made under a kind the sweep did not look for: a killed server left it for good."""
    dead = own_tmp / f"territory-{kind}-{os.getpid()}-s1-abcd"  # a dead owner's folder of this kind
    dead.mkdir()
    assert tempfiles.sweep_stale(own_tmp) == 1 and not dead.exists()


def test_an_unknown_kind_is_refused(own_tmp: Path) -> None:
    with pytest.raises(ValueError, match="KINDS"):
        tempfiles.make("settlement-layer")
    assert not list(own_tmp.iterdir())  # nothing made


@pytest.mark.skipif(tempfiles.start_ticks(os.getpid()) is None, reason="no /proc here")
def test_unzip_and_export_folders_carry_their_owner(own_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A server killed mid-unzip or mid-export left a folder named by its pid alone: swept only after a day."""
    import zipfile

    from territory.io import archive, readers
    from territory.io.options import LoadOptions
    from territory.report import Report
    from territory.ui.downloads import produce

    seen: list[str] = []
    monkeypatch.setattr(archive, "extract", lambda path, dest, *a, **k: seen.append(dest.name))
    z = own_tmp / "in.zip"
    with zipfile.ZipFile(z, "w") as f:
        f.writestr("a.txt", "x")
    readers.read_zip(z, LoadOptions(), Report(), "in.zip")
    produce(lambda p: seen.append(p.parent.name) or p.write_bytes(b"x"), "png")
    assert [n.rsplit("-", 1)[0] + "-" for n in seen] == [f"territory-unzip-{tempfiles.owner()}",
                                                        f"territory-export-{tempfiles.owner()}"]
