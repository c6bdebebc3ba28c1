"""Benchmark: the monthly brief (issue 18.8) on an 800-date daily archive.

Generates ``--days`` property-less daily snapshots (tests/ukraine_style.py ``make_archive``), warms the
measurement cache once, then measures in this one run, each as a fresh ``territory`` process as a user
runs it (bytecode cached, as installed), wall and CPU seconds:

* ours: ``territory brief PATH --from D1 --to D2 --out brief.pdf`` for the archive's last whole month,
  and the same with ``--format md``;
* naive: the separate commands an analyst ran to gather the same figures before: ``change --from --to``,
  ``change --every month`` over the seven months charted, ``regions --date`` on both dates,
  ``change --table patches`` and ``settlements --from --to``;
* the core alone, in process: ``build_brief``, ``brief_markdown``, ``brief_pdf``.

Checks the brief's net km² equals ``territory change``'s. Target: the brief under 15 s warm. Prints
figures and the ratio; asserts nothing but the equality.

    python bench/bench_brief.py [--days 800] [--keep DIR]
"""

from __future__ import annotations

import argparse
import io
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_change import CPU, run  # noqa: E402

from tests.ukraine_style import make_archive  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=800)
    ap.add_argument("--keep", type=Path, help="use/keep the archive in this folder (made if empty)")
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    folder = args.keep or Path(tmp.name) / "snapshots"
    if not folder.exists() or not any(folder.glob("*.geojson")):
        t0 = time.perf_counter()
        make_archive(folder, args.days)
        print(f"generated {args.days} daily snapshots in {time.perf_counter() - t0:.1f} s")
    last = pd.Timestamp(max(p.stem for p in folder.glob("*.geojson")))
    d2 = (last - pd.offsets.MonthEnd(1)) if not last.is_month_end else last  # the last whole month
    d1 = d2 - pd.offsets.MonthEnd(1)
    span = ("--from", str(d1.date()), "--to", str(d2.date()))
    base = (str(folder), "--actor", "Occupied")
    pdf = Path(tmp.name) / "brief.pdf"
    cold, _ = run("brief", *base, *span, "--out", str(pdf))
    print(f"first call (cold: reads, measures, caches; warm if --keep reuses a measured archive): {cold:.1f} s")

    c0 = CPU[0]
    ours, _ = run("brief", *base, *span, "--out", str(pdf))
    ours_cpu = CPU[0] - c0
    print(f"ours warm: territory brief {span[1]}..{span[3]} --out brief.pdf: {ours:.2f} s wall, {ours_cpu:.2f} s CPU "
          f"(target < 15 s); {pdf.stat().st_size / 1024:,.0f} kB")
    c0 = CPU[0]
    ours_md, md = run("brief", *base, *span, "--format", "md")
    print(f"ours warm, --format md: {ours_md:.2f} s wall, {CPU[0] - c0:.2f} s CPU")

    c0 = CPU[0]
    naive = 0.0
    t, out = run("change", *base, *span, "--table", "summary")
    naive += t
    net = float(pd.read_csv(io.StringIO(out))["net_km2"].iloc[0])
    start7 = str((d1 - pd.offsets.MonthEnd(6)).date())
    for argv in (("change", *base, "--every", "month", "--from", start7, "--to", span[3]),
                 ("regions", *base, "--date", span[1]), ("regions", *base, "--date", span[3]),
                 ("change", *base, *span, "--table", "patches"), ("settlements", *base, *span)):
        naive += run(*argv)[0]
    naive_cpu = CPU[0] - c0
    print(f"naive warm: 6 separate commands for the same figures: {naive:.1f} s wall ({naive / ours:.1f}x ours), "
          f"{naive_cpu:.1f} s CPU ({naive_cpu / max(ours_cpu, 1e-9):.1f}x ours)")
    row = next(ln for ln in md.splitlines() if ln.startswith("| Occupied | controlled"))
    brief_net = float(re.split(r"\s*\|\s*", row)[7].replace(",", ""))
    print(f"net km²: brief {brief_net:,.1f}, territory change {net:,.1f} (difference {abs(brief_net - net):.2f} km², "
          "the brief prints one decimal)")
    if abs(brief_net - net) > 0.051:
        raise SystemExit("the brief's net differs from territory change's")
    print(f"load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (wall times include waiting for them)")

    from territory.analysis import Analysis
    from territory.brief import brief_markdown, build_brief
    from territory.datasets import load_dataset
    from territory.export.brief import brief_pdf
    from territory.io.options import LoadOptions

    an = Analysis.from_paths(load_dataset(folder, LoadOptions(actor="Occupied")))
    t0 = time.perf_counter()
    b = build_brief(an, span[1], span[3])
    t1 = time.perf_counter()
    brief_markdown(b)
    t2 = time.perf_counter()
    brief_pdf(b, an, pdf)
    t3 = time.perf_counter()
    print(f"core in process: build_brief {t1 - t0:.2f} s (first in this process: settlements' holdings and region "
          f"layer loaded), brief_markdown {t2 - t1:.3f} s, brief_pdf {t3 - t2:.2f} s")
    tmp.cleanup()


if __name__ == "__main__":
    main()
