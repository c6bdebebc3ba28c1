"""The manifest's ``partial`` notes reach the core's Dataset (for legend, metrics,
exports and report), and a malformed one is warned about, never followed."""

from __future__ import annotations

import json
import shutil

from territory.datasets import PARTIAL_NOTE_MAX, bundled_path, load_dataset


def test_bundled_partial_notes_reach_the_dataset():
    meta = json.loads((bundled_path() / "dataset.json").read_text(encoding="utf-8"))
    ds = load_dataset()
    assert ds.partial == meta["partial"]
    assert set(ds.partial) <= set(ds.history["actor"])
    assert ds.focus_actor not in ds.partial
    assert ds.unassigned == meta["unassigned"]


def _copy_with_manifest(tmp_path, **changes):
    """The bundled history and actors in a folder of their own, with a manifest changed by ``changes``."""
    src = bundled_path()
    meta = json.loads((src / "dataset.json").read_text(encoding="utf-8"))
    folder = tmp_path / "ds"
    folder.mkdir()
    for key in ("history", "actors"):
        shutil.copy(src / meta[key], folder / meta[key])
    for key in ("claims", "settlements", "regions", "countries", "basemap", "reference_areas"):
        meta.pop(key, None)  # side files outside the folder may not be named (confined manifests)
    meta.update(changes)
    (folder / "dataset.json").write_text(json.dumps(meta), encoding="utf-8")
    return folder


def test_malformed_partial_is_warned_and_ignored(tmp_path):
    ds = load_dataset(_copy_with_manifest(tmp_path, partial=["Syrian government"], unassigned=3))
    assert ds.partial == {} and ds.unassigned == ""
    warned = [p for p in ds.report.warnings if p.field == "partial"]
    assert warned and "dataset.json" in warned[0].file and warned[0].hint


def test_partial_notes_are_bounded(tmp_path):
    ds = load_dataset(_copy_with_manifest(tmp_path, partial={" Syrian government ": "x" * (3 * PARTIAL_NOTE_MAX)}))
    assert ds.partial == {"Syrian government": "x" * PARTIAL_NOTE_MAX}
