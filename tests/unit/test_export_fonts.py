"""Names in any script a conflict's actors use reach exported images as letters, not boxes.

DejaVu Sans has no Myanmar or Ethiopic letters: a Burmese or Amharic actor name was
drawn as boxes in every PNG, PDF and animation. The vendored Noto fallbacks draw them;
what no export font has is named once, in words, instead of one matplotlib warning
per letter.
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import pytest
import shapely

from territory.export import fonts
from tests.cli_run import run_cli

BURMESE = "တပ်မတော်"  # Tatmadaw
AMHARIC = "የኢትዮጵያ መከላከያ ሠራዊት"  # Ethiopian National Defense Force
ARABIC = "قوات الدعم السريع"  # Rapid Support Forces
UKRAINIAN = "Збройні сили України"
CHINESE = "中国军队"


def test_every_script_of_these_names_has_a_glyph_but_chinese():
    assert fonts.missing_glyphs([BURMESE, AMHARIC, ARABIC, UKRAINIAN, "Islamic State"]) == ""
    assert fonts.missing_glyphs([CHINESE, "Army"]) == CHINESE


def test_the_vendored_fonts_are_the_ones_found():
    from matplotlib import font_manager

    paths = fonts.register()
    assert len(paths) == 4
    for family in fonts.FAMILY[1:]:
        found = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
        assert found in paths


@pytest.fixture
def history(tmp_path):
    def make(*actors: str):
        rows = [dict(date=day, actor=a, status="controlled", geometry=shapely.box(24 + i * 3, 12 + k, 26 + i * 3, 14))
                for k, day in enumerate(("2023-04-15", "2023-10-01")) for i, a in enumerate(actors)]
        path = tmp_path / "h.geojson"
        gpd.GeoDataFrame(rows, crs=4326).to_file(path)
        return path

    return make


def test_a_pdf_map_embeds_the_fallback_for_burmese_and_amharic_names(history, tmp_path):
    out = tmp_path / "map.pdf"
    code, _, err = run_cli("export", str(history(BURMESE, AMHARIC, ARABIC)), "--no-cache", "--format", "pdf",
                           "--out", str(out))
    assert code == 0, err
    pdf = out.read_bytes()
    assert b"NotoSansMyanmar" in pdf and b"NotoSansEthiopic" in pdf  # the letters were drawn from them
    assert "note:" not in err and "Glyph" not in err


def test_latin_names_embed_no_fallback(history, tmp_path):
    out = tmp_path / "map.pdf"
    assert run_cli("export", str(history("Army", "Rebels")), "--no-cache", "--format", "pdf", "--out", str(out))[0] == 0
    assert b"NotoSans" not in out.read_bytes()


def test_letters_no_font_has_are_named_once_in_words(history, tmp_path):
    with warnings.catch_warnings(record=True) as caught:
        code, _, err = run_cli("export", str(history(CHINESE, "Rebels")), "--no-cache", "--format", "png",
                               "--out", str(tmp_path / "map.png"))
    assert code == 0, err
    assert not [w for w in caught if "missing from font" in str(w.message)]  # not one per letter
    notes = [line for line in err.splitlines() if line.startswith("territory: note:")]
    assert len(notes) == 1 and CHINESE in notes[0] and "boxes" in notes[0]
    assert "UserWarning" not in err
