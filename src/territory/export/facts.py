"""The numbers and sentences every export prints beside the map.

One place computes them so the PNG, the PDF report and each animation frame
say the same thing: areas per actor on the day, the focus actor's key
numbers, the source line and the method note.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from territory.analysis import Analysis
from territory.area import DENSIFY_DEG, EQUAL_AREA_CRS
from territory.baselines import Denominator
from territory.model import to_day

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
#: Short form of territory.area.METHOD for one-line notes.
AREA_METHOD_SHORT = f"WGS84 ellipsoid via {EQUAL_AREA_CRS} equal-area, edges densified to {DENSIFY_DEG}°"
NATURAL_EARTH = "Made with Natural Earth"
DEFAULT_LABEL = "Illustrative reconstruction"


def long_date(day: object) -> str:
    """'1 June 2015' without depending on the process locale."""
    d = to_day(day)
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def iso(day: object) -> str:
    return to_day(day).date().isoformat()


def signed(km2: float) -> str:
    """'+1,234' / '−1,234' (a true minus sign, as print typesetting expects)."""
    return f"{km2:+,.0f}".replace("-", "\u2212")


Areas = dict[tuple[str, str], float]


class AreaIndex:
    """km² per (actor, status) on any day, looked up in the precomputed area table.

    The state on a day is the state of the last change date on or before it, so
    one dict per change date answers every frame of an animation without pandas.
    """

    def __init__(self, analysis: Analysis) -> None:
        t = analysis.table
        t = t[t["area_km2"] > 0]
        self.dates = np.array(sorted(analysis.dates), dtype="datetime64[ns]")
        self.by_date: dict[np.datetime64, Areas] = {}
        for day, part in t.groupby("date", sort=False):
            self.by_date[np.datetime64(day, "ns")] = {
                (str(a), str(st)): float(v)
                for a, st, v in zip(part["actor"], part["status"], part["area_km2"], strict=True)}

    def on(self, day: object) -> Areas:
        i = int(np.searchsorted(self.dates, np.datetime64(to_day(day), "ns"), side="right")) - 1
        return self.by_date.get(self.dates[i], {}) if i >= 0 else {}


def areas_on(analysis: Analysis, day: object) -> Areas:
    """km² per (actor, status) in force on ``day`` (pairs holding nothing left out)."""
    return AreaIndex(analysis).on(day)


def actor_km2(areas: Areas, actor: str, status: str = "controlled") -> float:
    return areas.get((actor, status), 0.0)


def previous_change(analysis: Analysis, day: object) -> pd.Timestamp | None:
    """The change date before the one that produced the state on ``day``."""
    d = to_day(day)
    dates = [x for x in analysis.dates if x <= d]
    return dates[-2] if len(dates) >= 2 else None


def denominator(analysis: Analysis) -> Denominator | None:
    """The dataset's first (outline) denominator, or None when it has no region layer."""
    try:
        dens = analysis.denominators()
    except (ValueError, KeyError, StopIteration):  # a layer without names: no share, still a map
        return None
    return dens[0] if dens else None


@dataclass
class KeyNumbers:
    """The focus actor's area on a day, against its peak and an earlier date."""

    actor: str
    day: pd.Timestamp
    held_km2: float
    peak_km2: float
    peak_date: pd.Timestamp | None
    since: pd.Timestamp | None
    since_km2: float | None
    denominator: Denominator | None

    @property
    def pct_of_peak(self) -> float | None:
        return 100 * self.held_km2 / self.peak_km2 if self.peak_km2 > 0 else None

    @property
    def change_km2(self) -> float | None:
        return None if self.since_km2 is None else self.held_km2 - self.since_km2

    def lines(self) -> list[str]:
        out = [f"{self.held_km2:,.0f} km² held"]
        if self.pct_of_peak is not None and self.peak_date is not None:
            out.append(f"{self.pct_of_peak:.0f}% of its peak ({self.peak_km2:,.0f} km², {iso(self.peak_date)})")
        if self.change_km2 is not None and self.since is not None:
            out.append(f"{signed(self.change_km2)} km² since {iso(self.since)}")
        if self.denominator is not None and self.denominator.km2 > 0:
            pct = 100 * self.held_km2 / self.denominator.km2
            out.append(f"{pct:.1f}% of {self.denominator.region} ({self.denominator.km2:,.0f} km²)")
        return out


class KeyNumberSource:
    """Precomputes the peak once so every frame of an animation is cheap."""

    def __init__(self, analysis: Analysis, actor: str | None = None) -> None:
        self.analysis = analysis
        self.actor = actor or analysis.focus_actor
        t = analysis.table
        rows = t[(t["actor"] == self.actor) & (t["status"] == "controlled")]
        if len(rows) and rows["area_km2"].max() > 0:
            i = rows["area_km2"].idxmax()
            self.peak_km2, self.peak_date = float(rows.at[i, "area_km2"]), pd.Timestamp(rows.at[i, "date"])
        else:
            self.peak_km2, self.peak_date = 0.0, None
        self.denominator = denominator(analysis)
        self.areas = AreaIndex(analysis)

    def on(self, day: object, areas: Areas | None = None, since: object = None) -> KeyNumbers:
        d = to_day(day)
        areas = self.areas.on(d) if areas is None else areas
        s = to_day(since) if since is not None else previous_change(self.analysis, d)
        since_km2 = actor_km2(self.areas.on(s), self.actor) if s is not None else None
        return KeyNumbers(self.actor, d, actor_km2(areas, self.actor), self.peak_km2, self.peak_date,
                          s, since_km2, self.denominator)


def label_text(analysis: Analysis) -> str | None:
    ds = analysis.dataset
    if not ds.illustrative:
        return ds.label or None
    return ds.label or DEFAULT_LABEL


def source_line(analysis: Analysis) -> str:
    """'Source: …  ·  Illustrative reconstruction …  ·  Made with Natural Earth' (no repeats)."""
    ds = analysis.dataset
    parts = []
    if ds.attribution:
        parts.append(ds.attribution if ds.attribution.lower().startswith(("source", "data")) else f"Source: {ds.attribution}")
    if ds.illustrative:
        parts.append(ds.label or f"{DEFAULT_LABEL}, not an observed front line")
    if "natural earth" not in " ".join(parts).lower():
        parts.append(NATURAL_EARTH)
    return "  ·  ".join(parts)


def method_note(projection: str, den: Denominator | None) -> str:
    """One line: projection, area method, denominator."""
    share = f"% of {den.label}" if den is not None else "no region denominator"
    return f"Map: {projection}. Areas: {AREA_METHOD_SHORT}. Shares: {share}; % of peak = of the actor's largest area."
