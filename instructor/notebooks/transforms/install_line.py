"""Set the setup cell's ``COURSE = "..."`` install line from ``pyproject.toml``.

Every notebook's setup cell (its first code cell) names what Colab installs in one line,
``COURSE = "rnn-course-pack @ git+URL@vVERSION"``, written from
:func:`instructor.project.install_spec` and never by hand.
"""

from __future__ import annotations

import re

from instructor.notebooks.format import NotebookFormatError
from instructor.project import install_spec

LINE = re.compile(r'^COURSE = "[^"\n]*"$', re.MULTILINE)


def set_install_line(nb, name: str = "notebook"):
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
