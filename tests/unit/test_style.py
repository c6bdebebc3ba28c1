"""The one style table: legend swatches show the map's colours, and the bundled actors stay apart."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from territory.actors import assign_colors
from territory.datasets import load_dataset
from territory.style import (
    CHANGE_COLORS,
    CHANGE_STYLE,
    DISTINCT_DELTA_E,
    LAND,
    STATUS_STYLE,
    composite,
    delta_e,
    hex_rgb,
    lab,
    seen_fill,
)


def test_delta_e_is_cie76():
    assert delta_e("#000000", "#ffffff") == pytest.approx(100, abs=0.01)  # L* 0 to 100
    assert delta_e("#ff0000", "#ff0000") == 0
    assert 2 < delta_e("#0072B2", "#0072B8") < 5  # a just-noticeable step


@pytest.mark.parametrize("n", range(2, 9))
def test_generated_actor_colours_are_told_apart_on_the_map(n):
    """A user's actors (no colours given): every pair of fills, as the map shows them, ΔE*76 ≥ 25.

    The hash-picked slots used to put sky blue (#56B4E9) beside blue (#0072B2)
    or teal beside bluish green while distinct palette colours were free.
    """
    rng = np.random.default_rng(n)
    for _ in range(60):
        names = [f"Brigade {rng.integers(1_000_000)}" for _ in range(n)]
        colors = assign_colors(names)
        worst = min(delta_e(seen_fill(colors[a]), seen_fill(colors[b])) for a, b in itertools.combinations(names, 2))
        assert worst >= DISTINCT_DELTA_E, (names, colors)
    assert assign_colors(names) == assign_colors(list(reversed(names)))  # stable, whatever the order


def test_composite_is_the_alpha_blend():
    assert composite("#000000", 1.0) == "#000000"
    assert composite("#ffffff", 0.0, "#123456") == "#123456"
    r, g, b = hex_rgb(composite("#ff0000", 0.5, "#000000"))
    assert (r, g, b) == (128, 0, 0) or (r, g, b) == (127, 0, 0)


def test_islamic_state_reads_black_ish_on_the_map():
    ds = load_dataset()
    seen = seen_fill(ds.colors["Islamic State"])
    assert lab(seen)[0] < 30, seen  # L* below 30: near black, as the legend shows it


@pytest.mark.parametrize("status", list(STATUS_STYLE))
def test_status_styles_are_ordered(status):
    s = STATUS_STYLE[status]
    assert 0 <= s.fill_opacity <= 1 and 0 < s.line_opacity <= 1 and s.weight > 0


def test_bundled_actors_and_change_layer_are_distinguishable():
    """Every pair of fills as the map shows them (over land) differs by ΔE*76 ≥ 20.

    The old palette at the old 0.55 opacity put Iraqi government (#0072B2) and
    Syrian opposition (#56B4E9) at ΔE ≈ 14, and the SDF's green at ΔE ≈ 15
    from the change layer's green.
    """
    ds = load_dataset()
    seen = {a: seen_fill(c) for a, c in ds.colors.items()}
    seen.update({f"change {k}": composite(c, CHANGE_STYLE.fill_opacity, LAND) for k, c in CHANGE_COLORS.items()})
    worst = min((delta_e(seen[a], seen[b]), a, b) for a, b in itertools.combinations(seen, 2))
    assert worst[0] >= 20, worst
    assert all(math.isfinite(delta_e(v, LAND)) and delta_e(v, LAND) >= 15 for v in seen.values())
