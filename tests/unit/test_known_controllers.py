"""Well-known places whose controller on a date is not in doubt must lie inside
that actor's territory in the bundled history, read through the core as the app
reads it (``load_dataset`` + ``state_at``).

Coordinates come from the bundled GeoNames extract (by GeoNames name), so the
check does not reuse the model's own node table. Each row names its source.
"""

from __future__ import annotations

import pandas as pd
import pytest
import shapely

from territory.datasets import bundled_path, load_dataset
from territory.model import state_at

GAZETTEER = bundled_path() / "sources" / "gazetteer_geonames_sy_iq.csv"

IS = "Islamic State"
IQ = "Iraqi government forces"
KRG = "Kurdistan Region Peshmerga"
SDF = "SDF/YPG"
SG = "Syrian government"
TK = "Turkish-backed opposition"
OPP = "Syrian opposition"
W = "https://en.wikipedia.org/wiki/"

#: (GeoNames name, date, controller, source). Dates are well inside a holding
#: period, away from the days a place changed hands.
KNOWN: list[tuple[str, str, str, str]] = [
    ("Ar Raqqah", "2015-06-01", IS, W + "Raqqa"),
    ("Ar Raqqah", "2018-01-01", SDF, W + "Battle_of_Raqqa_(2017)"),
    ("Mosul", "2015-06-01", IS, W + "Fall_of_Mosul"),
    ("Mosul", "2018-01-01", IQ, W + "Battle_of_Mosul_(2016%E2%80%932017)"),
    ("Damascus", "2014-07-01", SG, W + "Damascus"),
    ("Damascus", "2016-06-01", SG, W + "Damascus"),
    ("Damascus", "2018-12-01", SG, W + "Damascus"),
    ("Baghdad", "2014-07-01", IQ, W + "Baghdad"),
    ("Baghdad", "2017-01-01", IQ, W + "Baghdad"),
    ("Erbil", "2015-01-01", KRG, W + "Kurdistan_Region"),
    ("Erbil", "2018-06-01", KRG, W + "Kurdistan_Region"),
    ("As Sulaymānīyah", "2016-01-01", KRG, W + "Kurdistan_Region"),
    ("Dihok", "2016-01-01", KRG, W + "Kurdistan_Region"),
    ("Kirkuk", "2015-06-01", KRG, W + "Kirkuk"),
    ("Kirkuk", "2018-01-01", IQ, W + "2017_Iraqi%E2%80%93Kurdish_conflict"),
    ("Idlib", "2016-06-01", OPP, W + "Second_Battle_of_Idlib"),
    ("Jisr ash Shughūr", "2016-06-01", OPP, W + "Battle_of_Jisr_al-Shughur_(2015)"),
    ("Khān Shaykhūn", "2017-01-01", OPP, W + "Khan_Shaykhun"),
    ("Aleppo", "2017-03-01", SG, W + "Battle_of_Aleppo_(2012%E2%80%932016)"),
    ("Al Qāmishlī", "2016-01-01", SDF, W + "Qamishli"),
    ("‘Āmūdā", "2017-01-01", SDF, W + "Amuda"),
    ("Al Mālikīyah", "2017-01-01", SDF, W + "Al-Malikiyah"),
    ("Latakia", "2016-01-01", SG, W + "Latakia"),
    ("Ţarţūs", "2016-01-01", SG, W + "Tartus"),
    ("Homs", "2016-01-01", SG, W + "Homs"),
    ("Ḩamāh", "2016-01-01", SG, W + "Hama"),
    ("As-Suwayda", "2016-01-01", SG, W + "As-Suwayda"),
    ("Basrah", "2016-01-01", IQ, W + "Basra"),
    ("Najaf", "2016-01-01", IQ, W + "Najaf"),
    ("Deir ez-Zor", "2018-06-01", SG, W + "Deir_ez-Zor_offensive_(September%E2%80%93November_2017)"),
    ("Tadmur", "2015-08-01", IS, W + "Palmyra_offensive_(May_2015)"),
    ("Tadmur", "2016-06-01", SG, W + "Palmyra_offensive_(March_2016)"),
    ("Tadmur", "2017-01-01", IS, W + "Palmyra_offensive_(December_2016)"),
    ("Tadmur", "2017-06-01", SG, W + "Palmyra_offensive_(2017)"),
    ("Al Fallūjah", "2015-06-01", IS, W + "Fall_of_Fallujah_(2014)"),
    ("Al Fallūjah", "2017-01-01", IQ, W + "Third_Battle_of_Fallujah"),
    ("Ramadi", "2015-08-01", IS, W + "Battle_of_Ramadi_(2015%E2%80%9316)"),
    ("Ramadi", "2016-06-01", IQ, W + "Battle_of_Ramadi_(2015%E2%80%9316)"),
    ("Tikrīt", "2014-09-01", IS, W + "Second_Battle_of_Tikrit"),
    ("Tikrīt", "2016-01-01", IQ, W + "Second_Battle_of_Tikrit"),
    ("Sinjār", "2015-01-01", IS, W + "Sinjar_massacre"),
    ("Sinjār", "2016-06-01", KRG, W + "November_2015_Sinjar_offensive"),
    ("Sinjār", "2018-01-01", IQ, W + "2017_Iraqi%E2%80%93Kurdish_conflict"),
    ("Manbij", "2015-06-01", IS, W + "Manbij_offensive"),
    ("Manbij", "2017-01-01", SDF, W + "Manbij_offensive"),
    ("Al Bāb", "2016-06-01", IS, W + "Battle_of_al-Bab"),
    ("Al Bāb", "2017-06-01", TK, W + "Battle_of_al-Bab"),
    ("Jarābulus", "2017-01-01", TK, W + "Operation_Euphrates_Shield"),
    ("‘Afrīn", "2017-01-01", SDF, W + "Operation_Olive_Branch"),
    ("‘Afrīn", "2018-06-01", TK, W + "Operation_Olive_Branch"),
    ("Dūmā", "2017-01-01", OPP, W + "Rif_Dimashq_offensive_(February%E2%80%93April_2018)"),
    ("Dūmā", "2018-06-01", SG, W + "Rif_Dimashq_offensive_(February%E2%80%93April_2018)"),
    ("Ath Thawrah", "2017-08-01", SDF, W + "Battle_of_Tabqa_(2017)"),
    ("Ālbū Kamāl", "2018-01-01", SG, W + "Battle_of_Abu_Kamal_(2017)"),
    ("Al Qā’im", "2015-06-01", IS, W + "Western_Iraq_campaign_(2017)"),
    ("Al Qā’im", "2018-01-01", IQ, W + "Western_Iraq_campaign_(2017)"),
    ("Ar Ruţbah", "2015-06-01", IS, W + "Battle_of_Rutba_(2016)"),
    ("Ar Ruţbah", "2017-01-01", IQ, W + "Battle_of_Rutba_(2016)"),
    ("I‘zāz", "2015-06-01", OPP, W + "Azaz"),
]


@pytest.fixture(scope="module")
def bundled():
    return load_dataset()


@pytest.fixture(scope="module")
def gazetteer() -> pd.DataFrame:
    return pd.read_csv(GAZETTEER).drop_duplicates("name").set_index("name")


def test_known_list_is_sourced_and_in_the_gazetteer(bundled, gazetteer):
    """Every row is sourced, dated in the history's span, and its point lies inside the
    Natural Earth outline (Kobani's GeoNames point, 0.5 km into Turkey, could not be used)."""
    outline = shapely.union_all(bundled.countries[bundled.countries["iso_a3"].isin(["SYR", "IRQ"])].geometry.values)
    for name, day, actor, source in KNOWN:
        assert name in gazetteer.index, name
        assert outline.contains(shapely.Point(gazetteer.at[name, "lon"], gazetteer.at[name, "lat"])), name
        assert source.startswith("https://") and " " not in source, name
        assert pd.Timestamp(day) >= pd.Timestamp("2014-06-01"), (name, day)
        assert actor in {IS, IQ, KRG, SDF, SG, TK, OPP}


@pytest.mark.parametrize(("name", "day", "actor", "source"), KNOWN, ids=[f"{n}@{d}" for n, d, _a, _s in KNOWN])
def test_known_controller(bundled, gazetteer, name, day, actor, source):
    """The place lies in its controller's polygons (any status) on that day, and in no one else's."""
    place = shapely.Point(float(gazetteer.at[name, "lon"]), float(gazetteer.at[name, "lat"]))
    state = state_at(bundled.history, day)
    holders = sorted({row.actor for row in state.itertuples() if row.geometry.covers(place)})
    assert holders == [actor], f"{name} on {day}: expected {actor} ({source}), found {holders or 'no one'}"


#: (date, GeoNames names, source): places that lay in one contiguous stretch of IS
#: territory on that date -- the river-valley skeleton of published control maps
#: (shape fact 1 of the timeline README), not separate road corridors.
SWATHS: list[tuple[str, tuple[str, ...], str]] = [
    ("2015-06-01", ("Jarābulus", "Manbij", "Al Bāb", "Ath Thawrah", "Ar Raqqah", "Ma‘dān", "Al Mayādīn",
                    "Ālbū Kamāl", "Al Qā’im", "Rāwah", "Al Ba‘āj", "Tall ‘Afar", "Mosul", "Al Qayyārah",
                    "Ash Sharqāt"), W + "Territory_of_the_Islamic_State"),
    # Fallujah is parted from Ramadi by the government's Habbaniyah pocket (a cited context place).
    ("2015-06-01", ("Hīt", "Ramadi"), W + "Battle_of_Ramadi_(2015%E2%80%9316)"),
    ("2016-06-01", ("Jarābulus", "Manbij", "Ar Raqqah", "Al Mayādīn", "Ālbū Kamāl", "Al Qā’im", "Rāwah",
                    "Tall ‘Afar", "Mosul", "Ash Sharqāt"), W + "Territory_of_the_Islamic_State"),
]


@pytest.mark.parametrize(("day", "names", "source"), SWATHS, ids=[f"{d}:{n[0]}..{n[-1]}" for d, n, _s in SWATHS])
def test_valley_towns_form_one_swath(bundled, gazetteer, day, names, source):
    """The named towns lie in one connected part of IS territory (any status) that day."""
    state = state_at(bundled.history, day)
    held = shapely.union_all(list(state[state.actor == IS].geometry))
    parts = list(shapely.get_parts(held))
    found = {}
    for name in names:
        place = shapely.Point(float(gazetteer.at[name, "lon"]), float(gazetteer.at[name, "lat"]))
        found[name] = next((k for k, part in enumerate(parts) if part.covers(place)), None)
    assert None not in found.values(), f"outside IS territory on {day} ({source}): {found}"
    assert len(set(found.values())) == 1, f"IS territory on {day} is cut between these towns ({source}): {found}"
