"""What a student's exercise cell should not do: advice, checked before the grader runs it.

The grader runs a student's cells in a sandboxed student process and every check in a separate
checker process that never runs student code (``instructor/grading/verdicts.py``), so nothing a cell
does to its own process (replace ``np.allclose``, rebind ``len``, register an IPython input
transformer, walk up stack frames, read files) can change a verdict. This module flags such
constructs *statically*, from the syntax tree of the cell, with a one-line reason that the
grader adds to the feedback as advice: a flagged cell is graded all the same, so a correct
answer written with ``getattr`` or ``import os`` keeps its points.

The policy is an allowlist where it can be (imports) and a denylist where it must be (names and
attributes that reach the interpreter, the file system or IPython). ``docs/instructors.md``
states the threat model: the two processes are the boundary, not this list.
"""

from __future__ import annotations

import ast

from instructor.grading.policy_names import (
    assigned,
    bound_at_top,
    module_aliases,
    parameter_names,
    parse,
    root_name,
)

ALLOWED_IMPORTS = frozenset(
    {
        "bisect",
        "collections",
        "dataclasses",
        "decimal",
        "fractions",
        "functools",
        "heapq",
        "helpers",
        "itertools",
        "json",
        "keras",
        "math",
        "matplotlib",
        "numpy",
        "random",
        "re",
        "statistics",
        "string",
        "tensorflow",
        "textwrap",
        "time",
        "typing",
        "unicodedata",
    }
)
"""Top-level modules an exercise cell may import."""

FORBIDDEN_NAMES = frozenset(
    {
        "__builtins__",
        "__import__",
        "breakpoint",
        "compile",
        "delattr",
        "eval",
        "exec",
        "exit",
        "get_ipython",
        "getattr",
        "globals",
        "help",
        "input",
        "locals",
        "memoryview",
        "open",
        "quit",
        "setattr",
        "vars",
    }
)
"""Names that reach the interpreter, IPython or files (IPython magics become get_ipython())."""

FORBIDDEN_ATTRIBUTES = frozenset(
    {
        "builtins",
        "ctypes",
        "f_back",
        "f_builtins",
        "f_code",
        "f_globals",
        "f_locals",
        "gc",
        "gfile",
        "gi_code",
        "gi_frame",
        "cr_frame",
        "ag_frame",
        "importlib",
        "inspect",
        "io",
        "load",
        "loadtxt",
        "marshal",
        "memmap",
        "fromfile",
        "multiprocessing",
        "os",
        "pathlib",
        "pickle",
        "popen",
        "py_function",
        "numpy_function",
        "raw_ops",
        "save",
        "savetxt",
        "shutil",
        "signal",
        "socket",
        "subprocess",
        "sys",
        "system",
        "tb_frame",
        "tb_next",
        "threading",
        "tofile",
    }
)
"""Attributes that lead to the file system, processes, frames or the interpreter."""

ALLOWED_DUNDER_METHODS = frozenset({"__init__"})
"""Special methods a class in an exercise may define (``__eq__`` could fake any comparison)."""


def _is_super_init(node: ast.Attribute) -> bool:
    """``super().__init__``: the one dunder attribute a Keras layer subclass needs."""
    call = node.value
    return (
        node.attr in ALLOWED_DUNDER_METHODS
        and isinstance(call, ast.Call)
        and isinstance(call.func, ast.Name)
        and call.func.id == "super"
    )


def violations(source: str, protected: set[str], may_bind: set[str]) -> list[str]:
    """List why an exercise cell is refused; an empty list means it may run.

    Args:
        source: the student's exercise cell.
        protected: names the cell must not rebind (see :func:`protected_names`).
        may_bind: names the solution's own exercise cell binds; those may be (re)defined.
    """
    try:
        tree = parse(source)
    except SyntaxError:
        return []  # the runner reports the syntax error with its line
    found: list[str] = []
    modules = module_aliases(tree, protected)
    parameters = parameter_names(tree)  # def f(m): m.allclose = ...; f(np)
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Name) and (node.id in FORBIDDEN_NAMES or node.id.startswith("__")):
            what = (
                "IPython magics and shell commands are"
                if node.id == "get_ipython"
                else (
                    f"{node.id} is"
                    if node.id != "getattr"
                    else "getattr is (use a dict of choices)"
                )
            )
            found.append(f"line {line}: {what} not allowed in an exercise cell")
        elif (
            isinstance(node, ast.Attribute)
            and (node.attr.startswith("_") or node.attr in FORBIDDEN_ATTRIBUTES)
            and not _is_super_init(node)
        ):
            found.append(f"line {line}: the attribute .{node.attr} is not allowed")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            roots = [module] if module is not None else [a.name for a in node.names]
            if isinstance(node, ast.ImportFrom) and node.level:
                roots = ["." * node.level + (module or "")]
            for root in roots:
                if root.split(".")[0] not in ALLOWED_IMPORTS:
                    found.append(f"line {line}: importing {root} is not allowed")
            if any(alias.name == "*" for alias in node.names):
                found.append(f"line {line}: 'import *' is not allowed")
            if any(a.name.split(".")[-1].startswith("_") for a in node.names):
                found.append(f"line {line}: importing private names is not allowed")
            # ``from dataclasses import inspect`` reaches what ``dataclasses.inspect`` would.
            for alias in node.names:
                parts = set(alias.name.split(".")[1 if module is None else 0 :])
                for part in sorted(parts & (FORBIDDEN_ATTRIBUTES | FORBIDDEN_NAMES)):
                    found.append(f"line {line}: importing {part} is not allowed")
        elif isinstance(node, ast.Global | ast.Nonlocal):
            found.append(f"line {line}: global/nonlocal statements are not allowed")
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            if node.name.startswith("__") and node.name not in ALLOWED_DUNDER_METHODS:
                found.append(f"line {line}: defining {node.name} is not allowed")
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign | ast.Delete):
            targets = node.targets if isinstance(node, ast.Assign | ast.Delete) else [node.target]
            for target in targets:
                for part in assigned(target):
                    if isinstance(part, ast.Attribute | ast.Subscript):
                        root = root_name(part)
                        if root is None:  # [np][0].allclose, (m := np).allclose, type(x).f
                            found.append(
                                f"line {line}: assign to attributes of a named variable only"
                            )
                        elif (
                            root in protected
                            or root in modules
                            or (isinstance(part, ast.Attribute) and root in parameters)
                        ):
                            found.append(
                                f"line {line}: changing {root} (imported or defined earlier) "
                                "is not allowed"
                            )
    for name in sorted(bound_at_top(tree) & (protected - may_bind)):
        found.append(
            f"{name} is imported or defined earlier in the notebook; the exercise cell must not "
            "redefine it (use another name)"
        )
    return list(dict.fromkeys(found))
