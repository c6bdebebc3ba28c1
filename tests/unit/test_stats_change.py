"""Shares name their denominators; change identities hold."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from territory.area import area_km2, area_table, measure
from territory.baselines import Denominator, equivalent
from territory.change import change_series, compare
from territory.stats import stats_table


def test_stats_table_names_denominator_and_peak(small_history):
    m = measure(small_history)
    region = shapely.box(37, 33, 43, 39)
    denom = Denominator("Testland", float(area_km2([region])[0]), "outline, measured", region)
    t = stats_table(m, denominator=denom, baseline=pd.Timestamp("2015-01-01"))
    for col in ("region", "region_km2", "region_source", "pct_of_region", "peak_date", "peak_km2",
                "pct_of_peak", "baseline_date", "baseline_km2", "pct_of_baseline"):
        assert col in t.columns
    assert (t["region"] == "Testland").all()
    row = t[(t["actor"] == "A") & (t["status"] == "controlled") & (t["date"] == "2015-02-01")].iloc[0]
    assert row["area_in_region_km2"] == pytest.approx(row["area_km2"])  # all inside the region
    assert row["area_outside_region_km2"] == pytest.approx(0.0, abs=1e-6)
    assert row["pct_of_region"] == pytest.approx(100 * row["area_in_region_km2"] / denom.km2)
    assert row["pct_of_peak"] == pytest.approx(100 * row["area_km2"] / row["peak_km2"])
    assert row["peak_date"] == pd.Timestamp("2015-01-01")


def test_area_drops_to_zero_after_expiry(small_history):
    t = area_table(measure(small_history))
    a = t[(t["actor"] == "A") & (t["status"] == "controlled")].set_index("date")["area_km2"]
    assert a[pd.Timestamp("2015-04-01")] == 0.0


def test_gains_minus_losses_is_net_change(small_history):
    m = measure(small_history)
    s = compare(m, "2015-01-01", "2015-02-01")["summary"]
    assert np.allclose(s["gained_km2"] - s["lost_km2"], s["area_to_km2"] - s["area_from_km2"], rtol=0, atol=1e-6)
    a = s[(s["actor"] == "A") & (s["status"] == "controlled")].iloc[0]
    assert a["lost_km2"] > 0 and a["gained_km2"] == pytest.approx(0, abs=1e-6)


def test_transfers_account_for_each_loss(small_history):
    m = measure(small_history)
    r = compare(m, "2015-01-01", "2015-02-01")
    s, t = r["summary"], r["transfers"]
    lost_a = s[(s["actor"] == "A") & (s["status"] == "controlled")]["lost_km2"].iloc[0]
    assert t[t["from_actor"] == "A"]["area_km2"].sum() == pytest.approx(lost_a, rel=1e-9)
    a_to_b = t[(t["from_actor"] == "A") & (t["to_actor"] == "B")]["area_km2"].sum()
    # A lost [39.5,41]x[36,38] ∪ ...; B gained [39.5,41]x[35,37] — overlap is the A→B transfer.
    expected = area_km2([shapely.box(39.5, 35, 41, 37).intersection(
        shapely.union_all([shapely.box(38, 35, 40, 37), shapely.box(39, 36, 41, 38)]).difference(shapely.box(38, 35, 39.5, 37)))])[0]
    assert a_to_b == pytest.approx(expected, rel=1e-4)
    polys = r["polygons"]
    assert set(polys["change"]) == {"gained", "lost"}
    assert polys.crs.to_epsg() == 4326


def test_change_series_identity_and_totals(small_history):
    m = measure(small_history)
    cs = change_series(m)
    assert np.allclose(cs["gained_km2"] - cs["lost_km2"], cs["area_km2"] - cs["area_before_km2"], atol=1e-6)
    # Summing net changes per pair gives the final area (0 for the expired A controlled).
    final = cs.groupby(["actor", "status"])["net_km2"].sum()
    assert final[("A", "controlled")] == pytest.approx(0, abs=1e-6)
    rate = compare(m, "2015-01-01", "2015-02-01")["summary"]
    assert (rate["net_km2_per_week"] == rate["net_km2"] / 31 * 7).all()


def test_equivalent_names_the_reference():
    ref = pd.DataFrame({"name": ["Belgium", "Great Britain (island)"], "km2": [30689, 209331]})
    assert equivalent(31000, ref) == "about the size of Belgium (30,689 km²)"
    assert "Great Britain" in equivalent(90000, ref) or "Belgium" in equivalent(90000, ref)


# --- as of its date: the peak to date (issue 18.3) -------------------------------------------------------------

def _rising_then_falling():
    from tests.conftest import make_history

    return make_history([("2020-01-01", "A", "controlled", shapely.box(30, 40, 31, 41)),
                         ("2020-02-01", "A", "controlled", shapely.box(30, 40, 33, 41)),
                         ("2020-03-01", "A", "controlled", shapely.box(30, 40, 32, 41)),
                         ("2020-04-01", "A", "controlled", shapely.box(30, 40, 35, 41))])  # the overall peak, later


def test_pct_of_peak_is_of_the_peak_to_date():
    h = _rising_then_falling()
    t = stats_table(measure(h)).set_index("date")
    km2 = t["area_km2"]
    assert t.loc["2020-01-01", "pct_of_peak"] == pytest.approx(100)
    assert t.loc["2020-03-01", "peak_date"] == pd.Timestamp("2020-02-01")  # not the later 2020-04-01 peak
    assert t.loc["2020-03-01", "pct_of_peak"] == pytest.approx(100 * km2["2020-03-01"] / km2["2020-02-01"])
    assert t.loc["2020-04-01", "peak_date"] == pd.Timestamp("2020-04-01")


def test_key_numbers_as_of_a_date_never_cite_a_later_peak():
    from territory.analysis import Analysis
    from territory.datasets import Dataset
    from territory.keynumbers import KeyNumberSource
    from territory.report import Report

    h = _rising_then_falling()
    an = Analysis.of(Dataset(name="t", title="t", history=h, colors={"A": "#000000"}, report=Report()))
    src = KeyNumberSource(an, "A")
    kn = src.on("2020-03-15")
    assert kn.peak_date == pd.Timestamp("2020-02-01")
    assert "2020-04-01" not in " ".join(kn.lines())
    assert "of its peak to date" in " ".join(kn.lines())
    assert src.on("2020-04-02").peak_date == pd.Timestamp("2020-04-01")
    assert src.peak_date == pd.Timestamp("2020-04-01")  # the whole history's peak, for what is not as of a date


def test_clipped_km2_is_clip_area_to_the_bit():
    """Areas measured chunk by chunk without keeping the shapes equal clip()'s, for snapshots
    wholly inside, crossing the outline and disjoint from it (more than one threaded chunk)."""
    from territory.area import Measured, to_equal_area
    from territory.stats import clip, clipped_km2, project_region

    region_ll = shapely.Polygon([(30, 45), (40, 45), (40, 52), (35, 53), (30, 52)])
    rng = np.random.default_rng(3)
    centres = rng.uniform([28, 43], [42, 55], (150, 2))
    geoms = to_equal_area([shapely.Point(x, y).buffer(rng.uniform(0.3, 2.0), 16) for x, y in centres])
    snaps = pd.DataFrame({"actor": "A", "status": "controlled",
                          "date": pd.date_range("2020-01-01", periods=len(geoms)), "area_km2": shapely.area(geoms) / 1e6})
    m = Measured(snaps, geoms)
    region = project_region(region_ll)
    want = clip(m, region_equal_area=region).snapshots["area_km2"].to_numpy()
    got = clipped_km2(m, region)
    inside = shapely.contains(region, geoms)
    crossing = ~inside & shapely.intersects(region, geoms)
    assert inside.sum() and crossing.sum() and (~inside & ~crossing).sum()  # every path taken
    np.testing.assert_array_equal(got, want)
    assert (got[~inside & ~crossing] == 0).all()
    np.testing.assert_array_equal(got[inside], shapely.area(geoms[inside]) / 1e6)


def test_clipped_km2_intersects_a_repeated_snapshot_once(monkeypatch):
    """Days that repeat the day before exactly reuse its figure (same bits); a changed day is measured."""
    from territory import stats
    from territory.area import Measured, to_equal_area
    from territory.stats import clip, clipped_km2, project_region

    a = shapely.Point(40, 48).buffer(1.5, 32)  # crosses the region's edge at x = 40
    b = shapely.Point(40.2, 48).buffer(1.5, 32)  # moved: same vertex count, other coordinates
    geoms = to_equal_area([a, a, a, b, b, a])
    snaps = pd.DataFrame({"actor": "A", "status": "controlled",
                          "date": pd.date_range("2020-01-01", periods=len(geoms)), "area_km2": shapely.area(geoms) / 1e6})
    m = Measured(snaps, geoms)
    region = project_region(shapely.box(30, 45, 40, 52))
    cut = stats._cut
    seen = []
    monkeypatch.setattr(stats, "_cut", lambda r, g: (seen.append(len(g)), cut(r, g))[1])
    got = clipped_km2(m, region)
    assert seen == [3]  # a, b, a again (only runs of exact repeats are reused)
    monkeypatch.setattr(stats, "_cut", cut)
    np.testing.assert_array_equal(got, clip(m, region_equal_area=region).snapshots["area_km2"].to_numpy())
    assert got[0] == got[1] == got[2] == got[5] and got[3] == got[4] and got[3] != got[0]
