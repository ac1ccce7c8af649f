"""The setup cell's install line, written from ``pyproject.toml`` (a notebook transform).

Every notebook's setup cell (its first code cell) names what Colab installs in one line,
``COURSE = "rnn-course-pack @ git+URL@vVERSION"``. That line is never edited by hand: a new term
changes ``[project] version`` (and, in a fork, ``[project.urls] Repository``), and
``./course students`` writes the line into every solution and every student copy from
:func:`instructor.project.install_spec`.
"""

from __future__ import annotations

import re
from pathlib import Path

from instructor.notebooks.format import NotebookFormatError
from instructor.notebooks.io import dumps, read
from instructor.project import install_spec

LINE = re.compile(r'^COURSE = "[^"\n]*"$', re.MULTILINE)


def with_install_line(nb, name: str = "notebook"):
    """``nb`` with its setup cell's ``COURSE = "..."`` line set to :func:`install_spec` (in
    place; also returned). A notebook without the line is left as it is (the authoring
    contract's test, ``tests/test_setup_cells.py``, requires it of every solution).

    Raises:
        NotebookFormatError: the first code cell has more than one such line.
    """
    setup = next((cell for cell in nb.cells if cell.cell_type == "code"), None)
    found = LINE.findall(setup.source) if setup is not None else []
    if len(found) > 1:
        raise NotebookFormatError(
            [f"{name}: the setup cell (first code cell) has {len(found)} lines "
             'COURSE = "..."; keep one, as in docs/authoring.md.']
        )  # fmt: skip
    if found:
        setup.source = LINE.sub(f'COURSE = "{install_spec()}"', setup.source)
    return nb


def _updated(solutions_dir: str | Path) -> list[tuple[Path, str]]:
    """``(path, new text)`` of every solution whose install line differs from pyproject's."""
    changed = []
    for path in sorted(Path(solutions_dir).glob("*.ipynb")):
        nb = read(path)
        before = dumps(nb)
        if (after := dumps(with_install_line(nb, path.name))) != before:
            changed.append((path, after))
    return changed


def stale_install_lines(solutions_dir: str | Path) -> list[Path]:
    """The solutions whose install line differs from ``pyproject.toml``'s."""
    return [path for path, _ in _updated(solutions_dir)]


def write_install_lines(solutions_dir: str | Path) -> list[str]:
    """Set the install line of every solution from ``pyproject.toml``; one line per change."""
    changes = []
    for path, text in _updated(solutions_dir):
        path.write_text(text, encoding="utf-8")
        changes.append(f"{path}: install line set to {install_spec()}")
    return changes
