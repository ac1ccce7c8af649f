"""The ``strip_hidden_checks`` transform: a check cell loses its hidden region, nothing else."""

from nbformat.v4 import new_code_cell, new_markdown_cell
from notebook_builders import CHECK, EXERCISE, notebook, tagged

from instructor.notebooks.format import HIDDEN_BEGIN, HIDDEN_END
from instructor.notebooks.transforms.strip_hidden_checks import strip_hidden_checks


def test_the_hidden_region_and_its_markers_go_the_visible_checks_stay():
    out = strip_hidden_checks(notebook(CHECK), "x.ipynb")
    assert out.cells[0].source == (
        "for x in (3, -1.5, 10**6):\n"
        '    assert double(x) == x + x, f"double({x}) should be {x + x}"'
    )


def test_a_region_between_visible_lines_leaves_both_sides():
    source = f"a = 1\n{HIDDEN_BEGIN}\nsecret = 2\n{HIDDEN_END}\nb = 3"
    out = strip_hidden_checks(notebook(tagged(new_code_cell(source), "check:x")))
    assert out.cells[0].source == "a = 1\nb = 3"


def test_exercise_cells_markdown_and_untagged_code_are_left_alone():
    text = f"{HIDDEN_BEGIN}\nshown in prose\n{HIDDEN_END}"
    cells = [EXERCISE, new_markdown_cell(text), new_code_cell(text)]
    assert [c.source for c in strip_hidden_checks(notebook(*cells)).cells] == [
        c.source for c in cells
    ]
