"""Benchmark: the dashboard in a real Chromium: first map, date-step redraw, server time, bytes.

Three servers, one after another, each a real ``streamlit run`` on a free port:

(a) ours, bundled data (territory.app.main): navigation -> first Islamic State path in the
    map iframe (fresh browser context each time; run 1 = cold server, run 2 =
    warm), and per date step (ArrowRight on the slider) the time from the
    keydown to the map iframe's territory paths changing.
(b) ours, a synthetic front-line archive (800 daily GeoJSON files of ~3,000
    vertices, ``bench_stats.make_archive``) served with ``TERRITORY_PATH`` /
    ``TERRITORY_ACTOR=Occupied``: the same, plus server time per step (the
    ``TERRITORY_TIMINGS`` lines the step caused) and websocket bytes per step.
Compare and Regions (on (a) and (b), after the map page): ms from navigation to
    the page shown (script idle, every map on it drawn), first visit and a next visitor,
    each a fresh browser context.
(c) naive, same archive: a throwaway script that rebuilds the whole folium map
    each run with the date's (unsimplified) polygons added to the map itself
    (``folium.GeoJson(...).add_to(m); st_folium(m)``), measured the same way.
    It reads the dataset through the same cached loader, so the difference is
    the map pattern alone. Leaflet still comes from the vendored copy (a CDN
    load would leave the map blank offline).

Redraw times are taken in the page (keydown capture listener vs a
requestAnimationFrame poll for the iframe's territory paths being all new
elements: the date's layer replaced, or the whole iframe remounted), so
Playwright round trips are not counted. Websocket bytes are decompressed
payload sizes (``framereceived``) from the keypress to the redraw, and to the
end of the step (script idle, no frame for 0.6 s). Prints; asserts nothing.

    python bench/bench_dashboard.py [--steps 10] [--days 800] [--vertices 3000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]

from bench_stats import make_archive  # noqa: E402

from tests.browser.conftest import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    StreamlitServer,
    run_streamlit,
)

MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
ARCHIVE_START = pd.Timestamp("2022-02-24")  # bench_stats.make_archive's first day

# In the top page (the map iframe is same-origin): first matching path in the map -> ms since navigation.
FIRST_PATH_JS = """(sel) => {
  const f = document.querySelector('iframe[title="streamlit_folium.st_folium"]');
  const d = f && f.contentDocument;
  return d && d.querySelector(sel) ? performance.now() : null;
}"""
# Mark the map's current territory (interactive) paths; the grey basemap is not interactive.
MARK_JS = """() => {
  const f = document.querySelector('iframe[title="streamlit_folium.st_folium"]');
  const d = f && f.contentDocument;
  const ps = d ? Array.from(d.querySelectorAll('path.leaflet-interactive')) : [];
  ps.forEach(p => { p.__benchOld = true; });
  return ps.length;
}"""
# Epoch ms once the territory paths are all new elements (the date's layer was replaced).
# Element identity, not 'd': some steps change nothing visible, and a remounted iframe
# (naive) starts with unmarked paths anyway.
CHANGED_JS = """() => {
  const f = document.querySelector('iframe[title="streamlit_folium.st_folium"]');
  const d = f && f.contentDocument;
  const ps = d ? Array.from(d.querySelectorAll('path.leaflet-interactive')) : [];
  return ps.length && !ps.some(p => p.__benchOld) ? performance.timeOrigin + performance.now() : null;
}"""
KEYDOWN_JS = """() => {
  if (!window.__benchKd) {
    window.__benchKd = true;
    document.addEventListener('keydown', () => { window.__kd = performance.timeOrigin + performance.now(); }, true);
  }
  window.__kd = null;
}"""

NAIVE_SCRIPT = '''
"""Naive dashboard map: rebuild the whole folium map, date polygons added to it, every run."""
import os
import time

_t0 = time.perf_counter()
import folium
import streamlit as st
from streamlit_folium import st_folium

from territory.datasets import load_dataset
from territory.io.options import LoadOptions
from territory.model import change_dates, state_at, with_validity
from territory.ui.offline import configure_folium_offline

configure_folium_offline()  # vendored Leaflet: a CDN would leave the map blank offline


@st.cache_resource
def data():
    ds = load_dataset(os.environ["TERRITORY_PATH"], LoadOptions(actor=os.environ.get("TERRITORY_ACTOR")))
    return ds, with_validity(ds.history), [d.date().isoformat() for d in change_dates(ds.history)]


ds, history, labels = data()
if "date" not in st.session_state:
    qp = st.query_params.get("date")
    st.session_state["date"] = qp if qp in labels else labels[0]
day = st.select_slider("Date", options=labels, key="date")
part = state_at(history, day)
x0, y0, x1, y1 = history.total_bounds
m = folium.Map(location=[(y0 + y1) / 2, (x0 + x1) / 2], zoom_start=5, tiles=None)
for actor, group in part.groupby("actor"):
    color = ds.colors.get(actor, "#cc3333")
    folium.GeoJson(
        group[["actor", "status", "geometry"]].__geo_interface__,
        style_function=lambda f, c=color: {"color": c, "fillColor": c, "fillOpacity": 0.5, "weight": 1},
        tooltip=folium.GeoJsonTooltip(fields=["actor", "status"]),
    ).add_to(m)
m.fit_bounds([[y0, x0], [y1, x1]])
st_folium(m, height=560, width=900)
path = os.environ.get("TERRITORY_TIMINGS")
if path:
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(f"naive\\t{day}\\t{time.perf_counter() - _t0:.6f}\\n")
'''


@dataclass
class Result:
    name: str
    first_ms: list[float] = field(default_factory=list)
    redraw_ms: list[float] = field(default_factory=list)
    server_ms: list[float] = field(default_factory=list)
    runs: list[int] = field(default_factory=list)
    kb_to_redraw: list[float] = field(default_factory=list)
    kb_step: list[float] = field(default_factory=list)
    remounts: int = 0
    steps: int = 0


def med(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def wait_quiet(page, frames: list, quiet: float = 0.6, timeout: float = 60.0) -> None:
    """Until the script is idle and no websocket frame arrived for ``quiet`` seconds."""
    deadline = time.monotonic() + timeout
    n, since = len(frames), time.monotonic()
    while time.monotonic() < deadline:
        page.wait_for_timeout(100)
        if len(frames) != n:
            n, since = len(frames), time.monotonic()
            continue
        idle = page.locator(IDLE).count() == 1
        if idle and time.monotonic() - since >= quiet:
            return
    print(f"  (warning: not quiet after {timeout:.0f} s)")


def measure(browser, server: StreamlitServer, res: Result, *, path_sel: str, steps: int,
            query: str = "", first_runs: int = 2, load_timeout_ms: int = 600_000) -> None:
    ctx = page = None
    for run in range(first_runs):
        if ctx is not None:
            ctx.close()
        ctx = browser.new_context(viewport={"width": 1280, "height": 800})
        page = ctx.new_page()
        frames: list[int] = []
        page.on("websocket", lambda ws, fr=frames: ws.on(
            "framereceived", lambda payload: fr.append(len(payload))))
        t0 = time.perf_counter()
        page.goto(server.url + "/" + query)
        ms = page.wait_for_function(FIRST_PATH_JS, arg=path_sel, polling="raf",
                                    timeout=load_timeout_ms).json_value()
        res.first_ms.append(ms)
        print(f"  first territory path, run {run + 1}: {ms:,.0f} ms after navigation "
              f"(wall {time.perf_counter() - t0:.2f} s)")
        page.wait_for_selector(IDLE, state="attached", timeout=load_timeout_ms)
    assert page is not None and ctx is not None
    wait_quiet(page, frames)
    slider = page.locator("[data-testid=stSlider]").get_by_role("slider")
    slider.focus()
    page.evaluate(KEYDOWN_JS)
    for i in range(steps + 1):  # the first step warms caches and is not counted
        iframe = page.locator(MAP_IFRAME).element_handle()
        assert page.evaluate(MARK_JS) > 0, "no territory path to mark"
        n_frames, n_lines = len(frames), len(server.timing_lines())
        page.evaluate(KEYDOWN_JS)
        page.keyboard.press("ArrowRight")
        drawn = page.wait_for_function(CHANGED_JS, polling="raf", timeout=60_000).json_value()
        kd = page.evaluate("() => window.__kd")
        kb_redraw = sum(frames[n_frames:]) / 1000
        wait_quiet(page, frames)
        new = server.timing_lines()[n_lines:]
        same = page.evaluate("([a, sel]) => a.isConnected && a === document.querySelector(sel)",
                             [iframe, MAP_IFRAME])
        if i == 0:
            continue
        res.steps += 1
        res.redraw_ms.append(drawn - kd)
        res.kb_to_redraw.append(kb_redraw)
        res.kb_step.append(sum(frames[n_frames:]) / 1000)
        res.server_ms.append(sum(float(x.split("\t")[2]) for x in new) * 1000)
        res.runs.append(len(new))
        res.remounts += 0 if same else 1
    label = page.locator("[data-testid=stSlider]").get_by_role("slider").get_attribute("aria-valuetext")
    print(f"  {res.steps} steps (to {label}): redraw median {med(res.redraw_ms):.0f} ms, server median "
          f"{med(res.server_ms):.0f} ms, {med(res.kb_to_redraw):.0f} kB to redraw, "
          f"{med(res.kb_step):.0f} kB per step, iframe remounted {res.remounts}/{res.steps}")
    ctx.close()


# ms since navigation once the script is idle and every map on the page shows its (interactive) polygons.
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


def first_visits(browser, server: StreamlitServer, page_path: str, runs: int = 2) -> list[float]:
    """ms from navigation to ``page_path`` shown (idle, every map drawn), each in a fresh browser context.

    Run 1 is the page's first visit on this server (its own caches cold; the process warm from the map
    page), run 2 a new visitor after it.
    """
    out = []
    for _ in range(runs):
        ctx = browser.new_context(viewport={"width": 1280, "height": 800})
        page = ctx.new_page()
        page.goto(f"{server.url}/{page_path}")
        out.append(page.wait_for_function(PAGE_SHOWN_JS, polling=50, timeout=600_000).json_value())
        ctx.close()
    print(f"  first visit to /{page_path}: " + ", ".join(f"{ms:,.0f} ms" for ms in out))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--days", type=int, default=800)
    ap.add_argument("--vertices", type=int, default=3000)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    t_all = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench_dashboard_") as tmp_s, sync_playwright() as pw:
        tmp = Path(tmp_s)
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        base_env = {k: v for k, v in os.environ.items() if k not in ("TERRITORY_PATH", "TERRITORY_ACTOR")}

        # (a) bundled data
        bundled = Result("ours, bundled")
        env = dict(base_env, TERRITORY_CACHE_DIR=str(tmp / "cache_bundled"),
                   TERRITORY_TIMINGS=str(tmp / "t_bundled.tsv"))
        print("(a) ours, bundled dataset")
        with run_streamlit("src/territory/app/main.py", log=tmp / "bundled.log", env=env, timings=tmp / "t_bundled.tsv") as srv:
            measure(browser, srv, bundled, path_sel='path.leaflet-interactive[fill="#000000"]',
                    steps=args.steps)
            visits = {("bundled", p): first_visits(browser, srv, p) for p in ("compare", "regions")}

        # (b), (c) synthetic archive
        folder = tmp / "archive"
        folder.mkdir()
        t0 = time.perf_counter()
        make_archive(folder, args.days, args.vertices)
        size = sum(f.stat().st_size for f in folder.iterdir()) / 2**20
        print(f"synthetic archive: {args.days} daily files, ~{args.vertices} vertices, {size:.0f} MiB, "
              f"made in {time.perf_counter() - t0:.0f} s")
        mid = (ARCHIVE_START + pd.Timedelta(days=args.days // 2)).date().isoformat()
        env = dict(base_env, TERRITORY_PATH=str(folder), TERRITORY_ACTOR="Occupied",
                   TERRITORY_CACHE_DIR=str(tmp / "cache_archive"))

        ours = Result("ours, archive")
        print(f"(b) ours, archive (from {mid})")
        with run_streamlit("src/territory/app/main.py", log=tmp / "ours.log", env=dict(env, TERRITORY_TIMINGS=str(tmp / "t_ours.tsv")),
                           timings=tmp / "t_ours.tsv") as srv:
            measure(browser, srv, ours, path_sel="path.leaflet-interactive", steps=args.steps,
                    query=f"?date={mid}")
            visits.update({("archive", p): first_visits(browser, srv, p) for p in ("compare", "regions")})

        naive_dir = tmp / "naive"
        naive_dir.mkdir()
        (naive_dir / "naive_app.py").write_text(textwrap.dedent(NAIVE_SCRIPT), encoding="utf-8")
        naive = Result("naive, archive")
        print(f"(c) naive, archive (from {mid})")
        with run_streamlit(naive_dir / "naive_app.py", log=tmp / "naive.log",
                           env=dict(env, TERRITORY_TIMINGS=str(tmp / "t_naive.tsv")),
                           timings=tmp / "t_naive.tsv") as srv:
            measure(browser, srv, naive, path_sel="path.leaflet-interactive", steps=args.steps,
                    query=f"?date={mid}")
        browser.close()

    print()
    print(f"{'':34}{'bundled':>11}{'archive':>11}{'naive':>11}{'naive/ours':>12}  target (ours)")
    rows = [
        ("first path, cold server (ms)", [r.first_ms[0] for r in (bundled, ours, naive)], "< 2500 (warm)"),
        ("first path, warm server (ms)", [r.first_ms[-1] for r in (bundled, ours, naive)], "< 2500"),
        ("step redraw, median (ms)", [med(r.redraw_ms) for r in (bundled, ours, naive)], "< 250"),
        ("server time per step, med (ms)", [med(r.server_ms) for r in (bundled, ours, naive)], "< 100 (archive)"),
        ("script runs per step, median", [med(r.runs) for r in (bundled, ours, naive)], ""),
        ("ws kB keypress->redraw, med", [med(r.kb_to_redraw) for r in (bundled, ours, naive)], "< 300 (archive)"),
        ("ws kB whole step, median", [med(r.kb_step) for r in (bundled, ours, naive)], ""),
        ("map iframe remounts / steps", [r.remounts / max(r.steps, 1) for r in (bundled, ours, naive)], "0"),
    ]
    for name, (b, o, n), target in rows:
        ratio = f"{n / o:.1f}x" if o else "-"
        print(f"{name:34}{b:>11,.1f}{o:>11,.1f}{n:>11,.1f}{ratio:>12}  {target}")
    for p in ("compare", "regions"):
        for i, when in enumerate(("first visit", "next visitor")):
            print(f"{p.capitalize() + ' page, ' + when + ' (ms)':34}{visits[('bundled', p)][i]:>11,.1f}"
                  f"{visits[('archive', p)][i]:>11,.1f}{'':>11}{'':>12}  < 3000 (first visit)")
    print(f"\nredraw ms per step: bundled {[round(x) for x in bundled.redraw_ms]}; "
          f"archive {[round(x) for x in ours.redraw_ms]}; naive {[round(x) for x in naive.redraw_ms]}")
    print(f"total bench time {time.perf_counter() - t_all:.0f} s")


if __name__ == "__main__":
    main()
