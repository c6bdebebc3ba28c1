"""Benchmark: the full stats table and change series at daily-front-line-archive scale.

Generates 800 daily snapshots of ~3,000-vertex multipolygons as GeoJSON files in
a folder (no properties: dates from the file names), then measures, in this one
run and on this machine:

* naive: per file read + ``to_crs`` + ``.area``; per consecutive pair ``overlay``
* ours cold: ``territory stats`` with an empty cache (load, measure, table)
* ours warm: ``territory stats`` again (answers from the content-hash cache)
* ours change series: gains/losses for all consecutive pairs
* peak memory (max RSS) of each, each in its own process

Targets (issue 3): warm ≥ 10× faster than naive, cold no slower than 0.8× naive,
change series < 5 s, peak memory < 1 GiB. Prints figures and ratios; asserts nothing.

    python bench/bench_stats.py [--days 800] [--vertices 3000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def make_archive(folder: Path, days: int, vertices: int, seed: int = 7) -> None:
    """A wiggly front advancing day by day, plus two small islands (a MultiPolygon)."""
    import geopandas as gpd
    import pandas as pd
    import shapely

    rng = np.random.default_rng(seed)
    n = vertices - 40
    ang = np.linspace(0, 2 * np.pi, n, endpoint=False)
    base_noise = rng.normal(0, 1, (8, 2))
    start = pd.Timestamp("2022-02-24")
    for d in range(days):
        t = d / days
        r = 3.0 + 0.6 * np.sin(3 * ang + t * 4) + 0.15 * np.sin(40 * ang + t * 30)
        for k, (a, b) in enumerate(base_noise, start=2):
            r = r + 0.03 * (a * np.sin(k * 7 * ang + t * 10) + b * np.cos(k * 5 * ang))
        r *= 1.0 - 0.4 * t
        xs, ys = 36.0 + r * np.cos(ang) * 1.3, 48.5 + r * np.sin(ang)
        main = shapely.Polygon(np.column_stack([xs, ys]))
        islands = [shapely.Point(33.0 + 0.2 * i, 45.0).buffer(0.15, 5) for i in range(2)]
        geom = shapely.MultiPolygon([main, *islands])
        day = (start + pd.Timedelta(days=d)).strftime("%Y-%m-%d")
        gpd.GeoDataFrame(geometry=[geom], crs=4326).to_file(folder / f"{day}.geojson", engine="pyogrio")


CHILD = r"""
import json, resource, sys, time
mode, folder = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
if mode == "naive":
    import warnings
    from pathlib import Path
    import geopandas as gpd
    warnings.simplefilter("ignore")
    files = sorted(Path(folder).glob("*.geojson"))
    prev = None
    areas, changes = [], []
    for f in files:
        g = gpd.read_file(f, engine="pyogrio").to_crs("EPSG:6933")
        areas.append(float(g.area.sum()))
        if prev is not None:
            changes.append(float(gpd.overlay(prev, g, how="symmetric_difference").area.sum()))
        prev = g
    n = len(areas)
elif mode in ("cold", "warm"):
    from territory.cli import main
    import io, contextlib
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(["stats", folder, "--actor", "Occupied", "--out", "/dev/null"])
    assert code == 0
    n = None
elif mode == "change":
    from territory.analysis import Analysis
    from territory.datasets import load_dataset
    from territory.io.options import LoadOptions
    an = Analysis.from_paths(load_dataset(folder, LoadOptions(actor="Occupied")), extra={"actor": "Occupied"})
    t0 = time.perf_counter()  # time the change series alone, from the cached measurement
    cs = an.change_series()
    n = len(cs)
elapsed = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": elapsed, "rss_mib": rss, "n": n}))
"""


def child(mode: str, folder: Path, env: dict) -> dict:
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CHILD, mode, str(folder)], env=env, capture_output=True,
                         text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{out.stderr}")
    res = json.loads(out.stdout.strip().splitlines()[-1])
    res["wall"] = time.perf_counter() - t0
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=800)
    ap.add_argument("--vertices", type=int, default=3000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "archive"
        folder.mkdir()
        t0 = time.perf_counter()
        make_archive(folder, args.days, args.vertices)
        size = sum(f.stat().st_size for f in folder.iterdir()) / 2**20
        print(f"synthetic archive: {args.days} daily GeoJSON files, ~{args.vertices} vertices each, "
              f"{size:.1f} MiB, made in {time.perf_counter() - t0:.1f} s")
        env = dict(os.environ, TERRITORY_CACHE_DIR=str(Path(tmp) / "cache"))
        naive = child("naive", folder, env)
        cold = child("cold", folder, env)
        warm = child("warm", folder, env)
        change = child("change", folder, env)
    print(f"{'step':<34}{'seconds':>10}{'wall s':>10}{'peak MiB':>10}")
    for name, r in (("naive loop (read,to_crs,area,overlay)", naive), ("ours cold (load+measure+table)", cold),
                    ("ours warm (from cache)", warm), ("ours change series (all pairs)", change)):
        print(f"{name:<34}{r['seconds']:>10.2f}{r['wall']:>10.2f}{r['rss_mib']:>10.0f}")
    print()
    print(f"warm speed-up vs naive (process wall time): {naive['wall'] / warm['wall']:.1f}x   (target >= 10x)")
    print(f"cold speed vs naive (process wall time):    {naive['wall'] / cold['wall']:.2f}x  (target >= 0.8x)")
    print(f"change series, all {args.days - 1} pairs:        {change['seconds']:.2f} s  (target < 5 s)")
    peak = max(cold["rss_mib"], warm["rss_mib"], change["rss_mib"])
    print(f"peak memory, ours:                          {peak:.0f} MiB (target < 1024 MiB); naive {naive['rss_mib']:.0f} MiB")


if __name__ == "__main__":
    main()
