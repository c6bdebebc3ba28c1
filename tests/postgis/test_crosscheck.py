"""PostGIS's ellipsoidal ST_Area(geography) agrees with our EPSG:6933 areas on the bundled history."""

from __future__ import annotations

import numpy as np
import pandas as pd

from territory.analysis import Analysis
from territory.datasets import bundled_path, load_dataset
from territory.store import postgis as store

#: PostGIS joins vertices by geodesics, GeoJSON (and we) by straight lines in lon/lat; cutting every edge
#: to 0.01° (about 1 km) first makes both describe the same polygon.
SEGMENT_DEG = 0.01
TOLERANCE = 1e-4  # 0.01 %


def test_st_area_geography_agrees_within_a_hundredth_of_a_percent(pg_url):
    from sqlalchemy import text

    store.init(pg_url)
    store.import_dataset(pg_url, bundled_path())
    with store.engine(pg_url).connect() as conn:
        theirs = pd.read_sql(text(
            "SELECT actor, status, date, ST_Area(ST_Segmentize(ST_Union(geom), :seg)::geography, true) / 1e6 AS km2 "
            "FROM territory.history GROUP BY actor, status, date"), conn, params={"seg": SEGMENT_DEG})
    theirs["date"] = pd.to_datetime(theirs["date"])
    ours = Analysis.of(load_dataset(bundled_path())).measured.snapshots[["actor", "status", "date", "area_km2"]]
    both = ours.merge(theirs, on=["actor", "status", "date"], how="outer", validate="one_to_one")
    assert both[["area_km2", "km2"]].notna().all().all(), "the two sides hold different snapshots"
    assert len(both) == len(ours) > 100
    total_ours, total_theirs = both["area_km2"].sum(), both["km2"].sum()
    assert abs(total_ours / total_theirs - 1) < TOLERANCE, (total_ours, total_theirs)
    held = both[both["km2"] > 0]
    rel = np.abs(held["area_km2"] / held["km2"] - 1)
    worst = held.assign(rel=rel).sort_values("rel").iloc[-1]
    print(f"snapshots {len(held)}, total ours {total_ours:.1f} vs PostGIS {total_theirs:.1f} km², "
          f"max relative difference {rel.max():.2e}")
    assert rel.max() < TOLERANCE, worst.to_dict()
    # Empty snapshots ("holds nothing from this day") are empty on both sides.
    assert (both.loc[both["km2"] == 0, "area_km2"] == 0).all()
