"""Compare rebuilt data files by what they hold, not by the bytes a library version writes.

pandas and geopandas stamp their own version into every Parquet file they write
(``pandas`` and ``geo`` schema metadata), so a new release of either changes the
bytes of an unchanged table. A rebuilt file matches when its columns, types, rows
and geometry match (coordinates to ``1e-9`` degrees); every other file type is
still compared byte for byte.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

#: Schema metadata keys whose values name the writing library's version.
WRITER_KEYS = {b"pandas": ("pandas_version", "creator"), b"geo": ("creator",)}


def _meaning_of_metadata(meta: dict[bytes, bytes] | None) -> dict[bytes, object]:
    out: dict[bytes, object] = {}
    for key, raw in (meta or {}).items():
        if key in WRITER_KEYS:
            value = json.loads(raw)
            for k in WRITER_KEYS[key]:
                value.pop(k, None)
            for column in value.get("columns", {}).values() if key == b"geo" else ():
                column.pop("bbox", None)  # derived from the geometry, which is compared with a tolerance
            out[key] = value
        else:
            out[key] = raw
    return out


def parquet_difference(a: Path, b: Path) -> str | None:
    """Why two Parquet files differ in content (None: same columns, types, rows and metadata)."""
    import geopandas as gpd
    import pandas as pd
    from geopandas.testing import assert_geodataframe_equal

    sa, sb = pq.read_schema(a), pq.read_schema(b)
    if sa.names != sb.names or sa.types != sb.types:
        return f"schema: {sa} != {sb}"
    if _meaning_of_metadata(sa.metadata) != _meaning_of_metadata(sb.metadata):
        return "schema metadata (other than the writer's version) differs"
    if sa.metadata and b"geo" in sa.metadata:
        fa, fb = gpd.read_parquet(a), gpd.read_parquet(b)
        try:
            assert_geodataframe_equal(fa, fb, check_less_precise=True, normalize=True)
        except AssertionError as exc:
            return str(exc)
        return None
    try:
        pd.testing.assert_frame_equal(pd.read_parquet(a), pd.read_parquet(b))
    except AssertionError as exc:
        return str(exc)
    return None


def file_difference(a: Path, b: Path) -> str | None:
    """None when ``a`` and ``b`` hold the same data (Parquet by content, anything else by bytes)."""
    if a.suffix == ".parquet" and a.read_bytes()[:4] == b.read_bytes()[:4] == b"PAR1":
        return parquet_difference(a, b)
    return None if a.read_bytes() == b.read_bytes() else "bytes differ"
