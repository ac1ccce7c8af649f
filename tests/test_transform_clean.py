"""The ``clean`` transform of a student copy: no output at all, not even a checked one."""

from nbformat.v4 import new_code_cell, new_output
from notebook_builders import notebook, tagged

from instructor.notebooks.transforms.clean import clean


def test_outputs_and_counts_go_even_in_checked_cells_and_cells_get_stable_ids():
    checked = tagged(new_code_cell("print(1)"), "nbval-check-output")
    checked.outputs = [new_output("stream", name="stdout", text="1\n")]
    checked.execution_count = 3
    other = new_code_cell("x = 1", execution_count=4)
    other.metadata["collapsed"] = True
    nb = notebook(checked, other)
    out = clean(nb, "x.ipynb")
    assert out is nb
    assert all(c.outputs == [] and c.execution_count is None for c in out.cells)
    assert "collapsed" not in out.cells[1].metadata
    ids = [c["id"] for c in out.cells]
    assert all(ids) and len(set(ids)) == 2
    assert [c["id"] for c in clean(notebook(checked, other)).cells] == ids  # stable
