"""Remove the hidden checks from each check cell; the grader runs them, students never see them.

In a code cell tagged ``check:<id>`` (and no ``exercise:`` tag), the lines between
``### BEGIN HIDDEN CHECKS`` and ``### END HIDDEN CHECKS`` are removed with their markers.
"""

from __future__ import annotations

from instructor.notebooks.format import HIDDEN_BEGIN, HIDDEN_END, regions, role_tags


def strip_hidden_checks(nb, name: str = "notebook"):
    """Remove every hidden-checks region of every check cell."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        exercise_ids, check_ids, _ = role_tags(cell)
        if check_ids and not exercise_ids:
            kept = [
                line
                for kind, line in regions(cell.source, HIDDEN_BEGIN, HIDDEN_END, "", [])
                if kind == "out"
            ]
            cell.source = "\n".join(kept).rstrip("\n")
    return nb
