"""No network and no other files from data: GDAL and PROJ never fetch what a file points at.

Three locks, each enough for the attacks known today:

1. **One reader per format.** Only the GDAL drivers in :data:`ALLOWED_DRIVERS` exist in the
   process: ``territory/__init__.py`` puts every other vector driver GDAL 3.12 has in
   ``GDAL_SKIP`` before pyogrio can register it, and :func:`configure` unloads any still
   registered (a process that imported pyogrio first, or a newer GDAL's new driver), found
   by asking GDAL, not from a list. If that fails, :func:`check_drivers` refuses every read
   (fail closed) with the ``GDAL_SKIP`` that fixes it. So no content can select a driver that
   names another file, a URL, a database or a program (OGR VRT, GDALG, WFS, OAPIF, CSV, SQLite,
   ...): :mod:`territory.io.readers` also checks each file's first bytes against its suffix and
   opens GeoJSON and GeoPackage with the ``DRIVER:path`` prefix.
2. **The one allowed reader that follows links is fed nothing to follow.** A GeoJSON ``crs``
   member of type ``link`` makes GDAL fetch its URL, and a ``name`` may be a URL or a path; GDAL
   finds the key whatever its case or escapes (``"CRS"``, ``"\\u0063rs"``). :func:`check_json_crs`
   finds every such key the same way and refuses the file before GDAL opens it.
3. **Every request GDAL might still make fails at once.** GDAL 3.12 has no switch that turns its
   HTTP client off, so :data:`GDAL_OPTIONS` sends HTTP(S) to a closed local port, allows
   ``/vsicurl/`` no file name, forbids GeoPackage SQL functions that open other files
   (``OGR_SQLITE_ALLOW_EXTERNAL_ACCESS``), and PROJ's network is off. A ``no_proxy`` entry
   bypasses the proxy, which is why locks 1 and 2 come first; ``tests/unit/test_security_input.py``
   reads the whole hostile corpus with a local listener as the target and asserts it got no
   connection.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from territory.report import Report

#: The GDAL drivers Territory reads (and writes) with; every other one is unloaded.
ALLOWED_DRIVERS = frozenset({"GeoJSON", "GPKG", "ESRI Shapefile", "FlatGeobuf", "LIBKML", "KML"})

#: GDAL configuration applied to every read.
GDAL_OPTIONS: dict[str, str] = {
    # Any HTTP(S) request GDAL would make goes to a port nothing listens on, fails at once.
    "GDAL_HTTP_PROXY": "127.0.0.1:9",
    "GDAL_HTTPS_PROXY": "127.0.0.1:9",
    "GDAL_HTTP_TIMEOUT": "1",
    "GDAL_HTTP_CONNECTTIMEOUT": "1",
    "GDAL_HTTP_MAX_RETRY": "0",
    # /vsicurl/ would only open files with this (impossible) extension or name.
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".territory-no-network",
    "CPL_VSIL_CURL_ALLOWED_FILENAME": "/territory-no-network",
    # Do not list the folder a file sits in (upload temp folders, server folders).
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
    # PROJ grids and databases from the network: off.
    "PROJ_NETWORK": "OFF",
    # Shapefile .prj / GML srsName may not fetch remote definitions.
    "GML_SKIP_RESOLVE_ELEMS": "ALL",
    # A GeoPackage view may not call gdal_get_pixel_value() & co. on files named in its SQL.
    "OGR_SQLITE_ALLOW_EXTERNAL_ACCESS": "NO",
    # KML styles are never fetched from a styleUrl.
    "LIBKML_RESOLVE_STYLE": "NO",
    "LIBKML_EXTERNAL_STYLE": "NO",
}

_CONFIGURED = False
#: Why drivers outside :data:`ALLOWED_DRIVERS` could not be unloaded (set by :func:`configure`).
_UNLOAD_FAILURE = ""
_DRIVERS_OK = False


def unsafe_drivers() -> list[str]:
    """GDAL drivers registered in this process that are not in :data:`ALLOWED_DRIVERS` (none, normally).

    Measured from GDAL itself, not from a typed list: a newer GDAL's new driver counts too.
    """
    import pyogrio

    return sorted(set(pyogrio.list_drivers()) - ALLOWED_DRIVERS)


def _reregister() -> str:
    """Register GDAL's drivers again, which unloads those ``GDAL_SKIP`` names; '' or why it could not.

    pyogrio has no public call for this: its private ``_ogr._register_drivers`` (GDALAllRegister)
    is used when present. If a pyogrio release moves it, the drivers stay loaded and
    :func:`check_drivers` refuses every read instead.
    """
    try:
        from pyogrio import _ogr

        register = _ogr._register_drivers
    except (ImportError, AttributeError):
        import pyogrio

        return f"pyogrio {pyogrio.__version__} has no pyogrio._ogr._register_drivers to unload them with"
    try:
        register()
    except Exception as exc:  # a private function whose signature or behaviour changed: refuse, never crash
        return f"pyogrio's _ogr._register_drivers failed ({type(exc).__name__}: {exc})"
    return ""


def configure() -> None:
    """Unload every driver not allowed, apply :data:`GDAL_OPTIONS`, turn PROJ's network off (idempotent)."""
    global _CONFIGURED, _UNLOAD_FAILURE
    if _CONFIGURED:
        return
    import pyogrio
    import pyproj.network

    extra = unsafe_drivers()  # pyogrio imported before territory, or a GDAL with drivers GDAL_SKIP_DRIVERS lacks
    given = os.environ.get("GDAL_SKIP", "")
    skip = [d.strip() for d in given.split("," if "," in given else " ") if d.strip()]
    # GDAL_SKIP as a config option overrides the environment and is read again whenever the drivers are
    # (re-)registered: it must hold every driver skipped so far, or re-registering would bring them back.
    pyogrio.set_gdal_config_options({**GDAL_OPTIONS, "GDAL_SKIP": ",".join(dict.fromkeys(skip + extra))})
    _UNLOAD_FAILURE = _reregister() if extra else ""
    pyproj.network.set_network_enabled(False)
    _CONFIGURED = True


def check_drivers(name: str, report: Report) -> bool:
    """Fail closed: refuse to read ``name`` while a GDAL driver outside the allow-list is loaded.

    Every GDAL read of data calls this first, so the one-reader-per-format lock cannot lapse
    silently when a GDAL or pyogrio upgrade brings a driver or moves what unloads them.
    """
    global _DRIVERS_OK
    if _DRIVERS_OK:
        return True
    configure()
    extra = unsafe_drivers()
    if not extra:
        _DRIVERS_OK = True  # the set only grows by registering again, which GDAL_SKIP (config) keeps safe
        return True
    import pyogrio

    why = f"{_UNLOAD_FAILURE}; " if _UNLOAD_FAILURE else ""
    report.error(f"not read: GDAL {pyogrio.__gdal_version_string__} has drivers loaded that Territory does not "
                 f"read and could not unload ({', '.join(extra[:8])}{', ...' if len(extra) > 8 else ''}): "
                 f"{why}they could open other files or URLs named in data",
                 file=name, code="gdal-unsafe",
                 hint=f'start Territory with GDAL_SKIP="{",".join(extra)}" in the environment (GDAL then never '
                      "loads them), or install the pyogrio version in uv.lock")
    return False


#: A JSON key that GDAL reads as ``crs``: any letter case, any letter written as a \\u escape.
_CRS_KEY = re.compile(rb'"(?:[cC]|\\u00[46]3)(?:[rR]|\\u00[57]2)(?:[sS]|\\u00[57]3)"[ \t\r\n]*:[ \t\r\n]*')
_CHUNK = 4 * 1024 * 1024
_WINDOW = 8192
#: CRS names that are identifiers GDAL resolves from its own database, never fetched.
_SAFE_CRS_URL = re.compile(r"^https?://www\.opengis\.net/def/crs/[A-Za-z0-9_./-]+$")


def looks_like_json(path: Path) -> bool:
    """Whether a file starts (after a BOM and blanks) like JSON: GDAL would read it as GeoJSON."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(256)
    except OSError:
        return False
    return head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")


def _strings(obj: object) -> list[str]:
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [s for v in obj.values() for s in _strings(v)]
    if isinstance(obj, list):
        return [s for v in obj for s in _strings(v)]
    return []


def _get(obj: dict, key: str) -> object:
    """``obj[key]`` with the key matched in any letter case, as GDAL matches GeoJSON members."""
    return next((v for k, v in obj.items() if isinstance(k, str) and k.casefold() == key), None)


def crs_problem(member: object) -> str | None:
    """Why a GeoJSON ``crs`` member would make a reader follow a link or read a file, or None."""
    if isinstance(member, dict) and str(_get(member, "type") or "").strip().casefold() == "link":
        props = _get(member, "properties")
        href = str(_get(props, "href") or "") if isinstance(props, dict) else ""
        return f"a 'link' CRS ({href[:120] or 'no href'})"
    for text in _strings(member):
        t = text.strip()
        if "://" in t and not _SAFE_CRS_URL.match(t):
            return f"a CRS given as a URL ({t[:120]})"
        if t.startswith(("/", "\\", "./", "../", "~")) or t.casefold().startswith(("file:", "/vsi")):
            return f"a CRS given as a file path ({t[:120]})"
    return None


def _chunks(path: Path):
    """(chunk, is_last) pairs of a file read in :data:`_CHUNK` pieces."""
    with open(path, "rb") as fh:
        chunk = fh.read(_CHUNK)
        while chunk:
            following = fh.read(_CHUNK)
            yield chunk, not following
            chunk = following


def _crs_value_problem(buf: bytes, match: re.Match, last: bool) -> str | bool | None:
    """The problem of the value after one ``crs`` key; False if it is cut by the chunk's end."""
    if match.end() - match.start() > _WINDOW:
        return "a 'crs' member too large to be a CRS"  # blanks padding the value past the scan
    window = buf[match.end():match.end() + _WINDOW]
    try:
        value, _ = json.JSONDecoder().raw_decode(window.decode("utf-8", errors="replace"))
    except ValueError:
        if not last and len(buf) - match.end() < _WINDOW:
            return False  # cut by the chunk's end: looked at again with the next chunk
        if len(window) >= _WINDOW:
            return "a 'crs' member too large to be a CRS"
        return "a 'crs' member that is not valid JSON (it cannot be checked)"
    return crs_problem(value)


def check_json_crs(path: Path, name: str, report: Report) -> bool:
    """Refuse a JSON file whose ``crs`` member links to a URL or a path; True if it may be read.

    Finds the key as GDAL does (any letter case, letters escaped as ``\\u0063``, blanks before the
    value) at any depth, in one streamed pass: a large file costs no parse.
    """
    tail = b""
    for chunk, last in _chunks(path):
        buf = tail + chunk
        keep_from = max(0, len(buf) - _WINDOW)
        for match in _CRS_KEY.finditer(buf):
            problem = _crs_value_problem(buf, match, last)
            if problem is False:
                keep_from = min(keep_from, match.start())
                continue
            if problem:
                report.error(
                    f"the file's 'crs' member is {problem}: Territory never follows links or paths "
                    "found in data",
                    file=name, field="crs", code="crs-link",
                    hint="remove the 'crs' member (GeoJSON is lon/lat WGS84 by definition) or name the CRS, "
                         'e.g. "crs": {"type": "name", "properties": {"name": "EPSG:32637"}}',
                )
                return False
        tail = buf[keep_from:]
    return True
