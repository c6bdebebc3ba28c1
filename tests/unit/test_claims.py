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
