"""The fairness corpus: correct answers written differently from the reference get full marks.

``tests/fairness/<notebook stem>/<exercise id>/<name>.py`` holds the whole source of an
alternative exercise cell (another algorithm, another idiom, what a student would naturally
write; ``tests/fairness_corpus.py`` reads them). Every exercise of every notebook in
``solutions/`` needs at least two; a notebook added later plugs in by adding its folder. The
slow test grades them in the sandbox, one notebook per test, with ``COURSE_FULL_GRADING=1``
(every notebook: ``docs/maintainers.md``, "The grading suites in CI, and in full"). In CI the
alternatives of 01, 04 and 07 are graded by ``tests/test_cheats.py``, in the same grader call as
the cheats (one checker build), and 11 and 12's by ``tests/test_grading_11_12.py``.
"""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import pytest
from fairness_corpus import CORPUS, alternative_copies, alternatives

from instructor.cli import main
from instructor.grading.submissions import load_solutions
from instructor.notebooks.io import tags, write
from instructor.notebooks.student_copies import student_notebook
from instructor.sandbox import sandbox_problem

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = load_solutions(ROOT / "solutions")
MINIMUM = 2
FULL = os.environ.get("COURSE_FULL_GRADING") == "1"


def _normalised(source: str) -> str:
    return "\n".join(line.strip() for line in source.splitlines() if line.strip())


@pytest.mark.parametrize("name", sorted(SOLUTIONS))
def test_every_exercise_has_alternatives_unlike_the_reference(name):
    solution = SOLUTIONS[name]
    stem = Path(name).stem
    reference = student_notebook(solution.nb, name, keep_solutions=True)
    by_tag = {t: c.source for c in reference.cells for t in tags(c) if t.startswith("exercise:")}
    for exercise in solution.exercises:
        found = alternatives(stem, exercise.id)
        assert len(found) >= MINIMUM, (
            f"tests/fairness/{stem}/{exercise.id}/ holds {len(found)} alternative exercise "
            f"cells; write at least {MINIMUM} correct ones that differ from the reference."
        )
        for path in found:
            assert _normalised(path.read_text()) != _normalised(by_tag[f"exercise:{exercise.id}"])
    known = {e.id for e in solution.exercises}
    if (CORPUS / stem).is_dir():
        stray = {p.name for p in (CORPUS / stem).iterdir() if p.is_dir()} - known
        assert not stray, f"tests/fairness/{stem}/ has folders of no exercise: {sorted(stray)}"


@pytest.mark.slow
@pytest.mark.skipif(sandbox_problem() is not None, reason=f"no sandbox: {sandbox_problem()}")
@pytest.mark.parametrize("name", sorted(SOLUTIONS))
def test_every_alternative_gets_full_marks(tmp_path, name):
    """About two student runs of one notebook (03's checks build and load two dozen models:
    minutes), so only with ``COURSE_FULL_GRADING=1``."""
    if not FULL:
        pytest.skip("COURSE_FULL_GRADING=1 grades it (CI: 01, 04, 07 in tests/test_cheats.py)")
    solutions, folder = tmp_path / "solutions", tmp_path / "submissions"
    solutions.mkdir()
    shutil.copy(ROOT / "solutions" / name, solutions)
    for k, nb in enumerate(alternative_copies(SOLUTIONS[name])):
        (folder / f"alternative{k}").mkdir(parents=True, exist_ok=True)
        write(nb, folder / f"alternative{k}" / name)
    out = tmp_path / "gradebook.csv"
    argv = ["grade", str(folder), "--solutions", str(solutions), "--out", str(out)]
    assert main([*argv, "--jobs", "2", "--timeout", "600"]) == 0
    with open(out, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows, "nothing was graded"
    lost = [r for r in rows if r["points"] != r["max_points"]]
    assert not lost, "\n".join(
        f"{r['student']} {r['notebook']} {r['exercise']}: {r['reason']}" for r in lost
    )
