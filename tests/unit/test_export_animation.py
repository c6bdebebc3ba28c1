"""GIF and MP4 animations: frame counts read back with imageio."""

from __future__ import annotations

from pathlib import Path

import imageio.v2 as iio
import numpy as np
import pytest

from territory.analysis import Analysis
from territory.export import animate
from territory.export.animation import frame_days
from territory.export.sample import synthetic_dataset


@pytest.fixture(scope="module")
def analysis() -> Analysis:
    return Analysis.of(synthetic_dataset(8, basemap=True))


def test_frame_days_change_dates_and_even_spacing(analysis: Analysis) -> None:
    days = frame_days(analysis)
    assert days == sorted(set(days)) and days[0] == analysis.dates[0] and days[-1] == analysis.dates[-1]
    assert len(frame_days(analysis, frames=5)) == 5
    sub = frame_days(analysis, "2014-02-15", "2014-05-01")
    assert str(sub[0].date()) == "2014-02-15" and all(d <= sub[-1] for d in sub)
    with pytest.raises(ValueError):
        frame_days(analysis, "2015-01-01", "2014-01-01")


def test_gif_frames_progress_and_change(analysis: Analysis, tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    out = animate(analysis, tmp_path / "a.gif", frames=6, fps=4, size=(480, 300),
                  progress=lambda i, n: calls.append((i, n)))
    frames = iio.mimread(out)
    assert len(frames) == 6
    assert frames[0].shape[:2] == (300, 480)
    assert calls[-1] == (6, 6) and len(calls) == 6
    assert not np.array_equal(frames[0], frames[-1])  # the territory moves


def test_mp4_frames_and_even_size(analysis: Analysis, tmp_path: Path) -> None:
    out = animate(analysis, tmp_path / "a.mp4", frames=5, fps=5, size=(481, 301))
    reader = iio.get_reader(out, format="FFMPEG")
    try:
        assert reader.count_frames() == 5
        assert tuple(reader.get_meta_data()["size"]) == (480, 300)
    finally:
        reader.close()


def test_bad_options_refused(analysis: Analysis, tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        animate(analysis, tmp_path / "a.avi")
    with pytest.raises(ValueError):
        animate(analysis, tmp_path / "a.gif", fps=0)
