"""The brief: what conflict monitors publish each month, built from the data (``territory brief``).

One core, :func:`build_brief`, gathers every figure of a period D1..D2 from the
functions the other commands print, so each number in the brief is the one a
command gives:

* change per actor/status: ``territory change --from D1 --to D2`` (baseline: the
  state on D1; daily rate: net ÷ the period's days);
* the same-length periods before, for the bar chart: each is
  ``territory change --from A --to B`` (and a month D1..D2 chained as
  ``--every month`` chains it is that command's row);
* by region: km² held on D1 and D2 as ``territory regions --date``, gained/lost
  inside each region from the same overlay as the change;
* patches: ``territory change --table patches``; settlements that changed hands:
  ``territory settlements --from D1 --to D2``; claims dated in the period with
  their verdicts: ``territory claims`` rows.

Only data up to D2 is used (as of D2): a D2 after the data ends, or a D1 before
it begins, is refused. :func:`brief_markdown` writes the document as Markdown;
:mod:`territory.export.brief` writes it as a PDF.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

from territory.analysis import Analysis
from territory.model import to_day
from territory.patches import Patches

#: Bars before the period asked for (e.g. the six months before a monthly brief).
PREVIOUS = 6
#: Patches listed (the largest first); the PDF draws small maps of the first :data:`MAPPED_PATCHES`.
TOP_PATCHES = 10
MAPPED_PATCHES = 6
#: Smaller km² than this (overlay rounding) is no change of a region.
EPS_KM2 = 0.0005
REGION_COLUMNS = ["region", "country", "actor", "area_from_km2", "area_to_km2", "gained_km2", "lost_km2", "net_km2"]
OUTSIDE = "(outside every region)"


def check_dates(an: Analysis, start: object, end: object) -> tuple[pd.Timestamp, pd.Timestamp]:
    """D1 and D2 as days, refused (ValueError, with what to do) when reversed or outside the data."""
    for name, value in (("--from", start), ("--to", end)):
        if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            raise ValueError(f"{name} {value!r}: dates must be YYYY-MM-DD")  # pandas reads "June" as year 1
    try:
        d1, d2 = to_day(start), to_day(end)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"--from/--to must be dates (YYYY-MM-DD): {exc}") from None
    if d2 <= d1:
        raise ValueError(f"--to {d2.date()} is not after --from {d1.date()}: a brief covers a period; swap them "
                         "or widen it")
    if not an.dates:
        raise ValueError("the data holds no dates")
    first, last = an.dates[0], last_day(an)
    if d1 < first:
        raise ValueError(f"--from {d1.date()} is before the data begins ({first.date()}): a change since a day "
                         "nothing was mapped cannot be measured; start on or after it")
    if d2 > last:
        raise ValueError(f"--to {d2.date()} is after the data ends ({last.date()}): a brief as of a day the data "
                         "does not reach would state a guess; end on or before it")
    return d1, d2


def last_day(an: Analysis) -> pd.Timestamp:
    """The last day the data speaks of: its last snapshot date (a daily archive's latest day is the news)."""
    return pd.Timestamp(an.measured.snapshots["date"].max()).normalize()


def default_start(an: Analysis, end: object) -> pd.Timestamp:
    """A month before ``end`` (a monthly brief), or the data's first day if that is later."""
    return max(_shift(to_day(end), -1), an.dates[0])


def _month_end(d: pd.Timestamp) -> bool:
    return d.is_month_end


def _shift(d: pd.Timestamp, months: int) -> pd.Timestamp:
    """``d`` moved by ``months`` calendar months, a month's last day staying a month's last day."""
    out = d + pd.DateOffset(months=months)
    return out + pd.offsets.MonthEnd(0) if _month_end(d) else out


def calendar_months(d1: pd.Timestamp, d2: pd.Timestamp) -> int:
    """How many whole calendar months D1..D2 spans (0: not whole months).

    Two spellings of "June" both count: 2025-05-31..2025-06-30 (as ``--every month`` chains it) and
    2025-06-01..2025-06-30.
    """
    for n in range(1, 13):
        if _shift(d1, n) == d2 or (d1.day == 1 and _month_end(d2) and d1 + pd.DateOffset(months=n, days=-1) == d2):
            return n
    return 0


def period_label(d1: pd.Timestamp, d2: pd.Timestamp) -> str:
    """'2025-06' for a calendar month, else 'D1 → D2'."""
    if calendar_months(d1, d2) == 1:
        return d2.strftime("%Y-%m")
    return f"{d1.date()} → {d2.date()}"


def previous_bounds(d1: pd.Timestamp, d2: pd.Timestamp, first: pd.Timestamp, n: int = PREVIOUS) -> pd.DataFrame:
    """The period D1..D2 and up to ``n`` periods of the same length just before it, oldest first.

    Whole calendar months step by months; anything else by the same number of days. Periods starting
    before the data begins are left out (nothing mapped, nothing to compare). Columns as
    :func:`territory.periods.period_bounds` (``period``, ``period_start``, ``period_end``, ``date_from``,
    ``date_to``), plus ``current`` (the period asked for).
    """
    months = calendar_months(d1, d2)
    days = (d2 - d1).days
    rows = []
    for k in range(n, -1, -1):
        if months:
            a, b = _shift(d1, -months * k), _shift(d2, -months * k)
            if d1.day == 1 and _month_end(d2) and not _month_end(d1):
                b = a + pd.DateOffset(months=months, days=-1)
        else:
            a, b = d1 - pd.Timedelta(days=days * k), d2 - pd.Timedelta(days=days * k)
        if a < first:
            continue
        rows.append({"period": period_label(a, b), "period_start": a, "period_end": b, "date_from": a,
                     "date_to": b, "current": k == 0})
    return pd.DataFrame(rows)


@dataclass
class Brief:
    """Every figure of a brief, each a table some ``territory`` command prints (see the module doc)."""

    title: str
    date_from: pd.Timestamp
    date_to: pd.Timestamp
    focus: str
    change: pd.DataFrame  # territory change --from --to, summary
    periods: pd.DataFrame  # the periods' change (period_change rows) with ``current``
    periods_left_out: int
    regions: pd.DataFrame
    region_source: str
    patches: Patches
    settlements: pd.DataFrame | None
    settlement_note: str
    claims: pd.DataFrame | None  # None: the dataset has no ledger
    method: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days

    def focus_row(self) -> pd.Series | None:
        c = self.change
        hit = c[(c["actor"] == self.focus) & (c["status"] == "controlled")]
        return hit.iloc[0] if len(hit) else None

    def headline(self) -> str:
        """The one sentence a monitor leads with, its baseline and denominator named."""
        row = self.focus_row()
        if row is None:
            return f"{self.focus} held no controlled ground on {self.date_from.date()} or {self.date_to.date()}."
        text = (f"{self.focus}: net {row['net_km2']:+,.1f} km² from {self.date_from.date()} to "
                f"{self.date_to.date()} (gained {row['gained_km2']:,.1f}, lost {row['lost_km2']:,.1f}; baseline: "
                f"the ground held on {self.date_from.date()}, {row['area_from_km2']:,.1f} km²), "
                f"{row['net_km2_per_day']:+,.2f} km²/day over {self.days} days")
        prev = self.periods[(~self.periods["current"]) & (self.periods["actor"] == self.focus)
                            & (self.periods["status"] == "controlled")]
        if len(prev):
            rate = prev["net_km2"].sum() / prev["days"].sum()
            text += (f", against {rate:+,.2f} km²/day over the {len(prev)} period(s) before "
                     f"({prev['date_from'].min().date()} to {prev['date_to'].max().date()}: net "
                     f"{prev['net_km2'].sum():+,.1f} km² ÷ {int(prev['days'].sum())} days)")
        return text + "."


def region_change(an: Analysis, d1: pd.Timestamp, d2: pd.Timestamp, layer) -> pd.DataFrame:
    """km² held on D1 and D2 (``territory regions --date``), gained, lost and net per region and actor.

    Gained/lost are the change's own pieces (ground held on D2 and not D1, and the reverse) cut by each
    region, so a region's gained − lost is its km² on D2 − on D1. Ground in no region (sea, another
    country) is one more row, so the rows add up to the change per actor.
    """
    from territory.change import _state

    a = {k[0]: g for k, g in _state(an.measured, d1).items() if k[1] == "controlled"}
    b = {k[0]: g for k, g in _state(an.measured, d2).items() if k[1] == "controlled"}
    empty = shapely.Polygon()
    rows = []
    held = an.regions_table([d1, d2], layer) if layer is not None and len(layer) else None
    for actor in sorted(set(a) | set(b)):
        g1, g2 = a.get(actor, empty), b.get(actor, empty)
        if g1 is g2:
            continue
        gained, lost = shapely.difference(g2, g1), shapely.difference(g1, g2)
        total_g, total_l = shapely.area(gained) / 1e6, shapely.area(lost) / 1e6
        if total_g < EPS_KM2 and total_l < EPS_KM2:
            continue
        in_g = np.zeros(len(layer) if layer is not None else 0)
        in_l = np.zeros_like(in_g)
        if layer is not None and len(layer):
            for geom, acc in ((gained, in_g), (lost, in_l)):
                if shapely.is_empty(geom):
                    continue
                hit = layer.tree.query(geom, predicate="intersects")
                if len(hit):
                    acc[hit] = shapely.area(shapely.intersection(geom, layer.equal_area[hit])) / 1e6
            mine = held[held["actor"] == actor]
            for r in np.flatnonzero((in_g >= EPS_KM2) | (in_l >= EPS_KM2)):
                km = mine[mine["region"] == layer.names[r]]
                on = [float(km.loc[km["date"] == d, "area_km2"].sum()) for d in (d1, d2)]
                rows.append((layer.names[r], layer.countries[r], actor, *on, in_g[r], in_l[r]))
        rest_g, rest_l = total_g - in_g.sum(), total_l - in_l.sum()
        if rest_g >= EPS_KM2 or rest_l >= EPS_KM2:
            rows.append((OUTSIDE, "", actor, np.nan, np.nan, max(rest_g, 0.0), max(rest_l, 0.0)))
    out = pd.DataFrame(rows, columns=REGION_COLUMNS[:-1])
    out["net_km2"] = out["gained_km2"] - out["lost_km2"]
    order = np.lexsort((out["region"].to_numpy(), -out["net_km2"].abs().to_numpy()))
    return out.iloc[order].reset_index(drop=True)[REGION_COLUMNS]


def build_brief(an: Analysis, start: object, end: object, *, previous: int = PREVIOUS,
                focus: str | None = None) -> Brief:
    """Every figure of the brief for ``start``..``end`` (see the module doc); raises ValueError on bad dates."""
    from territory.patches import find_patches, population_source, sliver_rule
    from territory.periods import period_change

    d1, d2 = check_dates(an, start, end)
    focus = focus or an.focus_actor
    notes: list[str] = []
    change = an.compare(d1, d2)["summary"]
    bounds = previous_bounds(d1, d2, an.dates[0], previous)
    left_out = previous + 1 - len(bounds)
    periods = period_change(an.measured, bounds.drop(columns="current"))
    periods = periods.merge(bounds[["date_from", "date_to", "current"]], on=["date_from", "date_to"], how="left")
    periods["days"] = (periods["date_to"] - periods["date_from"]).dt.days
    if left_out:
        notes.append(f"{left_out} of the {previous} periods before would start before the data begins "
                     f"({an.dates[0].date()}) and are left out.")
    layer = an.region_layer()
    region_source = "; ".join(dict.fromkeys(layer.sources)) if layer is not None and len(layer) else \
        "no region layer (the data lies in no country of the bundled layers)"
    regions = region_change(an, d1, d2, layer)
    patches = find_patches(an.measured, d1, d2, regions=layer, settlements=an.dataset.settlements,
                           population_source=population_source(an.dataset))
    layer_s = an.settlement_layer
    settlements = an.settlements_changed(d1, d2)
    claims = an.claims()
    if claims is not None:
        when = pd.to_datetime(claims["date"])
        claims = claims[(when >= d1) & (when <= d2)].reset_index(drop=True)
    from territory.area import METHOD
    from territory.claims import verdict_rule

    ds = an.dataset
    method = [
        ("Change", "Each actor's ground on --to against its ground on --from (the baseline), from one overlay: "
                   "gained = held on --to and not on --from, lost = the reverse, net = km² on --to − km² on "
                   "--from; daily rate = net ÷ the days between the two dates. Same figures as "
                   f"'territory change --from {d1.date()} --to {d2.date()}'."),
        ("Periods before", "The bars are the same-length periods just before, each "
                           "'territory change --from A --to B' (whole calendar months step by months). "
                           + (" ".join(notes) if notes else "")),
        ("Regions", f"km² on each date as 'territory regions --date'; region outlines: {region_source}. Gained "
                    "and lost ground cut by each region; ground in no region (sea, another country) is its own row."),
        ("Patches", f"'territory change --table patches': each connected piece that changed hands; {sliver_rule()}."),
        ("Settlements", f"'territory settlements --from --to': places whose holder on --to differs from --from "
                        f"(date: the first day it differed). Settlement table and {layer_s.population_note}."),
        ("Claims", "Claims dated in the period, as 'territory claims' judges them. " + verdict_rule()),
        ("Area", METHOD + "."),
        ("As of", f"Only data up to {d2.date()} is used: nothing later is read or cited."),
        ("Data", f"{ds.title}; read from {an.dates[0].date()} to {d2.date()} "
                 f"({sum(d <= d2 for d in an.dates)} change dates)."
                 + (f" {ds.label}." if ds.label else "")),
        ("Attribution", ds.attribution or "—"),
    ]
    return Brief(ds.title, d1, d2, focus, change, periods, left_out, regions, region_source, patches,
                 settlements, layer_s.population_note, claims, method, notes)


# Markdown -----------------------------------------------------------------------------------------------

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|#"})


def md_cell(value: object) -> str:
    """A table cell: Markdown and HTML specials escaped, line breaks as spaces (a cell is one line)."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)) or value is pd.NA:
        return "—"
    text = " ".join(str(value).split())
    return text.translate(_MD_SPECIAL) or "—"


def km2(v: object, digits: int = 1) -> str:
    """km² as printed in the brief (thousands separated; '—' when unknown)."""
    try:
        f = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "—"
    return f"{f:,.{digits}f}" if np.isfinite(f) else "—"


def md_table(header: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(md_cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(md_cell(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def change_rows(b: Brief) -> list[list[object]]:
    c = b.change
    c = c[(c["area_from_km2"] > 0) | (c["area_to_km2"] > 0)]
    return [[r.actor, r.status, km2(r.area_from_km2), km2(r.area_to_km2), km2(r.gained_km2), km2(r.lost_km2),
             km2(r.net_km2), km2(r.net_km2_per_day, 2)] for r in c.itertuples()]


CHANGE_HEADER = ["actor", "status", "km² on --from (baseline)", "km² on --to", "gained km²", "lost km²",
                 "net km²", "net km²/day"]
PERIOD_HEADER = ["period", "from", "to", "days", "net km²", "net km²/day", "gained km²", "lost km²"]
REGION_HEADER = ["region", "country", "actor", "km² on --from", "km² on --to", "gained km²", "lost km²", "net km²"]
PATCH_HEADER = ["patch", "km²", "from → to", "region", "settlement", "km to it", "description"]
SETTLEMENT_HEADER = ["name", "region", "population", "date", "from", "to"]
CLAIM_HEADER = ["id", "date", "actor", "claim", "claimant", "implied km²", "computed km²", "verdict"]


def period_rows(b: Brief) -> list[list[object]]:
    p = b.periods[(b.periods["actor"] == b.focus) & (b.periods["status"] == "controlled")]
    return [[r.period + (" (this brief)" if r.current else ""), r.date_from.date(), r.date_to.date(), r.days,
             km2(r.net_km2), km2(r.net_km2_per_day, 2), km2(r.gained_km2), km2(r.lost_km2)] for r in p.itertuples()]


def region_rows(b: Brief) -> list[list[object]]:
    return [[r.region, r.country, r.actor, km2(r.area_from_km2), km2(r.area_to_km2), km2(r.gained_km2),
             km2(r.lost_km2), km2(r.net_km2)] for r in b.regions.itertuples()]


def patch_rows(b: Brief, limit: int = TOP_PATCHES) -> list[list[object]]:
    p = b.patches.patches.head(limit)
    return [[r.patch, km2(r.area_km2), f"{r.from_actor} → {r.to_actor}", r.region, r.settlement,
             km2(r.settlement_km), r.description] for r in p.itertuples()]


def settlement_rows(b: Brief, limit: int | None = None) -> list[list[object]]:
    s = b.settlements
    if s is None:
        return []
    s = s.sort_values(["population", "name"], ascending=[False, True], na_position="last", kind="stable")
    if limit is not None:
        s = s.head(limit)
    return [[r.name, r.region, "—" if pd.isna(r.population) else f"{int(r.population):,}", r.date,
             f"{r.from_actor or '(nobody)'} ({r.from_status})" if r.from_actor else "(nobody)",
             f"{r.to_actor or '(nobody)'} ({r.to_status})" if r.to_actor else "(nobody)"] for r in s.itertuples()]


def claim_rows(b: Brief) -> list[list[object]]:
    if b.claims is None:
        return []
    return [[r.id, str(r.date)[:10], r.actor, r.claim, r.claimant, km2(r.implied_km2, 0), km2(r.computed_km2, 0),
             r.verdict] for r in b.claims.itertuples()]


def brief_markdown(b: Brief) -> str:
    """The brief as a plain Markdown document: tables with escaped cells, figures as numbers (no images)."""
    out = [f"# {md_cell(b.title)}: brief, {b.date_from.date()} to {b.date_to.date()}", "",
           md_cell(b.headline()), "",
           f"## Net change, {b.date_from.date()} to {b.date_to.date()} ({b.days} days)", "",
           "Baseline: the ground held on the first date. Daily rate: net ÷ the period's days.", "",
           md_table(CHANGE_HEADER, change_rows(b)), "",
           f"## Against the periods before ({md_cell(b.focus)}, controlled)", "",
           "Each row is `territory change --from FROM --to TO`; the rate is net ÷ days."
           + (" " + " ".join(b.notes) if b.notes else ""), "",
           md_table(PERIOD_HEADER, period_rows(b)), "",
           "## By region (controlled)", "",
           f"Region outlines: {md_cell(b.region_source)}. Largest net change first.", "",
           md_table(REGION_HEADER, region_rows(b)) if len(b.regions) else "No ground changed hands in any region.",
           "", "## Where the front moved: largest patches", ""]
    n = len(b.patches.patches)
    out += [f"{n} patch(es); the {min(n, TOP_PATCHES)} largest. {md_cell(b.patches.sliver_note())}.", "",
            md_table(PATCH_HEADER, patch_rows(b)) if n else "No patch: nothing changed hands.", ""]
    out += ["## Settlements that changed hands", ""]
    if b.settlements is None or b.settlements.empty:
        out += [f"None. ({md_cell(b.settlement_note)})", ""]
    else:
        out += [f"{len(b.settlements):,} settlement(s), most populous first; date: the first day the holder "
                f"differed. {md_cell(b.settlement_note)}.", "", md_table(SETTLEMENT_HEADER, settlement_rows(b)), ""]
    out += ["## Claims dated in the period", ""]
    if b.claims is None:
        out += ["This dataset has no claims ledger.", ""]
    elif b.claims.empty:
        out += [f"No claim in the ledger is dated from {b.date_from.date()} to {b.date_to.date()}.", ""]
    else:
        out += [md_table(CLAIM_HEADER, claim_rows(b)), ""]
    out += ["## Method and sources", ""]
    out += [f"- **{md_cell(head)}**: {md_cell(body)}" for head, body in b.method]
    return "\n".join(out) + "\n"
