"""A ledger far larger than a page can draw: checked in full, the page shows a bounded part and says so."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def test_claims_page_draws_a_bounded_part_of_a_large_ledger(tmp_path, monkeypatch):
    from territory.datasets import bundled_path

    src = bundled_path()
    shutil.copyfile(src / "history.geojson", tmp_path / "history.geojson")
    base = pd.read_csv(src / "claims.csv", dtype=str, keep_default_na=False)
    big = pd.concat([base] * 80, ignore_index=True)  # ~6,500 rows: more than Altair's 5,000-row default
    big["id"] = [f"B{i}" for i in range(len(big))]
    big.to_csv(tmp_path / "claims.csv", index=False)
    (tmp_path / "dataset.json").write_text(json.dumps(
        {"history": "history.geojson", "claims": "claims.csv", "region": "Iraq+Syria"}), encoding="utf-8")
    monkeypatch.setenv("TERRITORY_PATH", str(tmp_path))
    at = AppTest.from_file(str(ROOT / "pages/claims.py"), default_timeout=300).run()
    assert not at.exception, [e.message for e in at.exception]
    df = at.dataframe[0].value
    data = df.data if hasattr(df, "data") else df
    assert len(data) == 2000
    assert any(f"Showing the first 2,000 of the {len(big):,} claims" in c.value for c in at.caption)
