"""The packages' seams: no module imports another module's private name, no import cycle
(imports inside functions included), and no module grows past about 300 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("instructor", "helpers")
SHORT = ("instructor",)  # helpers (the student library) keeps its own, documented sizes
MAX_LINES = 320
"""About 300 lines: a module a newcomer reads in one sitting."""


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {
    _module_name(path): path
    for package in PACKAGES
    for path in sorted((ROOT / package).rglob("*.py"))
}


def _resolve(name: str) -> str | None:
    """The module ``name`` refers to: itself, or the longest module it starts with."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports(module: str) -> list[tuple[str, str, int]]:
    """``(target module, imported name or '', line)`` for every import of ``module``, at any
    depth (inside functions too), within the packages."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if (target := _resolve(alias.name)) is not None:
                    found.append((target, "", node.lineno))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                if submodule in MODULES:  # ``from package import module``
                    found.append((submodule, "", node.lineno))
                elif (target := _resolve(base)) is not None:
                    found.append((target, alias.name, node.lineno))
    return found


def _module_aliases(module: str) -> dict[str, str]:
    """Local names bound to modules of the packages (``from instructor import sandbox``)."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                if f"{node.module}.{alias.name}" in MODULES:
                    aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname and alias.name in MODULES:
                    aliases[alias.asname] = alias.name
    return aliases


def private_crossings(module: str) -> list[str]:
    found = [
        f"{module}:{line} imports {target}.{name}"
        for target, name, line in imports(module)
        if name.startswith("_") and not name.startswith("__") and target != module
    ]
    aliases = _module_aliases(module)
    for node in ast.walk(ast.parse(MODULES[module].read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ):
            found.append(f"{module}:{node.lineno} uses {aliases[node.value.id]}.{node.attr}")
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module, or a module importing itself."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, ()):
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def import_graph() -> dict[str, set[str]]:
    return {m: {t for t, _, _ in imports(m) if t != m} for m in MODULES}


def test_the_graph_sees_every_kind_of_import():
    edges = {m: {(t, n) for t, n, _ in imports(m)} for m in MODULES}
    assert ("instructor.sandbox", "") in edges["instructor.grading.run"]  # from pkg import mod
    assert ("instructor.grading.verdicts", "Limits") in edges["instructor.cli.grading_commands"]
    assert ("helpers.stepping", "RecurrentStepper") in edges["helpers.sampling"]
    inside = [t for t, _, line in imports("instructor.grading.run") if line > 200]
    assert "instructor.grading.submissions" in inside  # an import inside a function counts


def test_cycles_are_found_including_function_level_imports():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"a"}}) == [["a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_imports_another_modules_private_name(module):
    assert not private_crossings(module)


def test_no_import_cycles():
    assert not cycles(import_graph())


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.startswith(SHORT)))
def test_each_module_stays_short(module):
    lines = len(MODULES[module].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{MODULES[module].relative_to(ROOT)} has {lines} lines"


def _defined(module: str) -> set[str]:
    """Names bound at the top level of ``module`` (in ``if``/``try`` blocks too)."""
    names: set[str] = set()
    body = list(ast.parse(MODULES[module].read_text(encoding="utf-8")).body)
    while body:
        node = body.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.If | ast.Try | ast.With):
            for block in ("body", "orelse", "finalbody", "handlers"):
                body += getattr(node, block, [])
        elif isinstance(node, ast.ExceptHandler):
            body += node.body
    return names


def test_every_name_imported_from_a_module_of_the_packages_exists_there():
    """A moved function leaves no import behind that fails only when that code path runs (the
    checker process, a command's handler)."""
    missing = [
        f"{module}:{line} imports {name} from {target}"
        for module in MODULES
        for target, name, line in imports(module)
        if name and name != "*" and name not in _defined(target)
    ]
    assert not missing, missing
