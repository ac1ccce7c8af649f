"""Notebooks 11 and 12 are graded end to end: an honest copy gets full marks, a blank one 0.

The grader runs each copy of the real solution notebook in smoke mode in the sandbox, and the
fairness corpus (``tests/fairness/<stem>/<exercise>/*.py``, alternative correct exercise cells)
is graded in the same run: submission ``alt-i`` holds the i-th alternative of every exercise.
About a minute per submission on 2 cores: slow. CI grades the first alternative of every
exercise and the blank copy, two at a time; ``COURSE_FULL_GRADING=1`` adds the honest copy and
every other alternative (``benchmarks/grade_throughput.py`` grades honest copies of every
notebook too).
"""

from __future__ import annotations

import copy
import csv
import os
import shutil
from pathlib import Path

import pytest

from instructor.cli import main
from instructor.notebooks.io import read, tags, write
from instructor.notebooks.student_copies import student_notebook
from instructor.sandbox import sandbox_problem

ROOT = Path(__file__).resolve().parents[1]
FAIRNESS = Path(__file__).resolve().parent / "fairness"
NOTEBOOKS = ["11_bptt_by_hand.ipynb", "12_encoder_decoder.ipynb"]
LIMITS = ["--timeout", "600", "--cell-timeout", "300"]
FULL = os.environ.get("COURSE_FULL_GRADING") == "1"

needs_sandbox = pytest.mark.skipif(
    sandbox_problem() is not None, reason=f"no sandbox here: {sandbox_problem()}"
)


def full_marks(nb) -> dict[str, float]:
    """Points per exercise from the check cells' tags (``points:n``, default 1)."""
    marks = {}
    for cell in nb.cells:
        cell_tags = tags(cell)
        for tag in cell_tags:
            if tag.startswith("check:"):
                points = [float(t[len("points:") :]) for t in cell_tags if t.startswith("points:")]
                marks[tag[len("check:") :]] = points[0] if points else 1.0
    return marks


def alternatives(stem: str) -> list[tuple[str, str, str]]:
    """(exercise id, alternative name, cell source) for every file of the fairness corpus."""
    return [
        (path.parent.name, path.stem, path.read_text(encoding="utf-8"))
        for path in sorted((FAIRNESS / stem).glob("*/*.py"))
    ]


def with_cells(nb, sources: dict[str, str]):
    """A copy of ``nb`` whose exercise cells hold the given sources."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        for exercise, source in sources.items():
            if f"exercise:{exercise}" in tags(cell):
                cell.source = source
    return nb


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_exercise_has_at_least_two_alternatives_in_the_fairness_corpus(name):
    marks = full_marks(read(ROOT / "solutions" / name))
    found = [exercise for exercise, _, _ in alternatives(Path(name).stem)]
    assert set(found) == set(marks), f"{name}: corpus {sorted(set(found))}, exercises {marks}"
    assert all(found.count(exercise) >= 2 for exercise in marks), found


@needs_sandbox
@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_honest_and_alternative_copies_get_full_marks_and_a_blank_copy_none(name, tmp_path):
    solutions, folder = tmp_path / "solutions", tmp_path / "submissions"
    solutions.mkdir()
    folder.mkdir()
    shutil.copy(ROOT / "solutions" / name, solutions / name)
    solution = read(solutions / name)
    honest = student_notebook(solution, keep_solutions=True)
    marks = full_marks(solution)
    if FULL:
        write(honest, folder / "honest.ipynb")
    write(student_notebook(solution), folder / "blank.ipynb")
    by_exercise: dict[str, list[str]] = {}
    for exercise, _, source in alternatives(Path(name).stem):
        by_exercise.setdefault(exercise, []).append(source)
    rounds = max(len(sources) for sources in by_exercise.values()) if FULL else 1
    for i in range(rounds):
        chosen = {e: sources[i] for e, sources in by_exercise.items() if i < len(sources)}
        write(with_cells(honest, chosen), folder / f"alt-{i}.ipynb")
    out = tmp_path / "gradebook.csv"
    args = ["grade", str(folder), "--solutions", str(solutions), "--out", str(out), *LIMITS]
    assert main([*args, "--jobs", "2"]) == 0
    with open(out, newline="", encoding="utf-8") as handle:
        rows = {(r["student"], r["exercise"]): r for r in csv.DictReader(handle)}

    def points(student: str) -> dict[str, float]:
        return {e: float(r["points"]) for (s, e), r in rows.items() if s == student}

    if FULL:
        assert points("honest") == marks, {e: rows["honest", e]["reason"] for e in marks}
    assert points("blank") == dict.fromkeys(marks, 0.0)
    assert all("not attempted" in rows["blank", e]["reason"] for e in marks)
    for i in range(rounds):
        reasons = {e: rows[f"alt-{i}", e]["reason"] for e in marks}
        assert points(f"alt-{i}") == marks, (f"alternative {i} of each exercise", reasons)
