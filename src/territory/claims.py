"""The claims ledger: what a published figure implies, set beside what the polygons measure.

For every claim: the km² it implies (unit conversion; a percentage of its
stated baseline), the computed figure at the claim's date under the same
baseline, their difference and ratio, and a verdict.

Verdicts are judged on the quantity the claim states (the tolerances, and why
each is what it is, live in :data:`TOLERANCES`; :func:`verdict_rule` words them
for the README, the Claims page and the PDF report):

* a km² figure (``area_held``, ``area_lost``, ``comparison``) is ``consistent``
  when implied ÷ computed km² lies within ×1.2 (0.83–1.2);
* a percentage (``percent_held``, ``percent_lost`` with a baseline) is
  ``consistent`` when it lies within 2 percentage points of the computed share
  with the same denominator (the km² ratio is shown, never used for the verdict);
* ``overstated`` / ``understated`` outside that band;
* ``baseline unstated`` when a percentage names no baseline: the implied km²
  is then shown as a range over the plausible baselines (the peak, the
  region's outline and official areas) and no single verdict is given;
* ``calibration point`` for rows used to fit the illustrative history: they
  are never independent confirmation.

A claim is checked on the actor's land inside the outline of the region it
names (a percentage of a region: that region), or of the dataset's region when
it names none (the manifest's, else the country a bare history lies in), as the
map page's headline counts it: the same snapshots give the same figure however
they are packaged. Without any region outline, the whole area is used.

``date`` is when the claim was made; the optional ``as_of`` column says which
moment the figure describes when that differs ("peak" for "at its height it
held…", or a date). A comparison or area claim with baseline "peak" is read
as describing the peak too. "Its peak" is always the peak up to the moment
described, never a later one.
"""

from __future__ import annotations

import bisect
import gc
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from territory.area import Measured, area_table
from territory.baselines import Denominator, outline_denominators, region_denominators
from territory.io.dates import family as dates_family
from territory.io.dates import parse_one
from territory.model import END
from territory.report import Report
from territory.safefile import MiB, check_file
from territory.settlements import settlements_gained
from territory.stats import clip

if TYPE_CHECKING:
    from territory.settlements import Holdings

#: Gains over a period: ``baseline`` is the period's first day, ``date`` (or ``as_of``) its last.
GAIN_METRICS = ("area_gained", "percent_gained", "settlements_gained")
METRICS = ("area_held", "area_lost", "percent_held", "percent_lost", "comparison", *GAIN_METRICS)
UNITS = ("km2", "sq_mi", "percent", "settlements")
KM2_PER_SQ_MI = 2.589988110336
CLAIM_COLUMNS = ("id", "date", "actor", "claimant", "metric", "value", "unit", "baseline", "region",
                 "reference", "quote", "source", "source_url", "calibration", "note", "as_of")
REQUIRED = ("date", "metric", "value", "unit")
MAX_CLAIMS = 100_000
MAX_CLAIMS_BYTES = 64 * MiB
#: Largest area a claim may state: the Earth's surface (km²). A larger figure is a typo or an
#: overflow (1e308 sq mi is infinite once converted) and is refused by row and field.
MAX_CLAIM_KM2 = 510_072_000.0


@dataclass(frozen=True)
class Tolerance:
    """How far a claimed figure may sit from the computed one and still be called consistent."""

    quantity: str  # what is compared: "km²" or "percentage points"
    rule: str  # "ratio": implied ÷ computed within [1/value, value]; "points": |claimed − computed| ≤ value
    value: float
    why: str
    #: "count" rule only: the absolute difference always allowed (small counts), beside the ratio.
    floor: float = 0.0


#: The verdict tolerances, one per kind of claimed quantity: the only place they are set.
TOLERANCES: dict[str, Tolerance] = {
    # area_held, area_lost, comparison: the figure is km² (sq mi converted), so it is judged on km².
    "km2": Tolerance(
        "km²", "ratio", 1.2,
        "independent published estimates of the same area on the same day differ by up to about a fifth "
        "(IHS put IS's peak at 90,800 km², others at 88,000; area claims are rounded to two figures), and "
        "an illustrative reconstruction is no more precise than its calibration points"),
    # percent_held, percent_lost: the figure is a share, so it is judged in percentage points against
    # the computed share with the same denominator; a km² ratio would let "80% of Donetsk" pass 70.6%.
    "percent": Tolerance(
        "percentage points", "points", 2.0,
        "spoken shares are rounded to whole points or to halves and thirds, and the official and outline "
        "areas of one country differ by up to 1.5% (Ukraine: 603,628 vs 595,000 km²), which moves a share "
        "by up to 1.5 points"),
    # settlements_gained: the figure is a count of places, judged as a count against the places of the
    # dataset's settlement table (GeoNames cities500 unless the dataset brings its own).
    "settlements": Tolerance(
        "settlements", "count", 1.5,
        "a claimant counts every village and hamlet while the bundled gazetteer lists places of 500 people "
        "or more, and one village at the edge of a polygon flips with a kilometre of drawing; so a count is "
        "consistent within ×1.5 of the computed count, or within 2 settlements of it for small counts",
        floor=2.0),
}
RATIO_TOLERANCE = TOLERANCES["km2"].value
PP_TOLERANCE = TOLERANCES["percent"].value
#: Metrics whose figure is a share of a baseline (judged in points); the others are km².
PERCENT_METRICS = ("percent_held", "percent_lost", "percent_gained")


def verdict_rule() -> str:
    """The verdict rule in words, from :data:`TOLERANCES` (the README, Claims page and report print it)."""
    km, pp, n = TOLERANCES["km2"], TOLERANCES["percent"], TOLERANCES["settlements"]
    return (f"A km² claim is consistent when the implied km² is within ×{km.value:g} of the computed km² "
            f"(implied ÷ computed from {1 / km.value:.2f} to {km.value:.2f}); a percentage claim is consistent "
            f"when it is within {pp.value:g} percentage points of the computed share with the same "
            f"denominator; a settlement count is consistent when it is within ×{n.value:g} of the computed "
            f"count or within {n.floor:g} settlements of it. Outside that: overstated or understated.")


def read_claims(path: str | Path) -> tuple[pd.DataFrame, Report]:
    """Read a claims CSV; every bad cell is reported with its row and field."""
    report = Report()
    path = Path(path)
    name = path.name
    if not check_file(path, name, report, MAX_CLAIMS_BYTES, what="claims file"):
        return pd.DataFrame(columns=CLAIM_COLUMNS), report
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        report.error("claims file not found", file=name, code="missing", hint="check the path")
        return pd.DataFrame(columns=CLAIM_COLUMNS), report
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        report.error(f"claims file cannot be read as CSV ({str(exc).splitlines()[0][:160]})", file=name,
                     code="unreadable", hint="save the ledger as UTF-8 CSV with a header row")
        return pd.DataFrame(columns=CLAIM_COLUMNS), report
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    missing = [c for c in REQUIRED if c not in raw.columns]
    if missing:
        report.error(f"claims file lacks column(s) {', '.join(missing)}", file=name, code="claims-columns",
                     hint=f"a ledger needs at least: {', '.join(REQUIRED)}; optional: {', '.join(c for c in CLAIM_COLUMNS if c not in REQUIRED)}")
        return pd.DataFrame(columns=CLAIM_COLUMNS), report
    for col in CLAIM_COLUMNS:
        if col not in raw.columns:
            raw[col] = ""
    out = raw[list(CLAIM_COLUMNS)].copy()
    if len(out) > MAX_CLAIMS:
        report.error(f"claims file has {len(out):,} rows, more than the limit of {MAX_CLAIMS:,}", file=name,
                     code="too-large", hint="split the ledger")
        return pd.DataFrame(columns=CLAIM_COLUMNS), report
    dates = []
    values = []
    columns = list(out.columns)
    cells = [out[c].astype(object).tolist() for c in columns]  # plain str per cell: no pandas call per row
    for i, values_ in enumerate(zip(*cells, strict=True)):
        row = dict(zip(columns, values_, strict=True))
        where = {"file": name, "row": str(i + 2)}
        text = str(row["date"]).strip()
        day, why = _parse(text) if text else (None, None)
        if day is None:
            dates.append(pd.NaT)
            report.error("date missing" if not text else f"date {why or repr(text[:60]) + ' is not a date'}",
                         field="date", code="bad-date",
                         hint="write YYYY-MM-DD (the 1st of the month if only the month is known)", **where)
        else:
            dates.append(day)
        if row["metric"] not in METRICS:
            report.error(f"metric '{row['metric'][:60]}' is not one of {', '.join(METRICS)}", field="metric",
                         code="bad-metric", hint="pick the metric the claim states", **where)
        if row["unit"] not in UNITS:
            report.error(f"unit '{row['unit'][:60]}' is not one of {', '.join(UNITS)}", field="unit",
                         code="bad-unit", hint="use km2, sq_mi or percent", **where)
        elif row["metric"] in PERCENT_METRICS and row["unit"] != "percent":
            report.error(f"a {row['metric']} claim must have unit 'percent', not '{row['unit']}'", field="unit",
                         code="bad-unit", hint="use unit percent, or metric area_held/area_lost/area_gained for km²",
                         **where)
        elif row["metric"] in ("area_held", "area_lost", "area_gained") and row["unit"] in ("percent", "settlements"):
            report.error(f"an {row['metric']} claim is an area: unit '{row['unit']}' does not fit", field="unit",
                         code="bad-unit", hint="use km2 or sq_mi, or metric percent_held/percent_lost/percent_gained "
                                               "(or settlements_gained for a count)", **where)
        elif (row["metric"] == "settlements_gained") != (row["unit"] == "settlements"):
            report.error(f"unit 'settlements' goes with metric settlements_gained only (here {row['metric']}, "
                         f"{row['unit']})", field="unit", code="bad-unit",
                         hint="a count of places is metric settlements_gained, unit settlements", **where)
        values.append(_check_value(row, where, report))
        if row["metric"] == "comparison" and not str(row["reference"]).strip():
            report.error("a comparison claim needs a 'reference' (e.g. Great Britain (island))", field="reference",
                         code="no-reference", hint="name an entry of the reference-areas table", **where)
        _check_when(row, "baseline", where, report)
        _check_when(row, "as_of", where, report)
        if row["metric"] in GAIN_METRICS:
            _check_period(row, day, where, report)
    if not report.ok:
        return out, report
    out["value"] = np.asarray(values, dtype=float)
    for col in ("baseline", "as_of"):  # dates written one way (ISO) from here on
        out[col] = [_when(v) for v in out[col]]
    out["date"] = pd.to_datetime(pd.Series(dates, index=out.index))
    out["calibration"] = out["calibration"].astype(str).str.strip().str.lower().isin(["true", "1", "yes", "y"])
    out["id"] = [v if str(v).strip() else f"C{i + 1}" for i, v in enumerate(out["id"])]
    report.stats["claims"] = len(out)
    return out, report


#: Date texts parsed once each: a 100,000-row ledger repeats a few thousand dates.
_parse = lru_cache(maxsize=1 << 16)(parse_one)
_family = lru_cache(maxsize=1 << 16)(dates_family)


def _check_value(row: dict, where: dict, report: Report) -> float:
    """The claimed figure: finite, not negative, a percentage at most 100; NaN after reporting why not."""
    text = str(row["value"]).strip().replace(",", "")
    try:
        v = float(text)
    except ValueError:
        report.error(f"value '{str(row['value'])[:60]}' is not a number", field="value", code="bad-value",
                     hint="write the number only, e.g. 90800", **where)
        return np.nan
    if not np.isfinite(v):
        report.error(f"value '{str(row['value'])[:60]}' is not a finite number", field="value", code="bad-value",
                     hint="write the figure the claim states, e.g. 90800 (nan, inf and overflowing numbers are "
                          "refused)", **where)
        return np.nan
    if v < 0:
        report.error(f"value {v:g} is negative", field="value", code="bad-value",
                     hint="write the size of the figure; a loss is metric area_lost or percent_lost", **where)
        return np.nan
    km2 = v * KM2_PER_SQ_MI if row["unit"] == "sq_mi" else v
    if row["unit"] in ("km2", "sq_mi") and not km2 <= MAX_CLAIM_KM2:
        why = ("is infinite once converted to km²" if not math.isfinite(km2)
               else f"is more than the surface of the Earth ({MAX_CLAIM_KM2:,.0f} km²)")
        report.error(f"value {text} {row['unit']} {why}", field="value", code="bad-value",
                     hint="check the figure and its unit (km2 or sq_mi)", **where)
        return np.nan
    if row["unit"] == "settlements" and v != int(v):
        report.error(f"value {text} settlements is not a whole number", field="value", code="bad-value",
                     hint="a settlements_gained claim counts places: write a whole number", **where)
        return np.nan
    if row["unit"] == "percent" and v > 100:
        report.error(f"value {text}% is more than 100%", field="value", code="bad-value",
                     hint="a share is at most 100 percent; check the figure or the unit", **where)
        return np.nan
    return v


def _when(value: object) -> str:
    """A baseline/as_of cell with any date written as YYYY-MM-DD (other text kept)."""
    text = str(value).strip()
    if not text or text.casefold() == "peak":
        return text.casefold() if text else ""
    day, _ = _parse(text)
    return day.date().isoformat() if day is not None and _family(text) != "other" else text


def _check_when(row: dict, col: str, where: dict, report: Report) -> None:
    """``as_of`` is 'peak' or a date; ``baseline`` is 'peak', a date or a region (never a relative word)."""
    text = str(row[col]).strip()
    if not text or text.casefold() == "peak":
        return
    fam = _family(text)
    day, why = _parse(text)
    if fam == "relative" or (fam in ("iso", "day-month", "text") and day is None):
        report.error(f"{col} {why or repr(text) + ' is not a date'}", field=col, code="bad-date",
                     hint=f"{col} is 'peak' or a date (YYYY-MM-DD)" + (" or a region name" if col == "baseline" else ""),
                     **where)
    elif col == "as_of" and day is None:
        report.error(f"as_of '{text[:60]}' is neither 'peak' nor a date", field=col, code="bad-as-of",
                     hint="as_of says which moment the figure describes: 'peak' or a date (YYYY-MM-DD)", **where)


def _check_period(row: dict, day: pd.Timestamp | None, where: dict, report: Report) -> None:
    """A gain is over a period: ``baseline`` (its first day) is a date before ``as_of``/``date`` (its last)."""
    metric, base_text, as_of = row["metric"], str(row["baseline"]).strip(), str(row["as_of"]).strip()
    hint = (f"a {metric} claim is over a period: baseline is its first day and date (or as_of) its last, "
            f"e.g. baseline 2024-09-01, date 2024-09-30 for 'in September'")
    if not base_text:
        report.error(f"a {metric} claim needs a baseline (the first day of the period)", field="baseline",
                     code="no-baseline", hint=hint, **where)
        return
    start = _as_day(_when(base_text))
    if start is None or _family(base_text) == "other":
        if _family(base_text) not in ("relative", "iso", "day-month", "text"):  # else already reported as a bad date
            report.error(f"baseline '{base_text[:60]}' of a {metric} claim is not a date", field="baseline",
                         code="bad-baseline", hint=hint, **where)
        return
    if as_of.casefold() == "peak":
        report.error(f"as_of 'peak' does not fit a {metric} claim (a gain is over a period)", field="as_of",
                     code="bad-as-of", hint=hint, **where)
        return
    end = _as_day(_when(as_of)) if as_of else day
    if end is not None and start >= end:
        report.error(f"baseline {start.date()} is not before the period's end {end.date()} "
                     f"({'as_of' if as_of else 'date'})", field="baseline", code="bad-baseline",
                     hint=hint + "; swap them if they are the wrong way round", **where)


class _Series:
    """One actor's controlled km² over time, with the running peak: O(log n) lookups per claim."""

    def __init__(self, table: pd.DataFrame, actor: str) -> None:
        rows = table[(table["actor"] == actor) & (table["status"] == "controlled")].sort_values("date", kind="stable")
        self.dates = rows["date"].to_numpy(dtype="datetime64[ns]")
        self.km2 = rows["area_km2"].to_numpy(dtype=float)
        self.top = np.maximum.accumulate(self.km2) if len(self.km2) else self.km2
        pos = np.arange(len(self.km2))
        new = np.r_[True, self.km2[1:] > self.top[:-1]] if len(self.km2) else np.zeros(0, bool)
        self.top_at = np.maximum.accumulate(np.where(new, pos, 0)) if len(pos) else pos  # first date of each peak
        self._ns = self.dates.astype("int64").tolist()  # bisect on a list: no numpy call per claim
        self._days = [pd.Timestamp(d) for d in self.dates]

    def _index(self, day: pd.Timestamp | None) -> int:
        if day is None:
            return len(self._ns) - 1
        return bisect.bisect_right(self._ns, pd.Timestamp(day).value) - 1

    def held(self, day: pd.Timestamp) -> float:
        i = self._index(day)
        return float(self.km2[i]) if i >= 0 else 0.0

    def peak(self, until: pd.Timestamp | None = None) -> tuple[float, pd.Timestamp | None]:
        """Largest area on or before ``until`` and its first date: the peak *to date*, never a later one."""
        i = self._index(until)
        if i < 0:
            return 0.0, None
        return float(self.top[i]), self._days[self.top_at[i]]


@dataclass
class ClaimContext:
    """What checking a claim needs: the measured history and the baselines."""

    measured: Measured
    countries: gpd.GeoDataFrame | None = None
    regions: gpd.GeoDataFrame | None = None
    reference_areas: pd.DataFrame | None = None
    focus_actor: str | None = None
    region: str | None = None
    #: What ``regions`` is, for the denominators' source lines.
    regions_source: str = "Natural Earth admin-1 outline"
    _clipped: dict[str, pd.DataFrame | None] = field(default_factory=dict)
    _series: dict[tuple[str, str], _Series] = field(default_factory=dict)
    _geometry: dict[str, object] = field(default_factory=dict)
    _dens: dict[str, list[Denominator]] = field(default_factory=dict)
    _actors: dict[str, set[str]] = field(default_factory=dict)
    _refs: dict[str, tuple[float, str] | None] = field(default_factory=dict)
    _settings: dict[tuple, dict] = field(default_factory=dict)
    #: Settlements for ``settlements_gained``: returns (holdings, settlement table, source); called once, if needed.
    settlements: Callable[[], tuple[Holdings, pd.DataFrame, str]] | None = None
    _measured: dict[str, Measured | None] = field(default_factory=dict)
    _gained: dict[tuple, float] = field(default_factory=dict)
    _places: list = field(default_factory=list)

    def span(self) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
        """First and last snapshot dates: a claim about a day outside them is one the data cannot speak to."""
        if "span" not in self._geometry:
            dates = self.measured.snapshots["date"]
            self._geometry["span"] = (pd.Timestamp(dates.min()), pd.Timestamp(dates.max())) if len(dates) else (None, None)
        return self._geometry["span"]  # type: ignore[return-value]

    def region_geometry(self, region: str):
        """The region's outline (lon/lat): a country or a '+'-joined group of them, else an admin unit."""
        key = region.casefold()
        if key not in self._geometry:
            geom = None
            dens = region_denominators(self.countries, None, region)
            if dens and dens[0].geometry is not None:
                geom = dens[0].geometry
            else:
                geom = next((d.geometry for d in outline_denominators(self.regions, self.regions_source)
                             if d.region.casefold() == key), None)
            self._geometry[key] = geom
        return self._geometry[key]

    def table(self, region: str | None) -> pd.DataFrame | None:
        """Area time series: the actor's land inside ``region``'s outline (the dataset's region when None).

        A region is always clipped to its outline, as the map headline counts it, even when it is the
        dataset's own region: with or without a manifest the same claim gets the same figure. Without
        any region (or outline) it is the whole area of the actor's polygons.
        """
        key = region or ""
        if key not in self._clipped:
            m = self.measured_for(region)
            self._clipped[key] = None if m is None else area_table(m)
        return self._clipped[key]

    def measured_for(self, region: str | None) -> Measured | None:
        """The snapshots :meth:`table` measures (clipped to the region's outline); None for an unknown region."""
        if not region and self.region and self.region_geometry(self.region) is not None:
            region = self.region  # a claim naming no region speaks of the dataset's: as the headline
        key = region or ""
        if key not in self._measured:
            if key == "":
                self._measured[key] = self.measured
            else:
                geom = self.region_geometry(key)
                if geom is not None:
                    self._measured[key] = clip(self.measured, geom)
                elif self.region and key.casefold() == self.region.casefold():
                    self._measured[key] = self.measured_for(None)  # the dataset's own region, no outline
                else:
                    self._measured[key] = None
        return self._measured[key]

    def gained(self, region: str | None, actor: str, start: pd.Timestamp, end: pd.Timestamp) -> float:
        """km² ``actor`` controls on ``end`` and did not on ``start``, inside ``region`` (as :meth:`table`).

        The gained column of ``territory change --from START --to END`` (``--region-filter R`` for a region):
        the formula of :func:`territory.change.compare` on the same (clipped) snapshots, for this one actor
        and without the who-took-from-whom overlays (73 ms of CPU per period on the bundled history).
        """
        key = (region or "", actor, start, end)
        if key not in self._gained:
            m = self.measured_for(region)
            self._gained[key] = 0.0 if m is None else _gained_km2(m, actor, start, end)
        return self._gained[key]

    def settlements_gained(self, region: str | None, actor: str, start: pd.Timestamp,
                           end: pd.Timestamp) -> tuple[int, int, str] | None:
        """(places, population, source) ``actor`` held on ``end`` and not on ``start``; None without a table.

        Unscoped: :func:`territory.settlements.settlements_gained` on the whole settlement table; a region:
        only places whose region (or country) is named so.
        """
        if self.settlements is None:
            return None
        if not self._places:
            self._places.append(self.settlements())
        hold, places, source = self._places[0]
        if not region:
            n, pop = settlements_gained(hold, places, actor, start, end)
            return n, pop, source
        key = region.casefold()
        names = [places[c].astype(str).str.strip().str.casefold() if c in places else None
                 for c in ("region", "country")]
        inside = np.zeros(len(places), dtype=bool)
        for col in names:
            if col is not None:
                inside |= (col == key).to_numpy()
        keep = inside[hold.places]
        names_ = sorted({a for a, _ in hold.holders})
        if actor not in names_:
            return 0, 0, source
        want = 1 + names_.index(actor)
        ok = np.array([False] + [st == "controlled" for _, st in hold.holders])
        a_of = hold.actor_codes()
        c0, c1 = hold.at(start), hold.at(end)
        got = (a_of[c1] == want) & ok[c1] & ~((a_of[c0] == want) & ok[c0]) & keep
        pop = pd.to_numeric(places["population"], errors="coerce").fillna(0).to_numpy()[hold.places] \
            if "population" in places else np.zeros(len(hold.places))
        return int(got.sum()), int(pop[got].sum()), source

    def measured_in(self, region: str | None) -> str | None:
        """The region whose land :meth:`table` measures for a claim about ``region`` (None: the whole area)."""
        region = region or self.region
        return region if region and self.region_geometry(region) is not None else None

    def series(self, region: str | None, actor: str) -> _Series:
        key = (region or "", actor)
        if key not in self._series:
            table = self.table(region)
            self._series[key] = _Series(table if table is not None else pd.DataFrame(
                columns=["date", "actor", "status", "area_km2"]), actor)
        return self._series[key]

    def actors(self, region: str | None) -> set[str]:
        """Actors in :meth:`table` for ``region`` (one set per region, not one per claim)."""
        key = region or ""
        if key not in self._actors:
            table = self.table(region)
            self._actors[key] = set() if table is None else set(table["actor"])
        return self._actors[key]

    def denominators(self, region: str) -> list[Denominator]:
        key = region.casefold()
        if key not in self._dens:
            out = region_denominators(self.countries, self.reference_areas, region)
            if not out:
                out = [d for d in outline_denominators(self.regions, self.regions_source)
                       if d.region.casefold() == key]
            self._dens[key] = out
        return self._dens[key]

    def reference_km2(self, name: str) -> tuple[float, str] | None:
        """km² and full name of a reference area ('Belgium'), looked up once per name."""
        key = name.strip().casefold()
        if key not in self._refs:
            self._refs[key] = self._reference_km2(name)
        return self._refs[key]

    def _reference_km2(self, name: str) -> tuple[float, str] | None:
        ref = self.reference_areas
        if ref is None:
            return None
        rows = ref[ref["name"].astype(str).str.casefold() == name.strip().casefold()]
        if rows.empty:
            rows = ref[ref["name"].astype(str).str.casefold().str.startswith(name.strip().casefold())]
        if rows.empty:
            return None
        return float(rows["km2"].iloc[0]), str(rows["name"].iloc[0])


def _in_force(measured: Measured, actor: str, day: pd.Timestamp) -> shapely.Geometry:
    """The actor's controlled geometry on ``day`` (equal-area), as territory.change picks it: empty if none."""
    s = measured.snapshots
    m = ((s["actor"] == actor) & (s["status"] == "controlled") & (s["date"] <= day)
         & (s[END].isna() | (s[END] > day))).to_numpy()
    idx = np.flatnonzero(m)
    return measured.geometry[idx[-1]] if len(idx) else shapely.Polygon()


def _gained_km2(measured: Measured, actor: str, start: pd.Timestamp, end: pd.Timestamp) -> float:
    """km² held on ``end`` and not on ``start``: ``to − (to ∩ from)``, as :func:`territory.change.compare`."""
    g1, g2 = _in_force(measured, actor, start), _in_force(measured, actor, end)
    return float(max(shapely.area(g2) / 1e6 - shapely.area(shapely.intersection(g1, g2)) / 1e6, 0.0))


def _held(table: pd.DataFrame, actor: str, day: pd.Timestamp) -> float:
    """Area held on ``day`` (the naive lookup; :class:`_Series` is the fast one)."""
    rows = table[(table["actor"] == actor) & (table["status"] == "controlled") & (table["date"] <= day)]
    return float(rows["area_km2"].iloc[-1]) if len(rows) else 0.0


def _peak(table: pd.DataFrame, actor: str, until: pd.Timestamp | None = None) -> tuple[float, pd.Timestamp | None]:
    """Largest controlled area and its date, on or before ``until`` ("its peak" as of a claim)."""
    rows = table[(table["actor"] == actor) & (table["status"] == "controlled")]
    if until is not None:
        rows = rows[rows["date"] <= until]
    if rows.empty:
        return 0.0, None
    i = rows["area_km2"].idxmax()
    return float(rows.at[i, "area_km2"]), pd.Timestamp(rows.at[i, "date"])


@lru_cache(maxsize=4096)
def _as_day(text: str) -> pd.Timestamp | None:
    """``text`` as a day, or None when it is not a date (a region name, 'peak'): parsed once per text."""
    if not text or text.lower() == "peak":
        return None
    try:
        return pd.Timestamp(text)
    except ValueError:
        return None


@lru_cache(maxsize=1 << 16)
def _iso(day: pd.Timestamp) -> str:
    """YYYY-MM-DD of a day (cached: a ledger's claims share few dates)."""
    return day.date().isoformat()


@lru_cache(maxsize=4096)
def _baseline_text(baseline: str) -> str:
    if not baseline:
        return " (baseline unstated)"
    if baseline.lower() == "peak":
        return " of its peak area"
    day = _as_day(baseline)
    return f" of the area held on {day.date()}" if day is not None else f" of {baseline}"


def _describe(row: dict | pd.Series) -> str:
    """The claim in words, e.g. 'lost 99.5% of its peak area'."""
    return _words(float(row["value"]), row["unit"], row["metric"], str(row["baseline"]).strip(), str(row["reference"]))


@lru_cache(maxsize=1 << 14)
def _words(v: float, unit: str, metric: str, baseline: str, reference: str) -> str:
    num = (f"{v:g}%" if unit == "percent" else f"{_number(v)} settlements" if unit == "settlements"
           else f"{_number(v)} {'km²' if unit == 'km2' else 'sq mi'}")
    if metric in GAIN_METRICS:
        return f"gained {num}" + (f" since {baseline}" if baseline else "")
    if metric == "area_held":
        return f"holds {num}"
    if metric == "area_lost":
        since = _baseline_text(baseline).replace(" of the area held on", " since").replace(" of its peak area", " since its peak")
        return f"lost {num}" + ("" if not baseline else since)
    if metric == "percent_held":
        return f"holds {num}{_baseline_text(baseline)}"
    if metric == "percent_lost":
        return f"lost {num}{_baseline_text(baseline)}"
    return f"holds territory the size of {reference}"


def _is_region(baseline: str) -> bool:
    return bool(baseline) and baseline.lower() != "peak" and _as_day(baseline) is None


def _number(v: float) -> str:
    """1,234 / 0.5 / 0.05: never round a small claimed figure to 0."""
    if v == int(v):
        return f"{v:,.0f}"
    return f"{v:,.1f}" if abs(v) >= 1 else f"{v:.2g}"


def _verdict(ratio: float, claimed_pct: float | None = None, computed_pct: float | None = None) -> str:
    """The verdict on the quantity claimed: percentage points for a share, the km² ratio for an area."""
    if claimed_pct is not None and computed_pct is not None:
        gap = claimed_pct - computed_pct
        if abs(gap) <= TOLERANCES["percent"].value:
            return "consistent"
        return "overstated" if gap > 0 else "understated"
    if ratio == math.inf:  # land claimed where the polygons show none
        return "overstated"
    if not math.isfinite(ratio):
        return "cannot check"
    tol = TOLERANCES["km2"].value
    if 1 / tol <= ratio <= tol:
        return "consistent"
    return "overstated" if ratio > 1 else "understated"


def _count_verdict(claimed: float, computed: int) -> str:
    """A count within ×value of the computed count, or within ``floor`` of it (see TOLERANCES['settlements'])."""
    tol = TOLERANCES["settlements"]
    if abs(claimed - computed) <= tol.floor or (computed > 0 and 1 / tol.value <= claimed / computed <= tol.value):
        return "consistent"
    return "overstated" if claimed > computed else "understated"


def evaluate_claims(ledger: pd.DataFrame, ctx: ClaimContext) -> pd.DataFrame:
    """One row per claim with implied and computed km², ratio and verdict.

    Each (region, actor) series is clipped and indexed once; a claim then costs two binary searches,
    so the largest accepted ledger (:data:`MAX_CLAIMS` rows) is checked in seconds (bench/bench_claims.py).
    """
    columns = list(ledger.columns)
    values = [ledger[c].astype(object).tolist() for c in columns]  # plain Python values: fast to index per row
    paused = gc.isenabled()
    gc.disable()  # 100,000 result dicts would trigger a full collection many times over, finding nothing to free
    try:
        rows = [_evaluate(dict(zip(columns, row, strict=True)), ctx) for row in zip(*values, strict=True)]
    finally:
        if paused:
            gc.enable()
    return pd.DataFrame(rows, columns=RESULT_COLUMNS)


#: The columns of :func:`evaluate_claims`, in order (an empty ledger gets them too).
RESULT_COLUMNS = ("id", "date", "actor", "claimant", "claim", "metric", "value", "unit", "baseline", "region",
                  "implied_km2", "implied_low_km2", "implied_high_km2", "computed_km2", "claimed_pct",
                  "computed_pct", "diff_km2", "ratio", "verdict", "basis", "calibration", "quote", "source",
                  "source_url", "as_of")


class _Naive:
    """The per-row pandas lookups evaluate_claims used before :class:`_Series` (bench/bench_claims.py's baseline)."""

    def __init__(self, table: pd.DataFrame, actor: str) -> None:
        self.table, self.actor = table, actor

    def held(self, day: pd.Timestamp) -> float:
        return _held(self.table, self.actor, day)

    def peak(self, until: pd.Timestamp | None = None) -> tuple[float, pd.Timestamp | None]:
        return _peak(self.table, self.actor, until)


def evaluate_claims_naive(ledger: pd.DataFrame, ctx: ClaimContext) -> pd.DataFrame:
    """Same result as :func:`evaluate_claims`, filtering the area table per claim: only a benchmark baseline."""
    return pd.DataFrame([_evaluate(c, ctx, naive=True) for _, c in ledger.iterrows()], columns=RESULT_COLUMNS)


def _setting(ctx: ClaimContext, actor: str, region: str | None, baseline: str, day: pd.Timestamp, as_of: str,
             metric: str, naive: bool) -> dict:
    """Everything about a claim but its figure: the series, the moment described, the baseline areas.

    Claims that share actor, region, baseline, date, as_of and metric share this (computed once).
    """
    if not region and metric in PERCENT_METRICS and _is_region(baseline):
        region = baseline  # "50% of Syria": the share held inside Syria
    out: dict = {"region": region, "early": None}
    table = ctx.table(region)
    if table is None:
        out["early"] = {"verdict": "cannot check", "basis": f"region '{region}' is not in the bundled region layers"}
        return out
    series = _Naive(table, actor) if naive else ctx.series(region, actor)
    if actor not in ctx.actors(region):
        out["early"] = {"verdict": "cannot check", "basis": f"actor '{actor}' is not in the data"}
        return out
    peak_km2, peak_date = series.peak(until=day if as_of in ("", "peak") else _as_day(as_of))
    peak_txt = f"computed peak to date {peak_km2:,.0f} km² on {_iso(peak_date) if peak_date is not None else '?'}"
    if not as_of and baseline.lower() == "peak" and metric in ("area_held", "comparison"):
        as_of = "peak"
    if as_of == "peak":
        held, when = peak_km2, peak_txt
    else:
        at = _as_day(as_of) if as_of else day
        first, last = ctx.span()
        if first is not None and at < first:
            out["early"] = {"as_of": as_of or _iso(day), "verdict": "cannot check",
                            "basis": f"{_iso(at)} is before the data begins ({_iso(first)})"}
            return out
        held, when = series.held(at), f"computed area held on {_iso(at)}"
        if last is not None and at > last:
            when += f" (the data ends on {_iso(last)}: its last state is taken to hold)"
        day = at
    # Which area was measured: land inside the region's outline (as the map headline), or everything.
    inside = ctx.measured_in(region)
    if inside:
        in_region = f" (land inside the {inside} outline, as the map headline)"
    elif region:
        in_region = f" (whole area: no outline of {region} to clip to)"
    else:
        in_region = " (whole area of the actor's polygons: no region to clip to)"
    bases: list[float] = []
    labels: list[str] = []
    if baseline.lower() == "peak":  # baseline areas for a percentage or a loss: the peak, a date, or a region's
        bases, labels = [peak_km2], [peak_txt]
    elif baseline:
        bday = _as_day(baseline)
        first = ctx.span()[0]
        if bday is not None and (first is None or bday < first) and metric != "area_held" and metric != "comparison":
            out["early"] = {"as_of": as_of or _iso(day), "verdict": "cannot check",
                            "basis": f"baseline {_iso(bday)} is before the data begins"
                                     f"{f' ({_iso(first)})' if first is not None else ''}: what was held then "
                                     "is not known"}
            return out
        if bday is not None:
            bases, labels = [series.held(bday)], [f"computed area on {_iso(bday)}"]
        else:
            dens = ctx.denominators(baseline)
            bases, labels = [d.km2 for d in dens], [d.label for d in dens]
    unstated: list[tuple[float, str]] = []
    if not baseline and metric in PERCENT_METRICS:  # the plausible baselines of an unstated percentage
        unstated = [(peak_km2, peak_txt)] + ([(d.km2, d.label) for d in ctx.denominators(region)] if region else [])
    out.update(as_of=as_of, day=day, peak_km2=peak_km2, peak_txt=peak_txt, held=held, when=when,
               in_region=in_region, bases=bases, labels=labels, unstated=unstated)
    return out


def _evaluate(c: dict | pd.Series, ctx: ClaimContext, naive: bool = False) -> dict:
    actor = str(c["actor"]).strip() or (ctx.focus_actor or "")
    region = str(c["region"]).strip() or None
    baseline = str(c["baseline"]).strip()
    day = pd.Timestamp(c["date"])
    out = {
        "id": c["id"], "date": _iso(day), "actor": actor, "claimant": c["claimant"],
        "claim": _describe(c), "metric": c["metric"], "value": c["value"], "unit": c["unit"],
        "baseline": baseline, "region": region or "", "implied_km2": np.nan, "implied_low_km2": np.nan,
        "implied_high_km2": np.nan, "computed_km2": np.nan, "claimed_pct": np.nan, "computed_pct": np.nan,
        "diff_km2": np.nan, "ratio": np.nan, "verdict": "", "basis": "", "calibration": bool(c["calibration"]),
        "quote": c["quote"], "source": c["source"], "source_url": c["source_url"],
    }
    as_of = str(c.get("as_of", "") or "").strip().lower()
    metric, unit, value = c["metric"], c["unit"], float(c["value"])
    if metric in GAIN_METRICS:
        return _evaluate_gain(out, ctx, actor, region, baseline, day, as_of, metric, unit, value)
    key = (actor, region, baseline, day, as_of, metric)
    st = None if naive else ctx._settings.get(key)
    if st is None:
        st = _setting(ctx, actor, region, baseline, day, as_of, metric, naive)
        if not naive:
            ctx._settings[key] = st
    if st["early"] is not None:
        out.update(st["early"])
        return out
    region, day, peak_km2, peak_txt = st["region"], st["day"], st["peak_km2"], st["peak_txt"]
    held, when, in_region = st["held"], st["when"], st["in_region"]
    out["as_of"] = st["as_of"] or out["date"]

    def km2(v: float) -> float:
        return v * KM2_PER_SQ_MI if unit == "sq_mi" else v

    if metric == "area_held":
        implied = km2(value)
        computed = held
        out.update(implied_km2=implied, computed_km2=computed, basis=f"{when}{in_region}")
    elif metric == "area_lost":
        from_peak = baseline.lower() in ("", "peak")
        refs = [peak_km2] if from_peak else st["bases"]
        if not refs:
            out.update(verdict="cannot check", basis=f"baseline '{baseline}' has no area in the data")
            return out
        implied = km2(value)
        computed = refs[0] - held
        out.update(implied_km2=implied, computed_km2=computed,
                   basis=f"computed loss{in_region} from {'the ' + peak_txt if from_peak else baseline} to {day.date()}")
    elif metric == "comparison":
        ref = ctx.reference_km2(str(c["reference"]))
        if ref is None:
            out.update(verdict="cannot check", basis=f"reference '{c['reference']}' is not in the reference-areas table")
            return out
        implied, ref_name = ref
        out.update(implied_km2=implied, computed_km2=held, basis=f"{ref_name} = {implied:,.0f} km² vs {when}{in_region}")
    else:  # percent_held / percent_lost
        lost = metric == "percent_lost"
        if not baseline:
            candidates = [b for b, _ in st["unstated"] if b > 0]
            labels = [label for _, label in st["unstated"]]
            implied_range = [value / 100 * b for b in candidates]
            # A loss is compared with the loss computed from the same baseline, a share held with the area held.
            computed_range = [b - held for b in candidates] if lost else [held] * len(candidates)
            out.update(implied_low_km2=min(implied_range, default=np.nan),
                       implied_high_km2=max(implied_range, default=np.nan),
                       computed_km2=held if not lost else peak_km2 - held, verdict="baseline unstated",
                       claimed_pct=value,
                       basis=f"baseline unstated; area{in_region}; implied km² over plausible baselines: "
                             + "; ".join(labels))
            ratios = [x / y for x, y in zip(implied_range, computed_range, strict=True) if y > 0]
            if ratios:
                out["basis"] += f" — ratio to computed ranges {min(ratios):.2f}–{max(ratios):.2f}"
            return out
        bases, labels = st["bases"], st["labels"]
        if not bases or bases[0] <= 0:
            out.update(verdict="cannot check", basis=f"baseline '{baseline}' has no area in the data")
            return out
        b = bases[0]
        computed_pct = 100 * ((b - held) / b if lost else held / b)
        implied = value / 100 * b
        computed = b - held if lost else held
        basis = f"{'share lost' if lost else 'share held'}: {when}{in_region}, divided by {labels[0]}"
        if len(bases) > 1:
            basis += "; other denominators: " + "; ".join(labels[1:])
            alt = [value / 100 * x for x in bases]
            out.update(implied_low_km2=min(alt), implied_high_km2=max(alt))
        out.update(implied_km2=implied, computed_km2=computed, claimed_pct=value, computed_pct=computed_pct, basis=basis)
    implied, computed = out["implied_km2"], out["computed_km2"]
    out["diff_km2"] = implied - computed
    if computed <= 0 < implied and metric in ("area_lost", "percent_lost"):
        # The claim reports a loss where the polygons show a net gain (or nothing).
        out.update(ratio=np.nan, verdict="overstated",
                   basis=out["basis"] + f"; computed shows a net gain of {-computed:,.0f} km², not a loss")
        if out["calibration"]:
            out["verdict"] = "calibration point"
        return out
    out["ratio"] = implied / computed if computed > 0 else np.inf if implied > 0 else 1.0
    first_day = ctx.span()[0]
    if computed <= 0 < implied and first_day is not None and day < first_day:
        out["basis"] += f"; the data start on {first_day.date()}, after the date the claim describes"
    claimed_pct = out["claimed_pct"] if math.isfinite(out["claimed_pct"]) else None
    computed_pct = out["computed_pct"] if math.isfinite(out["computed_pct"]) else None
    out["verdict"] = _verdict(out["ratio"], claimed_pct, computed_pct)
    if claimed_pct is not None and computed_pct is not None:
        out["basis"] += (f"; judged in percentage points: {claimed_pct:g}% claimed vs {computed_pct:.1f}% computed "
                         f"({claimed_pct - computed_pct:+.1f} points; tolerance ±{TOLERANCES['percent'].value:g})")
    if out["calibration"]:
        out["verdict"] = "calibration point"
    return out


def _in_region_text(ctx: ClaimContext, region: str | None) -> str:
    """Which area was measured: land inside the region's outline (as the map headline), or everything."""
    inside = ctx.measured_in(region)
    if inside:
        return f" (land inside the {inside} outline, as the map headline)"
    if region:
        return f" (whole area: no outline of {region} to clip to)"
    return " (whole area of the actor's polygons: no region to clip to)"


def _evaluate_gain(out: dict, ctx: ClaimContext, actor: str, region: str | None, baseline: str, day: pd.Timestamp,
                   as_of: str, metric: str, unit: str, value: float) -> dict:
    """A gain over a period, ``baseline`` (its first day) to ``as_of``/``date`` (its last).

    km²: what ``territory change --from BASELINE --to DATE`` prints in its gained column (on the claim's
    land); a share: those km² as a percentage of the region's measured area (the denominator of every
    regional percentage); settlements: places held on the last day and not on the first.
    """
    start, end = _as_day(baseline), (_as_day(as_of) if as_of else day)
    out["as_of"] = _iso(end)
    if start is None or end is None or start >= end:  # read_claims refuses these; a frame built by hand may not
        out.update(verdict="cannot check", basis=f"a gain needs a baseline date before its end (baseline "
                                                 f"'{baseline}', end {_iso(end) if end is not None else '?'})")
        return out
    if ctx.table(region) is None:
        out.update(verdict="cannot check", basis=f"region '{region}' is not in the bundled region layers")
        return out
    if actor not in ctx.actors(region):
        out.update(verdict="cannot check", basis=f"actor '{actor}' is not in the data")
        return out
    first, last = ctx.span()
    if first is None or start < first:
        out.update(verdict="cannot check",
                   basis=f"the period starts on {_iso(start)}, before the data begins"
                         f"{f' ({_iso(first)})' if first is not None else ''}: what was held then is not known")
        return out
    period = f"from {_iso(start)} to {_iso(end)}"
    if last is not None and end > last:
        period += f" (the data ends on {_iso(last)}: its last state is taken to hold)"
    in_region = _in_region_text(ctx, region)
    if metric == "settlements_gained":
        got = ctx.settlements_gained(region, actor, start, end)
        if got is None:
            out.update(verdict="cannot check", basis="no settlement table for this dataset")
            return out
        n, pop, source = got
        tol = TOLERANCES["settlements"]
        verdict = _count_verdict(value, n)
        where = f" in {region}" if region else ""
        out.update(ratio=value / n if n else (np.inf if value else 1.0), verdict=verdict,
                   basis=f"computed settlements{where} held on {_iso(end)} and not on {_iso(start)}: {n:,} "
                         f"(population {pop:,}; {source}); judged as a count: {value:g} claimed vs {n:,} "
                         f"(within ×{tol.value:g} or ±{tol.floor:g} settlements)")
    else:
        gained = ctx.gained(region, actor, start, end)
        cmd = f"territory change --from {_iso(start)} --to {_iso(end)}"
        scope = ctx.measured_in(region)
        if scope:
            cmd += f", land inside {scope}"
        basis = f"computed km² gained {period}{in_region} (the gained column of {cmd})"
        if metric == "area_gained":
            out.update(implied_km2=value * KM2_PER_SQ_MI if unit == "sq_mi" else value, computed_km2=gained,
                       basis=basis)
        else:
            dens = ctx.denominators(scope) if scope else []
            if not dens or dens[0].km2 <= 0:
                out.update(verdict="cannot check", computed_km2=gained,
                           basis=basis + "; a share gained needs a region's area: name a region")
                return out
            b = dens[0].km2
            out.update(implied_km2=value / 100 * b, computed_km2=gained, claimed_pct=value,
                       computed_pct=100 * gained / b,
                       basis=basis + f", divided by {dens[0].label}")
            if len(dens) > 1:
                out["basis"] += "; other denominators: " + "; ".join(d.label for d in dens[1:])
        implied, computed = out["implied_km2"], out["computed_km2"]
        out["diff_km2"] = implied - computed
        out["ratio"] = implied / computed if computed > 0 else np.inf if implied > 0 else 1.0
        claimed_pct = out["claimed_pct"] if math.isfinite(out["claimed_pct"]) else None
        computed_pct = out["computed_pct"] if math.isfinite(out["computed_pct"]) else None
        out["verdict"] = _verdict(out["ratio"], claimed_pct, computed_pct)
        if claimed_pct is not None and computed_pct is not None:
            out["basis"] += (f"; judged in percentage points: {claimed_pct:g}% claimed vs {computed_pct:.1f}% "
                             f"computed ({claimed_pct - computed_pct:+.1f} points; tolerance "
                             f"±{TOLERANCES['percent'].value:g})")
    if out["calibration"]:
        out["verdict"] = "calibration point"
    return out
