"""Store messages: a password never printed (userinfo or query string); a lost server is a clear error."""

from __future__ import annotations

import contextlib

import pytest

from territory.store import StoreError, redact


@pytest.mark.parametrize("url", [
    "postgresql://host/db?password=s3cret",
    "postgresql://u:s3cret@host:5432/db",
    "postgresql://u:s3cret@host/db?sslmode=require&PassWord=s3cret&application_name=x",
    "postgresql://host/db?pass%77ord=s3cret",
    "postgresql://host/db?sslpassword=s3cret#frag",
])
def test_every_password_in_a_url_is_masked(url: str) -> None:
    shown = redact(url)
    assert "s3cret" not in shown and "***" in shown
    assert shown.split("//", 1)[1].split("/", 1)[0].rsplit("@", 1)[-1].startswith("host")


def test_a_url_without_a_password_is_unchanged() -> None:
    for url in ("postgresql://u@h/d", "postgresql://h/d?sslmode=require&application_name=pw"):
        assert redact(url) == url


def test_a_connection_lost_mid_transaction_is_a_clear_store_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLAlchemy's PendingRollbackError (the server stopped mid-append) names the server and what to do."""
    pytest.importorskip("sqlalchemy")
    from sqlalchemy.exc import PendingRollbackError

    from territory.store import postgis

    class Lost:
        @contextlib.contextmanager
        def begin(self):
            raise PendingRollbackError("Can't reconnect until invalid transaction is rolled back. "
                                       "Please rollback() fully before proceeding")
            yield  # pragma: no cover

    monkeypatch.setattr(postgis, "engine", lambda url: Lost())
    with pytest.raises(StoreError) as info:
        postgis.data_version("postgresql://u:s3cret@db.example:6543/t?password=s3cret")
    msg = str(info.value)
    assert "s3cret" not in msg and "rollback()" not in msg
    assert "lost in the middle of the transaction" in msg
    assert "PostgreSQL server at db.example:6543 is running" in msg and "run the command again" in msg
