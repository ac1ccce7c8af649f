"""Replace each exercise cell's solution region by a stub; or keep the code, drop the markers.

In a code cell tagged ``exercise:<id>``, the lines between ``### BEGIN SOLUTION`` and
``### END SOLUTION`` become ``# YOUR CODE HERE`` and a ``NotImplementedError`` naming the
exercise, with the indentation of the ``BEGIN`` line (:func:`strip_solutions`).
:func:`unmark_solutions` keeps them and removes only the markers: a "model student" copy.
"""

from __future__ import annotations

from instructor.notebooks.format import SOLUTION_BEGIN, SOLUTION_END, regions, role_tags, stub_lines


def _exercise_cells(nb):
    for cell in nb.cells:
        if cell.cell_type == "code":
            exercise_ids, _, _ = role_tags(cell)
            if exercise_ids:
                yield cell, exercise_ids[0]


def _rewrite(nb, keep: bool):
    for cell, exercise_id in _exercise_cells(nb):
        lines: list[str] = []
        for kind, line in regions(cell.source, SOLUTION_BEGIN, SOLUTION_END, "", []):
            if kind == "begin" and not keep:
                lines.extend(stub_lines(exercise_id, indent=line))
            elif kind == "out" or (kind == "in" and keep):
                lines.append(line)
        cell.source = "\n".join(lines).rstrip("\n")
    return nb


def strip_solutions(nb, name: str = "notebook"):
    """Replace every solution region of every exercise cell by its stub."""
    return _rewrite(nb, keep=False)


def unmark_solutions(nb, name: str = "notebook"):
    """Keep every solution region's code; remove its ``BEGIN``/``END`` marker lines."""
    return _rewrite(nb, keep=True)
