"""KML safety: refuse XML with DTDs or entity declarations before any parser sees it.

Entity expansion ("billion laughs") and external entities are the classic
attacks on XML readers; KML never needs a DTD, so any is refused, never expanded.
"""

from __future__ import annotations

import io
import re

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from territory.report import Report

_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


def _root(data: bytes):
    """The root element, checking the whole document is well-formed in constant memory.

    A DOM of a large KML costs several times its size (0.9 MB of KMZ once took 4.75 GB);
    parsing iteratively and dropping each element as it ends keeps only the root.
    """
    root = None
    for event, elem in SafeET.iterparse(io.BytesIO(data), events=("start", "end"), forbid_dtd=True,
                                        forbid_entities=True, forbid_external=True):
        if root is None:
            root = elem
        elif event == "end":
            elem.clear()
    if root is None:
        raise SafeET.ParseError("no element found")
    return root


def check_kml(data: bytes, name: str, report: Report) -> bool:
    """True if ``data`` is well-formed XML with no DTD; else report and return False."""
    if _DOCTYPE.search(data[:1 << 20]) or _DOCTYPE.search(data):
        report.error(
            "KML contains a DOCTYPE or entity declaration; it is refused, never expanded",
            file=name, code="kml-entity",
            hint="remove the <!DOCTYPE>/<!ENTITY> lines; plain KML as Google My Maps exports it has none",
        )
        return False
    try:
        root = _root(data)
    except DefusedXmlException:
        report.error("KML uses forbidden XML features (DTD or entities)", file=name, code="kml-entity",
                     hint="remove the <!DOCTYPE>/<!ENTITY> lines")
        return False
    except SafeET.ParseError as exc:
        report.error(f"KML is not well-formed XML ({exc})", file=name, code="kml-malformed",
                     hint="the file may be truncated; export it again")
        return False
    if not root.tag.lower().endswith("kml"):
        report.error(f"XML root element is <{root.tag}>, not <kml>", file=name, code="kml-not-kml",
                     hint="export the layer as KML or KMZ")
        return False
    return True
