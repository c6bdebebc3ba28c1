"""Time semantics: the state at any day, expiry, change dates."""

from __future__ import annotations

import pandas as pd
import shapely

from territory.model import change_dates, state_at, with_validity
from tests.conftest import make_history


def test_state_between_snapshot_dates_is_the_latest_earlier_snapshot(small_history):
    s = state_at(small_history, "2015-01-20")
    assert set(zip(s["actor"], s["status"], strict=True)) == {("A", "controlled"), ("B", "controlled"), ("A", "contested")}
    assert (s["date"] == pd.Timestamp("2015-01-01")).all()


def test_next_snapshot_replaces_the_previous_one(small_history):
    s = state_at(small_history, "2015-02-15")
    a = s[(s["actor"] == "A") & (s["status"] == "controlled")]
    assert len(a) == 1 and a["date"].iloc[0] == pd.Timestamp("2015-02-01")
    # The contested row has no later snapshot and no valid_to: still in force.
    assert ((s["actor"] == "A") & (s["status"] == "contested")).any()


def test_valid_to_expires_a_row(small_history):
    assert ((state_at(small_history, "2015-03-31")["actor"] == "A")
            & (state_at(small_history, "2015-03-31")["status"] == "controlled")).any()
    after = state_at(small_history, "2015-04-01")
    assert not ((after["actor"] == "A") & (after["status"] == "controlled")).any()


def test_before_first_date_nothing_is_held(small_history):
    assert state_at(small_history, "2014-12-31").empty


def test_change_dates_include_expiries(small_history):
    days = [d.date().isoformat() for d in change_dates(small_history)]
    assert days == ["2015-01-01", "2015-02-01", "2015-03-01", "2015-04-01"]


def test_empty_geometry_row_ends_a_holding():
    h = make_history([
        ("2015-01-01", "A", "controlled", shapely.box(0, 0, 1, 1)),
        ("2015-02-01", "A", "controlled", shapely.Polygon()),
    ])
    assert len(state_at(h, "2015-01-15")) == 1
    assert state_at(h, "2015-02-15").empty
    v = with_validity(h)
    assert v["valid_until"].iloc[0] == pd.Timestamp("2015-02-01")
