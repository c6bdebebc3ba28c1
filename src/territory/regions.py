"""Region layers (oblasts, governorates, districts) and how much of each region every actor holds.

A region layer is any polygon file the loaders read (through the same
size-capped readers and geometry checks as a history), or the bundled Natural
Earth admin-1 outlines of the countries a dataset lies in. Each region's area
is measured from its outline (ellipsoidal, as everywhere); an actor's area in
a region is the area of its snapshot *inside* that outline, so shares never
count sea or a neighbouring region.

Work is done per snapshot, not per date: a snapshot in force for a month is
intersected with the regions once, and every sampled date looks its figures up.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from territory.area import Measured, threaded, to_equal_area
from territory.baselines import NAME_COLUMNS
from territory.model import END, to_day
from territory.report import LoadError, Report

#: Columns tried, in order, for a region's name when none is chosen (GADM, geoBoundaries, HDX COD, Natural Earth).
COUNTRY_COLUMNS = ("country", "admin", "name_0", "adm0_en", "shapegroup", "admin0name_en", "country_name")
TABLE_COLUMNS = ["region", "country", "region_km2", "actor", "area_km2", "pct_of_region", "date", "status",
                 "region_source"]
EVERY = {"change": None, "day": "D", "week": "W-SUN", "month": "ME", "quarter": "QE", "year": "YE"}
BUNDLED_SOURCE = "Natural Earth 10m admin-1 outline, measured"
COUNTRY_FALLBACK_SOURCE = "Natural Earth country outline (no admin-1 bundled for it), measured"


def bundled_admin1_path() -> Path:
    from territory.datasets import data_root

    return data_root() / "naturalearth" / "admin1.parquet"


@dataclass
class RegionLayer:
    """Named region outlines in lon/lat, each with the country it belongs to and where it comes from."""

    names: list[str]
    countries: list[str]
    geometry: np.ndarray
    sources: list[str]
    title: str = "regions"
    name_column: str = "name"
    report: Report = field(default_factory=Report)
    #: Identifies the content (file hash and column, or the bundled countries), for caches in the shells.
    key: str = ""

    def __len__(self) -> int:
        return len(self.names)

    @cached_property
    def equal_area(self) -> np.ndarray:
        """Outlines in EPSG:6933 (densified), prepared for repeated intersection."""
        geoms = to_equal_area(self.geometry)
        bad = ~shapely.is_valid(geoms)
        if bad.any():  # projecting can make near-coincident edges cross
            geoms[bad] = shapely.make_valid(geoms[bad], method="structure", keep_collapsed=False)
        shapely.prepare(geoms)
        return geoms

    @cached_property
    def km2(self) -> np.ndarray:
        return shapely.area(self.equal_area) / 1e6

    @cached_property
    def tree(self) -> shapely.STRtree:
        return shapely.STRtree(self.equal_area)

    def frame(self) -> gpd.GeoDataFrame:
        """region, country, region_km2, region_source and the lon/lat outline (for maps and exports)."""
        return gpd.GeoDataFrame({"region": self.names, "country": self.countries, "region_km2": self.km2,
                                 "region_source": self.sources}, geometry=list(self.geometry), crs="EPSG:4326")

    def select(self, keep: np.ndarray) -> RegionLayer:
        idx = np.flatnonzero(keep)
        return RegionLayer([self.names[i] for i in idx], [self.countries[i] for i in idx], self.geometry[idx],
                           [self.sources[i] for i in idx], self.title, self.name_column, self.report,
                           f"{self.key}|{','.join(map(str, idx))}")

    def matching(self, patterns: list[str] | None) -> RegionLayer:
        """Regions whose name contains one of ``patterns`` (case-insensitive) or whose country is one.

        Raises ValueError naming some regions when nothing matches, so a typo is not an empty table.
        """
        if not patterns:
            return self
        keys = [p.casefold().strip() for p in patterns if p.strip()]
        names = [n.casefold() for n in self.names]
        countries = [c.casefold() for c in self.countries]
        keep = np.array([any(k in n or k == c for k in keys) for n, c in zip(names, countries, strict=True)], bool)
        if not keep.any():
            some = ", ".join(sorted(self.names)[:12]) + (" …" if len(self.names) > 12 else "")
            raise ValueError(f"no region matches {', '.join(repr(p) for p in patterns)} in {self.title}; "
                             f"regions are: {some}")
        return self.select(keep)


def _pick_column(columns: list[str], wanted: str | None, candidates: tuple[str, ...]) -> str | None:
    if wanted:
        return wanted if wanted in columns else None
    folded = {c.casefold(): c for c in columns}
    return next((folded[c] for c in candidates if c in folded), None)


def _text_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c != frame.geometry.name
            and (frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c]))]


def read_region_layer(path: str | Path, name_column: str | None = None, display_name: str | None = None,
                      options: object = None) -> RegionLayer:
    """Read a user's region layer (any format the history loaders read); raise LoadError if refused.

    ``name_column`` picks the column naming each region; without it the usual
    names (``name``, ``NAME_1``, ``ADM1_EN``, ``shapeName``…) are tried, then
    the only text column whose values are all different.
    """
    from territory.io.normalise import normalise_geometry
    from territory.io.options import LoadOptions
    from territory.io.readers import read_file

    path = Path(path)
    name = display_name or path.name
    report = Report()
    if path.is_dir():
        report.error("a region layer is one file, not a folder", file=name, code="region-folder",
                     hint="give one GeoJSON, GeoPackage, zipped Shapefile, KML or GeoParquet file of regions")
        raise LoadError(report)
    raws = read_file(path, options or LoadOptions(), report, name)
    raws = [r for r in raws if len(r.frame)]
    if not report.ok:
        raise LoadError(report)
    if not raws:
        report.error("the file holds no features", file=name, code="no-rows",
                     hint="export the region polygons again")
        raise LoadError(report)
    frames, names, countries = [], [], []
    for raw in raws:
        frame = raw.frame
        label = raw.name + (f" (layer {raw.layer})" if raw.layer and len(raws) > 1 else "")
        cols = [str(c) for c in frame.columns if c != frame.geometry.name]
        col = _pick_column(cols, name_column, NAME_COLUMNS)
        if col is None and not name_column:
            unique = [c for c in _text_columns(frame) if frame[c].notna().all() and frame[c].astype(str).is_unique]
            col = unique[0] if len(unique) == 1 else None
        if col is None:
            what = f"has no column '{name_column}'" if name_column else "has no column naming the regions"
            report.error(f"the region layer {what}; its columns are: {', '.join(cols) or '(none)'}",
                         file=label, field=name_column or "", code="region-name",
                         hint="choose the column that names each region (--region-name COLUMN on the command "
                              "line, the 'Region name column' field on the Regions page)")
            raise LoadError(report)
        offset = int(frame.attrs.get("row_offset", 1))
        geoms = normalise_geometry(frame, report, label, offset)
        if geoms is None or not report.ok:
            raise LoadError(report)
        values = frame[col].astype(object).where(frame[col].notna(), "").astype(str).str.strip().to_numpy()
        ccol = _pick_column(cols, None, COUNTRY_COLUMNS)
        country = (frame[ccol].astype(object).where(frame[ccol].notna(), "").astype(str).str.strip().to_numpy()
                   if ccol and ccol != col else np.full(len(frame), ""))
        keep = ~pd.isna(geoms)
        keep[keep] = ~shapely.is_empty(geoms[keep])
        blank = keep & (values == "")
        if blank.any():
            rows = np.flatnonzero(blank) + offset
            report.warning(f"{int(blank.sum())} region(s) with no name in '{col}', named by row: rows "
                           f"{', '.join(map(str, rows[:5]))}{' …' if len(rows) > 5 else ''}",
                           file=label, field=col, code="region-unnamed",
                           hint="fill in the names, or choose another name column")
            values = values.copy()
            values[blank] = [f"row {r}" for r in rows]
        frames.append(geoms[keep])
        names += values[keep].tolist()
        countries += country[keep].tolist()
        chosen = col
    geometry = np.concatenate(frames) if frames else np.array([], dtype=object)
    if len(geometry) == 0:
        report.error("the region layer holds no polygons", file=name, field="geometry", code="no-polygons",
                     hint="regions must be polygons (points and lines cannot hold area)")
        raise LoadError(report)
    names = _unique(names, countries, report, name)
    report.stats["regions"] = len(names)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return RegionLayer(names, countries, geometry, [f"{name} (your layer), measured"] * len(names), name,
                       chosen, report, f"file:{digest}:{chosen}")


def layer_columns(path: str | Path, display_name: str | None = None) -> tuple[list[str], str | None, Report]:
    """The columns a region layer could be named by, and the one :func:`read_region_layer` would pick.

    For the Regions page's "Region name column" choice; never raises (problems are in the report).
    """
    from territory.io.options import LoadOptions
    from territory.io.readers import read_file

    path = Path(path)
    report = Report()
    raws = [r for r in read_file(path, LoadOptions(), report, display_name or path.name) if len(r.frame)]
    if not raws:
        return [], None, report
    frame = raws[0].frame
    cols = [str(c) for c in frame.columns if c != frame.geometry.name]
    guess = _pick_column(cols, None, NAME_COLUMNS)
    if guess is None:
        unique = [c for c in _text_columns(frame) if frame[c].notna().all() and frame[c].astype(str).is_unique]
        guess = unique[0] if len(unique) == 1 else None
    return cols, guess, report


def _unique(names: list[str], countries: list[str], report: Report, file: str) -> list[str]:
    """Names that tell regions apart: a repeated name gets its country, then a number."""
    counts = pd.Series(names).value_counts()
    if (counts <= 1).all():
        return names
    out, seen = [], {}
    for n, c in zip(names, countries, strict=True):
        label = f"{n} ({c})" if counts[n] > 1 and c else n
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} #{seen[label]}")
    dup = counts[counts > 1]
    report.warning(f"{len(dup)} region name(s) repeat ({', '.join(dup.index[:5])}); numbered to tell them apart",
                   file=file, code="region-duplicate", hint="choose a column with unique names if there is one")
    return out


def layer_from_frame(frame: gpd.GeoDataFrame, source: str, title: str) -> RegionLayer:
    """A dataset's own region layer (a manifest's ``regions``), with ``name`` and optional ``country``."""
    col = _pick_column([str(c) for c in frame.columns], None, NAME_COLUMNS)
    if col is None:
        raise ValueError(f"{title}: the region layer has no name column")
    country = frame["country"].astype(str).tolist() if "country" in frame.columns else [""] * len(frame)
    geoms = np.asarray(frame.to_crs(4326).geometry.values, dtype=object)
    return RegionLayer(frame[col].astype(str).tolist(), country, geoms, [source] * len(frame), title, col,
                       key=f"dataset:{title}")


def bundled_admin1(countries: list[str], country_layer: gpd.GeoDataFrame | None = None) -> RegionLayer | None:
    """Bundled admin-1 outlines of ``countries`` (10m where bundled, else the country's own outline)."""
    if not countries:
        return None
    path = bundled_admin1_path()
    admin1 = gpd.read_parquet(path) if path.exists() else None
    names, owners, geoms, sources = [], [], [], []
    for country in countries:
        rows = admin1[admin1["country"] == country] if admin1 is not None else None
        if rows is not None and len(rows):
            names += rows["name"].astype(str).tolist()
            owners += [country] * len(rows)
            geoms += list(rows.geometry.values)
            sources += [BUNDLED_SOURCE] * len(rows)
        elif country_layer is not None and "name" in country_layer.columns:
            hit = country_layer[country_layer["name"] == country]
            if len(hit):
                names.append(country)
                owners.append(country)
                geoms.append(shapely.union_all(hit.to_crs(4326).geometry.values))
                sources.append(COUNTRY_FALLBACK_SOURCE)
    if not names:
        return None
    return RegionLayer(names, owners, np.asarray(geoms, dtype=object), sources,
                       "Natural Earth admin-1 (bundled)", "name", key="admin1:" + "+".join(countries))


def sample_dates(change_dates: list[pd.Timestamp], start: object = None, end: object = None,
                 every: str = "change") -> list[pd.Timestamp]:
    """The dates of a region series: every change date, or the end of each day/week/month/quarter/year.

    ``start``/``end`` default to the first and last change date. With a period,
    each sample is the state on the period's last day; the range's last day is
    added when it ends mid-period, so the series always reaches ``end``.
    """
    if every not in EVERY:
        raise ValueError(f"--every must be one of {', '.join(EVERY)}, not {every!r}")
    if not change_dates:
        return []
    lo = to_day(start) if start is not None else min(change_dates)
    hi = to_day(end) if end is not None else max(change_dates)
    if lo > hi:
        raise ValueError(f"the range starts ({lo.date()}) after it ends ({hi.date()}): swap --from and --to")
    if EVERY[every] is None:
        days = [d for d in change_dates if lo < d <= hi]
        return sorted({lo, *days})
    days = list(pd.date_range(lo, hi, freq=EVERY[every]))
    if not days or days[-1] != hi:
        days.append(hi)
    return days


def snapshots_in_force(snaps: pd.DataFrame, days: np.ndarray) -> tuple[list[tuple[str, str]], np.ndarray]:
    """(actor, status) keys and, per key × day, the position in ``snaps`` of the snapshot in force
    that day (-1 for none): the latest one dated on or before it whose ``valid_to`` has not passed."""
    keys, rows = [], []
    starts_all = snaps["date"].to_numpy()
    ends_all = snaps[END].to_numpy()
    for key, idx in snaps.groupby(["actor", "status"], sort=True).indices.items():
        idx = idx[np.argsort(starts_all[idx], kind="stable")]
        pos = np.searchsorted(starts_all[idx], days, side="right") - 1
        p = idx[np.clip(pos, 0, None)]
        ok = (pos >= 0) & (np.isnat(ends_all[p]) | (ends_all[p] > days))
        keys.append((str(key[0]), str(key[1])))
        rows.append(np.where(ok, p, -1))
    return keys, np.array(rows, dtype=int).reshape(len(keys), len(days))


def _snapshot_at(snaps: pd.DataFrame, days: np.ndarray) -> pd.DataFrame:
    """(day position, snapshot position) for every (actor, status) pair in force on each day."""
    _keys, rows = snapshots_in_force(snaps, days)
    k, d = np.nonzero(rows >= 0)
    return pd.DataFrame({"day": d, "snap": rows[k, d]})


def snapshot_region_km2(measured: Measured, layer: RegionLayer, snaps: np.ndarray) -> pd.DataFrame:
    """km² of each snapshot (rows of ``measured``) inside each region it touches: (snap, region, area_km2)."""
    snaps = np.unique(np.asarray(snaps, dtype=int))
    geoms = measured.geometry[snaps]
    live = ~shapely.is_empty(geoms)
    si, ri = layer.tree.query(geoms[live], predicate="intersects")
    snap_idx = snaps[np.flatnonzero(live)[si]]
    if len(si) == 0:
        return pd.DataFrame({"snap": [], "region": [], "area_km2": []})
    regions = layer.equal_area[ri]
    parts = measured.geometry[snap_idx]
    inside = shapely.contains(regions, parts)  # a snapshot wholly inside a region: no intersection needed
    area = np.where(inside, shapely.area(parts), 0.0)
    todo = ~inside
    if todo.any():
        def cut(r: np.ndarray, g: np.ndarray) -> np.ndarray:
            # Cut each outline to the snapshot's box first: long borders stay out of the overlay.
            near = shapely.intersection(r, shapely.box(*shapely.bounds(g).T))
            return shapely.area(shapely.intersection(near, g))

        area[todo] = threaded(cut, regions[todo], parts[todo])
    return pd.DataFrame({"snap": snap_idx, "region": ri, "area_km2": area / 1e6})


def region_table(measured: Measured, layer: RegionLayer, dates: list[pd.Timestamp], *,
                 status: str = "controlled", actors: list[str] | None = None) -> pd.DataFrame:
    """The long table: one row per date × region × actor, with km² held and % of the region's outline.

    ``actors`` defaults to every actor with ``status`` rows; an actor holding
    nothing in a region on a date gets 0 (never a row without an actor).
    """
    s = measured.snapshots
    if actors is None:
        actors = list(dict.fromkeys(s.loc[s["status"] == status, "actor"].astype(str)))
    days = np.array([to_day(d) for d in dates], dtype="datetime64[ns]")
    if not actors or not len(days) or not len(layer):
        return pd.DataFrame(columns=TABLE_COLUMNS)
    sel = s[(s["status"] == status) & s["actor"].isin(actors)]
    active = _snapshot_at(sel, days)
    active["snap"] = sel.index.to_numpy()[active["snap"].to_numpy()]
    held = snapshot_region_km2(measured, layer, active["snap"].to_numpy())
    hits = active.merge(held, on="snap")
    hits["actor"] = s["actor"].to_numpy()[hits["snap"].to_numpy()]
    n_r, n_a, n_d = len(layer), len(actors), len(days)
    grid = np.zeros((n_d, n_r, n_a))
    a_index = {a: i for i, a in enumerate(actors)}
    np.add.at(grid, (hits["day"].to_numpy(int), hits["region"].to_numpy(int),
                     hits["actor"].map(a_index).to_numpy(int)), hits["area_km2"].to_numpy(float))
    d_i, r_i, a_i = (g.ravel() for g in np.meshgrid(np.arange(n_d), np.arange(n_r), np.arange(n_a), indexing="ij"))
    km2 = layer.km2
    out = pd.DataFrame({
        "region": np.asarray(layer.names, dtype=object)[r_i],
        "country": np.asarray(layer.countries, dtype=object)[r_i],
        "region_km2": km2[r_i],
        "actor": np.asarray(actors, dtype=object)[a_i],
        "area_km2": grid.ravel(),
        "pct_of_region": 100 * grid.ravel() / km2[r_i],
        "date": days[d_i],
        "status": status,
        "region_source": np.asarray(layer.sources, dtype=object)[r_i],
    })
    held_any = out.groupby("actor", sort=False)["area_km2"].transform("max") > 0
    out = out[held_any] if held_any.any() else out.iloc[0:0]  # actors holding nothing anywhere add only zeros
    return out.sort_values(["date", "country", "region", "actor"], kind="stable").reset_index(drop=True)

