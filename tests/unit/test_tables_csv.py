"""CSV a spreadsheet cannot run: every cell with a line break is quoted, formula starts are neutralised."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

from territory.tables import neutralise, to_csv
from tests.cli_run import run_cli

FORMULA = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = ["q\r@SUM(1+1)*cmd|x", "a\nb", "=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\r=x", "plain", "-", None]


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def _no_formula(cells: list[str], numbers: set[str] = frozenset()) -> None:
    bad = [c for c in cells if c.startswith(FORMULA) and c not in numbers]
    assert not bad, bad


def test_lone_cr_and_formulas_round_trip_as_one_row_each() -> None:
    frame = pd.DataFrame({"text": HOSTILE, "km2": [-12.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, None]})
    text = to_csv(frame)
    rows = _rows(text)
    assert len(rows) == 1 + len(HOSTILE)  # the lone CR no longer splits a row
    assert rows[1][0] == "q\r@SUM(1+1)*cmd|x" and rows[2][0] == "a\nb"
    _no_formula([c for r in rows for c in r], numbers={"-12.5"})
    assert [r[0] for r in rows[3:10]] == ["'=1+1", "'+cmd", "'-2+3", "'@SUM(A1)", "'\tx", "'\r=x", "plain"]
    assert rows[10][0] == "'-"
    back = pd.read_csv(io.StringIO(text))
    assert back["km2"].iloc[0] == -12.5 and pd.api.types.is_float_dtype(back["km2"])  # a number stays a number


def test_ordinary_tables_keep_minimal_quoting() -> None:
    frame = pd.DataFrame({"actor": ["A", "B, C"], "km2": [-1.5, 2.0]})
    assert to_csv(frame) == 'actor,km2\nA,-1.5\n"B, C",2.0\n'


def test_text_that_is_a_plain_number_is_left_alone() -> None:
    assert neutralise("-12.5") == "-12.5" and neutralise("+3e5") == "+3e5"
    assert neutralise("-12.5+1") == "'-12.5+1" and neutralise(-12.5) == -12.5


def test_claims_out_csv_with_a_carriage_return_parses_as_one_row(tmp_path: Path) -> None:
    hist = tmp_path / "h.geojson"
    gpd.GeoDataFrame({"date": ["2022-01-01"], "actor": ["A"]}, geometry=[box(35, 47, 36, 48)],
                     crs=4326).to_file(hist)
    ledger = tmp_path / "claims.csv"
    ledger.write_bytes(b"date,actor,claimant,metric,value,unit,quote,source\n"  # the CR quoted, as in the issue
                       b"2022-01-02,A,=cmd|' /C calc'!A0,area_held,8000,km2,\"q\r@SUM(1+1)*cmd|x\",-evil\n")
    out = tmp_path / "o.csv"
    code, _, err = run_cli("claims", str(hist), str(ledger), "--no-cache", "--out", str(out))
    assert code == 0, err
    rows = _rows(out.read_bytes().decode("utf-8"))
    assert len(rows) == 2, rows
    head, row = rows
    cell = dict(zip(head, row, strict=True))
    assert cell["quote"] == "q\r@SUM(1+1)*cmd|x"
    assert cell["claimant"].startswith("'=") and cell["source"] == "'-evil"
    _no_formula(row, numbers={c for c in row if c.lstrip("-").replace(".", "", 1).isdigit()})
