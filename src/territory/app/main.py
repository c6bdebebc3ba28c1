"""The dashboard's entry script: one navigation over the packaged pages.

``territory serve`` runs this file with ``streamlit run``; the repository's
``app.py`` calls :func:`main` so ``streamlit run app.py`` shows the same app.
"""

from __future__ import annotations

import streamlit as st

from territory.app import PAGES, PAGES_DIR


def main() -> None:
    """Build the navigation (the map page first, named "Map") and run the chosen page."""
    pages = [
        st.Page(PAGES_DIR / file, title=title, url_path=None if i == 0 else url, default=i == 0)
        for i, (url, file, title) in enumerate(PAGES)
    ]
    st.navigation(pages).run()


if __name__ == "__main__":
    main()
