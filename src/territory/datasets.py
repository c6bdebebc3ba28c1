"""Datasets: a control history plus everything needed to read it right.

A dataset folder holds a ``dataset.json`` manifest naming its history, claims
ledger, actors table, settlements, region and country layers, basemap and
reference areas, and whether it is an illustrative reconstruction (which every
view and export must then say). A bare history file or folder is a dataset
too: it borrows the bundled country outlines, world basemap and reference areas.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from territory import cache, manifest
from territory.actors import assign_colors, read_actors
from territory.gazetteer import Settlements, gazetteer_for, read_settlements
from territory.io import LoadOptions, load, read_history
from territory.io.offline import check_drivers, check_json_crs, looks_like_json
from territory.io.readers import check_content
from territory.manifest import data_root
from territory.report import LoadError, Report
from territory.store import is_db_url, redact


def bundled_path() -> Path:
    return data_root() / "is_syria_iraq"


@dataclass
class Dataset:
    """A loaded dataset. ``paths`` lists every input file, for cache keys."""

    name: str
    title: str
    history: gpd.GeoDataFrame
    colors: dict[str, str]
    report: Report
    claims: pd.DataFrame | None = None
    settlements: pd.DataFrame | None = None
    #: Where the settlements' population figures come from, and their age (see territory.gazetteer):
    #: every view showing a population states both.
    settlements_source: str = ""
    population_age: str = ""
    regions: gpd.GeoDataFrame | None = None
    #: What the region layer is, for source lines ("Natural Earth admin-1 outline", a user's file name).
    regions_source: str = ""
    countries: gpd.GeoDataFrame | None = None
    basemap: gpd.GeoDataFrame | None = None
    reference_areas: pd.DataFrame | None = None
    illustrative: bool = False
    label: str = ""
    attribution: str = ""
    focus_actor: str | None = None
    region: str | None = None
    #: Each history row's file and feature number (``_file``, ``_row``), as ``territory validate`` names
    #: rows: the Data page's checks then cite the same row numbers. None for a manifest's or a store's data.
    provenance: pd.DataFrame | None = None
    #: The date the map opens on (manifest ``date``); None: the latest date (on a live archive, the news).
    open_date: str | None = None
    paths: list[Path] = field(default_factory=list)
    #: Set for a dataset read from a store (a database): changes with every write, keys caches.
    data_version: str | None = None
    #: Actors whose territory is known to be incomplete -> why (manifest ``partial``):
    #: legend, metrics, exports and reports must say so beside their figures.
    partial: dict[str, str] = field(default_factory=dict)
    #: What the dataset leaves to no actor (manifest ``unassigned``), e.g. open desert.
    unassigned: str = ""

    @cached_property
    def actors(self) -> list[str]:
        """Actors in legend order (computed once: a loaded dataset does not change)."""
        from territory.model import actors

        return actors(self.history)


def _crossing_jumps(poly: shapely.Polygon) -> int:
    x = np.asarray(poly.exterior.coords)[:, 0]
    return int((np.abs(np.diff(x)) > 180).sum())


def _shift_east(coords: np.ndarray) -> np.ndarray:
    out = coords.copy()
    out[out[:, 0] < 0, 0] += 360
    return out


def split_antimeridian(geom: shapely.Geometry) -> shapely.Geometry:
    """Split polygon parts whose rings jump across ±180° (as Natural Earth's Russia and Fiji do).

    Such a ring, read as lon/lat, runs the long way round the globe and measures
    wrong. Each one is shifted east, cut at 180° and the eastern piece moved back.
    Rings with an odd number of jumps enclose a pole (Antarctica) and are kept.
    """
    parts = list(shapely.get_parts(geom))
    if not any(_crossing_jumps(p) % 2 == 0 and _crossing_jumps(p) > 0 for p in parts):
        return geom
    west, east = shapely.box(-180, -90, 180, 90), shapely.box(180, -90, 540, 90)
    out = []
    for p in parts:
        jumps = _crossing_jumps(p)
        if jumps == 0 or jumps % 2:
            out.append(p)
            continue
        shifted = shapely.make_valid(shapely.transform(p, _shift_east))
        out += list(shapely.get_parts(shapely.intersection(shifted, west)))
        out += list(shapely.get_parts(shapely.transform(shapely.intersection(shifted, east), lambda c: c - [360, 0])))
    polys = [q for q in out if shapely.get_type_id(q) == 3 and not q.is_empty]
    return shapely.MultiPolygon(polys)


def countries_for_bare_histories(use_cache: bool = True) -> gpd.GeoDataFrame | None:
    """Natural Earth 50m countries, with the bundled 10m outlines where we have them (Ukraine, Syria...).

    The 10m layer is the German point of view (Crimea inside Ukraine), matching
    the official figures users divide by. Building it (reading, splitting at ±180°,
    repairing, cutting the 10m outlines out of their neighbours) takes ~0.2 s, which
    every command on a bare history paid: the layer is built once, at build time
    (``scripts/build_countries.py`` writes :func:`prebuilt_countries_path`), and read
    from there while the sources it names are the bundled ones. Otherwise it is built
    and kept in the content-hash cache, keyed by both layers' bytes and this module's
    code (not with ``use_cache`` off: ``--no-cache`` and uploads write nothing to the disk).
    """
    sources = [world_countries_path(), _fine_countries_path()]
    prebuilt = _read_prebuilt_countries(sources)
    if prebuilt is not None:
        return prebuilt
    key = None
    try:
        if use_cache and all(p.is_file() for p in sources):
            key = cache.content_key([*sources, Path(__file__)], {"countries": "bare-histories"})
    except OSError:
        key = None
    hit = cache.fetch(key, COUNTRIES_ENTRY) if key else None
    if hit is not None:
        try:
            return gpd.read_parquet(hit)
        except Exception:  # right checksum, unreadable content: built again
            pass
    layer = _build_countries()
    if key is not None and layer is not None:
        cache.store(key, COUNTRIES_ENTRY, lambda p: layer.to_parquet(p, index=False, compression=cache.PARQUET_CODEC))
    return layer


#: Parquet metadata key of the prebuilt layer: the SHA-256 of each source it was built from.
PREBUILT_SOURCES_KEY = b"territory:sources"


def prebuilt_countries_path() -> Path:
    """The country layer of bare histories, built at build time (see :func:`write_prebuilt_countries`)."""
    return data_root() / "naturalearth" / "countries_world.parquet"


def _source_digests(sources: list[Path]) -> dict[str, str]:
    import hashlib

    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sources}


def _read_prebuilt_countries(sources: list[Path]) -> gpd.GeoDataFrame | None:
    """The prebuilt layer if it was built from exactly these sources' bytes, else None (built at run time)."""
    import pyarrow.parquet as pq

    path = prebuilt_countries_path()
    try:
        meta = pq.read_schema(path).metadata or {}
        if json.loads(meta.get(PREBUILT_SOURCES_KEY, b"{}")) != _source_digests(sources):
            return None
        return gpd.read_parquet(path)
    except Exception:  # missing, unreadable or foreign: built as before
        return None


def write_prebuilt_countries(path: Path) -> None:
    """Write :func:`_build_countries`'s layer as GeoParquet, naming the sources' digests in its metadata."""
    import pyarrow.parquet as pq

    layer = _build_countries()
    if layer is None:
        raise FileNotFoundError("the bundled Natural Earth country layers are missing")
    layer.to_parquet(path, index=False, compression="zstd")
    table = pq.read_table(path)
    digests = json.dumps(_source_digests([world_countries_path(), _fine_countries_path()]), sort_keys=True)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), PREBUILT_SOURCES_KEY: digests.encode()})
    pq.write_table(table, path, compression="zstd")


COUNTRIES_ENTRY = "countries.parquet"


def _bundled_reference_areas() -> pd.DataFrame | None:
    """The bundled "size of Belgium" table, for data that brings none of its own."""
    return _read_csv(data_root() / "reference_areas.csv")


def _fine_countries_path() -> Path:
    return data_root() / "naturalearth" / "countries.geojson"


def _build_countries() -> gpd.GeoDataFrame | None:
    world = _read_geo(world_countries_path())
    fine = _read_geo(_fine_countries_path())
    if world is None or fine is None:
        return world if world is not None else fine
    keep = world[~world["name"].isin(set(fine["name"]))][["name", "geometry"]].copy()
    fine = fine[["name", "geometry"]].to_crs(world.crs)
    # One convention per map: land the 10m outlines include (Crimea in Ukraine) is taken out of the
    # 50m neighbours that also draw it (Russia), so no ground is in two countries or labelled twice.
    covered = shapely.union_all(fine.geometry.values)
    near = keep.intersects(shapely.box(*covered.bounds)).to_numpy().copy()
    near[near] = keep.geometry.values[near].intersects(covered)
    if near.any():
        keep.loc[near, "geometry"] = shapely.difference(keep.geometry.values[near], covered)
    merged = pd.concat([keep, fine], ignore_index=True)
    return gpd.GeoDataFrame(merged, geometry="geometry", crs=world.crs)


def world_countries_path() -> Path:
    """Natural Earth 50m countries (gzipped GeoJSON), the fallback layer for bare histories."""
    return data_root() / "naturalearth" / "sources" / "ne50m_countries_world.geojson.gz"


def _read_geo(path: Path | None) -> gpd.GeoDataFrame | None:
    """A boundary layer, with invalid geometries repaired (Natural Earth 50m has a few)."""
    if path is None or not path.exists():
        return None
    report = Report()
    if not check_drivers(path.name, report):
        raise LoadError(report)  # a GDAL driver outside the allow-list is loaded: no GDAL read (fail closed)
    if path.suffix != ".gz" and ((looks_like_json(path) and not check_json_crs(path, path.name, report))
                                 or not check_content(path, path.name, report)):
        raise LoadError(report)  # a VRT/GDALG/WFS file as a manifest's layer: refused by name (issue 17.1)
    source = f"/vsigzip/{path}" if path.suffix == ".gz" else path
    try:
        layer = gpd.read_file(source, engine="pyogrio")
    except Exception as exc:  # pyogrio raises several DataSourceError flavours
        report.error(f"could not be read as geodata ({str(exc).strip().splitlines()[0][:200]})", file=path.name,
                     code="unreadable", hint="the layer a manifest names must be GeoJSON, GeoPackage or FlatGeobuf")
        raise LoadError(report) from exc
    layer["geometry"] = [split_antimeridian(g) if g is not None else g for g in layer.geometry.values]
    bad = ~layer.geometry.is_valid
    if bad.any():
        layer.loc[bad, "geometry"] = shapely.make_valid(layer.geometry[bad].values, method="structure",
                                                        keep_collapsed=False)
    return layer


def _read_csv(path: Path | None) -> pd.DataFrame | None:
    if path is None or not path.exists():
        return None
    return pd.read_csv(path, keep_default_na=False, na_values=[""], encoding="utf-8-sig")


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file())
    return [path]


def _refuse_upload_manifest(root: Path, name: str) -> None:
    """Uploads are data only: a dataset.json among them is refused, never read as configuration."""
    found = manifest.find(root)
    if found is None:
        return
    report = Report()
    report.error(
        "dataset.json is a dataset manifest (configuration), and uploads are data only: it is never read",
        file=name, code="manifest-upload",
        hint="upload the history file(s) themselves; to open a dataset folder with its manifest, start the "
             "dashboard on it (territory serve FOLDER)",
    )
    raise LoadError(report)


def load_dataset(
    path: str | Path | None = None,
    options: LoadOptions | None = None,
    claims: str | Path | None = None,
    display_name: str | None = None,
    *,
    allow_manifest: bool = True,
) -> Dataset:
    """Load a dataset folder/manifest or a bare history; raise LoadError if refused.

    ``allow_manifest=False`` (uploads) refuses a dataset.json instead of reading it:
    a manifest names files and settings, so it is only read from a path the
    CLI or server was started on. A ``postgresql://`` store is opened by
    :func:`territory.sources.open_dataset` (the store reads folders through this
    module, so this module does not reach up to the store).
    """
    if is_db_url(path):
        raise ValueError(f"{redact(str(path))} is a database URL: open it with territory.sources.open_dataset")
    root = Path(path) if path is not None else bundled_path()
    if not allow_manifest:
        _refuse_upload_manifest(root, display_name or root.name)
    manifest_path = manifest.find(root)
    if manifest_path is not None:
        return _load_manifest(manifest_path, options, claims)
    loaded = load(root, options, display_name)
    if loaded.history is None:
        raise LoadError(loaded.report)
    history, report = loaded.history, loaded.report
    world = countries_for_bare_histories(use_cache=options is None or options.cache)
    ds = Dataset(
        name=display_name or root.stem,
        title=display_name or root.name,
        history=history,
        colors=assign_colors(history["actor"].unique()),
        report=report,
        provenance=loaded.provenance,
        countries=world,
        basemap=world,
        reference_areas=_bundled_reference_areas(),
        paths=_files(root),
    )
    use_settlements(ds, gazetteer_for(_bounds(history)))
    if claims is not None:
        ds.claims = read_claims_file(Path(claims), ds.report)
        ds.paths.append(Path(claims))
    return ds


def _colors(path: Path | None, name: str, report: Report) -> dict[str, str]:
    """Actor colours from an actors table; anything but a strict #RRGGBB is refused with a warning."""
    if path is None:
        return {}
    given: dict[str, str] = {}
    try:
        table = read_actors(path)
    except (KeyError, UnicodeDecodeError, csv.Error) as exc:
        report.warning(f"actors table cannot be read ({type(exc).__name__}: {str(exc)[:120]}); palette colours "
                       "are used", file=name, code="bad-actors", hint="write it as a name,color CSV")
        return {}
    for i, actor in enumerate(table):
        if not actor.color:
            continue
        color = manifest.valid_color(actor.color)
        if color is None:
            report.warning(f"colour {actor.color[:40]!r} of '{actor.name[:80]}' is not a #RRGGBB colour; "
                           "a palette colour is used instead", file=name, row=str(i + 2), field="color",
                           code="bad-color", hint="write colours as #RRGGBB, e.g. #1f77b4")
            continue
        given[actor.name] = color
    return given


def _load_manifest(manifest_path: Path, options: LoadOptions | None, claims: str | Path | None) -> Dataset:
    man = manifest.read(manifest_path)
    base = manifest_path.parent
    history_path = man.files["history"]
    history, report = read_history(history_path, options)
    side = {k: manifest.side_file(man, k, report) for k in manifest.PATH_KEYS if k != "history"}
    if not report.ok:
        raise LoadError(report)
    actors_path = side["actors"]
    given = _colors(actors_path, f"{manifest_path.name}: actors", report)
    claims_path = Path(claims) if claims is not None else side["claims"]
    countries, basemap = _read_geo(side["countries"]), _read_geo(side["basemap"])
    if countries is None:  # a manifest around a history alone: the outlines a bare history gets (shares, land)
        countries = countries_for_bare_histories(use_cache=options is None or options.cache)
        basemap = countries if basemap is None else basemap
    reference_areas = _read_csv(side["reference_areas"])
    if reference_areas is None:
        reference_areas = _bundled_reference_areas()
    paths = [manifest_path, *_files(history_path)]  # a folder history: its files (content keys hash files)
    paths += [p for k, p in side.items() if p is not None and k not in ("claims", "basemap")]
    ds = Dataset(
        name=base.name,
        title=man.text("title", base.name),
        history=history,
        colors=assign_colors(history["actor"].unique(), given),
        report=report,
        claims=read_claims_file(claims_path, report) if claims_path else None,
        regions=_named_layer(_read_geo(side["regions"]), side["regions"], man.text("region_name_column"),
                             manifest_path.name, report),
        regions_source=man.text("regions_source") or _regions_source(side["regions"]),
        countries=countries,
        basemap=basemap,
        reference_areas=reference_areas,
        illustrative=bool(man.meta.get("illustrative", False)),
        label=man.text("label"),
        attribution=man.text("attribution"),
        focus_actor=man.text("focus_actor") or None,
        region=man.text("region") or None,
        open_date=man.text("date") or None,
        paths=[*paths, *([claims_path] if claims_path else [])],
        partial=_partial_notes(man.meta.get("partial"), manifest_path.name, report),
        unassigned=man.text("unassigned"),
    )
    found = read_settlements(side["settlements"]) if side["settlements"] is not None \
        else gazetteer_for(_bounds(history))
    if side["settlements"] is not None and man.text("population_source"):  # the manifest says where and when
        found = Settlements(found.table, man.text("population_source"), "")
    use_settlements(ds, found)
    return ds


def _bounds(history: gpd.GeoDataFrame) -> tuple[float, float, float, float] | None:
    return tuple(history.total_bounds) if len(history) else None


def use_settlements(ds: Dataset, settlements: Settlements) -> Dataset:
    """Give ``ds`` this settlement table (a user's layer overrides the bundled gazetteer), with its source."""
    ds.settlements = settlements.table
    ds.settlements_source, ds.population_age = settlements.source, settlements.age
    return ds


def _named_layer(layer: gpd.GeoDataFrame | None, path: Path | None, column: str, manifest_name: str,
                 report: Report) -> gpd.GeoDataFrame | None:
    """The manifest's region layer with its names in ``name`` (``region_name_column``, else guessed);
    without a column naming its regions: a warning and no layer."""
    from territory.baselines import NAME_COLUMNS, name_column

    if layer is None:
        return None
    if column and column in layer.columns:
        return layer.drop(columns=[c for c in layer.columns if c == "name"]).rename(columns={column: "name"})
    if column:
        report.warning(f"region_name_column {column[:80]!r} is not a column of {path.name if path else 'the layer'} "
                       f"(it has: {', '.join(map(str, layer.columns[:12]))})", file=manifest_name,
                       field="region_name_column", code="regions-no-name", hint="name one of the layer's columns")
    elif name_column(layer) is not None:
        return layer
    else:
        report.warning(f"the region layer {path.name if path else ''} has no column naming its regions",
                       file=manifest_name, field="regions", code="regions-no-name",
                       hint=f"add \"region_name_column\": \"<column>\" to dataset.json, or call the column "
                            f"one of: {', '.join(NAME_COLUMNS[:8])}…")
    return None  # region breakdowns fall back to the bundled outlines


def _regions_source(path: Path | None) -> str:
    """Name a manifest's region layer: Natural Earth's when it is the bundled file, else the file's own name."""
    if path is None:
        return ""
    if path.resolve().is_relative_to((data_root() / "naturalearth").resolve()):
        return "Natural Earth admin-1 outline"
    return f"region layer {path.name}"


def manifest_history(root: Path) -> Path:
    """The history a dataset folder's manifest names (checked and confined), or ``root`` itself."""
    found = manifest.find(root)
    if found is None:
        return root
    return manifest.read(found).files["history"]


#: Longest note kept per partial actor (a manifest is data: bounded, never followed).
PARTIAL_NOTE_MAX = 1000


def _partial_notes(value: object, file: str, report: Report) -> dict[str, str]:
    """The manifest's ``partial`` map (actor -> note); anything else is warned about and ignored."""
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        report.warning("dataset.json 'partial' is not a map of actor names to notes; ignored", file=file,
                       field="partial", code="bad-manifest",
                       hint='write "partial": {"Actor name": "why its territory is incomplete"}')
        return {}
    return {k.strip(): v.strip()[:PARTIAL_NOTE_MAX] for k, v in value.items() if k.strip()}


def read_claims_file(path: Path, report: Report) -> pd.DataFrame:
    """Read and check a claims ledger; problems go into ``report``."""
    from territory.claims import read_claims

    ledger, claims_report = read_claims(path)
    report.extend(claims_report)
    if not claims_report.ok:
        raise LoadError(report)
    return ledger
