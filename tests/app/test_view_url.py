"""Whose numbers and which view: the focus actor, denominator, statuses and Compare's dates live in the URL."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from territory.app import MAIN_SCRIPT, page_path
from territory.keynumbers import KeyNumberSource
from tests.playerstate import panel, player_args, step

MAP, COMPARE, EXPORT = MAIN_SCRIPT, page_path("compare"), page_path("export")

pytestmark = pytest.mark.usefixtures("bundled")


def page(path: Path, **params: str | list[str]) -> AppTest:
    at = AppTest.from_file(str(path), default_timeout=120)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def qp(at: AppTest, name: str) -> list[str]:
    """All values of a query parameter as the app left it."""
    v = at.query_params.get(name)
    return [] if v is None else (list(v) if isinstance(v, list) else [v])


def other_actor(an) -> str:
    """The actor with the largest peak other than the default focus (holding ground)."""
    t = an.table[an.table["status"] == "controlled"]
    peaks = t.groupby("actor")["area_km2"].max().sort_values(ascending=False)
    others = [a for a in peaks.index if a != an.focus_actor]
    assert an.focus_actor in peaks.index and others and peaks[others[0]] > 0
    return str(others[0])


def test_default_focus_is_the_largest_peak(bundled):
    at = page(MAP)
    assert not at.exception
    assert at.selectbox(key="focus").value == bundled.focus_actor
    assert panel(at)["actor"] == bundled.focus_actor
    assert "focus" not in at.query_params  # the default is not spelled out


def test_focus_drives_metrics_legend_and_url(bundled):
    actor = other_actor(bundled)
    at = page(MAP)
    at = at.selectbox(key="focus").set_value(actor).run()
    assert not at.exception
    day = at.session_state["date"]
    expected = KeyNumberSource(bundled, actor=actor).on(day)
    values = panel(at)
    # Land-only headline: the part inside the region's outline.
    assert values["actor"] == actor and values["headline"] == "region"
    assert values["den"]["region"] == expected.denominator.region
    assert f"{values['inside']:,} km²" == f"{expected.headline_km2:,.0f} km²"
    assert f"{values['pct_peak']:.1f}%" == f"{expected.pct_of_peak:.1f}%"
    # The legend lists the focus actor first.
    shown = player_args(at)["actors"]
    assert shown.index(actor) < shown.index(bundled.focus_actor)
    assert qp(at, "focus") == [actor]


def test_deep_link_restores_focus_denominator_and_statuses(bundled):
    actor = other_actor(bundled)
    dens = bundled.denominators()
    i = next(k for k, d in enumerate(dens) if d.region == "Syria" and "official" in d.source)
    from territory.export.naming import slugify

    key = slugify(f"{dens[i].region} {dens[i].source}")
    at = page(MAP, focus=actor, denominator=key, status=["controlled", "claimed"], date="2017-01-01")
    assert not at.exception
    assert at.selectbox(key="focus").value == actor
    assert at.session_state["denominator"] == i
    assert [at.checkbox(key=f"status_{s}").value for s in ("controlled", "contested", "claimed")] == [True, False, True]
    kn = KeyNumberSource(bundled, actor=actor, denominator_index=i).on("2017-01-01")
    values = panel(at)
    assert values["den"]["region"] == "Syria" and f"{values['pct_region']:.2f}%" == f"{kn.pct_of_region:.2f}%"
    assert player_args(at)["statuses"] == ["controlled", "claimed"]  # the player draws only these
    # The URL still says so after a rerun (and a date step).
    at = step(at, 1)
    assert qp(at, "focus") == [actor] and qp(at, "denominator") == [key]
    assert qp(at, "status") == ["controlled", "claimed"]


def test_unknown_values_in_the_url_fall_back_to_defaults(bundled):
    at = page(MAP, focus="<b>nobody</b>", denominator="nowhere", status=["bogus"])
    assert not at.exception
    assert at.selectbox(key="focus").value == bundled.focus_actor
    assert at.session_state["denominator"] == 0
    assert all(at.checkbox(key=f"status_{s}").value for s in ("controlled", "contested", "claimed"))
    at = page(MAP, status="none")  # what the app writes when every status is switched off
    assert not any(at.checkbox(key=f"status_{s}").value for s in ("controlled", "contested", "claimed"))


def test_focus_survives_a_page_switch_and_reaches_the_export(bundled):
    actor = other_actor(bundled)
    at = page(MAP)
    at = at.selectbox(key="focus").set_value(actor).run()
    at.switch_page(str(EXPORT)).run()
    assert not at.exception
    assert at.selectbox(key="focus").value == actor


def test_compare_deep_link_restores_both_dates():
    at = page(COMPARE, **{"from": "2015-01-01", "date": "2017-07-10"})
    assert not at.exception
    assert at.selectbox(key="compare_from").value == "2015-01-01"
    assert at.selectbox(key="date").value == "2017-07-10"
    assert any("Change from 2015-01-01 to 2017-07-10" in s.value for s in at.subheader)
    at = at.selectbox(key="compare_from").set_value("2016-01-01").run()
    assert qp(at, "from") == ["2016-01-01"] and qp(at, "date") == ["2017-07-10"]


def test_compare_lists_the_focus_actor_first(bundled):
    actor = other_actor(bundled)
    at = page(COMPARE, focus=actor, **{"from": "2015-01-01", "date": "2017-07-10"})
    assert not at.exception
    summary = next(d.value for d in at.dataframe if "actor" in d.value.columns)  # not the patch list above it
    assert summary["actor"].iloc[0] == actor
