"""Benchmark: gains over time (issue 18.5) and patches (18.6) on an 800-date daily archive.

Generates ``--days`` property-less daily snapshots (tests/ukraine_style.py ``make_archive``: the
kind of folder a front-line analyst keeps), warms the measurement cache once, then measures in
this one run, each as a fresh ``territory`` process as a user runs it (bytecode cached, as installed),
wall and CPU seconds:

* ours: ``territory change PATH --every month`` (one call, every month)
* naive: one ``territory change --from D1 --to D2 --table summary`` per month (what it took before)
* ours with ``--region-filter Donetsk``
* patches: ``territory change --table patches`` over the last month
* the core alone, in process: ``period_change`` for all months, ``find_patches`` for one month

and checks that each month's row of the one call equals its separate call. Target: the one call
under 5 s warm. Prints figures and the ratio; asserts nothing but the equality.

    python bench/bench_change.py [--days 800] [--keep DIR]
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.ukraine_style import make_archive  # noqa: E402

TERRITORY = [sys.executable, "-m", "territory.cli"]
#: Children run as an installed package does: with compiled bytecode cached (here in a private folder, so
#: the source tree gets no __pycache__). Without it every process compiles pandas & co. again (~11 s here).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ENV["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "territory-bench-pycache")
CPU = [0.0]  # CPU seconds of the children so far


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(*argv: str) -> tuple[float, str]:
    """Wall seconds and stdout of one ``territory`` process (its CPU seconds are added to ``CPU``)."""
    t0, c0 = time.perf_counter(), _children_cpu()
    p = subprocess.run([*TERRITORY, *argv], capture_output=True, text=True, check=False, env=ENV)
    if p.returncode != 0:
        raise SystemExit(f"territory {' '.join(argv)} failed ({p.returncode}): {p.stderr[-2000:]}")
    CPU[0] += _children_cpu() - c0
    return time.perf_counter() - t0, p.stdout


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=800)
    ap.add_argument("--keep", type=Path, help="use/keep the archive in this folder (made if empty)")
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory() if args.keep is None else None
    folder = args.keep or Path(tmp.name) / "snapshots"
    if not folder.exists() or not any(folder.glob("*.geojson")):
        t0 = time.perf_counter()
        make_archive(folder, args.days)
        print(f"generated {args.days} daily snapshots in {time.perf_counter() - t0:.1f} s")
    base = (str(folder), "--actor", "Occupied")
    cold, _ = run("change", *base, "--every", "month")
    print(f"cold first call (reads, measures, caches): {cold:.1f} s")

    c0 = CPU[0]
    ours, out = run("change", *base, "--every", "month")
    ours_cpu = CPU[0] - c0
    months = pd.read_csv(io.StringIO(out))
    print(f"ours warm: one call, {len(months)} months: {ours:.2f} s wall, {ours_cpu:.2f} s CPU  (target < 5 s)")

    c0 = CPU[0]
    naive = 0.0
    worst = 0.0
    for row in months.itertuples():
        t, one = run("change", *base, "--from", row.date_from, "--to", row.date_to, "--table", "summary")
        naive += t
        ref = pd.read_csv(io.StringIO(one)).iloc[0]
        worst = max(worst, *(abs(getattr(row, c) - ref[c]) for c in ("gained_km2", "lost_km2", "net_km2")))
    naive_cpu = CPU[0] - c0
    print(f"naive warm: {len(months)} separate --from/--to calls: {naive:.1f} s wall ({naive / ours:.0f}x ours), "
          f"{naive_cpu:.1f} s CPU ({naive_cpu / ours_cpu:.0f}x ours); largest difference between the two: "
          f"{worst:.2e} km²")
    print(f"load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (wall times include waiting for them)")

    t, out = run("change", *base, "--every", "month", "--region-filter", "Donetsk")
    print(f"ours warm, --region-filter Donetsk: {t:.2f} s ({len(pd.read_csv(io.StringIO(out)))} rows)")
    last = months.iloc[-1]
    t, out = run("change", *base, "--from", last["date_from"], "--to", last["date_to"], "--table", "patches")
    print(f"patches warm, {last['period']}: {t:.2f} s ({len(pd.read_csv(io.StringIO(out)))} patches)")

    from territory.analysis import Analysis
    from territory.datasets import load_dataset
    from territory.io.options import LoadOptions
    from territory.patches import find_patches
    from territory.periods import period_bounds, period_change

    an = Analysis.from_paths(load_dataset(folder, LoadOptions(actor="Occupied")))
    t0 = time.perf_counter()
    period_change(an.measured, period_bounds(an.dates, "month"))
    t1 = time.perf_counter()
    find_patches(an.measured, last["date_from"], last["date_to"], regions=an.region_layer(),
                 settlements=an.dataset.settlements)
    t2 = time.perf_counter()
    print(f"core in process: period_change (all months) {t1 - t0:.3f} s; find_patches (one month) {t2 - t1:.3f} s")
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
