"""Gains over time in one call (issue 18.5): periods, their sums, the region scope and the CLI."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
import shapely

from territory.area import measure
from territory.change import change_series, compare
from territory.periods import period_bounds, period_change, period_net
from tests.cli_run import run_cli
from tests.conftest import make_history
from tests.ukraine_style import archive_fixtures

DAYS = 75  # 2022-03-01 .. 2022-05-14: three months, the last one partial
ua, ua_analysis = archive_fixtures(DAYS)


def test_cli_choices_are_the_core_periods_and_the_cli_starts_without_geopandas():
    import subprocess
    import sys

    from territory import change_cli, periods

    assert change_cli.PERIODS == periods.PERIODS
    code = "import sys, territory.cli; print('geopandas' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


def test_bounds_chain_and_name_their_dates():
    dates = [pd.Timestamp("2022-03-01"), pd.Timestamp("2022-05-14")]
    b = period_bounds(dates, "month")
    assert b["period"].tolist() == ["2022-03", "2022-04", "2022-05"]
    assert [d.date().isoformat() for d in b["date_from"]] == ["2022-03-01", "2022-03-31", "2022-04-30"]
    assert [d.date().isoformat() for d in b["date_to"]] == ["2022-03-31", "2022-04-30", "2022-05-14"]
    assert [d.date().isoformat() for d in b["period_start"]] == ["2022-03-01", "2022-04-01", "2022-05-01"]
    w = period_bounds(dates, "week", "2022-03-07", "2022-03-20")  # a Monday to a Sunday: two ISO weeks
    assert w["period"].tolist() == ["2022-W10", "2022-W11"]
    assert [d.day_name() for d in w["period_end"]] == ["Sunday", "Sunday"]
    with pytest.raises(ValueError, match="before the data begins"):
        period_bounds(dates, "month", "2021-01-01")
    with pytest.raises(ValueError, match="--every"):
        period_bounds(dates, "fortnight")


def test_each_period_equals_the_two_date_change_and_nets_add_up(ua_analysis):
    m = ua_analysis.measured
    b = period_bounds(ua_analysis.dates, "month")
    table = period_change(m, b)
    assert len(table) == 3 and set(table["actor"]) == {"Occupied"}
    for row in table.itertuples():
        s = compare(m, row.date_from, row.date_to)["summary"].set_index(["actor", "status"])
        ref = s.loc[(row.actor, row.status)]
        for col in ("area_from_km2", "area_to_km2", "gained_km2", "lost_km2", "net_km2"):
            assert getattr(row, col) == pytest.approx(ref[col], rel=1e-9, abs=1e-9), col
    whole = compare(m, ua_analysis.dates[0], ua_analysis.dates[-1])["summary"]
    assert table["net_km2"].sum() == pytest.approx(whole["net_km2"].sum(), rel=1e-9)
    # The chart's net (area table only, no overlay) is the same figure.
    net = period_net(ua_analysis.table, b, actors=["Occupied"])
    assert net["net_km2"].tolist() == pytest.approx(table["net_km2"].tolist(), rel=1e-9)


def test_actors_status_and_expiry_in_a_synthetic_history():
    a1, a2 = shapely.box(30, 40, 31, 41), shapely.box(30, 40, 31.5, 41)
    h = make_history([
        ("2020-01-01", "A", "controlled", a1),
        ("2020-02-10", "A", "controlled", a2),
        ("2020-01-15", "B", "contested", shapely.box(33, 40, 34, 41), "2020-03-05"),
        ("2020-03-20", "A", "controlled", a1),
    ])
    m = measure(h)
    dates = sorted(set(h["date"]))
    table = period_change(m, period_bounds(dates, "month", None, "2020-03-31"))
    for row in table.itertuples():
        ref = compare(m, row.date_from, row.date_to)["summary"].set_index(["actor", "status"]).loc[(row.actor, row.status)]
        assert (row.gained_km2, row.lost_km2) == pytest.approx((ref["gained_km2"], ref["lost_km2"]), rel=1e-9, abs=1e-9)
    b = table[table["actor"] == "B"].set_index("period")
    assert b.loc["2020-03", "area_to_km2"] == 0 and b.loc["2020-03", "lost_km2"] > 0  # expired in March
    assert "2020-01" in b.index and b.loc["2020-01", "gained_km2"] > 0
    assert period_change(m, period_bounds(dates, "month"), status="contested")["actor"].unique().tolist() == ["B"]
    # Ground taken in February and given back in March is no gain of the quarter, though the steps show it.
    q = period_change(m, period_bounds(dates, "quarter", None, "2020-03-31"), status="controlled")
    steps = change_series(m)
    assert q["gained_km2"].iloc[0] == pytest.approx(0, abs=1e-9)
    assert steps.loc[steps["actor"] == "A", "gained_km2"].sum() > 5000


def test_region_filter_scopes_to_land_inside(ua_analysis):
    from territory.stats import project_region

    layer = ua_analysis.region_layer().matching(["Donetsk"])
    b = period_bounds(ua_analysis.dates, "month")
    inside = period_change(ua_analysis.measured, b, region=project_region(shapely.union_all(layer.geometry)))
    held = ua_analysis.regions_table(list(b["date_to"]), layer)
    assert inside["area_to_km2"].tolist() == pytest.approx(held["area_km2"].tolist(), rel=1e-6)
    whole = period_change(ua_analysis.measured, b)
    assert (inside["area_to_km2"] < whole["area_to_km2"]).all()


def _csv(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text))


def test_cli_every_month_one_call(ua, ua_analysis):
    code, out, err = run_cli("change", str(ua), "--actor", "Occupied", "--every", "month")
    assert code == 0, err
    t = _csv(out)
    assert list(t.columns[:7]) == ["period", "period_start", "period_end", "date_from", "date_to", "actor", "status"]
    assert {"gained_km2", "lost_km2", "net_km2"} <= set(t.columns) and t["period"].tolist() == ["2022-03", "2022-04", "2022-05"]
    # Every row is the two-date command for its dates.
    row = t.iloc[1]
    code, one, _ = run_cli("change", str(ua), "--actor", "Occupied", "--from", row["date_from"], "--to", row["date_to"],
                           "--table", "summary")
    ref = _csv(one).iloc[0]
    assert row["gained_km2"] == pytest.approx(ref["gained_km2"], abs=1e-5)
    assert row["lost_km2"] == pytest.approx(ref["lost_km2"], abs=1e-5)
    code, out, err = run_cli("change", str(ua), "--actor", "Occupied", "--every", "week", "--from", "2022-03-07",
                             "--to", "2022-03-20", "--region-filter", "donetsk", "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert [r["period"] for r in rows] == ["2022-W10", "2022-W11"] and {r["regions"] for r in rows} == {"Donetsk"}


@pytest.mark.parametrize("argv, words", [
    (["--every", "month", "--table", "transfers"], "--every prints the periods table"),
    (["--from", "2022-03-01"], "give --from and --to"),
    (["--from", "2022-03-01", "--to", "2022-04-01", "--format", "geojson"], "--format geojson is for --table patches"),
    (["--every", "month", "--from", "2021-01-01"], "before the data begins"),
    (["--from", "2022-03-01", "--to", "2022-04-01", "--region-filter", "x"], "go with --every or --table patches"),
    (["--every", "month", "--region-filter", "Atlantis"], "no region matches"),
])
def test_cli_usage_errors(ua, argv, words):
    code, _, err = run_cli("change", str(ua), "--actor", "Occupied", *argv)
    assert code == 2 and words in err, err
