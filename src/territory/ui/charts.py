"""Altair charts: area over time per actor with the claims; the caption under the player's net-change bars.

Building and validating an Altair chart costs tens of milliseconds: the specs
are built once per dataset and actor selection (cached). The map page's charts
do not depend on the date: the date lives in the browser (the time player draws
its own area chart and net-change bars with moving date markers,
``assets/player/chart.js`` and ``netchart.js``), so a stop re-renders none of them.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import streamlit as st

from territory.analysis import Analysis
from territory.claimplot import HEADROOM, ClaimPlot, claim_plot
from territory.style import VERDICT_COLORS
from territory.ui.maps import key

if TYPE_CHECKING:
    import altair as alt


def year_axis(span_days: float | None = None) -> alt.Axis:
    """A time axis whose every label carries its year ("Mar 2023"): on a multi-year series a bare "July" is
    ambiguous, and Vega's default names the year only on January ticks.

    With ``span_days`` (the axis' length) ticks fall on month or year starts only: over a few days Vega's
    default ticks are hours or days, each labelled "%b %Y", so one month's name repeated along the axis.
    """
    import altair as alt

    if span_days is None:
        return alt.Axis(format="%b %Y", labelOverlap=True, labelFlush=True)
    months = span_days / 30.44
    every = {"interval": "month", "step": max(1, math.ceil(months / 8))} if months <= 30 else \
        {"interval": "year", "step": max(1, math.ceil(months / 12 / 8))}
    return alt.Axis(format="%b %Y", labelOverlap=True, labelFlush=True, tickCount=every)


def _claim_tooltip() -> list:
    import altair as alt

    return [
        alt.Tooltip("verdict:N", title="Verdict"), alt.Tooltip("claim:N", title="Claim"),
        alt.Tooltip("claimant:N", title="Claimant"), alt.Tooltip("claimed_on:T", title="Said on"),
        alt.Tooltip("date:T", title="Describes"), alt.Tooltip("implied_km2:Q", format=",.0f", title="Implied km²"),
        alt.Tooltip("computed_km2:Q", format=",.0f", title="Computed km²"),
        alt.Tooltip("ratio:Q", format=".2f", title="Ratio"),
        alt.Tooltip("scale_note:N", title="Note"), alt.Tooltip("source:N", title="Source"),
    ]


def verdict_scale() -> alt.Scale:
    import altair as alt

    return alt.Scale(domain=list(VERDICT_COLORS), range=list(VERDICT_COLORS.values()))


#: Claim columns a chart draws or shows in its tooltip (:func:`_claim_tooltip`).
CLAIM_FIELDS = ("date", "y", "verdict", "shape", "claim", "claimant", "claimed_on", "implied_km2", "computed_km2",
                "ratio", "scale_note", "source")


def _claim_marks(pts: pd.DataFrame, y_title: str, legend: bool = True, orient: str = "bottom") -> alt.Chart:
    """Claims coloured by verdict; one beyond the axis sits on its edge as a triangle, flagged in the tooltip."""
    import altair as alt

    pts = pts.assign(
        shape=np.where(pts["off_scale"], "triangle-up", "circle"),
        scale_note=np.where(pts["off_scale"], "beyond the axis: drawn at its top edge", ""),
    )[list(CLAIM_FIELDS)]  # only what is drawn or in the tooltip: the browser decodes it every date step
    return alt.Chart(pts).mark_point(filled=True, size=110, opacity=0.95, stroke="white", strokeWidth=0.8,
                                     clip=False).encode(
        x="date:T",
        y=alt.Y("y:Q", title=y_title),
        color=alt.Color("verdict:N", scale=verdict_scale(),
                        legend=alt.Legend(orient=orient, title="Claim verdict") if legend else None),
        shape=alt.Shape("shape:N", scale=None),
        tooltip=_claim_tooltip(),
    )


def area_chart(an: Analysis, day: str, actors: list[str], claims: pd.DataFrame | None = None,
               status: str = "controlled", height: int = 300) -> alt.LayerChart:
    """Controlled km² per actor over time; a rule marks ``day``; whole-region claims coloured by verdict.

    Claims about area held sit on the series they are checked against, drawn
    dashed: the land inside the dataset's region, or inside the region a claim
    names (loss and gain claims are on the Claims page, each against its own
    series). The y axis fits the lines; a claim beyond it sits on the edge.
    """
    import altair as alt  # seconds to import: only when a spec is built (once per dataset), not before the first map

    t = an.table
    # Only the drawn columns: the page sends the chart's data with every date step.
    data = t.loc[(t["status"] == status) & t["actor"].isin(actors), ["date", "actor", "area_km2"]].copy()
    domain = [a for a in an.dataset.actors if a in actors]
    colors = [an.dataset.colors[a] for a in domain]
    # The x axis spans the history; claims dated after it (retrospective) are clipped, not stretched to.
    span = [an.dates[0].isoformat(), an.dates[-1].isoformat()] if an.dates else None
    x_scale = alt.Scale(domain=span) if span else alt.Undefined
    y_max = float(data["area_km2"].max()) * HEADROOM if len(data) and data["area_km2"].max() > 0 else None
    y_scale = alt.Scale(domain=[0, y_max], nice=False) if y_max else alt.Undefined
    base = alt.Chart(data).encode(
        x=alt.X("date:T", title=None, scale=x_scale, axis=year_axis()),
        y=alt.Y("area_km2:Q", title=f"km² ({status})", axis=alt.Axis(format=",.0f"), scale=y_scale),
        color=alt.Color("actor:N", scale=alt.Scale(domain=domain, range=colors), legend=alt.Legend(orient="bottom", title=None)),
    )
    lines = base.mark_line(interpolate="step-after").encode(
        tooltip=[alt.Tooltip("date:T"), "actor:N", alt.Tooltip("area_km2:Q", format=",.0f", title="km²")]
    )
    rule = alt.Chart(pd.DataFrame({"date": [pd.Timestamp(day)]})).mark_rule(color="#d00", strokeWidth=2, clip=True).encode(
        x="date:T", tooltip=[alt.Tooltip("date:T", title="selected")]
    )
    layers = [lines, rule]
    if claims is not None and len(claims) and y_max:
        plot = claim_plot(an, claims)
        held = plot.panels[(plot.panels["kind"] == "held") & plot.panels["actor"].isin(actors)] \
            if len(plot.panels) else plot.panels
        pts = plot.points[plot.points["panel"].isin(set(held["panel"]))] if len(plot.points) else plot.points
        if len(pts):
            # Each claim on the series it is checked against (the land inside the dataset's region, or inside
            # the region it names), dashed in the actor's colour: on a bare folder that is not the whole line.
            ser = plot.series[plot.series["panel"].isin(set(pts["panel"]))].merge(
                held[["panel", "actor"]], on="panel")[["panel", "actor", "date", "km2"]]
            layers.append(alt.Chart(ser).mark_line(interpolate="step-after", strokeDash=[5, 3], strokeWidth=1.2).encode(
                x="date:T", y="km2:Q", detail="panel:N",
                color=alt.Color("actor:N", scale=alt.Scale(domain=domain, range=colors), legend=None),
                tooltip=[alt.Tooltip("panel:N", title="claims checked against"), alt.Tooltip("date:T"),
                         alt.Tooltip("km2:Q", format=",.0f", title="km²")]))
            pts = pts.assign(off_scale=pts["implied_km2"] > y_max, y=pts["implied_km2"].clip(upper=y_max))
            layers.append(_claim_marks(pts, f"km² ({status})"))
    return alt.layer(*layers).properties(height=height).resolve_scale(color="independent")


def claims_chart(plot: ClaimPlot, day: str, height: int = 200, width: int = 820) -> alt.VConcatChart | None:
    """One panel per series the claims speak of, each claim on its own series (see :mod:`territory.claimplot`)."""
    if plot.panels.empty:
        return None
    import altair as alt

    x_scale = alt.Scale(domain=[plot.start.isoformat(), plot.end.isoformat()]) if plot.start is not None else alt.Undefined
    charts = []
    for i, p in enumerate(plot.panels.itertuples(index=False)):
        ser = plot.series[plot.series["panel"] == p.panel]
        pts = plot.points[plot.points["panel"] == p.panel]
        y = alt.Scale(domain=[0, float(p.y_max)], nice=False)
        line = alt.Chart(ser).mark_line(interpolate="step-after", color="#444", strokeWidth=1.6).encode(
            x=alt.X("date:T", title=None, scale=x_scale, axis=year_axis()),
            y=alt.Y("km2:Q", title="km²", scale=y, axis=alt.Axis(format=",.0f")),
            tooltip=[alt.Tooltip("date:T"), alt.Tooltip("km2:Q", format=",.0f", title="computed km²")],
        )
        rule = alt.Chart(pd.DataFrame({"date": [pd.Timestamp(day)]})).mark_rule(
            color="#d00", strokeWidth=1.5, strokeDash=[4, 3], clip=True).encode(x="date:T")
        marks = _claim_marks(pts, "km²", legend=i == 0, orient="top").encode(y=alt.Y("y:Q", scale=y, title="km²"))
        charts.append(alt.layer(line, rule, marks).properties(title=p.panel, height=height, width=width))
    return alt.vconcat(*charts).resolve_scale(color="shared", y="independent")


@st.cache_data(show_spinner=False, hash_funcs={Analysis: key}, max_entries=64)
def chart_spec(an: Analysis, actors: tuple[str, ...], claims: pd.DataFrame | None = None,
               status: str = "controlled", height: int = 300) -> dict:
    """The area chart's Vega-Lite spec with no date rule: the same for every date (see :func:`without_rule`)."""
    first = an.dates[0].date().isoformat() if an.dates else "1970-01-01"
    return without_rule(area_chart(an, first, list(actors), claims, status, height).to_dict())


def without_rule(spec: dict) -> dict:
    """The spec without its selected-date rule layer.

    The map page's date moves in the browser; a chart whose rule followed it
    would be re-rendered by Streamlit at every stop (0.2 s of browser CPU), so
    the page's charts carry no date and the player draws the moving marker.
    """
    out = dict(spec)
    out["layer"] = [layer for layer in spec["layer"] if not _is_rule(layer)]
    return out


def _is_rule(layer: dict) -> bool:
    mark = layer.get("mark")
    return mark == "rule" or (isinstance(mark, dict) and mark.get("type") == "rule")


def has_claims(spec: dict) -> bool:
    """Does an area-chart spec (:func:`chart_spec`) draw claims (layers beyond its lines)?"""
    return len(spec.get("layer", [])) > 1


def net_change_note(an: Analysis) -> None:
    """The caption naming the command behind the player's net-change bars (assets/player/netchart.js).

    The bars themselves are the player's (they follow the date in the browser: pale after it, a marker on
    it); this text does not depend on the date, so the page draws it outside its date fragment.
    """
    if len(an.dates) < 2:
        st.caption(f"Net change needs two dates; this history has {len(an.dates)}.")
        return
    st.caption("Net change bars under the area chart (Week / Month): the focus actor's controlled km² at the end "
               "of each period minus at the end of the one before (gained − lost; hover for both, click for the "
               "period's end). Same numbers: `territory change --every month` or `territory change --every week`.")
