"""Write a canonical history as GeoParquet, GeoPackage or GeoJSON."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from territory.model import canonical


def write_history(history: gpd.GeoDataFrame, path: str | Path) -> Path:
    """Write a history as GeoParquet, GeoPackage or GeoJSON (by suffix).

    Dates are written as ``YYYY-MM-DD`` text in GeoJSON (which has no date
    type) and as dates elsewhere; reading the file back gives equal rows.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in {".parquet", ".geoparquet", ".gpkg", ".geojson", ".json"}:
        raise ValueError(f"cannot write '{suffix}': use .parquet, .gpkg or .geojson")
    out = canonical(history)
    if path.exists() and suffix in {".gpkg", ".geojson", ".json"}:
        path.unlink()  # GDAL would otherwise add a layer or refuse to overwrite
    if suffix in {".parquet", ".geoparquet"}:
        out.to_parquet(path, index=False, compression="zstd")
    elif suffix == ".gpkg":
        out.to_file(path, driver="GPKG", layer="history", engine="pyogrio")
    else:
        tidy = out.copy()
        for col in ("date", "valid_to"):
            tidy[col] = tidy[col].dt.strftime("%Y-%m-%d")
        tidy.to_file(path, driver="GeoJSON", engine="pyogrio")
    return path
