"""Report map, PDF report and naming, each output opened with its own reader."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from PIL import Image
from pypdf import PdfReader

from territory.analysis import Analysis
from territory.export import filename, report_pdf, save_map, slugify
from territory.export.geometry import display_for, to_path
from territory.export.sample import ACTORS, synthetic_dataset
from territory.keynumbers import KeyNumberSource, previous_change
from territory.style import seen_fill

DAY = "2014-09-15"


@pytest.fixture(scope="module")
def analysis() -> Analysis:
    return Analysis.of(synthetic_dataset(basemap=True))


@pytest.fixture(scope="module")
def bare() -> Analysis:
    """No basemap, no countries: the renderer must still make a finished map."""
    return Analysis.of(synthetic_dataset(basemap=False))


def _has_colour(img: np.ndarray, hex_colour: str, tol: int = 6, min_px: int = 30) -> bool:
    """The actor's controlled fill as the map shows it (the style table's opacity over the land)."""
    want = np.array(to_rgb(seen_fill(hex_colour))) * 255
    close = np.abs(img[..., :3].astype(int) - want.round().astype(int)).max(axis=-1) <= tol
    return int(close.sum()) >= min_px


def test_png_legend_swatch_is_the_map_fill(analysis: Analysis, tmp_path: Path) -> None:
    """Each actor's colour as filled on the map is the colour of its legend swatch, pixel for pixel."""
    from territory.export.mapview import MapFigure

    w, h, dpi = 1200, 750, 150
    out = save_map(analysis, DAY, tmp_path / "m.png", width=w, height=h, dpi=dpi)
    img = np.asarray(Image.open(out).convert("RGB"))
    mf = MapFigure(analysis, size=(w, h), dpi=dpi)

    def region(rect: tuple[float, float, float, float]) -> np.ndarray:
        x0, y0, rw, rh = rect
        return img[int((1 - y0 - rh) * h):int((1 - y0) * h), int(x0 * w):int((x0 + rw) * w)]

    for actor in ACTORS:
        colour = analysis.dataset.colors[actor]
        assert _has_colour(region(mf.map_rect), colour, min_px=200), f"{actor}: fill not on the map"
        assert _has_colour(region(mf.panel_rect), colour, min_px=20), f"{actor}: legend swatch differs from the fill"


def test_png_size_not_blank_and_legend_colours(analysis: Analysis, tmp_path: Path) -> None:
    out = save_map(analysis, DAY, tmp_path / "m.png", width=1200, height=750, dpi=150)
    with Image.open(out) as im:
        assert im.size == (1200, 750)
        assert im.info.get("dpi", (150, 150))[0] == pytest.approx(150, abs=1)
        img = np.asarray(im.convert("RGB"))
    assert img.std() > 20  # not blank
    for actor in ACTORS:  # all three hold territory on DAY
        assert _has_colour(img, analysis.dataset.colors[actor]), actor


def test_png_without_basemap(bare: Analysis, tmp_path: Path) -> None:
    out = save_map(bare, DAY, tmp_path / "bare.png", width=800, height=500, dpi=100)
    img = np.asarray(Image.open(out).convert("RGB"))
    assert _has_colour(img, bare.dataset.colors[ACTORS[1]])


def test_pdf_map_text_is_text(analysis: Analysis, tmp_path: Path) -> None:
    out = save_map(analysis, DAY, tmp_path / "m.pdf")
    text = " ".join(PdfReader(out).pages[0].extract_text().split())  # long legend names wrap
    assert analysis.dataset.title in text
    assert "2014-09-15" in text
    for actor in ACTORS:
        assert actor in text
    assert "Illustrative reconstruction" in text
    assert "Made with Natural Earth" in text


def test_svg_keeps_text_elements(analysis: Analysis, tmp_path: Path) -> None:
    out = save_map(analysis, DAY, tmp_path / "m.svg", width=1000, height=625, dpi=100)
    root = ET.parse(out).getroot()
    texts = ["".join(el.itertext()) for el in root.iter("{http://www.w3.org/2000/svg}text")]
    assert any(analysis.dataset.title in t for t in texts)
    assert any("km²" in t for t in texts)


def test_bad_format_and_size_refused(analysis: Analysis, tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        save_map(analysis, DAY, tmp_path / "m.tif")
    with pytest.raises(ValueError):
        save_map(analysis, DAY, tmp_path / "m.png", width=10, height=10)


def test_report_pdf_pages_and_text(analysis: Analysis, tmp_path: Path) -> None:
    out = report_pdf(analysis, DAY, tmp_path / "r.pdf", since="2014-06-01")
    reader = PdfReader(out)
    assert len(reader.pages) == 4
    pages = [p.extract_text() for p in reader.pages]
    assert analysis.dataset.title in pages[0] and "since 2014-06-01" in pages[0]
    assert "Area held over time" in pages[1]
    # Both synthetic claims are dated after DAY: a report cannot list them.
    assert "C1:" not in pages[2] and "C2:" not in pages[2] and "Verdict" in pages[2]
    assert "No claim in the ledger is dated on or before" in pages[2]
    assert "Method and provenance" in pages[3] and "EPSG:6933" in pages[3]
    assert "Natural Earth" in pages[3]
    last = analysis.dates[-1]
    later = PdfReader(report_pdf(analysis, last, tmp_path / "r2.pdf")).pages[2].extract_text()
    assert "C1:" in later and "C2:" in later


def test_key_numbers(analysis: Analysis) -> None:
    kn = KeyNumberSource(analysis).on(DAY)
    assert kn.actor == ACTORS[0]
    assert 0 < kn.held_km2 <= kn.peak_km2
    assert kn.since == previous_change(analysis, DAY)
    assert kn.since is not None and kn.since < kn.day
    assert any("% of its peak" in line for line in kn.lines())


def test_north_is_up_on_the_central_meridian(analysis: Analysis) -> None:
    disp = display_for(analysis)
    ux, uy = disp.true_north(0.0, 0.0)
    assert abs(ux) < 1e-6 and uy == pytest.approx(1.0)
    ux, _ = disp.true_north(300_000.0, 0.0)  # east of centre, north leans towards the pole
    assert ux < 0


def test_to_path_keeps_holes() -> None:
    """A hole stays empty when drawn (what the reader sees), not only in the data."""
    import shapely
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import PathCollection
    from matplotlib.figure import Figure

    path = to_path(shapely.box(0, 0, 10, 10).difference(shapely.box(3, 3, 7, 7)))
    assert path is not None
    fig = Figure(figsize=(1, 1), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    ax.add_collection(PathCollection([path], facecolor="red", edgecolor="none"))
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    px = np.asarray(canvas.buffer_rgba())
    assert tuple(px[50, 50, :3]) == (255, 255, 255)  # hole
    assert tuple(px[90, 10, :3]) == (255, 0, 0)  # ring
    assert to_path(shapely.Polygon()) is None


def test_filename() -> None:
    assert filename("is_syria_iraq", "2015-06-01", "png") == "is_syria_iraq_2015-06-01_map.png"
    assert filename("Über / Front: 1", None, "CSV", "stats") == "uber_front_1_stats.csv"
    assert filename("x", ("2015-01-01", "2016-01-01"), "gif", "animation") == "x_2015-01-01_2016-01-01_animation.gif"
    assert slugify("../../etc/passwd") == "etc_passwd"
    assert slugify("CON") == "con_"
    assert slugify("") == "territory"


def test_report_claims_only_up_to_its_date_and_chart_stops_at_it(tmp_path: Path) -> None:
    """On the bundled ledger: no claim dated after the report; the chart runs from the history's start to the
    report date and draws nothing after it; the key numbers cite no later peak."""
    import pandas as pd
    from matplotlib.dates import date2num

    from territory.datasets import load_dataset
    from territory.export.report import chart_page, report_claims

    an = Analysis.from_paths(load_dataset())
    claims = an.claims()
    dates = pd.to_datetime(claims["date"])
    day = dates.sort_values().iloc[len(dates) // 2]  # a date with claims before and after it
    assert (dates > day).any() and (dates <= day).any()
    kept = report_claims(an, day)
    assert set(kept["id"]) == set(claims.loc[dates <= day, "id"])
    out = report_pdf(an, day, tmp_path / "r.pdf", title="Mid-war brief")
    reader = PdfReader(out)
    claims_text = " ".join(pg.extract_text() for pg in reader.pages if "Claims checked" in pg.extract_text())
    for cid in claims.loc[dates > day, "id"]:
        assert f"{cid}:" not in claims_text, cid
    for cid in kept["id"]:
        assert f"{cid}:" in claims_text, cid
    assert reader.metadata.title.startswith("Mid-war brief")
    fig = chart_page(an, day, kept)
    ax = fig.axes[0]
    assert ax.get_xlim() == pytest.approx((date2num(an.dates[0]), date2num(day)))
    for a in fig.axes:
        for line in a.get_lines():
            x = np.asarray(date2num(line.get_xdata()), dtype=float)
            assert (x <= date2num(day) + 1e-9).all(), line.get_label()
    t = an.table.query("actor == @an.focus_actor and status == 'controlled'")
    later_peak = t.loc[t["area_km2"].idxmax(), "date"]
    first_page = reader.pages[0].extract_text()
    if later_peak > day:  # the whole history's peak came later: the report as of day must not cite it
        assert later_peak.date().isoformat() not in first_page
    assert "of its peak to date" in first_page


@pytest.fixture(scope="module")
def crowded(tmp_path_factory) -> Analysis:
    """150 actors (an upload may hold up to 200): far more legend rows than a panel holds."""
    import geopandas as gpd
    import shapely

    from territory.datasets import load_dataset

    rows = [dict(date=day, actor=f"Group {i:03d}", status="controlled",
                 geometry=shapely.box(20 + (i % 15), 5 + i // 15, 20.9 + (i % 15) - 0.01 * (i % 7), 5.9 + i // 15))
            for day in ("2024-01-01", "2024-02-01") for i in range(150)]
    path = tmp_path_factory.mktemp("crowded") / "h.gpkg"
    gpd.GeoDataFrame(rows, crs=4326).to_file(path)
    return Analysis.of(load_dataset(path))


def test_a_legend_of_many_actors_stays_in_its_panel_and_counts_the_rest(crowded: Analysis) -> None:
    """The rows that fit (the focus, then the largest), then one line with the others' count and km²."""
    import re

    from territory.export.mapview import MapFigure
    from territory.keynumbers import actor_km2

    mf = MapFigure(crowded, size=(1600, 1000), dpi=200).show("2024-02-01")
    renderer = mf.fig.canvas.get_renderer()
    panel = mf.panel.get_window_extent(renderer)
    texts = [t for t in mf.panel.texts if t.get_text().strip()]
    boxes = [t.get_window_extent(renderer) for t in texts]
    for t, b in zip(texts, boxes, strict=True):
        assert panel.y0 - 1 <= b.y0 and b.y1 <= panel.y1 + 1, f"{t.get_text()!r} runs off the panel"
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            assert not boxes[i].overlaps(boxes[j]), (texts[i].get_text(), texts[j].get_text())
    more = [t.get_text() for t in texts if "more actors" in t.get_text()]
    assert len(more) == 1
    count, km2 = re.match(r"\+ (\d+) more actors: ([\d,]+) km²", more[0]).groups()
    listed = [t.get_text() for t in texts if t.get_text().startswith("Group ") and t.get_position()[0] > 0]  # rows
    assert len(listed) >= 5 and len(listed) + int(count) == 150
    areas = mf.keys.areas.on(pd_day("2024-02-01"))
    rest = set(crowded.dataset.actors) - set(listed)
    assert int(km2.replace(",", "")) == round(sum(actor_km2(areas, a) for a in rest))
    held = [actor_km2(areas, a) for a in listed[1:]]
    assert held == sorted(held, reverse=True)  # after the focus actor, the largest holders
    assert listed[0] == mf.keys.actor


def test_a_legend_that_fits_lists_every_actor_in_order(analysis: Analysis) -> None:
    from territory.export.mapview import MapFigure

    mf = MapFigure(analysis).show(DAY)
    names = [t.get_text() for t in mf.panel.texts if t.get_position()[0] > 0]  # legend rows, not the key numbers
    assert not any("more actors" in n for n in names)
    assert [n for n in names if n in ACTORS] == [a for a in mf.actors if a in names] and len(set(names) & set(ACTORS)) > 1


def pd_day(day: str):
    from territory.model import to_day

    return to_day(day)
