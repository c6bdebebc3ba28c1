"""The control-history data model and its time semantics.

A *control history* is a GeoDataFrame (EPSG:4326) with one row per polygon
observation:

========== ============================================================
column     meaning
========== ============================================================
date       day the observation starts to hold (datetime64, midnight)
actor      who holds it (canonical display name)
status     one of ``controlled``, ``contested``, ``claimed``
geometry   Polygon or MultiPolygon, lon/lat
valid_to   optional day from which the row no longer holds (exclusive)
source     optional free text naming the source
source_url optional link to the source
note       optional free text
========== ============================================================

Semantics: the state of ``(actor, status)`` at day ``D`` is made of the rows of
that pair whose ``date`` is the latest ``date <= D`` among the pair's rows,
minus those that have expired (``valid_to`` set and ``<= D``). Several rows
with the same ``(actor, status, date)`` together form one snapshot (their union
is what the actor holds). A snapshot therefore lasts until the next snapshot of
the same pair, or until its ``valid_to``, whichever comes first. An empty
geometry row is a valid way to say "nothing held from this day on".

Keeping ``contested`` and ``claimed`` apart from ``controlled`` follows the
practice of real sources (a grey "unknown" zone, ISW's "claimed" layers).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

STATUSES: tuple[str, ...] = ("controlled", "contested", "claimed")
REQUIRED_COLUMNS: tuple[str, ...] = ("date", "actor", "status", "geometry")
OPTIONAL_COLUMNS: tuple[str, ...] = ("valid_to", "source", "source_url", "note")
HISTORY_COLUMNS: tuple[str, ...] = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
CRS = "EPSG:4326"

#: Column holding the exclusive end of each row's validity (derived).
END = "valid_until"


def to_day(value: object) -> pd.Timestamp:
    """Parse a date-like value to a midnight Timestamp (raises ValueError)."""
    ts = pd.Timestamp(value)
    if ts is pd.NaT:
        raise ValueError(f"not a date: {value!r}")
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)  # keep the local day, as the loaders do
    return ts.normalize()


def empty_history() -> gpd.GeoDataFrame:
    """A history with the canonical columns and no rows."""
    frame = pd.DataFrame(
        {
            "date": pd.Series([], dtype="datetime64[ns]"),
            "actor": pd.Series([], dtype=object),
            "status": pd.Series([], dtype=object),
            "valid_to": pd.Series([], dtype="datetime64[ns]"),
            "source": pd.Series([], dtype=object),
            "source_url": pd.Series([], dtype=object),
            "note": pd.Series([], dtype=object),
        }
    )
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=CRS), crs=CRS)[
        list(HISTORY_COLUMNS)
    ]


def canonical(history: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return ``history`` with the canonical columns, dtypes and row order.

    Sorting by (date, actor, status) makes two loads of the same data compare
    equal row by row, which the round-trip guarantee relies on.
    """
    out = history.copy()
    for col in OPTIONAL_COLUMNS:
        if col not in out.columns:
            out[col] = pd.NaT if col == "valid_to" else None
    out["date"] = pd.to_datetime(out["date"]).dt.normalize().astype("datetime64[ns]")
    out["valid_to"] = pd.to_datetime(out["valid_to"]).dt.normalize().astype("datetime64[ns]")
    for col in ("actor", "status", "source", "source_url", "note"):
        values = out[col].astype(object)
        out[col] = values.where(values.notna(), None)
    out = out[list(HISTORY_COLUMNS)]
    if out.crs is None:
        out = out.set_crs(CRS)
    out = out.sort_values(["date", "actor", "status"], kind="stable").reset_index(drop=True)
    return out


def with_validity(history: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Add ``valid_until``: the exclusive end of each row's validity.

    It is the next snapshot date of the same (actor, status), or ``valid_to``
    if earlier; NaT means "still holds".
    """
    out = history.copy()
    if out.empty:
        out[END] = pd.Series([], dtype="datetime64[ns]")
        return out
    keys = out[["actor", "status", "date"]].drop_duplicates().sort_values("date")
    keys["next"] = keys.groupby(["actor", "status"])["date"].shift(-1)
    out = out.merge(keys, on=["actor", "status", "date"], how="left", sort=False)
    end = out["next"]
    vt = out["valid_to"]
    earlier = vt.notna() & (end.isna() | (vt < end))
    out[END] = end.where(~earlier, vt).astype("datetime64[ns]")
    out = out.drop(columns="next")
    return gpd.GeoDataFrame(out, geometry="geometry", crs=history.crs)


def change_dates(history: gpd.GeoDataFrame) -> list[pd.Timestamp]:
    """Sorted days on which anything in the history changes."""
    days = pd.concat([history["date"], history["valid_to"].dropna()])
    return [pd.Timestamp(d) for d in np.sort(days.unique())]


def active_mask(history: gpd.GeoDataFrame, day: object) -> np.ndarray:
    """Boolean mask of rows of a ``with_validity`` history in force on ``day``."""
    d = to_day(day)
    start_ok = history["date"].to_numpy() <= np.datetime64(d)
    end = history[END]
    end_ok = (end.isna() | (end > d)).to_numpy()
    return start_ok & end_ok


def state_at(history: gpd.GeoDataFrame, day: object) -> gpd.GeoDataFrame:
    """Rows in force on ``day`` (any day, not only snapshot days)."""
    h = history if END in history.columns else with_validity(history)
    out = h[active_mask(h, day)]
    geoms = out.geometry.values
    return out[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]


def actors(history: gpd.GeoDataFrame) -> list[str]:
    """Actors in order of first appearance, then name: a stable legend order."""
    if history.empty:
        return []
    first = history.groupby("actor")["date"].min().reset_index()
    return first.sort_values(["date", "actor"])["actor"].tolist()


def snapshot_keys(history: gpd.GeoDataFrame) -> pd.DataFrame:
    """Distinct (actor, status, date) snapshots with their validity end."""
    h = history if END in history.columns else with_validity(history)
    return (
        h[["actor", "status", "date", END]]
        .drop_duplicates(["actor", "status", "date"])
        .reset_index(drop=True)
    )

