"""Benchmark: loading the bundled history (target under 1 s).

Prints the time to read and normalise the bundled Syria/Iraq history
(``read_history``), to load the whole dataset (history, claims, layers) and to
measure it, against a naive baseline measured in the same run: a plain
``geopandas.read_file`` of the same file. Best of 5 runs each, after one warm-up.
"""

from __future__ import annotations

import time

import geopandas as gpd

from territory.area import measure
from territory.datasets import bundled_path, load_dataset
from territory.io import read_history

TARGET_S = 1.0


def best(fn, runs: int = 5) -> float:
    fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    path = bundled_path() / "history.geojson"
    naive = best(lambda: gpd.read_file(path, engine="pyogrio"))
    ours = best(lambda: read_history(path))
    dataset = best(load_dataset)
    history = load_dataset().history
    measured = best(lambda: measure(history))
    print(f"bundled history: {path.stat().st_size / 1e6:.2f} MB, {len(history)} rows, "
          f"{history['date'].nunique()} dates")
    print(f"{'step':<46}{'seconds':>9}")
    print(f"{'naive: geopandas.read_file':<46}{naive:>9.3f}")
    print(f"{'ours: read_history (read + validate + normalise)':<46}{ours:>9.3f}")
    print(f"{'ours: load_dataset (history, claims, layers)':<46}{dataset:>9.3f}")
    print(f"{'ours: measure (ellipsoidal areas, unions)':<46}{measured:>9.3f}")
    print(f"\nload_dataset: {dataset:.3f} s (target < {TARGET_S:.1f} s); "
          f"read_history costs {ours / naive:.1f}x a bare read_file for its checks")


if __name__ == "__main__":
    main()
