"""Benchmark the report exports against a naive baseline measured in the same run.

Prints seconds for a PNG map, the PDF report and a 50-frame GIF (targets:
PNG < 0.5 s, PDF < 3 s, GIF < 20 s) and the standalone HTML size. The naive
baseline plots with GeoDataFrame.plot in EPSG:4326, with no pre-projection or
simplification, and rebuilds the whole figure for every frame. No threshold is
asserted: this measures, CI decides.

    .venv/bin/python bench/bench_export.py [--frames 50]
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.backends.backend_pdf import PdfPages
from PIL import Image

from territory.analysis import Analysis, analysis_for
from territory.datasets import bundled_path
from territory.export import animate, html_export, report_pdf, save_map
from territory.export.animation import frame_days
from territory.export.sample import synthetic_dataset

TARGETS = {"png": 0.5, "pdf": 3.0, "gif": 20.0}


def load() -> tuple[Analysis, str]:
    if (bundled_path() / "dataset.json").exists():
        return analysis_for(), "bundled is_syria_iraq"
    return Analysis.of(synthetic_dataset(60, basemap=True, vertices=2000)), "synthetic (bundled data missing)"


def naive_figure(an: Analysis, day: object) -> plt.Figure:
    """The obvious approach: GeoDataFrame.plot in lon/lat, everything rebuilt each time."""
    ds = an.dataset
    fig, ax = plt.subplots(figsize=(8, 5), dpi=200)
    if ds.basemap is not None:
        ds.basemap.plot(ax=ax, color="#eeeeee", edgecolor="#999999", linewidth=0.4)
    state = an.state(day)
    for (actor, status), part in state.groupby(["actor", "status"]):
        part.plot(ax=ax, color=ds.colors.get(actor, "#777777"), alpha=0.8 if status == "controlled" else 0.3)
    b = ds.history.total_bounds
    ax.set_xlim(b[0] - 1, b[2] + 1)
    ax.set_ylim(b[1] - 1, b[3] + 1)
    ax.set_title(f"{ds.title} — {day}")
    return fig


def naive_png(an: Analysis, day: object, out: Path) -> None:
    fig = naive_figure(an, day)
    fig.savefig(out)
    plt.close(fig)


def naive_pdf(an: Analysis, day: object, out: Path) -> None:
    with PdfPages(out) as pdf:
        fig = naive_figure(an, day)
        pdf.savefig(fig)
        plt.close(fig)
        t = an.table[an.table["status"] == "controlled"]
        fig, ax = plt.subplots(figsize=(11.69, 8.27))
        t.pivot_table(index="date", columns="actor", values="area_km2").plot(ax=ax)
        pdf.savefig(fig)
        plt.close(fig)


def naive_gif(an: Analysis, days: list, out: Path) -> None:
    frames = []
    for d in days:
        fig = naive_figure(an, d.date().isoformat())
        fig.set_dpi(100)
        fig.set_size_inches(9.6, 6.0)
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        plt.close(fig)
        frames.append(Image.open(buf).convert("RGB").quantize(192))
    frames[0].save(out, save_all=True, append_images=frames[1:], duration=500, loop=0)


def timed(fn, *args) -> float:
    """Wall seconds (the CPU seconds of the last call are kept in CPU[0]: other work may share the machine)."""
    t, c = time.perf_counter(), time.process_time()
    fn(*args)
    CPU[0] = time.process_time() - c
    return time.perf_counter() - t


CPU = [0.0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=50)
    args = ap.parse_args()
    t = time.perf_counter()
    an, what = load()
    print(f"data: {what}; {len(an.dataset.history)} rows, {len(an.dates)} change dates "
          f"(load + measure {time.perf_counter() - t:.2f} s)")
    day = an.dates[len(an.dates) // 3].date().isoformat()
    days = frame_days(an, frames=args.frames)
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        timed(save_map, an, day, tmp_path / "warm.png")  # fonts, projection set-up: once per process
        rows = []
        png = float(np.median([timed(save_map, an, day, tmp_path / "m.png") for _ in range(3)]))
        rows.append(("PNG map 1600x1000", png, CPU[0], TARGETS["png"], timed(naive_png, an, day, tmp_path / "n.png")))
        pdf = timed(report_pdf, an, day, tmp_path / "r.pdf")
        rows.append(("PDF report", pdf, CPU[0], TARGETS["pdf"], timed(naive_pdf, an, day, tmp_path / "n.pdf")))
        gif = timed(lambda: animate(an, tmp_path / "a.gif", frames=args.frames))
        rows.append((f"GIF {args.frames} frames 960x600", gif, CPU[0], TARGETS["gif"],
                     timed(naive_gif, an, days, tmp_path / "n.gif")))
        print(f"{'export':<26}{'seconds':>9}{'cpu s':>8}{'target':>9}{'naive s':>9}{'naive/ours':>12}")
        for name, secs, cpu, target, naive in rows:
            print(f"{name:<26}{secs:>9.2f}{cpu:>8.2f}{'< ' + format(target, 'g'):>9}{naive:>9.2f}"
                  f"{naive / secs:>11.1f}x")
        html = html_export(an, tmp_path / "p.html")
        print(f"HTML standalone: {html.stat().st_size / 1e6:.2f} MB; GIF {(tmp_path / 'a.gif').stat().st_size / 1e6:.2f} MB; "
              f"PDF {(tmp_path / 'r.pdf').stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
