"""Two sessions on the map page share one player payload and one set of key numbers (issue 9.7)."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest
from streamlit.testing.v1 import AppTest

from territory.ui import playback, shell
from tests.playerstate import player_args, step

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.usefixtures("bundled")


def test_two_sessions_share_one_payload_and_steps_build_nothing():
    """Every date is in the payload: the second session and every date step reuse the first session's build."""
    playback.payload.clear()
    shell.key_numbers.clear()
    with mock.patch.object(playback, "analysis_payload", wraps=playback.analysis_payload) as built, \
            mock.patch.object(shell, "_key_source", wraps=shell._key_source) as source:
        one = AppTest.from_file(str(ROOT / "src/territory/app/main.py"), default_timeout=120).run()
        two = AppTest.from_file(str(ROOT / "src/territory/app/main.py"), default_timeout=120).run()
        assert not one.exception and not two.exception
        assert one.session_state["date"] == two.session_state["date"]
        assert built.call_count == 1  # the second session read the first one's payload
        assert player_args(one)["payload_id"] == player_args(two)["payload_id"]
        assert source.call_count == 1  # the page's outside-the-outline note: computed once, looked up once more
        # Stepping (the player's report): the page's date moves, nothing is built again.
        day = one.session_state["date"]
        one, two = step(one, -1), step(two, -1)
        assert one.session_state["date"] == two.session_state["date"] != day
        assert built.call_count == 1
