"""`territory export` / `territory report` called in-process, and the bundled dataset."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pypdf import PdfReader

from territory.cli import main
from territory.datasets import bundled_path
from territory.export.sample import synthetic_history


@pytest.fixture(scope="module")
def history_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "front.geojson"
    synthetic_history(6).to_file(path, driver="GeoJSON")
    return path


def test_export_png(history_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "map.png"
    code = main(["export", str(history_file), "--no-cache", "--format", "png", "--date", "2014-03-15",
                 "--out", str(out), "--width", "800", "--height", "500", "--dpi", "100"])
    assert code == 0
    with Image.open(out) as im:
        assert im.size == (800, 500)
        assert np.asarray(im.convert("L")).std() > 10


def test_export_default_name_in_cwd(history_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["export", str(history_file), "--no-cache", "--format", "csv", "--table", "stats"]) == 0
    assert (tmp_path / "front_stats.csv").exists()
    assert main(["export", str(history_file), "--no-cache", "--format", "geojson", "--date", "2014-02-01"]) == 0
    assert (tmp_path / "front_2014-02-01_state.geojson").exists()


def test_report_command(history_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.pdf"
    assert main(["report", str(history_file), "--no-cache", "--date", "2014-04-01", "--out", str(out),
                 "--title", "Front line brief — April"]) == 0
    reader = PdfReader(out)
    text = reader.pages[0].extract_text()
    assert "2014-04-01" in text
    assert "Front line brief — April" in text
    assert reader.metadata.title.startswith("Front line brief — April")
    assert all("Front line brief — April" in pg.extract_text() for pg in reader.pages[1:])


def test_export_gif_progress(history_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "a.gif"
    assert main(["export", str(history_file), "--no-cache", "--format", "gif", "--out", str(out),
                 "--width", "400", "--height", "250", "--frames", "3"]) == 0
    err = capsys.readouterr().err
    assert "3/3" in err and "wrote" in err


def test_usage_and_input_errors(history_file: Path, tmp_path: Path) -> None:
    assert main(["export", str(history_file), "--no-cache", "--format", "png", "--date", "not-a-date",
                 "--out", str(tmp_path / "x.png")]) == 2
    assert main(["export", str(tmp_path / "missing.geojson"), "--format", "png"]) == 1
    try:  # argparse may exit before territory.cli.main's handler runs
        code = main(["export", "--format", "tiff"])
    except SystemExit as exc:
        code = exc.code
    assert code == 2


@pytest.mark.skipif(not (bundled_path() / "dataset.json").exists(), reason="bundled dataset not built yet")
def test_bundled_dataset_map_and_report(tmp_path: Path) -> None:
    png = tmp_path / "b.png"
    assert main(["export", "--format", "png", "--date", "2015-06-01", "--out", str(png)]) == 0
    with Image.open(png) as im:
        assert im.size == (1600, 1000)
    pdf = tmp_path / "b.pdf"
    assert main(["report", "--date", "2015-06-01", "--out", str(pdf)]) == 0
    reader = PdfReader(pdf)
    first = reader.pages[0].extract_text()
    assert "Islamic State" in first and "2015-06-01" in first
    assert len(reader.pages) >= 4
    assert os.path.getsize(pdf) < 5_000_000
