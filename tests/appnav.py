"""Open a page of the dashboard in an AppTest as a user does: the entry first, then the page by navigation."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from territory.app import MAIN_SCRIPT, page_path


def open_page(name: str) -> AppTest:
    """The app started on its entry script, then switched to page ``name`` (``data``, ``claims``...), with no exception."""
    at = AppTest.from_file(str(MAIN_SCRIPT), default_timeout=120).run()
    at.switch_page(str(page_path(name))).run()
    assert not at.exception, [e.message for e in at.exception]
    return at
