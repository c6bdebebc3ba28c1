"""What every ``territory`` command shares: PATH and its input options, read into a dataset or an analysis.

The main parser (:mod:`territory.cli`) and the command groups it registers
(:mod:`territory.export.cli`, :mod:`territory.store.cli`) all import from here,
so no command group imports the main parser back.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

BUNDLED_HELP = "default: bundled history"


def add_input(p: argparse.ArgumentParser, *, path_help: str | None = None) -> None:
    """PATH and the input options (``--actor``, ``--column``...), as every command reading a dataset takes them.

    ``path_help`` replaces PATH's help, for a command whose PATH means something else;
    PATH is then required.
    """
    if path_help is None:
        p.add_argument("path", nargs="?",
                       help=f"dataset folder, history file or folder of dated files ({BUNDLED_HELP})")
    else:
        p.add_argument("path", help=path_help)
    g = p.add_argument_group("input options")
    g.add_argument("--actor", help="actor for rows/files without an actor column")
    g.add_argument("--status", choices=["controlled", "contested", "claimed"], help="status for files without a status column")
    g.add_argument("--file-date", help="date (YYYY-MM-DD) for a single file without a date column or dated name")
    g.add_argument("--date-format", metavar="FORMAT",
                   help="order of text dates such as 01/03/2022, e.g. %%d/%%m/%%Y (day first) or %%m/%%d/%%Y; "
                        "ambiguous dates are refused without it")
    g.add_argument("--column", action="append", metavar="CANONICAL=NAME",
                   help="map a column, e.g. --column date=Datum --column actor=Partei (repeatable)")
    g.add_argument("--aliases", metavar="CSV", help="alias table with columns alias,name for actor/status labels")
    g.add_argument("--no-cache", action="store_true", help="recompute instead of reading the measurement cache")
    g.add_argument("--settlements", metavar="CSV",
                   help="your own settlement layer (name,lat,lon[,population,country,region]); replaces the "
                        "dataset's and the bundled GeoNames gazetteer")


def progress_line(done: int, total: int) -> None:
    """'reading 123/800 files' on stderr, redrawn in place (stdout stays clean CSV/JSON)."""
    end = "\n" if done >= total else ""
    print(f"\rterritory: reading {done}/{total} files", end=end, file=sys.stderr, flush=True)


def load_options(args: argparse.Namespace):
    """The :class:`~territory.io.options.LoadOptions` the input options ask for."""
    from territory.io.options import LoadOptions

    options = LoadOptions.from_cli(actor=args.actor, status=args.status, date=args.file_date,
                                   column=args.column, aliases=args.aliases,
                                   date_format=getattr(args, "date_format", None))
    if sys.stderr.isatty():  # a terminal: show progress through a long folder
        options.progress = progress_line
    options.cache = not getattr(args, "no_cache", False)
    return options


def option_key(args: argparse.Namespace) -> dict:
    """Everything that changes what is loaded, for cache keys: options and the alias table's content."""
    key = {k: getattr(args, k, None) for k in ("actor", "status", "file_date", "column", "date_format")}
    if getattr(args, "aliases", None):
        import hashlib

        try:
            from territory.io.options import check_alias_file

            check_alias_file(args.aliases)  # a device or FIFO would never finish hashing
            key["aliases"] = hashlib.sha256(Path(args.aliases).read_bytes()).hexdigest()
        except OSError as exc:
            raise ValueError(f"--aliases: cannot read {args.aliases} ({exc.strerror or exc})") from None
    return key


def load_analysis(args: argparse.Namespace, claims: str | None = None):
    """Load and measure the dataset named by ``args.path``: files or a store (raises LoadError)."""
    from territory.analysis import Analysis
    from territory.sources import open_dataset

    ds = open_dataset(args.path, load_options(args), claims=claims)
    if getattr(args, "settlements", None):
        from territory.datasets import use_settlements
        from territory.gazetteer import read_settlements

        use_settlements(ds, read_settlements(args.settlements))
    return Analysis.from_paths(ds, use_cache=not args.no_cache, extra=option_key(args))


def pick_denominator(denoms, wanted: str):
    """The denominator whose source says ``wanted`` ('outline', 'official', 'CIA 2024'...): ``--denominator``."""
    if not denoms:
        return None
    key = wanted.casefold()
    for d in denoms:
        if key in d.source.casefold():
            return d
    names = "; ".join(d.label for d in denoms)
    raise ValueError(f"--denominator '{wanted}' matches none of: {names}. It names the kind of figure; "
                     "use --region to choose the region")
