"""Put an "Open in Colab" badge and how to hand in the notebook in front of its first cell."""

from __future__ import annotations

import nbformat

from instructor.project import colab_badge

HAND_IN_NOTE = (
    "To hand in this notebook, download it with your answers: in Colab *File → Download → "
    "Download .ipynb*; locally, save it and hand in the `.ipynb` file. Write your answers in the "
    "cells marked for them: the grader finds them by the cells' tags, not by position."
)
BADGE_CELL_ID = "colab-badge"


def badge_cell(notebook: str):
    """The badge cell of ``notebook`` (a file name): the release tag's Colab link, then
    :data:`HAND_IN_NOTE`."""
    cell = nbformat.v4.new_markdown_cell(f"{colab_badge(notebook)}\n\n{HAND_IN_NOTE}")
    cell["id"] = BADGE_CELL_ID
    return cell


def add_badge(nb, name: str = "notebook"):
    """Insert :func:`badge_cell` for the file ``name`` as the first cell."""
    nb.cells.insert(0, badge_cell(name))
    return nb
