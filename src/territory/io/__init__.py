"""Read and write control histories in every common GIS format.

>>> from territory.io import read_history
>>> history, report = read_history("geodata/is_syria_iraq/history.geojson")  # doctest: +SKIP

``read_history`` accepts a file (GeoJSON, GeoPackage, zipped Shapefile,
KML/KMZ, GeoParquet, CSV with WKT) or a folder of dated snapshot files, and
returns the canonical history (see :mod:`territory.model`) and a
:class:`~territory.report.Report`. It raises :class:`~territory.report.LoadError`
(carrying the report) when the input has errors. ``read_history_report`` never
raises: any unexpected failure becomes an error with code ``internal``.

Modules: :mod:`.loading` (load, read_history), :mod:`.folder` (a folder of snapshots),
:mod:`.onefile` (one file's rows), :mod:`.budget` (size and count caps), :mod:`.readers`,
:mod:`.normalise`, :mod:`.write`.
"""

from __future__ import annotations

from territory.io.loading import Loaded, load, read_history, read_history_report
from territory.io.options import LoadOptions
from territory.io.write import write_history

__all__ = ["LoadOptions", "Loaded", "load", "read_history", "read_history_report", "write_history"]
