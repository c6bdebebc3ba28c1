"""``territory serve``: refuses bad input in the terminal before any server starts; a signal stops the server too."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from tests.cli_run import run_cli as run
from tests.servers import free_port, wait_healthy


@pytest.fixture
def no_server(monkeypatch):
    """Fail the test if anything tries to start a process."""
    started = []
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: started.append(a) or pytest.fail("a server was started"))
    return started


@pytest.fixture
def bare_folder(tmp_path):
    folder = tmp_path / "snaps"
    folder.mkdir()
    for name, box in (("2022-03-01.geojson", (30, 46, 32, 48)), ("2022-04-01.geojson", (30, 46, 33, 48))):
        gpd.GeoDataFrame(geometry=[shapely.box(*box)], crs=4326).to_file(folder / name)
    return folder


def test_missing_path_is_refused_before_any_server(no_server, tmp_path):
    code, _, err = run("serve", str(tmp_path / "nowhere"), "--port", str(free_port()))
    assert code == 1
    assert "not found" in err and "input refused" in err and "Traceback" not in err
    assert "dashboard on" not in err and not no_server


def test_bare_folder_without_actor_is_refused_with_the_report(no_server, bare_folder):
    code, _, err = run("serve", str(bare_folder), "--port", str(free_port()))
    assert code == 1
    # The validation report, its hints in command-line words.
    assert "error:" in err and "no actor column" in err and "--actor NAME" in err
    assert not no_server


def test_busy_port_is_a_usage_error(no_server):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        code, _, err = run("serve", "--port", str(s.getsockname()[1]))
    assert code == 2 and "in use" in err and not no_server


def test_options_reach_the_dashboard(monkeypatch, bare_folder, tmp_path):
    """What was checked is what is served: every input option goes to the child's environment."""
    aliases = tmp_path / "aliases.csv"
    aliases.write_text("alias,name\nocc,Occupied\n", encoding="utf-8")
    seen = {}

    class FakeProc:
        def __init__(self, cmd, **kw):
            seen.update(kw["env"])
            seen["cmd"] = cmd

        def wait(self, timeout=None):
            return 0

        def poll(self):
            return 0

    monkeypatch.setattr(subprocess, "Popen", FakeProc)
    code, _, err = run("serve", str(bare_folder), "--actor", "occ", "--aliases", str(aliases),
                       "--port", str(free_port()))
    assert code == 0, err
    import json

    opts = json.loads(seen["TERRITORY_OPTIONS"])
    assert opts["actor"] == "occ" and Path(opts["aliases"]).is_absolute()
    assert seen["TERRITORY_PATH"] == str(bare_folder.resolve())
    assert "--server.address" in seen["cmd"] and "127.0.0.1" in seen["cmd"]


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(x) for x in path.read_text().split()] if path.exists() else []


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _port_free(port: int) -> bool:
    """Nobody listens on ``port`` and a new server could bind it (TIME_WAIT of old connections allowed)."""
    with socket.socket() as c:
        if c.connect_ex(("127.0.0.1", port)) == 0:
            return False
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_the_streamlit_child(tmp_path, sig):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("TERRITORY_PATH", "TERRITORY_ACTOR", "TERRITORY_OPTIONS")}
    env["TERRITORY_CACHE_DIR"] = str(tmp_path / "cache")
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "territory.cli", "serve", "--port", str(port)],
                                stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    child = None
    try:
        wait_healthy(f"http://127.0.0.1:{port}", proc, log, 90)
        kids = _children(proc.pid)  # the Streamlit server answering is serve's child
        child = kids[0] if kids else None
        assert child is not None and _alive(child)
        proc.send_signal(sig)  # to `territory serve` only, not its process group
        assert proc.wait(timeout=30) == 0, log.read_text(errors="replace")
        assert not _alive(child), "the Streamlit child outlived territory serve"
        assert _port_free(port), "the port is still taken after territory serve stopped"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        if child is not None and _alive(child):
            os.kill(child, signal.SIGKILL)


def test_served_options_are_the_checked_options(tmp_path):
    """Every input option of `serve` reaches the dashboard: the options it rebuilds equal the ones checked."""
    from territory.cli import build_parser, load_options, serve_options
    from territory.io.options import LoadOptions

    aliases = tmp_path / "aliases.csv"
    aliases.write_text("alias,name\nocc,Occupied\n", encoding="utf-8")
    parser = build_parser()
    argv = ["serve", str(tmp_path), "--actor", "occ", "--status", "contested", "--file-date", "2022-03-01",
            "--column", "date=Datum", "--aliases", str(aliases)]
    try:
        args = parser.parse_args([*argv, "--date-format", "%d/%m/%Y"])
    except SystemExit:  # a CLI without --date-format
        args = parser.parse_args(argv)
    import json

    rebuilt = LoadOptions.from_cli(**json.loads(json.dumps(serve_options(args))))
    assert rebuilt == load_options(args)


def test_large_folder_is_refused_from_its_first_file(no_server, tmp_path):
    """A property-less archive without --actor: the first file's report, not one error per file."""
    folder = tmp_path / "archive"
    folder.mkdir()
    for day in range(1, 6):
        gpd.GeoDataFrame(geometry=[shapely.box(30, 46, 31 + day / 10, 48)], crs=4326).to_file(
            folder / f"2022-03-0{day}.geojson")
    code, _, err = run("serve", str(folder), "--port", str(free_port()))
    assert code == 1 and "--actor NAME" in err and not no_server
    assert "2022-03-01.geojson" in err and "2022-03-05.geojson" not in err
