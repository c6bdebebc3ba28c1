"""One lock for geometry that threads share.

GEOS prepared geometries are not thread-safe (libgeos/geos#825): their indexes are built lazily on
first use, and ``shapely.contains_xy`` prepares a geometry in place. The dashboard serves every
session from a thread of one process and shares measured data between them (a 20-session benchmark
segfaulted the server), so the core methods that use shared prepared geometry hold this lock.
Re-entrant, because those methods call one another.
"""

from __future__ import annotations

import threading

SHARED_GEOMETRY = threading.RLock()
