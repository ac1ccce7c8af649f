"""Keep only the tags of each cell: no other cell metadata, no attachments, reaches students.

An editor or an author may leave anything in a cell's metadata (another tool's grading ids and
checksums, a note with the answer) or attach files to a markdown cell; none of it is meant for
students, and the leak checks read cell sources. A student copy keeps each cell's ``tags``
(the grader finds exercises by them) and nothing else there.
"""

from __future__ import annotations

import nbformat


def strip_metadata(nb, name: str = "notebook"):
    """Drop every cell's metadata but ``tags``, and every markdown cell's ``attachments``."""
    for cell in nb.cells:
        kept = {"tags": cell.metadata["tags"]} if "tags" in cell.metadata else {}
        cell.metadata = nbformat.NotebookNode(kept)
        cell.pop("attachments", None)
    return nb
