"""No network from data: GDAL and PROJ never fetch what a file points at.

A GeoJSON file's legacy ``crs`` member of type ``link`` makes GDAL's GeoJSON
driver fetch the URL (whatever the file's suffix: GDAL picks the driver by
content), and a ``name`` CRS may be a URL or a path. Such files are refused
before GDAL opens them (:func:`check_json_crs`), because the CRS they mean
cannot be known without following the link. As a second line,
:func:`configure` points GDAL's HTTP client at a closed local port, turns PROJ's
network off and stops GDAL listing sibling files; it runs when
:mod:`territory.io.readers` is imported, so every read in the process has it.

GDAL has no switch that turns its HTTP client off: the proxy setting is the
closest (a ``no_proxy`` environment variable naming the host bypasses it,
which is why the refusal above is the primary defence).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from territory.report import Report

#: GDAL configuration applied to every read.
GDAL_OPTIONS: dict[str, str] = {
    # Any HTTP(S) request GDAL would make goes to a port nothing listens on, fails at once.
    "GDAL_HTTP_PROXY": "127.0.0.1:9",
    "GDAL_HTTPS_PROXY": "127.0.0.1:9",
    "GDAL_HTTP_TIMEOUT": "1",
    "GDAL_HTTP_CONNECTTIMEOUT": "1",
    "GDAL_HTTP_MAX_RETRY": "0",
    # /vsicurl/ would only open files with this (impossible) extension.
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".territory-no-network",
    # Do not list the folder a file sits in (upload temp folders, server folders).
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
    # PROJ grids and databases from the network: off.
    "PROJ_NETWORK": "OFF",
    # Shapefile .prj / GML srsName may not fetch remote definitions.
    "GML_SKIP_RESOLVE_ELEMS": "ALL",
}

_CONFIGURED = False


def configure() -> None:
    """Apply :data:`GDAL_OPTIONS` and turn PROJ's network off (idempotent)."""
    global _CONFIGURED
    if _CONFIGURED:
        return
    import pyogrio
    import pyproj.network

    pyogrio.set_gdal_config_options(GDAL_OPTIONS)
    pyproj.network.set_network_enabled(False)
    _CONFIGURED = True


_CRS_KEY = re.compile(rb'"crs"\s*:\s*\{')
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


def _object_at(buf: bytes, start: int) -> bytes | None:
    """The JSON object starting at ``buf[start] == '{'`` (strings respected), or None if cut."""
    depth, in_str, esc = 0, False, False
    for i in range(start, min(len(buf), start + _WINDOW)):
        ch = buf[i]
        if in_str:
            if esc:
                esc = False
            elif ch == 0x5C:  # backslash
                esc = True
            elif ch == 0x22:
                in_str = False
        elif ch == 0x22:
            in_str = True
        elif ch == 0x7B:
            depth += 1
        elif ch == 0x7D:
            depth -= 1
            if depth == 0:
                return buf[start:i + 1]
    return None


def _strings(obj: object) -> list[str]:
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [s for v in obj.values() for s in _strings(v)]
    if isinstance(obj, list):
        return [s for v in obj for s in _strings(v)]
    return []


def crs_problem(member: object) -> str | None:
    """Why a GeoJSON ``crs`` member would make a reader follow a link or read a file, or None."""
    if not isinstance(member, dict):
        return None
    if str(member.get("type", "")).strip().casefold() == "link":
        href = ""
        props = member.get("properties")
        if isinstance(props, dict):
            href = str(props.get("href", ""))
        return f"a 'link' CRS ({href[:120] or 'no href'})"
    for text in _strings(member):
        t = text.strip()
        if "://" in t and not _SAFE_CRS_URL.match(t):
            return f"a CRS given as a URL ({t[:120]})"
        if t.startswith(("/", "\\", "./", "../", "~")) or t.casefold().startswith("file:"):
            return f"a CRS given as a file path ({t[:120]})"
    return None


def check_json_crs(path: Path, name: str, report: Report) -> bool:
    """Refuse a JSON file whose ``crs`` member links to a URL or a path; True if it may be read.

    Streams the file in chunks, so a large file costs one pass and no parse.
    """
    tail = b""
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(_CHUNK)
            if not chunk:
                break
            buf = tail + chunk
            if b'"crs"' not in buf:  # the common case: one fast scan, no regex
                tail = buf[-min(len(buf), _WINDOW):]
                continue
            for match in _CRS_KEY.finditer(buf):
                brace = match.end() - 1
                text = _object_at(buf, brace)
                if text is None:
                    if len(buf) - brace < _WINDOW and chunk:
                        continue  # cut at the chunk's end: seen again with the next chunk
                    problem = "a 'crs' member too large to be a CRS"
                else:
                    try:
                        problem = crs_problem(json.loads(text))
                    except (ValueError, UnicodeDecodeError):
                        problem = None  # not valid JSON: the reader will say so
                if problem:
                    report.error(
                        f"the file's 'crs' member is {problem}: Territory never follows links or paths "
                        "found in data",
                        file=name, field="crs", code="crs-link",
                        hint="remove the 'crs' member (GeoJSON is lon/lat WGS84 by definition) or name the CRS, "
                             'e.g. "crs": {"type": "name", "properties": {"name": "EPSG:32637"}}',
                    )
                    return False
            keep = min(len(buf), _WINDOW)
            tail = buf[-keep:]
    return True
