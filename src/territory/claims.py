"""The claims ledger: what a published figure implies, set beside what the polygons measure.

For every claim: the km² it implies (unit conversion; a percentage of its
stated baseline), the computed figure at the claim's date under the same
baseline, their difference and ratio, and a verdict.

Verdict rule (documented in the README):

* ``consistent`` when the implied km² is within ±20 % of the computed km²
  (ratio 0.83–1.2), or, for percentage claims, within 2 percentage points.
  Published estimates of the same quantity on the same date differ by about
  that much (IHS put the peak at 90,800 km², others at 88,000; spoken
  percentages are rounded), and an illustrative reconstruction is no more
  precise than its calibration points.
* ``overstated`` / ``understated`` outside that band, with the ratio.
* ``baseline unstated`` when a percentage names no baseline: the implied km²
  is then shown as a range over the plausible baselines (the peak, the
  region's outline and official areas) and no single verdict is given.
* ``calibration point`` for rows used to fit the illustrative history: they
  are never independent confirmation.

``date`` is when the claim was made; the optional ``as_of`` column says which
moment the figure describes when that differs ("peak" for "at its height it
held…", or a date). A comparison or area claim with baseline "peak" is read
as describing the peak too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from territory.area import Measured, area_table
from territory.baselines import Denominator, outline_denominators, region_denominators
from territory.io.dates import family as dates_family
from territory.io.dates import parse_one
from territory.report import Report
from territory.safefile import MiB, check_file
from territory.stats import clip

METRICS = ("area_held", "area_lost", "percent_held", "percent_lost", "comparison")
UNITS = ("km2", "sq_mi", "percent")
KM2_PER_SQ_MI = 2.589988110336
CLAIM_COLUMNS = ("id", "date", "actor", "claimant", "metric", "value", "unit", "baseline", "region",
                 "reference", "quote", "source", "source_url", "calibration", "note", "as_of")
REQUIRED = ("date", "metric", "value", "unit")
MAX_CLAIMS = 100_000
MAX_CLAIMS_BYTES = 64 * MiB
RATIO_TOLERANCE = 1.2
PP_TOLERANCE = 2.0


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
    for i, row in out.iterrows():
        where = {"file": name, "row": str(int(i) + 2)}
        text = str(row["date"]).strip()
        day, why = parse_one(text) if text else (None, None)
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
        elif row["metric"] in ("percent_held", "percent_lost") and row["unit"] != "percent":
            report.error(f"a {row['metric']} claim must have unit 'percent', not '{row['unit']}'", field="unit",
                         code="bad-unit", hint="use unit percent, or metric area_held/area_lost for km²", **where)
        elif row["metric"] in ("area_held", "area_lost") and row["unit"] == "percent":
            report.error(f"an {row['metric']} claim is an area: unit 'percent' does not fit", field="unit",
                         code="bad-unit", hint="use km2 or sq_mi, or metric percent_held/percent_lost", **where)
        values.append(_check_value(row, where, report))
        if row["metric"] == "comparison" and not str(row["reference"]).strip():
            report.error("a comparison claim needs a 'reference' (e.g. Great Britain (island))", field="reference",
                         code="no-reference", hint="name an entry of the reference-areas table", **where)
        _check_when(row, "baseline", where, report)
        _check_when(row, "as_of", where, report)
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


def _check_value(row: pd.Series, where: dict, report: Report) -> float:
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
    if row["unit"] == "percent" and v > 100:
        report.error(f"value {v:g}% is more than 100%", field="value", code="bad-value",
                     hint="a share is at most 100 percent; check the figure or the unit", **where)
        return np.nan
    return v


def _when(value: object) -> str:
    """A baseline/as_of cell with any date written as YYYY-MM-DD (other text kept)."""
    text = str(value).strip()
    if not text or text.casefold() == "peak":
        return text.casefold() if text else ""
    day, _ = parse_one(text)
    return day.date().isoformat() if day is not None and dates_family(text) != "other" else text


def _check_when(row: pd.Series, col: str, where: dict, report: Report) -> None:
    """``as_of`` is 'peak' or a date; ``baseline`` is 'peak', a date or a region (never a relative word)."""
    text = str(row[col]).strip()
    if not text or text.casefold() == "peak":
        return
    fam = dates_family(text)
    day, why = parse_one(text)
    if fam == "relative" or (fam in ("iso", "day-month", "text") and day is None):
        report.error(f"{col} {why or repr(text) + ' is not a date'}", field=col, code="bad-date",
                     hint=f"{col} is 'peak' or a date (YYYY-MM-DD)" + (" or a region name" if col == "baseline" else ""),
                     **where)
    elif col == "as_of" and day is None:
        report.error(f"as_of '{text[:60]}' is neither 'peak' nor a date", field=col, code="bad-as-of",
                     hint="as_of says which moment the figure describes: 'peak' or a date (YYYY-MM-DD)", **where)


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
    _clipped: dict[str, pd.DataFrame] = field(default_factory=dict)

    def span(self) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
        """First and last snapshot dates: a claim about a day outside them is one the data cannot speak to."""
        dates = self.measured.snapshots["date"]
        return (pd.Timestamp(dates.min()), pd.Timestamp(dates.max())) if len(dates) else (None, None)

    def region_geometry(self, region: str):
        for layer in (self.countries, self.regions):
            for d in outline_denominators(layer):
                if d.region.casefold() == region.casefold():
                    return d.geometry
        return None

    def table(self, region: str | None) -> pd.DataFrame | None:
        """Area time series, clipped to ``region`` unless it is the whole dataset."""
        key = "" if not region or region == self.region else region
        if key not in self._clipped:
            if key == "":
                self._clipped[key] = area_table(self.measured)
            else:
                geom = self.region_geometry(key)
                if geom is None:
                    return None
                self._clipped[key] = area_table(clip(self.measured, geom))
        return self._clipped[key]

    def denominators(self, region: str) -> list[Denominator]:
        out = region_denominators(self.countries, self.reference_areas, region)
        if not out:
            out = [d for d in outline_denominators(self.regions, self.regions_source)
                   if d.region.casefold() == region.casefold()]
        return out

    def reference_km2(self, name: str) -> tuple[float, str] | None:
        ref = self.reference_areas
        if ref is None:
            return None
        rows = ref[ref["name"].astype(str).str.casefold() == name.strip().casefold()]
        if rows.empty:
            rows = ref[ref["name"].astype(str).str.casefold().str.startswith(name.strip().casefold())]
        if rows.empty:
            return None
        return float(rows["km2"].iloc[0]), str(rows["name"].iloc[0])


def _held(table: pd.DataFrame, actor: str, day: pd.Timestamp) -> float:
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


def _baseline_text(baseline: str) -> str:
    if not baseline:
        return " (baseline unstated)"
    if baseline.lower() == "peak":
        return " of its peak area"
    try:
        return f" of the area held on {pd.Timestamp(baseline).date()}"
    except ValueError:
        return f" of {baseline}"


def _describe(row: pd.Series) -> str:
    """The claim in words, e.g. 'lost 99.5% of its peak area'."""
    v, unit, metric = row["value"], row["unit"], row["metric"]
    baseline = str(row["baseline"]).strip()
    num = f"{v:g}%" if unit == "percent" else f"{_number(v)} {'km²' if unit == 'km2' else 'sq mi'}"
    since = _baseline_text(baseline).replace(" of the area held on", " since").replace(" of its peak area", " since its peak")
    return {
        "area_held": f"holds {num}",
        "area_lost": f"lost {num}" + ("" if not baseline else since),
        "percent_held": f"holds {num}{_baseline_text(baseline)}",
        "percent_lost": f"lost {num}{_baseline_text(baseline)}",
        "comparison": f"holds territory the size of {row['reference']}",
    }[metric]


def _is_region(baseline: str) -> bool:
    if not baseline or baseline.lower() == "peak":
        return False
    try:
        pd.Timestamp(baseline)
    except ValueError:
        return True
    return False


def _number(v: float) -> str:
    """1,234 / 0.5 / 0.05: never round a small claimed figure to 0."""
    if v == int(v):
        return f"{v:,.0f}"
    return f"{v:,.1f}" if abs(v) >= 1 else f"{v:.2g}"


def _verdict(ratio: float, claimed_pct: float | None = None, computed_pct: float | None = None) -> str:
    if claimed_pct is not None and computed_pct is not None and abs(claimed_pct - computed_pct) <= PP_TOLERANCE:
        return "consistent"
    if ratio == np.inf:  # land claimed where the polygons show none
        return "overstated"
    if not np.isfinite(ratio):
        return "cannot check"
    if 1 / RATIO_TOLERANCE <= ratio <= RATIO_TOLERANCE:
        return "consistent"
    return "overstated" if ratio > 1 else "understated"


def evaluate_claims(ledger: pd.DataFrame, ctx: ClaimContext) -> pd.DataFrame:
    """One row per claim with implied and computed km², ratio and verdict."""
    rows = []
    for _, c in ledger.iterrows():
        rows.append(_evaluate(c, ctx))
    return pd.DataFrame(rows)


def _evaluate(c: pd.Series, ctx: ClaimContext) -> dict:
    actor = str(c["actor"]).strip() or (ctx.focus_actor or "")
    region = str(c["region"]).strip() or None
    baseline = str(c["baseline"]).strip()
    day = pd.Timestamp(c["date"])
    out = {
        "id": c["id"], "date": day.date().isoformat(), "actor": actor, "claimant": c["claimant"],
        "claim": _describe(c), "metric": c["metric"], "value": c["value"], "unit": c["unit"],
        "baseline": baseline, "region": region or "", "implied_km2": np.nan, "implied_low_km2": np.nan,
        "implied_high_km2": np.nan, "computed_km2": np.nan, "claimed_pct": np.nan, "computed_pct": np.nan,
        "diff_km2": np.nan, "ratio": np.nan, "verdict": "", "basis": "", "calibration": bool(c["calibration"]),
        "quote": c["quote"], "source": c["source"], "source_url": c["source_url"],
    }
    if not region and c["metric"] in ("percent_held", "percent_lost") and _is_region(baseline):
        region = baseline  # "50% of Syria": the share held inside Syria
    table = ctx.table(region)
    if table is None:
        out.update(verdict="cannot check", basis=f"region '{region}' is not in the bundled region layers")
        return out
    if actor not in set(table["actor"]):
        out.update(verdict="cannot check", basis=f"actor '{actor}' is not in the data")
        return out
    as_of = str(c.get("as_of", "") or "").strip().lower()
    peak_km2, peak_date = _peak(table, actor, until=day if as_of in ("", "peak") else pd.Timestamp(as_of))
    peak_txt = f"computed peak {peak_km2:,.0f} km² on {peak_date.date() if peak_date is not None else '?'}"
    if not as_of and baseline.lower() == "peak" and c["metric"] in ("area_held", "comparison"):
        as_of = "peak"
    if as_of == "peak":
        held, when = peak_km2, peak_txt
    else:
        at = pd.Timestamp(as_of) if as_of else day
        first, last = ctx.span()
        if first is not None and at < first:
            out.update(as_of=as_of or out["date"], verdict="cannot check",
                       basis=f"{at.date()} is before the data begins ({first.date()})")
            return out
        held, when = _held(table, actor, at), f"computed area held on {at.date()}"
        if last is not None and at > last:
            when += f" (the data ends on {last.date()}: its last state is taken to hold)"
        day = at
    out["as_of"] = as_of or out["date"]
    metric, unit, value = c["metric"], c["unit"], float(c["value"])
    in_region = f" within {region}" if region and region != ctx.region else ""

    def km2(v: float) -> float:
        return v * KM2_PER_SQ_MI if unit == "sq_mi" else v

    def base_km2(label: str) -> tuple[list[float], list[str]]:
        """Baseline areas for a percentage: the peak, a date, or a region's denominators."""
        if label.lower() == "peak":
            return [peak_km2], [peak_txt]
        try:
            bday = pd.Timestamp(label)
            return [_held(table, actor, bday)], [f"computed area on {bday.date()}"]
        except ValueError:
            pass
        dens = ctx.denominators(label)
        return [d.km2 for d in dens], [d.label for d in dens]

    if metric == "area_held":
        implied = km2(value)
        computed = held
        out.update(implied_km2=implied, computed_km2=computed, basis=f"{when}{in_region}")
    elif metric == "area_lost":
        ref_km2 = peak_km2 if baseline.lower() in ("", "peak") else base_km2(baseline)[0][0]
        implied = km2(value)
        computed = ref_km2 - held
        out.update(implied_km2=implied, computed_km2=computed,
                   basis=f"computed loss{in_region} from {'the ' + peak_txt if baseline.lower() in ('', 'peak') else baseline} to {day.date()}")
    elif metric == "comparison":
        ref = ctx.reference_km2(str(c["reference"]))
        if ref is None:
            out.update(verdict="cannot check", basis=f"reference '{c['reference']}' is not in the reference-areas table")
            return out
        implied, ref_name = ref
        out.update(implied_km2=implied, computed_km2=held, basis=f"{ref_name} = {implied:,.0f} km² vs {when}")
    else:  # percent_held / percent_lost
        lost = metric == "percent_lost"
        if not baseline:
            candidates = [peak_km2]
            labels = [peak_txt]
            if region:
                dens = ctx.denominators(region)
                candidates += [d.km2 for d in dens]
                labels += [d.label for d in dens]
            candidates = [b for b in candidates if b > 0]
            implied_range = [value / 100 * b for b in candidates]
            # A loss is compared with the loss computed from the same baseline, a share held with the area held.
            computed_range = [b - held for b in candidates] if lost else [held] * len(candidates)
            out.update(implied_low_km2=min(implied_range), implied_high_km2=max(implied_range),
                       computed_km2=held if not lost else peak_km2 - held, verdict="baseline unstated",
                       claimed_pct=value,
                       basis="baseline unstated; implied km² over plausible baselines: " + "; ".join(labels))
            ratios = [x / y for x, y in zip(implied_range, computed_range, strict=True) if y > 0]
            if ratios:
                out["basis"] += f" — ratio to computed ranges {min(ratios):.2f}–{max(ratios):.2f}"
            return out
        bases, labels = base_km2(baseline)
        if not bases or bases[0] <= 0:
            out.update(verdict="cannot check", basis=f"baseline '{baseline}' has no area in the data")
            return out
        b = bases[0]
        computed_pct = 100 * ((b - held) / b if lost else held / b)
        implied = value / 100 * b
        computed = b - held if lost else held
        basis = f"{'share lost' if lost else 'share held'}{in_region} ({when}) of {labels[0]}"
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
    first_day = table["date"].min()
    if computed <= 0 < implied and day < first_day:
        out["basis"] += f"; the data start on {first_day.date()}, after the date the claim describes"
    claimed_pct = out["claimed_pct"] if np.isfinite(out["claimed_pct"]) else None
    computed_pct = out["computed_pct"] if np.isfinite(out["computed_pct"]) else None
    out["verdict"] = _verdict(out["ratio"], claimed_pct, computed_pct)
    if (out["verdict"] == "consistent" and claimed_pct is not None and computed_pct is not None
            and not 1 / RATIO_TOLERANCE <= out["ratio"] <= RATIO_TOLERANCE):
        out["basis"] += (f"; consistent by the {PP_TOLERANCE:g}-point rule only ({claimed_pct:g}% claimed vs "
                         f"{computed_pct:.2f}% computed; the km² differ ×{out['ratio']:.2f})")
    if out["calibration"]:
        out["verdict"] = "calibration point"
    return out
