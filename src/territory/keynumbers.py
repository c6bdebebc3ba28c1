"""Key numbers for one day: what the map page's cards and every export's box say.

One place computes them so the dashboard, the PNG, the PDF report and each
animation frame agree: the focus actor's area, its peak, the change since an
earlier date, and its share of a named region (area *inside* the region's
outline ÷ the denominator, as ``territory stats`` computes ``pct_of_region``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from territory.analysis import Analysis
from territory.area import Measured
from territory.baselines import Denominator
from territory.geos import SHARED_GEOMETRY
from territory.model import END, to_day
from territory.outside import MIN_OUTSIDE_KM2, Places, describe
from territory.stats import clip, peaks_to_date, project_region

Areas = dict[tuple[str, str], float]
#: Area outside the outline below this share of the whole is where two generalised outlines disagree
#: (e.g. 4 km² of 98,771 on the bundled data), not a finding: the table keeps it, no warning is raised.
NOISE_SHARE = 1e-3


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


def actor_km2(areas: Areas, actor: str, status: str = "controlled") -> float:
    return areas.get((actor, status), 0.0)


def focus_first(actors: list[str], focus: str | None) -> list[str]:
    """``actors`` with ``focus`` moved to the front (legend order: whose numbers come first)."""
    return [focus, *(a for a in actors if a != focus)] if focus in actors else list(actors)


def previous_change(analysis: Analysis, day: object) -> pd.Timestamp | None:
    """The change date before the one that produced the state on ``day``."""
    d = to_day(day)
    dates = [x for x in analysis.dates if x <= d]
    return dates[-2] if len(dates) >= 2 else None


def denominator(analysis: Analysis, index: int = 0) -> Denominator | None:
    """The dataset's first (outline) denominator, or None when it has no region layer."""
    try:
        dens = analysis.denominators()
    except (ValueError, KeyError, StopIteration):  # a layer without names: no share, still a map
        return None
    return dens[index] if len(dens) > index else None


@dataclass
class KeyNumbers:
    """The focus actor's area on a day, against its peak to date (on or before the day) and an earlier date."""

    actor: str
    day: pd.Timestamp
    held_km2: float
    peak_km2: float
    peak_date: pd.Timestamp | None
    since: pd.Timestamp | None
    since_km2: float | None
    denominator: Denominator | None
    area_in_region_km2: float | None = None  # the actor's area inside the denominator's outline (land)
    outside_places: list[tuple[str, float]] | None = None  # where the rest lies: (place, km²)

    @property
    def pct_of_region(self) -> float | None:
        if self.denominator is None or self.denominator.km2 <= 0 or self.area_in_region_km2 is None:
            return None
        return 100 * self.area_in_region_km2 / self.denominator.km2

    @property
    def land_only(self) -> bool:
        """True when the headline counts only the area inside the region's outline."""
        return self.denominator is not None and self.denominator.geometry is not None \
            and self.area_in_region_km2 is not None

    @property
    def headline_km2(self) -> float:
        """The area a map page leads with: inside the region's outline when there is one."""
        return self.area_in_region_km2 if self.land_only else self.held_km2

    @property
    def area_outside_region_km2(self) -> float | None:
        if not self.land_only:
            return None
        return max(self.held_km2 - self.area_in_region_km2, 0.0)

    def outside_note(self) -> str | None:
        """The warning for area outside the outline, measured ('5,885 km² lies outside Ukraine's outline: …')."""
        out = self.area_outside_region_km2
        if out is None or out < max(MIN_OUTSIDE_KM2, NOISE_SHARE * self.held_km2):
            return None
        return describe(out, self.outside_places or [], self.denominator.region)

    @property
    def pct_of_peak(self) -> float | None:
        return 100 * self.held_km2 / self.peak_km2 if self.peak_km2 > 0 else None

    @property
    def change_km2(self) -> float | None:
        return None if self.since_km2 is None else self.held_km2 - self.since_km2

    def lines(self) -> list[str]:
        iso = lambda d: to_day(d).date().isoformat()  # noqa: E731
        outside = self.area_outside_region_km2
        if outside is not None and outside >= max(MIN_OUTSIDE_KM2, NOISE_SHARE * self.held_km2):
            # Land-only headline, as on the map page; the rest said on its own line.
            region = self.denominator.region
            out = [f"{self.area_in_region_km2:,.0f} km² held in {region}",
                   f"+ {outside:,.0f} km² outside it (sea, neighbours)"]
        else:
            out = [f"{self.held_km2:,.0f} km² held"]
        if self.pct_of_peak is not None and self.peak_date is not None:
            out.append(f"{self.pct_of_peak:.0f}% of its peak to date ({self.peak_km2:,.0f} km², {iso(self.peak_date)})")
        if self.change_km2 is not None and self.since is not None:
            out.append(f"{self.change_km2:+,.0f}".replace("-", "\u2212") + f" km² since {iso(self.since)}")
        if self.pct_of_region is not None:
            out.append(f"{self.pct_of_region:.1f}% of {self.denominator.region} ({self.denominator.km2:,.0f} km²)")
        return out


class KeyNumberSource:
    """Precomputes the running peak once so every frame of an animation is cheap."""

    def __init__(self, analysis: Analysis, actor: str | None = None, denominator_index: int = 0) -> None:
        self.analysis = analysis
        if actor is not None and actor not in analysis.dataset.actors:
            raise ValueError(f"'{actor}' is not an actor of this dataset ({', '.join(analysis.dataset.actors)})")
        self.actor = actor or analysis.focus_actor
        t = analysis.table
        rows = peaks_to_date(t[(t["actor"] == self.actor) & (t["status"] == "controlled")]).sort_values("date")
        # Peak to date per change date: the numbers as of D divide by the largest area on or before D.
        self._peak_days = rows["date"].to_numpy(dtype="datetime64[ns]")
        self._peaks = list(zip(rows["peak_km2"].astype(float), rows["peak_date"], strict=True))
        # The whole history's peak (the last running peak), for what describes the dataset, not a date.
        self.peak_km2, self.peak_date = self.peak_on(None)
        self.denominator = denominator(analysis, denominator_index)
        self.areas = AreaIndex(analysis)
        self._inside: dict[int, float] = {}
        self._outside: dict[int, list[tuple[str, float]]] = {}
        den = self.denominator
        self._region = project_region(den.geometry) if den is not None and den.geometry is not None else None
        ds = analysis.dataset
        self._places = Places(ds.basemap if ds.basemap is not None else ds.countries)

    def peak_on(self, day: object) -> tuple[float, pd.Timestamp | None]:
        """The focus actor's peak to date: largest controlled km² on or before ``day`` (None: ever) and its date."""
        if day is None:
            i = len(self._peaks) - 1
        else:
            i = int(np.searchsorted(self._peak_days, np.datetime64(to_day(day), "ns"), side="right")) - 1
        if i < 0 or self._peaks[i][0] <= 0:
            return 0.0, None
        km2, when = self._peaks[i]
        return float(km2), pd.Timestamp(when)

    def _snapshot(self, day: pd.Timestamp) -> int | None:
        """Row of the focus actor's controlled snapshot in force on ``day``."""
        s = self.analysis.measured.snapshots
        hit = np.flatnonzero(((s["actor"] == self.actor) & (s["status"] == "controlled") & (s["date"] <= day)
                              & (s[END].isna() | (s[END] > day))).to_numpy())
        return int(hit[-1]) if len(hit) else None

    def outside_places(self, day: pd.Timestamp) -> list[tuple[str, float]] | None:
        """Where the focus actor's area outside the outline lies on ``day`` (sea, neighbours), largest first."""
        if self._region is None:
            return None
        i = self._snapshot(day)
        if i is None:
            return []
        if i not in self._outside:
            g = self.analysis.measured.geometry[i]
            near = shapely.intersection(self._region, shapely.box(*shapely.bounds(g)))  # as stats.clip
            rest = shapely.difference(g, near)
            self._outside[i] = self._places.split(rest, self.denominator.region)
        return self._outside[i]

    def area_in_region_km2(self, day: pd.Timestamp) -> float | None:
        """The actor's controlled area inside the denominator's outline on ``day``.

        Clips only the snapshot in force (cheap per frame), with the same
        :func:`territory.stats.clip` that fills ``pct_of_region`` in ``territory stats``.
        """
        den = self.denominator
        if den is None:
            return None
        if den.geometry is None:  # an official figure for the whole dataset's region
            return actor_km2(self.areas.on(day), self.actor)
        m = self.analysis.measured
        s = m.snapshots
        i = self._snapshot(day)
        if i is None:
            return 0.0
        if i not in self._inside:
            one = Measured(s.iloc[[i]].reset_index(drop=True), m.geometry[[i]])
            self._inside[i] = float(clip(one, region_equal_area=self._region).snapshots["area_km2"].iloc[0])
        return self._inside[i]

    def on(self, day: object, areas: Areas | None = None, since: object = None, *,
           where_outside: bool = False) -> KeyNumbers:
        """Key numbers on ``day``; ``where_outside`` also splits the area outside the outline by place
        (one overlay per snapshot: the map page asks for it, animation frames do not)."""
        d = to_day(day)
        areas = self.areas.on(d) if areas is None else areas
        s = to_day(since) if since is not None else previous_change(self.analysis, d)
        since_km2 = actor_km2(self.areas.on(s), self.actor) if s is not None else None
        with SHARED_GEOMETRY:  # the region outline is prepared and shared by every session's source
            return KeyNumbers(self.actor, d, actor_km2(areas, self.actor), *self.peak_on(d),
                              s, since_km2, self.denominator, self.area_in_region_km2(d),
                              self.outside_places(d) if where_outside else None)


