"""Generate the student notebooks in ``notebooks/`` from the solutions in ``solutions/``.

A solution notebook marks what students must write (see ``docs/authoring.md``):

* lines between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` in a code cell tagged
  ``exercise:<id>`` become ``# YOUR CODE HERE`` and a ``NotImplementedError`` naming the
  exercise, with the indentation of the ``BEGIN`` line;
* lines between ``### BEGIN HIDDEN CHECKS`` and ``### END HIDDEN CHECKS`` in the check cell
  (tagged ``check:<id>``) are removed; the grader (:mod:`helpers.grade`) runs them;
* cells tagged ``solution-only`` are removed;
* outputs, execution counts, cell ids and editor metadata are cleared and ``language_info`` is
  set (:func:`helpers.authoring.clean_notebook`).

Before anything is written, every solution is validated (each exercise has a solution region,
a visible check and hidden checks), every student code cell is syntax-checked, and every student
notebook is searched for markers and for lines that only occur in solution regions, hidden
checks or solution-only cells. Any problem stops the run and nothing is written.

Usage (from the repository root)::

    python -m helpers.students            # regenerate notebooks/*.ipynb from solutions/*.ipynb
    python -m helpers.students --check    # exit 1 if notebooks/ is out of date
    python -m helpers.students --solutions tests/fixtures/solutions --notebooks /tmp/students
"""

from __future__ import annotations

import argparse
import ast
import copy
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from helpers.authoring import clean_notebook, dumps, read, tags

SOLUTION_BEGIN = "### BEGIN SOLUTION"
SOLUTION_END = "### END SOLUTION"
HIDDEN_BEGIN = "### BEGIN HIDDEN CHECKS"
HIDDEN_END = "### END HIDDEN CHECKS"
SOLUTION_ONLY_TAG = "solution-only"
EXERCISE_TAG = "exercise:"
CHECK_TAG = "check:"
POINTS_TAG = "points:"
STUB_COMMENT = "# YOUR CODE HERE"
DEFAULT_POINTS = 1.0

_ID = re.compile(r"[A-Za-z0-9_]+")
_MARKERS = (SOLUTION_BEGIN, SOLUTION_END, HIDDEN_BEGIN, HIDDEN_END)
# Anything that looks like a marker, however it is spelled: must never reach a student.
_MARKER_LIKE = re.compile(r"^\s*#+\s*(BEGIN|END)\s+(SOLUTIONS?|HIDDEN(\s+CHECKS?)?)\b", re.I)


class NotebookFormatError(ValueError):
    """A solution notebook breaks the authoring contract, or a student copy would leak.

    ``problems`` lists every problem found, each naming the notebook, the cell and the fix.
    """

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Exercise:
    """One exercise of a solution notebook.

    Attributes:
        id: the exercise id from the ``exercise:<id>`` / ``check:<id>`` tags.
        exercise_cell: index (0-based) of the cell tagged ``exercise:<id>``.
        check_cell: index (0-based) of the cell tagged ``check:<id>``.
        points: from the ``points:<n>`` tag of the check cell (default 1).
    """

    id: str
    exercise_cell: int
    check_cell: int
    points: float = DEFAULT_POINTS


def stub_lines(exercise_id: str, indent: str = "") -> list[str]:
    """Return the two lines that replace a solution region in the student copy."""
    message = f"Exercise {exercise_id}: replace this line with your code"
    return [f"{indent}{STUB_COMMENT}", f'{indent}raise NotImplementedError("{message}")']


def cell_label(index: int, cell) -> str:
    """Name a cell for messages: its 1-based number and its first line."""
    first = next((line.strip() for line in cell.source.splitlines() if line.strip()), "")
    first = first if len(first) <= 50 else first[:47] + "..."
    return f"cell {index + 1} ({first!r})"


def _role_tags(cell) -> tuple[list[str], list[str], list[str]]:
    """Return the exercise ids, check ids and points values found in a cell's tags."""
    found: tuple[list[str], list[str], list[str]] = ([], [], [])
    for tag in tags(cell):
        for prefix, bucket in zip((EXERCISE_TAG, CHECK_TAG, POINTS_TAG), found, strict=True):
            if tag.startswith(prefix):
                bucket.append(tag[len(prefix) :])
    return found


def _regions(
    source: str, begin: str, end: str, where: str, problems: list[str]
) -> Iterator[tuple[str, str]]:
    """Split a cell's source at the ``begin``/``end`` marker lines.

    Yields ``("out", line)`` for lines outside a region, ``("in", line)`` for lines inside one,
    and ``("begin", indent)`` where a region opens (``indent`` is the marker line's leading
    whitespace). Marker lines themselves are not yielded. Unbalanced markers are reported in
    ``problems``, each message starting with ``where``.
    """
    inside = False
    for number, line in enumerate(source.splitlines(), start=1):
        stripped = line.strip()
        if stripped == begin:
            if inside:
                problems.append(f"{where}: line {number} opens '{begin}' again before '{end}'.")
            inside = True
            yield "begin", line[: len(line) - len(line.lstrip())]
        elif stripped == end:
            if not inside:
                problems.append(f"{where}: line {number} has '{end}' without '{begin}' before it.")
            inside = False
        else:
            yield ("in" if inside else "out"), line
    if inside:
        problems.append(f"{where}: '{begin}' is never closed; add a line '{end}'.")


def exercises(nb, name: str = "notebook") -> list[Exercise]:
    """Validate a solution notebook's markers and tags; return its exercises in order.

    Raises:
        NotebookFormatError: listing every problem (missing check, check without hidden
            checks, misspelt or unbalanced marker, marker in the wrong cell, bad tag, ...).
    """
    problems: list[str] = []
    exercise_cells: dict[str, list[int]] = {}
    check_cells: dict[str, list[int]] = {}
    points: dict[str, float] = {}
    for index, cell in enumerate(nb.cells):
        where = f"{name} {cell_label(index, cell)}"
        ex_ids, check_ids, point_values = _role_tags(cell)
        solution_only = SOLUTION_ONLY_TAG in tags(cell)
        for tag_id in ex_ids + check_ids:
            if not _ID.fullmatch(tag_id):
                problems.append(
                    f"{where}: exercise id {tag_id!r} is not allowed; use letters, digits and "
                    "underscores, e.g. exercise:one_hot."
                )
        if len(ex_ids) + len(check_ids) > 1:
            problems.append(f"{where}: has several exercise:/check: tags; give it exactly one.")
        if (ex_ids or check_ids) and solution_only:
            problems.append(
                f"{where}: an exercise or check cell cannot be {SOLUTION_ONLY_TAG!r}; "
                "remove one of the tags."
            )
        if (ex_ids or check_ids) and cell.cell_type != "code":
            problems.append(f"{where}: exercise:/check: tags belong on code cells.")
        if point_values and not check_ids:
            problems.append(f"{where}: a points: tag belongs on the check:<id> cell.")
        for value in point_values:
            try:
                parsed = float(value)
            except ValueError:
                parsed = -1.0
            if not parsed > 0:
                problems.append(f"{where}: points:{value} must be positive, e.g. points:2.")
            elif check_ids:
                points[check_ids[0]] = parsed
        for number, line in enumerate(cell.source.splitlines(), start=1):
            if _MARKER_LIKE.match(line) and line.strip() not in _MARKERS:
                problems.append(
                    f"{where}: line {number} {line.strip()!r} looks like a marker but is not "
                    f"spelt exactly; use one of {', '.join(repr(m) for m in _MARKERS)}."
                )
        has_solution = SOLUTION_BEGIN in _stripped_lines(cell)
        has_hidden = HIDDEN_BEGIN in _stripped_lines(cell)
        if cell.cell_type != "code" and (has_solution or has_hidden):
            problems.append(f"{where}: markers belong in code cells only.")
        if has_solution and not ex_ids:
            problems.append(f"{where}: has '{SOLUTION_BEGIN}' but no exercise:<id> tag; add one.")
        if has_hidden and not check_ids:
            problems.append(f"{where}: has '{HIDDEN_BEGIN}' but no check:<id> tag; add one.")
        if ex_ids and not has_solution and cell.cell_type == "code":
            problems.append(
                f"{where}: exercise cell without '{SOLUTION_BEGIN}'; mark what students write."
            )
        if check_ids and has_solution:
            problems.append(f"{where}: a check cell cannot hold a solution region.")
        if check_ids and cell.cell_type == "code":
            parts: dict[str, list[str]] = {"out": [], "in": [], "begin": []}
            for kind, line in _regions(cell.source, HIDDEN_BEGIN, HIDDEN_END, where, []):
                if line.strip() and not line.strip().startswith("#"):
                    parts[kind].append(line)
            if not has_hidden:
                problems.append(
                    f"{where}: check cell without hidden checks; add lines between "
                    f"'{HIDDEN_BEGIN}' and '{HIDDEN_END}' that the grader runs."
                )
            elif "assert" not in "\n".join(parts["in"]):
                problems.append(f"{where}: the hidden checks have no assert; add one.")
            if "assert" not in "\n".join(parts["out"]):
                problems.append(
                    f"{where}: the visible check has no assert; add asserts students see."
                )
        for begin, end in ((SOLUTION_BEGIN, SOLUTION_END), (HIDDEN_BEGIN, HIDDEN_END)):
            for _ in _regions(cell.source, begin, end, where, problems):
                pass  # consume the generator: it reports unbalanced markers
        for tag_id in ex_ids:
            exercise_cells.setdefault(tag_id, []).append(index)
        for tag_id in check_ids:
            check_cells.setdefault(tag_id, []).append(index)

    found: list[Exercise] = []
    for tag_id in list(exercise_cells) + [i for i in check_cells if i not in exercise_cells]:
        ex_at, check_at = exercise_cells.get(tag_id, []), check_cells.get(tag_id, [])
        if len(ex_at) > 1 or len(check_at) > 1:
            problems.append(
                f"{name}: exercise {tag_id!r} is tagged on several cells "
                f"(exercise: cells {[i + 1 for i in ex_at]}, check: cells "
                f"{[i + 1 for i in check_at]}); use one exercise cell and one check cell."
            )
            continue
        if not ex_at:
            problems.append(f"{name}: check:{tag_id} has no cell tagged exercise:{tag_id}.")
            continue
        if not check_at:
            problems.append(
                f"{name}: exercise {tag_id!r} has no check cell; add a code cell tagged "
                f"check:{tag_id} after cell {ex_at[0] + 1}."
            )
            continue
        if check_at[0] < ex_at[0]:
            problems.append(
                f"{name}: the check cell of {tag_id!r} (cell {check_at[0] + 1}) comes before its "
                f"exercise cell (cell {ex_at[0] + 1}); move it after."
            )
            continue
        found.append(Exercise(tag_id, ex_at[0], check_at[0], points.get(tag_id, DEFAULT_POINTS)))
    if problems:
        raise NotebookFormatError(problems)
    return found


def _stripped_lines(cell) -> set[str]:
    return {line.strip() for line in cell.source.splitlines()}


def _student_source(cell, keep_solutions: bool) -> str:
    """Return a validated code cell's source as students see it."""
    ex_ids, check_ids, _ = _role_tags(cell)
    lines: list[str] = []
    if ex_ids:
        for kind, line in _regions(cell.source, SOLUTION_BEGIN, SOLUTION_END, "", []):
            if kind == "begin" and not keep_solutions:
                lines.extend(stub_lines(ex_ids[0], indent=line))
            elif kind == "out" or (kind == "in" and keep_solutions):
                lines.append(line)
    elif check_ids:
        lines = [
            line
            for kind, line in _regions(cell.source, HIDDEN_BEGIN, HIDDEN_END, "", [])
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


def _secret_and_public_lines(solution_nb) -> tuple[set[str], set[str]]:
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
        ex_ids, check_ids, _ = _role_tags(cell)
        if ex_ids:
            public.update(line.strip() for line in stub_lines(ex_ids[0]))
        if ex_ids or check_ids:
            begin, end = (SOLUTION_BEGIN, SOLUTION_END) if ex_ids else (HIDDEN_BEGIN, HIDDEN_END)
            for kind, line in _regions(cell.source, begin, end, "", []):
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
    secret, _ = _secret_and_public_lines(solution_nb)
    for index, cell in enumerate(student_nb.cells):
        where = f"{name} {cell_label(index, cell)}"
        if SOLUTION_ONLY_TAG in tags(cell):
            problems.append(f"{where}: a {SOLUTION_ONLY_TAG!r} cell reached the student copy.")
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count")):
            problems.append(f"{where}: stores outputs or an execution count.")
        for number, line in enumerate(cell.source.splitlines(), start=1):
            if _MARKER_LIKE.match(line):
                problems.append(f"{where}: line {number} leaks the marker {line.strip()!r}.")
            elif line.strip() in secret:
                problems.append(
                    f"{where}: line {number} {line.strip()!r} leaks a solution, hidden check or "
                    "solution-only line."
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
        found = syntax_problems(student, path.name) + find_leaks(student, solution, path.name)
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.students",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--solutions",
        type=Path,
        default=Path("solutions"),
        help="folder of solution notebooks (default: solutions)",
    )
    parser.add_argument(
        "--notebooks",
        type=Path,
        default=Path("notebooks"),
        help="folder of student notebooks (default: notebooks)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if the student notebooks are out of date",
    )
    args = parser.parse_args(argv)
    try:
        if args.check:
            stale = stale_notebooks(args.solutions, args.notebooks)
            for line in stale:
                print(line)
            if stale:
                print("Student notebooks are out of date: run python -m helpers.students")
                return 1
            print(f"{args.notebooks}: up to date with {args.solutions}")
            return 0
        changes = generate(args.solutions, args.notebooks)
    except (NotebookFormatError, FileNotFoundError) as error:
        print(f"Nothing written. Fix these problems first:\n{error}", file=sys.stderr)
        return 2
    for line in changes:
        print(line)
    print(f"{args.notebooks}: up to date with {args.solutions} ({len(changes)} changes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
