"""Client-side time player: payload builder and standalone HTML export.

The dashboard must play 4-20 dates a second. A Streamlit rerun per frame
cannot do that (FIELD-NOTES §4: 0.3-0.5 s a step), so the whole history goes
to the browser once and JavaScript (``assets/player/player.js``) switches
polygons on and off locally.

The payload sends each history row's geometry once, with its validity as a
range of date indices (``f`` inclusive, ``t`` exclusive or null), computed by
:func:`territory.model.with_validity`. Geometry is simplified for display only
(areas are computed elsewhere, on the full geometry) and quantised on an
integer grid with delta-encoded rings, like TopoJSON:

* ``transform = {"scale": [sx, sy], "translate": [x0, y0]}``;
* ``g`` is a list of polygons, a polygon a list of rings, a ring a flat list
  ``[x0, y0, dx1, dy1, ...]`` of integers; the first pair is absolute (grid
  units from ``translate``), the rest are differences from the previous
  point; rings are open (the closing point is implied).
* decoding: ``lon = x0 + sx * cumsum(x)``, ``lat = y0 + sy * cumsum(y)``.

Flat rings are ~20 % smaller in JSON than lists of pairs. This module imports
no Streamlit: the CLI uses :func:`standalone_html` for exports.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import re
from collections.abc import Mapping
from importlib import resources
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from territory.links import safe_url
from territory.model import END, STATUSES, change_dates, with_validity
from territory.model import actors as model_actors
from territory.style import style_payload

#: Grid step in degrees (~11 m at the equator): far below display tolerance.
QUANTUM = 1e-4
#: Bump when the payload format changes; player.js checks it.
PAYLOAD_VERSION = 2

_ROW = "tp_row_index"


# --------------------------------------------------------------------------
# geometry helpers


def _polygons(geom: BaseGeometry | None) -> list[shapely.Polygon]:
    """Polygon parts of any geometry (collections included), skipping the rest."""
    if geom is None or geom.is_empty:
        return []
    if isinstance(geom, shapely.Polygon):
        return [geom]
    if isinstance(geom, shapely.MultiPolygon | shapely.GeometryCollection):
        out: list[shapely.Polygon] = []
        for part in geom.geoms:
            out.extend(_polygons(part))
        return out
    return []


def _count(geoms: np.ndarray) -> int:
    return int(shapely.get_num_coordinates(geoms).sum()) if len(geoms) else 0


def _simplify(geoms: np.ndarray, tol: float) -> np.ndarray:
    """Fast Douglas-Peucker, redone with ``preserve_topology`` where it broke.

    ``preserve_topology=True`` is ~20x slower (5 s vs 0.25 s on 4.8 M
    vertices); most rings survive the plain algorithm intact, so only the
    geometries that came out invalid or empty pay for the careful one.
    """
    out = shapely.simplify(geoms, tol, preserve_topology=False)
    bad = shapely.is_empty(out) | ~shapely.is_valid(out)
    bad &= ~shapely.is_empty(geoms)
    if bad.any():
        out[bad] = shapely.simplify(geoms[bad], tol, preserve_topology=True)
    return out


def simplify_to_budget(geoms: np.ndarray, max_vertices: int) -> tuple[np.ndarray, float]:
    """Simplify ``geoms`` with about the smallest tolerance that fits ``max_vertices``.

    Returns the geometries and the tolerance used (0.0 when they already fit).
    The tolerance is searched (doubling, then bisection) with the fast
    simplifier on a sample of at most ~400k vertices, then applied to all;
    if the result is still over budget the tolerance grows by 25 % and retries.
    """
    geoms = np.asarray(geoms, dtype=object)
    total = _count(geoms)
    if total <= max_vertices:
        return geoms, 0.0
    step = max(1, math.ceil(total / 400_000))
    sample = geoms[::step]
    budget = max_vertices * _count(sample) / total

    def fits(tol: float) -> bool:
        return _count(shapely.simplify(sample, tol, preserve_topology=False)) <= budget

    lo, hi = 0.0, QUANTUM / 10
    while not fits(hi) and hi < 10:
        lo, hi = hi, hi * 2
    for _ in range(8):
        mid = (lo + hi) / 2
        if fits(mid):
            hi = mid
        else:
            lo = mid
    tol = hi
    out = _simplify(geoms, tol)
    for _ in range(12):
        if _count(out) <= max_vertices:
            break
        tol *= 1.25
        out = _simplify(geoms, tol)
    return out, tol


def _encode_ring(coords: np.ndarray, x0: float, y0: float, q: float) -> list[int] | None:
    """Quantise and delta-encode one ring; None if it collapses below a triangle."""
    grid = np.rint((coords[:, :2] - (x0, y0)) / q).astype(np.int64)
    if len(grid) > 1 and (grid[0] == grid[-1]).all():
        grid = grid[:-1]  # open ring: Leaflet closes polygons itself
    if len(grid) > 1:
        keep = np.ones(len(grid), dtype=bool)
        keep[1:] = (np.diff(grid, axis=0) != 0).any(axis=1)
        grid = grid[keep]
        while len(grid) > 1 and (grid[0] == grid[-1]).all():
            grid = grid[:-1]
    if len(grid) < 3:
        return None
    deltas = np.empty_like(grid)
    deltas[0] = grid[0]
    deltas[1:] = np.diff(grid, axis=0)
    return [int(v) for v in deltas.ravel()]


def encode_geometry(geom: BaseGeometry | None, x0: float, y0: float, q: float) -> list:
    """``[[ring, ...], ...]`` polygons for the payload (see module docstring)."""
    out = []
    for poly in _polygons(geom):
        shell = _encode_ring(np.asarray(poly.exterior.coords), x0, y0, q)
        if shell is None:
            continue
        rings = [shell]
        for hole in poly.interiors:
            enc = _encode_ring(np.asarray(hole.coords), x0, y0, q)
            if enc is not None:
                rings.append(enc)
        out.append(rings)
    return out


def decode_geometry(g: list, transform: Mapping[str, Any]) -> list[list[np.ndarray]]:
    """Inverse of :func:`encode_geometry`: polygons of rings of (lon, lat) arrays."""
    sx, sy = transform["scale"]
    x0, y0 = transform["translate"]
    polys = []
    for poly in g:
        rings = []
        for ring in poly:
            arr = np.cumsum(np.asarray(ring, dtype=np.int64).reshape(-1, 2), axis=0)
            rings.append(np.column_stack([x0 + arr[:, 0] * sx, y0 + arr[:, 1] * sy]))
        polys.append(rings)
    return polys


def count_vertices(g: list) -> int:
    """Vertices in an encoded geometry (open rings)."""
    return sum(len(ring) // 2 for poly in g for ring in poly)


# --------------------------------------------------------------------------
# payload


def _day(ts: object) -> str:
    return pd.Timestamp(ts).strftime("%Y-%m-%d")


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    text = str(value).strip()
    return text or None


def _safe_url(value: object) -> str | None:
    """Only http(s) links reach the page: no javascript: or data: URLs."""
    return safe_url(_text(value))


def _prepare(history: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Minimal normalisation that keeps the caller's row index in ``_ROW``."""
    h = history.copy()
    h[_ROW] = list(history.index)
    if h.crs is not None and not h.crs.equals("EPSG:4326"):
        h = h.to_crs("EPSG:4326")
    if "valid_to" not in h.columns:
        h["valid_to"] = pd.NaT
    for col in ("source", "source_url"):
        if col not in h.columns:
            h[col] = None
    h["date"] = pd.to_datetime(h["date"]).dt.normalize().astype("datetime64[ns]")
    h["valid_to"] = pd.to_datetime(h["valid_to"]).dt.normalize().astype("datetime64[ns]")
    return h


def _basemap_geoms(
    basemap: gpd.GeoDataFrame | None, bbox: tuple[float, float, float, float] | None
) -> np.ndarray:
    """Basemap polygons clipped to a generous box around the data.

    Clipping keeps the payload small for a world basemap; the margin (the data
    extent again, at least 5 degrees) leaves context when zooming out.
    """
    if basemap is None or basemap.empty:
        return np.array([], dtype=object)
    b = basemap if basemap.crs is None or basemap.crs.equals("EPSG:4326") else basemap.to_crs(4326)
    geoms = np.asarray(b.geometry.values, dtype=object)
    geoms = geoms[~shapely.is_empty(geoms) & ~shapely.is_missing(geoms)]
    if bbox is not None:
        minx, miny, maxx, maxy = bbox
        pad = max(maxx - minx, maxy - miny, 5.0)
        box = shapely.box(minx - pad, max(miny - pad, -85), maxx + pad, min(maxy + pad, 85))
        geoms = shapely.intersection(shapely.make_valid(geoms), box)
        geoms = geoms[~shapely.is_empty(geoms)]
    return geoms


def _area(areas: Mapping[Any, float] | None, key: Any) -> float | None:
    if areas is None:
        return None
    val = areas.get(key)
    if val is None or (isinstance(val, float) and math.isnan(val)):
        return None
    return round(float(val), 1)


def build_payload(
    history: gpd.GeoDataFrame,
    colors: Mapping[str, str],
    *,
    basemap: gpd.GeoDataFrame | None = None,
    title: str = "",
    label: str = "",
    attribution: str = "",
    areas: Mapping[Any, float] | None = None,
    legend_areas: Mapping[Any, float] | None = None,
    max_vertices: int = 150_000,
    basemap_max_vertices: int = 40_000,
    quantum: float = QUANTUM,
    extra: Mapping[str, Any] | None = None,
    partial: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Everything the browser player needs, as a JSON-serialisable dict.

    ``areas`` maps the caller's row index to km² (computed on full geometry
    elsewhere), shown in popups; ``legend_areas`` (default: ``areas``) is what
    the legend sums per actor, so overlapping rows of one snapshot can count
    once (see :func:`analysis_payload`). ``colors``
    maps actor to CSS colour; missing actors get a neutral grey. ``extra``
    adds keys (``metrics``, ``places``: see :func:`analysis_payload`). ``partial`` maps actors the
    data models only in part to why; their legend rows say so. The
    style table (:mod:`territory.style`) always travels as ``style``.
    """
    h = _prepare(history)
    dates = change_dates(h) if len(h) else []
    date_index = {pd.Timestamp(d): i for i, d in enumerate(dates)}
    h = with_validity(h) if len(h) else h.assign(**{END: pd.Series([], dtype="datetime64[ns]")})

    geoms = np.asarray(h.geometry.values, dtype=object)
    drawable = np.array(
        [bool(_polygons(g)) for g in geoms] if len(geoms) else [], dtype=bool
    )
    h = h[drawable]
    geoms = geoms[drawable]
    # Draw order inside a status pane: by start date, then actor (stable).
    order = np.lexsort((h["actor"].astype(str).to_numpy(), h["date"].to_numpy()))
    h = h.iloc[order]
    geoms = geoms[order]

    bbox = tuple(float(v) for v in shapely.total_bounds(geoms)) if len(geoms) else None
    base_geoms = _basemap_geoms(basemap, bbox)
    if bbox is None and len(base_geoms):
        bbox = tuple(float(v) for v in shapely.total_bounds(base_geoms))
    if bbox is None:
        bbox = (-180.0, -60.0, 180.0, 75.0)

    simple, _tol = simplify_to_budget(geoms, max_vertices)
    x0 = math.floor(bbox[0] / quantum) * quantum
    y0 = math.floor(bbox[1] / quantum) * quantum
    if len(base_geoms):
        bb = shapely.total_bounds(base_geoms)
        x0 = min(x0, math.floor(bb[0] / quantum) * quantum)
        y0 = min(y0, math.floor(bb[1] / quantum) * quantum)
    x0, y0 = round(x0, 10), round(y0, 10)

    actor_names = [str(a) for a in model_actors(h)] if len(h) else []
    actor_idx = {n: i for i, n in enumerate(actor_names)}
    status_idx = {s: i for i, s in enumerate(STATUSES)}

    features = []
    for row, g in zip(h.itertuples(index=False), simple, strict=True):
        status = str(row.status)
        if status not in status_idx:
            continue
        enc = encode_geometry(g, x0, y0, quantum)
        if not enc:
            continue
        until = getattr(row, END)
        km2 = _area(areas, getattr(row, _ROW))
        lk = {} if legend_areas is None else {"lk": _area(legend_areas, getattr(row, _ROW))}
        features.append(
            {
                "a": actor_idx[str(row.actor)],
                "s": status_idx[status],
                "f": date_index[pd.Timestamp(row.date)],
                "t": None if pd.isna(until) else date_index[pd.Timestamp(until)],
                "km2": km2,
                "src": _text(row.source),
                "url": _safe_url(row.source_url),
                "g": enc,
                **lk,
            }
        )

    base = None
    if len(base_geoms):
        bsimple, _ = simplify_to_budget(base_geoms, basemap_max_vertices)
        base = [e for e in (encode_geometry(g, x0, y0, quantum) for g in bsimple) if e]

    payload: dict[str, Any] = {
        "version": PAYLOAD_VERSION,
        "title": str(title),
        "label": str(label),
        "attribution": str(attribution),
        "dates": [_day(d) for d in dates],
        "actors": [{"name": n, "color": str(colors.get(n, "#777777")),
                    **({"partial": str(partial[n])} if partial and n in partial else {})} for n in actor_names],
        "statuses": list(STATUSES),
        "bounds": [[bbox[1], bbox[0]], [bbox[3], bbox[2]]],
        "basemap": base,
        "transform": {"scale": [quantum, quantum], "translate": [x0, y0]},
        "features": features,
        "style": style_payload(),
        **dict(extra or {}),
    }
    payload["id"] = payload_id(payload)
    return payload


def payload_json(payload: Mapping[str, Any]) -> str:
    """Compact JSON: the form that travels to the browser."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def payload_id(payload: Mapping[str, Any]) -> str:
    """Content hash (ignoring any ``id`` key) so the front end can skip rebuilds."""
    body = {k: v for k, v in payload.items() if k != "id"}
    return hashlib.sha256(payload_json(body).encode("utf-8")).hexdigest()[:16]


def payload_size_bytes(payload: Mapping[str, Any]) -> int:
    """UTF-8 size of the compact JSON (what a rerun or an export costs)."""
    return len(payload_json(payload).encode("utf-8"))


def payload_vertices(payload: Mapping[str, Any]) -> int:
    """Vertices in the features (the ``max_vertices`` budget counts closed rings)."""
    return sum(count_vertices(f["g"]) for f in payload["features"])


# --------------------------------------------------------------------------
# standalone HTML


def _asset(*parts: str) -> str:
    return resources.files("territory").joinpath("assets", *parts).read_text(encoding="utf-8")


def _asset_bytes(*parts: str) -> bytes:
    return resources.files("territory").joinpath("assets", *parts).read_bytes()


def embed_json(payload: Mapping[str, Any]) -> str:
    """JSON safe inside ``<script type="application/json">``.

    ``<``, ``>`` and ``&`` become ``\\u003c`` etc., so no ``</script>`` or
    ``<!--`` can close or confuse the script element; U+2028/9 are escaped
    for old JS parsers. ``JSON.parse`` restores them exactly.
    """
    text = payload_json(payload)
    for raw, esc in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, esc)
    return text


def _inline_script(code: str) -> str:
    return code.replace("</script", "<\\/script").replace("<!--", "<\\!--")


def _leaflet_css_inline() -> str:
    """leaflet.css with its images as data: URIs (no file fetch from disk)."""
    css = _asset("player", "leaflet", "leaflet.css")

    def repl(m: re.Match[str]) -> str:
        name = m.group(1)
        data = base64.b64encode(_asset_bytes("player", "leaflet", "images", name)).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    return re.sub(r"url\(images/([A-Za-z0-9_.-]+\.png)\)", repl, css)


def _sha256_b64(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


_BOOT = """
(function () {
  var el = document.getElementById("tp-data");
  var payload = JSON.parse(el.textContent);
  window.__territoryPlayer = TerritoryPlayer.mount(
    document.getElementById("tp-root"), payload, {index: 0, playing: false, fps: 4});
})();
"""


def standalone_html(payload: Mapping[str, Any]) -> str:
    """One self-contained HTML file: opens from disk, makes no request at all.

    Leaflet and the player are inlined; a Content-Security-Policy allows only
    the inline scripts by hash (so injected markup could not run script even
    if escaping failed), inline styles and data: images, and no fetches. So
    the geometry is inline too: a payload split into chunks
    (:mod:`territory.playerchunks`) is refused; join it first.
    """
    if "chunks" in payload:
        raise ValueError("standalone_html needs every date inline: join the chunks first (playerchunks.join_payload)")
    scripts = [
        _inline_script(_asset("player", "leaflet", "leaflet.js")),
        _inline_script(_asset("player", "labels.js")),
        _inline_script(_asset("player", "chart.js")),  # the area-over-time chart under the controls
        _inline_script(_asset("player", "netchart.js")),  # the net-change bars under it (chart.js mounts them)
        _inline_script(_asset("player", "player.js")),
        _BOOT,
    ]
    styles = _leaflet_css_inline() + "\n" + _asset("player", "player.css")
    csp = "; ".join(
        [
            "default-src 'none'",
            "script-src " + " ".join(f"'sha256-{_sha256_b64(s)}'" for s in scripts),
            "style-src 'unsafe-inline'",
            "img-src data:",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )
    title = html.escape(str(payload.get("title") or "Territorial control"), quote=True)
    body_scripts = "\n".join(f"<script>{s}</script>" for s in scripts)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{html.escape(csp, quote=True)}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{title}</title>\n"
        f"<style>\n{styles}\nhtml,body{{height:100%;margin:0}}"
        "#tp-root{height:100vh}\n</style>\n"
        "</head>\n<body>\n"
        '<div id="tp-root"></div>\n'
        f'<script type="application/json" id="tp-data">{embed_json(payload)}</script>\n'
        f"{body_scripts}\n"
        "</body>\n</html>\n"
    )


def analysis_payload(analysis: Any, *, basemap: gpd.GeoDataFrame | None = None, label: str = "",
                     denominator_index: int = 0, focus: str | None = None, changes: pd.DataFrame | None = None,
                     **kwargs: Any) -> dict[str, Any]:
    """:func:`build_payload` for a :class:`territory.analysis.Analysis`, with measured areas.

    Popups show each row's own km²; the legend sums each snapshot's union once
    (its first row carries the union's km², the others 0), so the legend is the
    same number as ``territory stats``. Rows that are a snapshot on their own
    reuse the measured area; only rows of multi-row snapshots are measured here.
    ``changes`` (:meth:`Analysis.change_series`, cached by the caller) gives the
    key numbers' gained/lost figures.
    """
    from territory.area import area_km2
    from territory.netbars import net_rows

    ds = analysis.dataset
    h = ds.history
    keys = h[["actor", "status", "date"]]
    snaps = analysis.measured.snapshots[["actor", "status", "date", "area_km2"]]
    union = keys.merge(snaps, on=["actor", "status", "date"], how="left")["area_km2"].to_numpy()
    alone = ~keys.duplicated(keep=False).to_numpy()
    own = union.copy()
    if (~alone).any():
        own[~alone] = area_km2(h.geometry.values[~alone])
    first = ~keys.duplicated(keep="first").to_numpy()
    legend = np.where(first, union, 0.0)
    if basemap is None:
        basemap = ds.basemap if ds.basemap is not None else ds.countries
    extra = {"metrics": key_number_rows(analysis, denominator_index, focus, changes=changes),
             "legend": legend_rows(analysis), "places": place_rows(analysis),
             "net": net_rows(analysis, focus)}  # the net-change bars (netchart.js): `territory change --every`
    return build_payload(h, ds.colors, partial=ds.partial, basemap=basemap, title=ds.title, label=label,
                         attribution=ds.attribution or "", areas=dict(zip(h.index, own, strict=True)),
                         legend_areas=dict(zip(h.index, legend, strict=True)), extra=extra, **kwargs)


def _num(v: float | None) -> int | None:
    """Whole km², rounded here as the page's ``f"{v:,.0f}"`` rounds: the player shows these as they come,
    so a figure is never rounded twice (86,500.46 -> 86,500.5 -> "86,501" where the page says 86,500)."""
    return None if v is None or not math.isfinite(v) else round(float(v))


def _pct(v: float | None, digits: int) -> float | None:
    """A percentage rounded to the digits the page prints (``f"{v:.{digits}f}"`` of this is the page's text)."""
    return None if v is None or not math.isfinite(v) else round(float(v), digits)


#: Columns of ``metrics["rows"]`` (the player reads them by name from ``metrics["cols"]``).
METRIC_COLS = ("held", "change", "inside", "pct_peak", "peak_km2", "peak_date", "pct_region",
               "gained", "lost", "settlements", "population", "equivalent")


def key_number_rows(analysis: Any, denominator_index: int = 0, actor: str | None = None, *,
                    changes: pd.DataFrame | None = None, settlements: bool = True) -> dict[str, Any] | None:
    """The focus actor's key numbers at every change date, for the player's panel, display-ready.

    Same source as the exports and ``territory stats`` (:class:`territory.keynumbers.KeyNumberSource`),
    rounded here once to what the page prints (whole km², % of peak to 0.1, % of the region to 0.01),
    so the browser formats and never computes a figure. One row per date, columns :data:`METRIC_COLS`:
    held km², net change since the previous date, km² inside the denominator's outline, % of peak,
    the peak (km², date) it divides by, % of the region, gained / lost km² (``changes``: the rows of
    :meth:`Analysis.change_series`, as ``territory change`` sums them), listed settlements held and their
    population, and the area's size comparison ("about the size of …"). ``headline`` says which area
    the page leads with ("region": inside the outline); ``den`` names the denominator (the one the
    user picked: clipping every snapshot to every region would cost seconds per region).
    """
    from territory.keynumbers import KeyNumberSource

    if not analysis.dates or not analysis.focus_actor:
        return None
    src = KeyNumberSource(analysis, actor=actor, denominator_index=denominator_index)
    den = src.denominator
    steps: dict[pd.Timestamp, tuple[float, float]] = {}
    if changes is not None and len(changes):
        mine = changes[(changes["actor"] == src.actor) & (changes["status"] == "controlled")]
        sums = mine.groupby("date", sort=False)[["gained_km2", "lost_km2"]].sum()
        steps = {pd.Timestamp(d): (float(g), float(lo))
                 for d, g, lo in zip(sums.index, sums["gained_km2"], sums["lost_km2"], strict=True)}
    rows, land_only = [], False
    for day in analysis.dates:
        kn = src.on(day)
        land_only = land_only or kn.land_only
        gained, lost = steps.get(pd.Timestamp(day), (None, None)) if steps else (None, None)
        held_here = settled = None
        if settlements:
            sett = analysis.settlements_at(day)
            mine_s = sett[sett["actor"] == src.actor] if len(sett) else sett
            if len(mine_s):
                held_here, settled = int(mine_s["settlements"].iloc[0]), int(mine_s["population"].iloc[0])
        eq = analysis.equivalent(kn.held_km2) if kn.held_km2 > 0 else None
        rows.append([_num(kn.held_km2), _num(kn.change_km2),
                     _num(kn.area_in_region_km2) if den is not None else None,
                     _pct(kn.pct_of_peak, 1), _num(kn.peak_km2) if kn.peak_km2 > 0 else None,
                     _day(kn.peak_date) if kn.peak_date is not None else None,
                     _pct(kn.pct_of_region, 2), _num(gained), _num(lost), held_here, settled, eq])
    return {"actor": src.actor, "cols": list(METRIC_COLS),
            "partial": analysis.dataset.partial.get(src.actor) if analysis.dataset.partial else None,
            # Where the settlements' population figures come from and how old they are (territory.gazetteer).
            "population_source": analysis.settlement_layer.provenance if settlements else None,
            # As the map page: with a region outline the headline is the area inside it (land only).
            "headline": "region" if land_only else "whole",
            "den": None if den is None else {"region": str(den.region), "label": str(den.label),
                                             "source": str(den.source), "km2": _num(den.km2)},
            "rows": rows}


def legend_rows(analysis: Any) -> dict[str, Any]:
    """The legend's km² for every date: ``rows[i][3 * a + s]`` is actor ``a``'s km² in status ``s``
    (:data:`territory.model.STATUSES` order) in force on date ``i``, whole km², None where it holds none.

    From the area table ``territory stats`` prints (``area_km2``, the union of a snapshot counted once),
    so the browser shows these as they come instead of summing polygons itself. Actors are in
    :func:`territory.model.actors` order, as the payload's ``actors``.
    """
    h = analysis.dataset.history
    names = [str(a) for a in model_actors(h)] if len(h) else []
    t = analysis.table
    pivot = t.pivot_table(index="date", columns=["actor", "status"], values="area_km2", aggfunc="last")
    pivot = pivot.reindex(pd.DatetimeIndex(analysis.dates)).ffill()
    rows = []
    for day in pivot.index:
        now = pivot.loc[day]
        row: list[int | None] = []
        for name in names:
            for status in STATUSES:
                v = now.get((name, status), np.nan)
                row.append(_num(float(v)) if pd.notna(v) and v > 0 else None)
        rows.append(row)
    out: dict[str, Any] = {"actors": names, "statuses": list(STATUSES), "rows": rows}
    region = analysis.region_name() if hasattr(analysis, "region_name") else None
    if region:  # the headline is land inside the region: say why the legend's figure is larger
        out["note"] = (f"Legend km²: each actor's whole area, all its polygons (sea and ground outside {region} "
                       f"included); the headline counts land inside {region} only.")
    return out


def place_rows(analysis: Any) -> list[list[Any]]:
    """Major places to label: ``[name, lat, lon, major]`` (see :mod:`territory.places`)."""
    from territory.places import major_places

    b = analysis.dataset.history.total_bounds
    pad = max(b[2] - b[0], b[3] - b[1]) * 0.1
    bounds = (b[0] - pad, b[1] - pad, b[2] + pad, b[3] + pad)
    return [[p.name, round(p.lat, 4), round(p.lon, 4), int(p.major)]
            for p in major_places(analysis.dataset.settlements, bounds)]
