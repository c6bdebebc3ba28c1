"""Generated test data of the kind a Ukraine analyst brings: not the bundled history.

* ``make_archive``: a folder of property-less daily GeoJSON snapshots (one
  file per day, date only in the file name) of an occupied zone in eastern and
  southern Ukraine whose front moves every day. The zone reaches into the Sea
  of Azov and a little into Russia, as real front-line polygons do.
* ``make_district_layer``: a user's own region layer: a grid of "districts"
  over eastern Ukraine in a projected CRS (UTM 37N) with its own name column,
  written as a GeoPackage.
* ``archive_fixtures``: the ``ua`` / ``ua_analysis`` pytest fixtures of such an
  archive, for test modules that differ only in its length.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

START = pd.Timestamp("2022-03-01")


def front(day: int, days: int, points: int = 120) -> shapely.Polygon:
    """The occupied zone on ``day``: east of a wiggly front line, from Crimea to the Russian border."""
    t = day / max(days - 1, 1)
    lat = np.linspace(44.3, 50.4, points)
    # The front crosses Donetsk oblast and moves east over time (the zone shrinks), with daily wiggle;
    # in the south it runs west of Crimea, so the zone takes in the Sea of Azov.
    lon = 36.6 + 1.3 * t + 0.4 * np.sin(2.5 * lat) - 2.8 * (lat < 46.3) * (1 - t)
    lon = lon + 0.05 * np.sin(9 * lat + day / 5)
    # East: roughly the Russian border (a little over it), then south through the Sea of Azov.
    east_x, east_y = [38.3, 40.2, 39.8, 38.3, 38.3], [50.4, 49.6, 48.3, 47.1, 44.3]
    ring = np.column_stack([np.r_[lon, east_x], np.r_[lat, east_y]])
    return shapely.make_valid(shapely.Polygon(ring))


def make_archive(folder: Path, days: int = 300) -> list[str]:
    """Write ``days`` snapshot files named YYYY-MM-DD.geojson, geometry only; return the dates."""
    folder.mkdir(parents=True, exist_ok=True)
    dates = []
    for d in range(days):
        day = (START + pd.Timedelta(days=d)).strftime("%Y-%m-%d")
        gpd.GeoDataFrame(geometry=[front(d, days)], crs=4326).to_file(folder / f"{day}.geojson", engine="pyogrio")
        dates.append(day)
    return dates


def district_grid() -> gpd.GeoDataFrame:
    """A 4 × 3 grid of 1° × 1° 'districts' over eastern Ukraine, lon/lat, with a 'district_name' column."""
    cells, names = [], []
    for i, x in enumerate(np.arange(35.0, 39.0)):
        for j, y in enumerate(np.arange(47.0, 50.0)):
            cells.append(shapely.box(x, y, x + 1, y + 1))
            names.append(f"District {chr(65 + i)}{j + 1}")
    return gpd.GeoDataFrame({"district_name": names, "code": range(len(names))}, geometry=cells, crs=4326)


def make_district_layer(path: Path) -> gpd.GeoDataFrame:
    """The grid written in UTM 37N (a projected CRS the loader must transform); returns it in lon/lat."""
    grid = district_grid()
    grid.to_crs(32637).to_file(path, driver="GPKG", engine="pyogrio")
    return grid


def archive_fixtures(days: int, actor: str = "Occupied") -> tuple:
    """Module-scoped pytest fixtures over one archive of ``days`` daily snapshots: ``ua`` (its folder)
    and ``ua_analysis`` (it loaded as ``actor``'s, without the cache). A test module binds them by name::

        ua, ua_analysis = archive_fixtures(DAYS)
    """
    import pytest  # here, not at the top: the bench scripts import this module without pytest

    @pytest.fixture(scope="module")
    def ua(tmp_path_factory: pytest.TempPathFactory) -> Path:
        folder = tmp_path_factory.mktemp("ua") / "snapshots"
        make_archive(folder, days)
        return folder

    @pytest.fixture(scope="module")
    def ua_analysis(ua: Path):
        from territory.analysis import Analysis
        from territory.datasets import load_dataset
        from territory.io.options import LoadOptions

        return Analysis.from_paths(load_dataset(ua, LoadOptions(actor=actor)), use_cache=False)

    return ua, ua_analysis
