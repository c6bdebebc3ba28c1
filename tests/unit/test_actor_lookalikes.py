"""Actor names that look alike (another script's letters, full-width forms, bidi controls) are warned about."""

from __future__ import annotations

import shapely

from territory.actors import foreign_letters, hidden_characters, skeleton
from territory.report import Report
from territory.validate import check_history
from tests.conftest import make_history

PLAIN = "Islamic State"
CYRILLIC = "Islam\u0456c State"  # і: CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I
FULL_WIDTH = "\uff29slamic State"
OVERRIDE = "Islamic \u202eState"


def _warnings(*names: str) -> list:
    rows = [("2022-03-01", n, "controlled", shapely.box(30 + i, 46, 31 + i, 47)) for i, n in enumerate(names)]
    report = Report()
    check_history(make_history(rows), report, name="h.geojson")
    return report.warnings


def test_skeleton_reads_lookalikes_as_latin() -> None:
    assert skeleton(CYRILLIC) == skeleton(FULL_WIDTH) == skeleton(OVERRIDE) == skeleton(PLAIN) == "islamicstate"
    assert skeleton("Хамас") != skeleton("Hamas")  # a Cyrillic name is not a look-alike of its transliteration
    assert skeleton("ISIS") != skeleton(PLAIN)
    assert foreign_letters(CYRILLIC) == ["і CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I (U+0456)"]
    assert foreign_letters(PLAIN) == [] and hidden_characters(PLAIN) == []
    assert hidden_characters(OVERRIDE) == ["RIGHT-TO-LEFT OVERRIDE (U+202E)"]


def test_a_cyrillic_letter_in_a_name_is_warned_naming_both_spellings() -> None:
    warned = [w for w in _warnings(PLAIN, CYRILLIC, "Kurdish forces") if w.code == "similar-actors"]
    assert len(warned) == 1
    msg = warned[0].message
    assert repr(PLAIN) in msg and repr(CYRILLIC) in msg and "U+0456" in msg and "look alike" in msg


def test_full_width_letters_are_warned() -> None:
    warned = [w for w in _warnings(PLAIN, FULL_WIDTH) if w.code == "similar-actors"]
    assert len(warned) == 1 and "FULLWIDTH LATIN CAPITAL LETTER I" in warned[0].message


def test_a_right_to_left_override_is_warned_on_its_own() -> None:
    codes = sorted(w.code for w in _warnings(OVERRIDE, "Kurdish forces"))
    assert codes == ["hidden-characters"]
    hidden = [w for w in _warnings(PLAIN, OVERRIDE) if w.code == "hidden-characters"]
    assert len(hidden) == 1 and "RIGHT-TO-LEFT OVERRIDE (U+202E)" in hidden[0].message
    assert "\\u202e" in hidden[0].message  # the name is shown escaped, never reordering the message itself


def test_distinct_names_are_not_warned() -> None:
    assert _warnings(PLAIN, "ISIS", "Хамас", "Hamas") == []
