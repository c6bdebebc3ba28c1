"""A throwaway PostgreSQL + PostGIS cluster on 127.0.0.1 for the store tests (a pytest plugin: tests/conftest.py).

The cluster lives in a temporary folder, listens on a random free port on
loopback only, trusts local connections, and is stopped and deleted at the end
of the session. PostgreSQL refuses to run as root, so as root the server runs
as the ``postgres`` user Debian's package creates. Without PostgreSQL/PostGIS
the tests skip with the command that enables them; in CI (``CI=true``) they fail
instead, since `make test` installs both.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ENABLE = ("apt-get install -y postgresql postgresql-postgis (Debian; `make test` does it when run as root) "
          "and pip install -e '.[postgis]'")


def _unavailable(why: str) -> None:
    message = f"PostGIS tests need {why}: {ENABLE}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " (CI must run them)")
    pytest.skip(message)


def _bindir() -> Path | None:
    """The newest Debian PostgreSQL whose share folder has the PostGIS extension."""
    for version in sorted(Path("/usr/lib/postgresql").glob("*"), key=lambda p: int(p.name) if p.name.isdigit() else 0,
                          reverse=True):
        if (version / "bin" / "initdb").exists() and \
                Path(f"/usr/share/postgresql/{version.name}/extension/postgis.control").exists():
            return version / "bin"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Unavailable(RuntimeError):
    """PostgreSQL/PostGIS (or the Python driver) is missing; the message says what."""


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[str]:
    """Start a fresh cluster on 127.0.0.1 and a random port; yield ``postgresql://postgres@127.0.0.1:PORT``.

    Raises :class:`Unavailable` when the packages are missing. Used by the fixture and bench/bench_store.py.
    """
    for module in ("sqlalchemy", "psycopg", "geoalchemy2"):
        try:
            __import__(module)
        except ImportError:
            raise Unavailable(f"the Python package {module}") from None
    bindir = _bindir()
    if bindir is None:
        raise Unavailable("PostgreSQL with PostGIS under /usr/lib/postgresql")
    prefix: list[str] = []
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            raise Unavailable("the 'postgres' system user (PostgreSQL refuses to run as root)") from None
        prefix = ["runuser", "-u", "postgres", "--"]
    root = Path(tempfile.mkdtemp(prefix="territory-pg-"))
    if prefix:
        os.chown(root, user.pw_uid, user.pw_gid)
    data, log, port = root / "data", root / "server.log", _free_port()

    def run(*cmd: str) -> None:
        proc = subprocess.run([*prefix, *cmd], capture_output=True, text=True)
        if proc.returncode:
            extra = log.read_text(errors="replace") if log.exists() else ""
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stdout}\n{proc.stderr}\n{extra}")

    try:
        run(str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale")
        opts = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", opts, "-w", "-t", "60", "start")
        yield f"postgresql://postgres@127.0.0.1:{port}"
    finally:
        with contextlib.suppress(Exception):
            from territory.store.postgis import engine

            engine.cache_clear()
        if (data / "postmaster.pid").exists():
            subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                           capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def create_database(server: str, name: str) -> str:
    """A new empty database on ``server``; returns its URL."""
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """``postgresql://postgres@127.0.0.1:PORT`` of a fresh cluster (no database part)."""
    try:
        with throwaway_cluster() as server:
            yield server
    except Unavailable as exc:
        _unavailable(str(exc))
    except RuntimeError as exc:
        pytest.fail(str(exc))


_names = itertools.count(1)


@pytest.fixture
def pg_url(pg_server: str) -> str:
    """A new, empty database on the throwaway cluster, for one test."""
    return create_database(pg_server, f"t{os.getpid()}_{next(_names)}")
