"""The Streamlit dashboard, shipped inside the package so ``territory serve`` runs anywhere.

``main.py`` is the entry script (``streamlit run``); ``pages/`` holds one script per
page. This module imports nothing, so the CLI and ``territory.ui`` can name the
files without loading Streamlit.
"""

from __future__ import annotations

from pathlib import Path

APP_DIR = Path(__file__).resolve().parent
MAIN_SCRIPT = APP_DIR / "main.py"
PAGES_DIR = APP_DIR / "pages"

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
