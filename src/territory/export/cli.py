"""``territory export`` and ``territory report``: every export from a shell.

The output defaults to the conventional file name (see
:func:`territory.export.naming.filename`) in the current folder. Exit codes are
those of :mod:`territory.cli` (0 ok, 1 input refused, 2 usage, 3 internal).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

FORMATS = ("png", "svg", "pdf", "html", "gif", "mp4", "geojson", "gpkg", "csv", "json")


def add_export_commands(sub, add_input: Callable[[argparse.ArgumentParser], None]) -> None:
    """Register the export commands on the main parser."""
    p = sub.add_parser("export", help="map (png/svg/pdf), html player, animation (gif/mp4) or data for a date",
                       description="Export a finished map, an offline HTML player, an animation or the data.")
    add_input(p)
    p.add_argument("--format", required=True, choices=FORMATS, help="what to write")
    p.add_argument("--date", help="date (YYYY-MM-DD; default: the latest change date)")
    p.add_argument("--out", help="output file (default: <dataset>_<date>_<kind>.<format> here)")
    p.add_argument("--table", choices=["stats", "change", "claims"], default="stats",
                   help="for csv/json: which table (default stats; change with --since: summary since → date)")
    p.add_argument("--width", type=int, help="image width in px (map default 1600, animation 960)")
    p.add_argument("--height", type=int, help="image height in px (map default 1000, animation 600)")
    p.add_argument("--dpi", type=int, default=200, help="map resolution (default 200)")
    p.add_argument("--since", help="key numbers: change since this date (default: previous change date)")
    p.add_argument("--from", dest="start", help="animation: first date (default: the first change date)")
    p.add_argument("--to", dest="end", help="animation: last date (default: the last change date)")
    p.add_argument("--fps", type=float, default=2.0, help="animation: frames per second (default 2)")
    p.add_argument("--frames", type=int, help="animation: this many evenly spaced days instead of change dates")
    _add_view(p)
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("report", help="one-click PDF report for a date (map, chart, claims, method)")
    add_input(p)
    p.add_argument("--date", help="date (YYYY-MM-DD; default: the latest change date)")
    p.add_argument("--out", help="output PDF (default: <dataset>_<date>_report.pdf here)")
    p.add_argument("--since", help="key numbers: change since this date (default: previous change date)")
    _add_view(p)
    p.add_argument("--title", help="title heading every page and the PDF metadata (default: the dataset's title)")
    p.set_defaults(handler=cmd_report)


def _add_view(p: argparse.ArgumentParser) -> None:
    """Whose numbers and which share: the dashboard's "Focus actor" and "Share of" choices."""
    p.add_argument("--focus", metavar="ACTOR",
                   help="whose key numbers (and first in the legend); default: the actor with the largest peak")
    p.add_argument("--denominator", default="outline",
                   help="share of: 'outline' (Natural Earth, measured) or 'official', as in `territory stats`")


def _view(an, args: argparse.Namespace) -> dict:
    """``focus`` and ``denominator_index`` for the export functions (ValueError names what is allowed)."""
    from territory.cli_options import pick_denominator

    if args.focus is not None and args.focus not in an.dataset.actors:
        raise ValueError(f"--focus '{args.focus}' is not an actor of this dataset: {', '.join(an.dataset.actors)}")
    denoms = an.denominators()
    pick = pick_denominator(denoms, args.denominator)
    return {"focus": args.focus, "denominator_index": denoms.index(pick) if pick is not None else 0}


class ProgressBar:
    """A tiny text progress bar on stderr (no dependency)."""

    def __init__(self, label: str, width: int = 30, stream=None) -> None:
        self.label, self.width, self.stream = label, width, stream or sys.stderr
        self.t0 = time.perf_counter()
        self.open = False

    def __call__(self, done: int, total: int) -> None:
        filled = int(self.width * done / max(total, 1))
        bar = "#" * filled + "." * (self.width - filled)
        end = "\n" if done >= total else ""
        self.stream.write(f"\r{self.label} [{bar}] {done}/{total} {time.perf_counter() - self.t0:5.1f}s{end}")
        self.stream.flush()
        self.open = not end

    def close(self) -> None:
        """End a bar cut short (an error follows on its own line, not glued to the bar)."""
        if self.open:
            self.stream.write("\n")
            self.open = False


def _day(an, value: str | None):
    from territory.model import to_day

    if value:
        return to_day(value)
    if not an.dates:
        raise ValueError("the history is empty: no date to export")
    return an.dates[-1]


def _size(args: argparse.Namespace, default: tuple[int, int]) -> tuple[int, int]:
    return (args.width or default[0], args.height or default[1])


def _done(out: Path) -> None:
    print(f"wrote {out}", file=sys.stderr)


def cmd_export(args: argparse.Namespace) -> int:
    from territory.cli_options import load_analysis
    from territory.export.naming import filename

    fmt = args.format
    an = load_analysis(args)
    name = an.dataset.name
    view = _view(an, args)
    if fmt in ("gif", "mp4"):
        from territory.export.animation import DEFAULT_ANIMATION_SIZE, animate, frame_days

        days = frame_days(an, args.start, args.end, args.frames)
        out = Path(args.out or filename(name, (days[0], days[-1]), fmt, "animation"))
        bar = ProgressBar(f"{fmt} frames")
        try:
            animate(an, out, fmt, start=args.start, end=args.end, fps=args.fps, frames=args.frames,
                    size=_size(args, DEFAULT_ANIMATION_SIZE), progress=bar, **view)
        finally:
            bar.close()
    elif fmt == "html":
        from territory.export.html import html_export

        out = html_export(an, args.out or filename(name, None, fmt, "player"))
    else:
        day = _day(an, args.date)
        if fmt in ("png", "svg", "pdf"):
            from territory.export.mapview import DEFAULT_SIZE, save_map

            w, h = _size(args, DEFAULT_SIZE)
            out = save_map(an, day, args.out or filename(name, day, fmt, "map"), fmt, width=w, height=h,
                           dpi=args.dpi, since=args.since, **view)
        elif fmt in ("geojson", "gpkg"):
            from territory.export.data import write_state

            out = write_state(an, day, args.out or filename(name, day, fmt, "state"), fmt)
        else:
            from territory.export.data import write_table

            stamp = day if (args.date or args.since) else None
            out = write_table(an, args.table, args.out or filename(name, stamp, fmt, args.table), fmt,
                              day=day, since=args.since, denominator_index=view["denominator_index"])
    _done(Path(out))
    if fmt in ("gif", "mp4", "png", "svg", "pdf"):
        _font_note(an)
    return 0


def _font_note(an) -> None:
    """Say once, in words, when the data's names hold letters the export fonts lack."""
    from territory.export.fonts import missing_note

    note = missing_note(an.dataset)
    if note:
        print(f"territory: note: {note}", file=sys.stderr)


def cmd_report(args: argparse.Namespace) -> int:
    from territory.cli_options import load_analysis
    from territory.export.naming import filename
    from territory.export.report import report_pdf

    an = load_analysis(args)
    day = _day(an, args.date)
    out = report_pdf(an, day, args.out or filename(an.dataset.name, day, "pdf", "report"), since=args.since,
                     title=args.title, **_view(an, args))
    _done(out)
    _font_note(an)
    return 0
