"""Which names a cell binds, and which names the solutions protect: the exercise policy's reading.

:func:`bound_names` lists what a cell binds at its top level (what a student's cell may
define: its exercise's names); :func:`protected_names` what the solutions define and import,
which a student's cell should not rebind. :func:`parse` reads a cell as Python (IPython magics
included), one thread at a time.
"""

from __future__ import annotations

import ast
import builtins
import threading
from collections.abc import Iterable


def assigned(target: ast.expr) -> list[ast.expr]:
    """The expressions a target writes to: unpacks tuples, lists and starred targets only,
    so that names read inside an index (``a[np.arange(3)] = 1``) do not count as written."""
    if isinstance(target, ast.Tuple | ast.List):
        return [part for element in target.elts for part in assigned(element)]
    if isinstance(target, ast.Starred):
        return assigned(target.value)
    return [target]


def root_name(node: ast.expr) -> str | None:
    """``a`` for ``a.b.c`` or ``a[0].b``; None when the chain does not start at a name."""
    while isinstance(node, ast.Attribute | ast.Subscript):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


class _TopLevelBindings(ast.NodeVisitor):
    """Collect the names a cell binds at module level (not inside functions or classes)."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.names.add(node.name)  # the body binds local names only

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.names.add(node.name)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        pass

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Store | ast.Del):
            self.names.add(node.id)

    def visit_alias(self, node: ast.alias) -> None:
        self.names.add((node.asname or node.name).split(".")[0])


def bound_at_top(tree: ast.Module) -> set[str]:
    """Names a cell binds at module level (assignments, defs, classes, imports, loops, with)."""
    visitor = _TopLevelBindings()
    visitor.visit(tree)
    return visitor.names


def module_aliases(tree: ast.Module, protected: set[str]) -> set[str]:
    """Names the cell binds to a module or a protected object, anywhere in it: ``import numpy
    as m``, ``m = np``, ``m = np.linalg``; their attributes are as protected as the original's."""
    aliases: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            aliases |= {(a.asname or a.name).split(".")[0] for a in node.names}
    changed = True
    while changed:  # m = np; k = m: follow chains of aliases
        changed = False
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign | ast.AnnAssign | ast.NamedExpr) and node.value:
                root = root_name(node.value)
                if root in protected or root in aliases:
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    names = {t.id for t in targets for t in assigned(t) if isinstance(t, ast.Name)}
                    if names - aliases:
                        aliases |= names
                        changed = True
    return aliases


def parameter_names(tree: ast.Module) -> set[str]:
    """Parameter names of the cell's functions and lambdas, except ``self``: setting attributes
    on them could patch whatever a caller passes in (a module, a class)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            arguments = node.args
            every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
            every += [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
            names |= {a.arg for a in every}
    return names - {"self"}


_PARSING = threading.Lock()


def parse(source: str) -> ast.Module:
    """``ast.parse``, one thread at a time. The grader checks cells from several threads
    (``--jobs``), and CPython 3.11's AST constructor keeps its recursion count per interpreter,
    not per thread: two parses at once fail with ``SystemError: AST constructor recursion depth
    mismatch``, which graded honest students' notebooks as a grader error (gh-106905)."""
    with _PARSING:
        return ast.parse(_python(source))


def bound_names(source: str) -> set[str]:
    """Names a cell binds at module level; empty for a cell that does not parse."""
    try:
        return bound_at_top(parse(source))
    except SyntaxError:
        return set()


def protected_names(solution_sources: Iterable[str]) -> set[str]:
    """Names an exercise cell must not rebind: builtins, and what earlier cells imported or
    defined with ``def``/``class`` (the checks use them as their oracles)."""
    protected = {name for name in dir(builtins) if not name.startswith("_")}
    for source in solution_sources:
        try:
            tree = parse(source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                protected |= {(a.asname or a.name).split(".")[0] for a in node.names}
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                protected.add(node.name)
    return protected


def _python(source: str) -> str:
    """The cell as Python: IPython magics and shell escapes become ``get_ipython()`` calls."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)
