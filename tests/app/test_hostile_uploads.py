"""Hostile uploads through the Data page (AppTest): refused or made inert, the loaded data kept.

Uploads are data only (a dataset.json is never read as configuration); names
that look like templates render literally on the Map and Compare pages; a
``javascript:`` source is text, never a link; dates are never guessed, and the
Data page's "Date format" field names the order.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.playerstate import player_args

ROOT = Path(__file__).resolve().parents[2]
PAGES = ROOT / "pages"

pytestmark = pytest.mark.usefixtures("bundled")


def square(x: float, size: float = 0.5) -> dict:
    return {"type": "Polygon", "coordinates": [[[x, 47], [x + size, 47], [x + size, 47 + size], [x, 47 + size],
                                                [x, 47]]]}


def fc(rows: list[dict]) -> bytes:
    feats = [{"type": "Feature", "properties": r, "geometry": square(37 + i % 5, 0.4 + 0.1 * (i // 5))}
             for i, r in enumerate(rows)]
    return json.dumps({"type": "FeatureCollection", "features": feats}).encode()


def data_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "src/territory/app/main.py"), default_timeout=120).run()
    at.switch_page(str(PAGES / "data.py")).run()
    return at


def upload(at: AppTest, *files: tuple[str, bytes], claims: tuple[str, bytes] | None = None,
           date_format: str = "") -> AppTest:
    at.get("file_uploader")[0].set_value([(n, b, "application/octet-stream") for n, b in files]
                                         if len(files) > 1 else (files[0][0], files[0][1], "application/json"))
    if claims is not None:
        at.get("file_uploader")[1].set_value((claims[0], claims[1], "text/csv"))
    if date_format:
        at.text_input(key="upload_date_format").set_value(date_format)
    button = next(b for b in at.button if b.label == "Load and validate")
    return button.click().run()


def codes(at: AppTest) -> list[str]:
    return [r["code"] for r in at.session_state["upload_report"] if r["severity"] == "error"]


def test_uploaded_manifest_alone_is_refused_and_the_bundled_data_stays(tmp_path):
    at = data_page()
    manifest = json.dumps({"history": "/etc/passwd", "claims": "../../../../dev/zero"}).encode()
    at = upload(at, ("dataset.json", manifest))
    assert not at.exception
    assert codes(at) == ["manifest-upload"]
    assert any("previous data is still loaded" in e.value for e in at.error)
    assert "uploaded" not in at.session_state or at.session_state["uploaded"] is None
    assert "root:" not in json.dumps(at.session_state["upload_report"])


def test_uploaded_manifest_beside_data_is_refused_and_earlier_upload_stays():
    at = data_page()
    good = fc([{"date": "2022-03-01", "actor": "Alpha"}])
    at = upload(at, ("mine.geojson", good))
    first = at.session_state["uploaded"]
    assert first.dataset.actors == ["Alpha"]
    at = upload(at, ("2022-03-01.geojson", good), ("dataset.json", json.dumps({"history": "/etc/hosts"}).encode()))
    assert not at.exception
    assert codes(at) == ["manifest-upload"]
    assert at.session_state["uploaded"] is first


def test_link_crs_upload_is_refused_without_a_request():
    at = data_page()
    body = json.loads(fc([{"date": "2022-03-01", "actor": "Alpha"}]))
    body["crs"] = {"type": "link", "properties": {"href": "http://127.0.0.1:9/x", "type": "proj4"}}
    at = upload(at, ("link.geojson", json.dumps(body).encode()))
    assert not at.exception and codes(at) == ["crs-link"]


HOSTILE = ["Brigade {#3}", "{{ 7*7 }}", "{% if true %}x{% endif %}", "Cost $5$"]


@pytest.fixture
def hostile_session() -> AppTest:
    rows = [{"date": d, "actor": n, "source": "{{ 6*7 }}", "source_url": "javascript:alert(1)"}
            for n in HOSTILE for d in ("2022-03-01", "2022-04-01")]
    claims = ("claims.csv", b"date,actor,metric,value,unit,source_url\n"
                            b"2022-04-01,Brigade {#3},area_held,100,km2,javascript:alert(1)\n"
                            b"2022-04-01,{{ 7*7 }},area_held,100,km2,https://example.org/c\n")
    at = upload(data_page(), ("hostile.geojson", fc(rows)), claims=claims)
    assert not at.exception and at.session_state["source"] == "uploaded", at.session_state["upload_report"]
    return at


def test_template_names_render_literally_on_the_map_page(hostile_session):
    """The player gets the names as data (its script sets them as text: the browser test reads them
    back); nothing on the page hands them to markdown or a template unescaped."""
    at = hostile_session
    at.switch_page(str(PAGES / "map.py")).run()
    assert not at.exception, [e.message for e in at.exception]
    args = player_args(at)
    assert set(HOSTILE) <= set(args["actors"])  # exactly as written, for textContent
    shown = "".join(m.value for m in at.markdown) + "".join(c.value for c in at.caption)
    assert "{{" not in shown and "{%" not in shown and "$5$" not in shown


def test_template_names_render_literally_on_the_compare_page(hostile_session):
    at = hostile_session
    at.switch_page(str(PAGES / "compare.py")).run()
    assert not at.exception, [e.message for e in at.exception]


def test_javascript_source_is_text_not_a_link_on_the_claims_page(hostile_session):
    at = hostile_session
    at.switch_page(str(PAGES / "claims.py")).run()
    assert not at.exception, [e.message for e in at.exception]
    table = at.dataframe[0].value
    links = [v for v in table["source_url"].dropna() if v]  # a missing link is a blank cell
    assert links == ["https://example.org/c"]  # the only link column value
    assert [v for v in table["source_text"].dropna() if v] == ["javascript:alert(1)"]  # shown as text


def test_ambiguous_dates_refused_then_read_with_the_date_format_field():
    csv = (b'date,actor,geometry\n01/03/2022,Alpha,"POLYGON ((37 47, 38 47, 38 48, 37 47))"\n'
           b'02/03/2022,Alpha,"POLYGON ((37 47, 38.5 47, 38 48, 37 47))"\n')
    at = upload(data_page(), ("dates.csv", csv))
    assert not at.exception
    report = at.session_state["upload_report"]
    first = next(r for r in report if r["severity"] == "error")
    assert first["row"] == "2" and first["field"] == "date" and "ambiguous" in first["message"]
    assert "“Date format” field" in first["hint"]  # the page names its own field, not a CLI flag
    at = upload(at, ("dates.csv", csv), date_format="%d/%m/%Y")
    assert not at.exception
    assert at.session_state["source"] == "uploaded", at.session_state["upload_report"]
    days = sorted(d.date().isoformat() for d in at.session_state["uploaded"].dataset.history["date"].unique())
    assert days == ["2022-03-01", "2022-03-02"]
