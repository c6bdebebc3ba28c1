"""One colour and line-style table for every map and chart.

The dashboard (folium), the time player and its HTML export (Leaflet, via the
payload), the report maps (matplotlib PNG/SVG/PDF) and the charts all read
their fills, opacities, dashes and verdict colours from here. A legend swatch
is drawn as the same fill over the same land colour, so the colour a reader
matches in the legend is the colour the map shows: with a translucent fill
the map shows ``opacity × colour + (1 − opacity) × land``, not the raw hex.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

#: Basemap colours (dashboard, player and report maps alike).
LAND = "#ececea"
SEA = "#dde8ee"
BORDER = "#8c8c8c"


@dataclass(frozen=True)
class StatusStyle:
    """How a status layer is drawn: fill and outline opacity, outline width (px) and dash."""

    fill_opacity: float
    line_opacity: float
    weight: float
    dash: str | None  # SVG dash array in px, None for a solid line


#: Controlled ground is nearly opaque so dark actors (Islamic State, black) read as
#: black-ish on the map as in the legend; contested is a light wash with a dashed
#: edge; claimed is an outline only.
STATUS_STYLE: dict[str, StatusStyle] = {
    "controlled": StatusStyle(fill_opacity=0.8, line_opacity=1.0, weight=1.0, dash=None),
    "contested": StatusStyle(fill_opacity=0.25, line_opacity=0.95, weight=1.5, dash="5 4"),
    "claimed": StatusStyle(fill_opacity=0.0, line_opacity=1.0, weight=2.0, dash="2 5"),
}

#: Compare's change layer: hues no bundled actor uses (not the SDF's or the
#: opposition's green, not the Syrian government's red), drawn over the territory.
CHANGE_COLORS = {"gained": "#00E5FF", "lost": "#FF33CC"}
CHANGE_STYLE = StatusStyle(fill_opacity=0.45, line_opacity=1.0, weight=2.5, dash="6 3")

#: Claim verdicts (charts, tables, report): one colour and marker shape each.
VERDICT_COLORS = {
    "consistent": "#2e7d32",
    "overstated": "#c62828",
    "understated": "#6a1b9a",
    "baseline unstated": "#b07d00",
    "calibration point": "#7a7a7a",
}
VERDICT_SHAPES = {"consistent": "circle", "overstated": "triangle-up", "understated": "triangle-down",
                  "baseline unstated": "square", "calibration point": "diamond"}
OTHER_VERDICT = "#555555"


def status_style(status: str) -> StatusStyle:
    return STATUS_STYLE.get(status, STATUS_STYLE["controlled"])


def hex_rgb(color: str) -> tuple[int, int, int]:
    """``#rgb``/``#rrggbb`` to integers 0-255 (raises ValueError on anything else)."""
    h = color.strip().lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    if len(h) != 6:
        raise ValueError(f"not a hex colour: {color!r}")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def rgba(color: str, opacity: float) -> str:
    r, g, b = hex_rgb(color)
    return f"rgba({r},{g},{b},{opacity:g})"


def composite(color: str, opacity: float, background: str = LAND) -> str:
    """The opaque colour seen when ``color`` at ``opacity`` lies over ``background``."""
    fg, bg = hex_rgb(color), hex_rgb(background)
    mix = (round(opacity * f + (1 - opacity) * b) for f, b in zip(fg, bg, strict=True))
    return "#{:02x}{:02x}{:02x}".format(*mix)


def seen_fill(color: str, status: str = "controlled", background: str = LAND) -> str:
    """The colour a reader sees for ``color``'s ``status`` fill on the land."""
    return composite(color, status_style(status).fill_opacity, background)


def lab(color: str) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of an sRGB hex colour."""
    lin = [c / 255 for c in hex_rgb(color)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in lin]
    r, g, b = lin
    xyz = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, 0.2126 * r + 0.7152 * g + 0.0722 * b, \
        (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883
    x, y, z = (t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116 for t in xyz)
    return 116 * y - 16, 500 * (x - y), 200 * (y - z)


def delta_e(a: str, b: str) -> float:
    """CIE ΔE*76 between two hex colours: about 2 is just noticeable, 20 and more reads as another colour."""
    return sum((p - q) ** 2 for p, q in zip(lab(a), lab(b), strict=True)) ** 0.5


#: Generated actor colours differ by at least this ΔE*76 as the map shows them (while the palette allows).
DISTINCT_DELTA_E = 25.0


def leaflet_style(color: str, status: str = "controlled") -> dict:
    """Leaflet path options for an actor's ``status`` layer."""
    s = status_style(status)
    return {"color": color, "fillColor": color, "weight": s.weight, "opacity": s.line_opacity,
            "fillOpacity": s.fill_opacity, "dashArray": s.dash, "fill": s.fill_opacity > 0}


def swatch_css(color: str, status: str = "controlled") -> str:
    """Inline CSS for a legend swatch: the map's fill over the map's land, the map's outline."""
    s = status_style(status)
    fill = rgba(color, s.fill_opacity)
    line = "dashed" if s.dash else "solid"
    return (f"background:linear-gradient({fill},{fill}),{LAND};"
            f"border:{max(1.0, s.weight):g}px {line} {rgba(color, s.line_opacity)}")


def style_payload() -> dict:
    """The table as JSON for the browser player (``payload["style"]``)."""
    return {"land": LAND, "sea": SEA, "border": BORDER,
            "statuses": {k: asdict(v) for k, v in STATUS_STYLE.items()}}
