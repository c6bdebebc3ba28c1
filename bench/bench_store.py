"""Benchmark: the PostGIS team store (a throwaway local cluster, as the tests start it).

Generates a daily archive (bench_stats.make_archive: N days of ~V-vertex
multipolygons, no properties), keeps the last day aside, and measures in this
one run, on this machine:

* import of N-1 days (``territory db import``: load, insert, measure, stats table)
* append of the last day (``territory db append``: insert + stats recomputed in the
  same transaction), and the same append again (idempotent: nothing written)
* naive baseline for a daily update kept in files: load the whole folder and
  recompute the stats table from scratch (what a file user runs each day)
* ``territory stats URL`` read from the precomputed table vs computing it from the files
* the data-version query every dashboard page run makes (median of 50)

Prints figures and ratios; asserts nothing. Needs Debian's postgresql + postgresql-postgis.

    python bench/bench_store.py [--days 200] [--vertices 3000]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "bench"), str(ROOT)]

from bench_stats import make_archive  # noqa: E402

from tests.postgis.fixtures import Unavailable, create_database, throwaway_cluster  # noqa: E402


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=200)
    ap.add_argument("--vertices", type=int, default=3000)
    args = ap.parse_args()

    from territory.analysis import Analysis
    from territory.datasets import load_dataset
    from territory.io import LoadOptions
    from territory.store import postgis as store

    opts = LoadOptions(actor="Occupied")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        folder, last = tmp / "archive", tmp / "last"
        folder.mkdir()
        last.mkdir()
        make_archive(folder, args.days, args.vertices)
        files = sorted(folder.iterdir())
        shutil.move(str(files[-1]), last / files[-1].name)
        print(f"archive: {args.days} days x ~{args.vertices} vertices; last day {files[-1].name} held out")
        try:
            with throwaway_cluster() as server:
                url = create_database(server, "bench")
                store.init(url)
                _, t_import = timed(lambda: store.import_dataset(url, folder, opts))
                print(f"db import of {args.days - 1} days:        {t_import:7.2f} s")
                res, t_append = timed(lambda: store.append(url, last / files[-1].name, opts))
                print(f"db append of 1 day:             {t_append:7.2f} s  (added {res.added} snapshot)")
                res2, t_again = timed(lambda: store.append(url, last / files[-1].name, opts))
                print(f"db append again (idempotent):   {t_again:7.2f} s  (added {res2.added}, skipped {res2.skipped})")

                shutil.move(str(last / files[-1].name), folder / files[-1].name)

                def naive():
                    return store.default_stats(load_dataset(folder, opts))

                table_files, t_naive = timed(naive)
                print(f"naive daily update from files:  {t_naive:7.2f} s  (load all + stats from scratch)")
                print(f"  append / naive: {t_append / t_naive:.2f}x the time")
                table_db, t_read = timed(lambda: store.stored_stats(url))
                print(f"territory stats URL (stored):   {t_read:7.3f} s  vs {t_naive:.2f} s computed from files: "
                      f"{t_naive / t_read:.0f}x faster; same rows: {len(table_db) == len(table_files)}")
                versions = []
                for _ in range(50):
                    _, t = timed(lambda: store.data_version(url))
                    versions.append(t)
                print(f"data_version query (median/50): {statistics.median(versions) * 1000:7.2f} ms")
                _, t_load = timed(lambda: Analysis.of(store.load(url)))
                print(f"dashboard cold load from store: {t_load:7.2f} s  (read + measure; cached per version)")
        except Unavailable as exc:
            print(f"skipped: needs {exc}: apt-get install postgresql postgresql-postgis; pip install -e '.[postgis]'")
            return 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
