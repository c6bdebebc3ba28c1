"""The report map: one matplotlib figure a newsroom can print as is.

Title, as-of date, legend with km² per actor, scale bar (true: the map is in a
local equal-area projection in metres), north arrow to true north at the map
centre, inset locator, key-numbers box, source line and method note. No
browser, no tiles. :class:`MapFigure` builds the static parts once and
:meth:`MapFigure.show` swaps only the territory and the texts, so animation
frames cost one redraw each.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.patheffects as pe
import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Rectangle
from matplotlib_scalebar.scalebar import ScaleBar

from territory import atomicfile
from territory.analysis import Analysis
from territory.export import fonts
from territory.export.facts import (
    DEFAULT_LABEL,
    iso,
    label_text,
    long_date,
    method_note,
    source_line,
)
from territory.export.geometry import Display, display_for, to_path
from territory.keynumbers import KeyNumberSource, actor_km2, focus_first
from territory.model import STATUSES, to_day
from territory.style import BORDER, LAND, SEA, status_style

INK = "#1f1f1f"
MUTED = "#5f5f5f"
ALERT = "#b0281a"
FONT = fonts.FAMILY  # DejaVu Sans, then the vendored fallbacks (Myanmar, Ethiopic)
fonts.register()
#: Text as text in vector output (editable, searchable, selectable).
RC = {"svg.fonttype": "none", "pdf.fonttype": 42, "ps.fonttype": 42, "font.family": FONT,
      "hatch.linewidth": 0.8, "path.simplify": True,
      "text.parse_math": False}  # data text ("$5 bn", "$x$") is never mathtext
DEFAULT_SIZE = (1600, 1000)
DEFAULT_DPI = 200


def _fit(extent: tuple[float, float, float, float], aspect: float) -> tuple[float, float, float, float]:
    """Grow ``extent`` to the box's width/height ``aspect`` (no stretching, no crop)."""
    x0, x1, y0, y1 = extent
    w, h = x1 - x0, y1 - y0
    if w / h < aspect:
        grow = (h * aspect - w) / 2
        return x0 - grow, x1 + grow, y0, y1
    grow = (w / aspect - h) / 2
    return x0, x1, y0 - grow, y1 + grow


def _box_aspect(fig: Figure, rect: Sequence[float]) -> float:
    w, h = fig.get_size_inches()
    return (rect[2] * w) / (rect[3] * h)


def _short(name: str, width: int = 26) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


class MapFigure:
    """A report-map figure for one analysis; call :meth:`show` for each day."""

    def __init__(self, analysis: Analysis, *, size: tuple[int, int] = DEFAULT_SIZE, dpi: int = DEFAULT_DPI,
                 actors: Sequence[str] | None = None, display: Display | None = None,
                 inset: bool = True, fixed_legend: bool = False, blit: bool = False,
                 focus: str | None = None, denominator_index: int = 0, title: str | None = None) -> None:
        self.an = analysis
        self.ds = analysis.dataset
        self.title = title or self.ds.title or self.ds.name
        self.disp = display or display_for(analysis)
        # Whose numbers: the key-number box is ``focus``'s (default the dataset's focus actor), listed first.
        self.keys = KeyNumberSource(analysis, actor=focus, denominator_index=denominator_index)
        self.actors = focus_first(list(actors) if actors is not None else list(self.ds.actors), self.keys.actor)
        self.fixed_legend = fixed_legend  # animation: same rows every frame, so nothing jumps
        w_in, h_in = size[0] / dpi, size[1] / dpi
        self.fig = Figure(figsize=(w_in, h_in), dpi=dpi, facecolor="white")
        self.s = min(w_in / 8.0, h_in / 5.0)  # font scale: designed at 8 x 5 in
        self._dynamic: list = []  # per-day artists, removed by the next show()
        self._overlay: list = []  # static artists that must sit above the territory
        self.blit = blit  # animation: static background cached, see draw_frame()
        self._build(inset)

    # ---- static parts -------------------------------------------------
    def _pt(self, size: float) -> float:
        return size * self.s

    def _width_pt(self, text: str, size: float, bold: bool = False) -> float:
        """Rendered width of ``text`` in points (layout decisions, not drawing)."""
        prop = FontProperties(family=FONT, size=size, weight="bold" if bold else "normal")
        w, _, _ = self.renderer.get_text_width_height_descent(text, prop, ismath=False)
        return w * 72 / self.fig.dpi

    def _fit_lines(self, text: str, size: float, width_pt: float, max_lines: int) -> list[str]:
        """Wrap ``text`` to ``width_pt``; the last allowed line is shortened with […]."""
        chars = max(int(len(text) * width_pt / max(self._width_pt(text, size), 1.0)), 20)
        lines = textwrap.wrap(text, chars)
        if len(lines) > max_lines:
            lines = [*lines[: max_lines - 1], textwrap.shorten(" ".join(lines[max_lines - 1:]), chars)]
        return lines

    def _build(self, inset: bool) -> None:
        fig, s = self.fig, self.s
        self.renderer = FigureCanvasAgg(fig).get_renderer()
        h_in = fig.get_size_inches()[1]
        top = 1 - 0.78 / h_in * s  # header height in inches → fraction
        footer_in = self._draw_footer()
        bottom = (footer_in + 0.1 * s) / h_in
        self.map_rect = (0.015, bottom, 0.67, top - bottom - 0.01)
        self.panel_rect = (0.705, bottom, 0.28, top - bottom - 0.01)
        ax = fig.add_axes(self.map_rect)
        self.ax = ax
        ext = _fit(self.disp.extent, _box_aspect(fig, self.map_rect))
        ax.set_xlim(ext[0], ext[1])
        ax.set_ylim(ext[2], ext[3])
        ax.set_aspect("equal", adjustable="box")
        ax.set_xticks([])
        ax.set_yticks([])
        has_base = len(self.disp.base) > 0
        ax.set_facecolor(SEA if has_base else "#fbfbf9")
        for sp in ax.spines.values():
            sp.set_edgecolor("#b5b5b5")
            sp.set_linewidth(0.6)
        self._draw_base(ax)
        self._draw_furniture(ax, ext)
        self._draw_header()
        self.panel = fig.add_axes(self.panel_rect)
        self.panel.set_axis_off()
        self.panel.set_xlim(0, 1)
        self.panel.set_ylim(0, 1)
        if inset and len(self.disp.inset_base):
            self._draw_inset(ext)

    def _collection(self, geoms: np.ndarray, **kw) -> PathCollection | None:
        paths = [p for p in (to_path(g) for g in geoms) if p is not None]
        return PathCollection(paths, **kw) if paths else None

    def _draw_base(self, ax: Axes) -> None:
        d = self.disp
        land = self._collection(d.base, facecolor=LAND, edgecolor="none", zorder=1)
        if land is not None:
            ax.add_collection(land, autolim=False)
        regions = self._collection(d.regions, facecolor="none", edgecolor="#c9c4ba",
                                   linewidth=0.35 * self.s, linestyle=(0, (2, 2)), zorder=6)
        if regions is not None:
            self._overlay.append(ax.add_collection(regions, autolim=False))
        borders = self._collection(d.borders, facecolor="none", edgecolor=BORDER, linewidth=0.7 * self.s, zorder=7)
        if borders is not None:
            self._overlay.append(ax.add_collection(borders, autolim=False))
        self._label_countries(ax)

    def _label_countries(self, ax: Axes) -> None:
        d = self.disp
        if not len(d.borders) or not any(d.border_names):
            return
        x0, x1 = ax.get_xlim()
        y0, y1 = ax.get_ylim()
        view = shapely.box(x0, y0, x1, y1)
        inner = shapely.box(x0 + 0.06 * (x1 - x0), y0 + 0.12 * (y1 - y0), x1 - 0.06 * (x1 - x0), y1 - 0.08 * (y1 - y0))
        clipped = shapely.intersection(d.borders, view)
        areas = shapely.area(clipped)
        for geom, name, a in zip(clipped, d.border_names, areas, strict=False):
            if not name or a < 0.04 * view.area:
                continue
            pt = shapely.point_on_surface(shapely.intersection(geom, inner) if geom.intersects(inner) else geom)
            if pt.is_empty:
                continue
            self._overlay.append(ax.text(pt.x, pt.y, name.upper(), fontsize=self._pt(6.5), color="#8a857c", ha="center", va="center",
                    zorder=8, fontweight="bold", alpha=0.9,
                    path_effects=[pe.withStroke(linewidth=2 * self.s, foreground="white", alpha=0.8)]))

    def _draw_furniture(self, ax: Axes, ext: tuple[float, float, float, float]) -> None:
        s = self.s
        self._overlay.append(ax.add_artist(ScaleBar(1.0, "m", location="lower left", length_fraction=0.22, width_fraction=0.008,
                               box_alpha=0.8, box_color="white", color=INK, border_pad=0.6, sep=2 * s,
                               font_properties={"size": self._pt(6.5), "family": FONT})))
        # North arrow: true north at the map centre (vertical only when the centre is on lon_0).
        x0, x1, y0, y1 = ext
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        ux, uy = self.disp.true_north(cx, cy)
        length = 0.075 * (y1 - y0)
        bx, by = x1 - 0.05 * (x1 - x0), y1 - 0.06 * (y1 - y0) - length
        self._overlay.append(ax.annotate("", xy=(bx + ux * length, by + uy * length), xytext=(bx, by), zorder=20,
                    arrowprops={"arrowstyle": "-|>,head_length=0.8,head_width=0.35", "color": INK,
                                "lw": 1.3 * s, "shrinkA": 0, "shrinkB": 0}))
        self._overlay.append(ax.text(bx + ux * length * 1.3, by + uy * length * 1.3, "N", ha="center", va="bottom", zorder=20,
                fontsize=self._pt(8), fontweight="bold", color=INK,
                path_effects=[pe.withStroke(linewidth=2.2 * s, foreground="white")]))

    def _draw_header(self) -> None:
        fig, s = self.fig, self.s
        w_in, h_in = fig.get_size_inches()
        y_title = 1 - 0.16 / h_in * s
        title = self.title
        room = 0.97 * w_in * 72
        size = self._pt(15)
        while size > self._pt(11) and self._width_pt(title, size, bold=True) > room:
            size *= 0.94  # long titles shrink a little before they are shortened
        if self._width_pt(title, size, bold=True) > room:
            title = self._fit_lines(title, size, room, 1)[0]
        fig.text(0.015, y_title, title, fontsize=size, fontweight="bold", color=INK, va="top", ha="left")
        y_sub = y_title - 0.33 / h_in * s
        self.subtitle = fig.text(0.015, y_sub, "", fontsize=self._pt(9.5), color=MUTED, va="top", ha="left")
        label = label_text(self.an)
        if label and self.ds.illustrative:
            badge = label.upper() if len(label) <= 40 else DEFAULT_LABEL.upper()  # full label: source line
            fig.text(0.985, y_sub, badge, fontsize=self._pt(7), fontweight="bold", color=ALERT,
                     ha="right", va="top",
                     bbox={"boxstyle": "square,pad=0.35", "facecolor": "white", "edgecolor": ALERT,
                           "linewidth": 0.9 * s})
        elif label:
            fig.text(0.985, y_sub, label, fontsize=self._pt(7), color=MUTED, ha="right", va="top")

    def _draw_footer(self) -> float:
        """Source line(s) and method note at the bottom; returns their height in inches."""
        fig, s = self.fig, self.s
        h_in = fig.get_size_inches()[1]
        room = 0.97 * fig.get_size_inches()[0] * 72
        src = self._fit_lines(source_line(self.an), self._pt(6.3), room, 2)
        note = self._fit_lines(method_note(self.disp.projection, self.keys.denominator), self._pt(5.8), room, 2)
        note_h = len(note) * self._pt(5.8) * 1.35 / 72
        fig.text(0.015, 0.07 * s / h_in, "\n".join(note), fontsize=self._pt(5.8), color=MUTED, ha="left",
                 va="bottom", linespacing=1.35)
        fig.text(0.015, (0.07 * s + note_h + 0.05 * s) / h_in, "\n".join(src), fontsize=self._pt(6.3), color=INK,
                 ha="left", va="bottom", linespacing=1.35)
        return 0.07 * s + note_h + 0.05 * s + len(src) * self._pt(6.3) * 1.35 / 72

    def _draw_inset(self, ext: tuple[float, float, float, float]) -> None:
        """Locator inset in the lower-right corner of the map (the panel keeps the numbers)."""
        d = self.disp
        m = self.map_rect
        w = m[2] * 0.22
        h = w * _box_aspect(self.fig, (0, 0, 1, 1)) / 1.3  # a 1.3:1 box whatever the figure shape
        x0, x1, y0, y1 = ext
        fx, fy = (w + 0.006) / m[2], (h + 0.012) / m[3]  # inset size as a fraction of the map box
        corners = {  # lower right, else upper left: whichever hides less territory (any date)
            (m[0] + m[2] - w - 0.006, m[1] + 0.012): shapely.box(x1 - fx * (x1 - x0), y0, x1, y0 + fy * (y1 - y0)),
            (m[0] + 0.006, m[1] + m[3] - h - 0.012): shapely.box(x0, y1 - fy * (y1 - y0), x0 + fx * (x1 - x0), y1),
        }
        hidden = {k: float(shapely.area(shapely.intersection(d.geoms, box)).sum()) for k, box in corners.items()}
        corner = min(hidden, key=lambda k: hidden[k] * (1.0 if k == next(iter(corners)) else 1.5))
        rect = (*corner, w, h)
        ax = self.fig.add_axes(rect)
        iext = _fit(d.inset_extent, _box_aspect(self.fig, rect))
        ax.set_xlim(iext[0], iext[1])
        ax.set_ylim(iext[2], iext[3])
        ax.set_aspect("equal", adjustable="box")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_facecolor(SEA)
        for sp in ax.spines.values():
            sp.set_edgecolor("#9a9a9a")
            sp.set_linewidth(0.6)
        land = self._collection(d.inset_base, facecolor="#e2ded6", edgecolor="white", linewidth=0.3 * self.s)
        if land is not None:
            ax.add_collection(land, autolim=False)
        ax.add_patch(Rectangle((ext[0], ext[2]), ext[1] - ext[0], ext[3] - ext[2], facecolor=to_rgba(ALERT, 0.12),
                               edgecolor=ALERT, linewidth=1.1 * self.s, zorder=5))
        self.inset_ax = ax

    # ---- per-day parts ------------------------------------------------
    def _add(self, *arts: object) -> None:
        for art in arts:
            art.set_animated(self.blit)
            self._dynamic.append(art)

    def _clear(self) -> None:
        for art in self._dynamic:
            art.remove()
        self._dynamic = []

    def _territory(self, day: object) -> None:
        d = self.disp
        idx = d.active(day)
        snaps = d.snapshots.iloc[idx]
        colors = self.ds.colors
        for status in STATUSES:
            sel = idx[(snaps["status"] == status).to_numpy()]
            if not len(sel):
                continue
            by_actor: dict[str, list] = {}
            for i in sel:
                path = d.path(int(i))
                if path is not None:
                    by_actor.setdefault(str(d.snapshots.at[int(i), "actor"]), []).append(path)
            for actor, paths in by_actor.items():
                coll = PathCollection(paths, zorder=3 + STATUSES.index(status), **self._patch_style(
                    colors.get(actor, "#777777"), status))
                self._add(self.ax.add_collection(coll, autolim=False))

    def _patch_style(self, color: str, status: str) -> dict:
        """Matplotlib face/edge for an actor's status layer, from the one style table."""
        st = status_style(status)
        kw = {"facecolor": to_rgba(color, st.fill_opacity) if st.fill_opacity > 0 else "none",
              "edgecolor": to_rgba(color, st.line_opacity), "linewidth": st.weight * 0.5 * self.s}
        if status == "contested":
            kw["hatch"] = "////"
        if st.dash:
            on, off = (float(v) for v in st.dash.split()[:2])
            kw["linestyle"] = (0, (on / 2, off / 2))
        return kw

    def _swatch(self, x: float, y: float, w: float, h: float, color: str, status: str) -> list:
        """A legend swatch: the map's fill over the map's land, so it shows the map's colour."""
        P = self.panel
        under = Rectangle((x, y), w, h, facecolor=LAND, edgecolor="none", transform=P.transAxes)
        over = Rectangle((x, y), w, h, transform=P.transAxes, **self._patch_style(color, status))
        P.add_patch(under)
        P.add_patch(over)
        return [under, over]

    def _legend(self, day: object, areas, reserve: float = 0.0) -> float:
        """Actor rows with km² on ``day`` and a status key; returns the y below them.

        ``reserve`` (panel fraction) is kept free below for the key numbers. When not every
        actor fits above it, the rows are the focus actor and then the largest holders on
        ``day``, and one last line counts the rest with their km² together: a legend never
        runs off the figure or over the footer.
        """
        P, s, ds = self.panel, self.s, self.ds
        panel_h_pt = self.panel_rect[3] * self.fig.get_size_inches()[1] * 72
        row = self._pt(14.5) / panel_h_pt
        panel_w_pt = self.panel_rect[2] * self.fig.get_size_inches()[0] * 72
        self._name_room = panel_w_pt * 0.92 - self._width_pt("000,000 km²", self._pt(7.5), bold=True) - 6 * s
        y = 0.995
        t = P.text(0, y, f"Area held on {iso(day)}", fontsize=self._pt(8), fontweight="bold", color=INK, va="top")
        self._add(t)
        y -= row * 1.15
        present = {a for a, _ in areas}
        shown = [a for a in self.actors if a in present or self.fixed_legend] or sorted(present)
        statuses = [st for st in STATUSES if st in set(self.disp.snapshots["status"])]
        floor = reserve + (row * 1.1 if statuses not in ([], ["controlled"]) else 0.0)
        # Not all can fit, even on one line each: the largest first (an animation keeps one order throughout).
        if len(shown) > 1 and y - len(shown) * row * 0.9 < floor and not self.fixed_legend:
            shown = shown[:1] + sorted(shown[1:], key=lambda a: -actor_km2(areas, a))
        rest: list[str] = []
        for k, actor in enumerate(shown):
            held = actor_km2(areas, actor)
            extra = [f"{actor_km2(areas, actor, st):,.0f} {st}" for st in ("contested", "claimed")
                     if actor_km2(areas, actor, st) > 0]
            shown_name = f"{_short(actor, 50)} (partial)" if actor in ds.partial else _short(actor, 60)
            name = self._fit_lines(shown_name, self._pt(7.5), self._name_room, 2)
            height = row * (0.9 + 0.62 * (len(name) > 1) + 0.55 * bool(extra))
            if k and y - height - (row * 0.9 if k < len(shown) - 1 else 0.0) < floor:  # this row, then "more"
                rest = shown[k:]
                break
            c = ds.colors.get(actor, "#777777")
            sw = self._swatch(0, y - row * 0.62, 0.055, row * 0.5, c, "controlled")
            t1 = P.text(0.08, y - row * 0.37, name[0], fontsize=self._pt(7.5), color=INK, va="center")
            if len(name) > 1:
                y -= row * 0.62
                self._add(P.text(0.08, y - row * 0.37, name[1], fontsize=self._pt(7.5), color=INK, va="center"))
            t2 = P.text(1.0, y - row * 0.37, f"{held:,.0f} km²" if actor in present else "—",
                        fontsize=self._pt(7.5), color=INK, va="center", ha="right", fontweight="bold")
            self._add(*sw, t1, t2)
            y -= row * 0.78
            if extra:
                t3 = P.text(0.08, y - row * 0.25, "+ " + ", ".join(extra) + " km²", fontsize=self._pt(6.2),
                            color=MUTED, va="center")
                self._add(t3)
                y -= row * 0.55
            y -= row * 0.12
        if rest:
            together = sum(actor_km2(areas, a) for a in rest)
            t = P.text(0.08, y - row * 0.37, f"+ {len(rest)} more actors: {together:,.0f} km²",
                       fontsize=self._pt(6.8), color=MUTED, va="center")
            self._add(t)
            y -= row * 0.9
        if not shown:
            t = P.text(0, y - row * 0.4, "nothing held on this date", fontsize=self._pt(7), color=MUTED, va="center")
            self._add(t)
            y -= row
        return self._status_key(y - row * 0.2, row)

    def _status_key(self, y: float, row: float) -> float:
        P = self.panel
        statuses = [st for st in STATUSES if st in set(self.disp.snapshots["status"])]
        if len(statuses) <= 1 and statuses in ([], ["controlled"]):
            return y
        x = 0.0
        for st in statuses:
            sw = self._swatch(x, y - row * 0.62, 0.055, row * 0.5, "#6b6b6b", st)
            t = P.text(x + 0.07, y - row * 0.37, st, fontsize=self._pt(6.5), color=MUTED, va="center")
            self._add(*sw, t)
            x += 0.34
        return y - row * 0.9

    def _key_numbers_height(self, day: object, areas, since: object) -> float:
        """Panel fraction the key numbers take (0 when there are none), with the gap above them."""
        kn = self.keys.on(day, areas, since)
        if not kn.actor:
            return 0.0
        panel_h_pt = self.panel_rect[3] * self.fig.get_size_inches()[1] * 72
        lines = len(kn.lines())
        return 0.03 + 0.01 + (self._pt(13) + lines * self._pt(6.8) * 1.45 + self._pt(4)) / panel_h_pt

    def _key_numbers(self, day: object, areas, since: object, y: float) -> None:
        P = self.panel
        kn = self.keys.on(day, areas, since)
        if not kn.actor:
            return
        lines = kn.lines()
        head = P.text(0.0, y - 0.01, _short(kn.actor, 34), fontsize=self._pt(7.5), fontweight="bold", color=INK,
                      va="top", ha="left")
        body = P.text(0.0, y - 0.01 - self._pt(13) / (self.panel_rect[3] * self.fig.get_size_inches()[1] * 72),
                      "\n".join(lines), fontsize=self._pt(6.8), color=INK, va="top", ha="left", linespacing=1.45)
        line = P.axhline(y + 0.012, xmin=0, xmax=1, color="#c8c8c8", linewidth=0.7 * self.s)
        self._add(head, body, line)

    def show(self, day: object, since: object = None) -> MapFigure:
        """Draw the state on ``day`` (replacing the previous day's territory and texts)."""
        d = to_day(day)
        self._clear()
        areas = self.keys.areas.on(d)
        self._territory(d)
        self.subtitle.set_text(f"Territorial control as of {long_date(d)}")
        y = self._legend(d, areas, self._key_numbers_height(d, areas, since))
        self._key_numbers(d, areas, since, y - 0.03)
        return self

    def freeze_background(self, canvas: object) -> None:
        """Render everything static once and keep the pixels (blitting)."""
        for art in [*self._overlay, self.subtitle]:
            art.set_animated(True)
        self._clear()
        canvas.draw()
        self._background = canvas.copy_from_bbox(self.fig.bbox)

    def draw_frame(self, canvas: object) -> None:
        """Restore the background, then draw territory, the overlay and the texts."""
        canvas.restore_region(self._background)
        territory = [a for a in self._dynamic if a.axes is self.ax]
        rest = [a for a in self._dynamic if a.axes is not self.ax]
        for art in [*territory, *self._overlay, self.subtitle, *rest]:
            self.fig.draw_artist(art)


def save_map(analysis: Analysis, day: object, out: str | Path, fmt: str | None = None, *,
             width: int = DEFAULT_SIZE[0], height: int = DEFAULT_SIZE[1], dpi: int = DEFAULT_DPI,
             since: object = None, focus: str | None = None, denominator_index: int = 0) -> Path:
    """Write the report map for ``day`` as PNG, SVG or PDF (text kept as text).

    ``focus`` is whose key numbers the map gives (default the dataset's focus actor);
    ``denominator_index`` picks the share's denominator from ``analysis.denominators()``.
    """
    import matplotlib as mpl

    out = Path(out)
    fmt = (fmt or out.suffix.lstrip(".") or "png").lower()
    if fmt not in ("png", "svg", "pdf"):
        raise ValueError(f"map format must be png, svg or pdf, not {fmt!r}")
    if width < 200 or height < 150 or dpi < 30:
        raise ValueError("map size must be at least 200 x 150 px at 30 dpi")
    fonts.quiet()
    with mpl.rc_context(RC):
        mf = MapFigure(analysis, size=(width, height), dpi=dpi, focus=focus,
                       denominator_index=denominator_index).show(day, since)
        meta = {"Title": f"{analysis.dataset.title} — {iso(day)}"} if fmt in ("pdf", "svg") else {}
        with atomicfile.replacing(out) as tmp:  # a killed export leaves no half image under the name
            mf.fig.savefig(tmp, format=fmt, dpi=dpi, metadata=meta or None)
    return out
