"""Benchmark: settlements held on one date, and settlements that changed hands over a year.

Generates a daily archive of property-less snapshots (``tests/ukraine_style.make_archive``,
800 dates by default) whose settlements come from the bundled GeoNames gazetteer, then
measures, in this one run and on this machine:

* naive one date: the state on the date, then ``shapely.contains_xy`` of every place in every polygon
* naive year: that, for every change date of the year, then the first date each place's holder differs
* ours cold: the holder of every place on every change date (one STRtree query per distinct geometry,
  spread over dates vectorised), then the lookups
* ours warm: a new Analysis of the same data (holdings read from the cache), then the lookups
* the CLI end to end, warm (``territory settlements``), wall seconds of the whole process

Targets (issue 18): one date ≤ 1 s warm, changed hands over a year ≤ 5 s warm. Prints figures and
ratios, checks that ours and the naive answers agree; asserts no time.

    python bench/bench_settlements.py [--days 800] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def naive_codes(an, day, x, y) -> np.ndarray:
    """Holder actor of each place on ``day`` by plain point-in-polygon (controlled beats other statuses)."""
    from territory.settlements import STATUS_RANK

    state = an.state(day)
    out = np.full(len(x), "", dtype=object)
    rank = np.zeros(len(x), int)
    for actor, status, g in zip(state["actor"], state["status"], state.geometry.values, strict=True):
        r = STATUS_RANK.get(status, 0)
        inside = shapely.intersects_xy(g, x, y) & (rank <= r)
        out[inside], rank[inside] = actor, r
    return out


def best(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=int, default=800)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--vertices", type=int, default=0,
                    help="use bench_stats' archive of N-vertex multipolygons instead (e.g. 3000: a detailed front)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["TERRITORY_CACHE_DIR"] = str(Path(tmp) / "cache")
        from territory.analysis import Analysis
        from territory.datasets import load_dataset
        from territory.io import LoadOptions
        from tests.ukraine_style import make_archive

        folder = Path(tmp) / "archive"
        if args.vertices:
            sys.path.insert(0, str(HERE))
            from bench_stats import make_archive as detailed_archive

            folder.mkdir(parents=True)
            detailed_archive(folder, args.days, args.vertices)
            dates = sorted(p.stem for p in folder.glob("*.geojson"))
        else:
            dates = make_archive(folder, days=args.days)
        options = LoadOptions.from_cli(actor="Occupied")
        t = time.perf_counter()
        ds = load_dataset(folder, options)
        an = Analysis.from_paths(ds)
        print(f"archive: {args.days} dates; load + measure {time.perf_counter() - t:.1f} s; "
              f"{len(an.settlement_layer.table):,} places around the data ({ds.settlements_source})")
        day = dates[len(dates) // 2]
        y0, y1 = dates[-366], dates[-1]
        table = an.settlement_layer.table
        x, y = table["lon"].to_numpy(float), table["lat"].to_numpy(float)

        t_naive_one, naive_one = best(lambda: naive_codes(an, day, x, y), args.repeat)
        year = [d for d in an.dates if pd.Timestamp(y0) <= d <= pd.Timestamp(y1)]
        t = time.perf_counter()
        first = naive_codes(an, y0, x, y)
        changed_on = np.full(len(x), None, dtype=object)
        for d in year[1:]:
            now = naive_codes(an, d, x, y)
            new = (now != first) & (changed_on == None)  # noqa: E711 - elementwise on an object array
            changed_on[new] = d
        last = naive_codes(an, y1, x, y)
        naive_moved = {int(i) for i in np.flatnonzero(last != first)}
        t_naive_year = time.perf_counter() - t

        t = time.perf_counter()
        hold = an.holdings
        t_cold_holdings = time.perf_counter() - t
        t_cold_one, on = best(lambda: an.settlements_on(day), 1)
        t_cold_year, moved = best(lambda: an.settlements_changed(y0, y1), 1)

        warm = Analysis.from_paths(load_dataset(folder, options))  # measurement and holdings from the cache
        t0 = time.perf_counter()
        _ = warm.holdings
        t_warm_holdings = time.perf_counter() - t0
        t_warm_one, on_w = best(lambda: warm.settlements_on(day), args.repeat)
        t_warm_year, moved_w = best(lambda: warm.settlements_changed(y0, y1), args.repeat)
        t_totals, _ = best(lambda: warm.settlements_at(day), args.repeat)

        ours_one = np.full(len(x), "", dtype=object)
        ours_one[hold.places] = np.array([""] + [a for a, _ in hold.holders], dtype=object)[hold.at(day)]
        agree_one = bool((ours_one == naive_one).all())
        key = ["name", "lon", "lat"]
        ours_moved = set(map(tuple, moved[key].astype(str).values))
        naive_rows = {tuple(map(str, table.iloc[i][key])) for i in naive_moved}
        agree_year = ours_moved == naive_rows and on.equals(on_w) and moved.equals(moved_w)
        print(f"held on {day}: {int((on['actor'] != '').sum()):,} places; changed hands {y0}..{y1}: "
              f"{len(moved):,} ({len(year)} change dates scanned); agree with naive: one date {agree_one}, "
              f"year {agree_year}")
        print(f"naive one date      {t_naive_one:8.3f} s")
        print(f"naive year          {t_naive_year:8.3f} s")
        print(f"ours cold holdings  {t_cold_holdings:8.3f} s  ({hold.codes.shape[0]} dates x "
              f"{hold.codes.shape[1]:,} places ever held)")
        print(f"ours cold one date  {t_cold_holdings + t_cold_one:8.3f} s  (lookup alone {t_cold_one:.3f} s)")
        print(f"ours cold year      {t_cold_holdings + t_cold_year:8.3f} s  ({t_naive_year / (t_cold_holdings + t_cold_year):.1f}x naive)")
        print(f"ours warm holdings  {t_warm_holdings:8.3f} s  (from the cache, with the settlement layer: "
              "gazetteer read, region names)")
        print(f"ours warm one date  {t_warm_holdings + t_warm_one:8.3f} s  (target ≤ 1 s; lookup alone "
              f"{t_warm_one:.3f} s, {t_naive_one / max(t_warm_one, 1e-9):.1f}x naive)")
        print(f"ours warm year      {t_warm_holdings + t_warm_year:8.3f} s  (target ≤ 5 s; "
              f"{t_naive_year / (t_warm_holdings + t_warm_year):.0f}x naive)")
        print(f"ours warm totals    {t_totals:8.3f} s  (Analysis.settlements_at, the map page's figure)")
        cli = [sys.executable, "-m", "territory.cli", "settlements", str(folder), "--actor", "Occupied"]
        import resource

        for label, extra in (("one date", ["--date", day]), ("year", ["--from", y0, "--to", y1])):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t = time.perf_counter()
            subprocess.run(cli + extra, check=True, capture_output=True)
            wall = time.perf_counter() - t
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
            print(f"CLI warm {label:9s}  {wall:8.3f} s wall, {cpu:.2f} s CPU (whole process: start, imports, read "
                  "the archive from its cache, answer; PYTHONDONTWRITEBYTECODE="
                  f"{os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r}: set, every import is compiled again)")
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
