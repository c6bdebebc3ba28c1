"""`--out` on a full disk or an unwritable path: one line naming the path, exit 1, no file left half-written."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from territory import atomicfile
from territory.export.sample import synthetic_history
from tests.cli_run import run_cli

FULL = Path("/dev/full")


@pytest.fixture(scope="module")
def history_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("out") / "front.geojson"
    synthetic_history(4).to_file(path, driver="GeoJSON")
    return path


def _refused(code: int, err: str, path: str) -> None:
    assert code == 1, err
    assert f"cannot write {path}" in err and "internal error" not in err and "Traceback" not in err
    assert err.count("territory: error:") == 1


def test_table_out_on_a_full_disk_keeps_the_previous_file(history_file: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "stats.csv"
    out.write_text("previous\n")

    def full(path: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomicfile, "_fsync", full)
    code, _, err = run_cli("stats", str(history_file), "--no-cache", "--out", str(out))
    _refused(code, err, str(out))
    assert "disk is full" in err
    assert out.read_text() == "previous\n" and sorted(p.name for p in tmp_path.iterdir()) == ["stats.csv"]


@pytest.mark.skipif(not FULL.exists(), reason="no /dev/full here")
def test_out_to_dev_full(history_file: Path) -> None:
    code, _, err = run_cli("stats", str(history_file), "--no-cache", "--out", str(FULL))
    _refused(code, err, str(FULL))
    assert "disk is full" in err


@pytest.mark.skipif(not FULL.exists(), reason="no /dev/full here")
@pytest.mark.parametrize("fmt", ["gif", "csv", "png"])
def test_export_under_a_device_is_a_clear_error(history_file: Path, fmt: str) -> None:
    target = f"/dev/full/x.{fmt}"
    code, _, err = run_cli("export", str(history_file), "--no-cache", "--format", fmt, "--out", target,
                           "--frames", "2", "--width", "240", "--height", "160")
    _refused(code, err, target)
    assert "not a folder" in err


def test_export_into_a_missing_folder_is_a_clear_error(history_file: Path, tmp_path: Path) -> None:
    target = str(tmp_path / "nope" / "r.pdf")
    code, _, err = run_cli("report", str(history_file), "--no-cache", "--out", target)
    _refused(code, err, target)
    assert "folder does not exist" in err
    assert not (tmp_path / "nope").exists()


def test_an_animation_cut_short_puts_the_error_on_its_own_line(history_file: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from territory.export import animation

    def full_after_a_frame(frames, out, fps) -> None:
        next(frames), next(frames)  # the bar has drawn 1/3
        Path(out).write_bytes(b"GIF89a")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(animation, "_write_gif", full_after_a_frame)
    target = str(tmp_path / "a.gif")
    code, _, err = run_cli("export", str(history_file), "--no-cache", "--format", "gif", "--out", target,
                           "--frames", "3", "--width", "240", "--height", "160")
    _refused(code, err, target)
    assert "1/3" in err
    assert any(line.startswith("territory: error: cannot write") for line in err.splitlines())
    assert list(tmp_path.iterdir()) == []
