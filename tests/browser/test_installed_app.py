"""``pip install`` of a built wheel (not editable) gives a ``territory serve`` that works anywhere.

The wheel is built from the tracked source files in a temporary copy, installed
into a fresh venv, and started from an unrelated folder: the health check
answers, the map page draws the bundled territory with the one vendored Leaflet,
and no request leaves the machine. Offline: the build uses the test venv's
setuptools (``--no-build-isolation``, ``--no-index``); the fresh venv sees the
dependencies through a ``.pth`` line pointing at the test venv's site-packages
(a plain path line: the editable install's own ``.pth`` hooks are not run, so
``territory`` can only come from the wheel, which the test checks).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("playwright")

from tests.browser import test_dashboard as dashboard
from tests.browser.conftest import REPO_ROOT, free_port, wait_healthy
from tests.browser.test_dashboard import TERRITORY_PATH, assert_healthy, open_map

pytestmark = pytest.mark.slow
http_errors = dashboard.http_errors  # the fixture: responses with status >= 400


def _tracked_files(root: Path) -> list[str]:
    out = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                         check=True, capture_output=True).stdout
    return [f for f in out.decode().split("\0") if f and (root / f).is_file()]


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    assert proc.returncode == 0, f"{cmd}\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed; returns the venv folder."""
    if shutil.which("git") is None:
        pytest.skip("git is needed to list the source files")
    tmp = tmp_path_factory.mktemp("install")
    src = tmp / "src"
    for rel in _tracked_files(REPO_ROOT):
        dest = src / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        if (REPO_ROOT / rel).is_symlink():
            dest.symlink_to(os.readlink(REPO_ROOT / rel))
        else:
            shutil.copy2(REPO_ROOT / rel, dest)
    dist = tmp / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
          "-w", str(dist), str(src)])
    (wheel,) = dist.glob("territory-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert [n for n in names if n.endswith("leaflet.js")] == ["territory/assets/player/leaflet/leaflet.js"]
    for needed in ("territory/app/main.py", "territory/app/pages/map.py", "territory/app/.streamlit/config.toml",
                   "territory/geodata/is_syria_iraq/history.geojson",
                   "territory/geodata/naturalearth/countries.geojson"):
        assert needed in names, needed

    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    py = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", str(py), "install", "--quiet", "--no-deps", "--no-index",
          str(wheel)])
    site = Path(_run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    (site / "_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    where = _run([str(py), "-c", "import territory; print(territory.__file__)"], cwd=tmp).stdout.strip()
    assert Path(where).is_relative_to(venv), f"territory imported from {where}, not from the installed wheel"
    return venv


@contextlib.contextmanager
def _serve(venv: Path, cwd: Path, home: Path) -> Iterator[str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TERRITORY_", "STREAMLIT_"))}
    env.update(HOME=str(home), TERRITORY_CACHE_DIR=str(home / "cache"))
    log = home / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(venv / "bin" / "territory"), "serve", "--port", str(port)], cwd=cwd, env=env,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc, log, 90)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def test_installed_cli_reads_the_bundled_data_from_any_folder(installed, tmp_path):
    proc = _run([str(installed / "bin" / "territory"), "dates"], cwd=tmp_path,
                env=dict(os.environ, TERRITORY_CACHE_DIR=str(tmp_path / "cache")))
    lines = proc.stdout.split()
    assert len(lines) > 10 and lines[0].startswith("2014-"), proc.stdout[:200]


def test_installed_serve_draws_the_map_from_another_folder(installed, tmp_path, page, page_events, http_errors):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with _serve(installed, elsewhere, tmp_path) as url:
        frame = open_map(page, url + "/")
        assert frame.locator(TERRITORY_PATH).count() > 0, "the bundled territory is not drawn"
        leaflet = [u for u in page_events.requests if u.endswith("/leaflet/leaflet.js")]
        assert leaflet and all("/component/territory.ui.player_component.territory_player/" in u for u in leaflet)
        nav = [t.strip() for t in page.locator("[data-testid=stSidebarNav] a").all_inner_texts()]
        assert nav[0] == "Map", nav
        assert_healthy(page_events, http_errors)
