"""The Data page takes a user's own settlement layer, as ``--settlements FILE`` does: it replaces the
dataset's places for the data shown, says where its population comes from; a bad one is refused by row."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.appnav import open_page

pytestmark = pytest.mark.usefixtures("bundled")


def _upload(at: AppTest, name: str, text: str) -> AppTest:
    settlements = next(u for u in at.get("file_uploader") if "upload_settlements" in u.proto.id)
    settlements.set_value((name, text.encode(), "text/csv"))
    at = next(b for b in at.button if b.label == "Load and validate").click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_a_settlement_layer_alone_replaces_the_places_of_the_data_shown(bundled):
    at = _upload(open_page("data"), "mine.csv", "name,lat,lon,population,population_year\nRaqqa,35.95,39.01,123,2019\n")
    an = at.session_state["uploaded"]
    assert an.dataset.title == bundled.dataset.title and an.dates == bundled.dates  # same data, new places
    assert an.dataset.settlements["name"].tolist() == ["Raqqa"]
    said = " ".join(s.value for s in at.success)
    assert "mine.csv" in said and "figures of 2019" in said
    held = an.settlements_at("2015-06-01").set_index("actor")
    assert held.loc["Islamic State", "settlements"] == 1 and held.loc["Islamic State", "population"] == 123

    at = _upload(at, "bad.csv", "name,lat,lon\nX,north,39\n")
    assert any("Refused" in e.value and "still loaded" in e.value for e in at.error)
    report = at.session_state["upload_report"]
    assert any(r["file"] == "bad.csv" and r["row"] == "2" and r["field"] == "lat" for r in report)
    assert at.session_state["uploaded"].dataset.settlements["name"].tolist() == ["Raqqa"]  # nothing lost


def test_a_bad_settlement_layer_with_a_claims_ledger_is_refused_by_its_own_name(bundled):
    """The settlement layer sent with a ledger is checked as when sent alone: its refusal names it,
    not the ledger (it said 'in three.csv', the ledger's name), and the data shown stays."""
    from territory.datasets import bundled_path

    ledger = (bundled_path() / "claims.csv").read_text(encoding="utf-8").splitlines()[:4]
    at = open_page("data")
    claims = next(u for u in at.get("file_uploader") if "upload_claims" in u.proto.id)
    claims.set_value(("three.csv", ("\n".join(ledger) + "\n").encode(), "text/csv"))
    at = _upload(at, "bad.csv", "name,lat,lon\nX,north,39\n")
    refusals = [e.value for e in at.error if "Refused" in e.value]
    assert refusals and all("bad.csv" in r and "three.csv" not in r for r in refusals), refusals
    report = at.session_state["upload_report"]
    assert any(r["file"] == "bad.csv" and r["row"] == "2" and r["field"] == "lat" for r in report)
    assert "uploaded" not in at.session_state  # nothing replaced the data shown
