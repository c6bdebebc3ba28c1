"""Tables out: CSV and JSON that are safe to open in a spreadsheet.

Text cells starting with ``=``, ``+``, ``-`` or ``@`` (and tab/CR) are
prefixed with an apostrophe so a spreadsheet shows them instead of running
them as formulas (CSV injection). Numbers are left as numbers.
"""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_START):
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


def to_csv(frame: pd.DataFrame) -> str:
    buf = io.StringIO()
    tidy(frame).to_csv(buf, index=False, lineterminator="\n")
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
