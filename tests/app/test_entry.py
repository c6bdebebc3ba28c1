"""The entry scripts: the repository's thin app.py and the packaged main.py open the same app on "Map"."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from territory.app import MAIN_SCRIPT, PAGES, page_path
from tests.playerstate import panel

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.usefixtures("bundled")


@pytest.mark.parametrize("entry", [ROOT / "app.py", MAIN_SCRIPT])
def test_entry_opens_the_map_page(entry):
    at = AppTest.from_file(str(entry), default_timeout=120).run()
    assert not at.exception, [e.message for e in at.exception]
    assert panel(at)["held"] is not None, "the map page's key numbers are missing"
    at.switch_page(str(page_path("claims"))).run()
    assert not at.exception, [e.message for e in at.exception]
    assert PAGES[0][2] == "Map"  # the default page's navigation title (a browser test reads it too)


def test_repository_config_is_the_packaged_one():
    """One Streamlit config: the checkout's .streamlit/config.toml links to the one shipped in the package."""
    link = ROOT / ".streamlit" / "config.toml"
    assert link.is_symlink() and link.resolve() == MAIN_SCRIPT.parent / ".streamlit" / "config.toml"
