"""The brief as a PDF: one figure per page (matplotlib PdfPages), text kept as text.

Pages: the net change with the periods before as bars; by region; the largest
patches as a list and small maps; the settlements that changed hands; the claims
dated in the period (the report's claims table); method and sources. The figures
come from :class:`territory.brief.Brief` (the Markdown brief prints the same).
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from territory import atomicfile
from territory.analysis import Analysis
from territory.brief import (
    CHANGE_HEADER,
    MAPPED_PATCHES,
    PATCH_HEADER,
    REGION_HEADER,
    SETTLEMENT_HEADER,
    Brief,
    calendar_months,
    change_rows,
    patch_rows,
    region_rows,
    settlement_rows,
)
from territory.export import fonts
from territory.export.facts import label_text, long_date, source_line
from territory.export.mapview import ALERT, INK, MUTED, RC
from territory.export.report import A4, _style_axis, claims_pages

#: Settlements listed in the PDF (most populous first); the Markdown brief lists them all.
PDF_SETTLEMENTS = 40
ROWS_PER_PAGE = 34


def _page(b: Brief, an: Analysis, title: str) -> Figure:
    fig = Figure(figsize=A4, facecolor="white")
    fig.text(0.04, 0.955, title, fontsize=16, fontweight="bold", color=INK, va="top")
    fig.text(0.04, 0.915, f"{b.title} — brief, {long_date(b.date_from)} to {long_date(b.date_to)}", fontsize=10,
             color=MUTED, va="top")
    label = label_text(an)
    if label and an.dataset.illustrative:
        fig.text(0.96, 0.955, textwrap.shorten(label.upper(), 60), fontsize=8, fontweight="bold", color=ALERT,
                 ha="right", va="top", bbox={"boxstyle": "square,pad=0.35", "facecolor": "white", "edgecolor": ALERT})
    fig.text(0.04, 0.025, textwrap.shorten(source_line(an), 190), fontsize=7, color=MUTED)
    return fig


def _table(fig: Figure, header: list[str], rows: list[list[object]], xs: list[float], widths: list[int],
           top: float, size: float = 7.5) -> float:
    """Rows as one text block per column (cells shortened to their width); returns the y below the table."""
    line_h = size * 1.35 / (A4[1] * 72)
    for h, x in zip(header, xs, strict=True):
        fig.text(0.04 + 0.92 * x, top, h, fontsize=size + 0.5, fontweight="bold", color=INK, va="top")
    y = top - line_h - 0.006
    fig.add_artist(mpl.lines.Line2D([0.04, 0.96], [y + 0.004, y + 0.004], color=INK, linewidth=0.8))
    for i, (x, w) in enumerate(zip(xs, widths, strict=True)):
        col = [textwrap.shorten(" ".join(str(r[i]).split()), w, placeholder="…") or "—" for r in rows]
        fig.text(0.04 + 0.92 * x, y, "\n".join(col), fontsize=size, color=INK, va="top", linespacing=1.35)
    return y - line_h * len(rows) - 0.01


def _table_pages(b: Brief, an: Analysis, title: str, header: list[str], rows: list[list[object]],
                 xs: list[float], widths: list[int], note: str, empty: str) -> list[Figure]:
    pages = []
    chunks = [rows[i:i + ROWS_PER_PAGE] for i in range(0, len(rows), ROWS_PER_PAGE)] or [[]]
    for k, chunk in enumerate(chunks):
        fig = _page(b, an, title + (" (cont.)" if k else ""))
        fig.text(0.04, 0.875, "\n".join(textwrap.wrap(note, 190)), fontsize=8, color=MUTED, va="top")
        if chunk:
            _table(fig, header, chunk, xs, widths, 0.82)
        else:
            fig.text(0.04, 0.80, empty, fontsize=10, color=INK, va="top")
        pages.append(fig)
    return pages


def summary_page(b: Brief, an: Analysis) -> Figure:
    """Headline, change per actor and the bar chart of net change against the periods before."""
    fig = _page(b, an, "Net change")
    fig.text(0.04, 0.875, "\n".join(textwrap.wrap(b.headline(), 175)), fontsize=9, color=INK, va="top")
    rows = change_rows(b)
    bottom = _table(fig, CHANGE_HEADER, rows[:12], [0, 0.22, 0.31, 0.47, 0.57, 0.66, 0.75, 0.84],
                    [44, 16, 20, 16, 16, 16, 16, 14], 0.80)
    p = b.periods[(b.periods["actor"] == b.focus) & (b.periods["status"] == "controlled")]
    top = min(bottom - 0.05, 0.55)
    ax = fig.add_axes((0.08, 0.10, 0.62, max(top - 0.10, 0.15)))
    colors = [ALERT if cur else "#8a8a8a" for cur in p["current"]]
    x = np.arange(len(p))
    ax.bar(x, p["net_km2"], color=colors, width=0.7)
    ax.axhline(0, color=INK, linewidth=0.8)
    ax.set_xticks(x, [str(t).replace(" → ", "\n→ ") for t in p["period"]], fontsize=7)
    for xi, v in zip(x, p["net_km2"], strict=True):
        ax.annotate(f"{v:+,.0f}", (xi, v), xytext=(0, 3 if v >= 0 else -3), textcoords="offset points",
                    ha="center", va="bottom" if v >= 0 else "top", fontsize=7, color=INK)
    _style_axis(ax, f"net km² ({b.focus}, controlled)")
    ax.set_title(f"{b.focus}: net change per period (red: this brief)", fontsize=9, loc="left", color=INK)
    months = calendar_months(b.date_from, b.date_to)
    span = f"{months} calendar month(s) each" if months else f"{b.days} days each"
    note = (f"Each bar: km² held on the period's last day minus km² held on its first (the baseline), i.e. "
            f"'territory change --from FIRST --to LAST'. Periods: {span}, just before this brief; only data up to "
            f"{b.date_to.date()} is used. " + " ".join(b.notes))
    fig.text(0.74, top, "\n".join(textwrap.wrap(note, 48)), fontsize=7.5, color=MUTED, va="top")
    return fig


def _axes_grid(fig: Figure, n: int) -> list:
    cols = 3
    rows = max(math.ceil(n / cols), 1)
    w, h = 0.92 / cols, 0.78 / rows
    return [fig.add_axes((0.04 + (i % cols) * w + 0.01, 0.08 + (rows - 1 - i // cols) * h + 0.04, w - 0.03, h - 0.08))
            for i in range(n)]


def patch_maps_page(b: Brief, an: Analysis) -> Figure:
    """Small maps of the largest patches: the patch in its new holder's colour, its region's outline, and
    the settlement it is named after."""
    fig = _page(b, an, "Where the front moved: the largest patches")
    p = b.patches.patches.head(MAPPED_PATCHES)
    layer = an.region_layer()
    names = {n: i for i, n in enumerate(layer.names)} if layer is not None else {}
    places = an.dataset.settlements
    colors = an.dataset.colors
    for ax, (_, r) in zip(_axes_grid(fig, len(p)), p.iterrows(), strict=True):
        geom = r.geometry
        w, s, e, n = geom.bounds
        pad = max(e - w, n - s) * 0.35 + 0.02
        if r["region"] in names:
            outline = layer.geometry[names[r["region"]]]
            for part in getattr(outline, "geoms", [outline]):
                xy = np.asarray(part.exterior.coords)
                ax.plot(xy[:, 0], xy[:, 1], color="#9a9a9a", linewidth=0.7)
        for part in getattr(geom, "geoms", [geom]):
            xy = np.asarray(part.exterior.coords)
            ax.fill(xy[:, 0], xy[:, 1], color=colors.get(r["to_actor"], "#777777"), alpha=0.85, linewidth=0)
            ax.plot(xy[:, 0], xy[:, 1], color=INK, linewidth=0.6)
            for hole in part.interiors:  # ground inside the patch that did not change hands
                xy = np.asarray(hole.coords)
                ax.fill(xy[:, 0], xy[:, 1], color="white", linewidth=0)
                ax.plot(xy[:, 0], xy[:, 1], color=INK, linewidth=0.4)
        if r["settlement"] and places is not None and len(places):
            hit = places[places["name"] == r["settlement"]]
            if len(hit):
                px, py = float(hit["lon"].iloc[0]), float(hit["lat"].iloc[0])
                if w - pad <= px <= e + pad and s - pad <= py <= n + pad:
                    ax.plot([px], [py], "o", color=INK, markersize=3)
                    ax.annotate(str(r["settlement"]), (px, py), xytext=(3, 3), textcoords="offset points",
                                fontsize=7, color=INK)
        ax.set_xlim(w - pad, e + pad)
        ax.set_ylim(s - pad, n + pad)
        ax.set_aspect(1 / max(math.cos(math.radians((s + n) / 2)), 0.1))
        ax.tick_params(labelsize=6)
        ax.set_title("\n".join(textwrap.wrap(f"{r['patch']}: {r['description']}", 55)[:3]), fontsize=7.5,
                     loc="left", color=INK)
    if not len(p):
        fig.text(0.04, 0.8, "Nothing changed hands between the two dates (beyond slivers).", fontsize=10, color=INK)
    fig.text(0.04, 0.055, "\n".join(textwrap.wrap(
        "Maps in lon/lat, x stretched so a km is as long across as up at the map's centre; grey: the region the "
        f"patch mostly lies in. {b.patches.sliver_note()}.", 190)), fontsize=7, color=MUTED, va="bottom")
    return fig


def brief_pages(b: Brief, an: Analysis) -> list[Figure]:
    """Every page of the brief, in order."""
    pages = [summary_page(b, an)]
    pages += _table_pages(b, an, "By region", REGION_HEADER, region_rows(b),
                          [0, 0.2, 0.33, 0.53, 0.62, 0.71, 0.8, 0.89], [38, 22, 38, 16, 16, 14, 14, 14],
                          f"Controlled ground per region, largest net change first. Region outlines: {b.region_source}. "
                          "km² on each date as 'territory regions --date'; gained and lost ground cut by each region; "
                          "ground in no region is its own row, so the rows add up to the net change per actor.",
                          "No ground changed hands in any region.")
    n = len(b.patches.patches)
    pages += _table_pages(b, an, "Where the front moved", PATCH_HEADER, patch_rows(b),
                          [0, 0.05, 0.12, 0.34, 0.47, 0.58, 0.64], [8, 12, 42, 24, 20, 8, 70],
                          f"{n} patch(es), the largest first (as 'territory change --table patches'). "
                          f"{b.patches.sliver_note()}.", "Nothing changed hands between the two dates.")
    if n:
        pages.append(patch_maps_page(b, an))
    total = 0 if b.settlements is None else len(b.settlements)
    pages += _table_pages(b, an, "Settlements that changed hands", SETTLEMENT_HEADER,
                          settlement_rows(b, PDF_SETTLEMENTS), [0, 0.2, 0.36, 0.45, 0.54, 0.77],
                          [36, 28, 14, 12, 42, 42],
                          f"{total:,} settlement(s) changed hands" + (f"; the {PDF_SETTLEMENTS} most populous shown "
                                                                      "(the Markdown brief lists all)"
                                                                      if total > PDF_SETTLEMENTS else "")
                          + f"; date: the first day the holder differed. {b.settlement_note}.",
                          "No settlement changed hands.")
    if b.claims is not None and len(b.claims):
        pages += claims_pages(an, b.date_to, b.claims, f"{b.title}: claims dated {b.date_from.date()} to "
                                                          f"{b.date_to.date()}")
    else:
        fig = _page(b, an, "Claims dated in the period")
        fig.text(0.04, 0.8, "This dataset has no claims ledger." if b.claims is None else
                 f"No claim in the ledger is dated from {b.date_from.date()} to {b.date_to.date()}.",
                 fontsize=10, color=INK)
        pages.append(fig)
    fig = _page(b, an, "Method and sources")
    y = 0.87
    for head, body in b.method:
        lines = textwrap.wrap(body, 150)[:6]
        fig.text(0.04, y, head, fontsize=9, fontweight="bold", color=INK, va="top")
        fig.text(0.18, y, "\n".join(lines), fontsize=8, color=INK, va="top", linespacing=1.35)
        y -= 0.018 * max(len(lines), 1) + 0.028
    pages.append(fig)
    return pages


def brief_pdf(b: Brief, an: Analysis, out: str | Path) -> Path:
    """Write the brief to ``out`` (PDF, whole or not at all)."""
    out = Path(out)
    meta = {"Title": f"{b.title} — brief {b.date_from.date()} to {b.date_to.date()}",
            "Subject": "Territorial control brief", "Creator": "Territory 0.1.0"}
    fonts.quiet()
    with mpl.rc_context(RC), atomicfile.replacing(out) as tmp, PdfPages(tmp, metadata=meta) as pdf:
        for page in brief_pages(b, an):
            pdf.savefig(page)
    return out
