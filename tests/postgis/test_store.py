"""The PostGIS store against a real server: schema, import, idempotent append, export, CLI with a URL."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from territory.cli import main
from territory.datasets import bundled_path, load_dataset
from territory.store import is_db_url, redact
from territory.store import postgis as store


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def bundled_split(tmp_path) -> tuple[Path, Path, pd.Timestamp]:
    """The bundled dataset cut at a date: a dataset folder before it, a history file from it on."""
    src = bundled_path()
    history = load_dataset(src).history
    dates = sorted(history["date"].unique())
    cut = pd.Timestamp(dates[len(dates) * 2 // 3])
    before = tmp_path / "before"
    shutil_copy_dataset(src, before)
    early, late = history[history["date"] < cut], history[history["date"] >= cut]
    early.to_file(before / "history.gpkg", driver="GPKG", engine="pyogrio")
    meta = json.loads((before / "dataset.json").read_text(encoding="utf-8"))
    meta["history"] = "history.gpkg"
    (before / "dataset.json").write_text(json.dumps(meta), encoding="utf-8")
    late_file = tmp_path / "late.gpkg"
    late.to_file(late_file, driver="GPKG", engine="pyogrio")
    return before, late_file, cut


def shutil_copy_dataset(src: Path, dest: Path) -> None:
    """Copy a dataset folder: every file its manifest names, side by side (a manifest names only its own files)."""
    import shutil

    dest.mkdir()
    meta = json.loads((src / "dataset.json").read_text(encoding="utf-8"))
    for key, value in list(meta.items()):
        if isinstance(value, str) and key in ("claims", "actors", "settlements", "regions", "countries", "basemap",
                                              "reference_areas"):
            name = f"{key}{Path(value).suffix}"
            shutil.copyfile((src / value).resolve(), dest / name)
            meta[key] = name
    (dest / "dataset.json").write_text(json.dumps(meta), encoding="utf-8")


def test_url_detection_and_redaction():
    assert is_db_url("postgresql://u:secret@db.example:5432/territory")
    assert not is_db_url("postgresql_export.gpkg") and not is_db_url(Path("postgresql://x"))
    assert "secret" not in redact("postgresql://u:secret@db.example:5432/territory")
    assert redact("postgresql://u@h/d") == "postgresql://u@h/d"


def test_init_creates_schema_and_indexes_idempotently(pg_url):
    v1 = store.init(pg_url)
    assert store.init(pg_url) == v1, "a second init must not count as a write"
    from sqlalchemy import text

    with store.engine(pg_url).connect() as conn:
        idx = {r[0]: r[1] for r in conn.execute(text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'territory' AND tablename = 'history'"))}
    assert any("USING gist (geom)" in d for d in idx.values()), idx
    assert any(d.endswith("(date)") for d in idx.values()) and any(d.endswith("(actor)") for d in idx.values()), idx


def test_store_without_init_says_what_to_do(pg_url):
    with pytest.raises(store.StoreError, match="territory db init"):
        store.data_version(pg_url)


def test_import_then_every_command_matches_the_files(pg_url, capsys):
    store.init(pg_url)
    v0 = store.data_version(pg_url)
    v1 = store.import_dataset(pg_url, bundled_path())
    assert v1 != v0 and store.data_version(pg_url) == v1
    from sqlalchemy import text

    with store.engine(pg_url).connect() as conn:
        tables = set(conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'territory'")).scalars())
        layer_idx = conn.execute(text("SELECT count(DISTINCT tablename) FROM pg_indexes WHERE schemaname = 'territory' "
                                      "AND tablename LIKE 'layer_%' AND indexdef LIKE '%USING gist%'")).scalar()
    assert {"claims", "reference_areas", "settlements", "layer_regions", "layer_countries", "stats"} <= tables
    assert layer_idx == 3
    # Same numbers from the database as from the files, command by command.
    for argv in (["stats"], ["change", "--from", "2015-01-01", "--to", "2016-01-01"], ["claims"],
                 ["regions", "--date", "2015-06-01"], ["stats", "--denominator", "official"]):
        code_f, from_files, _ = cli(capsys, *argv[:1], str(bundled_path()), *argv[1:])
        code_d, from_db, err = cli(capsys, *argv[:1], pg_url, *argv[1:])
        assert code_f == code_d == 0, err
        assert from_db == from_files, argv
    # The default stats come precomputed from the database.
    stored = store.stored_stats(pg_url)
    computed = store.default_stats(load_dataset(bundled_path()))
    pd.testing.assert_frame_equal(stored.reset_index(drop=True), computed.reset_index(drop=True), check_dtype=False)


def test_import_refuses_a_filled_store_unless_replace(pg_url):
    store.init(pg_url)
    store.import_dataset(pg_url, bundled_path())
    with pytest.raises(store.StoreError, match="db append"):
        store.import_dataset(pg_url, bundled_path())
    assert store.import_dataset(pg_url, bundled_path(), replace=True)


def test_append_adds_snapshots_once_and_keeps_stats_in_sync(pg_url, bundled_split, capsys):
    before, late_file, cut = bundled_split
    store.init(pg_url)
    v1 = store.import_dataset(pg_url, before)
    early_stats = store.stored_stats(pg_url)
    assert early_stats["date"].max() < cut
    code, _out, err = cli(capsys, "db", "append", pg_url, str(late_file))
    assert code == 0, err
    v2 = store.data_version(pg_url)
    assert v2 != v1
    # The store now holds the whole bundled history: same stats as the files, precomputed and live.
    full = store.default_stats(load_dataset(bundled_path()))
    pd.testing.assert_frame_equal(store.stored_stats(pg_url).reset_index(drop=True), full.reset_index(drop=True),
                                  check_dtype=False)
    # Idempotent: a re-run adds nothing and does not count as a write.
    again = store.append(pg_url, late_file)
    assert (again.added, again.rows) == (0, 0) and again.skipped > 0
    assert store.data_version(pg_url) == v2


def _store_then_change_a_snapshot(pg_url, bundled_split, tmp_path) -> tuple[Path, str]:
    """A store holding the whole history, and a file whose first late snapshot has other content."""
    before, late_file, _cut = bundled_split
    store.init(pg_url)
    store.import_dataset(pg_url, before)
    store.append(pg_url, late_file)
    late = gpd.read_file(late_file, engine="pyogrio")
    first = late["date"] == late["date"].min()
    late.loc[first, "geometry"] = shapely.buffer(late.loc[first, "geometry"].values, 0.05)  # degrees: any change
    changed = tmp_path / "changed.gpkg"
    late.to_file(changed, driver="GPKG", engine="pyogrio")
    return changed, store.data_version(pg_url)


def test_append_refuses_a_changed_snapshot_and_changes_nothing(pg_url, bundled_split, tmp_path):
    changed, version = _store_then_change_a_snapshot(pg_url, bundled_split, tmp_path)
    with pytest.raises(store.StoreConflict, match="differ from the ones stored"):
        store.append(pg_url, changed)
    assert store.data_version(pg_url) == version


def test_a_conflicting_append_is_refused_input_exit_1(pg_url, bundled_split, tmp_path, capsys):
    """The README's convention: a refused input exits 1 (2 is for usage). A snapshot stored with other
    content is refused input, and nothing is written."""
    changed, version = _store_then_change_a_snapshot(pg_url, bundled_split, tmp_path)
    code, _out, err = cli(capsys, "db", "append", pg_url, str(changed))
    assert code == 1, err
    assert "input refused" in err and "differ from the ones stored" in err
    assert store.data_version(pg_url) == version


def test_db_import_without_path_imports_the_bundled_history(pg_url, capsys):
    """As every command: no PATH is the bundled history (the help says so)."""
    store.init(pg_url)
    code, _out, err = cli(capsys, "db", "import", pg_url)
    assert code == 0, err
    assert "imported the bundled history" in err
    code_f, from_files, _ = cli(capsys, "stats", str(bundled_path()))
    code_d, from_db, err = cli(capsys, "stats", pg_url)
    assert code_f == code_d == 0, err
    assert from_db == from_files


def test_export_round_trip(pg_url, tmp_path, capsys):
    store.init(pg_url)
    store.import_dataset(pg_url, bundled_path())
    out = tmp_path / "exported"
    code, _o, err = cli(capsys, "db", "export", pg_url, str(out))
    assert code == 0, err
    code, from_export, err = cli(capsys, "stats", str(out))
    assert code == 0, err
    _c, from_files, _e = cli(capsys, "stats", str(bundled_path()))
    assert from_export == from_files
    _c, claims_export, _e = cli(capsys, "claims", str(out))
    _c, claims_files, _e = cli(capsys, "claims", str(bundled_path()))
    assert claims_export == claims_files
    # What the manifest says of the data survives the store: partial actors, the unassigned rule,
    # how the region layer is cited.
    from territory.datasets import load_dataset

    stored, files = load_dataset(out), load_dataset(bundled_path())
    assert stored.partial == files.partial and stored.partial
    assert stored.unassigned == files.unassigned and stored.regions_source == files.regions_source


def test_export_keeps_a_quote_with_a_carriage_return_one_row(pg_url, tmp_path, capsys, monkeypatch):
    """A claim's quote holding a lone CR (or a formula-like start) comes back exactly, one row."""
    import csv
    import shutil

    import pandas as pd

    data = tmp_path / "geodata"  # a copy of the bundled data, whose manifest shares ../naturalearth
    shutil.copytree(bundled_path().parent, data)
    monkeypatch.setenv("TERRITORY_DATA", str(data))
    src = data / bundled_path().name
    claims = pd.read_csv(src / "claims.csv", dtype=str, keep_default_na=False)
    claims.loc[0, "quote"] = "q\r@SUM(1+1)*cmd|x"
    claims.to_csv(src / "claims.csv", index=False, lineterminator="\n", quoting=csv.QUOTE_ALL)
    store.init(pg_url)
    store.import_dataset(pg_url, src)
    out = tmp_path / "exported"
    code, _o, err = cli(capsys, "db", "export", pg_url, str(out))
    assert code == 0, err
    back = pd.read_csv(out / "claims.csv", dtype=str, keep_default_na=False)
    assert len(back) == len(claims)
    assert "q\r@SUM(1+1)*cmd|x" in set(back["quote"])
    assert not list(out.glob(".*.tmp*"))  # every file renamed into place, no temporary left


def test_bad_url_is_one_clear_line(capsys):
    code, _out, err = cli(capsys, "stats", "postgresql://nobody@127.0.0.1:1/none")
    assert code == 1 and "127.0.0.1:1" in err and "Traceback" not in err


def test_export_and_report_read_a_store(pg_url, tmp_path, capsys):
    store.init(pg_url)
    store.import_dataset(pg_url, bundled_path())
    state_db, state_files = tmp_path / "db.geojson", tmp_path / "files.geojson"
    for src, out in ((pg_url, state_db), (str(bundled_path()), state_files)):
        code, _o, err = cli(capsys, "export", src, "--format", "geojson", "--date", "2015-06-01", "--out", str(out))
        assert code == 0, err
    assert json.loads(state_db.read_text())["features"] == json.loads(state_files.read_text())["features"]
    pdf = tmp_path / "report.pdf"
    code, _o, err = cli(capsys, "report", pg_url, "--date", "2015-06-01", "--out", str(pdf))
    assert code == 0, err
    assert pdf.read_bytes().startswith(b"%PDF") and "secret" not in err


def test_serve_accepts_a_store_url(pg_url, tmp_path):
    import os
    import signal
    import subprocess
    import sys

    from tests.servers import free_port, wait_healthy

    store.init(pg_url)
    store.import_dataset(pg_url, bundled_path())
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TERRITORY_")}
    env["TERRITORY_CACHE_DIR"] = str(tmp_path / "cache")
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(Path(sys.executable).parent / "territory"), "serve", pg_url, "--port", str(port)],
                                env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", proc, log, 90)
        assert f"checking {pg_url}" in log.read_text()  # the store was read before the server started
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


def test_an_empty_store_says_how_to_fill_it(pg_url, capsys):
    store.init(pg_url)
    code, _out, err = cli(capsys, "stats", pg_url)
    assert code == 2 and "db import" in err and "Traceback" not in err


def test_validate_points_at_the_file_not_the_store(capsys):
    code, _out, err = cli(capsys, "validate", "postgresql://u@127.0.0.1:1/x")
    assert code == 2 and "run it on the file you import or append" in err
