"""Links from data: only plain http(s) URLs ever become clickable.

A ``source_url`` of ``javascript:alert(1)``, ``data:...``, ``file:///etc/passwd``
or a URL with spaces or control characters is shown as text, never as a link,
on every page, popup, export and report.
"""

from __future__ import annotations

import re

import pandas as pd

_HTTP = re.compile(r"^https?://[^\s\x00-\x1f\x7f<>\"'`\\]+$", re.IGNORECASE)


def safe_url(value: object) -> str | None:
    """``value`` if it is an http(s) URL fit to be a link, else None."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    text = str(value).strip()
    return text if _HTTP.match(text) else None
