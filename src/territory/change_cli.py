"""``territory change`` beyond one pair of dates: ``--every`` periods and ``--table patches``.

Kept out of :mod:`territory.cli` so the main parser stays a list of commands;
the region options are the ``territory regions`` ones (same names, same layer).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

Emit = Callable[[str, str | None], None]
#: ``--every`` choices: :data:`territory.periods.PERIODS` (not imported here: the CLI starts without geopandas).
PERIODS = ("week", "month", "quarter", "year")


def add_change_options(p: argparse.ArgumentParser) -> None:
    """``--every``, the region options and the patches table's help."""
    p.add_argument("--every", choices=PERIODS,
                   help="gained, lost and net per week (Mon–Sun)/month/quarter/year from --from to --to (default: "
                        "the whole data); each row is exactly 'territory change --from DATE_FROM --to DATE_TO'")
    p.add_argument("--region-filter", "--regions-filter", dest="region_filter", action="append", metavar="TEXT",
                   help="only land inside regions whose name contains TEXT (case-insensitive) or whose country is "
                        "TEXT (repeatable): the dataset's region layer, --regions FILE, or bundled admin-1")
    p.add_argument("--regions", dest="regions_file", metavar="FILE", help="region layer for --region-filter and "
                                                                           "the patches' region column")
    p.add_argument("--region-name", metavar="COLUMN", help="column of --regions naming each region")


def wants_more(args: argparse.Namespace) -> bool:
    """Whether this call is one of ours (periods or patches) rather than the two-date summary/transfers."""
    return bool(args.every) or args.table == "patches"


def check(args: argparse.Namespace) -> None:
    """Refuse option mixes that mean nothing, before any loading."""
    if args.every and args.table not in ("both", "summary"):
        raise ValueError("--every prints the periods table: leave out --table (or use --table summary)")
    if args.format == "geojson" and args.table != "patches":
        raise ValueError("--format geojson is for --table patches (the other tables have no geometry)")
    if not args.every and (args.start is None or args.end is None):
        raise ValueError("give --from and --to (two dates), or --every week|month|quarter|year for periods")
    if args.region_name and not args.regions_file:
        raise ValueError("--region-name names a column of --regions FILE: give the file too")
    if (args.region_filter or args.regions_file) and not wants_more(args):
        raise ValueError("--region-filter/--regions go with --every or --table patches")


def _layer(args: argparse.Namespace, an, *, needed: bool):
    from territory.regions import read_region_layer

    layer = read_region_layer(args.regions_file, args.region_name) if args.regions_file else an.region_layer()
    if layer is None:
        if needed:
            raise ValueError("--region-filter: no region layer: this history lies in no country of the bundled "
                             "layers; pass one with --regions FILE")
        return None
    for problem in layer.report.warnings:
        print(problem, file=sys.stderr)
    return layer.matching(args.region_filter)


def _scope(layer):
    """The selected regions as one equal-area outline (None: no filter)."""
    import shapely

    from territory.stats import project_region

    return project_region(shapely.union_all(layer.geometry))


def run(args: argparse.Namespace, an, emit: Emit) -> None:
    """Print the periods or patches table asked for."""
    from territory.tables import render

    # The region layer only when it is used: guessing a bare folder's country costs a footprint of every snapshot.
    layer = _layer(args, an, needed=bool(args.region_filter)) if args.region_filter or not args.every else None
    scope = _scope(layer) if args.region_filter else None
    if args.every:
        from territory.periods import period_bounds, period_change

        table = period_change(an.measured, period_bounds(an.dates, args.every, args.start, args.end), region=scope)
        if args.region_filter:
            table.insert(5, "regions", " + ".join(layer.names) if len(layer) <= 5 else f"{len(layer)} regions")
        emit(render(table, args.format), args.out)
        return
    from territory.patches import find_patches, population_source

    found = find_patches(an.measured, args.start, args.end, regions=layer, settlements=an.dataset.settlements,
                         scope=scope, population_source=population_source(an.dataset))
    print(f"territory: {found.sliver_note()}", file=sys.stderr)
    if args.format == "geojson":
        emit(patches_geojson(found), args.out)
    else:
        emit(render(found.patches.drop(columns="geometry"), args.format), args.out)


def patches_geojson(found) -> str:
    """The patches as a GeoJSON FeatureCollection (lon/lat), the slivers' total and rule as foreign members."""
    from territory.patches import sliver_rule
    from territory.tables import tidy

    props = tidy(found.patches.drop(columns="geometry"), safe=False)
    features = []
    for rec, geom in zip(props.to_dict("records"), found.patches.geometry, strict=True):
        clean = {k: (None if v is None or v != v else v) for k, v in rec.items()}  # NaN/NA → null
        features.append({"type": "Feature", "properties": clean, "geometry": geom.__geo_interface__})
    body = {"type": "FeatureCollection", "features": features,
            "slivers": {"pieces": found.sliver_count, "area_km2": round(found.sliver_km2, 6), "rule": sliver_rule()}}
    return json.dumps(body, ensure_ascii=False, default=_plain) + "\n"


def _plain(value: object) -> object:
    """numpy/pandas scalars as JSON numbers."""
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not JSON: {type(value).__name__}")
