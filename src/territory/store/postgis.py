"""The PostGIS store: one shared control history that a team appends to and many dashboards read.

Layout (schema ``territory``; created by :func:`init`):

* ``history``: one row per polygon observation, the canonical columns, geometry
  in EPSG:4326; GiST index on the geometry, b-tree indexes on date and actor.
* ``snapshots``: one row per (actor, status, date) with a digest of its rows.
  It makes :func:`append` idempotent: a snapshot already stored with the same
  content is skipped, one with different content is refused.
* ``actors`` (name, colour), ``dataset`` (the manifest's keys: title, region,
  illustrative label...), and, written at import, ``claims`` (the checked
  ledger), ``reference_areas``, ``settlements`` and the region layers
  ``layer_regions``, ``layer_countries``, ``layer_basemap`` (GiST-indexed).
* ``version``: one row, ``db_id`` (random, set by ``init``) and ``n`` (bumped by
  every write transaction). :func:`data_version` is ``"<db_id>-<n>"``, so a
  cache keyed by it never serves data from before a write, nor from another
  database that happens to be at the same ``n``.
* ``measured``: each snapshot's union in EPSG:6933 and its km², so an append
  projects and unions only the snapshots it adds.
* ``stats``: the default ``territory stats`` table, rebuilt inside the same
  transaction as every write and tagged with the version it was computed for.

Writers hold a transaction-scoped advisory lock, so two appends never interleave.
Tables go through geopandas ``to_postgis``/``read_postgis`` and pandas
``to_sql``/``read_sql`` over SQLAlchemy + psycopg 3 (GeoAlchemy2 types the
geometry columns): no hand-written WKB plumbing.
"""

from __future__ import annotations

import functools
import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from territory import atomicfile
from territory.store import StoreConflict, StoreError, StoreUnavailable, redact
from territory.tables import to_csv

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

    from territory.area import Measured
    from territory.datasets import Dataset
    from territory.io import LoadOptions

SCHEMA = "territory"
#: Region layers of a dataset and the table each is kept in.
LAYERS = {"regions": "layer_regions", "countries": "layer_countries", "basemap": "layer_basemap"}
#: Plain tables of a dataset (attribute of :class:`Dataset` -> table).
TABLES = {"claims": "claims", "settlements": "settlements", "reference_areas": "reference_areas"}
#: Manifest keys kept in the ``dataset`` table.
META_KEYS = ("title", "illustrative", "label", "attribution", "focus_actor", "region", "regions_source",
             "partial", "unassigned")
HISTORY_COLS = ("date", "actor", "status", "valid_to", "source", "source_url", "note")
INSTALL_HINT = "PostGIS support needs the 'postgis' extra: pip install 'territory[postgis]'"

DDL = [
    "CREATE EXTENSION IF NOT EXISTS postgis",
    f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}",
    f"""CREATE TABLE IF NOT EXISTS {SCHEMA}.version (
        one boolean PRIMARY KEY DEFAULT true CHECK (one),
        db_id text NOT NULL,
        n bigint NOT NULL DEFAULT 0,
        stats_n bigint,
        changed_at timestamptz NOT NULL DEFAULT now())""",
    f"""CREATE TABLE IF NOT EXISTS {SCHEMA}.history (
        id bigserial PRIMARY KEY,
        date date NOT NULL,
        actor text NOT NULL,
        status text NOT NULL CHECK (status IN ('controlled', 'contested', 'claimed')),
        valid_to date,
        source text,
        source_url text,
        note text,
        geom geometry(Geometry, 4326) NOT NULL)""",
    f"CREATE INDEX IF NOT EXISTS history_geom_gist ON {SCHEMA}.history USING gist (geom)",
    f"CREATE INDEX IF NOT EXISTS history_date ON {SCHEMA}.history (date)",
    f"CREATE INDEX IF NOT EXISTS history_actor ON {SCHEMA}.history (actor)",
    f"""CREATE TABLE IF NOT EXISTS {SCHEMA}.snapshots (
        actor text NOT NULL, status text NOT NULL, date date NOT NULL,
        digest text NOT NULL, rows integer NOT NULL,
        PRIMARY KEY (actor, status, date))""",
    f"CREATE TABLE IF NOT EXISTS {SCHEMA}.actors (name text PRIMARY KEY, color text NOT NULL)",
    f"CREATE TABLE IF NOT EXISTS {SCHEMA}.dataset (key text PRIMARY KEY, value jsonb NOT NULL)",
]


@dataclass(frozen=True)
class AppendResult:
    """What an append did: snapshots added and skipped (already stored), the new version."""

    added: int
    skipped: int
    rows: int
    version: str


# --------------------------------------------------------------------------- connection


@functools.lru_cache(maxsize=8)
def engine(url: str) -> Engine:
    """A pooled engine for ``url`` (``postgresql://`` is driven by psycopg 3)."""
    try:
        import geoalchemy2  # noqa: F401  (registers the geometry type used by to_postgis)
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url
    except ImportError as exc:
        raise StoreError(f"{INSTALL_HINT} ({exc.name} is missing)") from None
    u = make_url(url)
    if u.drivername in ("postgresql", "postgres"):
        u = u.set(drivername="postgresql+psycopg")
    return create_engine(u, pool_pre_ping=True, pool_size=2, max_overflow=4)


def _text(sql: str):
    from sqlalchemy import text

    return text(sql)


def _connect_error(url: str, exc: Exception) -> StoreError:
    """One line naming the server; a lost or refused connection says what to do about it."""
    from urllib.parse import urlsplit

    from sqlalchemy.exc import InterfaceError, OperationalError, PendingRollbackError

    if isinstance(exc, PendingRollbackError):  # SQLAlchemy's words for "the connection died mid-transaction"
        first = "the connection to the server was lost in the middle of the transaction"
    else:
        first = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or ["no answer"])[0][:300]
    if isinstance(exc, (OperationalError, InterfaceError, PendingRollbackError)):
        parts = urlsplit(url)
        server = f"{parts.hostname or 'localhost'}:{parts.port or 5432}"
        return StoreUnavailable(f"database {redact(url)}: {first}. Check that the PostgreSQL server at {server} is "
                          "running and reachable, then run the command again (a write cut off before it "
                          "finished stored nothing: each runs in one transaction)")
    return StoreError(f"database {redact(url)}: {first}")


def _run(url: str, work: Callable[[Connection], Any], *, write: bool) -> Any:
    """Run ``work`` in one transaction (writers serialised by an advisory lock)."""
    from sqlalchemy.exc import DBAPIError, PendingRollbackError

    try:
        eng = engine(url)
        with eng.begin() as conn:
            if write:
                conn.execute(_text("SELECT pg_advisory_xact_lock(hashtext('territory.store'))"))
            else:
                conn.execute(_text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
            return work(conn)
    except (DBAPIError, PendingRollbackError) as exc:
        raise _connect_error(url, exc) from None


def _exists(conn: Connection, table: str) -> bool:
    return conn.execute(_text("SELECT to_regclass(:t) IS NOT NULL"), {"t": f"{SCHEMA}.{table}"}).scalar()


def _version(conn: Connection) -> tuple[str, int, int | None]:
    if not _exists(conn, "version"):
        raise StoreError("this database holds no territory store: run `territory db init URL` first")
    db_id, n, stats_n = conn.execute(_text(f"SELECT db_id, n, stats_n FROM {SCHEMA}.version")).one()
    return db_id, int(n), stats_n


# --------------------------------------------------------------------------- public API


def init(url: str) -> str:
    """Create the PostGIS extension, schema, tables and indexes (idempotent); return the data version."""

    def work(conn: Connection) -> str:
        for stmt in DDL:
            conn.execute(_text(stmt))
        conn.execute(_text(f"INSERT INTO {SCHEMA}.version (db_id) VALUES (:id) ON CONFLICT DO NOTHING"),
                     {"id": secrets.token_hex(6)})
        db_id, n, _ = _version(conn)
        return f"{db_id}-{n}"

    return _run(url, work, write=True)


def data_version(url: str) -> str:
    """``"<db_id>-<n>"``: changes with every write. One cheap query."""
    return _run(url, lambda conn: "{}-{}".format(*_version(conn)[:2]), write=False)


def load(url: str) -> Dataset:
    """The dataset held in the store, read in one consistent snapshot."""
    ds = _run(url, lambda conn: _read_dataset(conn, url), write=False)
    if ds.history.empty:
        raise StoreError(f"the store at {redact(url)} holds no history yet: "
                         "run `territory db import URL PATH` to fill it")
    return ds


def stored_stats(url: str) -> pd.DataFrame | None:
    """The precomputed default stats table, or None if the store has none for its current version."""

    def work(conn: Connection) -> pd.DataFrame | None:
        _db_id, n, stats_n = _version(conn)
        if stats_n != n or not _exists(conn, "stats"):
            return None
        table = pd.read_sql(_text(f"SELECT * FROM {SCHEMA}.stats ORDER BY ord"), conn)
        return _stats_dtypes(table.drop(columns="ord"))

    return _run(url, work, write=False)


def import_dataset(url: str, path: str | Path, options: LoadOptions | None = None, *, replace: bool = False) -> str:
    """Load ``path`` (any loader input) and store it whole; return the new data version.

    Refuses a store that already holds a history unless ``replace`` (then the
    old content is dropped in the same transaction).
    """
    from territory.datasets import load_dataset

    ds = load_dataset(path, options)  # raises LoadError with the loader's report

    def work(conn: Connection) -> str:
        _version(conn)
        held = conn.execute(_text(f"SELECT count(*) FROM {SCHEMA}.history")).scalar()
        if held and not replace:
            raise StoreError(f"the store already holds {held} history rows: use `territory db append` to add "
                             "snapshots, or `territory db import --replace` to overwrite everything")
        for table in ("history", "snapshots", "actors", "dataset"):
            conn.execute(_text(f"TRUNCATE {SCHEMA}.{table}"))
        for table in (*LAYERS.values(), *TABLES.values(), "stats"):
            conn.execute(_text(f"DROP TABLE IF EXISTS {SCHEMA}.{table}"))
        _insert_history(conn, ds.history)
        _insert_actors(conn, ds.colors)
        meta = {k: getattr(ds, k) for k in META_KEYS} | {"name": ds.name}
        for key, value in meta.items():
            conn.execute(_text(f"INSERT INTO {SCHEMA}.dataset (key, value) VALUES (:k, CAST(:v AS jsonb))"),
                         {"k": key, "v": json.dumps(value)})
        for attr, table in TABLES.items():
            frame = getattr(ds, attr)
            if frame is not None:
                frame.reset_index(drop=True).to_sql(table, conn, schema=SCHEMA, index=True, index_label="ord")
        for attr, table in LAYERS.items():
            layer = getattr(ds, attr)
            if layer is not None:
                _write_layer(conn, layer, table)
        return _bump(conn, url)

    return _run(url, work, write=True)


def append(url: str, path: str | Path, options: LoadOptions | None = None) -> AppendResult:
    """Add the snapshots of ``path`` that the store lacks; re-running it changes nothing.

    A snapshot is the rows of one (actor, status, date). One already stored with
    the same content is skipped; one stored with different content is refused
    (the whole append is), naming the snapshots, since silently replacing a day
    someone else entered would lose data.
    """
    history = _read_history(Path(path), options)
    digests = snapshot_digests(history)

    def work(conn: Connection) -> AppendResult:
        db_id, n, _ = _version(conn)
        stored = pd.read_sql(_text(f"SELECT actor, status, date, digest FROM {SCHEMA}.snapshots"), conn)
        have = {(r.actor, r.status, pd.Timestamp(r.date)): r.digest for r in stored.itertuples()}
        clash = [k for k, d in digests.items() if k in have and have[k] != d]
        if clash:
            listed = "; ".join(f"{a} {s} {d.date()}" for a, s, d in clash[:5])
            more = f" and {len(clash) - 5} more" if len(clash) > 5 else ""
            raise StoreConflict(f"{len(clash)} snapshot(s) in {Path(path).name} differ from the ones stored for the same "
                             f"actor, status and date ({listed}{more}): nothing was appended. Correct the file, or "
                             "rebuild the store with `territory db import --replace`")
        new = [k for k in digests if k not in have]
        if not new:
            return AppendResult(0, len(digests), 0, f"{db_id}-{n}")
        key = pd.MultiIndex.from_frame(history[["actor", "status", "date"]])
        rows = history[key.isin(new)]
        _insert_history(conn, rows, digests)
        known = set(pd.read_sql(_text(f"SELECT name FROM {SCHEMA}.actors"), conn)["name"])
        fresh = sorted(set(rows["actor"]) - known)
        if fresh:
            from territory.actors import assign_colors

            given = dict(pd.read_sql(_text(f"SELECT name, color FROM {SCHEMA}.actors"), conn).values)
            colors = assign_colors([*given, *fresh], given)
            _insert_actors(conn, {a: colors[a] for a in fresh})
        version = _bump(conn, url, incremental=True)
        return AppendResult(len(new), len(digests) - len(new), len(rows), version)

    return _run(url, work, write=True)


def _read_history(path: Path, options: LoadOptions | None) -> gpd.GeoDataFrame:
    """The history of a dataset folder/manifest or a bare file/folder (raises LoadError with the report).

    Only the history: a bare file is not given the world layers a full load would read.
    """
    from territory.datasets import load_dataset
    from territory.io import read_history

    if (path.is_dir() and (path / "dataset.json").exists()) or path.name == "dataset.json":
        return load_dataset(path, options).history
    return read_history(path, options)[0]


def export(url: str, folder: str | Path) -> list[Path]:
    """Write the store as a dataset folder that ``territory`` reads back (dataset.json + files)."""
    out = Path(folder)
    if out.exists() and any(out.iterdir()):
        raise StoreError(f"{out} is not empty: export into a new or empty folder")
    ds = load(url)
    out.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {k: getattr(ds, k) for k in META_KEYS if getattr(ds, k) not in (None, "")}
    manifest["title"] = ds.title
    history = ds.history.copy()
    for col in ("date", "valid_to"):
        history[col] = history[col].dt.strftime("%Y-%m-%d").where(history[col].notna(), None)
    # Every file whole or absent (atomicfile), CSV through the one writer: a claim's quote holding
    # a lone CR stays one row when the folder is read back; text is kept exact (safe=False).
    def geo(frame: gpd.GeoDataFrame, name: str, driver: str) -> str:
        def write(tmp: Path) -> None:
            tmp.unlink()  # a new file, never a layer added to the empty placeholder
            # The layer is named for the final file, not the temporary one GDAL is handed.
            frame.to_file(tmp, driver=driver, layer=Path(name).stem, engine="pyogrio")
        atomicfile.write_with(out / name, write)
        return name

    def table(frame: pd.DataFrame, name: str) -> str:
        atomicfile.write_text(out / name, to_csv(frame, safe=False))
        return name

    manifest["history"] = geo(history, "history.gpkg", "GPKG")
    manifest["actors"] = table(pd.DataFrame({"name": list(ds.colors), "color": list(ds.colors.values())}),
                               "actors.csv")
    if ds.claims is not None:
        claims = ds.claims.copy()
        claims["date"] = pd.to_datetime(claims["date"]).dt.strftime("%Y-%m-%d")
        manifest["claims"] = table(claims, "claims.csv")
    for attr in ("settlements", "reference_areas"):
        frame = getattr(ds, attr)
        if frame is not None:
            manifest[attr] = table(frame, f"{attr}.csv")
    for attr in LAYERS:
        layer = getattr(ds, attr)
        if layer is not None:
            manifest[attr] = geo(layer, f"{attr}.geojson", "GeoJSON")
    # The manifest last: a folder whose export failed part-way has no dataset.json to be read as whole.
    atomicfile.write_text(out / "dataset.json", json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return sorted(out.iterdir())


def snapshot_digests(history: gpd.GeoDataFrame) -> dict[tuple[str, str, pd.Timestamp], str]:
    """SHA-256 of each (actor, status, date) snapshot's rows, independent of row order."""
    out: dict[tuple[str, str, pd.Timestamp], str] = {}
    wkb = shapely.to_wkb(shapely.normalize(history.geometry.values), hex=True)
    frame = history[list(HISTORY_COLS)].assign(wkb=wkb)
    for (actor, status, date), group in frame.groupby(["actor", "status", "date"], sort=True):
        lines = sorted(
            "\t".join("" if pd.isna(v) else str(v) for v in (r.valid_to, r.source, r.source_url, r.note, r.wkb))
            for r in group.itertuples()
        )
        out[(actor, status, pd.Timestamp(date))] = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    return out


# --------------------------------------------------------------------------- internals


def _insert_history(conn: Connection, history: gpd.GeoDataFrame, digests: dict | None = None) -> None:
    from geoalchemy2 import Geometry

    if history.empty:
        return
    digests = digests if digests is not None else snapshot_digests(history)
    rows = history[[*HISTORY_COLS, "geometry"]].rename_geometry("geom")
    rows.to_postgis("history", conn, schema=SCHEMA, if_exists="append", index=False,
                    dtype={"geom": Geometry("GEOMETRY", srid=4326)})
    counts = history.groupby(["actor", "status", "date"]).size()
    snaps = pd.DataFrame(
        [(a, s, d.date(), digests[(a, s, pd.Timestamp(d))], int(c)) for (a, s, d), c in counts.items()],
        columns=["actor", "status", "date", "digest", "rows"])
    snaps.to_sql("snapshots", conn, schema=SCHEMA, if_exists="append", index=False)


def _insert_actors(conn: Connection, colors: dict[str, str]) -> None:
    for name, color in colors.items():
        conn.execute(_text(f"INSERT INTO {SCHEMA}.actors (name, color) VALUES (:n, :c) "
                           "ON CONFLICT (name) DO UPDATE SET color = EXCLUDED.color"), {"n": name, "c": color})


def _write_layer(conn: Connection, layer: gpd.GeoDataFrame, table: str) -> None:
    from geoalchemy2 import Geometry

    frame = layer.reset_index(drop=True).to_crs(4326)
    frame.index.name = "ord"
    frame = frame.reset_index()
    # GeoAlchemy2 adds the GiST index when it creates the table.
    frame.to_postgis(table, conn, schema=SCHEMA, if_exists="replace", index=False,
                     dtype={frame.geometry.name: Geometry("GEOMETRY", srid=4326, spatial_index=True)})


def _bump(conn: Connection, url: str, *, incremental: bool = False) -> str:
    """Count a write, then bring the stored measurements and stats up to date (same transaction).

    ``incremental`` (an append): the snapshots already measured are read back from
    the ``measured`` table (equal-area geometry and km²) and only new ones are
    projected and unioned; the stats table is then rebuilt from all of them.
    """
    from territory.area import Measured, measure
    from territory.model import snapshot_keys, with_validity

    db_id, n = conn.execute(_text(f"UPDATE {SCHEMA}.version SET n = n + 1, changed_at = now() "
                                  "RETURNING db_id, n")).one()
    ds = _read_dataset(conn, url)
    h = with_validity(ds.history)
    keys = snapshot_keys(h)
    names = ["actor", "status", "date"]
    geoms = np.empty(len(keys), dtype=object)
    known = np.zeros(len(keys), dtype=bool)
    if incremental and _exists(conn, "measured"):
        prev = gpd.read_postgis(_text(f"SELECT actor, status, date, geom FROM {SCHEMA}.measured"), conn,
                                geom_col="geom")
        prev["date"] = pd.to_datetime(prev["date"])
        at = keys[names].merge(prev.reset_index(names="j")[[*names, "j"]], on=names, how="left")["j"].to_numpy()
        known = ~pd.isna(at)
        geoms[known] = prev.geometry.values[at[known].astype(int)]
    if (~known).any():
        fresh = keys[~known][names]
        rows = h.merge(fresh, on=names, how="inner")
        part = measure(rows.drop(columns=[c for c in rows.columns if c not in ds.history.columns]))
        at = fresh.merge(part.snapshots.reset_index(names="j")[[*names, "j"]], on=names, how="left")["j"]
        geoms[~known] = part.geometry[at.to_numpy()]
    keys = keys.copy()
    keys["area_km2"] = shapely.area(geoms) / 1e6
    measured = Measured(keys, geoms)
    new = gpd.GeoDataFrame(keys.loc[~known, [*names, "area_km2"]], geometry=geoms[~known], crs=6933)
    if not incremental:
        conn.execute(_text(f"DROP TABLE IF EXISTS {SCHEMA}.measured"))
    if len(new):
        from geoalchemy2 import Geometry

        new.rename_geometry("geom").to_postgis("measured", conn, schema=SCHEMA, if_exists="append", index=False,
                                               dtype={"geom": Geometry("GEOMETRY", srid=6933)})
    table = default_stats(ds, measured)
    conn.execute(_text(f"DROP TABLE IF EXISTS {SCHEMA}.stats"))
    table.to_sql("stats", conn, schema=SCHEMA, index=True, index_label="ord")
    conn.execute(_text(f"UPDATE {SCHEMA}.version SET stats_n = n"))
    return f"{db_id}-{n}"


def default_stats(ds: Dataset, measured: Measured | None = None) -> pd.DataFrame:
    """The table ``territory stats`` prints with default options: the region's outline as denominator."""
    from territory.analysis import Analysis

    an = Analysis(ds, measured) if measured is not None else Analysis.of(ds)
    denom = next((d for d in an.denominators() if "outline" in d.source.casefold()), None)
    return an.stats(denom)


def _stats_dtypes(table: pd.DataFrame) -> pd.DataFrame:
    """Date columns in the core's own resolution (ns): pandas 3 reads SQL dates as µs, which
    compare unequal to the same days computed from the files."""
    for col in table.columns:
        if col.endswith("date"):
            table[col] = pd.to_datetime(table[col]).astype("datetime64[ns]")
    return table


def _read_layer(conn: Connection, table: str) -> gpd.GeoDataFrame | None:
    if not _exists(conn, table):
        return None
    cols = conn.execute(_text("SELECT f_geometry_column FROM geometry_columns WHERE f_table_schema = :s "
                              "AND f_table_name = :t"), {"s": SCHEMA, "t": table}).scalar()
    layer = gpd.read_postgis(_text(f"SELECT * FROM {SCHEMA}.{table} ORDER BY ord"), conn, geom_col=cols, crs=4326)
    return layer.drop(columns="ord")


def _read_table(conn: Connection, table: str) -> pd.DataFrame | None:
    if not _exists(conn, table):
        return None
    return pd.read_sql(_text(f"SELECT * FROM {SCHEMA}.{table} ORDER BY ord"), conn).drop(columns="ord")


def _read_dataset(conn: Connection, url: str) -> Dataset:
    from sqlalchemy.engine import make_url

    from territory.actors import assign_colors
    from territory.datasets import Dataset
    from territory.model import canonical
    from territory.report import Report

    db_id, n, _ = _version(conn)
    history = gpd.read_postgis(
        _text(f"SELECT {', '.join(HISTORY_COLS)}, geom FROM {SCHEMA}.history ORDER BY date, actor, status, id"),
        conn, geom_col="geom", crs=4326)
    history = canonical(history.rename_geometry("geometry"))
    meta = dict(conn.execute(_text(f"SELECT key, value FROM {SCHEMA}.dataset")).all())
    given = dict(conn.execute(_text(f"SELECT name, color FROM {SCHEMA}.actors")).all())
    claims = _read_table(conn, "claims")
    if claims is not None:
        claims["date"] = pd.to_datetime(claims["date"])
        claims["calibration"] = claims["calibration"].astype(bool)
    name = meta.get("name") or make_url(url).database or "store"
    report = Report()
    report.stats["rows"] = len(history)
    return Dataset(
        name=name,
        title=meta.get("title") or name,
        history=history,
        colors=assign_colors(history["actor"].unique(), given),
        report=report,
        claims=claims,
        settlements=_read_table(conn, "settlements"),
        regions=_read_layer(conn, "layer_regions"),
        countries=_read_layer(conn, "layer_countries"),
        basemap=_read_layer(conn, "layer_basemap"),
        reference_areas=_read_table(conn, "reference_areas"),
        illustrative=bool(meta.get("illustrative", False)),
        label=meta.get("label") or "",
        attribution=meta.get("attribution") or "",
        focus_actor=meta.get("focus_actor"),
        region=meta.get("region"),
        regions_source=meta.get("regions_source") or "",
        partial={str(k): str(v) for k, v in (meta.get("partial") or {}).items()},
        unassigned=meta.get("unassigned") or "",
        data_version=f"{db_id}-{n}",
    )
