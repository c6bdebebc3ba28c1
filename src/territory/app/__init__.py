"""The Streamlit dashboard, shipped inside the package so ``territory serve`` runs anywhere.

``main.py`` is the entry script (``streamlit run``); the repository's top-level
``pages/`` holds one script per page (mapped to ``territory/app/pages`` in a wheel:
see :mod:`territory.resources`). This module imports no Streamlit, so the CLI and
``territory.ui`` can name the files without loading it.
"""

from __future__ import annotations

from pathlib import Path

from territory.resources import PAGES_DIR

APP_DIR = Path(__file__).resolve().parent
MAIN_SCRIPT = APP_DIR / "main.py"

#: (url path, file, navigation title); the first is the default page, served at "/".
#: No page icons: Streamlit fetches a Material icon used as favicon from a font CDN.
PAGES: tuple[tuple[str, str, str], ...] = (
    ("map", "map.py", "Map"),
    ("compare", "compare.py", "Compare"),
    ("claims", "claims.py", "Claims"),
    ("regions", "regions.py", "Regions"),
    ("data", "data.py", "Data"),
    ("export", "export.py", "Export"),
)


def page_path(name: str) -> Path:
    """The script of the page called ``name`` (a url path from :data:`PAGES`)."""
    for url, file, _title in PAGES:
        if url == name:
            return PAGES_DIR / file
    raise KeyError(name)
