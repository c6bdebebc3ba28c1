"""Build geodata/naturalearth/countries_world.parquet: the country layer of bare histories, built once.

A bare history (a file or folder without a dataset manifest) borrows Natural Earth's 50m
countries, with the bundled 10m outlines (German point of view: Crimea inside Ukraine) cut
out of their neighbours (``territory.datasets._build_countries``). Building that layer from
``sources/`` costs ~0.2 s, which every cold command paid; the layer is written here once, and
the loader reads it while the two sources' SHA-256 (kept in the file's metadata) match the
bundled files (otherwise it builds the layer itself, as before). A test checks that this
file equals a fresh build.

Run: ``.venv/bin/python scripts/build_countries.py`` (then commit the parquet).
"""

from __future__ import annotations

from territory.datasets import prebuilt_countries_path, write_prebuilt_countries

if __name__ == "__main__":
    out = prebuilt_countries_path()
    write_prebuilt_countries(out)
    print(f"wrote {out} ({out.stat().st_size:,} bytes)")
