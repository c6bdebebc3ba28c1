"""Claims set against the series each one speaks of: what the claims chart and the report draw.

A claim is only comparable with the quantity it states, so each is placed on
its own panel: a claim about a region beside that actor's area *inside* the
region; a loss claim beside the loss computed the same way (the peak as of
each date minus the area held, or for a loss "since D" the area held on D minus
the area held); a gain since D beside the km² gained since D (``territory change
--from D``'s gained column, at up to :data:`GAIN_SAMPLES` dates); an "as of the peak" figure at
the peak's date.
Each panel's y axis is fitted to the computed series, so one wild claim
("the size of Britain") cannot flatten the lines; such a claim is drawn at the
edge of the panel and flagged, with its implied km² in the tooltip.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from territory.claims import _is_region

HELD_METRICS = ("area_held", "percent_held", "comparison")
LOST_METRICS = ("area_lost", "percent_lost")
#: Gains in km² (a settlement count has no km² series to sit on).
GAINED_METRICS = ("area_gained", "percent_gained")
HEADROOM = 1.15  # the y axis ends 15% above the series' maximum
#: Dates at which a gained-since-D series is measured (an overlay each), besides the claims' own ends.
GAIN_SAMPLES = 24


@dataclass
class ClaimPlot:
    """``series``: panel, date, km2. ``points``: one row per plotted claim. ``panels``: title, y_max in order."""

    series: pd.DataFrame
    points: pd.DataFrame
    panels: pd.DataFrame
    start: pd.Timestamp | None
    end: pd.Timestamp | None


def claim_region(row: pd.Series, dataset_region: str | None) -> str:
    """The region a claim is measured in ("" for the dataset's whole region), as the checker reads it."""
    region = str(row.get("region") or "").strip()
    baseline = str(row.get("baseline") or "").strip()
    if not region and row.get("metric") in ("percent_held", "percent_lost") and _is_region(baseline):
        region = baseline
    return "" if not region or region == dataset_region else region


def _panel_title(actor: str, region: str, kind: str, whole: str, since: str = "") -> str:
    where = region or whole or "the whole dataset"
    if kind == "gained":
        return f"{actor}: km² gained since {since} ({where})"
    if kind == "lost":
        return f"{actor}: km² lost since {since or 'its peak'} ({where})"
    return f"{actor}: km² held ({where})"


def _since(row: pd.Series) -> str:
    """The date a loss or gain is counted from ('' for a loss from the peak), as the checker reads it."""
    metric = row.get("metric")
    baseline = str(row.get("baseline") or "").strip()
    if metric in GAINED_METRICS or (metric in LOST_METRICS and baseline and baseline.lower() != "peak"
                                    and not _is_region(baseline)):
        try:
            return pd.Timestamp(baseline).date().isoformat()
        except ValueError:
            return ""
    return ""


def _gained_series(ctx, region: str, actor: str, since: pd.Timestamp, days: np.ndarray,
                   ends: list[pd.Timestamp]) -> tuple[list[pd.Timestamp], np.ndarray]:
    """km² gained since ``since`` at up to :data:`GAIN_SAMPLES` dates after it, and at each claim's end."""
    after = [pd.Timestamp(d) for d in days if d > np.datetime64(since, "ns")]
    pick = sorted({after[int(i)] for i in np.linspace(0, len(after) - 1, min(GAIN_SAMPLES, len(after)))}
                  | {e for e in ends if e > since}) if after else sorted(e for e in ends if e > since)
    when = [since, *pick]
    return when, np.array([0.0] + [ctx.gained(region or None, actor, since, t) for t in pick])


def _held_series(table: pd.DataFrame, actor: str, days: np.ndarray) -> np.ndarray:
    rows = table[(table["actor"] == actor) & (table["status"] == "controlled")].sort_values("date")
    if rows.empty:
        return np.zeros(len(days))
    pos = np.searchsorted(rows["date"].to_numpy(dtype="datetime64[ns]"), days, side="right") - 1
    vals = rows["area_km2"].to_numpy()
    return np.where(pos >= 0, vals[np.clip(pos, 0, None)], 0.0)


def claim_plot(analysis, claims: pd.DataFrame | None, until: object = None) -> ClaimPlot:
    """Panels of computed series with the claims placed on them (claims dated after ``until`` left out)."""
    dates = list(analysis.dates)
    start, end = (dates[0], dates[-1]) if dates else (None, None)
    empty = ClaimPlot(pd.DataFrame(columns=["panel", "date", "km2"]), pd.DataFrame(), pd.DataFrame(columns=["panel", "y_max"]),
                      start, end)
    if claims is None or claims.empty or not dates:
        return empty
    c = claims.copy()
    c["date_ts"] = pd.to_datetime(c["date"])
    if until is not None:
        c = c[c["date_ts"] <= pd.Timestamp(until)]
    c = c[c["metric"].isin(HELD_METRICS + LOST_METRICS + GAINED_METRICS)]
    if c.empty:
        return empty
    ctx = analysis.claim_context()
    whole = analysis.region_name() or ""  # the manifest's, else a bare history's country: as the checker
    days = np.array(dates, dtype="datetime64[ns]")
    series, points, panels = [], [], []
    cache: dict[tuple[str, str, str, str], np.ndarray | None] = {}
    c["_since"] = [_since(r) for _, r in c.iterrows()]
    c["_end"] = [pd.Timestamp(a) if str(a or "").strip() and str(a).strip().lower() != "peak" else d
                 for a, d in zip(c.get("as_of", pd.Series("", index=c.index)).fillna(""), c["date_ts"], strict=True)]
    for _, r in c.iterrows():
        region = claim_region(r, whole)
        kind = ("lost" if r["metric"] in LOST_METRICS else "gained" if r["metric"] in GAINED_METRICS else "held")
        actor, since = str(r["actor"]), r["_since"]
        key = (actor, region, kind, since)
        if key not in cache:
            table = ctx.table(region or None)
            title = _panel_title(actor, region, kind, whole, since)
            if table is None or actor not in set(table["actor"]) or (kind == "gained" and not since):
                cache[key] = None
            elif kind == "gained":
                same = c[(c["actor"] == actor) & (c["_since"] == since) & c["metric"].isin(GAINED_METRICS)]
                when, cache[key] = _gained_series(ctx, region, actor, pd.Timestamp(since), days,
                                                  [e for e in same["_end"] if e <= end])
                series.append(pd.DataFrame({"panel": title, "date": when, "km2": cache[key]}))
            else:
                held = _held_series(table, actor, days)
                if kind == "lost" and since:  # held on D minus held since D; nothing drawn before D
                    d0 = np.datetime64(pd.Timestamp(since), "ns")
                    ref = _held_series(table, actor, np.array([d0]))[0]
                    on = days >= d0
                    cache[key] = (ref - held)[on]
                    series.append(pd.DataFrame({"panel": title, "date": [d for d, o in zip(dates, on, strict=True) if o],
                                                "km2": cache[key]}))
                else:
                    cache[key] = np.maximum.accumulate(held) - held if kind == "lost" else held
                    series.append(pd.DataFrame({"panel": title, "date": dates, "km2": cache[key]}))
            if cache[key] is not None:
                top = float(cache[key].max()) if len(cache[key]) else 0.0
                panels.append({"panel": title, "actor": actor, "region": region, "kind": kind,
                               "y_max": top * HEADROOM if top > 0 else np.nan})
        if cache[key] is None:
            continue
        implied = r["implied_km2"]
        if not np.isfinite(implied):
            lo, hi = r.get("implied_low_km2", np.nan), r.get("implied_high_km2", np.nan)
            implied = (lo + hi) / 2 if np.isfinite(lo) and np.isfinite(hi) else np.nan
        if not np.isfinite(implied):
            continue
        as_of = str(r.get("as_of") or "").strip()
        if as_of.lower() == "peak":  # the peak to the claim's date, as the checker reads "at its height"
            held = cache[key][: int(np.searchsorted(days, np.datetime64(r["date_ts"], "ns"), side="right"))] \
                if kind == "held" else None
            when = pd.Timestamp(dates[int(np.argmax(held))]) if held is not None and len(held) and held.max() > 0 \
                else r["date_ts"]
        else:
            try:
                when = pd.Timestamp(as_of) if as_of else r["date_ts"]
            except ValueError:
                when = r["date_ts"]
        points.append({"panel": _panel_title(actor, region, kind, whole, since), "id": str(r["id"]), "date": when,
                       "claimed_on": r["date_ts"], "as_of": as_of or "", "implied_km2": float(implied),
                       "computed_km2": float(r["computed_km2"]) if np.isfinite(r["computed_km2"]) else np.nan,
                       "verdict": str(r["verdict"]), "claim": str(r["claim"]), "claimant": str(r["claimant"] or ""),
                       "quote": str(r.get("quote") or ""), "source": str(r.get("source") or ""),
                       "ratio": float(r["ratio"]) if np.isfinite(r["ratio"]) else np.nan})
    panels_df = pd.DataFrame(panels)
    pts = pd.DataFrame(points)
    if len(pts):
        pts = pts.merge(panels_df[["panel", "y_max"]], on="panel", how="left")
        pts["y_max"] = pts["y_max"].fillna(pts.groupby("panel")["implied_km2"].transform("max") * HEADROOM)
        pts = pts[(pts["date"] >= start) & (pts["date"] <= end)]  # the chart spans the history, nothing else
        pts["off_scale"] = pts["implied_km2"] > pts["y_max"]
        pts["y"] = pts["implied_km2"].clip(upper=pts["y_max"])
        panels_df = panels_df.drop(columns="y_max").merge(
            pts.groupby("panel")["y_max"].first().rename("y_max"), on="panel", how="inner")
    else:
        panels_df = panels_df.iloc[0:0]
    keep = set(panels_df["panel"])
    ser = pd.concat(series, ignore_index=True) if series else empty.series
    ser = ser[ser["panel"].isin(keep)]
    # Whole-dataset held panels first, then regions, then losses, then gains.
    if len(panels_df):
        panels_df = panels_df.assign(_o=(panels_df["kind"] == "lost") * 2 + (panels_df["kind"] == "gained") * 4
                                     + (panels_df["region"] != "") * 1)
        panels_df = panels_df.sort_values(["_o", "panel"], kind="stable").drop(columns="_o").reset_index(drop=True)
    return ClaimPlot(ser.reset_index(drop=True), pts.reset_index(drop=True), panels_df, start, end)
