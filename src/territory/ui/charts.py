"""Altair charts: area over time per actor, with the selected date and the claims.

Building and validating an Altair chart costs tens of milliseconds, too much for
every date step: :func:`chart_spec` builds the Vega-Lite spec once per dataset
and actor selection (cached at the shell); each step only passes the one-row
``rule_data`` for the selected-date rule.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import streamlit as st

from territory.analysis import Analysis
from territory.ui.maps import key

if TYPE_CHECKING:
    import altair as alt


def area_chart(an: Analysis, day: str, actors: list[str], claims: pd.DataFrame | None = None,
               status: str = "controlled", height: int = 300) -> alt.LayerChart:
    """Controlled km² per actor over time; a rule marks ``day``; claims as points."""
    import altair as alt  # seconds to import: only when a spec is built (once per dataset), not before the first map

    t = an.table
    data = t[(t["status"] == status) & t["actor"].isin(actors)].copy()
    domain = [a for a in an.dataset.actors if a in actors]
    colors = [an.dataset.colors[a] for a in domain]
    # The x axis spans the history; claims dated after it (retrospective) are clipped, not stretched to.
    span = [an.dates[0].isoformat(), an.dates[-1].isoformat()] if an.dates else None
    x_scale = alt.Scale(domain=span) if span else alt.Undefined
    base = alt.Chart(data).encode(
        x=alt.X("date:T", title=None, scale=x_scale),
        y=alt.Y("area_km2:Q", title=f"km² ({status})", axis=alt.Axis(format=",.0f")),
        color=alt.Color("actor:N", scale=alt.Scale(domain=domain, range=colors), legend=alt.Legend(orient="bottom", title=None)),
    )
    lines = base.mark_line(interpolate="step-after").encode(
        tooltip=[alt.Tooltip("date:T"), "actor:N", alt.Tooltip("area_km2:Q", format=",.0f", title="km²")]
    )
    rule = alt.Chart(pd.DataFrame({"date": [pd.Timestamp(day)]})).mark_rule(color="#d00", strokeWidth=2, clip=True).encode(
        x="date:T", tooltip=[alt.Tooltip("date:T", title="selected")]
    )
    layers = [lines, rule]
    if claims is not None and len(claims):
        pts = claim_points(claims)
        if len(pts):
            layers.append(alt.Chart(pts).mark_point(shape="diamond", size=90, filled=True, color="#555", clip=True).encode(
                x="date:T", y="km2:Q",
                tooltip=["claim:N", "claimant:N", "verdict:N", alt.Tooltip("km2:Q", format=",.0f", title="implied km²"),
                         "quote:N", "source:N"],
            ))
    return alt.layer(*layers).properties(height=height)


def claim_points(claims: pd.DataFrame) -> pd.DataFrame:
    """Claims that imply an area held (not a loss), as (date, km²) points for the chart."""
    c = claims.copy()
    held = c["metric"].isin(["area_held", "percent_held", "comparison"])
    km2 = c["implied_km2"].where(c["implied_km2"].notna(), (c["implied_low_km2"] + c["implied_high_km2"]) / 2)
    out = pd.DataFrame({
        "date": pd.to_datetime(c["date"]),
        "km2": np.where(held, km2, np.nan),
        "claim": c["claim"], "claimant": c["claimant"].fillna(""), "verdict": c["verdict"],
        "quote": c["quote"].fillna(""), "source": c["source"].fillna(""),
    })
    return out[out["km2"].notna() & np.isfinite(out["km2"])]


@st.cache_data(show_spinner=False, hash_funcs={Analysis: key}, max_entries=64)
def chart_spec(an: Analysis, actors: tuple[str, ...], claims: pd.DataFrame | None = None,
               status: str = "controlled", height: int = 300) -> dict:
    """The chart's Vega-Lite spec; the selected-date rule reads ``rule_data(day)`` (see :func:`without_rule_data`)."""
    first = an.dates[0].date().isoformat() if an.dates else "1970-01-01"
    return without_rule_data(area_chart(an, first, list(actors), claims, status, height).to_dict())


def without_rule_data(spec: dict) -> dict:
    """The spec with the selected-date rule reading the chart's own ``data`` argument.

    Streamlit re-creates a Vega view when the spec changes, which costs ~80 ms of
    each date step in the browser; with the spec constant and only the one-row
    ``data`` changing, the chart updates in place.
    """
    out = dict(spec)
    out["layer"] = list(spec["layer"])
    for i, layer in enumerate(out["layer"]):
        mark = layer.get("mark")
        if (mark == "rule") or (isinstance(mark, dict) and mark.get("type") == "rule"):
            layer = copy.deepcopy(layer)
            layer.pop("data", None)
            out["layer"][i] = layer
    return out


def rule_data(day: str) -> pd.DataFrame:
    return pd.DataFrame({"date": [pd.Timestamp(day)]})
