"""KML safety: refuse XML with DTDs or entity declarations before any parser sees it.

Entity expansion ("billion laughs") and external entities are the classic
attacks on XML readers; KML never needs a DTD, so any is refused, never expanded.
"""

from __future__ import annotations

import re

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from territory.report import Report

_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


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
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
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
