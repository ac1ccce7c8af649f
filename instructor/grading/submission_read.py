"""Read a submitted notebook as hostile input: a notebook of the shape grading needs, or a reason.

Whatever the file holds (not JSON, JSON nested thousands deep, an old or a future format,
``"nbformat": [4]``, ``"cells": {}``, a cell without a source), :func:`read_submission` either
returns an nbformat 4 notebook whose cells are dicts with a string ``cell_type`` and ``source``
and a list of string tags, or raises :class:`UnreadableSubmission` with a one-line reason. The
grader turns that into one refused row; the rest of the class is graded.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat

from instructor.sandboxed.bridge import shape_problem

MAX_NOTEBOOK_BYTES = 50 * 2**20
CELL_TYPES = frozenset({"code", "markdown", "raw"})


class UnreadableSubmission(ValueError):
    """A submitted file is not a notebook grading can read; the message says why (one line)."""


def read_submission(path: Path) -> nbformat.NotebookNode:
    """The notebook at ``path`` (only read), checked cell by cell.

    Raises:
        UnreadableSubmission: ``path`` is a link, over :data:`MAX_NOTEBOOK_BYTES`, unreadable,
            more than a million JSON values or nested too deep (counted on the bytes, before
            parsing: 45 MiB of ``[],`` once took the grader 2.3 GB), not UTF-8 JSON, not
            nbformat 4, or a cell has the wrong shape.
    """
    try:
        if path.is_symlink() or path.stat().st_size > MAX_NOTEBOOK_BYTES:
            raise UnreadableSubmission(f"a symlink or a file over {MAX_NOTEBOOK_BYTES >> 20} MiB")
        data = path.read_bytes()
        if (problem := shape_problem(data)) is not None:  # before parsing: the grader is
            raise UnreadableSubmission(f"JSON with {problem}, more than a notebook holds")
        raw = json.loads(data.decode("utf-8"))
    except UnreadableSubmission:
        raise
    except RecursionError:
        raise UnreadableSubmission("JSON nested too deep for a notebook") from None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise UnreadableSubmission(f"{type(error).__name__}: {str(error)[:120]}") from None
    check_shape(raw)
    try:
        return nbformat.from_dict(raw)
    except Exception as error:  # noqa: BLE001 - whatever nbformat raises, one reason
        raise UnreadableSubmission(f"{type(error).__name__}: {str(error)[:120]}") from None


def check_shape(raw: object) -> None:
    """Raise :class:`UnreadableSubmission` unless ``raw`` (parsed JSON) has a notebook's shape."""
    if type(raw) is not dict:
        raise UnreadableSubmission(f"JSON of type {type(raw).__name__}, not a notebook object")
    version = raw.get("nbformat")
    if type(version) is not int or version != 4:
        shown = json.dumps(version)[:20]
        raise UnreadableSubmission(
            f"nbformat {shown}: save it with Jupyter (notebook format 4) and hand it in again"
        )
    if type(raw.get("metadata", {})) is not dict:
        raise UnreadableSubmission("notebook metadata that is not an object")
    cells = raw.get("cells")
    if type(cells) is not list:
        raise UnreadableSubmission(f"'cells' of type {type(cells).__name__}, not a list")
    for number, cell in enumerate(cells):
        if type(cell) is not dict or cell.get("cell_type") not in CELL_TYPES:
            raise UnreadableSubmission(f"cell {number} is not a code, markdown or raw cell")
        source = cell.get("source", "")
        if type(source) is list and all(type(line) is str for line in source):
            cell["source"] = "".join(source)
        elif type(source) is not str:
            raise UnreadableSubmission(f"cell {number} has a source that is not text")
        metadata = cell.setdefault("metadata", {})
        if type(metadata) is not dict:
            raise UnreadableSubmission(f"cell {number} has metadata that is not an object")
        tags = metadata.get("tags", [])
        if type(tags) is not list or not all(type(tag) is str for tag in tags):
            raise UnreadableSubmission(f"cell {number} has tags that are not a list of text")
