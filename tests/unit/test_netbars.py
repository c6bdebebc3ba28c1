"""The player's net-change bars carry `territory change --every week|month` figures (payload ``net``)."""

from __future__ import annotations

import io
from contextlib import redirect_stdout

import pandas as pd
import pytest

from territory.analysis import Analysis
from territory.datasets import load_dataset
from territory.netbars import COLS, EVERY, net_rows
from territory.player import analysis_payload


def _cli(every: str, *argv: str) -> pd.DataFrame:
    """`territory change --every EVERY ...` as printed (the command the page's caption names)."""
    from territory.cli import main

    buf = io.StringIO()
    with redirect_stdout(buf):
        assert main(["change", "--every", every, *argv]) == 0
    return pd.read_csv(io.StringIO(buf.getvalue()), dtype={"period": str})


def _equal_cli(net: dict, every: str, *argv: str) -> int:
    cli = _cli(every, *argv)
    cli = cli[(cli["actor"] == net["actor"]) & (cli["status"] == "controlled")]
    got = pd.DataFrame(net[every], columns=net["cols"])
    assert got["period"].tolist() == cli["period"].tolist()
    assert got["start"].tolist() == cli["period_start"].tolist()
    assert got["end"].tolist() == cli["period_end"].tolist() == cli["date_to"].tolist()
    assert got["from"].tolist() == cli["date_from"].tolist()
    for mine, theirs in (("gained", "gained_km2"), ("lost", "lost_km2"), ("net", "net_km2")):
        # Whole km², rounded once from the CLI's figure (which prints 6 decimals of the same float).
        assert got[mine].tolist() == [round(v) for v in cli[theirs]], (every, mine)
    return len(got)


@pytest.fixture(scope="module")
def bundled() -> Analysis:
    return Analysis.from_paths(load_dataset())


def test_payload_net_is_territory_change_on_the_bundled_history(bundled):
    net = analysis_payload(bundled)["net"]
    assert net["actor"] == bundled.focus_actor and net["cols"] == list(COLS) and net["status"] == "controlled"
    assert _equal_cli(net, "month") > 50
    assert _equal_cli(net, "week") > 200


def test_payload_net_follows_the_focus_actor(bundled):
    other = next(a for a in bundled.dataset.actors if a != bundled.focus_actor)
    net = analysis_payload(bundled, focus=other)["net"]
    assert net["actor"] == other
    assert _equal_cli(net, "month") > 10


def test_payload_net_is_territory_change_on_a_generated_archive(tmp_path):
    from territory.io.options import LoadOptions
    from tests.ukraine_style import make_archive

    folder = tmp_path / "snapshots"
    make_archive(folder, 70)  # 2022-03-01 .. 2022-05-09: 11 ISO weeks, 3 months
    an = Analysis.from_paths(load_dataset(folder, LoadOptions(actor="Occupied")), use_cache=False)
    net = net_rows(an)
    assert net is not None and net["actor"] == "Occupied"
    for every in EVERY:
        assert _equal_cli(net, every, str(folder), "--actor", "Occupied", "--no-cache") >= 3
    assert any(r[COLS.index("gained")] and r[COLS.index("lost")] for r in net["week"])  # a moving front


def test_one_date_makes_no_bars(tmp_path):
    import geopandas as gpd
    import shapely

    path = tmp_path / "h.geojson"
    gpd.GeoDataFrame({"date": ["2024-01-01"], "actor": ["Group A"], "status": ["controlled"]},
                     geometry=[shapely.box(28, 12, 32, 16)], crs=4326).to_file(path)
    an = Analysis.from_paths(load_dataset(path), use_cache=False)
    assert net_rows(an) is None
