"""The Data page's alias table: an uploaded ``alias,name`` CSV plus rows typed in an editor."""

from __future__ import annotations

import csv
import io

import pandas as pd

#: Largest alias table read from an upload (a table of names, never more).
MAX_ALIAS_BYTES = 1024 * 1024


def alias_rows(name: str | None, data: bytes | None, edited: pd.DataFrame | None) -> tuple[dict[str, str], list[str]]:
    """alias -> name from the uploaded CSV ``data``, then the editor's rows (which win); and what is wrong.

    Blank aliases or names are dropped; a file that is too big, not UTF-8 or
    lacks the ``alias`` and ``name`` columns is a problem, never a traceback.
    """
    rows: dict[str, str] = {}
    problems: list[str] = []
    if data is not None:
        if len(data) > MAX_ALIAS_BYTES:
            problems.append(f"{name} is larger than {MAX_ALIAS_BYTES // 1024} KiB; an alias table is a short list")
        else:
            try:
                table = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
            except (UnicodeDecodeError, csv.Error) as exc:
                problems.append(f"{name} is not a UTF-8 CSV ({type(exc).__name__})")
            else:
                if table and {"alias", "name"} <= set(table[0]):
                    rows.update({str(r["alias"] or "").strip(): str(r["name"] or "").strip() for r in table})
                else:
                    problems.append(f"{name} needs the columns alias and name (one row per spelling)")
    if edited is not None and len(edited):
        for alias, canon in zip(edited["alias"].fillna(""), edited["name"].fillna(""), strict=True):
            rows[str(alias).strip()] = str(canon).strip()
    return {a: n for a, n in rows.items() if a and n}, problems
