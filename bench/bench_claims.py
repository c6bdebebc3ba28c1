"""Benchmark: checking the largest accepted claims ledger against the bundled history.

Builds a ledger of ``claims.MAX_CLAIMS`` rows (100,000: the row cap) by varying the
bundled ledger's rows (dates spread over the history, values ×0.5–1.5, every metric,
unit, baseline and region it uses), writes it as CSV, and measures in this one run:

* ours: ``read_claims`` + ``evaluate_claims`` on the whole ledger (one clipped,
  indexed series per (region, actor); two binary searches per claim)
* naive: the per-row loop the project used before (``evaluate_claims_naive``: the
  area table filtered per claim), timed on a sample and scaled to the full ledger
  (running it in full took over 170 s)

Target (issue 17.5): the largest accepted ledger checks in ≤ 10 s. Prints figures and
the ratio; asserts nothing.

    python bench/bench_claims.py [--rows 100000] [--naive-rows 2000]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd


def make_ledger(base: pd.DataFrame, rows: int, first: pd.Timestamp, last: pd.Timestamp, seed: int = 3) -> pd.DataFrame:
    """``rows`` claims varied from the bundled ones: the same kinds, other dates and figures."""
    rng = np.random.default_rng(seed)
    pick = base.iloc[rng.integers(0, len(base), rows)].reset_index(drop=True).copy()
    span = (last - first).days
    pick["date"] = [(first + pd.Timedelta(days=int(d))).date().isoformat() for d in rng.integers(0, span + 60, rows)]
    value = pick["value"].astype(float) * rng.uniform(0.5, 1.5, rows)
    pick["value"] = np.where(pick["unit"] == "percent", value.clip(upper=100), value).round(1)
    pick["id"] = [f"B{i}" for i in range(rows)]
    pick["as_of"] = ""  # the bundled "peak" rows keep their baseline; dates move
    return pick


def main() -> None:
    from territory.analysis import Analysis
    from territory.claims import MAX_CLAIMS, evaluate_claims, evaluate_claims_naive, read_claims
    from territory.datasets import bundled_path, load_dataset

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=MAX_CLAIMS)
    ap.add_argument("--naive-rows", type=int, default=2000, help="rows the naive loop is timed on (then scaled)")
    args = ap.parse_args()

    an = Analysis.of(load_dataset(bundled_path()))
    dates = an.measured.snapshots["date"]
    base = pd.read_csv(bundled_path() / "claims.csv", dtype=str, keep_default_na=False)
    ledger = make_ledger(base, args.rows, pd.Timestamp(dates.min()), pd.Timestamp(dates.max()))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ledger.csv"
        ledger.to_csv(path, index=False)
        size = path.stat().st_size
        t0, c0 = time.perf_counter(), time.process_time()
        parsed, report = read_claims(path)
        t_read, c_read = time.perf_counter() - t0, time.process_time() - c0
    if not report.ok:
        raise SystemExit(f"generated ledger refused: {report.errors[:3]}")
    ctx = an.claim_context()
    t0, c0 = time.perf_counter(), time.process_time()
    fast = evaluate_claims(parsed, ctx)
    t_eval, c_eval = time.perf_counter() - t0, time.process_time() - c0
    sample = parsed.iloc[: args.naive_rows]
    # Warm the shared clipped tables for the naive loop too, so it is timed on the per-row work alone.
    evaluate_claims(sample.iloc[:50], ctx)
    t0, c0 = time.perf_counter(), time.process_time()
    naive = evaluate_claims_naive(sample, ctx)
    scale = len(parsed) / max(len(sample), 1)
    t_naive, c_naive = (time.perf_counter() - t0) * scale, (time.process_time() - c0) * scale
    same = fast.iloc[: len(sample)].reset_index(drop=True).equals(naive)
    ours = t_read + t_eval
    print(f"ledger: {len(parsed):,} rows ({size / 2**20:.1f} MiB CSV); verdicts: "
          + ", ".join(f"{k} {v:,}" for k, v in fast["verdict"].value_counts().items()))
    print(f"ours:  read {t_read:.2f} s + check {t_eval:.2f} s = {ours:.2f} s wall (target ≤ 10 s); "
          f"CPU {c_read + c_eval:.2f} s")
    print(f"naive: per-row loop {t_naive:.1f} s wall, CPU {c_naive:.1f} s for {len(parsed):,} rows "
          f"(timed on {len(sample):,} rows, scaled); same results on them: {same}")
    print(f"ratio naive / ours: {t_naive / ours:.0f}× wall, {c_naive / (c_read + c_eval):.0f}× CPU; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (a shared machine inflates wall time)")


if __name__ == "__main__":
    main()
