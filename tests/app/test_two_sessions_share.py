"""Two sessions on the map page share one rendering of the date's layer (issue 9.7)."""

from __future__ import annotations

import json
from pathlib import Path
from unittest import mock

import pytest
from streamlit.testing.v1 import AppTest

from territory.ui import mapframe, shell

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.usefixtures("bundled")


def _layer(at: AppTest) -> str:
    maps = [e for e in at.get("component_instance") if "feature_group" in json.loads(e.proto.json_args)]
    return json.loads(maps[0].proto.json_args)["feature_group"]


def test_two_sessions_same_date_render_the_layer_once():
    rendered: list[str] = []
    original = mapframe.date_layer

    def counting(an, day, actors, statuses):
        rendered.append(day)
        return original(an, day, actors, statuses)

    mapframe.layer_script.clear()
    shell.key_numbers.clear()
    with mock.patch.object(mapframe, "date_layer", counting), \
            mock.patch.object(shell, "_key_source", wraps=shell._key_source) as source:
        one = AppTest.from_file(str(ROOT / "src/territory/app/main.py"), default_timeout=120).run()
        two = AppTest.from_file(str(ROOT / "src/territory/app/main.py"), default_timeout=120).run()
        assert not one.exception and not two.exception
        assert one.session_state["date"] == two.session_state["date"]
        assert rendered == [one.session_state["date"]]  # the second session read the first one's layer
        assert _layer(one) == _layer(two)
        assert source.call_count == 1  # key numbers for that date: computed once, looked up once more
        # Stepping: each new date is rendered once, whichever session gets there first.
        one = one.button(key="next").click().run()
        two = two.button(key="next").click().run()
        assert one.session_state["date"] == two.session_state["date"] != rendered[0]
        assert rendered == [rendered[0], one.session_state["date"]]
        assert _layer(one) == _layer(two)
