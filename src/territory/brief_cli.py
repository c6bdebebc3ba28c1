"""``territory brief``: the period's brief (PDF or Markdown), from :mod:`territory.brief`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable


def add_brief_command(sub, add_input: Callable) -> None:
    """Register ``territory brief`` (its handler rides on the parsed arguments)."""
    p = sub.add_parser(
        "brief", help="what monitors publish for a period: net change against the periods before, by region, "
                      "patches, settlements that changed hands, claims, method (PDF or Markdown)",
        description="The brief for --from D1 --to D2: net change and daily rate against the same-length periods "
                    "before (bars), a table by region, the largest patches with small maps, the settlements that "
                    "changed hands, the claims dated in the period with their verdicts, method and sources. Every "
                    "figure is one 'territory change', 'regions', 'settlements' or 'claims' prints; only data up "
                    "to D2 is used.",
        epilog="examples: territory brief ./snapshots --actor Occupied --from 2022-05-31 --to 2022-06-30 --out brief.pdf\n"
               "          territory brief --from 2016-06-01 --to 2016-06-30 --format md",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    add_input(p)
    p.add_argument("--from", dest="start", required=True, help="first date (YYYY-MM-DD): the baseline")
    p.add_argument("--to", dest="end", required=True, help="last date (YYYY-MM-DD): the brief is as of it")
    p.add_argument("--format", choices=["pdf", "md"], default=None,
                   help="pdf or md (Markdown); default: md if --out ends in .md, else pdf")
    p.add_argument("--out", help="file to write (required for pdf; md goes to stdout without it)")
    p.add_argument("--previous", type=int, default=None, metavar="N",
                   help="how many same-length periods before to compare with (default 6)")
    p.add_argument("--focus", metavar="ACTOR", help="whose change leads the brief (default: the focus actor)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from territory.cli_options import load_analysis

    fmt = args.format or ("md" if (args.out or "").lower().endswith(".md") else "pdf")
    if fmt == "pdf" and not args.out:
        raise ValueError("a PDF brief needs --out FILE (or use --format md for Markdown on stdout)")
    if args.previous is not None and not 0 <= args.previous <= 60:
        raise ValueError("--previous must be from 0 to 60")
    from territory.brief import PREVIOUS, brief_markdown, build_brief, check_dates

    an = load_analysis(args)
    check_dates(an, args.start, args.end)  # before the slow part
    if args.focus and args.focus not in an.dataset.actors:
        raise ValueError(f"--focus: no actor {args.focus!r}; actors are: " + ", ".join(an.dataset.actors))
    brief = build_brief(an, args.start, args.end, previous=PREVIOUS if args.previous is None else args.previous,
                        focus=args.focus)
    if fmt == "md":
        text = brief_markdown(brief)
        if not args.out:
            sys.stdout.write(text)
            return 0
        from territory.atomicfile import write_text

        write_text(args.out, text)
    else:
        from territory.export.brief import brief_pdf

        brief_pdf(brief, an, args.out)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0
