"""The house has no import circles, and its core no Streamlit (developers' guide; issue 16.4).

Every module of src/territory is parsed with :mod:`ast`: every import statement counts, at
the top, inside functions or under ``TYPE_CHECKING`` alike (a lazy import only hides a circle).
Relative imports are resolved, and ``from territory.x import y`` points at ``territory.x.y``
when ``y`` is a submodule.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import territory

PACKAGE = Path(territory.__file__).parent
#: Where Streamlit belongs: the shells. Everything else is the core.
STREAMLIT_ALLOWED = ("territory.ui", "territory.app")


def _module_name(path: Path) -> str:
    parts = ("territory", *path.relative_to(PACKAGE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules(root: Path = PACKAGE) -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(root.rglob("*.py"))}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Every module ``name`` imports (within territory only unless it is third-party), anywhere in its body."""
    is_package = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                sub = f"{source}.{alias.name}"
                out.add(sub if sub in known else source)
    return out


def _graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    known = set(modules)
    return {name: {m for m in _imports(name, path, known) if m in known and m != name}
            for name, path in modules.items()}


def _circle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle (its modules, the first repeated at the end), or None."""
    done: set[str] = set()
    for start in sorted(graph):
        if start in done:
            continue
        path: list[str] = []
        on_path: dict[str, int] = {}
        stack = [(start, iter(sorted(graph[start])))]
        path.append(start)
        on_path[start] = 0
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
                del on_path[node]
                done.add(node)
            elif child in on_path:
                return [*path[on_path[child]:], child]
            elif child not in done:
                on_path[child] = len(path)
                path.append(child)
                stack.append((child, iter(sorted(graph[child]))))
    return None


def test_the_import_graph_of_territory_has_no_circle():
    graph = _graph(_modules())
    assert len(graph) > 50  # the walk found the package, not an empty folder
    circle = _circle(graph)
    assert circle is None, "import circle: " + " -> ".join(circle)


def test_the_core_never_imports_streamlit():
    offenders = sorted(name for name, path in _modules().items()
                       if not name.startswith(STREAMLIT_ALLOWED)
                       and any(m == "streamlit" or m.startswith(("streamlit.", "streamlit_"))
                               for m in _imports(name, path, set())))
    assert not offenders, f"Streamlit imported outside territory.ui / territory.app: {offenders}"


@pytest.mark.parametrize("files, expected", [
    # a lazy import inside a function still closes a circle
    ({"a.py": "import territory.b\n", "b.py": "def f():\n    from territory import a\n"},
     ["territory.a", "territory.b", "territory.a"]),
    # relative imports, and 'from pkg import sub' meaning the submodule
    ({"p/__init__.py": "", "p/x.py": "from . import y\n", "p/y.py": "from .x import thing\n"},
     ["territory.p.x", "territory.p.y", "territory.p.x"]),
    ({"p/__init__.py": "", "p/x.py": "from territory.p import y\n", "p/y.py": "from ..p import x\n"},
     ["territory.p.x", "territory.p.y", "territory.p.x"]),
    # no circle: a chain
    ({"a.py": "import territory.b\n", "b.py": "import json\n"}, None),
])
def test_the_checker_finds_circles_however_they_are_written(tmp_path, files, expected):
    """The checker itself: a circle written lazily, relatively or through 'from pkg import sub' is found."""
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    modules = {"territory." + ".".join(p.relative_to(tmp_path).with_suffix("").parts).removesuffix(".__init__"): p
               for p in sorted(tmp_path.rglob("*.py"))}
    assert _circle(_graph(modules)) == expected
