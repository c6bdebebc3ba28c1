"""Display geometry, prepared once per analysis: projected, simplified, as paths.

Report maps are drawn in a Lambert azimuthal equal-area projection centred on
the data, so the scale bar (metres) is true at the centre and shapes and areas
look right. Territory comes from the measured snapshot unions (one geometry per
actor × status × date, the same ones the km² come from), simplified to well
under a pixel before projecting; the basemap is clipped to the region first.
Converting to matplotlib paths happens lazily, once per snapshot, so an
animation re-draws without re-projecting anything.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib.path import Path
from pyproj import Transformer

from territory.analysis import Analysis
from territory.area import EQUAL_AREA_CRS
from territory.model import END, to_day

#: Simplification tolerance as a fraction of the map width (1/3000 ≈ a third of a pixel at 1000 px).
TOLERANCE = 1 / 3000
PAD = 0.08


def _transform(geoms: np.ndarray, tr: Transformer) -> np.ndarray:
    def fn(c: np.ndarray) -> np.ndarray:
        x, y = tr.transform(c[:, 0], c[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(np.asarray(geoms, dtype=object), fn)


def to_path(geom: shapely.Geometry | None) -> Path | None:
    """One compound path (exteriors CCW, holes CW: non-zero fill keeps holes open)."""
    if geom is None or shapely.is_empty(geom):
        return None
    parts = shapely.get_parts(geom)
    parts = np.concatenate([shapely.get_parts(p) if shapely.get_type_id(p) == 7 else [p] for p in parts])
    polys = parts[np.isin(shapely.get_type_id(parts), (3, 6))]
    polys = shapely.get_parts(polys)
    if len(polys) == 0:
        return None
    rings = shapely.get_rings(shapely.orient_polygons(polys))
    coords, idx = shapely.get_coordinates(rings, return_index=True)
    if len(coords) == 0:
        return None
    counts = np.bincount(idx, minlength=len(rings))
    ends = np.cumsum(counts)
    starts = ends - counts
    codes = np.full(len(coords), Path.LINETO, dtype=np.uint8)
    codes[starts[counts > 0]] = Path.MOVETO
    codes[ends[counts > 0] - 1] = Path.CLOSEPOLY
    return Path(coords, codes)


@dataclass
class Display:
    """Everything the map renderer draws, in the local projection (metres)."""

    crs: str
    lon0: float
    lat0: float
    extent: tuple[float, float, float, float]  # xmin, xmax, ymin, ymax (data, padded)
    snapshots: pd.DataFrame  # actor, status, date, valid_until (aligned with geoms)
    geoms: np.ndarray
    base: np.ndarray  # land / countries polygons around the map
    borders: np.ndarray  # country outlines (focus layer) for lines and labels
    border_names: list[str]
    regions: np.ndarray  # admin-1 outlines, may be empty
    inset_base: np.ndarray
    inset_extent: tuple[float, float, float, float]
    _paths: dict[int, Path | None] = field(default_factory=dict, repr=False)

    @property
    def projection(self) -> str:
        ns = "N" if self.lat0 >= 0 else "S"
        ew = "E" if self.lon0 >= 0 else "W"
        return f"Lambert azimuthal equal-area, centre {abs(self.lat0):.1f}°{ns} {abs(self.lon0):.1f}°{ew}"

    def active(self, day: object) -> np.ndarray:
        """Indices of snapshots in force on ``day`` with something to draw."""
        d = np.datetime64(to_day(day))
        s = self.snapshots
        end = s[END]
        m = (s["date"].to_numpy() <= d) & (end.isna() | (end > pd.Timestamp(d))).to_numpy()
        return np.flatnonzero(m & ~shapely.is_empty(self.geoms))

    def path(self, i: int) -> Path | None:
        if i not in self._paths:
            self._paths[i] = to_path(self.geoms[i])
        return self._paths[i]

    def true_north(self, x: float, y: float) -> tuple[float, float]:
        """Unit vector of true north at projected point (x, y)."""
        inv = Transformer.from_crs(self.crs, "EPSG:4326", always_xy=True)
        fwd = Transformer.from_crs("EPSG:4326", self.crs, always_xy=True)
        lon, lat = inv.transform(x, y)
        x2, y2 = fwd.transform(lon, min(lat + 0.05, 89.9))
        dx, dy = x2 - x, y2 - y
        n = math.hypot(dx, dy) or 1.0
        return dx / n, dy / n


def _lonlat(layer: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    if layer is None or layer.empty:
        return None
    return layer if layer.crs is None or layer.crs.equals("EPSG:4326") else layer.to_crs(4326)


def _region_lines(analysis: Analysis) -> gpd.GeoDataFrame | None:
    """Region outlines drawn as thin lines: the dataset's own, else the bundled admin-1 of its countries."""
    if analysis.dataset.regions is not None:
        return analysis.dataset.regions
    try:
        layer = analysis.region_layer()
    except (ValueError, KeyError, OSError):  # no usable layer: the map simply has no region lines
        return None
    return layer.frame() if layer is not None else None


def _clip_project(layer: gpd.GeoDataFrame | None, box: shapely.Polygon, tr: Transformer, tol: float) -> np.ndarray:
    if layer is None:
        return np.array([], dtype=object)
    geoms = np.asarray(layer.geometry.values, dtype=object)
    keep = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms) & shapely.intersects(geoms, box)
    geoms = shapely.intersection(shapely.make_valid(geoms[keep]), box)
    geoms = shapely.segmentize(geoms, 0.5)  # long straight clip edges curve in the projection
    out = shapely.simplify(_transform(geoms, tr), tol, preserve_topology=True)
    return out[~shapely.is_empty(out)]


def _names(layer: gpd.GeoDataFrame | None, box: shapely.Polygon) -> list[str]:
    if layer is None:
        return []
    col = next((c for c in ("name", "NAME", "name_en", "ADMIN", "admin") if c in layer.columns), None)
    geoms = np.asarray(layer.geometry.values, dtype=object)
    keep = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms) & shapely.intersects(geoms, box)
    return [str(v) for v in layer[col][keep]] if col else [""] * int(keep.sum())


def _bounds_lonlat(analysis: Analysis) -> tuple[float, float, float, float]:
    h = analysis.dataset.history
    geoms = np.asarray(h.geometry.values, dtype=object)
    geoms = geoms[~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)]
    if len(geoms):
        return tuple(float(v) for v in shapely.total_bounds(geoms))
    return (-10.0, -10.0, 10.0, 10.0)


def prepare(analysis: Analysis) -> Display:
    """Project and simplify everything once (see module docstring)."""
    minx, miny, maxx, maxy = _bounds_lonlat(analysis)
    lon0, lat0 = round((minx + maxx) / 2, 2), round((miny + maxy) / 2, 2)
    crs = f"+proj=laea +lat_0={lat0} +lon_0={lon0} +datum=WGS84 +units=m +no_defs"
    to_local = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    ea_to_local = Transformer.from_crs(EQUAL_AREA_CRS, crs, always_xy=True)

    ring = shapely.segmentize(shapely.box(minx, miny, maxx, maxy), 0.25)
    x0, y0, x1, y1 = shapely.bounds(_transform(np.array([ring]), to_local)[0])
    w, h = x1 - x0, y1 - y0
    pad = PAD * max(w, h, 50_000)
    extent = (x0 - pad, x1 + pad, y0 - pad, y1 + pad)
    tol = TOLERANCE * max(extent[1] - extent[0], extent[3] - extent[2])

    m = analysis.measured
    # EPSG:6933 stretches x by up to ~1/cos(lat)² at the edges; half the tolerance stays sub-pixel.
    # Without topology preservation: 12x faster on 0.5 M vertices and, at sub-pixel tolerance, the same picture.
    simple = shapely.simplify(np.asarray(m.geometry, dtype=object), tol / 2, preserve_topology=False)
    geoms = _transform(simple, ea_to_local)
    # Simplifying without topology and reprojecting can leave a self-touching ring (the bundled
    # history did after its 2026-12 rebuild), which the inset's overlay refuses: repair only those.
    bad = ~shapely.is_valid(geoms)
    if bad.any():
        geoms[bad] = shapely.make_valid(geoms[bad], method="structure", keep_collapsed=False)

    ds = analysis.dataset
    span = max(maxx - minx, maxy - miny)
    # Generous lon/lat boxes: the map is stretched to fill its frame, and the inset shows the neighbourhood.
    near = shapely.box(minx - span - 3, max(miny - span - 3, -89), maxx + span + 3, min(maxy + span + 3, 89))
    wide_deg = max(3 * span, 25.0)
    wide = shapely.box(lon0 - wide_deg, max(lat0 - wide_deg * 0.8, -85), lon0 + wide_deg, min(lat0 + wide_deg * 0.8, 85))
    base_layer = _lonlat(ds.basemap) if ds.basemap is not None else _lonlat(ds.countries)
    country_layer = _lonlat(ds.countries) if ds.countries is not None else _lonlat(ds.basemap)
    base = _clip_project(base_layer, near, to_local, tol)
    borders = _clip_project(country_layer, near, to_local, tol)
    names = _names(country_layer, near)
    regions = _clip_project(_lonlat(_region_lines(analysis)), near, to_local, tol)
    inset_base = _clip_project(base_layer, wide, to_local, tol * 20)
    if len(inset_base):
        ix0, iy0, ix1, iy1 = shapely.total_bounds(inset_base)
        cx, cy = (extent[0] + extent[1]) / 2, (extent[2] + extent[3]) / 2
        half = max(extent[1] - extent[0], extent[3] - extent[2]) * 2.2
        inset_extent = (max(cx - half, ix0), min(cx + half, ix1), max(cy - half * 0.8, iy0), min(cy + half * 0.8, iy1))
    else:
        inset_extent = extent
    snaps = m.snapshots[["actor", "status", "date", END]].reset_index(drop=True)
    return Display(crs, lon0, lat0, extent, snaps, geoms, base, borders, names, regions, inset_base, inset_extent)


_CACHE: dict[int, tuple[weakref.ref, Display]] = {}


def display_for(analysis: Analysis) -> Display:
    """:func:`prepare`, memoised per live Analysis (the dashboard exports many dates)."""
    key = id(analysis)
    hit = _CACHE.get(key)
    if hit is not None and hit[0]() is analysis:
        return hit[1]
    disp = prepare(analysis)
    for k in [k for k, (ref, _) in _CACHE.items() if ref() is None]:
        del _CACHE[k]
    _CACHE[key] = (weakref.ref(analysis), disp)
    return disp
