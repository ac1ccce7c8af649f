"""Drop the cells tagged ``solution-only``: worked answers and instructor notes."""

from __future__ import annotations

from instructor.notebooks.format import SOLUTION_ONLY_TAG
from instructor.notebooks.io import tags


def drop_solution_only(nb, name: str = "notebook"):
    """Remove every cell tagged :data:`~instructor.notebooks.format.SOLUTION_ONLY_TAG`."""
    nb.cells = [cell for cell in nb.cells if SOLUTION_ONLY_TAG not in tags(cell)]
    return nb
