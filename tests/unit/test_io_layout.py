"""The io package's shape (issue 16.4): ``__init__`` is only its face, and no step runs for pages."""

from __future__ import annotations

import ast
from pathlib import Path

import territory.io

IO = Path(territory.io.__file__).parent
#: Longest function allowed in io/normalise.py (normalise_layer and normalise_geometry were 175-190 lines).
MAX_LINES = 60


def test_io_init_holds_only_the_docstring_imports_and_all():
    tree = ast.parse((IO / "__init__.py").read_text(encoding="utf-8"))
    body = tree.body[1:] if ast.get_docstring(tree) else tree.body
    for node in body:
        is_all = isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["__all__"]
        assert isinstance(node, ast.Import | ast.ImportFrom) or is_all, ast.unparse(node)[:80]


def test_the_public_names_stay_importable_from_territory_io():
    public = {"LoadOptions", "Loaded", "load", "read_history", "read_history_report", "write_history"}
    assert set(territory.io.__all__) == public
    assert all(callable(getattr(territory.io, name)) for name in public)
    from territory.io import budget, folder

    assert callable(folder.read_folder) and callable(budget.Budget)


def test_no_function_in_io_normalise_runs_past_a_screen():
    tree = ast.parse((IO / "normalise.py").read_text(encoding="utf-8"))
    long = {n.name: n.end_lineno - n.lineno + 1 for n in ast.walk(tree)
            if isinstance(n, ast.FunctionDef) and n.end_lineno - n.lineno + 1 > MAX_LINES}
    assert not long, f"split these by step: {long}"
