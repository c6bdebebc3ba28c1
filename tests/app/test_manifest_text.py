"""A served manifest's text is shown as text on every page: no markdown image, no HTML, no fetch (issue 17.2).

``"![u](http://host/x.png)"`` in ``unassigned`` or ``attribution`` once made every
viewer's browser fetch the image. Each text key of the manifest here carries an
image, an ``<img>`` tag and a link; no element that Streamlit renders as
markdown (text, captions, alerts, help) may still hold them as markup.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["src/territory/app/main.py", "pages/compare.py", "pages/claims.py", "pages/regions.py", "pages/data.py",
         "pages/export.py"]
HOST = "http://127.0.0.1:9"


def hostile(key: str) -> str:
    return f"{key} ![{key}]({HOST}/{key}.png) <img src='{HOST}/{key}i.png'> [l]({HOST}/{key}l)"


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("served")
    gpd.GeoDataFrame({"date": ["2022-03-01", "2022-04-01"], "actor": ["Alpha", "Alpha"],
                      "status": ["controlled"] * 2},
                     geometry=[shapely.box(37, 47, 38, 48), shapely.box(37, 47, 38.5, 48)],
                     crs=4326).to_file(folder / "history.geojson")
    meta = {"history": "history.geojson", "illustrative": True, "focus_actor": "Alpha",
            "partial": {"Alpha": hostile("partial")},
            **{key: hostile(key) for key in ("title", "label", "attribution", "unassigned", "regions_source")}}
    (folder / "dataset.json").write_text(json.dumps(meta), encoding="utf-8")
    return folder


def rendered_markdown(at: AppTest) -> list[str]:
    """The text of every element Streamlit renders as markdown, as sent to the browser."""
    texts = []
    for kind in ("markdown", "caption", "warning", "info", "error", "success", "subheader", "header", "title"):
        texts += [str(el.value) for el in getattr(at, kind)]
    for kind in ("selectbox", "multiselect", "slider", "select_slider", "checkbox", "toggle", "radio", "metric",
                 "number_input", "text_input", "button"):
        texts += [str(getattr(el, "help", "") or "") for el in getattr(at, kind)]
    texts += [str(getattr(ex, "label", "")) for ex in at.expander]
    return texts


@pytest.mark.parametrize("page", PAGES)
def test_manifest_text_reaches_no_page_as_markup(served, monkeypatch, page):
    monkeypatch.setenv("TERRITORY_PATH", str(served))
    at = AppTest.from_file(str(ROOT / page), default_timeout=120).run()
    assert not at.exception, [e.message for e in at.exception]
    texts = rendered_markdown(at)
    assert texts, "the page rendered no text at all"
    for text in texts:
        assert "![" not in text and "<img" not in text.lower() and f"]({HOST}" not in text, text


def test_the_text_is_still_shown(served, monkeypatch):
    """Made inert, not dropped: the words of the attribution and the label still reach the Data page."""
    import html

    monkeypatch.setenv("TERRITORY_PATH", str(served))
    at = AppTest.from_file(str(ROOT / "pages/data.py"), default_timeout=120).run()
    shown = " ".join(html.unescape(t) for t in rendered_markdown(at))
    assert f"attribution ![attribution]({HOST}/attribution.png)" in shown
    assert f"label ![label]({HOST}/label.png)" in shown
