"""Animations over a date range: GIF (Pillow) and MP4 (imageio-ffmpeg, H.264).

Frames come from the report-map renderer: the figure, basemap, inset, scale
bar and footer are built once and each frame only swaps the territory and the
texts (title, date, legend and key numbers stay on every frame), then the Agg
canvas is read back. Frames stream to the encoder, so memory stays flat.
"""

from __future__ import annotations

import errno
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from territory import atomicfile
from territory.analysis import Analysis
from territory.export import fonts
from territory.export.mapview import RC, MapFigure
from territory.model import to_day

Progress = Callable[[int, int], None]
DEFAULT_ANIMATION_SIZE = (960, 600)
MAX_FRAMES = 2000


def frame_days(analysis: Analysis, start: object = None, end: object = None,
               frames: int | None = None) -> list[pd.Timestamp]:
    """The change dates in [start, end] (start included), or ``frames`` evenly spaced days."""
    dates = analysis.dates
    if not dates:
        raise ValueError("the history is empty: nothing to animate")
    lo = to_day(start) if start is not None else dates[0]
    hi = to_day(end) if end is not None else dates[-1]
    if hi < lo:
        raise ValueError(f"--from {lo.date()} is after --to {hi.date()}")
    if frames is not None:
        if frames < 1:
            raise ValueError("frames must be at least 1")
        ns = np.linspace(lo.value, hi.value, frames).astype("int64")
        days = [pd.Timestamp(v).normalize() for v in ns]
    else:
        days = sorted({lo, *(d for d in dates if lo <= d <= hi)})
    if len(days) > MAX_FRAMES:
        raise ValueError(f"{len(days)} frames is too many (max {MAX_FRAMES}); pass fewer frames or a shorter range")
    return days


def render_frames(analysis: Analysis, days: list[pd.Timestamp], size: tuple[int, int] = DEFAULT_ANIMATION_SIZE,
                  progress: Progress | None = None, focus: str | None = None,
                  denominator_index: int = 0) -> Iterator[np.ndarray]:
    """RGB uint8 frames (height, width, 3), one per day, from one reused figure."""
    fonts.quiet()
    with mpl.rc_context(RC):
        mf = MapFigure(analysis, size=size, dpi=100, fixed_legend=True, blit=True, focus=focus,
                       denominator_index=denominator_index)
        canvas = FigureCanvasAgg(mf.fig)
        mf.freeze_background(canvas)
        for i, day in enumerate(days):
            mf.show(day)
            mf.draw_frame(canvas)
            yield np.asarray(canvas.buffer_rgba())[..., :3].copy()
            if progress is not None:
                progress(i + 1, len(days))


def _even(size: tuple[int, int]) -> tuple[int, int]:
    """H.264 in yuv420p needs even width and height."""
    w, h = int(size[0]), int(size[1])
    if w < 200 or h < 150:
        raise ValueError("animation size must be at least 200 x 150 px")
    return w - w % 2, h - h % 2


def _write_gif(frames: Iterator[np.ndarray], out: Path, fps: float) -> None:
    def pal(arr: np.ndarray) -> Image.Image:
        return Image.fromarray(arr).quantize(colors=192, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)

    first = pal(next(frames))
    first.save(out, format="GIF", save_all=True, append_images=(pal(f) for f in frames),
               duration=round(1000 / fps), loop=0, disposal=1, optimize=False)


def _write_mp4(frames: Iterator[np.ndarray], out: Path, fps: float, size: tuple[int, int]) -> None:
    """Pipe the frames to ffmpeg (H.264, yuv420p, moov atom first); its exit status is checked.

    imageio-ffmpeg's writer ignores ffmpeg's exit status, so a disk that filled up
    while ffmpeg closed the file passed as a finished film: ffmpeg is run here, its
    messages kept, and a failure raised as an OSError (ENOSPC when the disk is full).
    """
    import imageio_ffmpeg

    w, h = size
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-f", "rawvideo", "-vcodec", "rawvideo", "-s", f"{w}x{h}",
           "-pix_fmt", "rgb24", "-r", str(Fraction(fps).limit_denominator()), "-i", "-", "-an",
           "-vcodec", "libx264", "-pix_fmt", "yuv420p", "-crf", "15", "-v", "error",
           "-movflags", "+faststart", str(out)]
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=log)
        try:
            for frame in frames:
                proc.stdin.write(np.ascontiguousarray(frame).tobytes())
            proc.stdin.close()
            code = proc.wait()
        except BrokenPipeError:  # ffmpeg stopped early: its own message says why
            code = proc.wait()
        finally:
            if proc.poll() is None:  # an exception or Ctrl+C in this process: never leave ffmpeg behind
                proc.kill()
                proc.wait()
        if code != 0:
            log.seek(0)
            said = log.read().decode("utf-8", "replace").strip().splitlines()
            full = [line for line in said if "No space left on device" in line]
            last = (full or said or [f"exit status {code}"])[-1]
            raise OSError(errno.ENOSPC if full else errno.EIO, f"ffmpeg could not write the film: {last}")


def animate(analysis: Analysis, out: str | Path, fmt: str | None = None, *, start: object = None,
            end: object = None, fps: float = 2.0, size: tuple[int, int] = DEFAULT_ANIMATION_SIZE,
            frames: int | None = None, progress: Progress | None = None, focus: str | None = None,
            denominator_index: int = 0) -> Path:
    """Write a GIF or MP4 of the map from ``start`` to ``end`` (key numbers of ``focus``); returns the path."""
    out = Path(out)
    fmt = (fmt or out.suffix.lstrip(".")).lower()
    if fmt not in ("gif", "mp4"):
        raise ValueError(f"animation format must be gif or mp4, not {fmt!r}")
    if not 0 < fps <= 60:
        raise ValueError("fps must be between 0 and 60")
    size = _even(size)
    days = frame_days(analysis, start, end, frames)
    stream = render_frames(analysis, days, size, progress, focus=focus, denominator_index=denominator_index)
    with atomicfile.replacing(out) as tmp:  # a killed run leaves no truncated film under the name
        if fmt == "gif":
            _write_gif(stream, tmp, fps)
        else:
            _write_mp4(stream, tmp, fps, size)
    return out
