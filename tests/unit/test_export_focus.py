"""Whose numbers: the focus actor and the chosen denominator reach the report map, the PDF report and the CLI."""

from __future__ import annotations

import io
from contextlib import redirect_stderr
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from territory.analysis import Analysis
from territory.cli import main
from territory.export import report_pdf, save_map
from territory.export.sample import ACTORS, synthetic_dataset
from territory.keynumbers import KeyNumberSource, focus_first

DAY = "2014-09-15"


@pytest.fixture(scope="module")
def analysis() -> Analysis:
    return Analysis.of(synthetic_dataset(basemap=True))


def _text(pdf: Path, page: int = 0) -> str:
    return " ".join(PdfReader(pdf).pages[page].extract_text().split())


def test_focus_first_keeps_the_rest_in_order():
    assert focus_first(["a", "b", "c"], "c") == ["c", "a", "b"]
    assert focus_first(["a", "b"], "zz") == ["a", "b"]


def test_default_focus_without_a_manifest_is_the_largest_peak(analysis):
    bare = Analysis(replace(analysis.dataset, focus_actor=None), analysis.measured)
    t = bare.table[bare.table["status"] == "controlled"]
    assert bare.focus_actor == t.groupby("actor")["area_km2"].max().idxmax()


def test_unknown_focus_is_refused(analysis):
    with pytest.raises(ValueError, match="not an actor"):
        KeyNumberSource(analysis, actor="nobody")


def test_report_map_gives_the_focus_actors_numbers(analysis, tmp_path):
    other = next(a for a in ACTORS if a != analysis.focus_actor)
    out = save_map(analysis, DAY, tmp_path / "m.pdf", focus=other)
    text = _text(out)
    held = KeyNumberSource(analysis, actor=other).on(DAY).lines()[0]
    default_held = KeyNumberSource(analysis).on(DAY).lines()[0]
    assert held != default_held
    assert held in text and default_held not in text


def test_report_names_focus_and_chosen_denominator(tmp_path):
    an = Analysis.of(synthetic_dataset(basemap=True))
    dens = an.denominators()
    other = next(a for a in ACTORS if a != an.focus_actor)
    out = report_pdf(an, DAY, tmp_path / "r.pdf", focus=other, denominator_index=len(dens) - 1 if dens else 0)
    reader = PdfReader(out)
    method = " ".join(reader.pages[-1].extract_text().split())
    assert f"Given for {other}" in method
    if dens:
        assert f"Shares divide by {dens[-1].label}" in method
    assert KeyNumberSource(an, actor=other).on(DAY).lines()[0] in _text(out)


def test_cli_focus_option(tmp_path, bundled):
    out = tmp_path / "map.pdf"
    err = io.StringIO()
    with redirect_stderr(err):
        assert main(["export", "--format", "pdf", "--date", "2017-01-01", "--focus", "nobody", "--out", str(out)]) == 2
    assert "--focus 'nobody' is not an actor" in err.getvalue()
    actor = next(a for a in bundled.dataset.actors if a != bundled.focus_actor)
    assert main(["export", "--format", "pdf", "--date", "2017-01-01", "--focus", actor, "--out", str(out)]) == 0
    assert KeyNumberSource(bundled, actor=actor).on("2017-01-01").lines()[0] in _text(out)
