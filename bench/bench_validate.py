"""Benchmark: ``territory validate`` on a folder of 5,000 small daily snapshots (issue 17.6: 30 s).

Generates a folder of property-less daily GeoJSON snapshots (``tests/ukraine_style.make_archive``:
a ~125-vertex front line per day), then, each in a fresh process and alternated:

* naive: per file ``geopandas.read_file`` + ``is_valid`` (read and look at each file, nothing more)
* ours: ``territory validate --no-cache`` (every check: CRS, dates, geometry repair, caps, overlaps,
  duplicates, outliers), on both cores and on one (pinned: the loader then reads in-process)

and prints wall and CPU seconds (``resource.getrusage``: the process and its workers) and the
ratios. Target: markedly under 30 s, and at least as cheap as the naive loop. Asserts nothing.

    python bench/bench_validate.py [--files 5000] [--repeat 1] [--folder DIR]
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

HERE = Path(__file__).resolve().parent

CHILD = r"""
import json, os, resource, sys, time
mode, folder = sys.argv[1], sys.argv[2]
if os.environ.get("BENCH_ONE_CORE"):
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
def _cpu(who):
    u = resource.getrusage(who)
    return u.ru_utime + u.ru_stime
c0 = _cpu(resource.RUSAGE_SELF)
if mode == "naive":
    import warnings
    from pathlib import Path
    import geopandas as gpd
    warnings.simplefilter("ignore")
    bad = sum(int((~gpd.read_file(f, engine="pyogrio").is_valid).sum()) for f in sorted(Path(folder).glob("*.geojson")))
    outcome = f"{bad} invalid"
else:
    import contextlib, io
    from territory.cli import main
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(["validate", folder, "--actor", "Occupied", "--no-cache"])
    outcome = buf.getvalue().strip().splitlines()[-1].split(": ", 1)[-1]
cpu = _cpu(resource.RUSAGE_SELF) - c0 + _cpu(resource.RUSAGE_CHILDREN)
print(json.dumps({"cpu": cpu, "outcome": outcome}))
"""


def child(mode: str, folder: Path, one_core: bool = False) -> dict:
    env = dict(os.environ, **({"BENCH_ONE_CORE": "1"} if one_core else {}))
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CHILD, mode, str(folder)], env=env, capture_output=True, text=True,
                         check=False)
    if out.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{out.stderr[-3000:]}")
    res = json.loads(out.stdout.strip().splitlines()[-1])
    res["wall"] = time.perf_counter() - t0
    return res


def median(runs: list[dict]) -> dict:
    return sorted(runs, key=lambda r: r["wall"])[(len(runs) - 1) // 2]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=1, help="alternated runs of each; the median run is shown")
    ap.add_argument("--folder", type=Path, help="use this archive (made there if empty)")
    args = ap.parse_args()
    sys.path.insert(0, str(HERE.parent / "tests"))
    from ukraine_style import make_archive

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.folder or Path(tmp) / "archive"
        t0 = time.perf_counter()
        if not (folder.is_dir() and any(folder.glob("*.geojson"))):
            make_archive(folder, args.files)
        n = len(list(folder.glob("*.geojson")))
        print(f"{n:,} daily GeoJSON snapshots, {sum(f.stat().st_size for f in folder.iterdir()) / 2**20:.1f} MiB "
              f"(made in {time.perf_counter() - t0:.1f} s)")
        runs: dict[str, list[dict]] = {"naive": [], "ours": [], "naive1": [], "ours1": []}
        for _ in range(args.repeat):
            runs["naive"].append(child("naive", folder))
            runs["ours"].append(child("ours", folder))
            runs["naive1"].append(child("naive", folder, one_core=True))
            runs["ours1"].append(child("ours", folder, one_core=True))
    r = {k: median(v) for k, v in runs.items()}
    print(f"{'step':<46}{'wall s':>8}{'CPU s':>8}  outcome")
    for key, name in (("naive", "naive loop (read_file + is_valid per file)"), ("ours", "ours: territory validate"),
                      ("naive1", "naive loop, one core"), ("ours1", "ours: territory validate, one core")):
        print(f"{name:<46}{r[key]['wall']:>8.2f}{r[key]['cpu']:>8.2f}  {r[key]['outcome']}")
    print(f"\nvalidate vs naive: wall {r['naive']['wall'] / r['ours']['wall']:.2f}x, CPU "
          f"{r['naive']['cpu'] / r['ours']['cpu']:.2f}x; one core: wall {r['naive1']['wall'] / r['ours1']['wall']:.2f}x, "
          f"CPU {r['naive1']['cpu'] / r['ours1']['cpu']:.2f}x (target >= 1x; issue 17.6 measured 30 s)")


if __name__ == "__main__":
    main()
