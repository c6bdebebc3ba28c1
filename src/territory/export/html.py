"""Standalone interactive HTML: the dashboard's time player in one offline file.

Built with territory.player (Leaflet and the player inlined, no network).
Size bound: display geometry is simplified until the features fit
``payload max_vertices`` (MAX_VERTICES below) and the basemap fits
BASEMAP_MAX_VERTICES, so the file stays a few MB whatever the input; areas
in the legend are computed on the full geometry. The bound is also printed in
the file's visible footer.
"""

from __future__ import annotations

import html as _html
from pathlib import Path

from territory import atomicfile
from territory.analysis import Analysis
from territory.export.facts import NATURAL_EARTH, label_text
from territory.player import analysis_payload, payload_vertices, standalone_html

MAX_VERTICES = 150_000
BASEMAP_MAX_VERTICES = 40_000

_FOOTER_CSS = (
    "#tp-root{height:calc(100vh - 1.9em)}"
    ".tx-footer{height:1.9em;box-sizing:border-box;padding:.35em .6em;font:12px/1.2 system-ui,sans-serif;"
    "color:#555;background:#fafafa;border-top:1px solid #ddd;white-space:nowrap;overflow:hidden;"
    "text-overflow:ellipsis}"
)


def html_document(analysis: Analysis) -> str:
    """The standalone page as a string (with the provenance footer)."""
    ds = analysis.dataset
    label = label_text(analysis) or ""
    payload = analysis_payload(analysis, label=label, max_vertices=MAX_VERTICES,
                               basemap_max_vertices=BASEMAP_MAX_VERTICES)
    parts = [p for p in (ds.attribution and f"Source: {ds.attribution}", label, NATURAL_EARTH) if p]
    parts.append(f"Display geometry simplified to at most {MAX_VERTICES:,} vertices "
                 f"({payload_vertices(payload):,} drawn); km² computed on the full geometry")
    footer = f'<footer class="tx-footer">{_html.escape(" · ".join(parts))}</footer>'
    page = standalone_html(payload)
    page = page.replace("</style>", _FOOTER_CSS + "\n</style>", 1)
    return page.replace("</body>", footer + "\n</body>", 1)


def html_export(analysis: Analysis, out: str | Path) -> Path:
    """Write the standalone player; opens from disk with no request at all."""
    out = Path(out)
    atomicfile.write_text(out, html_document(analysis))
    return out
