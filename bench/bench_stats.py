"""Benchmark: the full stats table and change series at daily-front-line-archive scale.

Generates 800 daily snapshots of ~3,000-vertex multipolygons as GeoJSON files in
a folder (no properties: dates from the file names), then measures, in this one
run and on this machine:

* naive: per file read + ``to_crs`` + ``.area`` (``--overlay``: plus ``overlay`` per pair)
* naive, area in region (one core, once): the same loop made to print the figure ``territory stats``
  leads with, the area inside the region: + ``make_valid`` + ``intersection`` with the region
* ours cold: ``territory stats`` with an empty cache (load, region guess, measure, clip, table)
* ours warm: ``territory stats`` again (answers from the content-hash cache)
* ours regions: ``territory regions`` on one date of the warm archive (bundled admin-1)
* ours change series: gains/losses for all consecutive pairs
* dashboard server cold load: what a page waits for on a server started on the archive (read,
  measure; from a threaded process, as the server is), on worker processes from a fork server vs
  on one core as before
* naive and cold again on one core (the process and its workers pinned to one CPU: the loader
  then reads in-process), so a win cannot come from a free second core alone
* wall and CPU seconds (user + sys, ``resource.getrusage`` of the process and its workers, plus
  ``/proc`` of descendants still running: a fork server and the workers it reaped) and
  peak memory (max RSS) of each, each in its own process (peak memory is the largest of the
  process and any worker)

Targets (issues 3, 8 and 16.8): cold at least as fast as naive, on two cores and on one, and
in CPU seconds; warm ≥ 10× faster, regions
< 2 s, change series < 5 s, peak memory < 1 GiB. Prints figures and ratios; asserts nothing.

    python bench/bench_stats.py [--days 800] [--vertices 3000] [--repeat 3] [--cold-only]

``--cold-only``: the naive loop and the cold command alone (two cores and one), for issue 16.8.
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
import json, os, resource, sys, time
mode, folder = sys.argv[1], sys.argv[2]
if os.environ.get("BENCH_ONE_CORE"):  # this process and its workers on one core (the loader then reads in-process)
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
def _cpu(who):
    u = resource.getrusage(who)
    return u.ru_utime + u.ru_stime
t0 = time.perf_counter()
c0 = _cpu(resource.RUSAGE_SELF)
if mode in ("naive", "naive_overlay"):
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
        if mode == "naive_overlay" and prev is not None:
            changes.append(float(gpd.overlay(prev, g, how="symmetric_difference").area.sum()))
        prev = g
    n = len(areas)
elif mode == "naive_region":
    # The naive loop made to print the figure `territory stats` leads with: the area inside the region (the
    # country holding most of the archive: Ukraine), per file read -> to_crs -> make_valid (intersection
    # refuses the archive's overlapping parts) -> intersection with the region -> area.
    import warnings
    from pathlib import Path
    import geopandas as gpd
    warnings.simplefilter("ignore")
    world = gpd.read_parquet(sys.argv[3])
    region = world[world["name"] == "Ukraine"].to_crs("EPSG:6933").union_all()
    areas = []
    for f in sorted(Path(folder).glob("*.geojson")):
        g = gpd.read_file(f, engine="pyogrio").to_crs("EPSG:6933")
        areas.append(float(g.make_valid().intersection(region).area.sum()))
    n = len(areas)
elif mode in ("cold", "warm"):
    from territory.cli import main
    import io, contextlib
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(["stats", folder, "--actor", "Occupied", "--out", "/dev/null"])
    assert code == 0
    n = None
elif mode == "regions":
    from territory.cli import main
    import io, contextlib
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(["regions", folder, "--actor", "Occupied", "--date", sys.argv[3]])
    assert code == 0, code
    n = len(buf.getvalue().splitlines()) - 1
elif mode in ("server", "server_one_core"):
    # The dashboard server's cold load of the dataset it was started on: from a threaded process
    # (the server's), through the function the pages use. server_one_core: as before the fork server.
    import threading
    from territory.io import parallel
    from territory.ui import shell
    if mode == "server_one_core":
        real = parallel.workers_for
        parallel.workers_for = lambda n, threaded_ok=False: real(n, False)
    stop = threading.Event()
    threading.Thread(target=stop.wait, daemon=True).start()
    an = shell.load_default(folder, '{"actor": "Occupied"}')
    stop.set()
    assert not hasattr(an, "problems"), an
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
def _live_descendants():
    # CPU seconds and peak RSS (KiB) of the descendants still running: a fork server and its workers
    # are not waited for by this process, so RUSAGE_CHILDREN misses them (utime+stime+cutime+cstime from
    # /proc: a live process's cutime holds the workers it reaped).
    parent, stat = {}, {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as fh:
                    f = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parent[int(d)], stat[int(d)] = int(f[1]), f
    me, tick, cpu, hwm = os.getpid(), os.sysconf("SC_CLK_TCK"), 0.0, 0
    for pid, f in stat.items():
        p = parent.get(pid)
        while p not in (None, 0, 1, me):
            p = parent.get(p)
        if p != me:
            continue
        cpu += sum(int(x) for x in f[11:15]) / tick
        try:
            with open(f"/proc/{pid}/status") as fh:
                hwm = max(hwm, next((int(x.split()[1]) for x in fh if x.startswith("VmHWM:")), 0))
        except OSError:
            pass
    return cpu, hwm
live_cpu, live_hwm = _live_descendants()
kids = resource.getrusage(resource.RUSAGE_CHILDREN)  # worker processes reading a folder count too
cpu = _cpu(resource.RUSAGE_SELF) - c0 + kids.ru_utime + kids.ru_stime + live_cpu
rss = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, kids.ru_maxrss, live_hwm) / 1024
print(json.dumps({"seconds": elapsed, "cpu": cpu, "rss_mib": rss, "n": n}))
"""


def bytecode_note() -> str:
    """Whether the modules both sides import start from compiled bytecode (with PYTHONDONTWRITEBYTECODE set,
    a module without a .pyc is compiled in every run: a fair comparison has both sides alike)."""
    import importlib.util

    def compiled(module: str) -> str:
        spec = importlib.util.find_spec(module)
        origin = Path(spec.origin) if spec and spec.origin else None
        if origin is None or origin.suffix != ".py":
            return "?"
        pyc = Path(importlib.util.cache_from_source(str(origin)))
        return "yes" if pyc.exists() and pyc.stat().st_mtime >= origin.stat().st_mtime else "no"

    return (f"bytecode compiled: pandas {compiled('pandas.core.frame')}, geopandas {compiled('geopandas.geodataframe')}, "
            f"territory {compiled('territory.analysis')} (make compiles all three)")


def child(mode: str, folder: Path, env: dict, *extra: str) -> dict:
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CHILD, mode, str(folder), *extra], env=env, capture_output=True,
                         text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{out.stderr}")
    res = json.loads(out.stdout.strip().splitlines()[-1])
    res["wall"] = time.perf_counter() - t0
    return res


def median_run(runs: list[dict]) -> dict:
    """The run with the median wall time (its own CPU and memory figures), plus every wall time."""
    ordered = sorted(runs, key=lambda r: r["wall"])
    out = dict(ordered[(len(ordered) - 1) // 2])
    out["walls"] = [r["wall"] for r in runs]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=800)
    ap.add_argument("--vertices", type=int, default=3000)
    ap.add_argument("--overlay", action="store_true", help="also time a naive overlay per consecutive pair")
    ap.add_argument("--folder", type=Path, help="use this archive (made there if empty) instead of a temporary one")
    ap.add_argument("--cold-only", action="store_true",
                    help="only the naive loop and the cold command, on two cores and on one (no warm, server, change)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="run the naive loop and the cold command N times, alternated, and report the median run "
                         "of each (on a shared machine)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.folder or Path(tmp) / "archive"
        folder.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        if not any(folder.glob("*.geojson")):
            make_archive(folder, args.days, args.vertices)
        size = sum(f.stat().st_size for f in folder.iterdir()) / 2**20
        print(f"synthetic archive: {args.days} daily GeoJSON files, ~{args.vertices} vertices each, "
              f"{size:.1f} MiB, made in {time.perf_counter() - t0:.1f} s")
        print(bytecode_note())
        naives, colds, serials, servers, naives1, colds1 = [], [], [], [], [], []
        for r in range(args.repeat):  # alternated, so both see the same share of a busy machine
            env = dict(os.environ, TERRITORY_CACHE_DIR=str(Path(tmp) / f"cache{r}"))  # each cold run: empty cache
            one = dict(env, BENCH_ONE_CORE="1", TERRITORY_CACHE_DIR=str(Path(tmp) / f"cache1_{r}"))
            naives.append(child("naive", folder, env))
            colds.append(child("cold", folder, env))
            naives1.append(child("naive", folder, one))
            colds1.append(child("cold", folder, one))
            if args.cold_only:
                continue
            serial_env = dict(env, TERRITORY_CACHE_DIR=str(Path(tmp) / f"cache_s1_{r}"))
            serials.append(child("server_one_core", folder, serial_env))
            servers.append(child("server", folder, dict(env, TERRITORY_CACHE_DIR=str(Path(tmp) / f"cache_s_{r}"))))
        naive, cold = median_run(naives), median_run(colds)
        naive1, cold1 = median_run(naives1), median_run(colds1)
        if not args.cold_only:
            serial, server = median_run(serials), median_run(servers)
            warm = child("warm", folder, env)
            regions = child("regions", folder, env, "2023-01-15")  # one date of the (now warm) archive
            change = child("change", folder, env)
        overlay = child("naive_overlay", folder, env) if args.overlay else None
        world = HERE.parent / "geodata" / "naturalearth" / "countries_world.parquet"
        same1 = child("naive_region", folder, one, str(world))  # once: it is not close
    print(f"{'step':<40}{'seconds':>9}{'wall s':>9}{'CPU s':>8}{'peak MiB':>10}")
    rows = [("naive loop (read, to_crs, area per file)", naive), ("ours cold: territory stats", cold),
            ("naive loop, one core", naive1), ("ours cold, one core", cold1)]
    if not args.cold_only:
        rows += [("ours warm: territory stats again", warm), ("ours warm: territory regions, 1 date", regions),
                 ("ours change series (all pairs)", change),
                 ("dashboard server cold load, one core", serial), ("dashboard server cold load", server)]
    rows.append(("naive, area in region, one core", same1))
    if overlay:
        rows.append(("naive loop + overlay per pair", overlay))
    for name, r in rows:
        print(f"{name:<40}{r['seconds']:>9.2f}{r['wall']:>9.2f}{r['cpu']:>8.2f}{r['rss_mib']:>10.0f}")
    if args.repeat > 1:
        print(f"(median of {args.repeat} alternated runs; naive walls "
              + ", ".join(f"{w:.2f}" for w in naive["walls"]) + " s; cold walls "
              + ", ".join(f"{w:.2f}" for w in cold["walls"]) + " s; one core: naive CPU "
              + ", ".join(f"{r['cpu']:.2f}" for r in naives1) + " s, cold CPU "
              + ", ".join(f"{r['cpu']:.2f}" for r in colds1) + " s)")
    print()
    print(f"cold speed vs naive (process wall time):    {naive['wall'] / cold['wall']:.2f}x  (target >= 1x; "
          f"CPU seconds: {naive['cpu'] / cold['cpu']:.2f}x, {cold['cpu']:.2f} s vs {naive['cpu']:.2f} s)")
    print(f"cold speed vs naive, one core:              {naive1['wall'] / cold1['wall']:.2f}x  (target >= 1x; "
          f"CPU seconds: {naive1['cpu'] / cold1['cpu']:.2f}x, {cold1['cpu']:.2f} s vs {naive1['cpu']:.2f} s)")
    print(f"cold vs a naive loop printing the same figure (area inside the region: + make_valid, intersection), "
          f"one core: CPU seconds {same1['cpu'] / cold1['cpu']:.2f}x, {cold1['cpu']:.2f} s vs {same1['cpu']:.2f} s")
    if args.cold_only:
        return
    print(f"warm speed-up vs naive (process wall time): {naive['wall'] / warm['wall']:.1f}x   (target >= 10x)")
    print(f"dashboard server cold load vs one core:     {serial['seconds'] / server['seconds']:.2f}x  "
          f"({server['seconds']:.2f} s vs {serial['seconds']:.2f} s; fork-server workers, the server's threads "
          "never fork)")
    print(f"territory regions, one date, warm:          {regions['wall']:.2f} s  (target < 2 s; "
          f"{regions['n']} rows)")
    print(f"change series, all {args.days - 1} pairs:        {change['seconds']:.2f} s  (target < 5 s)"
          + (f"; naive overlay loop {overlay['wall']:.1f} s" if overlay else ""))
    peak = max(*(c["rss_mib"] for c in colds), warm["rss_mib"], change["rss_mib"], regions["rss_mib"],
               *(c["rss_mib"] for c in servers))
    print(f"peak memory, ours:                          {peak:.0f} MiB (target < 1024 MiB); naive {naive['rss_mib']:.0f} MiB")
    print("(wall times depend on what else the machine runs; CPU seconds count every thread; the server row's "
          "exclude its fork server's workers, which are not its children)")

if __name__ == "__main__":
    main()
