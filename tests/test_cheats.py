"""Every cheat route of ``tests/cheats.py`` scores 0 on 01, 04 and 07, with and without the
exercise policy: the points depend on the design (checks in another process, only data
crossing), not on a denylist. Honest copies get full marks, blank copies 0.

Grades 3 notebooks x (routes + 2) submissions in the sandbox, --jobs 2 (slow). CI grades
``cheats.IN_CI`` (every family; the eleven patching routes together in one submission) once,
with the exercise policy off: that is the claim (the design alone scores every route 0), and
the policy can only refuse more. ``COURSE_FULL_GRADING=1`` grades every route on its own, and
adds the run with the policy on (``benchmarks/README.md``, "Grading suites", has timings).
"""

from __future__ import annotations

import copy
import csv
import os
import shutil
from pathlib import Path

import pytest
from cheats import IN_CI, ROUTES, WRONG, cheat_cell

from instructor.cli import main
from instructor.notebook_io import read, tags, write
from instructor.sandbox import sandbox_problem
from instructor.student_copies import student_notebook

SOLUTIONS = Path(__file__).resolve().parents[1] / "solutions"
NOTEBOOKS = sorted(WRONG)

needs_sandbox = pytest.mark.skipif(
    sandbox_problem() is not None, reason=f"no sandbox here: {sandbox_problem()}"
)


def _with_cells(nb, sources: dict[str, str]):
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        for tag in tags(cell):
            if tag.startswith("exercise:") and tag[len("exercise:") :] in sources:
                cell.source = sources[tag[len("exercise:") :]]
    return nb


def _grade(base: Path, policy: bool) -> dict:
    solutions, folder = base / "solutions", base / "submissions"
    solutions.mkdir()
    for notebook in NOTEBOOKS:
        shutil.copy(SOLUTIONS / f"{notebook}.ipynb", solutions)
        nb = read(SOLUTIONS / f"{notebook}.ipynb")
        submissions = {
            "honest": student_notebook(nb, notebook, keep_solutions=True),
            "blank": student_notebook(nb, notebook),
        }
        for route in GRADED:
            cells = {e: cheat_cell(route, notebook, e) for e in WRONG[notebook]}
            submissions[route] = _with_cells(student_notebook(nb, notebook), cells)
        for student, submission in submissions.items():
            (folder / student).mkdir(parents=True, exist_ok=True)
            write(submission, folder / student / f"{notebook}.ipynb")
    out = base / "out" / "gradebook.csv"
    argv = ["grade", str(folder), "--solutions", str(solutions), "--out", str(out), "--jobs", "2"]
    assert main(argv + ([] if policy else ["--no-policy"])) == 0
    with open(out, newline="", encoding="utf-8") as handle:
        return {"rows": list(csv.DictReader(handle)), "out": out}


FULL = os.environ.get("COURSE_FULL_GRADING") == "1"
POLICIES = [False, True] if FULL else [False]
GRADED = sorted({*ROUTES, *IN_CI}) if FULL else sorted(IN_CI)


@pytest.fixture(scope="module", params=POLICIES, ids=["policy_off", "policy_on"][: len(POLICIES)])
def graded(request, tmp_path_factory):
    return _grade(tmp_path_factory.mktemp("cheats"), policy=request.param)


def _points(graded, student: str, notebook: str) -> dict[str, float]:
    return {
        r["exercise"]: float(r["points"])
        for r in graded["rows"]
        if r["student"] == student and r["notebook"] == f"{notebook}.ipynb"
    }


@needs_sandbox
@pytest.mark.slow
@pytest.mark.parametrize("route", GRADED)
def test_every_cheat_route_scores_zero(graded, route):
    for notebook in NOTEBOOKS:
        points = _points(graded, route, notebook)
        assert set(points) == set(WRONG[notebook]), (route, notebook, points)
        assert sum(points.values()) == 0, (route, notebook, points)


@needs_sandbox
@pytest.mark.slow
def test_honest_copies_get_full_marks_and_blank_copies_zero(graded):
    for notebook in NOTEBOOKS:
        honest = [
            r for r in graded["rows"] if r["student"] == "honest" and notebook in r["notebook"]
        ]
        assert honest and all(r["points"] == r["max_points"] for r in honest), honest
        assert sum(_points(graded, "blank", notebook).values()) == 0
