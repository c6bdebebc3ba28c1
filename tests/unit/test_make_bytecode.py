"""make compiles our own (editable) package before running it: with PYTHONDONTWRITEBYTECODE set, every CLI
process a test or bench starts would otherwise compile ~50 modules again."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("make") is None, reason="no make")
@pytest.mark.parametrize("target", ["test", "test-fast", "bench", "run"])
def test_targets_compile_src_first(target):
    plan = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    lines = plan.splitlines()
    compile_at = next(i for i, line in enumerate(lines) if "-m compileall -q src" in line)
    runs_at = next(i for i, line in enumerate(lines) if "pytest" in line or "bench_" in line or "serve" in line)
    assert compile_at < runs_at
