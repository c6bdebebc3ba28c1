"""``territory db``: create, fill, append to and export a shared PostGIS store."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

EXAMPLES = """\
examples:
  territory db init postgresql://territory@db.internal/territory
  territory db import postgresql://territory@db.internal/territory ./my_dataset      # once
  territory db append postgresql://territory@db.internal/territory ./daily/2024-05-02.geojson
  territory db export postgresql://territory@db.internal/territory ./backup
  territory serve postgresql://territory@db.internal/territory --port 8501

The password can stay out of the URL: libpq reads PGPASSWORD or ~/.pgpass.
"""


def add_db_commands(sub: argparse._SubParsersAction, add_input: Callable[..., None]) -> None:
    """Register ``territory db init|import|append|export``."""
    db = sub.add_parser("db", help="a shared PostGIS store: init, import, append, export",
                        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    dbsub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)

    p = dbsub.add_parser("init", help="create the PostGIS extension, schema, tables and indexes (idempotent)")
    p.add_argument("url", help="postgresql://USER@HOST[:PORT]/DATABASE")
    p.set_defaults(handler=cmd_init)

    p = dbsub.add_parser("import", help="store a whole dataset (any format the loader reads)")
    p.add_argument("url", help="postgresql://USER@HOST[:PORT]/DATABASE")
    add_input(p)
    p.add_argument("--replace", action="store_true", help="overwrite a store that already holds a history")
    p.set_defaults(handler=cmd_import)

    p = dbsub.add_parser("append", help="add new snapshots from PATH; re-running it changes nothing",
                         description="Add the snapshots of PATH the store lacks. A snapshot stored with other "
                                     "content is refused (exit 1) and nothing is written.")
    p.add_argument("url", help="postgresql://USER@HOST[:PORT]/DATABASE")
    add_input(p, path_help="file or folder of the snapshots to add (any format the loader reads)")
    p.set_defaults(handler=cmd_append)

    p = dbsub.add_parser("export", help="write the store as a dataset folder (dataset.json + files)")
    p.add_argument("url", help="postgresql://USER@HOST[:PORT]/DATABASE")
    p.add_argument("folder", help="a new or empty folder")
    p.set_defaults(handler=cmd_export)


def _check_url(url: str) -> None:
    from territory.store import is_db_url

    if not is_db_url(url):
        raise ValueError(f"'{url}' is not a postgresql:// URL")


def cmd_init(args: argparse.Namespace) -> int:
    from territory.store import postgis, redact

    _check_url(args.url)
    version = postgis.init(args.url)
    print(f"territory: store ready at {redact(args.url)} (data version {version})", file=sys.stderr)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from territory.cli_options import load_options
    from territory.datasets import bundled_path
    from territory.store import postgis, redact

    _check_url(args.url)
    path = args.path or bundled_path()  # as every command: no PATH is the bundled history
    version = postgis.import_dataset(args.url, path, load_options(args), replace=args.replace)
    where = args.path or "the bundled history"
    print(f"territory: imported {where} into {redact(args.url)} (data version {version})", file=sys.stderr)
    return 0


def cmd_append(args: argparse.Namespace) -> int:
    from territory.cli_options import load_options
    from territory.store import postgis, redact

    _check_url(args.url)
    result = postgis.append(args.url, args.path, load_options(args))
    if result.added:
        print(f"territory: appended {result.added} snapshot(s), {result.rows} row(s) to {redact(args.url)}; "
              f"{result.skipped} already stored (data version {result.version})", file=sys.stderr)
    else:
        print(f"territory: nothing new: all {result.skipped} snapshot(s) of {args.path} are already stored "
              f"(data version {result.version})", file=sys.stderr)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from territory.store import postgis, redact

    _check_url(args.url)
    files = postgis.export(args.url, args.folder)
    print(f"territory: exported {redact(args.url)} to {args.folder} ({len(files)} files)", file=sys.stderr)
    return 0
