"""Generate the student notebooks in ``notebooks/`` from the solutions in ``solutions/``.

A solution notebook marks what students must write (see ``docs/authoring.md``):

* lines between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` in a code cell tagged
  ``exercise:<id>`` become ``# YOUR CODE HERE`` and a ``NotImplementedError`` naming the
  exercise, with the indentation of the ``BEGIN`` line;
* lines between ``### BEGIN HIDDEN CHECKS`` and ``### END HIDDEN CHECKS`` in the check cell
  (tagged ``check:<id>``) are removed; the grader (:mod:`instructor.grading.verdicts`) runs them;
* cells tagged ``solution-only`` are removed;
* outputs, execution counts and editor metadata are cleared, cells get stable ids, and
  ``language_info`` is
  set (:func:`instructor.notebooks.io.clean_notebook`).

Before anything is written, every solution is validated (each exercise has a solution region,
a visible check and hidden checks), every student code cell is syntax-checked, and every student
notebook is searched for markers, for lines that only occur in solution regions, hidden
checks or solution-only cells, and for solution lines that some other cell shows anyway (a
worked example, a hint or a check that spells out the answer; see
:func:`shown_solution_lines`).
Any problem stops the run and nothing is written.

Usage (from the repository root)::

    ./course students            # regenerate notebooks/*.ipynb from solutions/*.ipynb
    ./course students --check    # exit 1 if notebooks/ is out of date
"""

from __future__ import annotations

import ast
import copy
from pathlib import Path

import nbformat

from instructor.notebooks.format import (
    HIDDEN_BEGIN,
    HIDDEN_END,
    MARKER_LIKE,
    SOLUTION_BEGIN,
    SOLUTION_END,
    SOLUTION_ONLY_TAG,
    STUB_COMMENT,
    NotebookFormatError,
    cell_label,
    exercises,
    regions,
    role_tags,
    stub_lines,
)
from instructor.notebooks.install_line import with_install_line
from instructor.notebooks.io import clean_notebook, dumps, read, tags
from instructor.project import colab_badge


def _student_source(cell, keep_solutions: bool) -> str:
    """Return a validated code cell's source as students see it."""
    ex_ids, check_ids, _ = role_tags(cell)
    lines: list[str] = []
    if ex_ids:
        for kind, line in regions(cell.source, SOLUTION_BEGIN, SOLUTION_END, "", []):
            if kind == "begin" and not keep_solutions:
                lines.extend(stub_lines(ex_ids[0], indent=line))
            elif kind == "out" or (kind == "in" and keep_solutions):
                lines.append(line)
    elif check_ids:
        lines = [
            line
            for kind, line in regions(cell.source, HIDDEN_BEGIN, HIDDEN_END, "", [])
            if kind == "out"
        ]
    else:
        return cell.source
    return "\n".join(lines).rstrip("\n")


def student_notebook(solution_nb, name: str = "notebook", keep_solutions: bool = False):
    """Return the student copy of a solution notebook (the input is not modified).

    Args:
        solution_nb: an ``nbformat.NotebookNode`` following ``docs/authoring.md``.
        name: how messages name the notebook.
        keep_solutions: keep the solution code (markers removed) instead of stubs: a "model
            student" copy, used by tests to prove that the grader gives it full marks.

    Raises:
        NotebookFormatError: the solution breaks the contract (see :func:`exercises`).
    """
    exercises(solution_nb, name)  # validates, raises with every problem
    nb = copy.deepcopy(solution_nb)
    cells = []
    for cell in nb.cells:
        if SOLUTION_ONLY_TAG in tags(cell):
            continue
        if cell.cell_type == "code":
            cell.source = _student_source(cell, keep_solutions)
        cells.append(cell)
    nb.cells = cells
    return clean_notebook(nb, keep_checked_outputs=False)


HAND_IN_NOTE = (
    "To hand in this notebook, download it with your answers: in Colab *File → Download → "
    "Download .ipynb*; locally, save it and hand in the `.ipynb` file. Write your answers in the "
    "cells marked for them: the grader finds them by the cells' tags, not by position."
)


def badge_cell(notebook: str):
    """The first cell of every student copy: an "Open in Colab" badge and how to hand in."""
    cell = nbformat.v4.new_markdown_cell(f"{colab_badge(notebook)}\n\n{HAND_IN_NOTE}")
    cell["id"] = "colab-badge"
    return cell


def secret_and_public_lines(solution_nb) -> tuple[set[str], set[str]]:
    """Split the stripped lines of a solution into those students may and may not see.

    Returns ``(secret, public)``: lines that occur only inside solution regions, hidden checks
    or solution-only cells, and lines that occur anywhere students see (stubs included).
    """
    secret: set[str] = set()
    public: set[str] = {STUB_COMMENT}
    for cell in solution_nb.cells:
        if SOLUTION_ONLY_TAG in tags(cell):
            secret.update(line.strip() for line in cell.source.splitlines())
            continue
        ex_ids, check_ids, _ = role_tags(cell)
        if ex_ids:
            public.update(line.strip() for line in stub_lines(ex_ids[0]))
        if ex_ids or check_ids:
            begin, end = (SOLUTION_BEGIN, SOLUTION_END) if ex_ids else (HIDDEN_BEGIN, HIDDEN_END)
            for kind, line in regions(cell.source, begin, end, "", []):
                (secret if kind == "in" else public).add(line.strip())
        else:
            public.update(line.strip() for line in cell.source.splitlines())
    return secret - public - {""}, public


def find_leaks(student_nb, solution_nb, name: str = "notebook") -> list[str]:
    """List what a student copy must not contain: markers, stored outputs, secret lines.

    A secret line is a line (stripped) that occurs in a solution region, a hidden check or a
    solution-only cell of ``solution_nb`` and nowhere that students are meant to see it.
    Returns an empty list for a clean student copy.
    """
    problems: list[str] = []
    secret, _ = secret_and_public_lines(solution_nb)
    for index, cell in enumerate(student_nb.cells):
        where = f"{name} {cell_label(index, cell)}"
        if SOLUTION_ONLY_TAG in tags(cell):
            problems.append(f"{where}: a {SOLUTION_ONLY_TAG!r} cell reached the student copy.")
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count")):
            problems.append(f"{where}: stores outputs or an execution count.")
        for number, line in enumerate(cell.source.splitlines(), start=1):
            if MARKER_LIKE.match(line):
                problems.append(f"{where}: line {number} leaks the marker {line.strip()!r}.")
            elif line.strip() in secret:
                problems.append(
                    f"{where}: line {number} {line.strip()!r} leaks a solution, hidden check or "
                    "solution-only line."
                )
    return problems


MIN_SHOWN_CHARS = 13
"""Solution lines with fewer non-blank characters are not searched for in other cells:
``return counts``, ``else:`` or ``)`` occur everywhere and give nothing away."""


def _squeezed(text: str) -> str:
    """``text`` without whitespace: a re-indented or re-wrapped copy of a line is still a copy."""
    return "".join(text.split())


def _solution_region_lines(solution_nb) -> list[tuple[str, str]]:
    """``(exercise id, stripped line)`` of every solution-region line worth searching for."""
    found = []
    for cell in solution_nb.cells:
        ex_ids, _, _ = role_tags(cell)
        if not ex_ids or SOLUTION_ONLY_TAG in tags(cell):
            continue
        for kind, line in regions(cell.source, SOLUTION_BEGIN, SOLUTION_END, "", []):
            if kind == "in" and len(_squeezed(line)) >= MIN_SHOWN_CHARS:
                found.append((ex_ids[0], line.strip()))
    return found


def shown_solution_lines(student_nb, solution_nb, name: str = "notebook") -> list[str]:
    """List the solution lines that a student can still read somewhere in the student copy.

    The generator replaces each solution region by a stub, but the answer leaks just the same
    when a line of the region also stands in another cell: a worked example, a hint in the
    markdown, a check's failure message. Every line of every solution region (at least
    :data:`MIN_SHOWN_CHARS` non-blank characters) is searched for in every cell of
    ``student_nb``, code and markdown, with all whitespace removed on both sides, so that a
    re-indented copy or one wrapped over several lines of a markdown paragraph is found too.
    Returns one problem per (cell, line); an empty list for a copy that shows no answer.
    """
    lines = _solution_region_lines(solution_nb)
    problems = []
    for index, cell in enumerate(student_nb.cells):
        text = _squeezed(cell.source)
        for exercise_id, line in lines:
            if _squeezed(line) in text:
                problems.append(
                    f"{name} {cell_label(index, cell)}: shows {line!r}, a line of the solution "
                    f"of exercise {exercise_id!r}; students could copy it. Reword the "
                    "cell (a hint guides, it does not dictate) or ask for something it does "
                    "not show."
                )
    return problems


def syntax_problems(nb, name: str = "notebook") -> list[str]:
    """Compile every code cell (IPython magics such as ``%pip`` allowed); list the errors."""
    from IPython.core.inputtransformer2 import TransformerManager

    transformer = TransformerManager()
    problems = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        try:
            code = transformer.transform_cell(cell.source)
            compile(
                code,
                f"{name} cell {index + 1}",
                "exec",
                flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT,
                dont_inherit=True,
            )
        except SyntaxError as error:
            problems.append(
                f"{name} {cell_label(index, cell)}: {type(error).__name__} on line {error.lineno}:"
                f" {error.msg}. Check the indentation of the solution markers in this cell."
            )
    return problems


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
    texts: dict[str, str] = {}
    problems: list[str] = []
    for path in sorted(solutions_dir.glob("*.ipynb")):
        solution = read(path)
        try:
            student = student_notebook(solution, name=path.name)
        except NotebookFormatError as error:
            problems.extend(error.problems)
            continue
        try:
            with_install_line(student, path.name)
        except NotebookFormatError as error:
            problems.extend(error.problems)
            continue
        student.cells.insert(0, badge_cell(path.name))
        found = (
            syntax_problems(student, path.name)
            + find_leaks(student, solution, path.name)
            + shown_solution_lines(student, solution, path.name)
        )
        if found:
            problems.extend(found)
            continue
        texts[path.name] = dumps(student)
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


def generate(solutions_dir: str | Path, notebooks_dir: str | Path) -> list[str]:
    """Write every student notebook; remove student notebooks without a solution.

    Nothing is written when any solution has a problem. Returns one line per change.
    """
    expected = build_students(solutions_dir)
    notebooks_dir = Path(notebooks_dir)
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
