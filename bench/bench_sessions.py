"""Benchmark: many people on one dashboard server, stepping dates at the same time.

One ``streamlit run src/territory/app/main.py`` on 127.0.0.1 (a free port), N sessions
(default 20; a browser session is a fresh context in one headless Debian Chromium, its own
page, cookies and Streamlit session) opened **all at once**, then every session steps
the date (ArrowRight on the date slider, ArrowLeft at the end) ``--steps``
times with a think time between steps. Printed per configuration:

* first map: from navigation to the map's first territory path, per session,
  with every session navigating at the same moment on a freshly started server
  (the on-disk measurement cache warm, as after any restart). "Ours" first
  lets the server warm itself as ``territory serve`` does (one protocol-level
  visit, ``territory.ui.warmup``; its time is printed); ``--cold`` skips that,
  and the naive run never has it;
* step: in Chromium, from the keypress on the map page's time player (its
  slider, inside its frame) to the player showing the new date, polled every
  animation frame, p50 / p95 / max, timed inside each page so Playwright round
  trips are not counted; the browser moves the map itself and the server hears
  the date once, 0.3 s after the key (its catch-up run, counted in server CPU);
  for a protocol client, from sending that one report to the end of the
  catch-up run;
* errors: steps that never showed their date (60 s), Streamlit exception
  boxes, uncaught page errors, failed requests;
* server: peak RSS (``VmHWM``), RSS at the end and CPU seconds (user+sys of
  the server process), per step;
* client: CPU seconds of every Chromium process (browser, renderers, GPU and
  utility processes) per first map and per step, and the load average.

Two client configurations, each printed as its own table (``--browsers``,
default ``2,all``):

* 2 Chromium pages + N-2 websocket-protocol clients: the server's view (the
  other people's browsers run on their own machines);
* all N sessions as Chromium pages on this machine: each page's own rendering
  (~0.3 s of Chromium CPU a step, ~3.5 s a first visit on an idle core) then
  competes with the server and with each other for the 2 cores, so this
  measures the machine's capacity to *render* N pages as much as the server.

In each configuration, one fresh server each, in the same run:

(a) ours, N sessions;
(b) ours, 2 sessions (what one person sees on an idle server);
(c) naive, N sessions: the same app as it ran before the per-date caches:
    ``TERRITORY_SHARED_CACHE=0`` (every run of every session renders the base
    map and the date's layer itself) and Streamlit's full ``gc.collect()``
    after every script run (``runner.postScriptGC``, which our config turns
    off: ~190 ms a run with the dataset loaded, holding the GIL).
(d) in the all-Chromium configuration, the floor: ``bench/floor_app.py``, a
    bare Streamlit page with the same date slider and big date label and
    nothing else (no data, map or chart). Its "first map" is its first
    element and its step the label showing the new date: no Streamlit page,
    ours included, can be faster on this machine with N pages open
    (``--skip-floor`` leaves it out).

Sessions start on different dates spread over the history (``--spread``, the
default) so they are not all looking at the same date. The machine running the
browser is the machine running the server: on 2 cores the N pages' own
rendering competes with the server, as it does in the issue's measurement.
Prints; asserts nothing. Stops by itself (bounded steps, timeouts everywhere).

Protocol clients send what a page sends: a step is the time player's one
report for the date (the component's value, rerunning its fragment), and after
the first map its "drawn" report, after which the page draws its chart. The
naive configuration (shared caches off, Streamlit's post-run GC on) no longer
changes the map page's stepping, which is in the browser: its figures show
what the server-side settings still cost the catch-up runs.

    python bench/bench_sessions.py [--sessions 20] [--steps 8] [--think 1.0] [--browsers 2,all]
                                   [--skip-naive] [--skip-small] [--skip-floor]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]

from territory.ui.warmup import DRAWN_FLAG, warm  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, run_streamlit  # noqa: E402

PLAYER_IFRAME = 'iframe[title="territory.ui.player_component.territory_player"]'
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
SLIDER = "[data-testid=stSlider] input[type=range]"  # the floor app's (a Streamlit slider)
PLAYER_SLIDER = ".tp-slider"  # the map page's: the time player's slider, in its frame

# ms since navigation when the map (the map page's time player) shows its first territory path; null before.
FIRST_PATH_JS = """() => {
  const f = document.querySelector('iframe[title="territory.ui.player_component.territory_player"]');
  const d = f && f.contentDocument;
  return d && d.querySelector('path.tp-feature') ? performance.now() : null;
}"""
# Before a step: arm a keydown timestamp (the page's clock) on the player's frame; the slider's position.
ARM_JS = """() => {
  const f = document.querySelector('iframe[title="territory.ui.player_component.territory_player"]');
  const d = f && f.contentDocument;
  if (d && !d.__benchKd) {
    d.__benchKd = true;
    d.addEventListener('keydown', () => { window.__kd = performance.now(); }, true);
  }
  window.__kd = null;
  const s = d.querySelector('.tp-slider');
  return {now: +s.value, max: +s.max};
}"""
# After the keypress: ms from keydown to the player showing the slider's new date (big date and
# key numbers are written in the same pass as the polygons), polled every animation frame.
SHOWN_JS = """() => {
  const f = document.querySelector('iframe[title="territory.ui.player_component.territory_player"]');
  const d = f && f.contentDocument;
  const s = d && d.querySelector('.tp-slider');
  const big = d && d.querySelector('.tp-date');
  if (!s || !big || window.__kd === null || big.textContent.trim() !== s.getAttribute('aria-valuetext')) return null;
  return d.querySelectorAll('path.tp-feature').length ? performance.now() - window.__kd : null;
}"""
FLOOR_ARM_JS = """() => {
  if (!window.__benchKd) {
    window.__benchKd = true;
    document.addEventListener('keydown', () => { window.__kd = performance.now(); }, true);
  }
  window.__kd = null;
  const s = document.querySelector('[data-testid=stSlider] input[type=range]');
  return {now: +s.value, max: +s.max};
}"""
# The floor app (bench/floor_app.py): its first element is the big date label; a step is shown
# when the label reads the slider's new date.
FLOOR_FIRST_JS = """() => document.querySelector('[data-testid=big-date]') ? performance.now() : null"""
FLOOR_SHOWN_JS = """() => {
  const s = document.querySelector('[data-testid=stSlider] input[type=range]');
  const big = document.querySelector('[data-testid=big-date]');
  if (!s || !big || big.textContent.trim() !== s.getAttribute('aria-valuetext') || window.__kd === null) return null;
  return performance.now() - window.__kd;
}"""


@dataclass
class Run:
    name: str
    sessions: int
    first_s: list[float] = field(default_factory=list)
    step_s: list[float] = field(default_factory=list)
    first_browser_s: list[float] = field(default_factory=list)
    first_ws_s: list[float] = field(default_factory=list)
    step_browser_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    rss_peak_mib: float = float("nan")
    rss_end_mib: float = float("nan")
    cpu_s: float = float("nan")
    pid: int = 0
    warm_s: float = float("nan")
    cpu_at_open: float = float("nan")
    browsers: int = 0
    client_cpu_open: float = float("nan")  # Chromium CPU s from navigation to every map shown
    client_cpu_steps: float = float("nan")  # Chromium CPU s over the stepping phase
    client_at_open: float = float("nan")
    load_avg: str = ""
    wall_s: float = float("nan")


def loadavg() -> str:
    """The 1, 5 and 15 minute load averages as /proc gives them: every bench prints them beside its figures."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))]


def proc_status(pid: int, field_name: str) -> float:
    """A ``kB`` field of /proc/PID/status in MiB (nan if unreadable)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def alive(pid: int) -> bool:
    """The process exists and is not a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def proc_cpu(pid: int, children: bool = False) -> float:
    """User + system CPU seconds of a process (plus its reaped children's with ``children``)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        own = int(fields[11]) + int(fields[12])
        return (own + (int(fields[13]) + int(fields[14]) if children else 0)) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


async def one_session(i: int, browser, url: str, start: str | None, run: Run, opened: asyncio.Barrier,
                      steps: int, think: float, rng: random.Random, floor: bool = False) -> None:
    ctx = await browser.new_context(viewport={"width": 1280, "height": 800})
    page = await ctx.new_page()
    page.on("pageerror", lambda e: run.errors.append(f"session {i}: page error {e}"))
    page.on("requestfailed", lambda r: run.errors.append(f"session {i}: request failed {r.url} {r.failure}"))
    try:
        await page.goto(url + (f"/?date={start}" if start else "/"), timeout=300_000)
        handle = await page.wait_for_function(FLOOR_FIRST_JS if floor else FIRST_PATH_JS, polling=100,
                                              timeout=300_000)
        first = await handle.json_value() / 1000
        run.first_s.append(first)
        run.first_browser_s.append(first)
        await page.wait_for_selector(IDLE, state="attached", timeout=120_000)
    except Exception as exc:  # a session that never showed its map is an error, not a crash
        run.errors.append(f"session {i}: no first map ({type(exc).__name__})")
        await opened.wait()
        await ctx.close()
        return
    await opened.wait()  # every session has its map: now all step together
    mark_stepping(run)
    slider = page.locator(SLIDER) if floor else page.frame_locator(PLAYER_IFRAME).locator(PLAYER_SLIDER)
    for _ in range(steps):
        await asyncio.sleep(think * rng.uniform(0.5, 1.5))
        try:
            armed = await page.evaluate(FLOOR_ARM_JS if floor else ARM_JS)
            await slider.focus()
            await page.keyboard.press("ArrowLeft" if armed["now"] >= armed["max"] else "ArrowRight")
            handle = await page.wait_for_function(FLOOR_SHOWN_JS if floor else SHOWN_JS,
                                                  polling=50 if floor else "raf", timeout=60_000)
            took = await handle.json_value() / 1000
            run.step_s.append(took)
            run.step_browser_s.append(took)
            await page.wait_for_selector(IDLE, state="attached", timeout=60_000)
        except Exception as exc:
            run.errors.append(f"session {i}: step did not show its date ({type(exc).__name__}: {str(exc)[:200]})")
    n_exc = await page.locator("[data-testid=stException]").count()
    if n_exc:
        run.errors.append(f"session {i}: {n_exc} exception box(es) on the page")
    await ctx.close()


def mark_stepping(run: Run) -> None:
    """Server and Chromium CPU seconds when the stepping phase starts (first caller wins)."""
    if run.cpu_at_open != run.cpu_at_open:  # nan
        run.cpu_at_open = proc_cpu(run.pid)
        run.client_at_open = chromium_cpu()


def our_chromium_pids() -> list[int]:
    """Every Chromium process this bench started (its descendants), from /proc."""
    parent: dict[int, int] = {}
    chrome: set[int] = set()
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            parent[int(d)] = int(Path(f"/proc/{d}/stat").read_text().rsplit(")", 1)[1].split()[1])
            if "chrom" in Path(f"/proc/{d}/comm").read_text():
                chrome.add(int(d))
        except (OSError, IndexError, ValueError):
            continue
    me, ours = os.getpid(), []
    for pid in sorted(chrome):
        p = pid
        while p > 1 and p != me:
            p = parent.get(p, 0)
        if p == me:
            ours.append(pid)
    return ours


def chromium_cpu() -> float:
    """CPU seconds of every Chromium process this bench started (its descendants), with their reaped children.

    A page's renderer exits when its context closes; its CPU then lives on in its parent's
    ``cutime``/``cstime``, so counting those keeps the total from going down.
    """
    return sum(proc_cpu(pid, children=True) for pid in our_chromium_pids())


class WsSession:
    """One session speaking Streamlit's websocket protocol, as the browser's frontend does.

    It sends what the page sends (a rerun with the query string; on a step, the
    time player's one report for the date the user stopped on) and receives
    every message the server sends for the run. A first map is "shown" when the
    player's element arrives; a step (which the browser shows by itself) when
    the catch-up run that brings the rest of the page to the date has finished.
    It does not render, so on a 2-core machine the server is not starved by
    N renderers (the clients of a real server are on other machines).
    """

    def __init__(self, url: str) -> None:
        self.url = url.replace("http://", "ws://") + "/_stcore/stream"
        self.slider_id = ""
        self.fragment_id = ""  # the slider's fragment: a step reruns it alone, as the browser asks
        self.map_id = ""  # the map component: once drawn, a browser's map reports it (the chart follows)
        self.options: list[str] = []
        self.value = ""
        self.query = ""
        self.player = False  # the map page's map is the time player (territory.ui.playback)
        self.seq = 0
        # Streamlit's message cache, as a browser keeps it: large elements it has already received are
        # listed in each rerun request, and the server sends a reference instead of the element again.
        self.cache: dict[str, object] = {}

    async def send_rerun(self, ws, value: str | None = None, report_drawn: bool = False) -> None:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        msg.rerun_script.query_string = self.query
        msg.rerun_script.page_script_hash = ""
        msg.rerun_script.cached_message_hashes.extend(self.cache)
        if self.player and (report_drawn or value is not None):  # the player's one value per stop
            day = value if value is not None else self.value
            self.seq += 1
            msg.rerun_script.fragment_id = self.fragment_id
            w = msg.rerun_script.widget_states.widgets.add()
            w.id = self.map_id
            w.json_value = json.dumps({"index": self.options.index(day), "date": day, "playing": False,
                                       "seq": self.seq, **({"drawn": True} if report_drawn else {})})
            await ws.send(msg.SerializeToString())
            return
        if report_drawn:
            msg.rerun_script.fragment_id = self.fragment_id
            w = msg.rerun_script.widget_states.widgets.add()
            w.id = self.map_id
            w.json_value = json.dumps({DRAWN_FLAG: True})
        if value is not None:
            msg.rerun_script.fragment_id = self.fragment_id
            w = msg.rerun_script.widget_states.widgets.add()
            w.id = self.slider_id
            w.string_array_value.data.append(value)
        await ws.send(msg.SerializeToString())

    async def until_map(self, ws, want: str | None, since: float, timeout: float) -> float | None:
        """Read one run's messages; seconds from ``since`` until its map arrived (after ``want`` in the
        big date label), or None if the run ended without it."""
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        shown, label_ok = None, want is None
        deadline = time.perf_counter() + timeout
        while True:
            raw = await asyncio.wait_for(ws.recv(), max(0.1, deadline - time.perf_counter()))
            fm = ForwardMsg()
            fm.ParseFromString(raw)
            kind = fm.WhichOneof("type")
            if kind == "ref_hash" and fm.ref_hash in self.cache:  # an element this client already holds
                fm = self.cache[fm.ref_hash]
                kind = fm.WhichOneof("type")
            elif fm.metadata.cacheable and fm.hash:
                self.cache[fm.hash] = fm
            if kind == "script_finished" and fm.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                # (a run that asks for another, as the map page's first "drawn" report does, is not the end)
                if self.player and want is not None and shown is None:  # the catch-up run is the step
                    shown = time.perf_counter() - since
                return shown
            if kind == "page_info_changed":
                self.query = fm.page_info_changed.query_string
            if kind != "delta" or fm.delta.WhichOneof("type") != "new_element":
                continue
            el = fm.delta.new_element
            which = el.WhichOneof("type")
            if which == "markdown" and "big-date" in el.markdown.body and want is not None:
                label_ok = label_ok or f">{want}<" in el.markdown.body
            elif which == "slider" and not self.slider_id and el.slider.options:
                self.slider_id, self.options = el.slider.id, list(el.slider.options)
                self.fragment_id = fm.delta.fragment_id
                self.value = el.slider.raw_value[0] if el.slider.raw_value else self.options[0]
            elif (which == "component_instance" and el.component_instance.component_name.endswith("territory_player")
                  and want is None and shown is None):
                shown = time.perf_counter() - since
                args = json.loads(el.component_instance.json_args or "{}")
                self.player, self.map_id, self.fragment_id = True, el.component_instance.id, fm.delta.fragment_id
                self.options = list(args.get("payload", {}).get("dates", []))
                self.value = self.options[int(args.get("index", 0))] if self.options else ""
            elif (which == "component_instance" and el.component_instance.component_name.endswith("st_folium")
                  and label_ok and shown is None):
                shown = time.perf_counter() - since
                self.map_id = el.component_instance.id

    async def run(self, i: int, start: str | None, run: Run, opened: asyncio.Barrier, steps: int, think: float,
                  rng: random.Random) -> None:
        import websockets

        self.query = f"date={start}" if start else ""
        try:
            t0 = time.perf_counter()
            async with websockets.connect(self.url, subprotocols=["streamlit"], max_size=2**28,
                                          open_timeout=120) as ws:
                await self.send_rerun(ws)
                try:
                    shown = await self.until_map(ws, None, t0, 300)
                except TimeoutError:
                    shown = None
                if shown is None:
                    run.errors.append(f"session {i}: no first map")
                    await opened.wait()
                    return
                run.first_s.append(shown)
                run.first_ws_s.append(shown)
                if self.map_id:  # what the map sends once on screen: the page then draws its chart
                    await self.send_rerun(ws, report_drawn=True)
                    await self.until_map(ws, None, time.perf_counter(), 300)
                await opened.wait()
                mark_stepping(run)
                for _ in range(steps):
                    await asyncio.sleep(think * rng.uniform(0.5, 1.5))
                    idx = self.options.index(self.value) if self.value in self.options else 0
                    idx = idx - 1 if idx >= len(self.options) - 1 else idx + 1
                    self.value = self.options[idx]
                    sent = time.perf_counter()
                    await self.send_rerun(ws, self.value)
                    try:
                        took = await self.until_map(ws, self.value, sent, 60)
                    except TimeoutError:  # the run's messages are still coming: this session stops here
                        run.errors.append(f"session {i}: step to {self.value} timed out")
                        break
                    if took is None:
                        run.errors.append(f"session {i}: step to {self.value} did not show its date")
                    else:
                        run.step_s.append(took)
        except Exception as exc:  # a dropped connection is an error of the run, not a crash of the bench
            run.errors.append(f"session {i}: websocket {type(exc).__name__}: {str(exc)[:120]}")


async def drive(url: str, run: Run, starts: list[str | None], steps: int, think: float, browsers: int,
                floor: bool = False) -> None:
    """Sessions 0..browsers-1 in Chromium, the rest over the websocket protocol, all at once."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True) \
            if browsers else None
        opened = asyncio.Barrier(run.sessions)
        rng = random.Random(7)
        jobs = []
        for i in range(run.sessions):
            start, r = starts[i % len(starts)], random.Random(rng.random())
            if i < browsers:
                jobs.append(one_session(i, browser, url, start, run, opened, steps, think, r, floor))
            else:
                jobs.append(WsSession(url).run(i, start, run, opened, steps, think, r))
        tasks = [asyncio.create_task(j) for j in jobs]

        async def watchdog() -> None:  # a dead server ends the run at once instead of after every timeout
            while not all(t.done() for t in tasks):
                await asyncio.sleep(0.5)
                if not alive(run.pid):
                    run.errors.append("server process died (see its log)")
                    for t in tasks:
                        t.cancel()
                    return

        dog = asyncio.create_task(watchdog())
        await asyncio.gather(*tasks, return_exceptions=True)
        dog.cancel()
        run.client_cpu_steps = chromium_cpu() - run.client_at_open
        if browser is not None:
            await browser.close()


def measure(name: str, sessions: int, env: dict[str, str], tmp: Path, starts: list[str | None], steps: int,
            think: float, browsers: int, warm_up: bool, floor: bool = False) -> Run:
    """One configuration on a fresh server; ``floor`` serves bench/floor_app.py (every session a page)."""
    run = Run(name, sessions)
    log = tmp / f"{name.replace(' ', '_').replace(',', '')}.log"
    script = HERE / "floor_app.py" if floor else "src/territory/app/main.py"
    with run_streamlit(script, log=log, env=env) as srv:
        run.pid = srv.pid
        if warm_up:  # as `territory serve` does once the server answers
            t0 = time.perf_counter()
            ok = warm(srv.url)
            run.warm_s = time.perf_counter() - t0
            if not ok:
                run.errors.append("warm-up did not finish")
        peak = [0.0]
        done = threading.Event()

        def sample() -> None:  # VmHWM is the peak already; the sampler also catches a server that dies
            while not done.wait(0.5):
                peak[0] = max(peak[0], proc_status(srv.pid, "VmRSS"))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        t0 = time.perf_counter()
        run.browsers = min(browsers, sessions)
        client0 = chromium_cpu()
        asyncio.run(drive(srv.url, run, starts[:sessions] if len(starts) >= sessions else starts, steps, think,
                          min(browsers, sessions), floor))
        run.client_cpu_open = run.client_at_open - client0
        run.wall_s = time.perf_counter() - t0
        done.set()
        sampler.join()
        run.rss_peak_mib = max(proc_status(srv.pid, "VmHWM"), peak[0])
        run.rss_end_mib = proc_status(srv.pid, "VmRSS")
        run.cpu_s = proc_cpu(srv.pid) - run.cpu_at_open
        run.load_avg = loadavg()
        if "Traceback" in log.read_text(errors="replace"):
            run.errors.append(f"server log has a traceback ({log})")
    print(f"  {name}: {len(run.first_s)}/{sessions} maps, first map max {max(run.first_s, default=float('nan')):.1f} s; "
          f"{len(run.step_s)} steps p50 {statistics.median(run.step_s) if run.step_s else float('nan'):.2f} s "
          f"p95 {pct(run.step_s, 0.95):.2f} s; {len(run.errors)} errors; wall {run.wall_s:.0f} s; "
          f"load average {run.load_avg}")
    for e in run.errors[:10]:
        print(f"    {e}")
    return run


def warm_disk_cache(env: dict[str, str]) -> list[str]:
    """Measure the dataset once as the dashboard does (fills the on-disk cache); its change dates."""
    code = ("import json; from territory.ui.shell import load_default, default_path, default_options, date_labels; "
            "an = load_default(str(default_path()), default_options()); print(json.dumps(date_labels(an)))")
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True,
                         text=True, timeout=900)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=20, help="concurrent sessions (default 20)")
    ap.add_argument("--steps", type=int, default=8, help="date steps per session (default 8)")
    ap.add_argument("--think", type=float, default=1.0,
                    help="mean pause between a session's steps in seconds, jittered x0.5-1.5 (default 1.0)")
    ap.add_argument("--browsers", default="2,all",
                    help="comma list, one configuration each: how many of the sessions are real Chromium pages "
                         "(the rest speak the websocket protocol); 'all' = every session. Default '2,all': the "
                         "server's view (2 pages + protocol clients) and every session a Chromium page on this "
                         "machine (the pages' rendering then shares the cores with the server)")
    ap.add_argument("--same-date", action="store_true", help="every session starts on the default date")
    ap.add_argument("--cold", action="store_true",
                    help="ours without the warm-up `territory serve` does (sessions find a cold process)")
    ap.add_argument("--skip-small", action="store_true", help="skip the 2-session run")
    ap.add_argument("--skip-naive", action="store_true", help="skip the naive (caches off) run")
    ap.add_argument("--path", default=None, help="dataset (TERRITORY_PATH) instead of the bundled history")
    ap.add_argument("--skip-floor", action="store_true",
                    help="skip the floor run (bench/floor_app.py: a bare Streamlit page with the same date slider, "
                         "every session a Chromium page) that the all-pages configuration prints beside ours")
    args = ap.parse_args()
    n = max(1, min(args.sessions, 200))
    steps = max(1, min(args.steps, 200))

    t_all = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench_sessions_") as tmp_s:
        tmp = Path(tmp_s)
        env = {k: v for k, v in os.environ.items() if k not in ("TERRITORY_PATH", "TERRITORY_SHARED_CACHE")}
        env["TERRITORY_CACHE_DIR"] = str(tmp / "cache")
        if args.path:
            env["TERRITORY_PATH"] = str(Path(args.path).resolve())
        t0 = time.perf_counter()
        labels = warm_disk_cache(env)
        print(f"dataset: {args.path or 'bundled history'}, {len(labels)} change dates; "
              f"disk cache warmed in {time.perf_counter() - t0:.0f} s")
        starts: list[str | None] = [None] if args.same_date else [
            labels[round(j * (len(labels) - 1) / max(n, 1))] for j in range(n)]
        configs = [n if v.strip() == "all" else max(0, min(int(v), n)) for v in args.browsers.split(",") if v.strip()]
        warm_up = not args.cold
        print(f"{n} sessions, {steps} steps each, think {args.think:.1f} s (x0.5-1.5); client and server share "
              f"{os.cpu_count()} cores; load average at start {loadavg()}")
        tables: list[tuple[int, list[Run]]] = []
        for i, k in enumerate(dict.fromkeys(configs)):
            print(f"configuration: {k} Chromium pages, {n - k} websocket-protocol clients")
            runs = [measure(f"ours, N sessions, {k} pages", n, env, tmp, starts, steps, args.think, k, warm_up)]
            if not args.skip_small and i == 0:
                runs.append(measure(f"ours, 2 sessions, {k} pages", min(2, n), env, tmp, starts, steps, args.think,
                                    k, warm_up))
            if not args.skip_naive:
                runs.append(measure(f"naive, N sessions, {k} pages", n,
                                    dict(env, TERRITORY_SHARED_CACHE="0", STREAMLIT_RUNNER_POST_SCRIPT_GC="true"),
                                    tmp, starts, steps, args.think, k, False))
            if k == n and not args.skip_floor:  # what Streamlit alone costs N pages on this machine
                dates = tmp / "floor_dates.json"
                dates.write_text(json.dumps(labels))
                runs.append(measure("floor, N sessions, bare page", n, dict(env, FLOOR_DATES=str(dates)), tmp, starts,
                                    steps, args.think, k, False, floor=True))
            tables.append((k, runs))

    for k, runs in tables:
        print_table(n, k, runs)
    print(f"total bench time {time.perf_counter() - t_all:.0f} s")


def print_table(n: int, k: int, runs: list[Run]) -> None:
    print(f"\n{k} of {n} sessions in Chromium on this machine, {n - k} websocket-protocol clients:")
    head = "".join(f"{r.name.split(',')[0] + ' ' + str(r.sessions) + ' sess':>18}" for r in runs)
    print(f"{'':34}{head}  target (ours, {n})")
    rows = [
        ("first map, max (s)", [max(r.first_s, default=float("nan")) for r in runs], "<= 10"),
        ("first map, p50 (s)", [statistics.median(r.first_s) if r.first_s else float("nan") for r in runs], ""),
        ("step shows new date, p50 (s)", [statistics.median(r.step_s) if r.step_s else float("nan") for r in runs], ""),
        ("step shows new date, p95 (s)", [pct(r.step_s, 0.95) for r in runs],
         "<= 0.34 (issue 19: no worse than 0.21-0.34)" if k == 2 else "<= 1.5"),
        ("step shows new date, max (s)", [max(r.step_s, default=float("nan")) for r in runs], ""),
        ("steps measured", [len(r.step_s) for r in runs], ""),
        ("  protocol clients: first map max",
         [max(r.first_ws_s, default=float("nan")) for r in runs], ""),
        ("  in Chromium: first map max (s)", [max(r.first_browser_s, default=float("nan")) for r in runs], ""),
        ("  in Chromium: step p50 (s)",
         [statistics.median(r.step_browser_s) if r.step_browser_s else float("nan") for r in runs], ""),
        ("  in Chromium: step p95 (s)", [pct(r.step_browser_s, 0.95) for r in runs],
         "<= 0.5 with 10 pages (issue 19)" if k >= 10 else ""),
        ("errors", [len(r.errors) for r in runs], "0"),
        ("server warm-up before users (s)", [r.warm_s for r in runs], ""),
        ("server RSS peak (MiB)", [r.rss_peak_mib for r in runs], ""),
        ("server RSS at end (MiB)", [r.rss_end_mib for r in runs], ""),
        ("server CPU s per step", [r.cpu_s / max(len(r.step_s), 1) for r in runs], ""),
        ("Chromium CPU s per first map", [r.client_cpu_open / max(len(r.first_browser_s), 1) if r.browsers
                                          else float("nan") for r in runs], ""),
        # Each step is a stop (the think time outlasts the player's 0.3 s quiet spell): its catch-up included.
        ("Chromium CPU s per step (a stop)", [r.client_cpu_steps / max(len(r.step_browser_s), 1) if r.browsers
                                              else float("nan") for r in runs], "<= 0.05"),
        ("wall time of the run (s)", [r.wall_s for r in runs], ""),
        ("load average, 1 min, at the end", [float(r.load_avg.split()[0]) if r.load_avg else float("nan")
                                             for r in runs], "(machine shared: read walls beside it)"),
    ]
    for name, vals, target in rows:
        print(f"{name:34}" + "".join(f"{v:>18,.2f}" for v in vals) + f"  {target}")
    if any(r.name.startswith("floor") for r in runs):
        print("floor: bench/floor_app.py, a bare Streamlit page with the same date slider and big date label "
              "(no data, map or chart); its 'first map' is its first element. No Streamlit page is faster.")
    naive = next((r for r in runs if r.name.startswith("naive")), None)
    if naive is not None and runs[0].step_s and naive.step_s:
        print(f"\nnaive / ours ({n} sessions): step p95 x{pct(naive.step_s, 0.95) / pct(runs[0].step_s, 0.95):.1f}, "
              f"step p50 x{statistics.median(naive.step_s) / statistics.median(runs[0].step_s):.1f}, "
              f"first map max x{max(naive.first_s, default=float('nan')) / max(runs[0].first_s, default=float('nan')):.1f}")


if __name__ == "__main__":
    main()
