"""A team on one PostGIS store: two dashboards on different ports show the same numbers,
and a snapshot appended with ``territory db append`` appears in both after a reload."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import shapely

pytest.importorskip("playwright")

from playwright.sync_api import Page, expect

from territory.datasets import bundled_path, load_dataset
from territory.store import postgis as store
from tests.browser.conftest import run_streamlit
from tests.browser.test_dashboard import BIG_DATE, FIRST_LOAD_MS, IDLE, PLAYER_IFRAME, player

pytestmark = pytest.mark.slow
TERRITORY = Path(sys.executable).parent / "territory"


def held(page: Page, url: str, day: str) -> tuple[str, str]:
    """(date shown, the focus actor's 'area held' figure) in the map page's player after opening ``url`` at ``day``."""
    page.goto(f"{url}/?date={day}")
    page.wait_for_selector(PLAYER_IFRAME, timeout=FIRST_LOAD_MS)
    page.wait_for_selector(IDLE, state="attached", timeout=FIRST_LOAD_MS)
    frame = player(page)
    frame.wait_for_selector(BIG_DATE, timeout=FIRST_LOAD_MS)
    value = frame.locator(".tp-metric-held .tp-metric-value")
    expect(value).to_contain_text("km²", timeout=FIRST_LOAD_MS)
    return frame.locator(BIG_DATE).inner_text().strip(), value.inner_text().strip()


def test_two_dashboards_one_store_see_an_append_after_reload(pg_url, context, tmp_path):
    store.init(pg_url)
    store.import_dataset(pg_url, bundled_path())
    history = load_dataset(bundled_path()).history
    focus = "Islamic State"
    last = history[(history["actor"] == focus) & (history["status"] == "controlled")]["date"].max()
    new_day = last + pd.Timedelta(days=30)
    ours = history[(history["actor"] == focus) & (history["status"] == "controlled") & ~history.is_empty]
    snap = ours[ours["date"] == ours["date"].max()]  # its last non-empty snapshot, grown: a new figure
    snap = snap.assign(date=new_day, geometry=shapely.buffer(snap.geometry.values, 0.05))
    daily = tmp_path / f"{new_day.date()}.gpkg"
    snap.to_file(daily, driver="GPKG", engine="pyogrio")
    day = new_day.date().isoformat()

    base = {k: v for k, v in os.environ.items() if not k.startswith("TERRITORY_")}
    script = "src/territory/app/main.py"
    with run_streamlit(script, log=tmp_path / "a.log", env=dict(base, TERRITORY_PATH=pg_url,
                                                                TERRITORY_CACHE_DIR=str(tmp_path / "ca"))) as a, \
         run_streamlit(script, log=tmp_path / "b.log", env=dict(base, TERRITORY_PATH=pg_url,
                                                                TERRITORY_CACHE_DIR=str(tmp_path / "cb"))) as b:
        assert a.port != b.port
        pa, pb = context.new_page(), context.new_page()
        before_a, before_b = held(pa, a.url, day), held(pb, b.url, day)
        assert before_a == before_b, "two instances on one store disagree"
        assert before_a[0] == last.date().isoformat(), "the new date is not in the store yet"

        proc = subprocess.run([str(TERRITORY), "db", "append", pg_url, str(daily)], capture_output=True, text=True,
                              env=dict(base, TERRITORY_CACHE_DIR=str(tmp_path / "cli")))
        assert proc.returncode == 0, proc.stderr
        assert "appended 1 snapshot" in proc.stderr

        after_a, after_b = held(pa, a.url, day), held(pb, b.url, day)
        assert after_a == after_b, "after the append the instances disagree"
        assert after_a[0] == day, "the appended date is not shown after a reload"
        assert after_a[1] != before_a[1], "the appended snapshot did not change the figure"
        # The figure is the one the CLI computes from the same store.
        stats = store.stored_stats(pg_url)
        row = stats[(stats["date"] == new_day) & (stats["actor"] == focus) & (stats["status"] == "controlled")]
        # The player's headline is the land inside the dataset's region (Iraq+Syria).
        assert after_a[1] == f"{row['area_in_region_km2'].iloc[0]:,.0f} km²"
