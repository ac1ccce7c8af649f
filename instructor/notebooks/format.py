"""The notebook contract of the pack: tags, markers and exercises.

A solution notebook (``solutions/*.ipynb``, see ``docs/authoring.md``) marks what students write:

* a code cell tagged ``exercise:<id>`` holds the exercise; lines between ``### BEGIN SOLUTION``
  and ``### END SOLUTION`` are the answer (the student copy gets a stub instead);
* the cell tagged ``check:<id>`` (after it) holds the visible checks, then the hidden checks
  between ``### BEGIN HIDDEN CHECKS`` and ``### END HIDDEN CHECKS``; ``points:<n>`` on the check
  cell gives the exercise n points (default 1);
* cells tagged ``solution-only`` never reach students; cells tagged ``nbval-check-output`` keep
  their outputs, which CI compares.

:func:`exercises` validates a solution against this contract. Reading, writing and cleaning
notebooks is :mod:`instructor.notebooks.io`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from instructor.notebooks.io import tags

SOLUTION_BEGIN = "### BEGIN SOLUTION"
SOLUTION_END = "### END SOLUTION"
HIDDEN_BEGIN = "### BEGIN HIDDEN CHECKS"
HIDDEN_END = "### END HIDDEN CHECKS"
SOLUTION_ONLY_TAG = "solution-only"
EXERCISE_TAG = "exercise:"
CHECK_TAG = "check:"
POINTS_TAG = "points:"
CHECK_SECTION = "### CHECK"
"""``### CHECK <name>`` in a check cell starts a named check; the points are split over them."""
STUB_COMMENT = "# YOUR CODE HERE"
DEFAULT_POINTS = 1.0

_ID = re.compile(r"[A-Za-z0-9_]+")
_MARKERS = (SOLUTION_BEGIN, SOLUTION_END, HIDDEN_BEGIN, HIDDEN_END)
# Anything that looks like a marker, however it is spelled: must never reach a student.
MARKER_LIKE = re.compile(r"^\s*#+\s*(BEGIN|END)\s+(SOLUTIONS?|HIDDEN(\s+CHECKS?)?)\b", re.I)


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


def role_tags(cell) -> tuple[list[str], list[str], list[str]]:
    """Return the exercise ids, check ids and points values found in a cell's tags."""
    found: tuple[list[str], list[str], list[str]] = ([], [], [])
    for tag in tags(cell):
        for prefix, bucket in zip((EXERCISE_TAG, CHECK_TAG, POINTS_TAG), found, strict=True):
            if tag.startswith(prefix):
                bucket.append(tag[len(prefix) :])
    return found


def regions(
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


def _stripped_lines(cell) -> set[str]:
    return {line.strip() for line in cell.source.splitlines()}


@dataclass(frozen=True)
class CheckSegment:
    """A run of lines of a check cell: inside one named check (or before any), visible or hidden."""

    name: str | None
    hidden: bool
    source: str


def check_segments(source: str) -> list[CheckSegment]:
    """Cut a check cell at its ``### CHECK <name>`` and hidden-check marker lines.

    Code before the first named check is setup (``name`` None). Without named checks a cell
    gives at most two segments: the visible checks and the hidden ones. Empty segments are
    dropped.
    """
    segments: list[CheckSegment] = []
    name, hidden, lines = None, False, []

    def close() -> None:
        if "\n".join(lines).strip():
            segments.append(CheckSegment(name, hidden, "\n".join(lines)))
        lines.clear()

    for line in source.splitlines():
        stripped = line.strip()
        if stripped in (HIDDEN_BEGIN, HIDDEN_END):
            close()
            hidden = stripped == HIDDEN_BEGIN
        elif stripped.startswith(CHECK_SECTION + " "):
            close()
            name = stripped[len(CHECK_SECTION) :].strip()
        else:
            lines.append(line)
    close()
    return segments


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
        ex_ids, check_ids, point_values = role_tags(cell)
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
            if MARKER_LIKE.match(line) and line.strip() not in _MARKERS:
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
            for kind, line in regions(cell.source, HIDDEN_BEGIN, HIDDEN_END, where, []):
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
            for _ in regions(cell.source, begin, end, where, problems):
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
