"""Small notebooks built in code, for the tests of the notebook transforms and copies."""

from __future__ import annotations

import copy

from nbformat.v4 import new_code_cell, new_notebook

from instructor.notebooks.format import HIDDEN_BEGIN


def tagged(cell, *cell_tags: str):
    """``cell`` with exactly these tags (in place; returned)."""
    cell.metadata["tags"] = list(cell_tags)
    return cell


def notebook(*cells):
    """A notebook of copies of ``cells``, without cell ids (as an author's old file might be)."""
    nb = new_notebook()
    nb.nbformat_minor = 4
    nb.cells = [copy.deepcopy(cell) for cell in cells]
    for cell in nb.cells:
        cell.pop("id", None)
    return nb


EXERCISE = tagged(
    new_code_cell("def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"),
    "exercise:double",
)
CHECK = tagged(
    new_code_cell(
        "for x in (3, -1.5, 10**6):\n"
        '    assert double(x) == x + x, f"double({x}) should be {x + x}"\n'
        f"{HIDDEN_BEGIN}\n"
        'assert double("ab") == "abab", "double should work for strings too"\n'
        "### END HIDDEN CHECKS"
    ),
    "check:double",
)
"""An exercise and its check cell, as ``docs/authoring.md`` describes them."""
