"""Leak checks of a student copy: what students must not see, and where a copy shows it anyway.

* :func:`secret_and_public_lines`: the lines of a solution students may and may not see;
* :func:`find_leaks`: markers, stored outputs and secret lines in a student copy;
* :func:`shown_solution_lines`: solution lines another cell spells out (a hint, an example);
* :func:`cross_notebook_leaks`: another notebook's answer that a copy spells out;
* :func:`syntax_problems`: student code cells that do not compile (a misplaced marker).

:mod:`instructor.notebooks.student_copies` runs all of them on every copy before it writes any;
:mod:`instructor.notebooks.release` scans the whole release tree with the first.
"""

from __future__ import annotations

import ast
import unicodedata

from instructor.notebooks.format import (
    HIDDEN_BEGIN,
    HIDDEN_END,
    MARKER_LIKE,
    SOLUTION_BEGIN,
    SOLUTION_END,
    SOLUTION_ONLY_TAG,
    STUB_COMMENT,
    cell_label,
    regions,
    role_tags,
    stub_lines,
)
from instructor.notebooks.io import tags


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


def _looks_like_a_marker(line: str) -> bool:
    """True for a marker as a reader sees it: NFKC, with an invisible format character (a
    zero-width space in ``### BEGIN SOLUTION`` hides it from the generator, not from a reader)
    read as nothing or as a space."""
    hidden = [c for c in line if unicodedata.category(c) == "Cf"]
    readings = {line} | {line.translate({ord(c): gap for c in hidden}) for gap in ("", " ")}
    return any(MARKER_LIKE.match(unicodedata.normalize("NFKC", text)) for text in readings)


def find_leaks(student_nb, solution_nb, name: str = "notebook") -> list[str]:
    """List what a student copy must not contain: markers (also behind invisible characters),
    stored outputs, metadata other than tags, attachments, secret lines.

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
        if set(cell.get("metadata", {})) - {"tags"} or cell.get("attachments"):
            problems.append(f"{where}: carries metadata other than tags, or attachments.")
        for number, line in enumerate(cell.source.splitlines(), start=1):
            if _looks_like_a_marker(line):
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


MIN_CROSS_LINES = 2
"""Solution lines of one exercise that another notebook may show before it counts as a leak: a
single generic line (``states.append(h)``) recurs across notebooks that build on each other;
two lines of one answer are the answer (notebook 11 once showed 02's ``rnn_forward`` loop)."""


def cross_notebook_leaks(students: dict, solutions: dict) -> list[str]:
    """Solution lines of one notebook's exercise that another notebook's student copy shows.

    Args:
        students: file name -> student copy; solutions: file name -> solution notebook.

    Returns one problem per (copy, other notebook's exercise) showing at least
    :data:`MIN_CROSS_LINES` distinct lines of that exercise's solution.
    """
    problems = []
    for name, student_nb in students.items():
        for other, solution_nb in solutions.items():
            if other == name:
                continue
            shown: dict[str, set[str]] = {}
            for exercise_id, line in _solution_region_lines(solution_nb):
                if any(_squeezed(line) in _squeezed(cell.source) for cell in student_nb.cells):
                    shown.setdefault(exercise_id, set()).add(line)
            problems += [
                f"{name} shows {len(lines)} lines of the solution of {other}'s exercise "
                f"{exercise_id!r} ({sorted(lines)[0]!r}, ...); a student of both could copy it."
                for exercise_id, lines in sorted(shown.items())
                if len(lines) >= MIN_CROSS_LINES
            ]
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
