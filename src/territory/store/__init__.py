"""Shared stores a team reads and writes: today a PostGIS database (``postgresql://`` URLs).

This module imports nothing heavy, so any command can ask "is this PATH a
database?" without loading SQLAlchemy.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote_plus, urlsplit, urlunsplit

#: URL schemes that name a PostGIS store instead of a file or folder.
DB_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")


class StoreError(ValueError):
    """A store operation that cannot be done; the message says what to do."""


class StoreConflict(StoreError):
    """The input contradicts what the store holds (a snapshot stored with other content): the
    input is refused (``territory`` exits 1), nothing is written."""


class StoreUnavailable(StoreError):
    """The server could not be reached, or the connection was lost mid-transaction: the input
    cannot be read, like a missing file (``territory`` exits 1); a write stored nothing."""


def is_db_url(path: str | Path | None) -> bool:
    """True when ``path`` is a ``postgresql://`` URL (a Path cannot be one: it collapses ``//``)."""
    return isinstance(path, str) and urlsplit(path).scheme in DB_SCHEMES and "://" in path


#: Query-string parameters libpq reads as secrets (``postgresql://h/db?password=X``).
SECRET_PARAMS = frozenset({"password", "sslpassword"})


def _redact_query(query: str) -> str:
    """``password=X`` (any case, percent-encoded or not) becomes ``password=***``; the rest is kept as written."""
    pairs = []
    for pair in query.split("&"):
        key = pair.partition("=")[0]
        pairs.append(f"{key}=***" if unquote_plus(key).strip().lower() in SECRET_PARAMS else pair)
    return "&".join(pairs)


def redact(url: str) -> str:
    """The URL without its password (in ``user:password@`` or the query string), for messages and banners."""
    parts = urlsplit(url)
    query = _redact_query(parts.query) if parts.query else parts.query
    if parts.password is None:
        return url if query == parts.query else urlunsplit((*parts[:3], query, parts.fragment))
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    user = f"{parts.username}:***@" if parts.username else "***@"
    return urlunsplit((parts.scheme, user + host, parts.path, query, parts.fragment))
