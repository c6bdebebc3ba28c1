"""The Export page offers the brief (issue 18.8): the same core as ``territory brief``, as a download."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.cli_run import run_cli

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.usefixtures("bundled")


def _page() -> AppTest:
    return AppTest.from_file(str(ROOT / "pages/export.py"), default_timeout=180).run()


def _ask(at: AppTest, kind: str, start: str, end: str) -> AppTest:
    import datetime as dt

    at.selectbox(key="export_kind").set_value(kind).run()
    at.date_input(key="brief_to").set_value(dt.date.fromisoformat(end)).run()
    at.date_input(key="brief_from").set_value(dt.date.fromisoformat(start)).run()
    return at.button(key="export_go").click().run()


def test_markdown_brief_download_is_the_cli_brief():
    at = _ask(_page(), "Brief for a period (Markdown)", "2016-05-31", "2016-06-30")
    assert not at.exception and not at.error, [e.value for e in at.error]
    name, data, mime = at.session_state["export_ready"]
    assert name.endswith("_brief.md") and "2016-05-31" in name and mime == "text/markdown"
    code, out, err = run_cli("brief", "--from", "2016-05-31", "--to", "2016-06-30", "--format", "md")
    assert code == 0, err
    assert data.decode("utf-8") == out
    assert any(b.label.startswith(f"Download {name}") for b in at.get("download_button"))
    assert any("territory brief --from 2016-05-31 --to 2016-06-30" in c.value for c in at.caption)


def test_pdf_brief_download_and_refused_dates():
    at = _ask(_page(), "Brief for a period (PDF)", "2016-05-31", "2016-06-30")
    assert not at.exception and not at.error
    name, data, mime = at.session_state["export_ready"]
    assert name.endswith("_brief.pdf") and data.startswith(b"%PDF") and mime == "application/pdf"
    at = _ask(at, "Brief for a period (PDF)", "2016-06-30", "2016-06-30")  # an empty period: said, not a traceback
    assert not at.exception
    assert any("is not after --from" in e.value for e in at.error)
