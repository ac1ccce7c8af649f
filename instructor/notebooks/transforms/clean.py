"""Clear every output and execution count, stable cell ids, ``language_info`` set."""

from __future__ import annotations

from instructor.notebooks.io import clean_notebook


def clean(nb, name: str = "notebook"):
    """:func:`~instructor.notebooks.io.clean_notebook` without keeping the checked outputs (a
    student copy stores no output at all)."""
    return clean_notebook(nb, keep_checked_outputs=False)
