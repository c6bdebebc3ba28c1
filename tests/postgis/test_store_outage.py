"""PostgreSQL stopped in the middle of `territory db append`: one clear line naming the server, no traceback."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.cli_run import run_cli
from tests.postgis import fixtures


def test_server_stopped_mid_append_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from territory.export.sample import synthetic_history
    from territory.store import postgis

    first, more = synthetic_history(4), synthetic_history(8)
    more = more[more["date"] > first["date"].max()]
    first.to_file(tmp_path / "a.geojson", driver="GeoJSON")
    more.to_file(tmp_path / "b.geojson", driver="GeoJSON")
    try:
        cluster = fixtures.throwaway_cluster()  # its own server: stopping the shared one would fail other tests
        server = cluster.__enter__()
    except fixtures.Unavailable as exc:
        fixtures._unavailable(str(exc))
    try:
        url = fixtures.create_database(server, "outage")
        assert run_cli("db", "init", url)[0] == 0
        assert run_cli("db", "import", url, str(tmp_path / "a.geojson"))[0] == 0
        port = server.rsplit(":", 1)[1]
        data = next(p for p in Path(tempfile.gettempdir()).glob("territory-pg-*/data")
                    if (p / "postmaster.pid").exists() and port in (p / "postmaster.pid").read_text())
        prefix = ["runuser", "-u", "postgres", "--"] if data.owner() == "postgres" else []
        insert = postgis._insert_history

        def stop_then_insert(*args, **kwargs):  # the server goes away after the append has begun
            subprocess.run([*prefix, str(fixtures._bindir() / "pg_ctl"), "-D", str(data), "-m", "fast", "-w",
                            "stop"], capture_output=True, check=True)
            return insert(*args, **kwargs)

        monkeypatch.setattr(postgis, "_insert_history", stop_then_insert)
        code, _, err = run_cli("db", "append", url, str(tmp_path / "b.geojson"))
        assert code == 1, err  # the store cannot be read now: as an unreadable input, not a usage error
        assert "internal error" not in err and "PendingRollbackError" not in err and "Traceback" not in err
        assert f"PostgreSQL server at 127.0.0.1:{port} is running" in err and "run the command again" in err
    finally:
        cluster.__exit__(None, None, None)
