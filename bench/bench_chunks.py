"""Benchmark: the map page's player on a long archive, geometry in chunks vs all inline (issue 19.4). Prints; asserts nothing.

A generated daily archive (``--days`` dates of one ~``--vertices``-vertex front
snapshot each, as ``tests/ukraine_style.py`` draws them) is served twice by the
real app on one warm cache:

* chunked: the default inline budget (``territory.playerchunks.INLINE_MAX_BYTES``):
  dates, key numbers and legend inline, geometry in chunk files of dates;
* all inline (the naive baseline, measured in the same run): the budget raised
  past the payload (``$TERRITORY_PLAYER_INLINE_BYTES``), every date's geometry in
  the component's arguments, as before chunking.

Both get the page's vertex budget (``page_vertex_budget``: 150,000 display
vertices up to 800 dates, more beyond, so a long archive is not coarser). For
each: first map (navigation to the first territory path, warm server), bytes
sent up front (the payload JSON the frame holds), chunk files fetched and their
bytes, chunk fetch time (p50 / max, from the frame), jump to a far date until
its map is drawn (p50 / p95 over ``--jumps`` random dates), a scrub at 60 dates/s
over ``--sweep`` dates (animation frames painted, and those showing "Loading"
because the prefetch fell behind), and the frame's JS
heap (after a GC) at first map and after visiting every ``--stride``-th date.

    python bench/bench_chunks.py [--days 3000] [--vertices 3000] [--jumps 20] [--stride 10] [--sweep 900]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]

from bench_scrub import make_archive  # noqa: E402
from bench_sessions import FIRST_PATH_JS, IDLE, PLAYER_IFRAME, loadavg  # noqa: E402

from territory.ui.warmup import warm  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, run_streamlit  # noqa: E402

READY_JS = """() => { const n = document.querySelector('.tp-chunk-note');
  return (!n || n.style.display === 'none') && !!document.querySelector('path.tp-feature'); }"""
HEAP_JS = """() => { if (window.gc) { window.gc(); window.gc(); }
  return performance.memory ? performance.memory.usedJSHeapSize / 2 ** 20 : NaN; }"""
# Jump to date i and time it until the date's map is drawn (its chunks arrived and layers added), in the frame.
JUMP_JS = """(i) => new Promise(resolve => {
  const t0 = performance.now();
  window.__territoryPlayer.setIndex(i);
  const check = () => {
    const n = document.querySelector('.tp-chunk-note');
    if ((!n || n.style.display === 'none') && window.__territoryPlayer.stats().layersOn > 0) {
      requestAnimationFrame(() => resolve(performance.now() - t0));
    } else requestAnimationFrame(check);
  };
  check();
})"""
# Step the date at `rate` dates/s from `start` for `count` dates; sample every animation frame: frames
# painted, and those where the map said it was still loading (prefetch falling behind the scrub).
SWEEP_JS = """([start, count, rate]) => new Promise(resolve => {
  const p = window.__territoryPlayer;
  p.pause(); p.setIndex(start);
  let k = 0, frames = 0, waiting = 0, done = false;
  const frame = () => { const n = document.querySelector('.tp-chunk-note');
    frames++; if (n && n.style.display !== 'none') waiting++; if (!done) requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
  const timer = setInterval(() => {
    k += 1;
    if (k > count) { clearInterval(timer); done = true; resolve({frames, waiting}); return; }
    p.setIndex(start + k);
  }, 1000 / rate);
})"""
RESOURCES_JS = """() => performance.getEntriesByType('resource')
  .filter(e => /territory_chunks\\/[0-9a-f]{24}\\.json$/.test(e.name))
  .map(e => ({bytes: e.encodedBodySize, decoded: e.decodedBodySize, ms: e.duration}))"""


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def measure(name: str, env: dict[str, str], tmp: Path, jumps: int, stride: int, sweep: int) -> dict:
    from playwright.sync_api import sync_playwright

    out: dict = {"name": name}
    with run_streamlit("app.py", log=tmp / f"{name.replace(' ', '_')}.log", env=env, timeout=600) as srv:
        t0 = time.perf_counter()
        out["warm_ok"] = warm(srv.url, timeout=3600, every_date=False)
        out["warm_s"] = time.perf_counter() - t0
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
                *CHROMIUM_ARGS, "--enable-precise-memory-info", "--js-flags=--expose-gc"])
            page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
            page.goto(srv.url + "/")
            out["first_s"] = page.wait_for_function(FIRST_PATH_JS, polling=50, timeout=1_800_000).json_value() / 1000
            page.wait_for_selector(IDLE, state="attached", timeout=600_000)
            frame = page.locator(PLAYER_IFRAME).element_handle().content_frame()
            facts = frame.evaluate("""() => { const p = window.__territoryPayload;
              return {inline_bytes: new TextEncoder().encode(JSON.stringify(p)).length, dates: p.dates.length,
                      features: p.features.length, chunks: p.chunks ? p.chunks.list.length : 0,
                      chunk_total: p.chunks ? p.chunks.bytes : 0}; }""")
            out.update(facts)
            time.sleep(1.0)
            out["heap_first_mib"] = frame.evaluate(HEAP_JS)
            n = out["dates"]
            rng = random.Random(7)
            lat = [frame.evaluate(JUMP_JS, rng.randrange(n)) for _ in range(jumps)]
            out["jump_p50_ms"], out["jump_p95_ms"] = pct(lat, 0.5), pct(lat, 0.95)
            # A fast scrub from the first date over --sweep dates at 60 dates/s (chunks fetched ahead of it).
            out["sweep"] = frame.evaluate(SWEEP_JS, [0, min(sweep, n - 1), 60])
            # Visit every stride-th date forward (as a fast scrub would), each until drawn.
            for i in range(0, n, stride):
                frame.evaluate(JUMP_JS, i)
            out["heap_after_mib"] = frame.evaluate(HEAP_JS)
            res = frame.evaluate(RESOURCES_JS)
            out["fetches"] = len(res)
            out["fetched_bytes"] = sum(r["bytes"] for r in res)
            out["fetched_decoded"] = sum(r["decoded"] for r in res)
            out["fetch_p50_ms"] = pct([r["ms"] for r in res], 0.5)
            out["fetch_max_ms"] = max((r["ms"] for r in res), default=float("nan"))
            out["chunk_stats"] = frame.evaluate("() => window.__territoryPlayer.chunkStats()")
            browser.close()
    return out


def report(rows: list[dict]) -> None:
    def f(v: float, fmt: str = "{:.2f}") -> str:
        return "—" if v is None or v != v else fmt.format(v)

    print()
    print(f"{'':28}" + "".join(f"{r['name']:>22}" for r in rows))
    lines = [
        ("dates / features", lambda r: f"{r['dates']} / {r['features']}"),
        ("server warm-up (s)", lambda r: f(r["warm_s"], "{:.0f}")),
        ("first map (s)", lambda r: f(r["first_s"])),
        ("sent up front (MB)", lambda r: f(r["inline_bytes"] / 1e6)),
        ("chunks (total MB)", lambda r: f"{r['chunks']} ({r['chunk_total'] / 1e6:.2f})"),
        ("chunk fetches", lambda r: str(r["fetches"])),
        ("fetched (MB wire/JSON)", lambda r: f"{r['fetched_bytes'] / 1e6:.2f}/{r['fetched_decoded'] / 1e6:.2f}"),
        ("chunk fetch p50/max (ms)", lambda r: f"{f(r['fetch_p50_ms'], '{:.0f}')}/{f(r['fetch_max_ms'], '{:.0f}')}"),
        ("jump to drawn p50/p95 (ms)", lambda r: f"{f(r['jump_p50_ms'], '{:.0f}')}/{f(r['jump_p95_ms'], '{:.0f}')}"),
        ("60 dates/s: frames waiting", lambda r: f"{r['sweep']['waiting']} of {r['sweep']['frames']}"),
        ("JS heap first (MiB)", lambda r: f(r["heap_first_mib"], "{:.1f}")),
        ("JS heap after scrub (MiB)", lambda r: f(r["heap_after_mib"], "{:.1f}")),
        ("chunks held max / keep", lambda r: "—" if not r["chunk_stats"] else
         f"{r['chunk_stats']['maxHeld']} / {r['chunk_stats']['keep']}"),
    ]
    for label, fn in lines:
        print(f"{label:28}" + "".join(f"{fn(r):>22}" for r in rows))
    if len(rows) == 2:
        c, b = rows
        print(f"\nratios chunked / all inline: sent up front {c['inline_bytes'] / b['inline_bytes']:.2f}, "
              f"first map {c['first_s'] / b['first_s']:.2f}, heap after scrub "
              f"{c['heap_after_mib'] / b['heap_after_mib']:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=3000)
    ap.add_argument("--vertices", type=int, default=3000)
    ap.add_argument("--jumps", type=int, default=20)
    ap.add_argument("--stride", type=int, default=10)
    ap.add_argument("--sweep", type=int, default=900, help="dates scrubbed at 60 dates/s from the first")
    args = ap.parse_args()
    print(f"{os.cpu_count()} cores; load average {loadavg()}")
    with tempfile.TemporaryDirectory(prefix="bench_chunks_") as t:
        tmp = Path(t)
        folder = tmp / "archive"
        t0 = time.perf_counter()
        make_archive(folder, args.days, args.vertices)
        print(f"archive: {args.days} daily snapshots of ~{args.vertices} vertices written in "
              f"{time.perf_counter() - t0:.0f} s")
        base = {k: v for k, v in os.environ.items() if k != "TERRITORY_PLAYER_INLINE_BYTES"}
        env = dict(base, TERRITORY_CACHE_DIR=str(tmp / "cache"), TERRITORY_PATH=str(folder),
                   TERRITORY_ACTOR="Occupied")
        rows = [measure("chunked", env, tmp, args.jumps, args.stride, args.sweep),
                measure("all inline (naive)", dict(env, TERRITORY_PLAYER_INLINE_BYTES=str(10**12)), tmp,
                        args.jumps, args.stride, args.sweep)]
        report(rows)


if __name__ == "__main__":
    main()
