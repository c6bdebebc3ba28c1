"""The ``territory`` command: the same core as the dashboard, from a shell.

Every command takes PATH (a dataset folder, a history file, a folder of
dated snapshot files, or a ``postgresql://`` store) and defaults to the bundled Syria/Iraq history. Tables
go to stdout as CSV (or ``--format json``) unless ``--out FILE``.

Exit codes: 0 success; 1 the input was refused (a validation report is
printed); 2 bad command-line usage; 3 an unexpected internal error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from territory.change_cli import add_change_options, wants_more
from territory.change_cli import check as check_change
from territory.change_cli import run as run_change
from territory.cli_options import (
    add_input,
    load_analysis,
    load_options,
    option_key,
    pick_denominator,
)
from territory.store import StoreConflict, StoreUnavailable, is_db_url, redact

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
#: As a shell reports a command stopped by Ctrl+C (128 + SIGINT).
EXIT_INTERRUPTED = 130

#: How this shell names each load option in a validation report's hints (see territory.report.opt).
CLI_WORDING = {"actor": "--actor NAME", "status": "--status STATUS", "file_date": "--file-date YYYY-MM-DD",
               "date_format": "--date-format FORMAT", "column": "--column {column}=NAME", "aliases": "--aliases FILE"}

EXAMPLES = """examples:
  territory stats                          # bundled history, CSV to stdout
  territory stats --format json --out stats.json
  territory change --from 2015-01-01 --to 2016-01-01
  territory change ./snapshots --actor Occupied --every month --region-filter Donetsk
  territory change --from 2016-06-01 --to 2016-12-31 --table patches --format geojson --out patches.geojson
  territory claims
  territory brief ./snapshots --actor Occupied --from 2022-05-31 --to 2022-06-30 --out brief.pdf
  territory regions --date 2015-06-01
  territory settlements ./snapshots --actor Occupied --from 2024-01-01 --to 2025-01-01
  territory regions ./snapshots --actor Occupied --region-filter Donetsk --every month
  territory regions ./snapshots --actor Occupied --date 2023-06-01 --regions districts.gpkg --region-name ADM2_EN
  territory validate my_history.gpkg --actor "Russian forces"
  territory serve ./snapshots --actor Occupied --port 8502
"""


def _add_table(p: argparse.ArgumentParser, formats: tuple[str, ...] = ("csv", "json")) -> None:
    p.add_argument("--format", choices=list(formats), default="csv", help="table format (default csv)")
    p.add_argument("--out", help="write to FILE instead of stdout")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="territory",
        description="Measure, map and check claims about territorial control over time.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version="territory 0.1.0")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("stats", help="area time series: km² and shares per date × actor × status "
                                     "(pct_of_peak: %% of the peak to date, peak_km2 on peak_date)")
    add_input(p)
    _add_table(p)
    p.add_argument("--denominator", default="outline",
                   help="which region area to divide by: 'outline' (Natural Earth, measured) or 'official' (default outline)")
    p.add_argument("--region", help="divide by this region instead of the dataset's own, e.g. 'Syria' or 'Ukraine' "
                                    "(a country of the bundled layers, or several joined by '+')")
    p.add_argument("--baseline", help="also give %% of the area held on this date (YYYY-MM-DD)")

    p = sub.add_parser("change", help="gains, losses, net change and transfers between two dates, "
                                      "per week/month (--every), or as patches (--table patches)")
    add_input(p)
    _add_table(p, ("csv", "json", "geojson"))
    p.add_argument("--from", dest="start", help="first date (YYYY-MM-DD)")
    p.add_argument("--to", dest="end", help="second date (YYYY-MM-DD)")
    p.add_argument("--table", choices=["summary", "transfers", "both", "patches"], default="both",
                   help="which table to print (default both; 'both' in CSV prints two tables separated by a blank "
                        "line; 'patches': each piece of ground that changed hands, with km², from → to, region and "
                        "nearest settlement; --format geojson for its outlines)")
    add_change_options(p)

    p = sub.add_parser("claims", help="the claims ledger checked against the computed areas")
    add_input(p)
    _add_table(p)
    p.add_argument("claims", nargs="?", help="claims CSV (default: the dataset's own ledger)")

    p = sub.add_parser("regions", help="km² and share of each region (oblast, governorate…) per actor, on a date or over time",
                       description="Each actor's area inside each region and its share of the region's measured "
                                   "outline. Regions: --regions FILE (any polygon layer), else the dataset's own, "
                                   "else the bundled Natural Earth admin-1 outlines of the countries it lies in. "
                                   "One date with --date; a series with --from/--to and/or --every (default: "
                                   "every change date).",
                       epilog="example: territory regions ./snapshots --actor Occupied --regions-filter Donetsk "
                              "--every month", formatter_class=argparse.RawDescriptionHelpFormatter)
    add_input(p)
    _add_table(p)
    p.add_argument("--date", help="one date (YYYY-MM-DD): the state in force on it")
    p.add_argument("--from", dest="start", help="series: first date (default: the first change date)")
    p.add_argument("--to", dest="end", help="series: last date (default: the last change date)")
    p.add_argument("--every", choices=["change", "day", "week", "month", "quarter", "year"], default=None,
                   help="series sampling: every change date (default), or the state at the end of each "
                        "day/week/month/quarter/year (plus --to if it falls mid-period)")
    p.add_argument("--regions", dest="regions_file", metavar="FILE",
                   help="region layer: any polygon file the loaders read (GeoJSON, GeoPackage, zipped Shapefile, "
                        "KML, GeoParquet, CSV with WKT)")
    p.add_argument("--region-name", metavar="COLUMN", help="column of --regions naming each region "
                                                           "(default: name, NAME_1, ADM1_EN, shapeName…)")
    p.add_argument("--region-filter", "--regions-filter", dest="region_filter", action="append", metavar="TEXT",
                   help="only regions whose name contains TEXT (case-insensitive) or whose country is TEXT; "
                        "repeatable")
    p.add_argument("--held-by", action="append", metavar="ACTOR", help="only this actor (repeatable)")
    p.add_argument("--held-status", choices=["controlled", "contested", "claimed"], default="controlled",
                   help="which status counts as held (default controlled)")

    p = sub.add_parser("dates", help="list the dates on which anything changes")
    add_input(p)

    p = sub.add_parser("validate", help="check an input and print a report (exit 0 if no errors)")
    add_input(p)
    p.add_argument("--format", choices=["text", "json"], default="text")

    p = sub.add_parser("serve", help="start the dashboard on PATH at http://127.0.0.1:PORT")
    add_input(p)
    p.add_argument("--port", type=int, default=8501)

    from territory.export.cli import add_export_commands

    add_export_commands(sub, add_input)
    from territory.store.cli import add_db_commands

    add_db_commands(sub, add_input)
    from territory.settlements_cli import add_settlements_command

    add_settlements_command(sub, add_input)
    from territory.brief_cli import add_brief_command

    add_brief_command(sub, add_input)
    return parser


def emit(text: str | bytes, out: str | None) -> None:
    if out:  # whole or absent: a full disk leaves no truncated file (territory.atomicfile)
        from territory.atomicfile import write_bytes

        write_bytes(out, text if isinstance(text, bytes) else text.encode("utf-8"))
        print(f"wrote {out}", file=sys.stderr)
    else:
        sys.stdout.write(text)


#: Problems printed one by one; the rest are counted (a broken archive can have thousands).
MAX_PRINTED_PROBLEMS = 100


def print_problems(report, file=None) -> None:
    """The first MAX_PRINTED_PROBLEMS problems of ``report`` (one repeated in many files said once), then a
    count of the rest."""
    file = file or sys.stdout
    shown = report.summarised().problems
    for p in shown[:MAX_PRINTED_PROBLEMS]:
        print(p, file=file)
    rest = len(shown) - MAX_PRINTED_PROBLEMS
    if rest > 0:
        print(f"… and {rest:,} more problem(s) not shown ({report.summary()} in all)", file=file)


def _usage_error(message: str) -> int:
    print(f"territory: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def cmd_stats(args: argparse.Namespace) -> int:
    from territory import cache

    key = None
    if is_db_url(args.path) and (args.denominator, args.region, args.baseline) == ("outline", None, None):
        from territory.store.postgis import stored_stats
        from territory.tables import render

        table = stored_stats(args.path)  # precomputed by the database's last write
        if table is not None:
            emit(render(table, args.format), args.out)
            return EXIT_OK
    name = f"stats.{args.format}"
    if not args.no_cache and not is_db_url(args.path):
        # Warm path: the rendered table straight from the cache, without loading pandas or geodata.
        if args.path:
            root = Path(args.path)
        else:
            from territory.datasets import bundled_path

            root = bundled_path()
        try:
            files = cache.input_files(root)
            key = cache.content_key(files, {**option_key(args), "denominator": args.denominator,
                                            "region": args.region, "baseline": args.baseline,
                                            "table": "stats-3"})  # 3: peak to date
        except OSError:  # missing or unreadable input: let the loader report it properly
            key = None
        hit = cache.fetch_bytes(key, name) if key else None
        if hit is not None:
            emit(hit.decode("utf-8"), args.out)
            return EXIT_OK
    an = load_analysis(args)
    denoms = an.denominators(region=args.region)
    if args.region and not denoms:
        raise ValueError(f"--region '{args.region}' is not in the bundled country or region layers")
    denom = pick_denominator(denoms, args.denominator)
    table = an.stats(denom, args.baseline)
    from territory.tables import render

    text = render(table, args.format)
    if key is not None:
        cache.store_bytes(key, name, text.encode("utf-8"))
    emit(text, args.out)
    return EXIT_OK


def cmd_change(args: argparse.Namespace) -> int:
    from territory.tables import render

    check_change(args)
    an = load_analysis(args)
    if wants_more(args):
        run_change(args, an, emit)
        return EXIT_OK
    result = an.compare(args.start, args.end)  # refuses --from after --to (exit 2)
    if args.table == "summary":
        emit(render(result["summary"], args.format), args.out)
    elif args.table == "transfers":
        emit(render(result["transfers"], args.format), args.out)
    elif args.format == "json":
        import json

        body = {"summary": json.loads(render(result["summary"], "json")),
                "transfers": json.loads(render(result["transfers"], "json"))}
        emit(json.dumps(body, ensure_ascii=False, indent=1) + "\n", args.out)
    else:
        emit(render(result["summary"], "csv") + "\n" + render(result["transfers"], "csv"), args.out)
    return EXIT_OK


def cmd_claims(args: argparse.Namespace) -> int:
    from territory.tables import render

    an = load_analysis(args, claims=args.claims)
    table = an.claims()
    if table is None:
        print("territory: this dataset has no claims ledger; pass a claims CSV", file=sys.stderr)
        return EXIT_INPUT
    emit(render(table, args.format), args.out)
    return EXIT_OK


def cmd_regions(args: argparse.Namespace) -> int:
    from territory.model import to_day
    from territory.regions import read_region_layer, sample_dates
    from territory.tables import render

    if args.date and (args.start or args.end or args.every):
        raise ValueError("give either --date (one date) or --from/--to/--every (a series), not both")
    if args.region_name and not args.regions_file:
        raise ValueError("--region-name names a column of --regions FILE: give the file too")
    layer = read_region_layer(args.regions_file, args.region_name) if args.regions_file else None
    an = load_analysis(args)
    if layer is None:
        layer = an.region_layer()
    if layer is None:
        print("territory: no region layer: this history lies in no country of the bundled layers; "
              "pass one with --regions FILE", file=sys.stderr)
        return EXIT_INPUT
    for p in layer.report.warnings:
        print(p, file=sys.stderr)
    layer = layer.matching(args.region_filter)
    actors = None
    if args.held_by:
        unknown = [a for a in args.held_by if a not in an.dataset.actors]
        if unknown:
            raise ValueError(f"--held-by: no actor {', '.join(map(repr, unknown))}; actors are: "
                             + ", ".join(an.dataset.actors))
        actors = list(args.held_by)
    dates = [to_day(args.date)] if args.date else sample_dates(an.dates, args.start, args.end,
                                                                             args.every or "change")
    table = an.regions_table(dates, layer, status=args.held_status, actors=actors)
    if table.empty:
        print(f"territory: nobody holds any of these regions ({args.held_status}) on the dates asked; "
              f"the data runs from {an.dates[0].date()} to {an.dates[-1].date()}" if an.dates else
              "territory: the data holds no dates", file=sys.stderr)
    emit(render(table, args.format), args.out)
    return EXIT_OK


def cmd_dates(args: argparse.Namespace) -> int:
    from territory.model import change_dates
    from territory.sources import open_dataset

    ds = open_dataset(args.path, load_options(args))
    for d in change_dates(ds.history):
        print(d.date().isoformat())
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    from territory.datasets import bundled_path, manifest_history
    from territory.validate import validate

    if is_db_url(args.path):
        raise ValueError("validate checks files: run it on the file you import or append "
                         "(territory db import/append refuse bad input with the same report)")
    root = manifest_history(Path(args.path) if args.path else bundled_path())
    report = validate(root, load_options(args)).worded(CLI_WORDING)
    if args.format == "json":
        import json

        body = json.loads(report.to_json())
        body["problems"] = body["problems"][:MAX_PRINTED_PROBLEMS]
        body["problems_not_shown"] = max(0, len(report.problems) - MAX_PRINTED_PROBLEMS)
        print(json.dumps(body, indent=2))
    else:
        print_problems(report)
        stats = ", ".join(f"{k}={v}" for k, v in sorted(report.stats.items()))
        print(f"{root}: {report.summary()}" + (f" ({stats})" if stats else ""))
    return EXIT_OK if report.ok else EXIT_INPUT


#: Seconds the dashboard gets to stop after SIGTERM before it is killed.
SERVE_GRACE_S = 10.0


def serve_options(args: argparse.Namespace) -> dict:
    """The input options as JSON-able values for the dashboard process (``TERRITORY_OPTIONS``)."""
    opts = {"actor": args.actor, "status": args.status, "date": args.file_date, "column": args.column,
            "aliases": str(Path(args.aliases).resolve()) if args.aliases else None}
    if getattr(args, "date_format", None):  # --date-format, where the input options have it
        opts["date_format"] = args.date_format
    if getattr(args, "settlements", None):  # --settlements FILE (checked by cmd_serve before the server starts)
        opts["settlements"] = str(Path(args.settlements).resolve())
    return opts


def _port_free(port: int) -> bool:
    import socket

    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as Streamlit binds: TIME_WAIT is no obstacle
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the dashboard gets SIGTERM if ``territory serve`` itself is killed (even with SIGKILL)."""
    import contextlib
    import ctypes
    import signal

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def supervise(proc) -> int:
    """Wait for the dashboard; SIGTERM/SIGINT/SIGHUP stop it too (then SIGKILL after a grace period)."""
    import signal
    import subprocess
    import time

    stop_at: list[float] = []

    def forward(_signum, _frame) -> None:
        if not stop_at:
            stop_at.append(time.monotonic() + SERVE_GRACE_S)
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)

    previous = {s: signal.signal(s, forward) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
    try:
        while True:
            try:
                rc = proc.wait(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                if stop_at and time.monotonic() > stop_at[0]:
                    proc.kill()
    finally:
        if proc.poll() is None:  # an exception in this process: never leave the server behind
            proc.kill()
            proc.wait()
        for s, handler in previous.items():
            signal.signal(s, handler)
    if stop_at:
        print("territory: dashboard stopped", file=sys.stderr)
        return EXIT_OK
    return rc


def serve_sample(path: str | None) -> tuple[Path, int] | None:
    """(first file, number of files) of a bare folder of several snapshots, else None (check it whole).

    Reading an 800-file archive takes most of a minute and the dashboard reads it
    again; a missing option (a property-less archive without ``--actor``) already
    shows in its first file.
    """
    from territory.io.readers import SUPPORTED

    if not path or is_db_url(path):
        return None
    root = Path(path)
    if not root.is_dir() or (root / "dataset.json").exists():
        return None
    files = sorted(f for f in root.iterdir() if f.is_file() and f.suffix.lower() in SUPPORTED
                   and not f.name.startswith("."))
    return (files[0], len(files)) if len(files) > 1 else None


def cmd_serve(args: argparse.Namespace) -> int:
    """Check the input here (a refusal prints its report, exit 1), then run the dashboard as a child."""
    import json
    import os
    import subprocess

    from territory.app import MAIN_SCRIPT
    from territory.io import load
    from territory.report import LoadError
    from territory.sources import open_dataset

    where = (redact(args.path) if is_db_url(args.path) else args.path) or "the bundled history"
    print(f"territory: checking {where}…", file=sys.stderr)
    if getattr(args, "settlements", None):
        from territory.gazetteer import read_settlements

        read_settlements(args.settlements)  # raises LoadError (file, row, field) before any server starts
    sample = serve_sample(args.path)
    if sample is None:
        open_dataset(args.path, load_options(args))  # raises LoadError before any server starts
    else:  # a folder of snapshots: the first file answers "are the options right?" in a second, not minutes
        first, total = sample
        loaded = load(first, load_options(args))
        if not loaded.report.ok:
            raise LoadError(loaded.report)
        print(f"territory: {first.name} (the first of {total} files) reads; the dashboard reads the rest "
              "and shows any problem there", file=sys.stderr)
    if not _port_free(args.port):
        return _usage_error(f"port {args.port} on 127.0.0.1 is in use; choose another with --port")
    env = dict(os.environ)
    for k in ("TERRITORY_PATH", "TERRITORY_ACTOR"):  # serve exactly what was checked
        env.pop(k, None)
    if args.path:
        env["TERRITORY_PATH"] = args.path if is_db_url(args.path) else str(Path(args.path).resolve())
    env["TERRITORY_OPTIONS"] = json.dumps(serve_options(args))
    cmd = [sys.executable, "-m", "streamlit", "run", str(MAIN_SCRIPT), "--server.address", "127.0.0.1",
           "--server.port", str(args.port), "--server.headless", "true",
           "--browser.gatherUsageStats", "false"]
    print(f"Territory dashboard on http://127.0.0.1:{args.port} (Ctrl+C stops it)", file=sys.stderr)
    # Its own process group: Ctrl+C reaches this process only, which stops the server once.
    proc = subprocess.Popen(cmd, env=env, process_group=0,
                            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
    _warm_in_background(f"http://127.0.0.1:{args.port}", proc)
    return supervise(proc)


def _warm_in_background(url: str, proc) -> None:
    """Have the new server do its first-visit work now, not in front of the first visitors."""
    import threading
    import time

    def run() -> None:
        from territory.ui.warmup import wait_healthy, warm

        t0 = time.monotonic()
        if wait_healthy(url, alive=lambda: proc.poll() is None) and warm(url):
            print(f"territory: dashboard warmed up in {time.monotonic() - t0:.0f} s", file=sys.stderr)

    threading.Thread(target=run, name="territory-warmup", daemon=True).start()


COMMANDS = {"stats": cmd_stats, "change": cmd_change, "claims": cmd_claims, "regions": cmd_regions,
            "dates": cmd_dates, "validate": cmd_validate, "serve": cmd_serve}


def print_refusal(report) -> None:
    """The validation report of a refused input, on stderr, hints in command-line words."""
    print_problems(report.worded(CLI_WORDING), sys.stderr)
    print(f"territory: input refused: {report.summary()}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error (already printed)
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    if not args.command:
        parser.print_help()
        return EXIT_USAGE
    handler = COMMANDS.get(args.command) or getattr(args, "handler", None)
    for name in ("path", "claims"):  # "" would read the current folder: say so instead
        value = getattr(args, name, None)
        if isinstance(value, str) and not value.strip():
            return _usage_error(f"{name.upper()} is empty: give a file or folder"
                                + (", or leave it out for the bundled history" if name == "path" else ""))
    from territory.atomicfile import OutputError
    from territory.report import LoadError

    try:
        return handler(args)
    except LoadError as exc:
        print_refusal(exc.report)
        return EXIT_INPUT
    except StoreConflict as exc:  # the input contradicts what the store holds: refused, like a bad file
        print(f"territory: input refused: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except StoreUnavailable as exc:  # the store cannot be read or written now: like an unreadable file
        print(f"territory: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except SystemExit as exc:
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    except ValueError as exc:
        print(f"territory: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OutputError as exc:  # full disk, unwritable folder: names the path, nothing half-written is left
        print(f"territory: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:  # Ctrl+C (also stops the workers reading a folder): one line, no traceback
        print("territory: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # last resort: one line, never a traceback
        print(f"territory: internal error: {type(exc).__name__}: {exc} "
              "(please report it with the command you ran)", file=sys.stderr)
        return EXIT_INTERNAL
    finally:
        _wait_for_cache_writes()


def _wait_for_cache_writes() -> None:
    """A loaded folder's cache entry is written while the command measures: done before the command returns."""
    loadcache = sys.modules.get("territory.io.loadcache")  # not imported on the warm path: nothing to wait for
    if loadcache is not None:
        loadcache.wait()


if __name__ == "__main__":
    sys.exit(main())
