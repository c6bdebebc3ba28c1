"""The dashboard's shared per-date caches: same output as the uncached path, computed once.

Many sessions on one server must not each render the same date's layer or
recompute the same numbers (issue 9.7); these tests pin that the shell's
caches give exactly what the uncached code gives, and that one computation
serves concurrent callers. No timing is asserted.
"""

from __future__ import annotations

import pandas as pd
import pytest

from territory.analysis import Analysis
from territory.ui import shell
from territory.ui.maps import base_map

STATUSES = ["controlled", "contested", "claimed"]


@pytest.fixture
def an(small_dataset) -> Analysis:
    return Analysis.of(small_dataset)


def test_step_change_lookup_matches_the_change_table(an):
    cs = an.change_series()
    for day in shell.date_labels(an):
        for actor in an.dataset.actors:
            rows = cs[(cs["date"] == pd.Timestamp(day)) & (cs["actor"] == actor) & (cs["status"] == "controlled")]
            expected = (float(rows["gained_km2"].sum()), float(rows["lost_km2"].sum()))
            assert shell.step_change(an, day, actor) == pytest.approx(expected)


def test_key_numbers_cached_equal_fresh_and_shared(an):
    from territory.keynumbers import KeyNumberSource

    for day in shell.date_labels(an):
        cached = shell.key_numbers(an, day, 0)
        assert cached == KeyNumberSource(an, denominator_index=0).on(day)
        assert shell.key_numbers(an, day, 0) is cached  # the same object for every session


def test_page_chart_carries_the_same_data_as_arrow(an):
    import pyarrow as pa

    from territory.ui.charts import chart_spec

    spec = chart_spec(an, tuple(an.dataset.actors), None)
    ours = shell.page_chart(an, tuple(an.dataset.actors))
    assert set(ours["datasets"]) == set(spec["datasets"])
    for name, records in spec["datasets"].items():
        table = pa.ipc.open_stream(ours["datasets"][name]).read_all().to_pandas()
        assert table.astype(str).to_dict("records") == pd.DataFrame(records).astype(str).to_dict("records")
    assert {k: v for k, v in ours.items() if k != "datasets"} == {k: v for k, v in spec.items() if k != "datasets"}


def test_disk_table_survives_a_restart_and_never_breaks(tmp_path, monkeypatch):
    from territory.ui import tablecache

    monkeypatch.setenv("TERRITORY_CACHE_DIR", str(tmp_path / "cache"))
    calls: list[int] = []
    frame = pd.DataFrame({"date": pd.to_datetime(["2015-01-01", "2015-02-01"]), "km2": [1.5, 2.5]})

    def compute() -> pd.DataFrame:
        calls.append(1)
        return frame

    first = tablecache.disk_table("k1", "t", compute, ("date", "km2"))
    second = tablecache.disk_table("k1", "t", compute, ("date", "km2"))  # a new process would read the file
    assert len(calls) == 1
    pd.testing.assert_frame_equal(first, frame)
    pd.testing.assert_frame_equal(second, frame)
    # A corrupt entry is recomputed and rewritten.
    tablecache.table_path("k1", "t").write_bytes(b"not parquet")
    pd.testing.assert_frame_equal(tablecache.disk_table("k1", "t", compute, ("date", "km2")), frame)
    assert len(calls) == 2
    # A foreign table (columns missing) is not served.
    pd.DataFrame({"x": [1]}).to_parquet(tablecache.table_path("k1", "t"))
    pd.testing.assert_frame_equal(tablecache.disk_table("k1", "t", compute, ("date", "km2")), frame)
    assert len(calls) == 3
    # An unwritable cache directory: computed, served, no error.
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("TERRITORY_CACHE_DIR", str(blocker))
    pd.testing.assert_frame_equal(tablecache.disk_table("k2", "t", compute, ("date", "km2")), frame)
    assert len(calls) == 4
    # The code fingerprint is part of the file name: changed rules never read an old table.
    assert tablecache.code_fingerprint() in tablecache.table_path("k1", "t").name


def test_change_steps_and_claims_read_back_equal(bundled, tmp_path, monkeypatch):
    """What the dashboard reads from disk after a restart equals what it computes."""
    from territory.ui import tablecache

    monkeypatch.setenv("TERRITORY_CACHE_DIR", str(tmp_path / "cache"))
    an_b = shell.load_default(str(shell.default_path()), shell.default_options())
    assert an_b.cache_key
    computed = an_b.change_series()
    tablecache.disk_table(an_b.cache_key, "change_series", an_b.change_series)
    read = tablecache.disk_table(an_b.cache_key, "change_series", lambda: pytest.fail("not read from disk"))
    pd.testing.assert_frame_equal(read, computed)
    claims = an_b.claims()
    tablecache.disk_table(an_b.cache_key, "claims", an_b.claims)
    back = tablecache.disk_table(an_b.cache_key, "claims", lambda: pytest.fail("not read from disk"))
    pd.testing.assert_frame_equal(back, claims)


STRESS = r"""
import sys, threading
from territory.ui import shell
an = shell.load_default(str(shell.default_path()), shell.default_options())
labels = shell.date_labels(an)
errors = []

def work(k):
    try:
        for i, d in enumerate(labels[k::8]):
            shell.key_numbers(an, d, 0)
            shell.settlements_at(an, d)
            if i % 4 == 0:  # the Regions page: the layer's prepared outlines are shared too
                an.regions_at(d)
    except Exception as exc:
        errors.append(repr(exc))

threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(len(labels), len(errors))
sys.exit(1 if errors else 0)
"""


def test_sessions_computing_different_dates_at_once_do_not_crash_the_server(bundled, tmp_path):
    """Key numbers, settlements and regions for many dates from 8 threads at once (as 8 sessions would).

    Without the core's geometry lock (territory.geos) this segfaulted (GEOS prepared geometries shared between
    threads); run in a subprocess so a crash fails this test instead of killing the test run.
    """
    import os
    import subprocess
    import sys

    env = dict(os.environ, TERRITORY_CACHE_DIR=str(tmp_path / "cache"))
    env.pop("TERRITORY_PATH", None)
    out = subprocess.run([sys.executable, "-c", STRESS], env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, (out.returncode, out.stderr[-2000:])
    n, errors = map(int, out.stdout.split()[-2:])
    assert n > 8 and errors == 0


def test_packaged_config_turns_off_the_full_gc_after_every_run():
    """Streamlit's default full gc.collect() after each run held the GIL ~190 ms a step for every session."""
    import tomllib

    from territory.app import MAIN_SCRIPT

    config = tomllib.loads((MAIN_SCRIPT.parent / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["runner"]["postScriptGC"] is False


def test_only_the_map_page_map_reports_itself_drawn(an):
    """The "drawn" report (the map page's chart waits for it) is asked for by the map page's base map only."""
    assert "territoryReportDrawn" in base_map(an, online=False, keep_view=True, report_drawn=True).get_root().render()
    assert "territoryReportDrawn" not in base_map(an, online=False, keep_view=True).get_root().render()


def test_map_chart_data_holds_only_drawn_columns_dictionary_encoded():
    """The chart's data, re-sent with every date step, carries only what is drawn, repeated text sent once."""
    import pyarrow as pa

    from territory.analysis import analysis_for
    from territory.ui import charts

    bundled = analysis_for()
    actors = tuple(bundled.dataset.actors)
    records = charts.chart_spec(bundled, actors, shell.claims_table(bundled))["datasets"]
    sent = shell.page_chart(bundled, actors)["datasets"]
    assert set(sent) == set(records)
    for name, data in sent.items():
        table = pa.ipc.open_stream(data).read_all()
        got = table.to_pandas().reset_index(drop=True)
        want = pd.DataFrame(records[name])
        assert list(got.columns) == list(want.columns)
        for col in want.columns:  # the same values the chart reads, in the same order
            assert got[col].astype(object).where(got[col].notna(), None).tolist() == \
                want[col].astype(object).where(want[col].notna(), None).tolist(), (name, col)
        if "area_km2" in want.columns:  # the lines: one row per (date, actor), nothing else
            assert list(want.columns) == ["date", "actor", "area_km2"]
            assert pa.types.is_dictionary(table.schema.field("actor").type)
            assert pa.types.is_dictionary(table.schema.field("date").type)
    claims = next(pd.DataFrame(v) for v in records.values() if "verdict" in pd.DataFrame(v).columns)
    assert set(claims.columns) == set(charts.CLAIM_FIELDS) and "quote" not in claims.columns
