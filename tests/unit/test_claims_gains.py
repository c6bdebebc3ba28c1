"""Gains over a period as claims (issue 18.4): area_gained, percent_gained, settlements_gained; loss since D."""

from __future__ import annotations

import io

import pandas as pd
import pytest
import shapely

from territory.area import area_km2, measure
from territory.claims import ClaimContext, evaluate_claims, read_claims
from tests.cli_run import run_cli
from tests.conftest import make_history
from tests.ukraine_style import START, front
from tests.unit.test_claims import ledger


def csv(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text))


def cli_ok(*argv: str) -> str:
    code, out, err = run_cli(*argv)
    assert code == 0, err
    return out


@pytest.fixture(scope="module")
def bare(tmp_path_factory):
    """make_archive's property-less daily files, played backwards: the occupied zone grows (2022-03-01 .. 06-28)."""
    import geopandas as gpd

    folder = tmp_path_factory.mktemp("ua") / "snapshots"
    folder.mkdir()
    days = 120
    for d in range(days):
        day = (START + pd.Timedelta(days=d)).strftime("%Y-%m-%d")
        gpd.GeoDataFrame(geometry=[front(days - 1 - d, days)], crs=4326).to_file(folder / f"{day}.geojson",
                                                                                 engine="pyogrio")
    return folder


@pytest.fixture(scope="module")
def bare_an(bare):
    from territory.analysis import Analysis
    from territory.datasets import load_dataset
    from territory.io.options import LoadOptions

    return Analysis.from_paths(load_dataset(bare, LoadOptions(actor="Occupied")), use_cache=False)


def one(ctx: ClaimContext, **row) -> pd.Series:
    return evaluate_claims(ledger(x={"actor": "A", "unit": "km2", **row}), ctx).iloc[0]


@pytest.fixture
def grow():
    """'A' holds a 1°×1° box, then a 2°×1° box from 2020-02-01: gained exactly the second square."""
    import geopandas as gpd

    a, b = shapely.box(30, 40, 31, 41), shapely.box(30, 40, 32, 41)
    h = make_history([("2020-01-01", "A", "controlled", a), ("2020-02-01", "A", "controlled", b)])
    countries = gpd.GeoDataFrame({"name": ["Testland"]}, geometry=[shapely.box(30, 40, 40, 45)], crs=4326)
    gained = float(area_km2([shapely.box(31, 40, 32, 41)])[0])
    land = float(area_km2([shapely.box(30, 40, 40, 45)])[0])
    return ClaimContext(measure(h), countries=countries, region="Testland"), gained, land


def test_area_and_percent_gained_on_a_known_front(grow):
    ctx, gained, land = grow
    row = one(ctx, metric="area_gained", value=round(gained), baseline="2020-01-15", date="2020-02-10")
    assert row["computed_km2"] == pytest.approx(gained, rel=1e-6)
    assert row["verdict"] == "consistent" and row["claim"] == f"gained {round(gained):,} km² since 2020-01-15"
    assert "gained column of territory change --from 2020-01-15 --to 2020-02-10" in row["basis"]
    assert one(ctx, metric="area_gained", value=gained * 1.3, baseline="2020-01-15",
               date="2020-02-10")["verdict"] == "overstated"
    # A share gained: of the region's measured area (the same denominator as "% of Testland"), in points.
    pct = 100 * gained / land
    row = one(ctx, metric="percent_gained", unit="percent", value=round(pct + 1.5, 2), baseline="2020-01-15",
              date="2020-02-10")
    assert row["computed_pct"] == pytest.approx(pct, rel=1e-6)
    assert row["verdict"] == "consistent" and "divided by Testland" in row["basis"]
    assert one(ctx, metric="percent_gained", unit="percent", value=pct + 2.5, baseline="2020-01-15",
               date="2020-02-10")["verdict"] == "overstated"
    # Nothing gained in a period with no change: a claim of gains there is overstated.
    assert one(ctx, metric="area_gained", value=100, baseline="2020-02-05", date="2020-02-10")["verdict"] == "overstated"


def test_a_gain_since_before_the_data_cannot_be_checked(grow):
    ctx, gained, _ = grow
    row = one(ctx, metric="area_gained", value=gained, baseline="2019-12-01", date="2020-02-10")
    assert row["verdict"] == "cannot check"
    assert "the period starts on 2019-12-01, before the data begins (2020-01-01)" in row["basis"]
    # The same for a loss or share "since" a day before the data (was: a 'net gain' verdict from 0 km²).
    for metric, unit in (("area_lost", "km2"), ("percent_lost", "percent")):
        r = one(ctx, metric=metric, unit=unit, value=10, baseline="2019-12-01", date="2020-02-10")
        assert r["verdict"] == "cannot check" and "baseline 2019-12-01 is before the data begins" in r["basis"]


def test_loss_since_a_date_is_measured_from_that_date_not_the_peak():
    """Held 3 → 1 → 2 boxes: 'lost X since the 2nd date' is area(2nd) − now, not peak − now."""
    boxes = [shapely.box(30, 40, 30 + w, 41) for w in (3, 1, 2)]
    h = make_history([(d, "A", "controlled", g) for d, g in zip(("2020-01-01", "2020-02-01", "2020-03-01"), boxes,
                                                                    strict=True)])
    km = area_km2(boxes)
    ctx = ClaimContext(measure(h))
    since = one(ctx, metric="area_lost", value=1, baseline="2020-01-15", date="2020-03-10")
    assert since["computed_km2"] == pytest.approx(km[0] - km[2])
    peak = one(ctx, metric="area_lost", value=1, baseline="peak", date="2020-03-10")
    assert peak["computed_km2"] == pytest.approx(km[0] - km[2])
    mid = one(ctx, metric="area_lost", value=1, baseline="2020-02-15", date="2020-03-10")
    assert mid["computed_km2"] == pytest.approx(km[1] - km[2])  # a net gain since then: no loss
    assert mid["verdict"] == "overstated" and "net gain" in mid["basis"]


def test_bundled_gains_equal_territory_change(bundled):
    ctx = bundled.claim_context()
    rows = ledger(
        g={"id": "g", "actor": "Islamic State", "metric": "area_gained", "value": 2700, "unit": "km2",
           "baseline": "2016-01-01", "date": "2017-01-01"},
        s={"id": "s", "actor": "Syrian government", "metric": "area_gained", "value": 5000, "unit": "km2",
           "baseline": "2016-01-01", "date": "2017-01-01", "region": "Syria"},
        e={"id": "e", "actor": "Islamic State", "metric": "area_gained", "value": 10, "unit": "km2",
           "baseline": "2013-01-01", "date": "2015-01-01"})
    out = evaluate_claims(rows, ctx).set_index("id")
    summary = csv(cli_ok("change", "--from", "2016-01-01", "--to", "2017-01-01", "--table", "summary"))
    ctrl = summary[summary["status"] == "controlled"].set_index("actor")["gained_km2"]
    # The bundled history lies inside Iraq+Syria, so the land inside that outline is all of it (to 0.01%).
    assert out.at["g", "computed_km2"] == pytest.approx(ctrl["Islamic State"], rel=1e-4)
    assert out.at["g", "verdict"] == "consistent"
    assert 0 < out.at["s", "computed_km2"] <= ctrl["Syrian government"] + 1e-6
    assert out.at["e", "verdict"] == "cannot check" and "before the data begins (2014-06-01)" in out.at["e", "basis"]


def test_bare_archive_gains_equal_territory_change_regional_and_settlements(bare, bare_an):
    """On a generated bare folder: Donetsk gains = `territory change --region-filter Donetsk` (one period);
    settlements gained = the settlements engineer's settlements_gained and the changed-hands list."""
    from territory.settlements import settlements_gained

    ctx = bare_an.claim_context()
    d1, d2 = "2022-05-01", "2022-05-31"
    rows = ledger(
        r={"id": "r", "actor": "Occupied", "metric": "area_gained", "value": 100, "unit": "km2",
           "baseline": d1, "date": d2, "region": "Donetsk"},
        p={"id": "p", "actor": "Occupied", "metric": "percent_gained", "value": 0.1, "unit": "percent",
           "baseline": d1, "date": d2, "region": "Donetsk"},
        n={"id": "n", "actor": "Occupied", "metric": "settlements_gained", "value": 3, "unit": "settlements",
           "baseline": d1, "date": d2})
    out = evaluate_claims(rows, ctx).set_index("id")
    per = csv(cli_ok("change", str(bare), "--actor", "Occupied", "--every", "month", "--from", d1, "--to", d2,
                     "--region-filter", "Donetsk"))
    per = per[(per["actor"] == "Occupied") & (per["status"] == "controlled")]
    assert len(per) == 1 and per["date_from"].iloc[0] == d1 and per["date_to"].iloc[0] == d2
    assert per["gained_km2"].iloc[0] > 1
    assert out.at["r", "computed_km2"] == pytest.approx(per["gained_km2"].iloc[0], rel=1e-6)
    donetsk = next(d for d in ctx.denominators("Donetsk"))
    assert out.at["p", "computed_pct"] == pytest.approx(100 * per["gained_km2"].iloc[0] / donetsk.km2, rel=1e-6)
    layer = bare_an.settlement_layer
    n, pop = settlements_gained(bare_an.holdings, layer.table, "Occupied", d1, d2)
    assert n > 0
    assert f"{n:,} (population {pop:,}" in out.at["n", "basis"]
    changed = csv(cli_ok("settlements", str(bare), "--actor", "Occupied", "--from", d1, "--to", d2))
    taken = changed[(changed["to_actor"] == "Occupied") & (changed["from_actor"] != "Occupied")]
    assert len(taken) == n and int(taken["population"].sum()) == pop


def test_settlement_counts_are_judged_as_counts():
    from territory.claims import TOLERANCES, _count_verdict

    t = TOLERANCES["settlements"]
    assert (t.value, t.floor) == (1.5, 2.0) and len(t.why) > 40
    assert [_count_verdict(c, 1) for c in (0, 3, 4)] == ["consistent", "consistent", "overstated"]
    assert [_count_verdict(c, 40) for c in (27, 60, 61, 26)] == ["consistent", "consistent", "overstated",
                                                                 "understated"]


BAD = """date,actor,metric,value,unit,baseline,region,as_of
2024-09-30,A,area_gained,200,km2,2024-09-01,Donetsk,
2024-09-30,A,area_gained,200,km2,,Donetsk,
2024-09-01,A,percent_gained,2,percent,2024-09-30,,
2024-09-30,A,area_gained,200,km2,peak,,
2024-09-30,A,settlements_gained,2.5,settlements,2024-09-01,,
2024-09-30,A,area_gained,200,settlements,2024-09-01,,
2024-09-30,A,area_gained,200,km2,2024-09-01,,peak
"""


def test_bad_gain_rows_are_refused_by_row_and_field(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text(BAD)
    _, report = read_claims(p)
    got = {(e.row, e.field): (e.message, e.hint) for e in report.errors}
    assert set(got) == {("3", "baseline"), ("4", "baseline"), ("5", "baseline"), ("6", "value"), ("7", "unit"),
                        ("8", "as_of")}
    assert "needs a baseline (the first day of the period)" in got[("3", "baseline")][0]
    assert "baseline 2024-09-30 is not before the period's end 2024-09-01 (date)" in got[("4", "baseline")][0]
    assert "swap them" in got[("4", "baseline")][1]
    assert "is not a date" in got[("5", "baseline")][0]
    assert all("baseline is its first day" in got[k][1] for k in (("3", "baseline"), ("5", "baseline")))


def test_cli_checks_a_user_ledger_with_gains(bare, tmp_path):
    p = tmp_path / "gains.csv"
    p.write_text("id,date,actor,metric,value,unit,baseline,region\n"
                 "g1,2022-05-31,Occupied,area_gained,150,km2,2022-05-01,Donetsk\n"
                 "g2,2022-05-31,Occupied,percent_gained,0.5,percent,2022-05-01,Donetsk\n"
                 "g3,2022-05-31,Occupied,settlements_gained,2,settlements,2022-05-01,\n"
                 "g4,2022-05-31,Occupied,area_gained,150,km2,2021-05-01,\n")
    out = csv(cli_ok("claims", str(bare), str(p), "--actor", "Occupied")).set_index("id")
    assert out.loc[["g1", "g2", "g3"], "verdict"].isin(["consistent", "overstated", "understated"]).all()
    assert out.at["g4", "verdict"] == "cannot check" and "before the data begins (2022-03-01)" in out.at["g4", "basis"]
    assert out.at["g1", "claim"] == "gained 150 km² since 2022-05-01"
    bad = tmp_path / "bad.csv"
    bad.write_text("date,actor,metric,value,unit,baseline\n2022-05-31,Occupied,area_gained,1,km2,\n")
    code, _, err = run_cli("claims", str(bare), str(bad), "--actor", "Occupied")
    assert code == 1 and "row 2, field 'baseline'" in err and "needs a baseline" in err


class _Plain:
    """What claim_plot reads of an Analysis: its dates, claim context and region."""

    def __init__(self, ctx: ClaimContext) -> None:
        self.ctx = ctx
        self.dates = sorted(pd.Timestamp(d) for d in ctx.measured.snapshots["date"].unique())

    def claim_context(self) -> ClaimContext:
        return self.ctx

    def region_name(self) -> str | None:
        return self.ctx.region


def test_claims_chart_draws_a_loss_since_d_on_the_loss_since_d_series():
    from territory.claimplot import claim_plot

    boxes = [shapely.box(30, 40, 30 + w, 41) for w in (3, 2, 1)]
    days = ("2020-01-01", "2020-02-01", "2020-03-01")
    ctx = ClaimContext(measure(make_history([(d, "A", "controlled", g) for d, g in zip(days, boxes, strict=True)])))
    km = area_km2(boxes)
    rows = evaluate_claims(ledger(since={"id": "since", "actor": "A", "metric": "area_lost", "unit": "km2",
                                         "value": float(km[1] - km[2]), "baseline": "2020-02-01",
                                         "date": "2020-03-01"},
                                  peak={"id": "peak", "actor": "A", "metric": "area_lost", "unit": "km2",
                                        "value": float(km[0] - km[2]), "baseline": "peak", "date": "2020-03-01"}), ctx)
    plot = claim_plot(_Plain(ctx), rows)
    pts = plot.points.set_index("id")
    assert pts.at["since", "panel"] == "A: km² lost since 2020-02-01 (the whole dataset)"
    assert pts.at["peak", "panel"] == "A: km² lost since its peak (the whole dataset)"
    since = plot.series[plot.series["panel"] == pts.at["since", "panel"]].set_index("date")["km2"]
    assert since.index.min() == pd.Timestamp("2020-02-01")  # nothing drawn before D
    assert since[pd.Timestamp("2020-03-01")] == pytest.approx(km[1] - km[2])  # the claim sits on its line
    peak = plot.series[plot.series["panel"] == pts.at["peak", "panel"]].set_index("date")["km2"]
    assert peak[pd.Timestamp("2020-03-01")] == pytest.approx(km[0] - km[2])
    assert pts.at["since", "verdict"] == pts.at["peak", "verdict"] == "consistent"


def test_claims_chart_draws_a_gain_on_the_gained_since_d_series(grow):
    from territory.claimplot import claim_plot

    ctx, gained, _ = grow
    rows = evaluate_claims(ledger(g={"id": "g", "actor": "A", "metric": "area_gained", "unit": "km2",
                                     "value": gained, "baseline": "2020-01-15", "date": "2020-02-01"}), ctx)
    plot = claim_plot(_Plain(ctx), rows)
    assert plot.points["panel"].tolist() == ["A: km² gained since 2020-01-15 (Testland)"]
    line = plot.series[plot.series["panel"] == plot.points["panel"].iloc[0]].set_index("date")["km2"]
    assert line[pd.Timestamp("2020-01-15")] == 0.0
    assert line[pd.Timestamp("2020-02-01")] == pytest.approx(rows["computed_km2"].iloc[0]) == pytest.approx(gained)
    assert plot.points["y"].iloc[0] == pytest.approx(gained)


def test_map_page_chart_puts_regional_claims_on_their_region_series(bare_an):
    """On a bare folder the map page's chart draws held claims on the series they are checked against:
    the land inside the found region (not the whole polygons, which reach into the sea) and each named region."""
    from territory.ui.charts import area_chart

    ctx = bare_an.claim_context()
    whole = bare_an.region_name()
    rows = evaluate_claims(ledger(
        w={"id": "w", "actor": "Occupied", "metric": "area_held", "value": 60000, "unit": "km2", "date": "2022-05-01"},
        d={"id": "d", "actor": "Occupied", "metric": "area_held", "value": 9000, "unit": "km2", "date": "2022-05-01",
           "region": "Donetsk"}), ctx)
    chart = area_chart(bare_an, "2022-05-01", ["Occupied"], rows)
    lines, marks = chart.layer[-2].data, chart.layer[-1].data
    assert set(lines["panel"]) == {f"Occupied: km² held ({whole})", "Occupied: km² held (Donetsk)"}
    on = pd.Timestamp("2022-05-01")
    for cid, region in (("w", None), ("d", "Donetsk")):
        line = lines[lines["panel"] == f"Occupied: km² held ({region or whole})"].set_index("date")["km2"]
        computed = rows.set_index("id").at[cid, "computed_km2"]
        assert line[on] == pytest.approx(computed)  # the line is the checker's figure on that date
        assert marks.set_index("claim").at[rows.set_index("id").at[cid, "claim"], "y"] == pytest.approx(
            rows.set_index("id").at[cid, "implied_km2"])
    whole_line = bare_an.table[(bare_an.table["actor"] == "Occupied")].set_index("date")["area_km2"]
    assert whole_line[on] > lines[lines["panel"] == f"Occupied: km² held ({whole})"].set_index("date")["km2"][on] * 1.2


def test_regional_settlements_gained_count_the_places_in_that_region(bare, bare_an):
    d1, d2 = "2022-05-01", "2022-05-31"
    out = evaluate_claims(ledger(n={"id": "n", "actor": "Occupied", "metric": "settlements_gained", "value": 1,
                                    "unit": "settlements", "baseline": d1, "date": d2, "region": "Donetsk"}),
                          bare_an.claim_context()).iloc[0]
    changed = csv(cli_ok("settlements", str(bare), "--actor", "Occupied", "--from", d1, "--to", d2))
    taken = changed[(changed["to_actor"] == "Occupied") & (changed["from_actor"] != "Occupied")
                    & (changed["region"] == "Donetsk")]
    assert 0 < len(taken) < len(changed)
    assert f"computed settlements in Donetsk held on {d2} and not on {d1}: {len(taken):,} " in out["basis"]


def test_a_share_gained_without_any_region_cannot_be_checked(grow):
    ctx, gained, _ = grow
    bare_ctx = ClaimContext(ctx.measured)  # no region, no outline: no area to take a share of
    row = one(bare_ctx, metric="percent_gained", unit="percent", value=1, baseline="2020-01-15", date="2020-02-10")
    assert row["verdict"] == "cannot check" and "needs a region's area: name a region" in row["basis"]
    assert row["computed_km2"] == pytest.approx(gained)
