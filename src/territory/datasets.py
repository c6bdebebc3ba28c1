"""Datasets: a control history plus everything needed to read it right.

A dataset folder holds a ``dataset.json`` manifest naming its history, claims
ledger, actors table, settlements, region and country layers, basemap and
reference areas, and whether it is an illustrative reconstruction (which every
view and export must then say). A bare history file or folder is a dataset
too: it borrows the bundled country outlines, world basemap and reference areas.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from territory.actors import assign_colors, read_actors
from territory.io import LoadOptions, read_history
from territory.report import LoadError, Report

#: The bundled data ships inside the package, so an installed ``territory`` finds it anywhere.
BUNDLED_DATA = Path(__file__).resolve().parent / "geodata"


def data_root() -> Path:
    """Folder of the bundled data (``$TERRITORY_DATA`` overrides)."""
    return Path(os.environ.get("TERRITORY_DATA", BUNDLED_DATA))


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
    regions: gpd.GeoDataFrame | None = None
    countries: gpd.GeoDataFrame | None = None
    basemap: gpd.GeoDataFrame | None = None
    reference_areas: pd.DataFrame | None = None
    illustrative: bool = False
    label: str = ""
    attribution: str = ""
    focus_actor: str | None = None
    region: str | None = None
    paths: list[Path] = field(default_factory=list)
    #: Set for a dataset read from a store (a database): changes with every write, keys caches.
    data_version: str | None = None

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


def countries_for_bare_histories() -> gpd.GeoDataFrame | None:
    """Natural Earth 50m countries, with the bundled 10m outlines where we have them (Ukraine, Syria...).

    The 10m layer is the German point of view (Crimea inside Ukraine), matching
    the official figures users divide by.
    """
    world = _read_geo(world_countries_path())
    fine = _read_geo(data_root() / "naturalearth" / "countries.geojson")
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
    source = f"/vsigzip/{path}" if path.suffix == ".gz" else path
    layer = gpd.read_file(source, engine="pyogrio")
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


def load_dataset(
    path: str | Path | None = None,
    options: LoadOptions | None = None,
    claims: str | Path | None = None,
    display_name: str | None = None,
) -> Dataset:
    """Load a dataset folder/manifest, a bare history or a ``postgresql://`` store; raise LoadError if refused."""
    from territory.store import is_db_url

    if is_db_url(path):
        from territory.store.postgis import load

        ds = load(str(path))
        if claims is not None:  # a ledger given on the command line replaces the stored one
            ds.claims = read_claims_file(Path(claims), ds.report)
        return ds
    root = Path(path) if path is not None else bundled_path()
    manifest_path = root / "dataset.json" if root.is_dir() else (root if root.suffix == ".json" and root.name == "dataset.json" else None)
    if manifest_path is not None and manifest_path.exists():
        return _load_manifest(manifest_path, options, claims)
    history, report = read_history(root, options, display_name=display_name)
    world = countries_for_bare_histories()
    ds = Dataset(
        name=display_name or root.stem,
        title=display_name or root.name,
        history=history,
        colors=assign_colors(history["actor"].unique()),
        report=report,
        countries=world,
        basemap=world,
        reference_areas=_read_csv(data_root() / "reference_areas.csv"),
        paths=_files(root),
    )
    if claims is not None:
        ds.claims = read_claims_file(Path(claims), ds.report)
        ds.paths.append(Path(claims))
    return ds


def _load_manifest(manifest_path: Path, options: LoadOptions | None, claims: str | Path | None) -> Dataset:
    base = manifest_path.parent
    try:
        meta = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        report = Report()
        report.error(f"dataset manifest cannot be read ({exc})", file=manifest_path.name, code="bad-manifest",
                     hint="fix the JSON of dataset.json")
        raise LoadError(report) from None

    def rel(key: str) -> Path | None:
        return (base / meta[key]).resolve() if meta.get(key) else None

    history_path = rel("history")
    if history_path is None:
        report = Report()
        report.error("dataset.json names no 'history' file", file=manifest_path.name, code="bad-manifest",
                     hint='add "history": "history.geojson"')
        raise LoadError(report)
    history, report = read_history(history_path, options)
    given: dict[str, str] = {}
    actors_path = rel("actors")
    if actors_path and actors_path.exists():
        given = {a.name: a.color for a in read_actors(actors_path) if a.color}
    claims_path = Path(claims) if claims is not None else rel("claims")
    paths = [manifest_path, history_path]
    paths += [p for p in (rel(k) for k in ("actors", "settlements", "regions", "countries", "reference_areas")) if p]
    ds = Dataset(
        name=base.name,
        title=meta.get("title", base.name),
        history=history,
        colors=assign_colors(history["actor"].unique(), given),
        report=report,
        claims=read_claims_file(claims_path, report) if claims_path else None,
        settlements=_read_csv(rel("settlements")),
        regions=_read_geo(rel("regions")),
        countries=_read_geo(rel("countries")),
        basemap=_read_geo(rel("basemap")),
        reference_areas=_read_csv(rel("reference_areas")),
        illustrative=bool(meta.get("illustrative", False)),
        label=meta.get("label", ""),
        attribution=meta.get("attribution", ""),
        focus_actor=meta.get("focus_actor"),
        region=meta.get("region"),
        paths=[*paths, *([claims_path] if claims_path else [])],
    )
    return ds


def read_claims_file(path: Path, report: Report) -> pd.DataFrame:
    """Read and check a claims ledger; problems go into ``report``."""
    from territory.claims import read_claims

    ledger, claims_report = read_claims(path)
    report.extend(claims_report)
    if not claims_report.ok:
        raise LoadError(report)
    return ledger
