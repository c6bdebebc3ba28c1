"""Claims: implied km², computed km² under the same baseline, verdicts."""

from __future__ import annotations

import pandas as pd
import pytest
import shapely

from territory.area import area_km2, measure
from territory.claims import KM2_PER_SQ_MI, ClaimContext, evaluate_claims, read_claims
from tests.conftest import make_history

REF = pd.DataFrame({"name": ["Great Britain (island)", "Belgium"], "km2": [209331.0, 30689.0],
                    "source": ["ONS", "CIA"]})


@pytest.fixture
def ctx():
    big, small = shapely.box(38, 34, 41, 36), shapely.box(38, 34, 38.5, 34.5)
    h = make_history([("2015-01-01", "IS", "controlled", big), ("2019-02-01", "IS", "controlled", small)])
    return ClaimContext(measure(h), reference_areas=REF, focus_actor="IS", region="Testland"), area_km2([big, small])


def ledger(**rows) -> pd.DataFrame:
    base = {"id": "", "date": "2019-02-10", "actor": "IS", "claimant": "x", "metric": "", "value": 0.0,
            "unit": "km2", "baseline": "", "region": "", "reference": "", "quote": "", "source": "",
            "source_url": "", "calibration": False, "note": "", "as_of": ""}
    frame = pd.DataFrame([{**base, **r} for r in rows.values()])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def test_units_percentages_and_verdicts(ctx):
    c, (peak, late) = ctx
    out = evaluate_claims(ledger(
        sqmi={"metric": "area_held", "value": late / KM2_PER_SQ_MI, "unit": "sq_mi"},
        lost={"metric": "percent_lost", "value": 100 * (1 - late / peak), "unit": "percent", "baseline": "peak"},
        britain={"metric": "comparison", "reference": "Great Britain (island)", "baseline": "peak"},
        half={"metric": "percent_held", "value": 50, "unit": "percent", "baseline": "peak"},
        calib={"metric": "area_held", "value": late, "calibration": True},
        unstated={"metric": "percent_held", "value": 1, "unit": "percent"},
    ), c).set_index(pd.Index(["sqmi", "lost", "britain", "half", "calib", "unstated"]))
    assert out.at["sqmi", "implied_km2"] == pytest.approx(late)
    assert out.at["sqmi", "verdict"] == "consistent"
    assert out.at["lost", "computed_pct"] == pytest.approx(100 * (1 - late / peak))
    assert out.at["lost", "verdict"] == "consistent"
    assert out.at["britain", "computed_km2"] == pytest.approx(peak)  # compared with the peak
    assert out.at["britain", "ratio"] == pytest.approx(209331 / peak)
    assert out.at["britain", "verdict"] == "overstated"
    assert out.at["half", "verdict"] == "overstated"  # 50% of peak vs a small remnant
    assert out.at["calib", "verdict"] == "calibration point"
    assert out.at["unstated", "verdict"] == "baseline unstated"
    assert out.at["unstated", "implied_low_km2"] == pytest.approx(peak / 100)


def test_loss_claimed_where_computed_shows_gain_is_overstated(ctx):
    c, _ = ctx
    out = evaluate_claims(ledger(x={"metric": "area_lost", "value": 500, "baseline": "2019-02-01",
                                    "date": "2019-03-01"}), c)
    assert out["verdict"].iloc[0] == "overstated"
    assert "not a loss" in out["basis"].iloc[0]


def test_read_claims_reports_bad_cells(tmp_path):
    p = tmp_path / "claims.csv"
    p.write_text("date,metric,value,unit\n2015-13-45,area_held,12,km2\n2015-01-01,size,x,acres\n")
    _, report = read_claims(p)
    msgs = [(e.row, e.field) for e in report.errors]
    assert ("2", "date") in msgs and ("3", "metric") in msgs and ("3", "value") in msgs and ("3", "unit") in msgs


def test_bundled_story_claims(bundled):
    table = bundled.claims()
    britain = table[table["claim"].str.contains("Great Britain")]
    assert len(britain) and (britain["verdict"] == "overstated").all()
    assert (britain["ratio"] >= 2).all()  # several-fold: GB 209,331 km² against a ~90-100k peak
    peak = bundled.table.query("actor == 'Islamic State' and status == 'controlled'")["area_km2"].max()
    assert britain["computed_km2"].iloc[0] == pytest.approx(peak)
    clawed = table[(table["metric"] == "percent_lost") & (table["value"] == 99.5)]
    assert len(clawed) >= 1
    # Set beside the computed share lost since the peak, on the claim's date.
    assert clawed["computed_pct"].between(90, 100).all()
    assert clawed["basis"].str.contains("peak").all()
    calib = table[table["calibration"]]
    assert len(calib) == 2 and (calib["verdict"] == "calibration point").all()
    less_than_1 = table[(table["metric"] == "percent_held") & (table["value"] == 1)]
    assert len(less_than_1) == 1


def test_claims_outside_the_data_say_so(ctx):
    """Before the first snapshot nothing is known; after the last, the last state is assumed and said."""
    c, (_peak, late) = ctx
    out = evaluate_claims(ledger(
        early={"metric": "area_held", "value": 100, "date": "2014-01-01"},
        later={"metric": "area_held", "value": late, "date": "2030-01-01"},
    ), c).set_index(pd.Index(["early", "later"]))
    assert out.at["early", "verdict"] == "cannot check"
    assert out.at["early", "basis"] == "2014-01-01 is before the data begins (2015-01-01)"
    assert out.at["later", "verdict"] == "consistent"
    assert "the data ends on 2019-02-01: its last state is taken to hold" in out.at["later", "basis"]


# --- verdicts on the quantity claimed (issue 18.1) -------------------------------------------------------------

@pytest.fixture
def land():
    """'Testland' (a country outline) and an actor whose polygons spill 1° outside it."""
    import geopandas as gpd

    country = shapely.box(30, 40, 40, 50)
    held = shapely.box(30, 40, 35, 51)  # the 35..40 half is empty; a strip north of 50°N lies outside
    h = make_history([("2020-01-01", "A", "controlled", held)])
    countries = gpd.GeoDataFrame({"name": ["Testland"]}, geometry=[country], crs=4326)
    inside = float(area_km2([shapely.intersection(held, country)])[0])
    return measure(h), countries, inside, float(area_km2([country])[0]), float(area_km2([held])[0])


def _one(ctx: ClaimContext, **row) -> pd.Series:
    return evaluate_claims(ledger(x={"actor": "A", "date": "2020-06-01", **row}), ctx).iloc[0]


def test_a_percentage_is_judged_in_points_not_by_its_km2_ratio(land):
    """'80% of Donetsk' against 70.6% computed: km² within ×1.2 but 9.4 points apart: overstated."""
    measured, countries, inside, country_km2, _ = land
    ctx = ClaimContext(measured, countries=countries)
    share = 100 * inside / country_km2
    high = _one(ctx, metric="percent_held", unit="percent", value=share * 1.13, baseline="Testland")
    assert 1 / 1.2 <= high["ratio"] <= 1.2  # the km² alone would have passed
    assert high["verdict"] == "overstated"
    assert high["computed_pct"] == pytest.approx(share)
    assert "judged in percentage points" in high["basis"]


@pytest.mark.parametrize(("offset", "verdict"), [(0.0, "consistent"), (1.99, "consistent"), (-1.99, "consistent"),
                                                 (2.01, "overstated"), (-2.01, "understated")])
def test_percentage_tolerance_boundaries(land, offset, verdict):
    measured, countries, inside, country_km2, _ = land
    ctx = ClaimContext(measured, countries=countries)
    share = 100 * inside / country_km2
    assert _one(ctx, metric="percent_held", unit="percent", value=share + offset, baseline="Testland")["verdict"] == verdict


@pytest.mark.parametrize(("factor", "verdict"), [(1.0, "consistent"), (1.199, "consistent"), (1 / 1.199, "consistent"),
                                                 (1.201, "overstated"), (1 / 1.201, "understated")])
def test_km2_tolerance_boundaries(ctx, factor, verdict):
    c, (_peak, late) = ctx
    row = evaluate_claims(ledger(x={"metric": "area_held", "value": late * factor}), c).iloc[0]
    assert row["ratio"] == pytest.approx(factor)
    assert row["verdict"] == verdict


def test_tolerances_are_set_in_one_table_with_reasons():
    from territory.claims import PP_TOLERANCE, RATIO_TOLERANCE, TOLERANCES

    assert set(TOLERANCES) == {"km2", "percent", "settlements"}
    assert (TOLERANCES["km2"].value, TOLERANCES["percent"].value) == (RATIO_TOLERANCE, PP_TOLERANCE)
    assert all(len(t.why) > 40 for t in TOLERANCES.values())


def test_readme_and_report_state_the_rule_the_code_applies():
    """The README prints :func:`verdict_rule` verbatim; the report and Claims page import it (no '±20%')."""
    from pathlib import Path

    from territory.claims import verdict_rule

    root = Path(__file__).resolve().parents[2]
    readme = " ".join((root / "README.md").read_text(encoding="utf-8").split())
    assert verdict_rule() in readme
    for src in (root / "src/territory/export/report.py", root / "pages/claims.py"):
        text = src.read_text(encoding="utf-8")
        assert "verdict_rule()" in text and "RATIO_TOLERANCE" not in text and "PP_TOLERANCE" not in text
    assert "×1.2" in verdict_rule() and "2 percentage points" in verdict_rule()


# --- one figure however the data is packaged (issue 18.2) ------------------------------------------------------

def test_a_regional_claim_gets_the_same_figure_with_or_without_a_manifest_region(land):
    """'holds 20% of Testland' uses the land inside Testland's outline whether or not the dataset names it."""
    measured, countries, inside, _country_km2, whole = land
    assert whole > inside * 1.05  # the spill outside is large enough to matter
    rows = [_one(ClaimContext(measured, countries=countries, region=region), metric="percent_held",
                 unit="percent", value=20, baseline="Testland") for region in (None, "Testland")]
    assert rows[0]["computed_km2"] == pytest.approx(inside)
    assert rows[1]["computed_km2"] == pytest.approx(rows[0]["computed_km2"])
    assert rows[1]["computed_pct"] == pytest.approx(rows[0]["computed_pct"])
    assert all("land inside the Testland outline" in r["basis"] for r in rows)
    area = [_one(ClaimContext(measured, countries=countries, region=region), metric="area_held", value=inside,
                 region="Testland") for region in (None, "Testland")]
    assert area[0]["computed_km2"] == pytest.approx(area[1]["computed_km2"]) == pytest.approx(inside)
    whole_row = _one(ClaimContext(measured, countries=countries), metric="area_held", value=whole)
    assert whole_row["computed_km2"] == pytest.approx(whole)
    assert "whole area of the actor's polygons: no region to clip to" in whole_row["basis"]
    # A claim naming no region, on a dataset whose region is Testland (manifest or found): its land, as the headline.
    plain = _one(ClaimContext(measured, countries=countries, region="Testland"), metric="area_held", value=inside)
    assert plain["computed_km2"] == pytest.approx(inside)
    assert "land inside the Testland outline" in plain["basis"]


# --- bounded work, refused overflow (issue 17.5/17.6) ----------------------------------------------------------

def test_fast_and_naive_evaluation_agree(bundled):
    from territory.claims import evaluate_claims_naive

    ctx = bundled.claim_context()
    ledger_ = bundled.dataset.claims
    fast, naive = evaluate_claims(ledger_, ctx), evaluate_claims_naive(ledger_, ctx)
    pd.testing.assert_frame_equal(fast, naive)


def test_an_overflowing_area_is_refused_by_row_and_field(tmp_path, recwarn):
    p = tmp_path / "claims.csv"
    p.write_text("date,metric,value,unit\n2015-01-01,area_held,12,km2\n2015-01-01,area_held,1e308,sq_mi\n"
                 "2015-01-01,area_held,6e8,km2\n")
    _, report = read_claims(p)
    bad = [(e.row, e.field, e.message) for e in report.errors]
    assert [(r, f) for r, f, _ in bad] == [("3", "value"), ("4", "value")]
    assert "infinite once converted to km²" in bad[0][2]
    assert "more than the surface of the Earth" in bad[1][2]
    assert not [w for w in recwarn if "overflow" in str(w.message)]


def test_an_empty_ledger_gives_the_columns(ctx):
    c, _ = ctx
    out = evaluate_claims(ledger(x={"metric": "area_held", "value": 1}).iloc[:0], c)
    assert out.empty and "verdict" in out.columns


def test_cli_refuses_an_infinite_claim_without_library_warnings(tmp_path, bundled):
    """`1e308 sq_mi` (inf once converted): exit 1, row and field named, nothing else on stderr, no warning."""
    import warnings

    from tests.cli_run import run_cli

    p = tmp_path / "c.csv"
    p.write_text("date,metric,value,unit\n2015-01-01,area_held,1e308,sq_mi\n2015-01-01,percent_held,100.0000001,percent\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code, out, err = run_cli("claims", str(bundled.dataset.paths[0].parent), str(p))
    assert code == 1 and out == ""
    assert "row 2, field 'value': value 1e308 sq_mi is infinite once converted to km²" in err
    assert "row 3, field 'value': value 100.0000001% is more than 100%" in err
    assert "Warning" not in err and not caught
