"""Player payload, standalone HTML and offline assets (no browser needed)."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from territory.model import change_dates, with_validity
from territory.player import (
    QUANTUM,
    build_payload,
    decode_geometry,
    embed_json,
    encode_geometry,
    payload_size_bytes,
    payload_vertices,
    simplify_to_budget,
    standalone_html,
)

ROOT = Path(__file__).resolve().parents[2]
ASSETS = ROOT / "src" / "territory" / "assets"
XSS = "<img src=x onerror=alert(1)>"


def _row(day, actor, status, geom, valid_to=None, source=None, url=None):
    return {
        "date": pd.Timestamp(day),
        "actor": actor,
        "status": status,
        "geometry": geom,
        "valid_to": pd.Timestamp(valid_to) if valid_to else pd.NaT,
        "source": source,
        "source_url": url,
        "note": None,
    }


def _history() -> gpd.GeoDataFrame:
    rows = [
        _row("2022-01-01", "Alpha", "controlled", shapely.box(30, 48, 32, 50), source="S </script>"),
        _row("2022-01-01", XSS, "controlled", shapely.box(33, 48, 35, 50), url="javascript:alert(1)"),
        _row("2022-01-05", "Alpha", "controlled", shapely.box(30, 48, 33, 50), url="https://x.org/a"),
        _row("2022-01-05", "Alpha", "contested", shapely.Polygon()),
        _row("2022-01-09", "Alpha", "claimed", shapely.box(30, 47, 35, 51), valid_to="2022-01-12"),
    ]
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    gdf.index = [10, 11, 12, 13, 14]  # caller's index must survive for areas
    return gdf


def _circle_history(n: int, vertices: int) -> gpd.GeoDataFrame:
    rows = [
        _row(
            pd.Timestamp("2023-01-01") + pd.Timedelta(days=i),
            "A",
            "controlled",
            shapely.Point(30, 48).buffer(1 + 0.01 * i, quad_segs=vertices // 4),
        )
        for i in range(n)
    ]
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def test_payload_structure() -> None:
    hist = _history()
    p = build_payload(
        hist,
        {"Alpha": "#E69F00", XSS: "#0072B2"},
        title="T",
        label="L",
        attribution="A",
        areas={10: 100.0, 12: 250.5, 14: float("nan")},
    )
    json.dumps(p, allow_nan=False)  # strictly JSON-serialisable
    assert set(p) >= {"title", "label", "attribution", "dates", "actors", "statuses", "bounds",
                      "basemap", "transform", "features", "id"}
    assert p["dates"] == ["2022-01-01", "2022-01-05", "2022-01-09", "2022-01-12"]
    assert p["dates"] == [d.strftime("%Y-%m-%d") for d in change_dates(hist)]
    assert p["statuses"] == ["controlled", "contested", "claimed"]
    assert [a["name"] for a in p["actors"]] == [XSS, "Alpha"]  # model.actors(): date, then name
    assert p["bounds"] == [[47.0, 30.0], [51.0, 35.0]]
    assert p["basemap"] is None
    # the empty-geometry row draws nothing; the others are one feature each
    assert len(p["features"]) == 4
    names = [a["name"] for a in p["actors"]]
    by = {(names[f["a"]], p["statuses"][f["s"]], p["dates"][f["f"]]): f for f in p["features"]}
    first = by[("Alpha", "controlled", "2022-01-01")]
    assert (first["f"], first["t"], first["km2"], first["src"]) == (0, 1, 100.0, "S </script>")
    assert by[("Alpha", "controlled", "2022-01-05")]["t"] is None
    assert by[("Alpha", "controlled", "2022-01-05")]["km2"] == 250.5
    assert by[("Alpha", "controlled", "2022-01-05")]["url"] == "https://x.org/a"
    assert by[(XSS, "controlled", "2022-01-01")]["url"] is None  # javascript: dropped
    claim = by[("Alpha", "claimed", "2022-01-09")]
    assert (claim["f"], claim["t"], claim["km2"]) == (2, 3, None)
    # validity agrees with the model (the empty row has no end either)
    v = with_validity(hist)
    assert v["valid_until"].notna().sum() == sum(f["t"] is not None for f in p["features"])


def test_payload_id_stable_and_content_sensitive() -> None:
    a = build_payload(_history(), {"Alpha": "#E69F00"})
    b = build_payload(_history(), {"Alpha": "#E69F00"})
    c = build_payload(_history(), {"Alpha": "#000000"})
    assert a == b and a["id"] == b["id"]
    assert a["id"] != c["id"]
    assert payload_size_bytes(a) == len(json.dumps(a, separators=(",", ":"), ensure_ascii=False).encode())


def test_basemap_included_and_clipped() -> None:
    world = gpd.GeoDataFrame(
        {"name": ["near", "far"]},
        geometry=[shapely.box(20, 40, 45, 55), shapely.box(-120, 30, -100, 40)],
        crs="EPSG:4326",
    )
    p = build_payload(_history(), {}, basemap=world)
    assert p["basemap"] and len(p["basemap"]) == 1  # the far polygon is clipped away
    assert p["actors"][0]["color"] == "#777777"  # missing colour -> neutral


def test_quantisation_round_trip_error_bound() -> None:
    rng = np.random.default_rng(1)
    pts = rng.uniform([30, 45], [40, 52], size=(40, 2))
    geom = shapely.MultiPolygon(
        [shapely.Point(*p).buffer(0.05 + 0.1 * rng.random(), quad_segs=8) for p in pts[:20]]
    ).buffer(0)
    x0, y0 = 29.0, 44.0
    enc = encode_geometry(geom, x0, y0, QUANTUM)
    dec = decode_geometry(enc, {"scale": [QUANTUM, QUANTUM], "translate": [x0, y0]})
    src = list(geom.geoms) if hasattr(geom, "geoms") else [geom]
    assert len(dec) == len(src)
    for poly, rings in zip(src, dec, strict=True):
        want = np.asarray(poly.exterior.coords)[:-1]
        got = rings[0]
        assert got.shape == want.shape  # no vertex lost at this spacing
        assert np.abs(got - want).max() <= QUANTUM / 2 + 1e-9
        assert len(rings) == 1 + len(poly.interiors)
    # all integers, rings open and delta-encoded
    for poly in enc:
        for ring in poly:
            assert all(isinstance(v, int) for v in ring) and len(ring) % 2 == 0


def test_tiny_rings_collapse_away() -> None:
    tiny = shapely.box(30, 48, 30 + QUANTUM / 4, 48 + QUANTUM / 4)
    assert encode_geometry(tiny, 30, 48, QUANTUM) == []


def test_vertex_budget_respected() -> None:
    hist = _circle_history(30, 2000)  # ~60k vertices
    p = build_payload(hist, {"A": "#000"}, max_vertices=5_000)
    assert payload_vertices(p) <= 5_000
    assert len(p["features"]) == 30
    p_full = build_payload(hist, {"A": "#000"}, max_vertices=1_000_000)
    assert payload_vertices(p_full) > 50_000
    out, tol = simplify_to_budget(np.asarray(hist.geometry.values), 5_000)
    assert tol > 0 and shapely.is_valid(out).all()


def test_embed_json_is_script_safe() -> None:
    payload = {"title": "</script><script>alert(1)</script>", "x": "<!-- & \u2028"}
    text = embed_json(payload)
    assert "</" not in text and "<" not in text and ">" not in text and "&" not in text
    assert "\u2028" not in text
    assert json.loads(text) == payload


def test_standalone_html_escaping_and_offline() -> None:
    hist = _history()
    p = build_payload(hist, {"Alpha": "#E69F00", XSS: "#0072B2"}, title="</title><script>x()</script>")
    page = standalone_html(p)
    assert XSS not in page  # neither raw in markup nor in the JSON block
    assert "<title>&lt;/title&gt;&lt;script&gt;x()&lt;/script&gt;</title>" in page
    # exactly our script elements, then only the closing tags we wrote
    assert page.count("<script") == page.count("</script>") == 7  # leaflet, labels, chart, netchart, player, boot, data
    data = re.search(r'<script type="application/json" id="tp-data">(.*?)</script>', page, re.S)
    assert data and json.loads(data.group(1)) == json.loads(json.dumps(p))
    # no external resource: no src/href attributes, no url() except data:
    markup = re.sub(r"<(script|style)\b[^>]*>.*?</\1>", "", page, flags=re.S)
    assert not re.search(r"\s(src|href)\s*=", markup)
    assert not re.search(r"url\((?!data:|#default#VML)", page)
    assert "Content-Security-Policy" in page and "default-src 'none'" in html.unescape(page)


def test_one_copy_of_leaflet() -> None:
    """Leaflet is vendored once (the player component's folder) and nowhere else in the tree."""
    src = ASSETS / "player" / "leaflet"
    assert "1.9." in (src / "README.md").read_text()
    for name in ("leaflet.js", "leaflet.css", "LICENSE", "images/layers.png"):
        assert (src / name).is_file(), name
    skip = {".git", ".venv", "node_modules", "build", "dist", ".pytest_cache", "test-artifacts"}
    copies = [p for p in ROOT.rglob("leaflet.js")
              if not skip & set(p.relative_to(ROOT).parts) and ".egg-info" not in str(p)]
    assert copies == [src / "leaflet.js"], copies


def test_offline_base_map_deterministic_and_local() -> None:
    pytest.importorskip("streamlit_folium")
    from territory.ui.offline import asset_urls, external_urls, make_base_map

    gj = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "A"},
                "geometry": shapely.geometry.mapping(shapely.box(30, 45, 40, 52)),
            }
        ],
    }
    a = make_base_map([[46, 31], [51, 39]], gj)
    b = make_base_map([[46, 31], [51, 39]], gj)
    assert a.get_root().render() == b.get_root().render()
    assert external_urls(a) == []
    from territory.ui.player_component import COMPONENT_NAME

    assert f"../{COMPONENT_NAME}/leaflet/leaflet.js" in asset_urls(a)
    online = make_base_map([[46, 31], [51, 39]], None, tiles="OpenStreetMap")
    assert "tile.openstreetmap.org" in online.get_root().render()


def test_analysis_payload_legend_counts_overlaps_once():
    """Two overlapping rows of one snapshot: popups show each row, the legend sums the union."""
    import shapely

    from territory.analysis import Analysis
    from territory.area import area_km2, union_area_km2
    from territory.datasets import Dataset
    from territory.player import analysis_payload
    from territory.report import Report
    from tests.conftest import make_history

    a, b = shapely.box(30, 46, 32, 48), shapely.box(31, 46, 33, 48)
    h = make_history([("2022-03-01", "X", "controlled", a), ("2022-03-01", "X", "controlled", b)])
    an = Analysis.of(Dataset("t", "t", h, {"X": "#000000"}, Report()))
    feats = analysis_payload(an)["features"]
    assert sorted(f["km2"] for f in feats) == pytest.approx(sorted(area_km2([a, b])), abs=0.1)
    assert sum(f["lk"] for f in feats) == pytest.approx(union_area_km2([a, b]), abs=0.1)


def test_analysis_payload_carries_style_key_numbers_and_places():
    """The player draws with the one style table and shows the same key numbers as the map page."""
    from territory.analysis import Analysis
    from territory.datasets import load_dataset
    from territory.keynumbers import KeyNumberSource
    from territory.player import analysis_payload
    from territory.style import style_payload

    an = Analysis.from_paths(load_dataset())
    p = analysis_payload(an)
    assert p["style"] == style_payload()
    rows = p["metrics"]["rows"]
    assert len(rows) == len(p["dates"]) == len(an.dates)
    src = KeyNumberSource(an)
    for i in (0, len(rows) // 2, len(rows) - 1):
        kn = src.on(p["dates"][i])
        assert rows[i][0] == round(kn.held_km2)  # whole km², rounded once as the page rounds
        assert rows[i][2] == round(kn.area_in_region_km2)
    assert p["metrics"]["headline"] == ("region" if src.on(p["dates"][-1]).land_only else "whole")
    assert p["metrics"]["actor"] == an.focus_actor
    assert p["places"] and all(len(pl) == 4 for pl in p["places"])
    assert "lk" not in p  # per-feature legend areas stay on the features


def test_key_numbers_are_rounded_once_as_the_page_rounds():
    """The player shows the payload's key numbers as they come: whole km², Python's rounding."""
    from territory.player import _num

    assert _num(86500.46) == 86500 and f"{86500.46:,.0f}" == "86,500"
    assert _num(86500.5) == round(86500.5) and f"{_num(86500.5):,}" == f"{86500.5:,.0f}"
    assert _num(float("nan")) is None and _num(None) is None


# --------------------------------------------------------------------------
# One source of numbers: what the player shows for a date is what `territory stats` prints for it


def _stats_csv(*argv: str) -> pd.DataFrame:
    """`territory stats --no-cache ...` as a table (the command a reader runs to check the page)."""
    import io
    from contextlib import redirect_stdout

    from territory.cli import main

    buf = io.StringIO()
    with redirect_stdout(buf):
        assert main(["stats", "--no-cache", *argv]) == 0
    return pd.read_csv(io.StringIO(buf.getvalue()), parse_dates=["date"])


def _payload_numbers_equal_stats(an, stats: pd.DataFrame) -> None:
    """Every date's key numbers and legend km² in the payload are the stats table's, rounded as printed."""
    from territory.player import analysis_payload

    p = analysis_payload(an)
    m, legend = p["metrics"], p["legend"]
    assert m["headline"] in ("region", "whole") and len(m["rows"]) == len(p["dates"]) == len(legend["rows"])
    col = {c: j for j, c in enumerate(m["cols"])}
    ctrl = stats[(stats["actor"] == m["actor"]) & (stats["status"] == "controlled")].set_index("date")
    checked = 0
    for i, day in enumerate(p["dates"]):
        r, s = m["rows"][i], ctrl.loc[pd.Timestamp(day)]
        assert r[col["held"]] == round(s["area_km2"]), day
        assert r[col["inside"]] == round(s["area_in_region_km2"]), day
        assert r[col["pct_region"]] == round(s["pct_of_region"], 2), day
        if pd.notna(s["pct_of_peak"]):
            assert f"{r[col['pct_peak']]:.1f}" == f"{s['pct_of_peak']:.1f}", day
            assert r[col["peak_km2"]] == round(s["peak_km2"]), day
        else:
            assert r[col["pct_peak"]] is None, day
        if i > 0:
            assert r[col["change"]] == round(s["change_km2"]), day
        row = legend["rows"][i]
        for a, name in enumerate(legend["actors"]):
            for k, status in enumerate(legend["statuses"]):
                hit = stats[(stats["date"] == pd.Timestamp(day)) & (stats["actor"] == name) & (stats["status"] == status)]
                km2 = float(hit["area_km2"].iloc[0]) if len(hit) else 0.0
                assert row[3 * a + k] == (round(km2) if km2 > 0 else None), (day, name, status)
        checked += 1
    assert checked == len(an.dates) > 1


def test_payload_numbers_are_territory_stats_on_every_bundled_date():
    from territory.analysis import Analysis
    from territory.datasets import load_dataset

    _payload_numbers_equal_stats(Analysis.from_paths(load_dataset()), _stats_csv())


def test_payload_numbers_are_territory_stats_on_every_date_of_a_daily_archive(tmp_path):
    """A generated archive of daily front-line snapshots (tests/ukraine_style.py), every date."""
    from territory.analysis import Analysis
    from territory.datasets import load_dataset
    from territory.io.options import LoadOptions
    from tests.ukraine_style import make_archive

    folder = tmp_path / "snapshots"
    make_archive(folder, 40)
    an = Analysis.from_paths(load_dataset(folder, LoadOptions(actor="Occupied")), use_cache=False)
    _payload_numbers_equal_stats(an, _stats_csv(str(folder), "--actor", "Occupied"))


def test_payload_legend_and_metric_columns_are_named():
    """The player reads rows by column name, so a new column cannot shift what a cell shows."""
    from territory.analysis import Analysis
    from territory.datasets import load_dataset
    from territory.player import METRIC_COLS, analysis_payload

    an = Analysis.from_paths(load_dataset())
    p = analysis_payload(an)
    assert p["metrics"]["cols"] == list(METRIC_COLS) and all(len(r) == len(METRIC_COLS) for r in p["metrics"]["rows"])
    assert p["legend"]["actors"] == [a["name"] for a in p["actors"]]
    js = (ASSETS / "player" / "player.js").read_text(encoding="utf-8")
    for name in ("held", "inside", "pct_peak", "peak_km2", "peak_date", "pct_region", "change", "gained", "lost",
                 "settlements", "population", "equivalent"):
        assert f'"{name}"' in js, name  # every column the payload sends is read by name
    assert "100 * held" not in js and "/ metrics.peak_km2" not in js  # no percentage computed in the browser


def test_the_legend_says_why_its_km2_exceeds_the_headline():
    """Headline: land inside the region; legend: each actor's whole area. The payload says so and the player
    shows it (issue 18.10: 115,143 vs 117,066 km² with no word why)."""
    from territory.analysis import Analysis
    from territory.datasets import load_dataset
    from territory.player import analysis_payload

    an = Analysis.from_paths(load_dataset())
    note = analysis_payload(an)["legend"]["note"]
    assert "whole area" in note and f"land inside {an.region_name()} only" in note
    js = (ASSETS / "player" / "player.js").read_text(encoding="utf-8")
    assert "legendData.note" in js
