"""A file is data, never instructions: manifests, network, templates, links, bad values, dates.

Issue 9 points 1, 2, 3, 5 and issue 8 point 5. Every hostile input is refused
(or made inert) with a message naming file, row and field; nothing it names is
read, fetched, compiled or linked.
"""

from __future__ import annotations

import io
import json
import os
import socket
import threading
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from territory import manifest
from territory.cli import main
from territory.datasets import bundled_path, load_dataset
from territory.io import LoadOptions, read_history_report
from territory.io.dates import parse_one, parse_texts
from territory.links import safe_url
from territory.report import LoadError, Report

BUNDLED_DIR = bundled_path()


def square(x: float = 37.0, y: float = 47.0, size: float = 0.5) -> dict:
    return {"type": "Polygon", "coordinates": [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]]}


def write_fc(path: Path, rows: list[dict], **extra: object) -> Path:
    feats = [{"type": "Feature", "properties": r, "geometry": square(37 + i)} for i, r in enumerate(rows)]
    path.write_text(json.dumps({"type": "FeatureCollection", **extra, "features": feats}), encoding="utf-8")
    return path


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        rc = main(list(args))
    return rc, out.getvalue(), err.getvalue()


GOOD = {"date": "2022-03-01", "actor": "Alpha", "status": "controlled"}


# --- 9.1 uploads are never configuration; manifests are confined ---------------------------------

def _dataset(tmp_path: Path, meta: dict) -> Path:
    folder = tmp_path / "ds"
    folder.mkdir()
    write_fc(folder / "history.geojson", [GOOD])
    (folder / "dataset.json").write_text(json.dumps({"history": "history.geojson", **meta}), encoding="utf-8")
    return folder


def test_uploaded_manifest_alone_is_refused_never_read(tmp_path):
    (tmp_path / "dataset.json").write_text(json.dumps({"history": "/etc/passwd"}), encoding="utf-8")
    with pytest.raises(LoadError) as err:
        load_dataset(tmp_path / "dataset.json", allow_manifest=False, display_name="dataset.json")
    codes = [p.code for p in err.value.report.errors]
    assert codes == ["manifest-upload"], err.value.report
    assert "never read" in str(err.value.report)


def test_uploaded_manifest_beside_data_is_refused(tmp_path):
    folder = _dataset(tmp_path, {"history": "/dev/zero"})
    with pytest.raises(LoadError) as err:
        load_dataset(folder, allow_manifest=False, display_name="2 snapshot files")
    assert err.value.report.errors[0].code == "manifest-upload"


@pytest.mark.parametrize("value, why", [
    ("/etc/passwd", "absolute path"),
    ("/dev/zero", "absolute path"),
    ("../../../etc/passwd", "points outside"),
    ("sub/../../outside.geojson", "points outside"),
    ("http://127.0.0.1:9/x.geojson", "absolute path or URL"),
    (["history.geojson"], "must be a relative file path"),
])
def test_manifest_paths_stay_inside_the_folder(tmp_path, value, why):
    folder = _dataset(tmp_path, {"claims": value})
    with pytest.raises(LoadError) as err:
        load_dataset(folder)
    problems = [p for p in err.value.report.errors if p.code == "manifest-path"]
    assert problems and problems[0].field == "claims" and why in problems[0].message, err.value.report


def test_manifest_symlink_out_of_the_folder_is_refused(tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text("date,metric,value,unit\n", encoding="utf-8")
    folder = _dataset(tmp_path, {"claims": "claims.csv"})
    (folder / "claims.csv").symlink_to(secret)
    with pytest.raises(LoadError) as err:
        load_dataset(folder)
    assert "through '..' or a symlink" in str(err.value.report)


def test_manifest_naming_a_fifo_or_device_is_refused_without_reading(tmp_path):
    folder = _dataset(tmp_path, {"claims": "claims.csv", "actors": "actors.csv"})
    os.mkfifo(folder / "claims.csv")  # reading it would block forever
    (folder / "actors.csv").symlink_to("/dev/zero")  # resolves outside: refused before any read
    with pytest.raises(LoadError) as err:
        load_dataset(folder)
    text = str(err.value.report)
    assert "points outside" in text  # actors -> /dev/zero
    other = tmp_path / "b"
    other.mkdir()
    folder2 = _dataset(other, {"claims": "claims.csv"})
    os.mkfifo(folder2 / "claims.csv")
    with pytest.raises(LoadError) as err:
        load_dataset(folder2)
    assert any(p.code == "not-a-file" and "FIFO" in p.message for p in err.value.report.errors), err.value.report


def test_manifest_with_bad_values_and_huge_size_is_refused(tmp_path):
    folder = _dataset(tmp_path, {"title": {"x": 1}, "illustrative": "yes"})
    with pytest.raises(LoadError) as err:
        load_dataset(folder)
    fields = {p.field for p in err.value.report.errors}
    assert {"title", "illustrative"} <= fields
    (folder / "dataset.json").write_text(" " * (manifest.MAX_MANIFEST_BYTES + 1) + "{}", encoding="utf-8")
    with pytest.raises(LoadError) as err:
        load_dataset(folder)
    assert err.value.report.errors[0].code == "too-large"


def test_cli_on_a_hostile_manifest_exits_1_with_the_report(tmp_path):
    folder = _dataset(tmp_path, {"claims": "/etc/passwd"})
    for command in ("stats", "validate", "claims"):
        rc, out, err = run_cli(command, str(folder), "--no-cache") if command != "validate" else \
            run_cli(command, str(folder))
        assert rc == 1, (command, err)
        assert "dataset.json, field 'claims'" in err + out and "Traceback" not in err
        assert "root:" not in out  # nothing of /etc/passwd is printed


def test_bundled_manifest_still_loads_its_shared_layers():
    ds = load_dataset(BUNDLED_DIR)
    assert ds.regions is not None and ds.countries is not None and ds.claims is not None


@pytest.mark.parametrize("target", ["/dev/zero", "fifo"])
def test_device_or_fifo_as_history_is_refused(tmp_path, target):
    path = Path(target)
    if target == "fifo":
        path = tmp_path / "snap.geojson"
        os.mkfifo(path)
    history, report = read_history_report(path)
    assert history is None
    assert report.errors[0].code == "not-a-file", report
    rc, _, err = run_cli("stats", str(path))
    assert rc == 1 and "not a regular file" in err


# --- 9.2 no network from data ---------------------------------------------------------------------

class Listener:
    """A local TCP listener that records every connection (nothing should ever arrive)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.hits: list[bytes] = []
        self._stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            conn.settimeout(1)
            try:
                self.hits.append(conn.recv(200) or b"(connected)")
            except OSError:
                self.hits.append(b"(connected)")
            conn.close()

    def close(self) -> list[bytes]:
        time.sleep(0.2)  # a late connection still counts
        self._stop = True
        self.thread.join(2)
        self.sock.close()
        return self.hits


@pytest.fixture
def listener(monkeypatch):
    for var in ("no_proxy", "NO_PROXY"):  # a no_proxy naming 127.0.0.1 would bypass GDAL's proxy setting
        monkeypatch.delenv(var, raising=False)
    lst = Listener()
    yield lst
    lst.close()


@pytest.mark.parametrize("crs, name", [
    ({"type": "link", "properties": {"href": "http://127.0.0.1:{port}/crs", "type": "proj4"}}, "link.geojson"),
    ({"type": "link", "properties": {"href": "http://127.0.0.1:{port}/crs"}}, "json_named.gpkg"),
    ({"type": "name", "properties": {"name": "http://127.0.0.1:{port}/def"}}, "name_url.geojson"),
    ({"type": "link", "properties": {"href": "/etc/passwd"}}, "path.json"),
])
def test_a_crs_pointing_at_a_url_is_refused_and_nothing_is_fetched(tmp_path, listener, crs, name):
    crs = json.loads(json.dumps(crs).replace("{port}", str(listener.port)))
    path = write_fc(tmp_path / name, [GOOD], crs=crs)
    history, report = read_history_report(path)
    rc, out, _ = run_cli("validate", str(path))
    assert listener.close() == []
    assert history is None and rc == 1
    problem = report.errors[0]
    assert problem.code == "crs-link" and problem.field == "crs" and problem.file == name, report
    assert "never follows links" in out


def test_gdal_itself_makes_no_request_even_if_the_check_were_bypassed(tmp_path, listener):
    """Second line of defence: GDAL's HTTP client is pointed at a closed local port."""
    import pyogrio

    import territory.io.readers  # noqa: F401  (configures GDAL on import)

    crs = {"type": "link", "properties": {"href": f"http://127.0.0.1:{listener.port}/crs", "type": "proj4"}}
    path = write_fc(tmp_path / "x.geojson", [GOOD], crs=crs)
    pyogrio.read_dataframe(path)
    assert listener.close() == []


def test_proj_network_is_off():
    import pyproj.network

    import territory.io.readers  # noqa: F401

    assert not pyproj.network.is_network_enabled()


def test_opengis_crs_names_are_still_read(tmp_path):
    crs = {"type": "name", "properties": {"name": "http://www.opengis.net/def/crs/EPSG/0/4326"}}
    history, report = read_history_report(write_fc(tmp_path / "ok.geojson", [GOOD], crs=crs))
    assert history is not None, report


# --- 9.3 text is never a template ----------------------------------------------------------------

HOSTILE_NAMES = ["Brigade {#3}", "{{ 7*7 }}", "{% if true %}x{% endif %}", "Cost $5$ and $x^2$",
                 "</script><script>alert(1)</script>"]


@pytest.fixture(scope="module")
def hostile_analysis(tmp_path_factory):
    from territory.analysis import Analysis

    folder = tmp_path_factory.mktemp("hostile")
    rows = [{"date": d, "actor": n, "status": "controlled", "source": "{{ 6*7 }} $y$",
             "source_url": "javascript:alert(1)"} for n in HOSTILE_NAMES for d in ("2022-03-01", "2022-04-01")]
    feats = [{"type": "Feature", "properties": r, "geometry": square(30 + i // 2, 47, 0.4 + 0.1 * (i % 2))}
             for i, r in enumerate(rows)]
    path = folder / "hostile.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    return Analysis.of(load_dataset(path))


def test_hostile_names_render_literally_in_the_folium_layer(hostile_analysis):
    import folium
    from streamlit_folium import _get_feature_group_string

    from territory.ui.mapview import date_layer

    an = hostile_analysis
    layer = date_layer(an, "2022-04-01", an.dataset.actors, ["controlled"])
    m = folium.Map(tiles=None)
    script = _get_feature_group_string(layer, m)  # what st_folium sends; raised TemplateSyntaxError before
    page = m.get_root().render()  # the full folium render compiles every script as a template
    for text in (script, page):
        # HTML character references (JSON-escaped by folium's tojson): shown as braces by the popup.
        assert "Brigade \\u0026#123;#3\\u0026#125;" in text
        assert "\\u0026#123;\\u0026#123; 7*7 \\u0026#125;\\u0026#125;" in text
        assert "\\u0026#123;\\u0026#123; 6*7 \\u0026#125;\\u0026#125;" in text  # source, in the popup
        assert "{{ 7*7" not in text and "{#3" not in text and "{% if" not in text
        assert "<script>alert(1)" not in text


def test_compare_change_layer_is_inert(hostile_analysis):
    import folium

    from territory.ui.mapview import change_layer

    poly = gpd.GeoDataFrame({"actor": HOSTILE_NAMES[:2], "status": "controlled", "change": ["gained", "lost"],
                             "area_km2": [1.0, 2.0]}, geometry=[shapely.box(0, 0, 1, 1)] * 2, crs=4326)
    m = folium.Map(tiles=None)
    change_layer(poly).add_to(m)
    page = m.get_root().render()
    assert "Brigade \\u0026#123;#3\\u0026#125;" in page and "{{ 7*7" not in page


def test_html_export_keeps_names_literal(hostile_analysis):
    from territory.export.html import html_document

    page = html_document(hostile_analysis)
    data = page.split('<script type="application/json" id="tp-data">', 1)[1].split("</script>", 1)[0]
    payload_text = json.dumps(json.loads(data), ensure_ascii=False)
    for name in HOSTILE_NAMES:
        assert json.dumps(name, ensure_ascii=False)[1:-1] in payload_text
    assert "<script>alert(1)" not in page
    assert "javascript:" not in data  # the unsafe source_url never becomes a link


def test_dollar_signs_are_not_mathtext_in_exports(hostile_analysis, tmp_path):
    from territory.export.mapview import save_map

    out = save_map(hostile_analysis, "2022-04-01", tmp_path / "map.svg")
    svg = Path(out).read_text(encoding="utf-8")
    assert "Cost $5$ and $x^2$" in svg.replace("&lt;", "<")  # drawn as text, dollars and all


def test_legend_colours_from_a_manifest_are_strict(tmp_path):
    folder = _dataset(tmp_path, {"actors": "actors.csv"})
    (folder / "actors.csv").write_text(
        'name,color\nAlpha,"red;background:url(http://127.0.0.1:9/x)"\n', encoding="utf-8")
    ds = load_dataset(folder)
    assert ds.colors["Alpha"].startswith("#") and len(ds.colors["Alpha"]) == 7
    warn = [p for p in ds.report.warnings if p.code == "bad-color"]
    assert warn and warn[0].row == "2" and warn[0].field == "color"


@pytest.mark.parametrize("url, ok", [
    ("https://example.org/a?b=1", True), ("http://example.org", True), ("javascript:alert(1)", False),
    ("JAVASCRIPT:alert(1)", False), ("data:text/html,x", False), ("file:///etc/passwd", False),
    ("https://exa mple.org", False), ("//example.org", False), ("", False), (None, False),
])
def test_only_http_links(url, ok):
    assert (safe_url(url) is not None) is ok


# --- 9.5 every bad value is caught at validation with row and field -----------------------------

CLAIMS_HEAD = "date,actor,metric,value,unit,baseline,as_of,reference\n"


@pytest.mark.parametrize("row, field, words", [
    ("2015-06-01,Islamic State,area_held,nan,km2,,,", "value", "not a finite number"),
    ("2015-06-01,Islamic State,area_held,inf,km2,,,", "value", "not a finite number"),
    ("2015-06-01,Islamic State,area_held,1e400,km2,,,", "value", "not a finite number"),
    ("2015-06-01,Islamic State,area_held,-5,km2,,,", "value", "negative"),
    ("2015-06-01,Islamic State,percent_held,150,percent,peak,,", "value", "more than 100%"),
    ("2015-06-01,Islamic State,percent_held,50,km2,peak,,", "unit", "must have unit 'percent'"),
    ("2015-06-01,Islamic State,area_held,10,km2,,sometime,", "as_of", "neither 'peak' nor a date"),
    ("2015-06-01,Islamic State,area_held,10,km2,,tomorrow,", "as_of", "relative"),
    ("2015-06-01,Islamic State,percent_lost,10,percent,now,,", "baseline", "relative"),
    ("today,Islamic State,area_held,10,km2,,,", "date", "relative"),
    ("01/03/2015,Islamic State,area_held,10,km2,,,", "date", "ambiguous"),
    ("2015-06-01,Islamic State,comparison,1,km2,,,", "reference", "needs a 'reference'"),
])
def test_claims_ledger_bad_values_name_row_and_field(tmp_path, row, field, words):
    path = tmp_path / "claims.csv"
    path.write_text(CLAIMS_HEAD + row + "\n", encoding="utf-8")
    rc, _, err = run_cli("claims", str(BUNDLED_DIR), str(path), "--no-cache")
    assert rc == 1, err
    assert f"claims.csv, row 2, field '{field}'" in err and words in err, err
    assert "Traceback" not in err


def test_declared_crs_contradicting_degrees_is_an_error(tmp_path):
    crs = {"type": "name", "properties": {"name": "EPSG:3857"}}
    history, report = read_history_report(write_fc(tmp_path / "merc.geojson", [GOOD], crs=crs))
    assert history is None
    p = report.errors[0]
    assert p.code == "crs-contradiction" and p.field == "geometry" and "EPSG:3857" in p.message


def test_report_output_is_capped(tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(150):  # 150 files, each refused for its own reason: more problems than a person reads
        feature = {"type": "Feature", "properties": {"date": f"bad{i:03d}", "actor": "A"},
                   "geometry": {"type": "Polygon", "coordinates": [[[37, 47], [37.5, 47], [37.5, 48], [37, 47]]]}}
        (folder / f"snap_{i:03d}.geojson").write_text(
            json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    rc, out, _ = run_cli("validate", str(folder))
    assert rc == 1
    lines = out.strip().splitlines()
    assert len(lines) <= 102 and "more problem(s) not shown" in lines[-2]
    rc, out, _ = run_cli("validate", str(folder), "--format", "json")
    body = json.loads(out)
    assert len(body["problems"]) == 100 and body["problems_not_shown"] == 50


def test_one_problem_in_every_file_is_one_line(tmp_path):
    """150 files refused for the same reason read as one line naming the count, not 150 lines."""
    folder = tmp_path / "same"
    folder.mkdir()
    for i in range(150):
        (folder / f"2022-01-{1 + i % 28:02d}_{i:03d}.geojson").write_text("{", encoding="utf-8")
    rc, out, _ = run_cli("validate", str(folder), "--actor", "A")
    assert rc == 1
    errors = [line for line in out.splitlines() if line.startswith("error")]
    assert len(errors) == 1 and "all 150 files" in errors[0]


# --- 8.5 dates are never guessed -----------------------------------------------------------------

def _csv(path: Path, dates: list[str]) -> Path:
    lines = ["date,actor,geometry"] + [f'{d},Alpha,"POLYGON (({37 + i} 47, {37.5 + i} 47, {37.5 + i} 48, {37 + i} 47))"'
                                       for i, d in enumerate(dates)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_ambiguous_dates_are_refused_with_the_row_and_the_option(tmp_path):
    path = _csv(tmp_path / "d.csv", ["01/03/2022", "02/03/2022"])
    rc, _, err = run_cli("dates", str(path))
    assert rc == 1
    assert "d.csv, row 2, field 'date': date '01/03/2022' is ambiguous" in err
    assert "--date-format" in err and "--date " not in err
    rc, out, err = run_cli("dates", str(path), "--date-format", "%d/%m/%Y")
    assert rc == 0, err
    assert out.split() == ["2022-03-01", "2022-03-02"]
    rc, out, _ = run_cli("dates", str(path), "--date-format", "%m/%d/%Y")
    assert out.split() == ["2022-01-03", "2022-02-03"]


def test_a_column_that_proves_its_order_is_read(tmp_path):
    rc, out, err = run_cli("dates", str(_csv(tmp_path / "d.csv", ["25/03/2022", "01/04/2022"])))
    assert rc == 0, err
    assert out.split() == ["2022-03-25", "2022-04-01"]


@pytest.mark.parametrize("dates, words", [
    (["2022-03-01", "01/03/2022"], "mixes date formats"),
    (["2022-03-01", "5 March 2022"], "mixes date formats"),
    (["25/03/2022", "03/25/2022"], "mixes day/month and month/day"),
    (["today", "2022-03-01"], "relative"),
    (["now"], "relative"),
    (["01/03/22"], "two-digit year"),
])
def test_dates_that_would_be_guessed_are_refused(tmp_path, dates, words):
    path = _csv(tmp_path / "d.csv", dates)
    history, report = read_history_report(path)
    assert history is None
    assert any(words in p.message and p.field == "date" for p in report.errors), report


@pytest.mark.parametrize("date, words", [
    ("1618-05-23", "is before 1678-01-01, the earliest date Territory can hold"),  # the Thirty Years' War
    ("2300-01-01", "is after 2261-12-31, the latest date Territory can hold"),
    ("2015-02-30", "is not a date"),  # no such day: not called out of range
])
def test_a_real_date_out_of_range_is_named_as_such(tmp_path, date, words):
    history, report = read_history_report(_csv(tmp_path / "d.csv", [date]))
    assert history is None
    hit = [p for p in report.errors if p.field == "date"]
    assert len(hit) == 1 and words in hit[0].message and hit[0].row == "2", report  # line 2: after the header


def test_unambiguous_dates_and_file_names_keep_working(tmp_path):
    days, problems, mixed = parse_texts(["2022-03-01", "2022-03-02T10:00:00Z", "2022/03/03", "20220304"])
    assert not problems and mixed is None
    assert sorted(d.date().isoformat() for d in days.values()) == ["2022-03-01", "2022-03-02", "2022-03-03",
                                                                   "2022-03-04"]
    folder = tmp_path / "snaps"
    folder.mkdir()
    for name in ("20220301.geojson", "2022-03-15.geojson"):
        (folder / name).write_text(json.dumps({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": None, "geometry": square()}]}), encoding="utf-8")
    history, report = read_history_report(folder, LoadOptions(actor="A"))
    assert history is not None, report
    assert [d.date().isoformat() for d in sorted(history["date"].unique())] == ["2022-03-01", "2022-03-15"]


@pytest.mark.parametrize("value", ["today", "now", "01/03/2022"])
def test_file_date_option_is_never_guessed(tmp_path, value):
    path = tmp_path / "snap.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": None, "geometry": square()}]}), encoding="utf-8")
    rc, _, err = run_cli("dates", str(path), "--actor", "A", "--file-date", value)
    assert rc == 1 and "--file-date" in err, err


def test_bad_date_format_option_is_refused(tmp_path):
    rc, _, err = run_cli("dates", str(_csv(tmp_path / "d.csv", ["01/03/2022"])), "--date-format", "%Y")
    assert rc == 1 and "needs a day, a month and a year" in err


def test_parse_one_reasons():
    assert parse_one("2022-03-01")[0] == pd.Timestamp("2022-03-01")
    assert "ambiguous" in parse_one("01/03/2022")[1]
    assert parse_one("01/03/2022", "%d/%m/%Y")[0] == pd.Timestamp("2022-03-01")


@pytest.mark.parametrize("command", ["stats", "validate", "dates"])
def test_alias_table_that_never_ends_is_refused(command):
    rc, _, err = run_cli(command, "--aliases", "/dev/zero")
    assert rc == 2 and "alias table is a device, not a regular file" in err


# --- 17.1 one reader per format, 17.2 no network from data, by construction ----------------------

CORPUS = Path(__file__).resolve().parents[1] / "data"
#: The host the corpus's network-minded files name (scripts/make_broken_corpus.py NET).
NET = b"127.0.0.1:47913"


@pytest.fixture
def listener_exempt(monkeypatch):
    """A local listener that GDAL's proxy setting does not cover: no_proxy names loopback, as on servers."""
    for var in ("no_proxy", "NO_PROXY"):
        monkeypatch.setenv(var, "127.0.0.1,localhost")
    lst = Listener()
    assert len(str(lst.port)) == len("47913")
    yield lst
    lst.close()


def _aim(data: bytes, port: int) -> bytes:
    new = f"127.0.0.1:{port}".encode()
    return data.replace(NET, new).replace(NET.decode().encode("utf-16-le"), new.decode().encode("utf-16-le"))


def _copy_aimed(src: Path, dst: Path, port: int) -> None:
    import warnings
    import zipfile

    if src.is_dir():
        dst.mkdir(parents=True)
        for child in sorted(src.iterdir()):
            _copy_aimed(child, dst / child.name, port)
        return
    if src.suffix in (".zip", ".kmz"):
        try:
            with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout, warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for info in zin.infolist():
                    zout.writestr(info, _aim(zin.read(info), port))
            return
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError, EOFError):
            pass  # broken on purpose: copied as it is
    dst.write_bytes(_aim(src.read_bytes(), port))


def _corpus_aimed_at(dest: Path, port: int) -> list[Path]:
    """Every corpus entry, copied with its network host turned into the listener's (zips rebuilt)."""
    out = []
    for folder in ("broken", "warn"):
        (dest / folder).mkdir(parents=True)
        for src in sorted((CORPUS / folder).iterdir()):
            if src.name != "cases.csv":
                _copy_aimed(src, dest / folder / src.name, port)
                out.append(dest / folder / src.name)
    return out


def test_no_file_in_the_hostile_corpus_opens_a_socket(tmp_path, listener_exempt):
    """Every corpus file read (and validated) with its URLs aimed at a listener no proxy covers: 0 connections."""
    from territory.validate import validate

    aiming = [p for folder in ("broken", "warn") for p in (CORPUS / folder).iterdir() if p.is_file()
              and (NET in p.read_bytes() or NET.decode().encode("utf-16-le") in p.read_bytes())]
    assert len(aiming) >= 11, "the corpus has lost its network-minded files"
    for path in _corpus_aimed_at(tmp_path, listener_exempt.port):
        read_history_report(path)
        validate(path)
    assert listener_exempt.close() == []


@pytest.mark.filterwarnings("ignore:HTTP response code")
def test_the_listener_sees_gdal_when_its_lock_is_off(tmp_path, listener_exempt):
    """Control for the test above: with /vsicurl/ allowed again, GDAL does reach the listener past the proxy."""
    import pyogrio

    from territory.io import offline

    offline.configure()
    url = f"/vsicurl/http://127.0.0.1:{listener_exempt.port}/x.geojson"
    try:
        pyogrio.set_gdal_config_options({"CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".geojson",
                                         "CPL_VSIL_CURL_ALLOWED_FILENAME": None})
        with pytest.raises(Exception):  # noqa: B017  (the listener answers nothing useful)
            pyogrio.read_info(url)
    finally:
        pyogrio.set_gdal_config_options(offline.GDAL_OPTIONS)
    assert listener_exempt.close() != []
    with pytest.raises(Exception):  # noqa: B017
        pyogrio.read_info(url)


def test_drivers_that_name_other_files_are_not_loaded_even_if_pyogrio_came_first():
    """GDAL_SKIP works only before pyogrio registers drivers; configure() unloads them in any case."""
    import subprocess
    import sys

    code = ("import os; os.environ.pop('GDAL_SKIP', None); import pyogrio; n = len(pyogrio.list_drivers()); "
            "from territory.io import readers, offline; print(n, sorted(pyogrio.list_drivers()))")
    env = {k: v for k, v in os.environ.items() if k != "GDAL_SKIP"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    before, after = out.split(" ", 1)
    assert int(before) > 20  # pyogrio had registered GDAL's full list (VRT, GDALG, WFS, CSV, SQLite...)
    assert after.strip() == str(sorted(["ESRI Shapefile", "FlatGeobuf", "GPKG", "GeoJSON", "KML", "LIBKML"]))


@pytest.mark.parametrize("name", ["x.gpkg", "x.geojson", "x.fgb", "x.shp"])
def test_a_vrt_is_never_read_even_if_the_content_check_were_bypassed(tmp_path, name):
    import pyogrio

    from territory.io import offline, readers

    offline.configure()
    path = tmp_path / name
    path.write_bytes((CORPUS / "broken" / "vrt_passwd.gpkg").read_bytes())
    for target in (str(path), readers.gdal_path(path)):
        with pytest.raises(Exception, match=r"not recognized|Failed to read|sqlite|No such file"):
            pyogrio.read_info(target)
    history, report = read_history_report(path)
    assert history is None and report.errors[0].code == "wrong-format"
    assert f"{name} is an OGR VRT file" in report.errors[0].message and "root:" not in str(report)


def test_a_geopackage_view_cannot_open_other_files(tmp_path):
    """GPKG is SQLite: a view may call GDAL's SQL functions, which would open a file it names."""
    import sqlite3

    import pyogrio

    from territory.io import offline
    from territory.io.readers import read_file

    grid = tmp_path / "secret.asc"
    grid.write_text("ncols 1\nnrows 1\nxllcorner 0\nyllcorner 0\ncellsize 1\n42\n")
    path = tmp_path / "view.gpkg"
    gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.box(37, 47, 38, 48)], crs=4326).to_file(path, layer="r")
    with sqlite3.connect(path) as db:
        db.execute(f"CREATE VIEW v AS SELECT fid, geom, gdal_get_pixel_value('{grid}', 1, 'pixel', 0, 0) AS leak "
                   "FROM r")
        db.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES ('v', 'features', "
                   "'v', 4326)")
        db.execute("INSERT INTO gpkg_geometry_columns VALUES ('v', 'geom', 'POLYGON', 4326, 0, 0)")
    report = Report()
    layers = {raw.layer: raw.frame for raw in read_file(path, LoadOptions(), report)}
    assert layers["v"]["leak"].isna().all(), layers["v"]
    try:  # control: with external access allowed, the same view does read the file
        pyogrio.set_gdal_config_options({"OGR_SQLITE_ALLOW_EXTERNAL_ACCESS": "YES"})
        layers = {raw.layer: raw.frame for raw in read_file(path, LoadOptions(), Report())}
        assert float(layers["v"]["leak"].iloc[0]) == 42
    finally:
        pyogrio.set_gdal_config_options(offline.GDAL_OPTIONS)


def test_a_geopackage_view_cannot_load_an_extension(tmp_path):
    import sqlite3

    path = tmp_path / "ext.gpkg"
    gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.box(37, 47, 38, 48)], crs=4326).to_file(path, layer="r")
    with sqlite3.connect(path) as db:
        db.execute(f"CREATE VIEW v AS SELECT fid, geom, load_extension('{tmp_path}/evil.so') AS x FROM r")
        db.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES ('v', 'features', "
                   "'v', 4326)")
        db.execute("INSERT INTO gpkg_geometry_columns VALUES ('v', 'geom', 'POLYGON', 4326, 0, 0)")
    history, report = read_history_report(path)
    assert history is None and "unsafe use of load_extension()" in report.errors[0].message, report


def test_gml_is_refused_and_nothing_is_written_beside_it(tmp_path):
    path = tmp_path / "x.gml"
    path.write_bytes((CORPUS / "broken" / "features.gml").read_bytes())
    rc, out, _ = run_cli("validate", str(path))
    assert rc == 1 and "GML is not accepted" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.gml"]


def test_fifo_and_device_links_in_a_folder_are_reported(tmp_path):
    write_fc(tmp_path / "2022-03-01.geojson", [GOOD])
    os.mkfifo(tmp_path / "2022-03-02.geojson")
    (tmp_path / "2022-03-03.geojson").symlink_to("/dev/zero")
    history, report = read_history_report(tmp_path)
    assert history is not None, report
    skipped = {p.file: p.message for p in report.warnings if p.code == "not-a-file"}
    assert "FIFO" in skipped["2022-03-02.geojson"] and "device" in skipped["2022-03-03.geojson"], report


@pytest.mark.parametrize("suffix, driver", [(".geojson", "GeoJSON"), (".gpkg", "GPKG"), (".fgb", "FlatGeobuf"),
                                            (".kml", "KML"), (".shp", "ESRI Shapefile")])
def test_every_accepted_format_still_reads_with_its_one_driver(tmp_path, suffix, driver):
    import zipfile

    frame = gpd.GeoDataFrame({"date": ["2022-03-01"], "actor": ["Alpha"], "status": ["controlled"]},
                             geometry=[shapely.box(37, 47, 38, 48)], crs=4326)
    path = tmp_path / f"h{suffix}"
    frame.to_file(path, driver=driver, engine="pyogrio")
    if suffix == ".shp":
        zipped = tmp_path / "h.zip"
        with zipfile.ZipFile(zipped, "w") as zf:
            for part in tmp_path.glob("h.*"):
                if part != zipped:
                    zf.write(part, part.name)
        path = zipped
    history, report = read_history_report(path)
    assert history is not None and len(history) == 1, report


@pytest.mark.parametrize("key, name", [("countries", "countries.geojson"), ("regions", "regions.gpkg"),
                                       ("basemap", "basemap.fgb"), ("history", "history.gpkg")])
def test_a_manifest_layer_that_is_a_vrt_is_refused_by_name(tmp_path, key, name):
    """Path confinement holds the name; the content check holds what the file is (issue 17.1)."""
    folder = tmp_path / "ds"
    folder.mkdir()
    write_fc(folder / "history.geojson", [GOOD])
    (folder / name).write_bytes((CORPUS / "broken" / "vrt_passwd.gpkg").read_bytes())
    meta = {"history": "history.geojson", key: name}
    (folder / "dataset.json").write_text(json.dumps(meta), encoding="utf-8")
    rc, out, err = run_cli("stats", str(folder))
    assert rc == 1 and f"{name} is an OGR VRT file" in out + err and "root:" not in out + err
    assert "internal error" not in out + err
