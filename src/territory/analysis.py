"""One measured dataset and the tables every view is built from.

The CLI and the dashboard both go through :class:`Analysis`, so every number
on screen can be reproduced with a ``territory`` command.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from territory import cache
from territory.area import Measured, area_km2, area_table, measure
from territory.baselines import Denominator, equivalent, outline_denominators, region_denominators
from territory.change import change_series, compare
from territory.claims import ClaimContext, evaluate_claims
from territory.datasets import Dataset
from territory.gazetteer import Settlements
from territory.geos import SHARED_GEOMETRY
from territory.model import END, change_dates, state_at, to_day, with_validity
from territory.regions import RegionLayer
from territory.settlements import Holdings
from territory.stats import stats_table

#: Snapshots per written row group of the measurement entry: 32 rows (~2.3 MB of WKB for a
#: 4,500-vertex front) keep the write's transient memory small; 128 raised the cold 800-file
#: `stats` run's peak RSS by ~60 MB (485-496 vs 423-438 MiB, one core) and reads no faster.
CACHE_CHUNK = 32


def write_measured(m: Measured, path: Path) -> None:
    """Snapshots + EPSG:6933 geometry as Parquet (WKB), written in chunks to bound memory."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    snaps = m.snapshots.reset_index(drop=True)
    writer = None
    try:
        for start in range(0, max(len(snaps), 1), CACHE_CHUNK):
            part = snaps.iloc[start:start + CACHE_CHUNK]
            table = pa.Table.from_pandas(part, preserve_index=False).append_column(
                "wkb", pa.array(shapely.to_wkb(m.geometry[start:start + CACHE_CHUNK]), type=pa.binary()))
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema, compression=cache.PARQUET_CODEC)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()


def read_measured(path: Path) -> Measured:
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    missing = {"actor", "status", "date", END, "area_km2", "wkb"} - set(table.column_names)
    if missing:  # not a measurement this version wrote
        raise ValueError(f"cache entry lacks {sorted(missing)}")
    geoms = shapely.from_wkb(table.column("wkb").to_numpy(zero_copy_only=False))
    return Measured(table.drop_columns(["wkb"]).to_pandas(), np.asarray(geoms, dtype=object))


def measure_cached(history: gpd.GeoDataFrame, key: str | None, *, persist: bool = True) -> Measured:
    """``measure(history)``, read from / written to the on-disk cache when ``key`` is given and ``persist``.

    A corrupt, foreign or unreadable entry is rebuilt; an unwritable cache only means no caching.
    """
    if key is None or not persist:
        return measure(history)
    path = cache.fetch(key, "measured.parquet")
    if path is not None:
        try:
            return read_measured(path)
        except Exception:  # checksum right but unreadable (another version's layout): rebuilt
            pass
    m = measure(history)
    cache.store(key, "measured.parquet", lambda p: write_measured(m, p))
    return m


#: Rows looked at to guess a bare history's countries, and parts kept per row: the guess
#: only picks names (the denominators are measured in full), so it never grows with the input.
FOOTPRINT_ROWS = 64
FOOTPRINT_PARTS = 256


def _coarse(geoms: np.ndarray, tol: float) -> np.ndarray:
    """Douglas-Peucker simplified geometries (linear time, unlike preserve_topology), repaired if needed.

    A part smaller than the tolerance would vanish: it is kept as its bounding box.
    """
    out = shapely.simplify(geoms, tol, preserve_topology=False)
    gone = shapely.is_empty(out) & ~shapely.is_empty(geoms)
    out[gone] = shapely.envelope(geoms[gone])  # parts smaller than the tolerance keep their box
    bad = ~shapely.is_valid(out)
    if bad.any():
        out[bad] = shapely.make_valid(out[bad], method="structure", keep_collapsed=False)
    return out


def coarse_footprint(geoms: np.ndarray, tol: float) -> shapely.Geometry:
    """A coarse outline of everything ``geoms`` cover, in bounded time whatever their size.

    At most :data:`FOOTPRINT_ROWS` rows spread over the history (which is in date
    order) and the :data:`FOOTPRINT_PARTS` largest parts of each are simplified
    and unioned: enough to say which country holds most of the ground.
    """
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    if len(geoms) > FOOTPRINT_ROWS:
        geoms = geoms[np.unique(np.linspace(0, len(geoms) - 1, FOOTPRINT_ROWS).round().astype(int))]
    parts = []
    for g in geoms:
        p = shapely.get_parts(g)
        if len(p) > FOOTPRINT_PARTS:
            p = p[np.argsort(shapely.area(p))[-FOOTPRINT_PARTS:]]
        parts.append(p)
    if not parts:
        return shapely.Polygon()
    coarse = _coarse(np.concatenate(parts), tol)
    return shapely.union_all(coarse[~shapely.is_empty(coarse)])


@dataclass
class Analysis:
    """A dataset with its measured snapshots and derived tables."""

    dataset: Dataset
    measured: Measured
    cache_key: str | None = None
    _table: pd.DataFrame | None = field(default=None, repr=False)
    _history: gpd.GeoDataFrame | None = field(default=None, repr=False)
    _claims: pd.DataFrame | None = field(default=None, repr=False)
    _claim_ctx: ClaimContext | None = field(default=None, repr=False)

    @classmethod
    def of(cls, dataset: Dataset, cache_key: str | None = None, *, persist: bool = True) -> Analysis:
        return cls(dataset, measure_cached(dataset.history, cache_key, persist=persist), cache_key)

    @classmethod
    def from_paths(cls, dataset: Dataset, use_cache: bool = True, extra: object = None, *,
                   persist: bool = True) -> Analysis:
        """Measure ``dataset``, keyed by the content of its files.

        ``persist=False`` (uploads) keeps the key, which names the analysis in the
        shell's in-memory caches, but never writes the measurement to disk.
        """
        if dataset.data_version is not None:  # a store: its version stands for the content
            extra = {"extra": extra, "data_version": dataset.data_version}
        key = cache.content_key(dataset.paths, extra) if use_cache and (dataset.paths or dataset.data_version) else None
        return cls.of(dataset, key, persist=persist)

    def with_claims(self, claims: pd.DataFrame, tag: str) -> Analysis:
        """The same measured data with another claims ledger (``tag`` names it in the cache key).

        Nothing is measured again: a ledger uploaded alone is checked against the data already shown.
        """
        key = f"{self.cache_key or id(self)}+claims:{tag}"
        return Analysis(replace(self.dataset, claims=claims), self.measured, key, _table=self._table,
                        _history=self._history)

    def with_settlements(self, layer: Settlements, tag: str) -> Analysis:
        """The same measured data with another settlement layer (a user's, uploaded on the Data page)."""
        ds = replace(self.dataset, settlements=layer.table, settlements_source=layer.source,
                     population_age=layer.age)
        return Analysis(ds, self.measured, f"{self.cache_key or id(self)}+settlements:{tag}", _table=self._table,
                        _history=self._history, _claims=self._claims)

    @property
    def history(self) -> gpd.GeoDataFrame:
        if self._history is None:
            self._history = with_validity(self.dataset.history)
        return self._history

    @cached_property
    def dates(self) -> list[pd.Timestamp]:
        """Days on which anything changes (computed once; the history does not change)."""
        return change_dates(self.dataset.history)

    @property
    def table(self) -> pd.DataFrame:
        """km² per change date × actor × status (whole dataset)."""
        if self._table is None:
            self._table = area_table(self.measured)
        return self._table

    @property
    def focus_actor(self) -> str:
        actors = self.dataset.actors
        if self.dataset.focus_actor in actors:
            return self.dataset.focus_actor
        totals = self.table[self.table["status"] == "controlled"].groupby("actor")["area_km2"].max()
        return str(totals.idxmax()) if len(totals) else (actors[0] if actors else "")

    def region_name(self) -> str | None:
        """The dataset's region: from its manifest, else the country a bare history mostly lies in.

        The country holding most of everything the history ever covers: a front line spilling over a
        border, or a few stray polygons far away, never turn "% of Ukraine" into "% of Russia+Ukraine".
        :meth:`region_basis` says how it was chosen.
        """
        ds = self.dataset
        if ds.region:
            return ds.region
        guess = self._region_guess
        return guess[0][0] if guess else None

    def region_basis(self) -> str | None:
        """How a bare history's region was found, for the map page ("Ukraine: the country holding most …")."""
        if self.dataset.region:
            return None
        guess = self._region_guess
        if not guess:
            return None
        (name, share), rest = guess[0], [g for g in guess[1:] if g[1] >= 0.005]
        text = f"{name}: the country holding most of the area the data covers ({share:.0%})"
        if rest:
            text += "; the rest lies in " + ", ".join(f"{n} ({s:.0%})" for n, s in rest[:3])
        return text + ". Set \"region\" in dataset.json (or --region) to choose another."

    @cached_property
    def _region_guess(self) -> list[tuple[str, float]]:
        """Countries under a bare history's footprint with their share of it, largest first (computed once)."""
        ds = self.dataset
        if ds.countries is None or ds.history.empty:
            return []
        col = next((c for c in ("name", "NAME", "name_en") if c in ds.countries.columns), None)
        if col is None:
            return []
        b = ds.history.total_bounds
        tol = max(b[2] - b[0], b[3] - b[1]) / 500
        footprint = coarse_footprint(np.asarray(ds.history.geometry.values, dtype=object), tol)
        hits = ds.countries[ds.countries.intersects(shapely.box(*b))]
        if hits.empty or footprint.is_empty:
            return []
        inter = area_km2(shapely.intersection(_coarse(np.asarray(hits.geometry.values, dtype=object), tol),
                                              footprint))
        if inter.sum() <= 0:
            return []
        share = inter / inter.sum()
        names = hits[col].astype(str).to_numpy()
        order = np.argsort(-share, kind="stable")
        return [(str(names[k]), float(share[k])) for k in order if share[k] > 0]

    def denominators(self, region: str | None = None) -> list[Denominator]:
        """Selectable denominators: the region's (outline first, then official), then each part's."""
        ds = self.dataset
        region = region or self.region_name()
        if not region:
            return []
        out = region_denominators(ds.countries, ds.reference_areas, region)
        if not out:  # a governorate or oblast: the dataset's own, else the bundled admin-1 of its countries
            units = self.admin_regions
            if units is not None:
                out = [d for d in outline_denominators(units, self.admin_regions_source)
                       if d.region.casefold() == region.casefold()]
        parts = [p.strip() for p in region.split("+")]
        if len(parts) > 1:
            for part in parts:
                out += region_denominators(ds.countries, ds.reference_areas, part)
        return out

    def stats(self, denominator: Denominator | None = None, baseline: object = None) -> pd.DataFrame:
        base = to_day(baseline) if baseline is not None else None
        return stats_table(self.measured, denominator=denominator, baseline=base)

    def state(self, day: object) -> gpd.GeoDataFrame:
        return state_at(self.history, day)

    def compare(self, start: object, end: object, status: str | None = None) -> dict:
        return compare(self.measured, start, end, status=status)

    def change_series(self) -> pd.DataFrame:
        return change_series(self.measured)

    def claims(self) -> pd.DataFrame | None:
        """The ledger evaluated against this dataset (computed once per Analysis)."""
        ds = self.dataset
        if ds.claims is None:
            return None
        if self._claims is None:
            self._claims = evaluate_claims(ds.claims, self.claim_context())
        return self._claims.copy()

    def claim_context(self) -> ClaimContext:
        """Baselines and region-clipped series the claims are checked against (kept: charts reuse them)."""
        if self._claim_ctx is None:
            ds = self.dataset
            self._claim_ctx = ClaimContext(self.measured, ds.countries, self.admin_regions, ds.reference_areas,
                                           self.focus_actor, self.region_name(), self.admin_regions_source,
                                           settlements=lambda: (self.holdings, self.settlement_layer.table,
                                                                self.settlement_layer.source))
        return self._claim_ctx

    def equivalent(self, km2: float) -> str | None:
        return equivalent(km2, self.dataset.reference_areas)

    @property
    def admin_regions_source(self) -> str:
        """What :attr:`admin_regions` is, for denominators' source lines."""
        if self.dataset.regions is not None:
            return self.dataset.regions_source or "the dataset's region layer"
        return "Natural Earth admin-1 outline"

    @cached_property
    def admin_regions(self) -> gpd.GeoDataFrame | None:
        """Governorates/oblasts as a layer with ``name`` and ``country``: the dataset's own, else the
        bundled admin-1 units of the countries a bare history lies in (so "% of Donetsk" works on it)."""
        from territory.regions import BUNDLED_SOURCE

        if self.dataset.regions is not None:
            return self.dataset.regions
        layer = self.region_layer()
        if layer is None:
            return None
        f = layer.frame()
        f = f[f["region_source"] == BUNDLED_SOURCE]  # not a whole country standing in for its units
        return f.rename(columns={"region": "name"})[["name", "country", "geometry"]] if len(f) else None

    def region_layer(self) -> RegionLayer | None:
        """The dataset's own region layer, else bundled admin-1 outlines of the countries it lies in."""
        from territory.regions import bundled_admin1, layer_from_frame

        ds = self.dataset
        if ds.regions is not None:
            return layer_from_frame(ds.regions, f"{self.admin_regions_source}, measured", f"{ds.title} regions")
        region = self.region_name()
        if not region:
            return None
        return bundled_admin1([p.strip() for p in region.split("+")], ds.countries)

    def regions_table(self, dates: list[pd.Timestamp], layer: RegionLayer | None = None,
                      status: str = "controlled", actors: list[str] | None = None) -> pd.DataFrame:
        """km² and share of each region held by each actor on each of ``dates`` (see territory.regions)."""
        from territory.regions import TABLE_COLUMNS, region_table

        layer = layer if layer is not None else self.region_layer()
        if layer is None:
            return pd.DataFrame(columns=TABLE_COLUMNS)
        with SHARED_GEOMETRY:  # the layer's outlines are prepared and may be shared between sessions
            return region_table(self.measured, layer, dates, status=status, actors=actors)

    def regions_at(self, day: object, status: str = "controlled", layer: RegionLayer | None = None) -> pd.DataFrame:
        """km² and share of each region (governorate, oblast…) held by each actor on ``day``."""
        return self.regions_table([to_day(day)], layer, status)

    @cached_property
    def settlement_layer(self) -> Settlements:
        """The dataset's settlements (its own layer, else the bundled GeoNames gazetteer around its data),
        each with the name of the region it lies in, and where the population figures come from."""
        from territory.gazetteer import Settlements, gazetteer_for
        from territory.settlements import fill_regions

        ds = self.dataset
        if ds.settlements is None:  # e.g. a store written without one
            found = gazetteer_for(tuple(ds.history.total_bounds) if len(ds.history) else None)
        else:
            found = Settlements(ds.settlements, ds.settlements_source or "the dataset's settlement table",
                                ds.population_age if ds.settlements_source else "year not given")
        table = found.table.reset_index(drop=True)
        if "region" not in table.columns:
            table = table.assign(region="")
        return Settlements(fill_regions(table, self.admin_regions), found.source, found.age)

    @cached_property
    def holdings(self) -> Holdings:
        """Holder of every settlement on every change date (computed once, cached with the measurement)."""
        from territory.settlements import holdings_cached

        with SHARED_GEOMETRY:  # the query prepares the shared history geometries
            return holdings_cached(lambda: self.history, self.dates, self.settlement_layer.table, self.cache_key)

    def settlements_at(self, day: object, status: str = "controlled") -> pd.DataFrame:
        """Settlements and population inside each actor's territory on ``day``
        (:attr:`settlement_layer` says where the population figures come from)."""
        from territory.settlements import held_totals

        return held_totals(self.holdings, self.settlement_layer.table, day, status)

    def settlements_on(self, day: object, actor: str | None = None) -> pd.DataFrame:
        """Each settlement with its holder on ``day`` (``territory settlements --date``)."""
        from territory.settlements import settlements_on

        layer = self.settlement_layer
        return settlements_on(self.holdings, layer.table, day, layer.population_note, actor)

    def settlements_changed(self, start: object, end: object) -> pd.DataFrame:
        """Settlements that changed hands between two dates (``territory settlements --from --to``)."""
        from territory.settlements import changed_hands

        layer = self.settlement_layer
        return changed_hands(self.holdings, layer.table, start, end, layer.population_note)

def analysis_for(path: str | Path | None = None, **kwargs) -> Analysis:
    """Load and measure a dataset (cached by content hash)."""
    from territory.datasets import load_dataset

    ds = load_dataset(path, **kwargs)
    return Analysis.from_paths(ds, extra={"options": repr(kwargs.get("options"))})
