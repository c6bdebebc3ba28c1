"""An actor the bundled model leaves partial says so wherever its km² appear: legend, export map, report."""

from __future__ import annotations

import pandas as pd

from territory.export import save_map
from territory.export.report import method_page
from territory.ui.mapview import legend_html, md_text


def _shown_partial(an) -> tuple[str, str, str]:
    """A partial actor holding ground on some date, its note and that date (from the data, not typed in)."""
    t = an.table[(an.table["status"] == "controlled") & (an.table["area_km2"] > 0)]
    row = t[t["actor"].isin(an.dataset.partial)].iloc[-1]
    return str(row["actor"]), an.dataset.partial[row["actor"]], str(pd.Timestamp(row["date"]).date())


def test_dashboard_legend_marks_partial_actors_and_only_them(bundled):
    actor, note, day = _shown_partial(bundled)
    whole = [a for a in bundled.dataset.actors if a not in bundled.dataset.partial]
    assert whole, "the bundled model should keep at least one actor whole (IS)"
    rows = legend_html(bundled, day, [actor, *whole]).split("</div>")
    mine = next(r for r in rows if f"<b>{md_text(actor)}</b>" in r)
    assert "partial model" in mine and f'title="{md_text(note)}"' in mine
    assert not any("partial model" in r for r in rows if f"<b>{md_text(whole[0])}</b>" in r)


def test_export_map_legend_and_report_name_partial_actors(bundled, tmp_path):
    actor, _note, day = _shown_partial(bundled)
    svg = save_map(bundled, day, tmp_path / "m.svg", width=1000, height=625, dpi=100).read_text(encoding="utf-8")
    assert "(partial)" in svg
    fig = method_page(bundled, pd.Timestamp(day))
    text = " ".join(t.get_text() for t in fig.texts)
    assert "Partial actors" in text and actor in text


def test_player_payload_carries_the_partial_notes(bundled):
    from territory.player import analysis_payload

    rows = {a["name"]: a for a in analysis_payload(bundled)["actors"]}
    assert {n for n, a in rows.items() if "partial" in a} == set(bundled.dataset.partial) & set(rows)
    assert all(rows[n]["partial"] == note for n, note in bundled.dataset.partial.items() if n in rows)
