"""Benchmark: scrubbing the map page's time player in Chromium (issue 19). Prints figures; asserts nothing.

The map page's map is the time player (``territory.ui.playback``): every date is
in the browser, so a step is JavaScript, not a Streamlit run. For the bundled
history and a generated daily archive (``--days`` dates of one ~``--vertices``
vertex front-line snapshot each, as ``tests/ukraine_style.py`` draws them), on
a fresh server warmed as ``territory serve`` warms it:

* first map: navigation to the player's first territory path (warm server);
* payload: JSON bytes, dates, features (geometry rows: a row unchanged
  between dates is sent once, with its validity range), vertices;
* browser memory: the player frame's JS heap (``performance.memory``) and the
  RSS of every Chromium process;
* input to frame: keydown on the focused slider to the first frame painted
  with the new date (next animation frame, then a task), p50 / p95 / max;
* scrub rate: the date stepped from JavaScript at 30 and 60 dates/s for
  ~3 s; a date is dropped when no painted frame showed it;
* script runs (lines the page appends to ``$TERRITORY_TIMINGS``) during a
  10-step arrow-key scrub and in the 2 s after it;
* Chromium CPU per step over ``--steps`` arrow-key steps (its one catch-up
  run at the end included), and per stop when every step is a stop (a
  person pausing after each step: each brings its catch-up run), beside the
  page's idle Chromium CPU over the same wall time, against the 0.05 s target;
  the stop's server time (its catch-up run) and websocket kB received;
* Compare and Regions (folium maps): ms from navigation to the page shown
  (script idle, every map drawn), first visit and a next visitor, each a
  fresh browser context on the same server (formerly bench_dashboard.py).

Naive baseline in the same run: ``bench/floor_app.py``, a bare Streamlit page
with the same date slider and big date label and nothing else, where every
step is a script run, as the map page's were before. Its input-to-label time
and Chromium CPU per step are the least any per-step-rerun page costs here.

    python bench/bench_scrub.py [--days 800] [--vertices 3000] [--steps 40] [--skip-archive]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]

from bench_sessions import (  # noqa: E402
    FIRST_PATH_JS,
    FLOOR_FIRST_JS,
    FLOOR_SHOWN_JS,
    IDLE,
    PLAYER_IFRAME,
    chromium_cpu,
    loadavg,
    our_chromium_pids,
    pct,
)

from territory.ui.warmup import warm  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, run_streamlit  # noqa: E402

# In the player's frame: time from each keydown to the first painted frame that shows the new date.
ARM_LATENCY_JS = """() => {
  window.__lat = [];
  const el = document.querySelector('.tp-slider');
  el.addEventListener('keydown', () => {
    const t0 = performance.now(), before = document.querySelector('.tp-date').textContent;
    const check = () => {
      if (document.querySelector('.tp-date').textContent === before) { requestAnimationFrame(check); return; }
      requestAnimationFrame(() => setTimeout(() => window.__lat.push(performance.now() - t0), 0));
    };
    requestAnimationFrame(check);
  }, true);
}"""
# Step the date from JavaScript at `rate` dates/s; record the date on screen at every animation frame.
RATE_JS = """([rate, count]) => new Promise(resolve => {
  const p = window.__territoryPlayer, n = p.stats().dates, start = 0;
  p.pause(); p.setIndex(start);
  const set = [], seen = new Set();
  let k = 0, done = false;
  const t0 = performance.now();
  const frame = () => { seen.add(document.querySelector('.tp-date').textContent); if (!done) requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
  const timer = setInterval(() => {
    k += 1;
    if (k > count || start + k >= n) {
      clearInterval(timer);
      requestAnimationFrame(() => requestAnimationFrame(() => {
        done = true;
        const dropped = set.filter(d => !seen.has(d)).length;
        resolve({steps: set.length, seconds: (performance.now() - t0) / 1000, dropped});
      }));
      return;
    }
    p.setIndex(start + k);
    set.push(p.getDate());
  }, 1000 / rate);
})"""


def chromium_rss_mib() -> float:
    """RSS of every Chromium process on the machine started by this bench (MiB)."""
    total = 0.0
    for pid in our_chromium_pids():
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            pass
    return total


def make_archive(folder: Path, days: int, vertices: int) -> None:
    """``days`` daily snapshot files of one ~``vertices``-vertex zone whose front moves every day."""
    import geopandas as gpd
    import pandas as pd

    from tests.ukraine_style import START, front

    folder.mkdir(parents=True, exist_ok=True)
    for d in range(days):
        day = (START + pd.Timedelta(days=d)).strftime("%Y-%m-%d")
        gpd.GeoDataFrame(geometry=[front(d, days, points=vertices)], crs=4326).to_file(
            folder / f"{day}.geojson", engine="pyogrio")


def runs(timings: Path) -> int:
    if not timings.exists():
        return 0
    return sum(1 for line in timings.read_text(encoding="utf-8").splitlines() if line.startswith("map\t"))


# ms since navigation once the script is idle and every (folium) map on the page shows its polygons.
PAGE_SHOWN_JS = """() => {
  const app = document.querySelector('[data-testid=stApp]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return null;
  const fs = Array.from(document.querySelectorAll('iframe[title="streamlit_folium.st_folium"]'));
  if (!fs.length) return null;
  for (const f of fs) {
    const d = f.contentDocument;
    if (!d || !d.querySelector('path.leaflet-interactive')) return null;
  }
  return performance.now();
}"""


def first_visits(browser, url: str, page_path: str, runs: int = 2) -> list[float]:
    """ms from navigation to ``?page=page_path`` shown (idle, every map drawn), each in a fresh context.

    Run 1 is the page's first visit on this server (its caches cold; the process warm from the map page),
    run 2 a next visitor.
    """
    out = []
    for _ in range(runs):
        ctx = browser.new_context(viewport={"width": 1280, "height": 800})
        page = ctx.new_page()
        page.goto(f"{url}/?page={page_path}")
        out.append(page.wait_for_function(PAGE_SHOWN_JS, polling=50, timeout=600_000).json_value())
        ctx.close()
    return out


def measure_player(name: str, env: dict[str, str], tmp: Path, steps: int, visits: bool = True) -> dict:
    from playwright.sync_api import sync_playwright

    out: dict = {"name": name}
    timings = tmp / f"{name}.tsv"
    env = dict(env, TERRITORY_TIMINGS=str(timings))
    with run_streamlit("app.py", log=tmp / f"{name}.log", env=env, timings=timings, timeout=600) as srv:
        t0 = time.perf_counter()
        out["warm_ok"] = warm(srv.url, timeout=1800, every_date=False)
        out["warm_s"] = time.perf_counter() - t0
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS,
                                         "--enable-precise-memory-info"], headless=True)
            page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
            frames: list[int] = []  # websocket payload sizes received (decompressed)
            page.on("websocket", lambda ws: ws.on("framereceived", lambda data: frames.append(len(data))))
            page.goto(srv.url + "/")
            handle = page.wait_for_function(FIRST_PATH_JS, polling=50, timeout=600_000)
            out["first_s"] = handle.json_value() / 1000
            page.wait_for_selector(IDLE, state="attached", timeout=300_000)
            frame = page.locator(PLAYER_IFRAME).element_handle().content_frame()
            frame.wait_for_function("() => window.__territoryPayload", timeout=60_000)
            facts = frame.evaluate("""() => { const p = window.__territoryPayload;
              let v = 0; p.features.forEach(f => f.g.forEach(poly => poly.forEach(r => { v += r.length / 2; })));
              return {bytes: new TextEncoder().encode(JSON.stringify(p)).length, dates: p.dates.length,
                      features: p.features.length, vertices: v}; }""")
            out.update(facts)
            time.sleep(2.0)
            page.wait_for_selector(IDLE, state="attached", timeout=60_000)
            out["heap_mib"] = frame.evaluate("() => performance.memory ? performance.memory.usedJSHeapSize / 2**20 : NaN")
            out["rss_mib"] = chromium_rss_mib()
            # Script runs: 10 arrow-key steps, then the catch-up.
            frame.evaluate("() => window.__territoryPlayer.setIndex(0)")
            slider = frame.locator(".tp-slider")
            slider.focus()
            before = runs(timings)
            for _ in range(10):
                page.keyboard.press("ArrowRight")
                time.sleep(0.05)
            out["runs_during"] = runs(timings) - before
            time.sleep(2.0)
            page.wait_for_selector(IDLE, state="attached", timeout=60_000)
            out["runs_after"] = runs(timings) - before - out["runs_during"]
            # Input to frame and Chromium CPU per step.
            frame.evaluate(ARM_LATENCY_JS)
            frame.evaluate("() => window.__territoryPlayer.setIndex(0)")
            slider.focus()
            cpu0 = chromium_cpu()
            n = min(steps, out["dates"] - 1)
            for _ in range(n):
                page.keyboard.press("ArrowRight")
                time.sleep(0.06)
            time.sleep(1.5)
            page.wait_for_selector(IDLE, state="attached", timeout=60_000)
            out["cpu_step_s"] = (chromium_cpu() - cpu0) / max(n, 1)
            out["lat_ms"] = frame.evaluate("() => window.__lat")
            # Chromium idle on this page (Streamlit's timers, the compositor): what a stop's wall time costs anyway.
            cpu0, t0 = chromium_cpu(), time.perf_counter()
            time.sleep(3.0)
            idle_per_s = (chromium_cpu() - cpu0) / (time.perf_counter() - t0)
            # A stop after every step (a person stepping with a pause): each step brings one catch-up run.
            cpu0, t0, k = chromium_cpu(), time.perf_counter(), 8
            n_frames, n_lines = len(frames), len(srv.timing_lines())
            for _ in range(k):
                page.keyboard.press("ArrowLeft")
                time.sleep(0.4)
                page.wait_for_selector(IDLE, state="attached", timeout=60_000)
                time.sleep(0.8)
            out["cpu_stop_s"] = (chromium_cpu() - cpu0) / k
            out["cpu_stop_idle_s"] = idle_per_s * (time.perf_counter() - t0) / k
            out["kb_stop"] = sum(frames[n_frames:]) / 1000 / k
            lines = [x for x in srv.timing_lines()[n_lines:] if x.startswith("map\t")]
            out["server_stop_ms"] = [float(x.split("\t")[2]) * 1000 for x in lines]
            out["load"] = loadavg()
            for rate in (30, 60):
                r = frame.evaluate(RATE_JS, [rate, min(3 * rate, out["dates"] - 1)])
                out[f"rate{rate}"] = r
            out["heap_after_mib"] = frame.evaluate(
                "() => performance.memory ? performance.memory.usedJSHeapSize / 2**20 : NaN")
            if visits:
                out["visits"] = {p: first_visits(browser, srv.url, p) for p in ("compare", "regions")}
            browser.close()
    return out


def measure_floor(dates: list[str], tmp: Path, steps: int) -> dict:
    """The naive baseline: a bare Streamlit date slider (a script run per step)."""
    from playwright.sync_api import sync_playwright

    path = tmp / "floor_dates.json"
    path.write_text(json.dumps(dates))
    out: dict = {"name": "floor (rerun per step)"}
    env = dict(os.environ, FLOOR_DATES=str(path))
    with run_streamlit(HERE / "floor_app.py", log=tmp / "floor.log", env=env) as srv, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
            page.goto(srv.url + f"/?date={dates[0]}")
            page.wait_for_function(FLOOR_FIRST_JS, polling=50, timeout=120_000)
            page.wait_for_selector(IDLE, state="attached", timeout=60_000)
            page.evaluate("() => document.addEventListener('keydown', () => { window.__kd = performance.now(); }, true)")
            slider = page.locator("[data-testid=stSlider] input[type=range]")
            lat = []
            cpu0 = chromium_cpu()
            n = min(steps, len(dates) - 1)
            for _ in range(n):
                slider.focus()
                page.evaluate("() => { window.__kd = null; }")
                page.keyboard.press("ArrowRight")
                lat.append(page.wait_for_function(FLOOR_SHOWN_JS, polling=10, timeout=60_000).json_value())
                page.wait_for_selector(IDLE, state="attached", timeout=60_000)
            out["cpu_step_s"] = (chromium_cpu() - cpu0) / max(n, 1)
            out["lat_ms"] = lat
            browser.close()
    return out


def report(rows: list[dict], floor: dict | None) -> None:
    def f(v, fmt="{:.2f}"):
        return "—" if v is None or v != v else fmt.format(v)

    print()
    for r in rows:
        lat = r.get("lat_ms") or []
        print(f"== {r['name']}")
        print(f"  warm-up (server builds the payload once): {f(r.get('warm_s'), '{:.1f}')} s  ok={r.get('warm_ok')}")
        print(f"  first map, warm server:                   {f(r.get('first_s'))} s")
        print(f"  payload: {r['bytes'] / 1e6:.2f} MB JSON, {r['dates']} dates, {r['features']} geometry rows "
              f"(a row unchanged between dates is sent once), {r['vertices']:,} vertices")
        print(f"  browser memory: player JS heap {f(r.get('heap_mib'), '{:.0f}')} MiB "
              f"({f(r.get('heap_after_mib'), '{:.0f}')} MiB after scrubbing); all Chromium RSS "
              f"{f(r.get('rss_mib'), '{:.0f}')} MiB")
        print(f"  input to frame (ms, {len(lat)} key steps): p50 {f(pct(lat, 0.5), '{:.1f}')}  "
              f"p95 {f(pct(lat, 0.95), '{:.1f}')}  max {f(max(lat) if lat else None, '{:.1f}')}")
        for rate in (30, 60):
            x = r.get(f"rate{rate}") or {}
            if x:
                print(f"  scrub at {rate} dates/s: {x['steps']} dates in {x['seconds']:.2f} s "
                      f"= {x['steps'] / x['seconds']:.1f} dates/s, dropped {x['dropped']}")
        print(f"  script runs: during a 10-step scrub {r['runs_during']}, after it {r['runs_after']}")
        print(f"  Chromium CPU per step while scrubbing: {f(r.get('cpu_step_s'), '{:.3f}')} s  (target <= 0.05 s)")
        stop, idle = r.get("cpu_stop_s"), r.get("cpu_stop_idle_s")
        print(f"  Chromium CPU per stop (a step, then its catch-up run): {f(stop, '{:.3f}')} s, of which "
              f"{f(idle, '{:.3f}')} s the page's idle cost over the stop's wall time; net "
              f"{f(stop - idle if stop is not None and idle is not None else None, '{:.3f}')} s  (target <= 0.05 s; "
              f"load average {r.get('load', '?')})")
        ms = r.get("server_stop_ms") or []
        print(f"  per stop: {len(ms)} catch-up runs for 8 stops, server time median "
              f"{f(statistics.median(ms) if ms else None, '{:.0f}')} ms; websocket {f(r.get('kb_stop'), '{:.1f}')} kB received")
        for p, v in (r.get("visits") or {}).items():
            print(f"  {p.capitalize()} page shown (folium maps drawn): first visit {v[0]:,.0f} ms, "
                  f"next visitor {v[1]:,.0f} ms  (target < 3000 ms first visit)")
        if floor and floor.get("lat_ms"):
            fl = floor["lat_ms"]
            print(f"  vs naive (a rerun per step, bare page, same dates): input to label p95 "
                  f"{pct(fl, 0.95):.1f} ms (x{pct(fl, 0.95) / max(pct(lat, 0.95), 1e-9):.0f} ours), "
                  f"Chromium CPU/step {floor['cpu_step_s']:.3f} s (x{floor['cpu_step_s'] / max(r['cpu_step_s'], 1e-9):.1f} ours), "
                  f"1 script run per step")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=800)
    ap.add_argument("--vertices", type=int, default=3000)
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--skip-archive", action="store_true")
    ap.add_argument("--skip-floor", action="store_true")
    args = ap.parse_args()
    print(f"{os.cpu_count()} cores; load average {loadavg()}")
    with tempfile.TemporaryDirectory(prefix="bench_scrub_") as t:
        tmp = Path(t)
        base = {k: v for k, v in os.environ.items() if k not in ("TERRITORY_PATH", "TERRITORY_ACTOR")}
        rows = [measure_player("bundled history", dict(base, TERRITORY_CACHE_DIR=str(tmp / "cache")), tmp, args.steps)]
        if not args.skip_archive:
            folder = tmp / "archive"
            t0 = time.perf_counter()
            make_archive(folder, args.days, args.vertices)
            print(f"archive: {args.days} daily snapshots of ~{args.vertices} vertices written in "
                  f"{time.perf_counter() - t0:.0f} s")
            env = dict(base, TERRITORY_CACHE_DIR=str(tmp / "cache"), TERRITORY_PATH=str(folder),
                       TERRITORY_ACTOR="Occupied")
            rows.append(measure_player(f"{args.days}-date archive", env, tmp, args.steps))
        floor = None
        if not args.skip_floor:
            from territory.analysis import analysis_for

            floor = measure_floor([d.date().isoformat() for d in analysis_for().dates], tmp, args.steps)
        report(rows, floor)


if __name__ == "__main__":
    main()
