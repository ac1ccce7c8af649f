"""The exercise policy refuses cells that could change the verdict, and lets honest work through."""

from __future__ import annotations

from pathlib import Path

import pytest

from instructor.grading.policy import violations
from instructor.grading.policy_names import bound_names, protected_names
from instructor.notebooks.format import exercises
from instructor.notebooks.io import read

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb")) + sorted(
    (ROOT / "tests" / "fixtures" / "solutions").glob("*.ipynb")
)
EARLIER = ["import numpy as np\nimport keras\nfrom helpers import CharVocab\n"
           "def check_shapes(x):\n    pass\nsplits = 3"]  # fmt: skip
PROTECTED = protected_names(EARLIER)

REFUSED = {
    "input transformer": "get_ipython().input_transformers_cleanup.append(lambda l: ['pass'])",
    "line magic": "%time x = 1",
    "shell escape": "!cat /etc/passwd",
    "patch numpy": "np.allclose = lambda *a, **k: True",
    "patch numpy in an unpacking": "x, np.pi = 1, 3",
    "patch numpy deeper": "np.testing.assert_allclose = print",
    "patch through subscript": "keras.layers.__dict__['Dense'] = None",
    "rebind a builtin": "len = lambda x: 0",
    "rebind an import": "np = None",
    "rebind an earlier function": "def check_shapes(x):\n    return True",
    "always-equal object": "class A:\n    def __eq__(self, other):\n        return True",
    "frame walk": "def g():\n    yield 1\nf = g().gi_frame.f_back.f_globals",
    "dunder attribute": "cls = ().__class__.__base__",
    "dunder name": "b = __builtins__",
    "exec": "exec('x = 1')",
    "eval": "y = eval('1 + 1')",
    "open": "text = open('/etc/passwd').read()",
    "getattr": "f = getattr(np, 'all' + 'close')",
    "import os": "import os",
    "from sys import": "from sys import modules",
    "module attribute os": "import helpers.data\nhelpers.data.os.remove('x')",
    "tensorflow file api": "import tensorflow as tf\ntf.io.gfile.GFile('/etc/passwd')",
    "global": "def f():\n    global np\n    np = None",
    "relative import": "from . import x",
    "star import": "from numpy import *",
    # Found by an attack review: each of these got full marks before it was refused.
    "module re-exported by an allowed one": "from dataclasses import inspect",
    "os re-exported by helpers": "from helpers.data import os",
    "sys re-exported, renamed": "from dataclasses import sys as s",
    "patch numpy through an import alias": "import numpy as m\nm.allclose = print",
    "patch numpy through an assigned alias": "m = np\nm.allclose = print",
    "patch numpy through an alias chain": "m = np\nk = m\nk.linalg.norm = print",
    "patch numpy through a list": "[np][0].allclose = print",
    "patch numpy through a walrus": "(m := np).allclose = print",
    "patch a class through a call": "type(splits).real = 0",
    "patch numpy through a parameter": "def f(m):\n    m.allclose = print\nf(np)",
}

ALLOWED = {
    "function": "def rnn_forward(x):\n    h = np.zeros(3)\n    return np.tanh(x @ h)",
    "class with __init__": "class Cell(keras.layers.Layer):\n    def __init__(self, units):\n"
                           "        super().__init__()\n        self.units = units",
    "rebind a plain variable": "splits = 4",
    "index with a module function": "batch = np.zeros((2, 3))\nbatch[0, np.arange(3)] = 1.0",
    "allowed imports": "import math\nfrom collections import Counter\nimport tensorflow as tf",
    "attributes of an object the cell built": (
        "layer = keras.layers.Dense(3)\nlayer.trainable = False\nx = np.zeros(3)\nx[0] = 1.0"
    ),
    "loops and comprehensions": (
        "total = sum(i * i for i in range(10))\nfor k in range(3):\n    pass"
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", REFUSED)
def test_cells_that_could_change_the_verdict_are_refused_with_a_reason(name):
    found = violations(REFUSED[name], PROTECTED, may_bind=set())
    assert found, f"{name}: not refused"
    assert all(isinstance(reason, str) and "\n" not in reason for reason in found)


@pytest.mark.parametrize("name", ALLOWED)
def test_honest_cells_pass(name):
    assert violations(ALLOWED[name], PROTECTED, may_bind={"rnn_forward", "Cell"}) == []


def test_a_name_the_solution_itself_defines_may_be_defined_again():
    assert violations("def check_shapes(x):\n    return x", PROTECTED, {"check_shapes"}) == []
    assert bound_names("a = 1\ndef f():\n    b = 2\nimport numpy as npx") == {"a", "f", "npx"}


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_every_solution_exercise_cell_passes_the_policy(path):
    nb = read(path)
    for exercise in exercises(nb, path.name):
        earlier = [c.source for c in nb.cells[: exercise.exercise_cell] if c.cell_type == "code"]
        cell = nb.cells[exercise.exercise_cell].source
        found = violations(cell, protected_names(earlier), bound_names(cell))
        assert found == [], f"{path.name} {exercise.id}: the solution itself is refused: {found}"


def test_the_policy_parses_safely_from_several_threads_at_once():
    """The grader runs the policy from ``--jobs`` threads. CPython 3.11's AST constructor keeps
    one recursion count per interpreter: parses racing in threads (a finaliser switching threads
    mid-parse) raised ``SystemError: AST constructor recursion depth mismatch``, which graded
    honest students' notebooks as grader errors. The policy parses one thread at a time."""
    import gc
    import time
    from concurrent.futures import ThreadPoolExecutor

    from instructor.grading.policy import violations
    from instructor.grading.policy_names import parse

    source = "\n".join(
        f"def f{i}(x):\n    return [[[[x + {i}]]]] if x else {{'a': (1, 2, [3])}}"
        for i in range(300)
    )

    class SwitchesThreads:
        def __del__(self):
            time.sleep(0)

    def work(_):
        for _ in range(10):
            junk = [SwitchesThreads() for _ in range(50)]
            for item in junk:
                item.cycle = item
            del junk
            parse(source)  # what the policy parses with (violations and the rest)
        assert violations(source, set(), set()) == []
        return True

    thresholds = gc.get_threshold()
    gc.set_threshold(50, 1, 1)
    try:
        with ThreadPoolExecutor(4) as pool:
            assert all(pool.map(work, range(8)))
    finally:
        gc.set_threshold(*thresholds)
