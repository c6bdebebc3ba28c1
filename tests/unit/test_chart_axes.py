"""Map-page chart specs: time ticks that never repeat a month's label, and no date in them (issue 19)."""

from __future__ import annotations

from territory.ui.charts import chart_spec, has_claims, year_axis


def test_short_spans_tick_on_month_starts_long_ones_on_years():
    # Over a few days Vega's default ticks are days, each labelled "%b %Y": one month's name repeated.
    assert year_axis(1).to_dict()["tickCount"] == {"interval": "month", "step": 1}
    assert year_axis(400).to_dict()["tickCount"] == {"interval": "month", "step": 2}
    assert year_axis(5 * 365).to_dict()["tickCount"] == {"interval": "year", "step": 1}
    assert year_axis(30 * 365).to_dict()["tickCount"] == {"interval": "year", "step": 4}
    assert "tickCount" not in year_axis().to_dict()


def test_area_chart_spec_carries_no_date_rule(bundled):
    from territory.ui.shell import claims_table

    spec = chart_spec(bundled, tuple(bundled.dataset.actors), claims_table(bundled))
    marks = [layer["mark"] if isinstance(layer["mark"], str) else layer["mark"]["type"] for layer in spec["layer"]]
    assert "rule" not in marks and has_claims(spec)  # the bundled ledger has claims about area held
    assert not has_claims(chart_spec(bundled, tuple(bundled.dataset.actors), None))
