"""One-click PDF report for a date: map, area chart with claims, claims table, method.

Four kinds of page in one vector PDF (matplotlib PdfPages, TrueType text kept
as text so it can be searched and quoted): the report map; the area over time
per actor with every checkable claim drawn where it would sit; the claims
ledger with implied against computed km²; the method and provenance notes an
editor needs before publishing a number.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from territory import atomicfile
from territory.analysis import Analysis
from territory.area import METHOD
from territory.claimplot import HEADROOM, ClaimPlot, claim_plot
from territory.claims import verdict_rule
from territory.export import fonts
from territory.export.facts import (
    DEFAULT_LABEL,
    NATURAL_EARTH,
    iso,
    label_text,
    long_date,
    source_line,
)
from territory.export.geometry import display_for
from territory.export.mapview import ALERT, INK, MUTED, RC, MapFigure
from territory.keynumbers import focus_first
from territory.model import to_day
from territory.style import OTHER_VERDICT, VERDICT_COLORS

A4 = (11.69, 8.27)  # landscape, inches


def _page(title: str, analysis: Analysis, day: pd.Timestamp, report_title: str | None = None) -> Figure:
    fig = Figure(figsize=A4, facecolor="white")
    fig.text(0.04, 0.955, title, fontsize=16, fontweight="bold", color=INK, va="top")
    fig.text(0.04, 0.915, f"{report_title or analysis.dataset.title} — {long_date(day)}", fontsize=10, color=MUTED,
             va="top")
    label = label_text(analysis)
    if label and analysis.dataset.illustrative:
        fig.text(0.96, 0.955, label.upper() if len(label) <= 40 else DEFAULT_LABEL.upper(), fontsize=8, fontweight="bold", color=ALERT, ha="right", va="top",
                 bbox={"boxstyle": "square,pad=0.35", "facecolor": "white", "edgecolor": ALERT})
    fig.text(0.04, 0.025, textwrap.shorten(source_line(analysis), 190), fontsize=7, color=MUTED)
    return fig


def _km2(v: float, _pos: object = None) -> str:
    return f"{v:,.0f}"


def _claims_on(ax, plot: ClaimPlot, panel: str | None, y_max: float) -> None:
    """Claims of ``panel`` as verdict-coloured markers; beyond ``y_max`` a triangle on the top edge."""
    if panel is None or plot.points.empty:
        return
    pts = plot.points[plot.points["panel"] == panel]
    seen: set[str] = set()
    for _, c in pts.iterrows():
        verdict = str(c["verdict"])
        col = VERDICT_COLORS.get(verdict, OTHER_VERDICT)
        off = c["implied_km2"] > y_max
        y = min(float(c["implied_km2"]), y_max)
        ax.scatter([c["date"]], [y], marker="^" if off else "o", s=42, color=col, edgecolor="white", linewidth=0.6,
                   zorder=5, clip_on=False, label=f"claim: {verdict}" if verdict not in seen else None)
        seen.add(verdict)
        if len(pts) <= 25:
            ax.annotate(str(c["id"]), (c["date"], y), xytext=(4, 4), textcoords="offset points", fontsize=7, color=col)


def _style_axis(ax, label: str) -> None:
    ax.yaxis.set_major_formatter(FuncFormatter(_km2))
    ax.set_ylabel(label, fontsize=9)
    ax.grid(axis="y", color="#e3e3e3", linewidth=0.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=8)


def chart_page(analysis: Analysis, day: pd.Timestamp, claims: pd.DataFrame | None,
               focus: str | None = None, report_title: str | None = None) -> Figure:
    """Controlled km² per actor up to the report date (``focus`` first and bold; nothing after it is drawn:
    a report as of D uses only data up to D), and the claims made on or before it, each on the series it
    speaks of (area held; loss since the peak to date below)."""
    fig = _page("Area held over time", analysis, day, report_title)
    plot = claim_plot(analysis, claims, until=day)
    whole = analysis.dataset.region or ""
    panels = plot.panels
    held_panel = lost_panel = None
    focus = focus or analysis.focus_actor
    if len(panels):
        pick = panels[(panels["region"] == "") & (panels["actor"] == focus)]
        held_panel = next(iter(pick[pick["kind"] == "held"]["panel"]), None)
        lost_panel = next(iter(pick[pick["kind"] == "lost"]["panel"]), None)
    if lost_panel is not None:
        ax = fig.add_axes((0.07, 0.40, 0.66, 0.45))
        ax_lost = fig.add_axes((0.07, 0.09, 0.66, 0.24), sharex=ax)
    else:
        ax, ax_lost = fig.add_axes((0.07, 0.13, 0.66, 0.72)), None
    t = analysis.table
    t = t[t["status"] == "controlled"]
    colors = analysis.dataset.colors
    top = 0.0
    for actor in focus_first(list(analysis.dataset.actors), focus):
        rows = _until(t[t["actor"] == actor].sort_values("date"), day)
        if rows.empty:
            continue
        top = max(top, float(rows["area_km2"].max()))
        ax.step(rows["date"], rows["area_km2"], where="post", color=colors.get(actor, "#777777"),
                linewidth=3.0 if actor == focus else 1.8, label=actor, zorder=3 if actor == focus else 2)
    y_max = top * HEADROOM if top > 0 else 1.0
    _claims_on(ax, plot, held_panel, y_max)
    ax.set_ylim(0, y_max)
    _style_axis(ax, "km² controlled")
    for a in (ax, ax_lost):
        if a is not None:
            a.axvline(day, color=ALERT, linewidth=1.1, linestyle="--")
    ax.text(day, 1.01, f" {iso(day)}", transform=ax.get_xaxis_transform(), color=ALERT, fontsize=8, va="bottom")
    if plot.start is not None:  # the history's span up to the report date: a claim about another time does not stretch it
        ax.set_xlim(plot.start, min(plot.end, day) if plot.end is not None else day)
    if ax_lost is not None:
        ser = _until(plot.series[plot.series["panel"] == lost_panel].sort_values("date"), day)
        ax_lost.step(ser["date"], ser["km2"], where="post", color=colors.get(focus, "#444"),
                     linewidth=1.6)
        lost_max = float(panels.loc[panels["panel"] == lost_panel, "y_max"].iloc[0])
        if len(ser) and ser["km2"].max() > 0:  # fitted to the loss up to the report date (claims beyond: triangles)
            lost_max = float(ser["km2"].max()) * HEADROOM
        _claims_on(ax_lost, plot, lost_panel, lost_max)
        ax_lost.set_ylim(0, lost_max)
        _style_axis(ax_lost, "km² lost since peak")
        ax_lost.set_title(f"{focus}: area lost since its peak ({whole or 'whole dataset'}), with loss claims",
                          fontsize=8.5, loc="left", color=INK)
        ax.tick_params(labelbottom=False)
    handles, labels = ax.get_legend_handles_labels()
    if ax_lost is not None:
        h2, l2 = ax_lost.get_legend_handles_labels()
        for h, lab in zip(h2, l2, strict=True):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, fontsize=8)
    note = (f"Lines: area controlled by each actor, from the polygons (a state holds until the next change), up to "
            f"the report date (nothing later is used). Markers: claims made on or before {iso(day)} about the whole region, coloured by "
            "verdict, at the km² they imply (an “at its height” figure at the peak); loss claims on the loss "
            "since the peak below. A triangle on the top edge is a claim beyond the axis. Regional claims and "
            "claims without a stated baseline are in the table. Dashed line: the report date.")
    fig.text(0.755, 0.42, "\n".join(textwrap.wrap(note, 42)), fontsize=7.5, color=MUTED, va="top")
    return fig


def _until(rows: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    """A date-sorted series cut at ``day``, its last state carried to ``day`` so the step line ends there."""
    rows = rows[rows["date"] <= day]
    if rows.empty or rows["date"].iloc[-1] == day:
        return rows
    last = rows.iloc[[-1]].copy()
    last["date"] = day
    return pd.concat([rows, last], ignore_index=True)


CLAIM_COLS = (("Claim", 0.00, 52), ("Date", 0.36, 11), ("Claimant", 0.445, 24), ("Implied km²", 0.63, 14),
              ("Computed km²", 0.72, 14), ("Ratio", 0.81, 7), ("Verdict", 0.865, 18))


def _claim_cells(c: pd.Series) -> list[list[str]]:
    def num(v: object) -> str:
        return f"{float(v):,.0f}" if v is not None and np.isfinite(float(v)) else "—"

    implied = num(c["implied_km2"])
    lo, hi = c.get("implied_low_km2", np.nan), c.get("implied_high_km2", np.nan)
    if implied == "—" and np.isfinite(lo) and np.isfinite(hi):
        implied = f"{lo:,.0f}–{hi:,.0f}"
    ratio = f"{c['ratio']:.2f}" if np.isfinite(c["ratio"]) else "—"
    claim = f"{c['id']}: {c['actor']} {c['claim']}"
    quote = str(c.get("quote") or "").strip()
    text = claim + (f' — "{textwrap.shorten(quote, 150)}"' if quote else "")
    src = str(c.get("source") or "").strip()
    if src:
        text += f" [{src}]"
    values = [text, str(c["date"])[:10], str(c["claimant"] or ""), implied, num(c["computed_km2"]), ratio,
              str(c["verdict"])]
    return [textwrap.wrap(v, width) or [""] for v, (_, _, width) in zip(values, CLAIM_COLS, strict=True)]


def claims_pages(analysis: Analysis, day: pd.Timestamp, claims: pd.DataFrame | None,
                 report_title: str | None = None) -> list[Figure]:
    """The claims ledger as a wrapped table, as many pages as it needs.

    Each column of a page is one text block (rows padded to the same number of
    lines), not one text per cell: PDF text output is the report's main cost.
    """
    size, spacing = 7.5, 1.3
    line_h = size * spacing / (A4[1] * 72)  # one text line as a fraction of the page height
    top, bottom = 0.86, 0.09
    rows = [] if claims is None else [_claim_cells(c) for _, c in claims.iterrows()]
    per_page: list[list[list[list[str]]]] = [[]]
    room = top - (line_h + 0.006) - bottom
    used = 0.0
    for cells in rows:
        need = (max(len(c) for c in cells) + 1) * line_h
        if per_page[-1] and used + need > room:
            per_page.append([])
            used = 0.0
        per_page[-1].append(cells)
        used += need
    pages: list[Figure] = []
    for k, page_rows in enumerate(per_page):
        fig = _page("Claims checked against the map" + (" (cont.)" if k else ""), analysis, day, report_title)
        pages.append(fig)
        y = top
        for head, x, _ in CLAIM_COLS:
            fig.text(0.04 + 0.92 * x, y, head, fontsize=8, fontweight="bold", color=INK, va="top")
        y -= line_h + 0.006
        fig.add_artist(mpl.lines.Line2D([0.04, 0.96], [y + 0.004, y + 0.004], color=INK, linewidth=0.8))
        if not rows:
            fig.text(0.04, y, "This dataset has no claims ledger." if claims is None else
                     f"No claim in the ledger is dated on or before {iso(day)}.", fontsize=9, color=MUTED, va="top")
        columns: list[list[str]] = [[] for _ in CLAIM_COLS]
        for cells in page_rows:
            height = max(len(c) for c in cells) + 1
            for col, lines in zip(columns, cells, strict=True):
                col += lines + [""] * (height - len(lines))
            rule = y - (len(columns[0]) - 0.55) * line_h
            fig.add_artist(mpl.lines.Line2D([0.04, 0.96], [rule, rule], color="#d6d6d6", linewidth=0.5))
        for i, (col, (_, x, _)) in enumerate(zip(columns, CLAIM_COLS, strict=True)):
            fig.text(0.04 + 0.92 * x, y, "\n".join(col), fontsize=size, color=INK, va="top", linespacing=spacing,
                     fontweight="bold" if i == len(CLAIM_COLS) - 1 else "normal")
        fig.text(0.04, 0.055, "\n".join(textwrap.wrap(
                 f"Verdict: {verdict_rule()} Calibration points were used to build the history and are not "
                 "independent confirmation.", 170)), fontsize=7, color=MUTED, va="bottom")
    return pages


def _sources(analysis: Analysis, limit: int = 12) -> list[str]:
    h = analysis.dataset.history
    if "source" not in h.columns:
        return []
    pairs = h[["source", "source_url"]].dropna(subset=["source"]).drop_duplicates("source")
    out = [f"{s} ({u})" if isinstance(u, str) and u else str(s) for s, u in pairs.itertuples(index=False)]
    return out[:limit] + ([f"… and {len(out) - limit} more (see the GeoJSON/GeoPackage export)"] if len(out) > limit else [])


def _denominators_text(dens: list, chosen: int) -> str:
    if not dens:
        return "No region layer: shares are given only against the actor's own peak."
    chosen = min(chosen, len(dens) - 1)
    others = [d.label for i, d in enumerate(dens) if i != chosen]
    return f"Shares divide by {dens[chosen].label}." + (f" Also available: {'; '.join(others)}." if others else "")


def method_page(analysis: Analysis, day: pd.Timestamp, focus: str | None = None, denominator_index: int = 0,
                report_title: str | None = None) -> Figure:
    """Method and provenance: what an editor checks before quoting a number."""
    ds = analysis.dataset
    disp = display_for(analysis)
    dens = analysis.denominators()
    focus = focus or analysis.focus_actor
    sections = [
        ("Area method", METHOD + ". An actor's area on a date is the area of the union of its polygons."),
        ("Map projection", disp.projection + " (WGS84). The scale bar is true at the map centre; the north arrow "
         "points to true north there."),
        ("Key numbers", f"Given for {focus}" + (" (the actor with the largest peak)" if focus == analysis.focus_actor
                                                and not ds.focus_actor else "") + "."),
        ("Denominators", _denominators_text(dens, denominator_index)),
        ("Dataset", f"{ds.title} ({ds.name}); {len(analysis.dates)} change dates, "
         f"{iso(analysis.dates[0]) if analysis.dates else '—'} to {iso(analysis.dates[-1]) if analysis.dates else '—'}."),
        ("Status of the data", (f"{label_text(analysis)}: the polygons are a reconstruction calibrated on published "
                                "figures, not observed front lines. Do not quote them as surveyed positions.")
         if ds.illustrative else (ds.label or "As loaded by the user; Territory does not know how it was made: check its source.")),
        *([("Partial actors", ", ".join(ds.partial) + ": modelled only in part, so their km² leave out ground "
            "the model assigns to no one (the dataset's notes say why).")] if ds.partial else []),
        ("Attribution", ds.attribution or "—"),
        ("Sources of the polygons", "; ".join(_sources(analysis)) or "—"),
        ("Data licences", f"Boundaries, basemap and inset: Natural Earth, public domain ({NATURAL_EARTH}). "
         "Control polygons and claims: as stated by their sources above; cite them with any figure you reuse."),
        ("Produced", f"Territory 0.1.0, {dt.date.today().isoformat()}, for the state on {iso(day)}."),
    ]
    fig = _page("Method and provenance", analysis, day, report_title)
    y = 0.86
    for head, body in sections:
        lines = textwrap.wrap(body, 150)[:6]
        fig.text(0.04, y, head, fontsize=9, fontweight="bold", color=INK, va="top")
        fig.text(0.22, y, "\n".join(lines), fontsize=8, color=INK, va="top", linespacing=1.35)
        y -= 0.018 * max(len(lines), 1) + 0.03
    return fig


def report_claims(analysis: Analysis, day: pd.Timestamp) -> pd.DataFrame | None:
    """The ledger as known on ``day``: claims dated on or before it (a report cannot quote the future)."""
    claims = analysis.claims()
    if claims is None:
        return None
    return claims[pd.to_datetime(claims["date"]) <= day].reset_index(drop=True)


def report_pdf(analysis: Analysis, day: object, out: str | Path, since: object = None, focus: str | None = None,
               denominator_index: int = 0, title: str | None = None) -> Path:
    """Write the report for ``day`` to ``out`` (PDF); ``since`` sets the key-number change base.

    ``focus`` is whose numbers the report gives (default the dataset's focus actor), ``denominator_index``
    the share's denominator in ``analysis.denominators()``; ``title`` heads every page and the PDF
    metadata (default: the dataset's title).
    """
    d = to_day(day)
    out = Path(out)
    title = (title or "").strip() or None
    claims = report_claims(analysis, d)
    meta = {"Title": f"{title or analysis.dataset.title} — {iso(d)}", "Subject": "Territorial control report",
            "Creator": "Territory 0.1.0"}
    fonts.quiet()
    with mpl.rc_context(RC), atomicfile.replacing(out) as tmp, PdfPages(tmp, metadata=meta) as pdf:
        mf = MapFigure(analysis, size=(int(A4[0] * 150), int(A4[1] * 150)), dpi=150, focus=focus,
                       denominator_index=denominator_index, title=title).show(d, since)
        pdf.savefig(mf.fig)
        pdf.savefig(chart_page(analysis, d, claims, focus, title))
        for page in claims_pages(analysis, d, claims, title):
            pdf.savefig(page)
        pdf.savefig(method_page(analysis, d, focus, denominator_index, title))
    return out
