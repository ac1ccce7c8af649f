"""The fairness corpus: correct answers written differently from the reference get full marks.

``tests/fairness/<notebook stem>/<exercise id>/<name>.py`` holds the whole source of an
alternative exercise cell (another algorithm, another idiom, what a student would naturally
write). Every exercise of every notebook in ``solutions/`` needs at least two; a notebook added
later plugs in by adding its folder. The slow test grades them in the sandbox, one notebook per
test. CI grades a representative part (:data:`IN_CI`: a NumPy-only notebook, one whose checks
build and load two dozen Keras models, the gates); ``COURSE_FULL_GRADING=1`` grades every
notebook (``benchmarks/README.md``, "Grading suites", has the timings).
"""

from __future__ import annotations

import copy
import csv
import os
import shutil
from pathlib import Path

import pytest

from instructor.cli import main
from instructor.notebook_io import tags, write
from instructor.sandbox import sandbox_problem
from instructor.student_copies import student_notebook
from instructor.submissions import load_solutions

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parent / "fairness"
SOLUTIONS = load_solutions(ROOT / "solutions")
MINIMUM = 2
IN_CI = ("01_one_hot_encoding.ipynb", "03_simplernn_lstm_gru.ipynb", "07_lstm_gru_gates.ipynb")
FULL = os.environ.get("COURSE_FULL_GRADING") == "1"


def alternatives(stem: str, exercise: str) -> list[Path]:
    return sorted((CORPUS / stem / exercise).glob("*.py"))


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


def _submissions(name: str) -> list:
    """The honest copy with every exercise cell replaced by its k-th alternative, for each k."""
    solution = SOLUTIONS[name]
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


@pytest.mark.slow
@pytest.mark.skipif(sandbox_problem() is not None, reason=f"no sandbox: {sandbox_problem()}")
@pytest.mark.parametrize("name", sorted(SOLUTIONS))
def test_every_alternative_gets_full_marks(tmp_path, name):
    """About two student runs of one notebook; the notebooks outside :data:`IN_CI` need
    ``COURSE_FULL_GRADING=1``."""
    if not FULL and name not in IN_CI:
        pytest.skip("outside CI's part of the corpus; COURSE_FULL_GRADING=1 grades it")
    solutions, folder = tmp_path / "solutions", tmp_path / "submissions"
    solutions.mkdir()
    shutil.copy(ROOT / "solutions" / name, solutions)
    for k, nb in enumerate(_submissions(name)):
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
