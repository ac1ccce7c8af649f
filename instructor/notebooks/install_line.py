"""Every solution's install line, kept equal to ``pyproject.toml``'s (``./course students``).

Every notebook's setup cell (its first code cell) names what Colab installs in one line,
``COURSE = "rnn-course-pack @ git+URL@vVERSION"``. That line is never edited by hand: a new term
changes ``[project] version`` (and, in a fork, ``[project.urls] Repository``), and
``./course students`` writes the line into every solution and every student copy from
:func:`instructor.project.install_spec`; the transform itself is
:mod:`instructor.notebooks.transforms.install_line`, which student copies get too.
"""

from __future__ import annotations

from pathlib import Path

from instructor.notebooks.io import dumps, read
from instructor.notebooks.transforms.install_line import set_install_line
from instructor.project import install_spec


def _updated(solutions_dir: str | Path) -> list[tuple[Path, str]]:
    """``(path, new text)`` of every solution whose install line differs from pyproject's."""
    changed = []
    for path in sorted(Path(solutions_dir).glob("*.ipynb")):
        nb = read(path)
        before = dumps(nb)
        if (after := dumps(set_install_line(nb, path.name))) != before:
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
