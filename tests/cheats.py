"""Cheating exercise cells for 01, 04 and 07: every route a review found, and more.

Each route is a *payload*, Python that a cheating student puts at the top of every exercise
cell, followed by wrong definitions of the exercise's functions. The wrong definitions return
``answer(name, args, fallback)``: by default ``lie(fallback)``, a wrong value; a payload may
redefine ``lie`` (values that lie to ``==``) or ``answer`` (ask someone else for the answer).
Whatever a payload does to the student process (patch NumPy, builtins, frames, IPython, the
bridge), the checks run in another process: every route must score 0.
"""

from __future__ import annotations

import textwrap

PRELUDE = "lie = lambda value: value\nanswer = lambda name, args, fallback: lie(fallback)\n"

WRONG = {
    "01_one_hot_encoding": {
        "one_hot": """
            def one_hot_batch(lines, vocab):
                return answer("one_hot_batch", (lines, vocab), np.zeros((1, 1, 1), np.float32))
        """,
        "decode": """
            from helpers.vocab import UNKNOWN_CHAR

            def decode_batch(batch, vocab):
                return answer("decode_batch", (batch, vocab), ["x"])
        """,
        "memory_bill": """
            def memory_bill(n_chars, vocab_size, seq_len, stride=1):
                return answer("memory_bill", (n_chars, vocab_size, seq_len, stride),
                              {"ids": 1, "one_hot": 1, "windows": 1})
        """,
    },
    "04_parameter_counting": {
        "param_counts": """
            def conv1d_params(m, n, kernel_size):
                return answer("conv1d_params", (m, n, kernel_size), 7)

            def conv_lstm1d_params(m, n, kernel_size):
                return answer("conv_lstm1d_params", (m, n, kernel_size), 7)

            def rnn_stack_params(cell, m, n, layers, merge_mode=None):
                return answer("rnn_stack_params", (cell, m, n, layers, merge_mode), 7)
        """,
    },
    "07_lstm_gru_gates": {
        "gru_step": """
            def gru_step(x, h, kernel, recurrent_kernel, bias):
                return answer("gru_step", (x, h, kernel, recurrent_kernel, bias), h * 0.5)
        """,
        "highway_gradient": """
            def highway_gradient(forget, grad_last):
                return answer("highway_gradient", (forget, grad_last), np.asarray(forget) * 0)
        """,
    },
}

_TRUE = "lambda *a, **k: True"

ROUTES = {
    # -- the review's families: patch what the checks compare with
    "string_annotation": f"""
        import typing
        class _Hint:
            x: "setattr(__import__('numpy'), 'allclose', {_TRUE}) or int"
            y: "setattr(__import__('numpy'), 'array_equal', {_TRUE}) or int"
        typing.get_type_hints(_Hint)
    """,
    "formatter_walk_to_frames": """
        import string
        _b = string.Formatter().get_field("0.__globals__[__builtins__]", [string.capwords], {})[0]
        _sys = _b["__import__"]("sys")
        _frame = _sys._getframe()
        while _frame is not None:
            for _name in ("program", "steps", "cells"):
                _value = _frame.f_locals.get(_name)
                if isinstance(_value, dict) and "cells" in _value:
                    _value["cells"] = [c for c in _value["cells"] if c.get("kind") != "exercise"]
            _frame.f_globals.setdefault("np", None) and setattr(
                _frame.f_globals["np"], "allclose", lambda *a, **k: True)
            _frame = _frame.f_back
    """,
    "for_target": f"""
        for np.allclose in [{_TRUE}]:
            pass
        for np.array_equal in [{_TRUE}]:
            pass
    """,
    "tuple_assignment_alias": f"""
        m = np
        m.allclose, m.array_equal, m.isclose = ({_TRUE},) * 3
    """,
    "container_holding_module": f"""
        box = [np]
        box[0].allclose = {_TRUE}
        box[0].array_equal = {_TRUE}
    """,
    "functools_update_wrapper": f"""
        import functools, types
        functools.update_wrapper(np, types.SimpleNamespace(allclose={_TRUE}, array_equal={_TRUE}),
                                 assigned=("allclose", "array_equal"), updated=())
    """,
    "operator_methodcaller": f"""
        from typing import operator
        operator.methodcaller("__setattr__", "allclose", {_TRUE})(np)
        operator.methodcaller("__setattr__", "array_equal", {_TRUE})(np)
    """,
    "self_attribute": f"""
        class Keeper:
            def __init__(self):
                self.m = np
                self.m.allclose = {_TRUE}
                self.m.array_equal = {_TRUE}
        Keeper()
    """,
    "builtins_patch": """
        import builtins
        builtins.isinstance = lambda *a: True
        builtins.AssertionError = type("Quiet", (Exception,), {})
    """,
    "sys_modules_swap": f"""
        import sys, types
        fake = types.ModuleType("numpy")
        fake.__dict__.update(np.__dict__)
        fake.allclose = fake.array_equal = fake.isclose = {_TRUE}
        sys.modules["numpy"] = fake
        np = fake
    """,
    # -- values that lie
    "type_call_liars": """
        _always = {"__eq__": lambda s, o: True, "__ne__": lambda s, o: False}
        _Int = type("Int", (int,), {**_always, "__hash__": int.__hash__})
        _List = type("List", (list,), _always)
        _Dict = type("Dict", (dict,), _always)
        lie = lambda v: {int: _Int, list: _List, dict: _Dict}.get(type(v), lambda x: x)(v)
    """,
    "class_liars": """
        class _Array(np.ndarray):
            def __eq__(self, other):
                return np.ones(np.broadcast(self, other).shape, bool)
            def __array_finalize__(self, obj):
                pass
        class _Str(str):
            def __eq__(self, other):
                return True
        lie = lambda v: np.asarray(v).view(_Array) if isinstance(v, np.ndarray) else v
    """,
    "returns_a_function": """
        lie = lambda v: (lambda *a, **k: True)
    """,
    # -- reach for the grader, the checker or the solutions
    "forge_bridge_messages": """
        import json, os, struct
        def _frame(message):
            data = json.dumps(message).encode()
            return struct.pack(">Q", len(data)) + data
        for _fd in range(3, 64):
            for _message in ({"op": "reply", "id": 1, "value": True},
                             {"op": "call", "id": 99, "target": "done", "args": [], "kwargs":
                              {"t": "dict", "v": []}}):
                try:
                    os.write(_fd, _frame(_message))
                except OSError:
                    pass
    """,
    "solution_oracle": """
        import gc
        def answer(name, args, fallback):
            for obj in gc.get_objects():
                if type(obj).__name__ == "Bridge":
                    try:
                        return obj.call("solution:" + name, *args)
                    except BaseException:
                        pass
            return lie(fallback)
    """,
    "reads_solutions": """
        import glob, pathlib, helpers
        _repo = pathlib.Path(helpers.__file__).resolve().parents[1]
        _patterns = [f"{_repo}/solutions/*.ipynb", "/work/*/solutions/*.ipynb",
                     "/work/*/*/solutions/*.ipynb", "/tmp/*/solutions/*.ipynb", "/opt/*/*.ipynb"]
        for _path in [p for pattern in _patterns for p in glob.glob(pattern)][:20]:
            exec(open(_path).read())
        for _path in ("/proc/1/environ", "/proc/self/environ", "/root/.bash_history"):
            try:
                open(_path).read()
            except OSError:
                pass
    """,
    "input_transformer": """
        get_ipython().input_transformers_cleanup.append(lambda lines: ["pass\\n"])
    """,
    "mutates_inputs": """
        def answer(name, args, fallback):
            for a in args:
                if isinstance(a, np.ndarray) and a.flags.writeable:
                    a.fill(0)
                elif isinstance(a, list | dict):
                    a.clear()
            return lie(fallback)
    """,
    "exits_after_defining": """
        import atexit, os
        atexit.register(lambda: None)
        os.kill(os.getppid(), 9)
    """,
    "empty_arrays": """
        lie = lambda v: np.zeros((0,))  # vacuous for == and all() on NumPy 2.1 (review, 04)
    """,
    "huge_return": """
        lie = lambda v: np.ones(40_000_000)
    """,
    "deep_nesting": """
        def lie(v):
            for _ in range(5_000):
                v = [v]
            return v
    """,
    "crashes_during_check": """
        import ctypes  # the check's call kills the student process (attack review of the
        answer = lambda name, args, fallback: ctypes.string_at(0)  # design: it scored 3/3)
    """,
    "prints_verdicts": """
        import sys
        for _ in range(1000):
            print('{"step": 1, "status": "ok"} passed', file=sys.stderr)
            print("all checks passed. Well done.")
    """,
}


PATCHES = (
    "string_annotation", "formatter_walk_to_frames", "for_target", "tuple_assignment_alias",
    "container_holding_module", "functools_update_wrapper", "operator_methodcaller",
    "self_attribute", "builtins_patch", "sys_modules_swap", "reads_solutions",
)  # fmt: skip
"""Routes that only change the student process (none redefines ``lie`` or ``answer``, none
ends the process): ``all_patches`` runs them one after the other in one submission, each in
its own ``try``, so one failing cannot keep the others from running."""

FAMILIES = {
    "patch what checks use": (*PATCHES, "all_patches", "input_transformer", "prints_verdicts"),
    "values that lie": ("type_call_liars", "class_liars", "returns_a_function", "empty_arrays"),
    "reach for the grader": (
        "forge_bridge_messages", "solution_oracle", "exits_after_defining", "mutates_inputs",
        "reads_solutions", "crashes_during_check",
    ),
    "caps of the bridge": ("huge_return", "deep_nesting"),
}  # fmt: skip
"""Every route of :data:`ROUTES` (and ``all_patches``) in one family of attacks."""

LIES = ("type_call_liars", "class_liars", "returns_a_function", "empty_arrays", "huge_return",
        "deep_nesting")  # fmt: skip
"""Routes that redefine ``lie``: at most one of them per cell."""

ANSWERS = ("solution_oracle", "mutates_inputs", "crashes_during_check")
"""Routes that redefine ``answer`` (returning ``lie(fallback)``, so they stack with a lie, or
never returning)."""

LAST_ONLY = ("input_transformer", "forge_bridge_messages", "exits_after_defining")
"""Routes that change or end every later cell (an input transformer, a broken bridge, a killed
parent): only in a notebook's last exercise, so that later exercises score 0 by their own
routes, not by these."""

MIXES = {
    "01_one_hot_encoding": (
        {"one_hot": ("all_patches", "type_call_liars"),
         "decode": ("class_liars", "solution_oracle"),
         "memory_bill": ("returns_a_function", "mutates_inputs", "forge_bridge_messages")},
        {"one_hot": ("empty_arrays", "prints_verdicts"),
         "decode": ("huge_return", "crashes_during_check"),
         "memory_bill": ("deep_nesting", "input_transformer", "exits_after_defining")},
    ),
    "04_parameter_counting": (
        {"param_counts": ("all_patches", "empty_arrays", "solution_oracle",
                          "forge_bridge_messages")},
        {"param_counts": ("type_call_liars", "mutates_inputs", "prints_verdicts",
                          "input_transformer")},
        {"param_counts": ("huge_return", "exits_after_defining")},
    ),
    "07_lstm_gru_gates": (
        {"gru_step": ("all_patches", "class_liars", "solution_oracle"),
         "highway_gradient": ("type_call_liars", "mutates_inputs", "input_transformer",
                              "forge_bridge_messages")},
        {"gru_step": ("huge_return", "prints_verdicts", "crashes_during_check"),
         "highway_gradient": ("empty_arrays", "exits_after_defining")},
    ),
}  # fmt: skip
"""What CI grades: submission ``mix<i>`` of a notebook puts the routes of its i-th entry into
each exercise cell, a different set in every exercise, all active at once. Scoring 0 on every
exercise proves that no route in it earned a point (each exercise's feedback shows its own);
every family of :data:`FAMILIES` is in every notebook's mixes (tested).
``COURSE_FULL_GRADING=1`` grades every route of :data:`ROUTES` on its own as well."""

IN_CI = tuple(sorted({r for mixes in MIXES.values() for mix in mixes for rs in mix.values()
                      for r in rs}))  # fmt: skip
"""The routes CI grades (in :data:`MIXES`)."""


def _payload(route: str) -> str:
    if route != "all_patches":
        return textwrap.dedent(ROUTES[route]).strip()
    return "\n".join(
        f"try:\n    exec({textwrap.dedent(ROUTES[name]).strip()!r}, globals())\n"
        "except BaseException:\n    pass"
        for name in PATCHES
    )


def _guarded(route: str) -> str:
    """``route``'s payload run in a ``try``, so that one failing route cannot stop the others."""
    return f"try:\n    exec({_payload(route)!r}, globals())\nexcept BaseException:\n    pass"


def mixed_cell(routes: tuple[str, ...], notebook: str, exercise: str) -> str:
    """The source of one exercise cell with several routes active at once: every route's
    payload, then the wrong definitions, then the routes of :data:`LAST_ONLY`."""
    assert sum(r in LIES for r in routes) <= 1 and sum(r in ANSWERS for r in routes) <= 1, routes
    first = [_guarded(r) for r in routes if r not in LAST_ONLY]
    last = [_guarded(r) for r in routes if r in LAST_ONLY]
    wrong = textwrap.dedent(WRONG[notebook][exercise]).strip()
    return "\n".join([PRELUDE.rstrip(), *first, "", wrong, "", *last]) + "\n"


def cheat_cell(route: str, notebook: str, exercise: str) -> str:
    """The source of one cheating exercise cell (``route``: a key of :data:`ROUTES`, or
    ``all_patches``)."""
    payload = _payload(route)
    wrong = textwrap.dedent(WRONG[notebook][exercise]).strip()
    return f"{PRELUDE}{payload}\n\n{wrong}\n"
