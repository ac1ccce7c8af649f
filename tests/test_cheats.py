"""Every cheat route of ``tests/cheats.py`` scores 0 on 01, 04 and 07: the points depend on the
design (checks in another process, only data crossing), not on a denylist. Honest copies get full
marks, blank copies 0, and the fairness corpus's alternatives of 01, 04 and 07 full marks.

One grader call grades the whole class (module fixture, ``--jobs 2``), so each notebook's checker
is built once for all of its submissions. CI grades the mixed submissions of
``cheats.MIXES`` (several routes in one submission, a different set in every exercise, every
family in every notebook), with the exercise policy on as students get it: the policy is advice
and never costs or saves a point (``tests/test_grading.py``), so a 0 is the design's.
``COURSE_FULL_GRADING=1`` adds every route on its own and a second class graded with the policy
off (``docs/maintainers.md``, "The grading suites in CI, and in full"; timings in
``benchmarks/README.md``, "Grading suites").
"""

from __future__ import annotations

import copy
import csv
import os
import shutil
from pathlib import Path

import pytest
from cheats import FAMILIES, MIXES, PATCHES, ROUTES, WRONG, cheat_cell, mixed_cell
from fairness_corpus import alternative_copies

from instructor.cli import main
from instructor.grading.submissions import load_solutions
from instructor.notebooks.io import tags, write
from instructor.notebooks.student_copies import student_notebook
from instructor.sandbox import sandbox_problem

SOLUTIONS = Path(__file__).resolve().parents[1] / "solutions"
NOTEBOOKS = sorted(WRONG)
FULL = os.environ.get("COURSE_FULL_GRADING") == "1"
POLICIES = [True, False] if FULL else [True]
ALONE = sorted({*ROUTES, "all_patches"}) if FULL else []
MIXED = [(notebook, i) for notebook in NOTEBOOKS for i in range(len(MIXES[notebook]))]

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


def _class(notebook: str, solution) -> dict:
    """Student name -> submission of ``notebook``."""
    stub = student_notebook(solution.nb, notebook)
    submissions = {
        "honest": student_notebook(solution.nb, notebook, keep_solutions=True),
        "blank": stub,
    }
    for k, nb in enumerate(alternative_copies(solution)):
        submissions[f"fair{k}"] = nb
    for i, mix in enumerate(MIXES[notebook]):
        cells = {e: mixed_cell(routes, notebook, e) for e, routes in mix.items()}
        submissions[f"mix{i}"] = _with_cells(stub, cells)
    for route in ALONE:
        cells = {e: cheat_cell(route, notebook, e) for e in WRONG[notebook]}
        submissions[route] = _with_cells(stub, cells)
    return submissions


def _grade(base: Path, policy: bool) -> dict:
    solutions, folder = base / "solutions", base / "submissions"
    solutions.mkdir()
    for notebook in NOTEBOOKS:
        shutil.copy(SOLUTIONS / f"{notebook}.ipynb", solutions)
    loaded = load_solutions(solutions)
    for notebook in NOTEBOOKS:
        for student, nb in _class(notebook, loaded[f"{notebook}.ipynb"]).items():
            (folder / student).mkdir(parents=True, exist_ok=True)
            write(nb, folder / student / f"{notebook}.ipynb")
    out = base / "out" / "gradebook.csv"
    argv = ["grade", str(folder), "--solutions", str(solutions), "--out", str(out), "--jobs", "2"]
    assert main(argv + ([] if policy else ["--no-policy"])) == 0
    with open(out, newline="", encoding="utf-8") as handle:
        return {"rows": list(csv.DictReader(handle)), "out": out}


@pytest.fixture(scope="module", params=POLICIES, ids=["policy_on", "policy_off"][: len(POLICIES)])
def graded(request, tmp_path_factory):
    return _grade(tmp_path_factory.mktemp("cheats"), policy=request.param)


def _rows(graded, student: str, notebook: str) -> dict[str, dict]:
    return {
        r["exercise"]: r
        for r in graded["rows"]
        if r["student"] == student and r["notebook"] == f"{notebook}.ipynb"
    }


def _family(route: str) -> set[str]:
    return {family for family, routes in FAMILIES.items() if route in routes}


def test_every_route_has_a_family_and_every_notebook_meets_every_family_in_ci():
    for route in [*ROUTES, "all_patches"]:
        assert _family(route), f"{route} is in no family of cheats.FAMILIES"
    for notebook, mixes in MIXES.items():
        met = {f for mix in mixes for routes in mix.values() for r in routes for f in _family(r)}
        assert met == set(FAMILIES), (notebook, set(FAMILIES) - met)
        for mix in mixes:
            assert set(mix) == set(WRONG[notebook]), (notebook, mix)
    in_ci = {r for mixes in MIXES.values() for mix in mixes for rs in mix.values() for r in rs}
    assert set(ROUTES) - set(PATCHES) <= in_ci and "all_patches" in in_ci  # every route, somewhere


@needs_sandbox
@pytest.mark.slow
@pytest.mark.parametrize("notebook, i", MIXED, ids=[f"{n[:2]}-mix{i}" for n, i in MIXED])
def test_every_mixed_submission_scores_zero_on_every_exercise(graded, notebook, i):
    rows = _rows(graded, f"mix{i}", notebook)
    assert set(rows) == set(WRONG[notebook]), (notebook, i, rows)
    for exercise, row in rows.items():
        assert float(row["points"]) == 0, (notebook, exercise, MIXES[notebook][i][exercise], row)
        assert row["reason"] and row["reason"] != "not graded", row
    feedback = graded["out"].parent / "gradebook-feedback" / f"mix{i}" / f"{notebook}.ipynb.md"
    text = feedback.read_text(encoding="utf-8")
    assert all(exercise.replace("_", "\\_") in text for exercise in WRONG[notebook]), text[:500]


@needs_sandbox
@pytest.mark.slow
@pytest.mark.skipif(not FULL, reason="each route alone: COURSE_FULL_GRADING=1 (CI grades mixes)")
@pytest.mark.parametrize("route", sorted({*ROUTES, "all_patches"}))
def test_every_cheat_route_alone_scores_zero(graded, route):
    for notebook in NOTEBOOKS:
        rows = _rows(graded, route, notebook)
        assert set(rows) == set(WRONG[notebook]), (route, notebook, rows)
        assert sum(float(r["points"]) for r in rows.values()) == 0, (route, notebook, rows)


@needs_sandbox
@pytest.mark.slow
@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_honest_and_fair_copies_get_full_marks_and_blank_copies_zero(graded, notebook):
    students = {r["student"] for r in graded["rows"] if r["notebook"] == f"{notebook}.ipynb"}
    fair = sorted(s for s in students if s.startswith("fair"))
    assert len(fair) >= 2, students
    for student in ["honest", *fair]:
        rows = _rows(graded, student, notebook)
        assert rows and all(r["points"] == r["max_points"] for r in rows.values()), (
            student,
            {e: r["reason"] for e, r in rows.items() if r["points"] != r["max_points"]},
        )
    blank = _rows(graded, "blank", notebook)
    assert set(blank) == set(WRONG[notebook])
    assert all(float(r["points"]) == 0 for r in blank.values()), blank  # 04: a failed check
