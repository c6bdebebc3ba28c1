"""The numbers and sentences every export prints beside the map.

One place computes them so the PNG, the PDF report and each animation frame
say the same thing: areas per actor on the day, the focus actor's key
numbers, the source line and the method note.
"""

from __future__ import annotations

from territory.analysis import Analysis
from territory.area import DENSIFY_DEG, EQUAL_AREA_CRS
from territory.baselines import Denominator
from territory.borders import note_for
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
    parts.append(note_for(analysis))  # which border convention the map draws (the denominator's)
    return "  ·  ".join(parts)


def method_note(projection: str, den: Denominator | None) -> str:
    """One line: projection, area method, denominator."""
    share = f"% of {den.label}" if den is not None else "no region denominator"
    return f"Map: {projection}. Areas: {AREA_METHOD_SHORT}. Shares: {share}; % of peak = of the actor's largest area to date (on or before the date shown)."
