"""Reading, writing and cleaning notebooks: the one way the tools load and store them.

:func:`clean_notebook` drops outputs (except in ``nbval-check-output`` cells, which CI
compares) and editor metadata, gives every cell a stable id and stores ipykernel's kernelspec
and ``language_info``, so that a stored notebook opens unmodified in JupyterLab 4.
:func:`read`, :func:`write` and :func:`dumps` read and store nbformat 4.5.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat

CHECKED_TAG = "nbval-check-output"
"""Cells whose outputs nbval compares in CI; the only cells that keep outputs."""

# Editor state: Google Colab (colab, executionInfo, outputId, id), Jupyter (execution,
# ExecuteTime, collapsed, scrolled, heading_collapsed, hidden, jupyter) and VS Code.
_CELL_METADATA_DROP = (
    "colab",
    "executionInfo",
    "outputId",
    "id",
    "execution",
    "ExecuteTime",
    "collapsed",
    "scrolled",
    "heading_collapsed",
    "hidden",
    "jupyter",
    "vscode",
)
_NB_METADATA_KEEP = ("kernelspec", "language_info")
PYTHON_VERSION = "3.11.7"
"""The Python of the pack's CI and development machines, as ipykernel reports it."""
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def language_info(version: str = PYTHON_VERSION) -> dict:
    """``language_info`` exactly as ipykernel reports it for Python ``version``.

    JupyterLab 4 writes the running kernel's kernelspec and language_info into a notebook when
    the kernel connects and marks the notebook modified if they differ from what is stored; so a
    notebook stored with ipykernel's values opens clean (tests/test_jupyterlab.py shows both).
    """
    return {
        "codemirror_mode": {"name": "ipython", "version": 3},
        "file_extension": ".py",
        "mimetype": "text/x-python",
        "name": "python",
        "nbconvert_exporter": "python",
        "pygments_lexer": "ipython3",
        "version": version,
    }


def tags(cell) -> list[str]:
    """Return the tags of a notebook cell (empty list when it has none)."""
    return list(cell.get("metadata", {}).get("tags", []))


_CELL_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _stable_ids(cells) -> None:
    """Give every cell an id (nbformat 4.5): keep valid unique ones, number the rest.

    JupyterLab 4 adds ids to a notebook without them and then shows it as modified; a notebook
    stored with ids opens clean. Kept ids make diffs and student copies stable.
    """
    seen: set[str] = set()
    for index, cell in enumerate(cells):
        cell_id = cell.get("id")
        if not (isinstance(cell_id, str) and _CELL_ID.fullmatch(cell_id)) or cell_id in seen:
            cell_id, n = f"cell-{index}", index
            while cell_id in seen:
                n += 1000
                cell_id = f"cell-{n}"
        cell["id"] = cell_id
        seen.add(cell_id)


def clean_notebook(nb, keep_checked_outputs: bool = True):
    """Clear outputs and editor metadata in place, give cells stable ids; return ``nb``.

    Args:
        nb: an ``nbformat.NotebookNode``.
        keep_checked_outputs: keep outputs and counts of ``nbval-check-output`` cells.
    """
    for cell in nb.cells:
        for key in _CELL_METADATA_DROP:
            cell.metadata.pop(key, None)
        if cell.cell_type != "code":
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
            continue
        if not (keep_checked_outputs and CHECKED_TAG in tags(cell)):
            cell.outputs = []
            cell.execution_count = None
    _stable_ids(nb.cells)
    nb.metadata = nbformat.NotebookNode(
        {key: nb.metadata[key] for key in _NB_METADATA_KEEP if key in nb.metadata}
    )
    nb.metadata["kernelspec"] = nbformat.NotebookNode(KERNELSPEC)
    nb.metadata["language_info"] = nbformat.NotebookNode(language_info())
    nb.nbformat, nb.nbformat_minor = 4, 5
    return nb


def read(path: str | os.PathLike[str]):
    """Read a notebook (nbformat 4)."""
    return nbformat.read(str(path), as_version=4)


def dumps(nb) -> str:
    """Return the text :func:`write` stores for ``nb`` (nbformat 4 JSON, trailing newline)."""
    text = nbformat.writes(nb, version=4)
    return text if text.endswith("\n") else text + "\n"


def write(nb, path: str | os.PathLike[str]) -> None:
    """Write a notebook with a trailing newline (nbformat 4.5, as cleaned)."""
    Path(path).write_text(dumps(nb), encoding="utf-8")
