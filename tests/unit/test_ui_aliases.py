"""The Data page's alias table: uploaded CSV plus typed rows; bad tables are problems, never tracebacks."""

from __future__ import annotations

import pandas as pd

from territory.ui.aliases import MAX_ALIAS_BYTES, alias_rows


def test_typed_rows_add_to_and_override_the_upload():
    edited = pd.DataFrame({"alias": ["occ", "grey", "", None], "name": ["Occupied forces", "contested", "x", "y"]})
    rows, problems = alias_rows("a.csv", "\ufeffalias,name\nocc,Occupied\nOKK, Occupied \n".encode(), edited)
    assert not problems
    assert rows == {"occ": "Occupied forces", "OKK": "Occupied", "grey": "contested"}


def test_bad_tables_are_reported():
    assert alias_rows("a.csv", b"from,to\nx,y\n", None)[1][0].endswith("needs the columns alias and name (one row per spelling)")
    assert "not a UTF-8 CSV" in alias_rows("a.csv", b"alias,name\n\xff\xfe,x\n", None)[1][0]
    assert "larger than" in alias_rows("a.csv", b"a" * (MAX_ALIAS_BYTES + 1), None)[1][0]
    assert alias_rows(None, None, None) == ({}, [])
