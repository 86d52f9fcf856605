"""The house's rules, checked: imports go api -> indexer -> media only, no import circles, no module over 400 lines,
and an import inside a function says what heavy dependency it defers."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("indexer", "api", "media")
ALLOWED = {"media": ("media",), "indexer": ("indexer", "media"), "api": ("api", "indexer", "media")}


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def _top_level_imports(path: Path, known: dict[str, Path]) -> set[str]:
    """Modules of ours imported at module level (not under `if TYPE_CHECKING:`, not inside functions)."""
    targets: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        targets.update(n for n in names if n in known)
    return targets


def test_imports_go_one_way_and_never_in_a_circle() -> None:
    known = _modules()
    graph = {name: _top_level_imports(path, known) - {name} for name, path in known.items()}
    wrong = [f"{a} -> {b}" for a, targets in graph.items() for b in targets
             if b.split(".")[0] not in ALLOWED[a.split(".")[0]]]
    assert wrong == []
    state: dict[str, int] = {}
    circles: list[str] = []

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for nxt in sorted(graph[name]):
            if state.get(nxt) == 1:
                circles.append(" -> ".join([*path[path.index(nxt):], nxt]))
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert circles == []


def test_modules_stay_under_about_400_lines() -> None:
    long = {name: n for name, path in _modules().items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > 420}
    assert long == {}


@pytest.mark.slow
def test_imports_inside_functions_say_why() -> None:
    silent = []
    for name, path in _modules().items():
        lines = path.read_text(encoding="utf-8").splitlines()
        for node in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for inner in ast.walk(node):
                if isinstance(inner, (ast.Import, ast.ImportFrom)):
                    here, above = lines[inner.lineno - 1], lines[inner.lineno - 2]
                    # a group of deferred imports may share the comment on its first line or just above it
                    group = lines[max(inner.lineno - 4, 0):inner.lineno]
                    if "#" not in here and not above.strip().startswith("#") and not any("#" in g for g in group):
                        silent.append(f"{name}:{inner.lineno} {here.strip()}")
    assert silent == []


def test_the_cli_starts_without_the_heavy_packages() -> None:
    """`clipindex --help` (and the command table every command loads first) stays quick: the store, the index,
    the models and the web app come in only with the commands that use them."""
    heavy = ["sqlalchemy", "whoosh", "numpy", "fastapi", "faster_whisper", "ctranslate2", "torch", "av"]
    probe = f"import sys, api.cli; print(' '.join(m for m in {heavy!r} if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert loaded == [], f"importing the CLI loads {loaded}"
