"""Claims placed on the series they speak of (territory.claimplot), on the bundled ledger."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from territory.analysis import Analysis
from territory.claimplot import HEADROOM, LOST_METRICS, claim_plot, claim_region
from territory.datasets import load_dataset


@pytest.fixture(scope="module")
def analysis() -> Analysis:
    return Analysis.from_paths(load_dataset())


@pytest.fixture(scope="module")
def plot(analysis: Analysis):
    return claim_plot(analysis, analysis.claims())


def test_each_claim_on_its_own_series(analysis: Analysis, plot) -> None:
    claims = analysis.claims().set_index("id")
    panels = plot.panels.set_index("panel")
    assert len(plot.points) > 0
    for p in plot.points.itertuples(index=False):
        c = claims.loc[p.id]
        panel = panels.loc[p.panel]
        assert panel["actor"] == c["actor"]
        assert panel["region"] == claim_region(c, analysis.dataset.region), p.id
        assert panel["kind"] == ("lost" if c["metric"] in LOST_METRICS else "held"), p.id


def test_region_and_loss_panels_exist_when_the_ledger_has_such_claims(analysis: Analysis, plot) -> None:
    claims = analysis.claims()
    regional = {claim_region(r, analysis.dataset.region) for _, r in claims.iterrows()} - {""}
    assert regional <= set(plot.panels["region"]) | {""}
    if claims["metric"].isin(LOST_METRICS).any():
        assert (plot.panels["kind"] == "lost").any()


def test_as_of_peak_claims_sit_at_the_peak(analysis: Analysis, plot) -> None:
    claims = analysis.claims().set_index("id")
    peak = plot.points[[str(claims.loc[i, "as_of"]).lower() == "peak" for i in plot.points["id"]]]
    assert len(peak), "the bundled ledger has 'as of the peak' claims"
    for p in peak.itertuples(index=False):
        ser = plot.series[plot.series["panel"] == p.panel]
        if "lost" in p.panel:
            continue
        ser = ser[ser["date"] <= p.claimed_on]  # the peak to the claim's date
        assert p.date == ser.loc[ser["km2"].idxmax(), "date"], p.id


def test_an_at_its_height_claim_sits_at_the_peak_to_its_date_not_a_later_one() -> None:
    """Claimed on D 'at its height …': placed at the largest area up to D, as the checker reads it."""
    import shapely

    from territory.datasets import Dataset
    from territory.report import Report
    from tests.conftest import make_history

    h = make_history([("2020-01-01", "A", "controlled", shapely.box(30, 40, 31, 41)),
                      ("2020-02-01", "A", "controlled", shapely.box(30, 40, 33, 41)),
                      ("2020-03-01", "A", "controlled", shapely.box(30, 40, 32, 41)),
                      ("2020-04-01", "A", "controlled", shapely.box(30, 40, 35, 41))])
    an = Analysis.of(Dataset(name="t", title="t", history=h, colors={"A": "#000000"}, report=Report()))
    ledger = pd.DataFrame([{"id": "x", "date": pd.Timestamp("2020-03-15"), "actor": "A", "claimant": "", "metric":
                            "area_held", "value": 30000.0, "unit": "km2", "baseline": "", "region": "",
                            "reference": "", "quote": "", "source": "", "source_url": "", "calibration": False,
                            "note": "", "as_of": "peak"}])
    from territory.claims import evaluate_claims

    checked = evaluate_claims(ledger, an.claim_context())
    assert "2020-02-01" in checked["basis"].iloc[0]
    point = claim_plot(an, checked).points.iloc[0]
    assert point["date"] == pd.Timestamp("2020-02-01")


def test_y_axis_fits_the_series_and_off_scale_claims_sit_on_the_edge(plot) -> None:
    for panel in plot.panels.itertuples(index=False):
        ser = plot.series[plot.series["panel"] == panel.panel]
        if ser["km2"].max() > 0:
            assert panel.y_max == pytest.approx(ser["km2"].max() * HEADROOM)
    off = plot.points[plot.points["off_scale"]]
    assert len(off), "the bundled ledger has claims far above the series (e.g. 'the size of Britain')"
    assert np.allclose(off["y"], off["y_max"])
    assert (off["implied_km2"] > off["y_max"]).all()
    inside = plot.points[~plot.points["off_scale"]]
    assert np.allclose(inside["y"], inside["implied_km2"])


def test_until_leaves_later_claims_out_and_dates_stay_in_the_history(analysis: Analysis, plot) -> None:
    dates = pd.to_datetime(analysis.claims()["date"])
    day = dates.sort_values().iloc[len(dates) // 3]
    early = claim_plot(analysis, analysis.claims(), until=day)
    assert (early.points["claimed_on"] <= day).all()
    assert len(early.points) < len(plot.points)
    for pts in (plot.points, early.points):
        assert pts["date"].between(analysis.dates[0], analysis.dates[-1]).all()
