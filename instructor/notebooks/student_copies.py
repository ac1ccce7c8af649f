"""Generate the student notebooks in ``notebooks/`` from the solutions in ``solutions/``.

A solution notebook marks what students must write (see ``docs/authoring.md``). Its student copy
is the solution run through the transforms of :mod:`instructor.notebooks.transforms`, one job
each (:data:`STUDENT_COPY`):

* cells tagged ``solution-only`` are removed;
* lines between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` in a code cell tagged
  ``exercise:<id>`` become ``# YOUR CODE HERE`` and a ``NotImplementedError`` naming the
  exercise, with the indentation of the ``BEGIN`` line;
* lines between ``### BEGIN HIDDEN CHECKS`` and ``### END HIDDEN CHECKS`` in the check cell
  (tagged ``check:<id>``) are removed; the grader (:mod:`instructor.grading`) runs them;
* cell metadata but the tags, and attachments, are dropped;
* outputs and execution counts are cleared, cells get stable ids, and ``language_info`` is set;
* the setup cell's install line is set from ``pyproject.toml``, and a Colab badge with how to
  hand in the notebook goes first.

Before anything is written, every solution is validated (each exercise has a solution region,
a visible check and hidden checks) and every copy is checked (:mod:`instructor.notebooks.leaks`):
its code compiles, and it holds no marker, no line that only occurs in solution regions, hidden
checks or solution-only cells, and no solution line some other cell shows anyway. Any problem
stops the run and nothing is written.

Usage (from the repository root)::

    ./course students            # regenerate notebooks/*.ipynb from solutions/*.ipynb
    ./course students --check    # exit 1 if notebooks/ is out of date
"""

from __future__ import annotations

import json
from pathlib import Path

from instructor.notebooks.format import EXERCISE_TAG, STUB_COMMENT, NotebookFormatError, exercises
from instructor.notebooks.io import dumps, read
from instructor.notebooks.leaks import (
    cross_notebook_leaks,
    find_leaks,
    shown_solution_lines,
    syntax_problems,
)
from instructor.notebooks.transforms import apply
from instructor.notebooks.transforms.add_badge import BADGE_CELL_ID, add_badge
from instructor.notebooks.transforms.clean import clean
from instructor.notebooks.transforms.drop_solution_only import drop_solution_only
from instructor.notebooks.transforms.install_line import set_install_line
from instructor.notebooks.transforms.strip_hidden_checks import strip_hidden_checks
from instructor.notebooks.transforms.strip_metadata import strip_metadata
from instructor.notebooks.transforms.strip_solutions import strip_solutions, unmark_solutions

STRIPPED = (drop_solution_only, strip_solutions, strip_hidden_checks, strip_metadata, clean)
"""What students must not see, removed: the copy the grader and the tests work with."""
MODEL_STUDENT = (drop_solution_only, unmark_solutions, strip_hidden_checks, strip_metadata, clean)
"""A copy with every answer in place: what tests hand the grader to prove full marks."""
STUDENT_COPY = (*STRIPPED, set_install_line, add_badge)
"""The file students open: :data:`STRIPPED`, then the install line and the Colab badge."""


def student_notebook(solution_nb, name: str = "notebook", keep_solutions: bool = False):
    """Return the student copy of a solution notebook without its badge and install line
    (:data:`STRIPPED`; the input is not modified).

    Args:
        solution_nb: an ``nbformat.NotebookNode`` following ``docs/authoring.md``.
        name: how messages name the notebook.
        keep_solutions: keep the solution code (markers removed) instead of stubs
            (:data:`MODEL_STUDENT`).

    Raises:
        NotebookFormatError: the solution breaks the contract (see :func:`exercises`).
    """
    exercises(solution_nb, name)  # validates, raises with every problem
    return apply(solution_nb, MODEL_STUDENT if keep_solutions else STRIPPED, name)


def build_students(solutions_dir: str | Path) -> dict[str, str]:
    """Return ``{file name: notebook text}`` for the student copy of every solution.

    Raises:
        NotebookFormatError: with every problem of every notebook; then nothing may be written.
        FileNotFoundError: if ``solutions_dir`` does not exist.
    """
    solutions_dir = Path(solutions_dir)
    if not solutions_dir.is_dir():
        raise FileNotFoundError(
            f"solutions_dir={str(solutions_dir)!r} is not a folder; run from the repository root "
            "or pass --solutions."
        )
    paths = sorted(solutions_dir.glob("*.ipynb"))
    if not paths:
        raise FileNotFoundError(f"solutions_dir={str(solutions_dir)!r} holds no *.ipynb.")
    texts: dict[str, str] = {}
    problems: list[str] = []
    solutions, students = {}, {}
    for path in paths:
        solution = solutions[path.name] = read(path)
        try:
            exercises(solution, path.name)  # validates, raises with every problem
            student = apply(solution, STUDENT_COPY, path.name)
        except NotebookFormatError as error:
            problems.extend(error.problems)
            continue
        found = (
            syntax_problems(student, path.name)
            + find_leaks(student, solution, path.name)
            + shown_solution_lines(student, solution, path.name)
        )
        if found:
            problems.extend(found)
            continue
        texts[path.name], students[path.name] = dumps(student), student
    problems += cross_notebook_leaks(students, solutions)
    if problems:
        raise NotebookFormatError(problems)
    return texts


def stale_notebooks(solutions_dir: str | Path, notebooks_dir: str | Path) -> list[str]:
    """List student notebooks that are missing, out of date, or have no solution any more."""
    expected = build_students(solutions_dir)
    notebooks_dir = Path(notebooks_dir)
    stale = []
    for file_name, text in expected.items():
        path = notebooks_dir / file_name
        if not path.exists():
            stale.append(f"{path}: missing")
        elif path.read_text(encoding="utf-8") != text:
            stale.append(f"{path}: differs from the copy generated from its solution")
    for path in sorted(notebooks_dir.glob("*.ipynb")):
        if path.name not in expected:
            stale.append(f"{path}: has no solution notebook in {solutions_dir}")
    return stale


def _untouched_copy(path: Path) -> bool:
    """True for a student copy as this module writes it: a regular file whose first cell is the
    Colab badge and whose every exercise cell still holds its stub (a student's or a solution's
    answers are never overwritten or removed)."""
    if path.is_symlink() or not path.is_file():  # a link, a folder, a named pipe
        return False
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        if not (isinstance(cells, list) and cells and cells[0]["id"] == BADGE_CELL_ID):
            return False
        for cell in cells:
            source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            for tag in cell.get("metadata", {}).get("tags", []):
                if tag.startswith(EXERCISE_TAG) and STUB_COMMENT not in source:
                    return False
    except (OSError, UnicodeDecodeError, ValueError, LookupError, TypeError, AttributeError):
        return False
    return True


def generate(solutions_dir: str | Path, notebooks_dir: str | Path) -> list[str]:
    """Write every student notebook; remove student notebooks without a solution.

    Nothing is written when any solution has a problem, or when ``notebooks_dir`` holds a
    notebook this generator did not write (the solutions themselves, someone's own work): it
    would be overwritten or removed. Returns one line per change.

    Raises:
        FileExistsError: ``notebooks_dir`` holds a notebook that is not a generated copy.
    """
    notebooks_dir = Path(notebooks_dir)
    if notebooks_dir.resolve() == Path(solutions_dir).resolve():
        raise FileExistsError(f"{notebooks_dir} is the solutions folder; give another --out-dir.")
    foreign = [p for p in sorted(notebooks_dir.glob("*.ipynb")) if not _untouched_copy(p)]
    if foreign:
        raise FileExistsError(
            f"{notebooks_dir} holds {foreign[0].name}, which is not a generated student copy "
            f"with its stubs ({len(foreign)} such notebook(s)); give --out-dir a folder of "
            "student copies only."
        )
    expected = build_students(solutions_dir)
    notebooks_dir.mkdir(parents=True, exist_ok=True)
    changes = []
    for file_name, text in expected.items():
        path = notebooks_dir / file_name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changes.append(f"wrote {path}")
    for path in sorted(notebooks_dir.glob("*.ipynb")):
        if path.name not in expected:
            path.unlink()
            changes.append(f"removed {path} (no solution {path.name} in {solutions_dir})")
    return changes
