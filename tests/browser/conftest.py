"""Shared real-browser fixtures: Debian's Chromium driven by Playwright.

Why this shape (FIELD-NOTES §6): ``playwright install`` cannot download
browsers here, so we launch the system ``/usr/bin/chromium``; one browser per
session keeps a test at ~1 s. Every page records failed requests, console
errors and page errors so tests can assert "nothing went wrong, nothing went
to the network". Screenshots go to ``test-artifacts/`` (git-ignored).

Fixtures: ``browser`` (session), ``context``, ``page``, ``page_events``,
``block_network``, ``save_screenshot`` and ``bundled_export`` (the bundled
history's standalone player HTML); ``streamlit_app`` (session) runs
the dashboard on a free port (``run_streamlit`` does the same for any script,
e.g. from bench/bench_scrub.py).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.servers import free_port, wait_healthy

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Dialog, Page, Route

CHROMIUM = os.environ.get("TERRITORY_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts"
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark everything under tests/browser as ``browser`` (select with -m)."""
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the session; skips if it is not installed."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} not found: apt-get install -y chromium (browser tests)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - test extra not installed
        pytest.skip("playwright (PyPI) not installed: pip install -e .[test]")
    pw = sync_playwright().start()
    try:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    except Exception as exc:  # pragma: no cover - environment problem
        pw.stop()
        pytest.skip(f"cannot launch {CHROMIUM}: {exc}")
    yield b
    b.close()
    pw.stop()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser context (cookies, storage) per test, 1280x800."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    yield ctx
    ctx.close()


@dataclass
class PageEvents:
    """What a page did: requests, failures, console errors, uncaught errors."""

    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        page.on("request", lambda r: self.requests.append(r.url))
        page.on(
            "requestfailed", lambda r: self.failed.append(f"{r.url} {r.failure}")
        )
        page.on(
            "console",
            lambda m: self.console_errors.append(m.text) if m.type == "error" else None,
        )
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))

        def on_dialog(d: Dialog) -> None:
            self.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", on_dialog)

    def assert_clean(self, *, ignore: str | None = None) -> None:
        """No failed request, console error, page error or dialog (regex ``ignore``)."""
        pat = re.compile(ignore) if ignore else None

        def keep(items: list[str]) -> list[str]:
            return [x for x in items if not (pat and pat.search(x))]

        problems = {
            "requestfailed": keep(self.failed),
            "console errors": keep(self.console_errors),
            "page errors": keep(self.page_errors),
            "dialogs": self.dialogs,
        }
        assert not any(problems.values()), problems


@pytest.fixture
def page_events() -> PageEvents:
    return PageEvents()


@pytest.fixture
def page(context: BrowserContext, page_events: PageEvents) -> Iterator[Page]:
    """A page whose events are recorded in ``page_events``."""
    p = context.new_page()
    page_events.attach(p)
    yield p
    p.close()


@pytest.fixture
def block_network(page_events: PageEvents) -> Callable[..., None]:
    """``block_network(page, allow=("file:", "data:"))``: abort any other request.

    Aborted URLs are recorded in ``page_events.blocked`` (and also show up as
    ``requestfailed``), so an offline test can assert the list is empty.
    """

    def install(page: Page, allow: tuple[str, ...] = ("file:", "data:")) -> None:
        def handle(route: Route) -> None:
            url = route.request.url
            if url.startswith(allow):
                route.continue_()
            else:
                page_events.blocked.append(url)
                route.abort()

        page.route("**/*", handle)

    return install


@pytest.fixture
def save_screenshot(request: pytest.FixtureRequest) -> Callable[..., Path]:
    """``save_screenshot(page, name)`` -> path under test-artifacts/."""

    def save(page: Page, name: str | None = None, *, full_page: bool = False) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        stem = name or re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
        path = ARTIFACTS / f"{stem}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return save


# ---------------------------------------------------------------------------
# A real Streamlit server


@dataclass
class StreamlitServer:
    """A running ``streamlit run``: its URL, log file and (optional) timings file."""

    url: str
    port: int
    log: Path
    timings: Path | None = None
    pid: int = 0  # the server process (benchmarks read its memory and CPU from /proc)

    def timing_lines(self) -> list[str]:
        """Lines appended to ``$TERRITORY_TIMINGS`` so far (``page\tdate\tseconds``)."""
        if self.timings is None or not self.timings.exists():
            return []
        return self.timings.read_text(encoding="utf-8").splitlines()


def _stop(proc: subprocess.Popen) -> None:
    """Stop the server we started (its own process group), politely then firmly."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@contextlib.contextmanager
def run_streamlit(
    script: str | Path,
    *,
    log: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path = REPO_ROOT,
    timings: Path | None = None,
    timeout: float = 60.0,
    port: int | None = None,
) -> Iterator[StreamlitServer]:
    """``python -m streamlit run SCRIPT`` on ``port`` (default: a free one); yields once /_stcore/health says ok.

    The server runs in its own process group and is stopped on exit (SIGTERM,
    then SIGKILL after 10 s), so no orphan survives a failed test. ``env``
    replaces the environment (pass ``dict(os.environ, ...)`` to extend it).
    """
    port = port or free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
           "--server.headless", "true", "--server.address", "127.0.0.1",
           "--browser.gatherUsageStats", "false"]
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, env=dict(env if env is not None else os.environ),
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc, log, timeout)
        yield StreamlitServer(url=url, port=port, log=log, timings=timings, pid=proc.pid)
    finally:
        _stop(proc)


@pytest.fixture(scope="session")
def streamlit_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StreamlitServer]:
    """The dashboard (the checkout's thin app.py entry, bundled dataset) served for the whole session.

    Fresh ``TERRITORY_CACHE_DIR``; ``TERRITORY_TIMINGS`` records server time
    per run; ``TERRITORY_PATH``/``TERRITORY_ACTOR`` are cleared so the bundled
    history is what the tests see.

    Share it: one server start and one cold load of the bundled data for every
    test on it, and each test still gets a fresh browser context and page, that
    is a new Streamlit session (uploads and widget state are per session). A
    test that needs other data or settings, a PostGIS store, or to stop the
    server starts its own with ``run_streamlit`` (test_regions_browser.py,
    test_team_store.py, test_installed_app.py).
    """
    tmp = tmp_path_factory.mktemp("streamlit")
    timings = tmp / "timings.tsv"
    env = {k: v for k, v in os.environ.items() if k not in ("TERRITORY_PATH", "TERRITORY_ACTOR")}
    env.update(TERRITORY_CACHE_DIR=str(tmp / "cache"), TERRITORY_TIMINGS=str(timings))
    try:
        with run_streamlit("app.py", log=tmp / "streamlit.log", env=env, timings=timings) as server:
            yield server
    except RuntimeError as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="module")
def bundled_export(bundled, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """The bundled history's standalone player HTML (``territory export --html``'s page) and its payload.

    The chart and net-bar tests check the player's own files on it: the map page loads the same ones.
    """
    from territory.player import analysis_payload, standalone_html

    payload = analysis_payload(bundled)
    path = tmp_path_factory.mktemp("player") / "player.html"
    path.write_text(standalone_html(payload), encoding="utf-8")
    return path, payload
