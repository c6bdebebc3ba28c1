"""Caps on one input (features, parts, vertices, bytes), counted as its files are read."""

from __future__ import annotations

from pathlib import Path

import shapely

from territory.io.options import LoadOptions
from territory.io.readers import RawLayer
from territory.report import Report


class Budget:
    """Caps on one input (features, parts, vertices, bytes), counted as its files are read.

    Counting is linear (shapely counts parts and vertices in C), so a hostile file is
    refused with the cap named before any step whose cost grows faster than its size.
    """

    HINT = ("load fewer files or dates, or simplify the polygons first (e.g. QGIS: Vector > Geometry Tools > "
            "Simplify); the limits are listed in the README")

    def __init__(self, options: LoadOptions, report: Report) -> None:
        self.options, self.report = options, report
        self.used = {"max_input_bytes": 0, "max_features": 0, "max_parts": 0, "max_vertices": 0}

    def _add(self, cap: str, n: int, name: str, what: str) -> bool:
        self.used[cap] += n
        limit = getattr(self.options, cap)
        if self.used[cap] <= limit:
            return True
        self.report.error(f"the input holds more {what} than the limit of {limit:,} ({cap}): "
                          f"{self.used[cap]:,} counted up to this file", file=name, code="too-big",
                          hint=self.HINT)
        return False

    def file(self, path: Path, name: str) -> bool:
        try:
            size = path.stat().st_size
        except OSError:
            return True  # the reader reports it
        return self._add("max_input_bytes", size, name, "bytes")

    def layer(self, raw: RawLayer) -> bool:
        geoms = raw.geometry_values()
        name = raw.name if not raw.layer else f"{raw.name}, layer '{raw.layer}'"
        return (self._add("max_features", len(geoms), name, "features")
                and self._add("max_parts", int(shapely.get_num_geometries(geoms).sum()), name, "polygon parts")
                and self._add("max_vertices", int(shapely.get_num_coordinates(geoms).sum()), name, "vertices"))

    def replay(self, calls: list[tuple[str, int, str, str, int]], sub: Report) -> bool:
        """Count one file read apart (by a :class:`FileBudget`) into this budget, and its report into ours.

        Gives the report a one-by-one read would: if the count goes over a cap at one of the
        file's calls, its problems up to that call are kept, then the cap's error; False then.
        """
        main = self.report
        for cap, n, name, what, pos in calls:
            self.report = Report()
            try:
                ok = self._add(cap, n, name, what)
            finally:
                over, self.report = self.report, main
            if not ok:
                main.problems += sub.problems[:pos] + over.problems
                return False
        main.extend(sub)
        return True


class FileBudget(Budget):
    """One file's budget, read apart from the others (in a worker): each count is recorded for
    :meth:`Budget.replay`, and the caps still stop a file that alone exceeds one."""

    def __init__(self, options: LoadOptions, report: Report) -> None:
        super().__init__(options, report)
        self.calls: list[tuple[str, int, str, str, int]] = []

    def _add(self, cap: str, n: int, name: str, what: str) -> bool:
        self.calls.append((cap, n, name, what, len(self.report.problems)))
        return super()._add(cap, n, name, what)
