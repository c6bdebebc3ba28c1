"""The README's command-line examples run, and print what the README says they print.

Every ``$ territory …`` line in a README code block is run (with its pipes) by
bash in a folder holding the Ukraine-style archive the README describes
(``tests/ukraine_style.py``: 300 daily snapshots and a district layer), and its
output compared with the lines under it. An example marked "columns trimmed"
is compared on the columns it shows (numbers at the precision shown; a cell
written with "..." only on its first part).
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.ukraine_style import make_archive, make_district_layer

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
TERRITORY_BIN = Path(sys.executable).parent


def examples() -> list[tuple[str, str, list[str]]]:
    """(command, comment, expected output lines) for each ``$ territory`` line in the README's code blocks."""
    out: list[tuple[str, str, list[str]]] = []
    blocks = re.findall(r"^```[a-z]*\n(.*?)^```", README.read_text(encoding="utf-8"), flags=re.S | re.M)
    for block in blocks:
        lines = block.splitlines()
        i = 0
        while i < len(lines):
            if not lines[i].startswith("$ territory"):
                i += 1
                continue
            cmd = lines[i][2:]
            while cmd.endswith("\\"):
                i += 1
                cmd = cmd[:-1] + " " + lines[i].strip()
            cmd, _, comment = cmd.partition("  #")
            i += 1
            expected = []
            while i < len(lines) and not lines[i].startswith("$ ") and lines[i].strip():
                expected.append(lines[i])
                i += 1
            out.append((cmd.strip(), comment.strip(), expected))
    return out


EXAMPLES = examples()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("readme")
    make_archive(folder / "snapshots", 300)
    make_district_layer(folder / "districts.gpkg")
    return folder


def _run(cmd: str, cwd: Path) -> str:
    env = {**os.environ, "PATH": f"{TERRITORY_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
           "TERRITORY_CACHE_DIR": str(cwd / ".cache")}
    env.pop("TERRITORY_PATH", None)
    done = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode in (0, 141), f"{cmd}: exit {done.returncode}\n{done.stderr}"  # 141: head closed the pipe
    return done.stdout


def _trimmed_match(expected: list[str], printed: str) -> None:
    """Every expected row is in the printed table on the shown columns, at the shown precision."""
    want = pd.read_csv(io.StringIO("\n".join(expected)), dtype=str, keep_default_na=False)
    got = pd.read_csv(io.StringIO(printed), dtype=str, keep_default_na=False)
    assert set(want.columns) <= set(got.columns), sorted(set(want.columns) - set(got.columns))
    for _, row in want.iterrows():
        cand = got
        for col, text in row.items():
            if "..." in text:
                cand = cand[cand[col].str.startswith(text.split("...")[0].rstrip(", "))]
            elif re.fullmatch(r"-?\d+\.\d+", text):
                places = len(text.split(".")[1])
                cand = cand[pd.to_numeric(cand[col], errors="coerce").round(places) == round(float(text), places)]
            else:
                cand = cand[cand[col] == text]
        assert len(cand) >= 1, f"no printed row matches {dict(row)}"


def test_the_readme_has_examples():
    assert len(EXAMPLES) >= 5, EXAMPLES
    assert all(expected for _c, _m, expected in EXAMPLES)


@pytest.mark.parametrize(("cmd", "comment", "expected"), EXAMPLES, ids=[c for c, _m, _e in EXAMPLES])
def test_readme_example_prints_what_it_says(cmd, comment, expected, workdir):
    if "columns trimmed" in comment:
        _trimmed_match(expected, _run(cmd, workdir))
    else:
        assert _run(cmd, workdir).splitlines() == expected
