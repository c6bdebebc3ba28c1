"""Write a canonical history as GeoParquet, GeoPackage or GeoJSON."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from territory import atomicfile
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

    def write(tmp: Path) -> None:
        if suffix in {".parquet", ".geoparquet"}:
            out.to_parquet(tmp, index=False, compression="zstd")
            return
        tmp.unlink()  # GDAL would otherwise add a layer to (or refuse) the empty placeholder
        if suffix == ".gpkg":
            out.to_file(tmp, driver="GPKG", layer="history", engine="pyogrio")
        else:
            tidy = out.copy()
            for col in ("date", "valid_to"):
                tidy[col] = tidy[col].dt.strftime("%Y-%m-%d")
            tidy.to_file(tmp, driver="GeoJSON", layer=path.stem, engine="pyogrio")  # named for the final file

    # Whole or absent: a failed or killed write leaves any previous file as it was.
    return atomicfile.write_with(path, write)
