"""The fairness corpus on disk: ``tests/fairness/<notebook stem>/<exercise id>/<name>.py``.

Each file holds the whole source of an alternative correct exercise cell. Used by
``tests/test_fairness.py`` (every notebook) and ``tests/test_cheats.py`` (01, 04 and 07, graded
in the same grader call as the cheats, so CI builds their checkers once).
"""

from __future__ import annotations

import copy
from pathlib import Path

from instructor.notebooks.io import tags
from instructor.notebooks.student_copies import student_notebook

CORPUS = Path(__file__).resolve().parent / "fairness"


def alternatives(stem: str, exercise: str) -> list[Path]:
    return sorted((CORPUS / stem / exercise).glob("*.py"))


def alternative_copies(solution) -> list:
    """The honest copy of ``solution`` (a :class:`instructor.grading.submissions.Solution`) with
    every exercise cell replaced by its k-th alternative, for each k."""
    name = solution.path.name
    stem = Path(name).stem
    honest = student_notebook(solution.nb, name, keep_solutions=True)
    count = max(len(alternatives(stem, e.id)) for e in solution.exercises)
    copies = []
    for k in range(count):
        nb = copy.deepcopy(honest)
        for cell in nb.cells:
            for tag in tags(cell):
                if tag.startswith("exercise:"):
                    found = alternatives(stem, tag[len("exercise:") :])
                    cell.source = found[k % len(found)].read_text(encoding="utf-8")
        copies.append(nb)
    return copies
