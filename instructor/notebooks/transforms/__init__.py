"""Small notebook transforms, one job each, that make a student copy from a solution.

A transform takes a notebook and the name messages use for it, changes the notebook in place
and returns it (as nbconvert's preprocessors do); :func:`apply` runs a sequence of them on a
copy, so the input is never modified. The student copy is::

    drop_solution_only -> strip_solutions -> strip_hidden_checks -> strip_metadata
                       -> clean -> set_install_line -> add_badge

(:mod:`instructor.notebooks.student_copies` validates the solution first and checks the result
for leaks after). A "model student" copy, which tests hand to the grader to prove it gives full
marks, uses ``unmark_solutions`` instead of ``strip_solutions``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence

from nbformat import NotebookNode

Transform = Callable[[NotebookNode, str], NotebookNode]
"""``transform(nb, name) -> nb``: changes ``nb`` in place and returns it; ``name`` is how its
messages name the notebook."""


def apply(nb: NotebookNode, transforms: Sequence[Transform], name: str = "notebook"):
    """Run ``transforms`` in order on a deep copy of ``nb``; return the copy."""
    result = copy.deepcopy(nb)
    for transform in transforms:
        result = transform(result, name)
    return result
