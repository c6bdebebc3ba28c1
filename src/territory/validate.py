"""Validate an input: the loading report plus checks on the dataset as a whole.

>>> from territory.validate import validate
>>> report = validate("history.geojson")  # doctest: +SKIP
>>> report.ok, str(report)  # doctest: +SKIP

:func:`validate` never raises for a bad input: everything becomes a
:class:`~territory.report.Problem`. Loading errors (see :mod:`territory.io`)
refuse the input; the dataset-level checks below only warn:

``overlap``
    controlled areas of different actors intersect on the same date (one
    warning per actor pair: number of dates, largest overlap in km², its date)
``duplicate``
    rows with the same date, actor, status and geometry
``date-outlier``
    a first or last date far from all the others, or a date in the future
    (a typo such as 2105 for 2015)
``far-away``
    a polygon thousands of km from all the others (a stray or joke polygon)
``similar-actors``
    actor names that differ only in case, spacing, accents or look-alike letters of
    another script (a Cyrillic ``і`` in "Islamic State", full-width letters)
``hidden-characters``
    an actor name holding an invisible bidirectional control (right-to-left override)
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from territory.actors import foreign_letters, hidden_characters, skeleton
from territory.area import to_equal_area
from territory.io import LoadOptions, load
from territory.io.folder import snapshot_files
from territory.model import END, change_dates, with_validity
from territory.report import Report, opt

__all__ = ["check_history", "validate"]

#: Overlaps smaller than this (km²) are digitising slivers along shared borders.
MIN_OVERLAP_KM2 = 0.01
#: A first/last date is an outlier if its gap to the rest exceeds both of these.
OUTLIER_MIN_GAP_DAYS = 365
OUTLIER_GAP_FACTOR = 20
#: A polygon is far away if its distance to the median centre exceeds both of these.
FAR_MIN_KM = 1500
FAR_FACTOR = 10
MAX_LISTED = 20


def validate(path: str | Path, options: LoadOptions | None = None, display_name: str | None = None) -> Report:
    """Load ``path`` (file or folder) and check it; the report says what is wrong, where, what to do."""
    loaded = load(path, options, display_name)
    report = loaded.report
    if Path(path).is_dir():  # so a problem repeated in every file can be said once: "all 769 files"
        report.stats["files"] = len(snapshot_files(Path(path)))
    if loaded.history is None:
        return report
    name = display_name or Path(path).name
    try:
        check_history(loaded.history, report, provenance=loaded.provenance, name=name)
    except Exception as exc:  # a check must never turn into a traceback
        report.error(f"unexpected failure while checking the dataset ({type(exc).__name__}: {str(exc)[:200]})",
                     file=name, code="internal", hint="please report this with the file")
    return report


def check_history(history: gpd.GeoDataFrame, report: Report | None = None, *,
                  provenance: pd.DataFrame | None = None, name: str = "",
                  min_overlap_km2: float = MIN_OVERLAP_KM2) -> Report:
    """Dataset-level checks on a canonical history; warnings are added to ``report``.

    ``provenance`` (from :func:`territory.io.load`) lets messages name each
    row's file and feature number; without it rows are numbered in the history.
    """
    report = report if report is not None else Report()
    if history is None or history.empty:
        return report
    history = history.reset_index(drop=True)
    if provenance is None:
        provenance = pd.DataFrame({"_file": name, "_row": np.arange(1, len(history) + 1)})
    else:
        provenance = provenance.reset_index(drop=True)
    _duplicates(history, provenance, report)
    _overlaps(history, report, name, min_overlap_km2)
    _date_outliers(history, provenance, report, name)
    _far_away(history, provenance, report)
    _similar_actors(history, report, name)
    return report


def _where(provenance: pd.DataFrame, idx: np.ndarray) -> dict[str, list[str]]:
    """File -> its row numbers, for rows ``idx`` of the history."""
    out: dict[str, list[str]] = {}
    for i in idx:
        out.setdefault(str(provenance["_file"].iat[i]), []).append(str(provenance["_row"].iat[i]))
    return out


def _listing(rows: list[str], limit: int = 8) -> str:
    return ", ".join(rows[:limit]) + (f" and {len(rows) - limit} more" if len(rows) > limit else "")


def _duplicates(history: gpd.GeoDataFrame, provenance: pd.DataFrame, report: Report) -> None:
    geoms = np.asarray(history.geometry.values, dtype=object)
    wkb = shapely.to_wkb(shapely.normalize(geoms), output_dimension=2)
    keys = pd.DataFrame({"date": history["date"], "actor": history["actor"], "status": history["status"],
                         "wkb": wkb})
    dup = keys.duplicated(keep="first").to_numpy()
    if not dup.any():
        return
    first = keys.groupby(["date", "actor", "status", "wkb"], sort=False).ngroup().to_numpy()
    first_row = pd.Series(np.arange(len(keys))).groupby(first).transform("min").to_numpy()
    report.count("duplicate_rows", int(dup.sum()))
    by_file: dict[str, list[str]] = {}
    for i in np.flatnonzero(dup):
        j = first_row[i]
        label = f"{provenance['_row'].iat[i]} (same as row {provenance['_row'].iat[j]}"
        label += ")" if provenance["_file"].iat[i] == provenance["_file"].iat[j] else f" of {provenance['_file'].iat[j]})"
        by_file.setdefault(str(provenance["_file"].iat[i]), []).append(label)
    for file, rows in by_file.items():
        report.warning(
            f"{len(rows)} duplicate row(s): same date, actor, status and geometry as an earlier row: "
            f"rows {_listing(rows)}",
            file=file, code="duplicate",
            hint="remove the duplicates; they do not change areas but suggest a source was loaded twice",
        )


def _fmt_km2(x: float) -> str:
    return f"{x:,.1f}" if x >= 10 else f"{x:.3g}"


def _overlaps(history: gpd.GeoDataFrame, report: Report, name: str, min_km2: float) -> None:
    """Controlled areas of different actors that intersect on the same date.

    Each (actor, date) snapshot is unioned and projected once; for every pair
    of actors the pairs of snapshots in force together are found for all change
    dates at once (numpy), and each distinct snapshot pair is intersected once.
    """
    ctrl = history[history["status"] == "controlled"]
    if ctrl["actor"].nunique() < 2:
        return  # nothing can overlap: skip all geometry work
    ctrl = with_validity(ctrl.reset_index(drop=True))
    days = np.array(change_dates(ctrl), dtype="datetime64[ns]")
    snaps = ctrl[["actor", "date", END]].drop_duplicates(["actor", "date"]).sort_values(["actor", "date"])
    snaps = snaps.reset_index(drop=True)
    snap_of_row = ctrl.merge(snaps.reset_index(names="snap")[["actor", "date", "snap"]],
                             on=["actor", "date"], how="left")["snap"].to_numpy()
    projected = to_equal_area(ctrl.geometry)
    geoms = np.empty(len(snaps), dtype=object)
    for snap, idx in pd.Series(np.arange(len(ctrl))).groupby(snap_of_row):
        part = projected[idx.to_numpy()]
        geoms[snap] = part[0] if len(part) == 1 else shapely.union_all(part)
    geoms = np.where(pd.isna(geoms), shapely.Polygon(), geoms)
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():  # projecting can break validity; overlays would then fail
        geoms[invalid] = shapely.make_valid(geoms[invalid], method="structure", keep_collapsed=False)
    empty = shapely.is_empty(geoms)
    bounds = shapely.bounds(geoms)

    # active[a, d]: the snapshot index of actor a in force on day d, or -1.
    names = sorted(snaps["actor"].unique())
    active = np.full((len(names), len(days)), -1)
    rows_of = snaps.groupby("actor", sort=False).indices  # one pass, not one scan per actor
    all_starts, all_ends = snaps["date"].to_numpy(), snaps[END].to_numpy()
    for a, actor in enumerate(names):
        rows = np.sort(rows_of[actor])
        starts = all_starts[rows]
        ends = all_ends[rows]
        pos = np.searchsorted(starts, days, side="right") - 1
        p = np.clip(pos, 0, None)
        ok = (pos >= 0) & (np.isnat(ends[p]) | (ends[p] > days))
        idx = np.where(ok, rows[p], -1)
        idx[(idx >= 0) & empty[np.clip(idx, 0, None)]] = -1
        active[a] = idx

    cache: dict[tuple[int, int], float] = {}

    def overlap(i: int, j: int) -> float:
        key = (i, j)
        if key not in cache:
            bi, bj = bounds[i], bounds[j]
            if bi[0] > bj[2] or bj[0] > bi[2] or bi[1] > bj[3] or bj[1] > bi[3]:
                cache[key] = 0.0
            else:
                try:
                    cache[key] = float(shapely.area(shapely.intersection(geoms[i], geoms[j]))) / 1e6
                except shapely.errors.GEOSException:
                    cache[key] = float(shapely.area(
                        shapely.intersection(geoms[i], geoms[j], grid_size=1.0))) / 1e6
        return cache[key]

    # Only actor pairs with two snapshots whose boxes meet can overlap: found with a tree
    # (n log n), never by trying every pair of actors (2,000 actors took 72 s).
    actor_of = pd.Index(names).get_indexer(snaps["actor"])
    live = np.flatnonzero(~empty)
    left, right = shapely.STRtree(geoms[live]).query(geoms[live])
    a_i, a_j = actor_of[live[left]], actor_of[live[right]]
    keep = a_i < a_j
    candidates = sorted(set(zip(a_i[keep].tolist(), a_j[keep].tolist(), strict=True)))
    pairs = 0
    for a, b in candidates:
        both = (active[a] >= 0) & (active[b] >= 0)
        if not both.any():
            continue
        sa, sb = active[a][both], active[b][both]
        combos, inverse = np.unique(np.stack([sa, sb], axis=1), axis=0, return_inverse=True)
        areas = np.array([overlap(int(i), int(j)) for i, j in combos])[inverse.ravel()]
        hit = areas > min_km2
        if not hit.any():
            continue
        pairs += 1
        when = days[both]
        k = int(np.argmax(areas))
        report.warning(
            f"'{names[a]}' and '{names[b]}' both control the same ground on {int(hit.sum())} date(s); "
            f"largest overlap {_fmt_km2(areas[k])} km² on {pd.Timestamp(when[k]):%Y-%m-%d}",
            file=name, field="geometry", code="overlap",
            hint="controlled areas of two actors should not overlap: mark disputed ground as 'contested', "
                 "or fix the polygons (overlaps count twice in totals)",
        )
    if pairs:
        report.count("overlapping_actor_pairs", pairs)


def _date_outliers(history: gpd.GeoDataFrame, provenance: pd.DataFrame, report: Report, name: str) -> None:
    days = np.sort(history["date"].unique())
    flagged: dict[pd.Timestamp, str] = {}
    if len(days) >= 3:
        gaps = np.diff(days).astype("timedelta64[D]").astype(float)
        for end, gap, rest in ((0, gaps[0], gaps[1:]), (len(days) - 1, gaps[-1], gaps[:-1])):
            typical = float(np.median(rest)) if len(rest) else 0.0
            if gap > OUTLIER_MIN_GAP_DAYS and gap > OUTLIER_GAP_FACTOR * max(typical, 1.0):
                day = pd.Timestamp(days[end])
                neighbour = pd.Timestamp(days[1] if end == 0 else days[-2])
                side = "before the next" if end == 0 else "after the previous"
                flagged[day] = (f"date {day:%Y-%m-%d} is {gap / 365.25:,.1f} years {side} date "
                                f"({neighbour:%Y-%m-%d}), while dates are typically {typical:,.0f} day(s) apart")
    tomorrow = pd.Timestamp.now().normalize() + pd.Timedelta(days=1)
    for day in days[days > np.datetime64(tomorrow)]:
        day = pd.Timestamp(day)
        flagged[day] = (flagged[day] + "; it is also in the future") if day in flagged else \
            f"date {day:%Y-%m-%d} is in the future"
    dates = history["date"].to_numpy(dtype="datetime64[ns]")  # once: an archive running into the future flags
    for day, message in sorted(flagged.items()):               # thousands of days
        idx = np.flatnonzero(dates == np.datetime64(day, "ns"))
        for file, rows in _where(provenance, idx).items():
            report.warning(f"{message}: a typo? rows {_listing(rows)}", file=file or name, field="date",
                           code="date-outlier", hint="check the year of these rows")


def _far_away(history: gpd.GeoDataFrame, provenance: pd.DataFrame, report: Report) -> None:
    geoms = np.asarray(history.geometry.values, dtype=object)
    present = ~(pd.isna(geoms) | shapely.is_empty(geoms))
    if present.sum() < 4:
        return
    idx = np.flatnonzero(present)
    c = shapely.centroid(geoms[idx])
    lon, lat = np.radians(shapely.get_x(c)), np.radians(shapely.get_y(c))
    lon0, lat0 = np.median(lon), np.median(lat)
    hav = np.sin((lat - lat0) / 2) ** 2 + np.cos(lat) * np.cos(lat0) * np.sin((lon - lon0) / 2) ** 2
    dist = 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(hav, 0, 1)))
    limit = max(FAR_MIN_KM, FAR_FACTOR * float(np.median(dist)))
    far = dist > limit
    if not far.any() or far.sum() > 0.05 * len(idx) + 1:
        return  # many far rows: several theatres, not strays
    report.count("far_away_rows", int(far.sum()))
    for k in np.flatnonzero(far)[:MAX_LISTED]:
        i = idx[k]
        report.warning(
            f"polygon lies {dist[k]:,.0f} km from the centre of the others "
            f"({np.degrees(lon0):.2f}, {np.degrees(lat0):.2f}): a stray or joke polygon?",
            file=str(provenance["_file"].iat[i]), row=str(provenance["_row"].iat[i]), field="geometry",
            code="far-away", hint="check where this polygon is; remove it if it does not belong",
        )


def _similar_actors(history: gpd.GeoDataFrame, report: Report, name: str) -> None:
    """Names that read the same (case, spacing, accents, Cyrillic/Greek look-alikes) and invisible controls."""
    groups: dict[str, list[str]] = {}
    for actor in sorted(history["actor"].unique()):
        groups.setdefault(skeleton(actor), []).append(actor)
        if hidden := hidden_characters(actor):
            report.warning(f"actor {actor!r} holds invisible {', '.join(hidden)}, which changes how the name "
                           "is shown without showing itself", file=name, field="actor", code="hidden-characters",
                           hint=f"remove it from the data, or map the name to a clean one with {opt('aliases')}")
    for names in groups.values():
        if len(names) < 2:
            continue
        odd = sorted({c for n in names for c in foreign_letters(n)})
        why = (f"look alike ({'; '.join(odd[:4])}{' …' if len(odd) > 4 else ''} drawn like Latin letters)" if odd
               else "differ only in case, spacing, accents, punctuation or invisible characters")
        report.warning(
            f"actors {' and '.join(repr(n) for n in names)} {why}; they are counted as different actors",
            file=name, field="actor", code="similar-actors",
            hint=f"if they are the same, map them to one name with {opt('aliases')}",
        )
