"""Data exports: the state on a date as GeoJSON/GeoPackage, tables as CSV/JSON.

GIS users get the polygons in force on the day with their validity, area and
source per row; spreadsheet users get the tables through territory.tables,
which neutralises cells a spreadsheet would run as formulas.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from territory import atomicfile
from territory.analysis import Analysis
from territory.area import area_km2
from territory.model import END, to_day
from territory.tables import render

STATE_COLUMNS = ("actor", "status", "date", "valid_until", "as_of", "area_km2", "snapshot_km2", "source",
                 "source_url", "note")
TABLES = ("stats", "change", "claims")


def state_frame(analysis: Analysis, day: object) -> gpd.GeoDataFrame:
    """Rows in force on ``day``: one feature per history row, dates as YYYY-MM-DD.

    ``area_km2`` is the row's own area; ``snapshot_km2`` the union of its
    (actor, status, date) snapshot, the figure ``territory stats`` reports
    (summing ``area_km2`` would count overlapping rows twice).
    """
    d = to_day(day)
    st = analysis.state(d)
    snaps = analysis.measured.snapshots[["actor", "status", "date", "area_km2"]]
    union = st[["actor", "status", "date"]].merge(snaps, on=["actor", "status", "date"], how="left")["area_km2"]
    out = pd.DataFrame({
        "actor": st["actor"].astype(str).to_numpy(),
        "status": st["status"].astype(str).to_numpy(),
        "date": st["date"].dt.strftime("%Y-%m-%d").to_numpy(),
        "valid_until": st[END].dt.strftime("%Y-%m-%d").astype(object).where(st[END].notna(), None).to_numpy(),
        "as_of": d.date().isoformat(),
        "area_km2": area_km2(st.geometry).round(3),
        "snapshot_km2": union.round(3).to_numpy(),
        "source": st["source"].to_numpy(),
        "source_url": st["source_url"].to_numpy(),
        "note": st["note"].to_numpy(),
    })
    geoms = [shapely.MultiPolygon([g]) if isinstance(g, shapely.Polygon) else g for g in st.geometry.values]
    # One geometry type per layer (MultiPolygon), as GeoPackage readers expect.
    return gpd.GeoDataFrame(out, geometry=geoms, crs="EPSG:4326")[[*STATE_COLUMNS, "geometry"]]


def write_state(analysis: Analysis, day: object, out: str | Path, fmt: str | None = None) -> Path:
    """GeoJSON (RFC 7946, lon/lat) or GeoPackage (layer ``state``) of the state on ``day``."""
    out = Path(out)
    fmt = (fmt or out.suffix.lstrip(".")).lower()
    frame = state_frame(analysis, day)
    if fmt == "geojson":
        atomicfile.write_text(out, frame.to_json(drop_id=True, ensure_ascii=False))
    elif fmt == "gpkg":
        def write(tmp: Path) -> None:
            tmp.unlink()  # a new GeoPackage, never a layer added to whatever is there
            frame.to_file(tmp, driver="GPKG", layer="state", engine="pyogrio")

        atomicfile.write_with(out, write)
    else:
        raise ValueError(f"state format must be geojson or gpkg, not {fmt!r}")
    return out


def table_frame(analysis: Analysis, table: str, day: object = None, since: object = None,
                denominator_index: int = 0) -> pd.DataFrame:
    """``stats`` (time series, shares of the chosen denominator), ``change`` (per step, or ``since`` → ``day``
    summary) or ``claims``."""
    if table == "stats":
        from territory.keynumbers import denominator

        return analysis.stats(denominator(analysis, denominator_index))
    if table == "change":
        if since is not None:
            end = day if day is not None else analysis.dates[-1]
            return analysis.compare(since, end)["summary"]
        return analysis.change_series()
    if table == "claims":
        claims = analysis.claims()
        if claims is None:
            raise ValueError("this dataset has no claims ledger")
        return claims
    raise ValueError(f"table must be one of {', '.join(TABLES)}, not {table!r}")


def write_table(analysis: Analysis, table: str, out: str | Path, fmt: str | None = None, *,
                day: object = None, since: object = None, denominator_index: int = 0) -> Path:
    """CSV (formula cells neutralised) or JSON of one table."""
    out = Path(out)
    fmt = (fmt or out.suffix.lstrip(".")).lower()
    text = render(table_frame(analysis, table, day, since, denominator_index), fmt)
    atomicfile.write_text(out, text)
    return out
