"""Benchmark: a dashboard server's peak memory while it reads the largest upload the caps accept.

Makes an upload at the upload caps (``territory.io.options.UPLOAD_LIMITS``): a zipped Shapefile
holding as many vertices as ``max_vertices`` allows (memory grows with vertices, counted with the
edges cut as measuring cuts them; a shapefile packs vertices tightest, so it is the most a file
within the byte caps can hold), in polygons of several actors over many dates. Also a 7 MB GeoJSON
of 20,000 large boxes (few vertices, millions once measured), which the caps must refuse cheaply.
Then, each in a fresh process:

* ours: the Data page's path (``territory.upload.read_upload``: load with the upload caps, check,
  measure; what the server holds in its one upload slot)
* naive: ``geopandas.read_file`` + ``to_crs(EPSG:6933)`` + ``.area``

and prints each one's peak memory (max RSS, which includes the ~200 MiB of an imported
geopandas) and CPU seconds, and the ratio. Target (issue 17.5): peak < 1.5 GiB. Asserts nothing.

    python bench/bench_upload.py [--vertices N] [--folder DIR]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

TARGET_MIB = 1536

CHILD = r"""
import json, resource, sys, time
mode, path = sys.argv[1], sys.argv[2]
c0 = time.process_time()
if mode == "ours":
    from pathlib import Path
    from territory.io.options import UPLOAD_LIMITS, LoadOptions
    from territory.report import LoadError
    from territory.upload import read_upload
    options = LoadOptions(cache=False, **UPLOAD_LIMITS)
    try:
        ds, an = read_upload(Path(path), options, claims=None, name=Path(path).name, extra={"upload": True})
        rows, outcome = len(ds.history), ds.report.summary()
    except LoadError as exc:
        rows, outcome = 0, "refused: " + exc.report.summary() + " " + "; ".join(p.code for p in exc.report.errors[:3])
else:
    import warnings
    import geopandas as gpd
    warnings.simplefilter("ignore")
    g = gpd.read_file(path, engine="pyogrio").to_crs("EPSG:6933")
    rows, outcome = len(g), f"{float(g.area.sum()) / 1e6:,.0f} km2"
print(json.dumps({"rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "cpu": time.process_time() - c0, "rows": rows, "outcome": outcome}))
"""


def make_upload(folder: Path, vertices: int, per_polygon: int = 10_000, seed: int = 3) -> Path:
    """A zipped Shapefile of wiggly polygons of 4 actors over many dates, as many as measuring them
    (``vertices`` at most, counted as the loader counts them) allows."""
    import geopandas as gpd
    import pandas as pd
    import shapely

    rng = np.random.default_rng(seed)
    n = max(1, vertices // per_polygon)
    ang = np.linspace(0, 2 * np.pi, per_polygon - 1, endpoint=False)
    geoms, actors, dates = [], [], []
    start = pd.Timestamp("2022-03-01")
    for i in range(n):
        cx, cy = 30 + (i % 4) * 2.5, 47 + rng.uniform(-1, 1)
        r = 0.8 + 0.05 * np.sin(7 * ang + i) + 0.02 * np.sin(61 * ang)
        geoms.append(shapely.Polygon(np.column_stack([cx + r * np.cos(ang) * 1.4, cy + r * np.sin(ang)])))
        actors.append(f"Actor {i % 4}")
        dates.append((start + pd.Timedelta(days=i // 4)).strftime("%Y-%m-%d"))
    # The loader counts what measuring works on (edges cut into 0.01° pieces) against max_vertices:
    # keep the polygons that fit, so the upload is the largest one accepted.
    from territory.area import densified_vertices

    fits = np.cumsum([densified_vertices([g]) for g in geoms]) <= vertices
    geoms, actors, dates = ([x for x, ok in zip(seq, fits, strict=True) if ok] for seq in (geoms, actors, dates))
    shp = folder / "upload.shp"
    gpd.GeoDataFrame({"actor": actors, "date": dates}, geometry=geoms, crs=4326).to_file(shp, engine="pyogrio")
    out = folder / "upload.zip"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for part in sorted(folder.glob("upload.*")):
            if part.suffix != ".zip":
                zf.write(part, part.name)
    return out


def make_boxes(folder: Path, n: int = 20_000, seed: int = 1) -> Path:
    """A small GeoJSON of many 5° x 5° boxes: 5 vertices each, 2,000 each once measuring cuts the edges."""
    import geopandas as gpd
    import shapely

    rng = np.random.default_rng(seed)
    x, y = rng.uniform(-10, 30, n), rng.uniform(35, 60, n)
    path = folder / "boxes.geojson"
    gpd.GeoDataFrame({"actor": [f"A{i % 5}" for i in range(n)], "date": [f"2022-03-{1 + i % 28:02d}" for i in range(n)]},
                     geometry=[shapely.box(a, b, a + 5, b + 5) for a, b in zip(x, y, strict=True)],
                     crs=4326).to_file(path, engine="pyogrio")
    return path


def child(mode: str, path: Path) -> dict:
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CHILD, mode, str(path)], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{out.stderr[-3000:]}")
    res = json.loads(out.stdout.strip().splitlines()[-1])
    res["wall"] = time.perf_counter() - t0
    return res


def main() -> None:
    from territory.io.options import UPLOAD_LIMITS

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vertices", type=int, default=UPLOAD_LIMITS["max_vertices"],
                    help="vertices in the upload (default: the upload cap, max_vertices)")
    ap.add_argument("--folder", type=Path, help="make the upload here (kept) instead of in a temporary folder")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.folder or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        upload = folder / "upload.zip"
        if not upload.exists():
            upload = make_upload(folder, args.vertices)
        unzipped = sum(i.file_size for i in zipfile.ZipFile(upload).infolist())
        print(f"upload: {upload.stat().st_size / 2**20:.1f} MiB zipped Shapefile, {unzipped / 2**20:.0f} MiB unzipped, "
              f"~{args.vertices:,} vertices (upload caps: {UPLOAD_LIMITS['max_vertices']:,} vertices, "
              f"{UPLOAD_LIMITS['max_file_bytes'] / 2**20:.0f} MiB a file); made in {time.perf_counter() - t0:.1f} s")
        boxes = make_boxes(folder)
        ours, naive = child("ours", upload), child("naive", upload)
        ours_boxes, naive_boxes = child("ours", boxes), child("naive", boxes)
    print(f"{'path':<52}{'peak MiB':>10}{'CPU s':>8}{'wall s':>8}  outcome")
    for name, r in (("ours: the Data page's read_upload (load, check, measure)", ours),
                    ("naive: read_file + to_crs + area", naive),
                    ("20,000 boxes, ours (refused by the vertex cap)", ours_boxes),
                    ("20,000 boxes, naive", naive_boxes)):
        print(f"{name:<52}{r['rss_mib']:>10.0f}{r['cpu']:>8.2f}{r['wall']:>8.2f}  {r['rows']:,} rows, {r['outcome']}")
    print(f"\npeak memory, ours vs naive: {ours['rss_mib'] / naive['rss_mib']:.2f}x; "
          f"ours {ours['rss_mib']:.0f} MiB (target < {TARGET_MIB} MiB)")


if __name__ == "__main__":
    main()
