"""AppTest helpers for the map page's time player (``territory.ui.playback.map_player``).

AppTest runs no JavaScript: the player is a component element whose
``json_args`` name its payload's file (the frame fetches it; :func:`player_payload`
reads it as the frame would), and a user's stop (slider let go, key up,
Prev/Next, Pause) is the one value the component sends, put here into the
session as the front end would (``assets/player/component.js``).
"""

from __future__ import annotations

import itertools
import json
from typing import Any

from streamlit.testing.v1 import AppTest

_seq = itertools.count(1)


def player_args(at: AppTest) -> dict[str, Any]:
    """The arguments the map page handed the player on the last run."""
    found = [json.loads(e.proto.json_args) for e in at.get("component_instance")]
    found = [a for a in found if "head" in a and "payload_id" in a]
    assert found, "the page drew no time player"
    return found[0]


def player_payload(at: AppTest) -> dict[str, Any]:
    """The payload the player's frame fetches on the last run: the file its arguments name (the one way tests read it)."""
    from territory.ui.player_component import served_payload

    args = player_args(at)
    assert "payload" not in args, "the payload must not travel as component arguments"
    return served_payload(args["head"])


def stop_at(at: AppTest, day: str, *, drawn: bool = True) -> AppTest:
    """The user stops on ``day`` (the component's one report), then the page runs."""
    dates = player_payload(at)["dates"]
    at.session_state["player"] = {"index": dates.index(day), "date": day, "playing": False, "seq": next(_seq),
                                  **({"drawn": True} if drawn else {})}
    return at.run()


def step(at: AppTest, delta: int = 1) -> AppTest:
    """Prev/Next (or an arrow key) ``delta`` dates from the page's date, then the stop."""
    dates = player_payload(at)["dates"]
    i = dates.index(at.session_state["date"])
    return stop_at(at, dates[max(0, min(len(dates) - 1, i + delta))])


def panel(at: AppTest, day: str | None = None) -> dict[str, Any]:
    """The key numbers the player shows on ``day`` (default: the page's date), by column name."""
    m = player_payload(at)["metrics"]
    dates = player_payload(at)["dates"]
    row = m["rows"][dates.index(day or at.session_state["date"])]
    return {"actor": m["actor"], "den": m["den"], "headline": m["headline"], **dict(zip(m["cols"], row, strict=True))}
