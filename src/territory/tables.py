"""Tables out: CSV and JSON that are safe to open in a spreadsheet.

Text cells starting with ``=``, ``+``, ``-`` or ``@`` (and tab/CR) are
prefixed with an apostrophe so a spreadsheet shows them instead of running
them as formulas (CSV injection, as OWASP advises). Numbers are left as
numbers: a numeric column is never touched, and text that is a plain number
(``-12.5``) runs nothing. Every CSV Territory writes goes through
:func:`to_csv`, which also quotes any cell holding a line break, a lone
carriage return included (pandas and the csv module leave ``"a\rb"``
unquoted, and a reader then splits the row in two).
"""

from __future__ import annotations

import csv
import io
import json
import re

import numpy as np
import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def neutralise(value: object) -> object:
    """``value`` with an apostrophe in front if a spreadsheet would run it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def tidy(frame: pd.DataFrame, decimals: int = 6, safe: bool = True) -> pd.DataFrame:
    """Dates as YYYY-MM-DD, floats rounded, text neutralised for spreadsheets if ``safe``."""
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_datetime64_any_dtype(s):
            out[col] = s.dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_float_dtype(s):
            out[col] = s.round(decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
        elif s.dtype == object or pd.api.types.is_string_dtype(s):
            fix = neutralise if safe else (lambda v: v)
            out[col] = s.map(lambda v, fix=fix: v.date().isoformat() if isinstance(v, pd.Timestamp) else fix(v))
    return out


def _has_lone_cr(frame: pd.DataFrame) -> bool:
    """Whether a text cell (or a column name) holds a CR that the minimal quoting would leave bare."""
    if any("\r" in str(c) for c in frame.columns):
        return True
    for col in frame.columns:
        s = frame[col]
        text = s.dtype == object or pd.api.types.is_string_dtype(s)
        if text and s.map(lambda v: isinstance(v, str) and "\r" in v).any():
            return True
    return False


def to_csv(frame: pd.DataFrame, safe: bool = True) -> str:
    """The table as CSV (one row per line, ``\n``): the one CSV writer.

    ``safe`` neutralises formula-like text for spreadsheets; a data file that
    Territory itself reads back (``db export``) passes ``safe=False`` to keep its
    text exact, and still gets every line break quoted.
    """
    out = tidy(frame, safe=safe)
    buf = io.StringIO()
    # A cell with a lone CR is not quoted by QUOTE_MINIMAL: quote every text cell then (numbers stay bare).
    quoting = csv.QUOTE_NONNUMERIC if _has_lone_cr(out) else csv.QUOTE_MINIMAL
    out.to_csv(buf, index=False, lineterminator="\n", quoting=quoting)
    return buf.getvalue()


def to_json(frame: pd.DataFrame) -> str:
    out = tidy(frame, safe=False)
    records = out.replace({np.nan: None, np.inf: None, -np.inf: None}).to_dict(orient="records")
    return json.dumps(records, ensure_ascii=False, indent=1, default=str, allow_nan=False) + "\n"


def render(frame: pd.DataFrame, fmt: str) -> str:
    if fmt == "json":
        return to_json(frame)
    if fmt == "csv":
        return to_csv(frame)
    raise ValueError(f"unknown table format {fmt!r}: use csv or json")
