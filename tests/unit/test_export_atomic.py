"""Every export format is whole or absent: a disk that fills up during the write leaves the old file or none."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from territory import atomicfile
from territory.analysis import Analysis
from territory.atomicfile import OutputError
from territory.export import animate, html_export, report_pdf, save_map, write_state, write_table
from territory.export.sample import synthetic_dataset

DAY = "2014-03-15"


@pytest.fixture(scope="module")
def analysis() -> Analysis:
    return Analysis.of(synthetic_dataset(6))


def _write(analysis: Analysis, fmt: str, out: Path) -> None:
    if fmt in ("png", "svg", "pdf"):
        save_map(analysis, DAY, out, fmt, width=400, height=250, dpi=50)
    elif fmt == "report":
        report_pdf(analysis, DAY, out)
    elif fmt == "html":
        html_export(analysis, out)
    elif fmt in ("gif", "mp4"):
        animate(analysis, out, fmt, size=(240, 160), frames=2)
    elif fmt in ("geojson", "gpkg"):
        write_state(analysis, DAY, out, fmt)
    else:
        write_table(analysis, "stats", out, fmt)


FORMATS = ["png", "svg", "pdf", "report", "html", "gif", "mp4", "geojson", "gpkg", "csv", "json"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_full_disk_leaves_the_previous_file_and_no_temp(analysis: Analysis, tmp_path: Path, fmt: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    suffix = "pdf" if fmt == "report" else fmt
    out = tmp_path / f"out.{suffix}"
    out.write_bytes(b"previous export")
    written: list[int] = []

    def full(path: Path) -> None:  # the writer has finished; the disk refuses the last blocks
        written.append(path.stat().st_size)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomicfile, "_fsync", full)
    with pytest.raises(OutputError, match="disk is full") as info:
        _write(analysis, fmt, out)
    assert written and written[0] > 0  # the real writer ran into the temporary file
    assert str(out) in str(info.value)
    assert out.read_bytes() == b"previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]


@pytest.mark.parametrize("fmt", ["png", "gif", "gpkg", "csv"])
def test_a_successful_export_replaces_the_file_and_leaves_no_temp(analysis: Analysis, tmp_path: Path,
                                                                  fmt: str) -> None:
    out = tmp_path / f"out.{fmt}"
    out.write_bytes(b"previous export")
    _write(analysis, fmt, out)
    assert out.read_bytes() != b"previous export" and out.stat().st_size > 100
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]


def test_ffmpeg_failing_on_a_full_disk_is_an_output_error(analysis: Analysis, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """ffmpeg's exit status is checked: imageio-ffmpeg's writer ignored it and renamed a truncated film into place."""
    import imageio_ffmpeg

    fake = tmp_path / "ffmpeg"
    fake.write_text("#!/bin/sh\ncat > /dev/null\n"
                    "echo '[out#0/mp4 @ 0x1] Error closing file: No space left on device' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_exe", lambda: str(fake))
    out = tmp_path / "film.mp4"
    with pytest.raises(OutputError, match="disk is full") as info:
        animate(analysis, out, "mp4", size=(240, 160), frames=2)
    assert "Error closing file" in str(info.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ffmpeg"]
