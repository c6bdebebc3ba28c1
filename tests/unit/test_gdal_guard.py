"""One reader per format survives a GDAL or pyogrio upgrade (issue 17.1): new drivers, a moved private API.

``territory/__init__.py`` skips the drivers GDAL 3.12 has; a newer GDAL may bring others. They must
be found by asking GDAL and unloaded, and if pyogrio's (private) way to unload them is gone, every
read must be refused with the ``GDAL_SKIP`` that fixes it, never go ahead with them loaded.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely

from territory import GDAL_SKIP_DRIVERS
from territory.cli import main
from territory.datasets import _read_geo
from territory.io import offline, read_history_report
from territory.report import LoadError

NEW = "NewDriver"  # a driver a newer GDAL might add, which GDAL_SKIP_DRIVERS does not name


def _snapshot(tmp_path: Path, suffix: str) -> Path:
    path = tmp_path / f"2024-03-01{suffix}"
    frame = gpd.GeoDataFrame({"actor": ["A"]}, geometry=[shapely.box(30, 48, 31, 49)], crs=4326)
    if suffix == ".kml":
        frame.to_file(path, driver="KML", layer="snapshot", engine="pyogrio")
    else:
        frame.to_file(path, engine="pyogrio")
    return path


@pytest.fixture
def new_driver(monkeypatch):
    """GDAL reports one more driver than the allow-list until pyogrio re-registers its drivers."""
    real, skip = pyogrio.list_drivers, pyogrio.get_gdal_config_option("GDAL_SKIP")
    state = {"loaded": True, "skip_seen": None}

    def list_drivers(*args, **kwargs):
        found = dict(real(*args, **kwargs))
        if state["loaded"]:
            found[NEW] = "r"
        return found

    monkeypatch.setattr(pyogrio, "list_drivers", list_drivers)
    monkeypatch.setattr(offline, "_CONFIGURED", False)  # as in a fresh process
    monkeypatch.setattr(offline, "_DRIVERS_OK", False)
    yield state
    pyogrio.set_gdal_config_options({"GDAL_SKIP": skip})  # without the made-up name


def test_the_guard_finds_a_driver_by_asking_gdal(new_driver):
    assert NEW not in GDAL_SKIP_DRIVERS.split(",")
    assert offline.unsafe_drivers() == [NEW]


def test_a_new_driver_is_unloaded_with_every_skipped_one_still_named(new_driver, monkeypatch, tmp_path):
    """configure() puts the new driver in GDAL_SKIP and registers again: the old ones must stay skipped."""
    from pyogrio import _ogr

    def register():
        new_driver["skip_seen"] = pyogrio.get_gdal_config_option("GDAL_SKIP")
        new_driver["loaded"] = NEW not in new_driver["skip_seen"].split(",")

    monkeypatch.setattr(_ogr, "_register_drivers", register)
    history, report = read_history_report(_snapshot(tmp_path, ".geojson"))
    assert history is not None and not report.errors, str(report)
    skipped = new_driver["skip_seen"].split(",")
    assert NEW in skipped and set(GDAL_SKIP_DRIVERS.split(",")) <= set(skipped)
    assert offline.unsafe_drivers() == []


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".kml"])
def test_reads_are_refused_when_the_new_driver_cannot_be_unloaded(new_driver, monkeypatch, tmp_path, suffix):
    """pyogrio's private _register_drivers gone: fail closed, naming the driver and the fix."""
    from pyogrio import _ogr

    path = _snapshot(tmp_path, suffix)
    monkeypatch.delattr(_ogr, "_register_drivers")
    history, report = read_history_report(path)
    assert history is None
    error = report.errors[0]
    assert error.code == "gdal-unsafe" and NEW in error.message and "_register_drivers" in error.message
    assert f'GDAL_SKIP="{NEW}"' in error.hint
    assert offline.unsafe_drivers() == [NEW]  # still loaded: nothing was read with it


def test_a_manifest_layer_is_refused_too(new_driver, monkeypatch, tmp_path):
    """Manifest layers (countries, basemap, regions) are read by geopandas, outside io.readers."""
    from pyogrio import _ogr

    path = _snapshot(tmp_path, ".gpkg")
    monkeypatch.delattr(_ogr, "_register_drivers")
    with pytest.raises(LoadError) as caught:
        _read_geo(path)
    assert caught.value.report.errors[0].code == "gdal-unsafe"


def test_the_cli_says_so_in_one_line(new_driver, monkeypatch, tmp_path):
    from pyogrio import _ogr

    path = _snapshot(tmp_path, ".geojson")
    monkeypatch.delattr(_ogr, "_register_drivers")
    err, out = io.StringIO(), io.StringIO()
    with redirect_stderr(err), redirect_stdout(out):
        code = main(["validate", str(path)])
    assert code == 1
    assert NEW in err.getvalue() + out.getvalue() and "Traceback" not in err.getvalue()


def test_a_driver_missing_from_the_skip_list_is_unloaded_in_a_real_process():
    """Real GDAL: drop three drivers from GDAL_SKIP after `import territory`, as if the list were older
    than the GDAL; they get registered, and loading the readers unloads them by asking GDAL."""
    code = (
        "import os, json; import territory\n"
        "os.environ['GDAL_SKIP'] = ','.join(d for d in os.environ['GDAL_SKIP'].split(',')\n"
        "                                   if d not in ('CSV', 'OGR_VRT', 'GDALG'))\n"
        "import pyogrio; before = sorted(pyogrio.list_drivers())\n"
        "from territory.io import offline, readers\n"
        "print(json.dumps([before, sorted(pyogrio.list_drivers()), offline._UNLOAD_FAILURE]))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "GDAL_SKIP"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    before, after, failure = json.loads(out)
    assert {"CSV", "OGR_VRT", "GDALG"} <= set(before)
    assert after == sorted(offline.ALLOWED_DRIVERS) and failure == ""


def _python(code: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "GDAL_SKIP"}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)


def test_the_skip_list_matches_the_gdal_in_the_lock():
    """A tripwire for `make lock`: the typed list is this GDAL's drivers minus the allowed six.

    A name GDAL no longer has makes GDAL print "Unable to find driver ..." on stderr of every
    Territory process; a driver it lacks is unloaded at each start through pyogrio's private API
    (reads refused if that is gone). Either way, update GDAL_SKIP_DRIVERS.
    """
    run = _python("import territory, pyogrio; print(pyogrio.__gdal_version_string__)")
    gdal = run.stdout.strip()
    assert "Unable to find driver" not in run.stderr, (
        f"GDAL {gdal} lacks a driver named in territory.GDAL_SKIP_DRIVERS; remove it:\n{run.stderr}")
    every = set(json.loads(_python("import json, pyogrio; print(json.dumps(list(pyogrio.list_drivers())))").stdout))
    new = sorted(every - offline.ALLOWED_DRIVERS - set(GDAL_SKIP_DRIVERS.split(",")))
    assert not new, f"GDAL {gdal} has drivers GDAL_SKIP_DRIVERS does not name; add them: {','.join(new)}"


def test_the_tripwire_sees_a_stale_name():
    """The stderr warning the tripwire looks for is what GDAL prints for a name it does not have."""
    run = _python(f"import os, territory; os.environ['GDAL_SKIP'] += ',{NEW}'; import pyogrio")
    assert f"Unable to find driver {NEW}" in run.stderr


def test_reads_are_refused_when_unloading_raises(new_driver, monkeypatch, tmp_path):
    """A private function whose signature changed must not crash the import of the readers."""
    from pyogrio import _ogr

    def changed(required_argument):
        raise AssertionError("never called with one")

    path = _snapshot(tmp_path, ".geojson")
    monkeypatch.setattr(_ogr, "_register_drivers", changed)
    history, report = read_history_report(path)
    assert history is None and report.errors[0].code == "gdal-unsafe"
    assert "_register_drivers failed (TypeError" in report.errors[0].message
