"""Exports for reports: map images, PDF report, standalone HTML, animations, data.

Entry points (the dashboard's Export page should call these):

* :func:`save_map` — PNG/SVG/PDF report map for a date;
* :func:`report_pdf` — multi-page PDF report for a date;
* :func:`html_export` / :func:`html_document` — standalone offline player;
* :func:`animate` — GIF/MP4 over a date range (``progress(done, total)``);
* :func:`write_state` / :func:`write_table` — GeoJSON/GPKG, CSV/JSON;
* :func:`filename` — the conventional download name.

Heavy modules (matplotlib) load on first use, so importing this is cheap.
"""

from __future__ import annotations

from typing import Any

__all__ = ["animate", "filename", "html_document", "html_export", "report_pdf", "save_map", "slugify",
           "write_state", "write_table"]

_LAZY = {"filename": "naming", "slugify": "naming", "save_map": "mapview", "report_pdf": "report", "html_export": "html", "html_document": "html",
         "animate": "animation", "write_state": "data", "write_table": "data"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f"territory.export.{_LAZY[name]}"), name)
    raise AttributeError(name)
