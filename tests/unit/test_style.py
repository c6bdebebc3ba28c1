"""The one style table: legend swatches show the map's colours, and the bundled actors stay apart."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from territory.datasets import load_dataset
from territory.style import (
    CHANGE_COLORS,
    CHANGE_STYLE,
    LAND,
    STATUS_STYLE,
    composite,
    hex_rgb,
    seen_fill,
)


def _lab(color: str) -> np.ndarray:
    """CIE L*a*b* (D65) of an sRGB hex colour."""
    c = np.array(hex_rgb(color)) / 255
    c = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    x, y, z = m @ c / np.array([0.95047, 1.0, 1.08883])
    f = lambda t: np.cbrt(t) if t > 0.008856 else 7.787 * t + 16 / 116  # noqa: E731
    return np.array([116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))])


def delta_e(a: str, b: str) -> float:
    return float(np.linalg.norm(_lab(a) - _lab(b)))


def test_composite_is_the_alpha_blend():
    assert composite("#000000", 1.0) == "#000000"
    assert composite("#ffffff", 0.0, "#123456") == "#123456"
    r, g, b = hex_rgb(composite("#ff0000", 0.5, "#000000"))
    assert (r, g, b) == (128, 0, 0) or (r, g, b) == (127, 0, 0)


def test_islamic_state_reads_black_ish_on_the_map():
    ds = load_dataset()
    seen = seen_fill(ds.colors["Islamic State"])
    assert _lab(seen)[0] < 30, seen  # L* below 30: near black, as the legend shows it


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
