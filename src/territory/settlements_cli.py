"""``territory settlements``: who holds each settlement on a date, or which changed hands between two."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable


def add_settlements_command(sub, add_input: Callable) -> None:
    """Register ``territory settlements`` (its handler rides on the parsed arguments)."""
    p = sub.add_parser(
        "settlements", help="each settlement with its holder on --date, or those that changed hands --from/--to",
        description="Settlements (the dataset's own layer, --settlements FILE, else the bundled GeoNames "
                    "cities500 gazetteer around the data) with name, country, region, population, lon, lat and "
                    "the actor/status whose polygon holds each on --date; with --from/--to, the places whose "
                    "holder changed, the first date it changed, from -> to. population_source states where "
                    "each population figure comes from and how old it is.",
        epilog="examples: territory settlements ./snapshots --actor Occupied --date 2024-06-01\n"
               "          territory settlements --from 2016-01-01 --to 2017-01-01",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    add_input(p)
    p.add_argument("--format", choices=["csv", "json"], default="csv", help="table format (default csv)")
    p.add_argument("--out", help="write to FILE instead of stdout")
    p.add_argument("--date", help="one date (YYYY-MM-DD): each settlement and its holder on it")
    p.add_argument("--from", dest="start", help="first date (YYYY-MM-DD): settlements that changed hands since")
    p.add_argument("--to", dest="end", help="second date (YYYY-MM-DD)")
    p.add_argument("--held-by", metavar="ACTOR", help="with --date: only this actor's settlements")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from territory.cli_options import load_analysis
    from territory.tables import render

    if args.date and (args.start or args.end):
        raise ValueError("give either --date (who holds what) or --from and --to (what changed hands), not both")
    if not args.date and not (args.start and args.end):
        raise ValueError("give --date D, or --from D1 --to D2")
    if args.held_by and not args.date:
        raise ValueError("--held-by goes with --date")
    an = load_analysis(args)
    if args.held_by and args.held_by not in an.dataset.actors:
        raise ValueError(f"--held-by: no actor {args.held_by!r}; actors are: " + ", ".join(an.dataset.actors))
    table = an.settlements_on(args.date, args.held_by) if args.date else an.settlements_changed(args.start, args.end)
    print(f"territory: {len(table):,} settlements; {an.settlement_layer.population_note}", file=sys.stderr)
    _emit(render(table, args.format), args.out)
    return 0


def _emit(text: str, out: str | None) -> None:
    """As ``territory.cli.emit`` (not imported: the main parser imports this module)."""
    if out:  # whole or absent: a full disk leaves no truncated file
        from territory.atomicfile import write_bytes

        write_bytes(out, text.encode("utf-8"))
        print(f"wrote {out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
