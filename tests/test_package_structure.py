"""The package's structure: every module imports on its own, the imports form no cycle, ``nil --help`` is light."""

import ast
import subprocess
import sys
import time
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "source" / "isaaclab_nil"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported_modules(name: str, path: Path) -> set[str]:
    """Every module of the package that ``name`` imports anywhere in its file: at the top, under
    ``TYPE_CHECKING`` or inside a function (those are the ways to hide a cycle)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            submodules = {f"{base}.{alias.name}" for alias in node.names} & MODULES.keys()
            found.update(submodules or {base})  # `from . import mdp` imports the module mdp, not its package
    return {module for module in found if module in MODULES and module != name}


def test_every_module_imports_in_a_fresh_interpreter():
    code = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    result = subprocess.run([sys.executable, "-c", code, *MODULES], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]


def test_the_imports_form_no_cycle():
    graph = {name: imported_modules(name, path) for name, path in MODULES.items()}
    assert graph["isaaclab_nil.envs.mdp.rewards"] >= {"isaaclab_nil.envs.mdp.commands"}  # the graph sees imports
    state: dict[str, str] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycle = trail[trail.index(nxt) :] + [nxt] if nxt in trail else [node, nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = "done"

    for name in graph:
        if name not in state:
            visit(name, [name])


def test_nil_help_is_fast_and_light():
    """``nil --help`` imports neither torch, diffusers nor Isaac Lab, and answers in well under 2 s."""
    code = (
        "import sys\nfrom isaaclab_nil.cli import build_parser\nbuild_parser()\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'torch', 'diffusers', 'transformers', 'isaaclab'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr
    nil = Path(sys.executable).parent / "nil"
    start = time.perf_counter()
    help_text = subprocess.run([str(nil), "--help"], capture_output=True, text=True, timeout=60, check=True).stdout
    assert time.perf_counter() - start < 2.0
    assert "generate" in help_text and "eval" in help_text
