"""The ``drop_solution_only`` transform: cells tagged ``solution-only`` go, the rest stay."""

from nbformat.v4 import new_code_cell, new_markdown_cell
from notebook_builders import CHECK, EXERCISE, notebook, tagged

from instructor.notebooks.transforms.drop_solution_only import drop_solution_only


def test_drops_only_the_tagged_cells_of_either_kind_and_keeps_the_order():
    worked = tagged(new_code_cell("answer = 42"), "solution-only")
    note = tagged(new_markdown_cell("Instructor: the trick is..."), "solution-only", "other")
    intro = new_markdown_cell("# Intro")
    nb = notebook(intro, worked, EXERCISE, note, CHECK)
    out = drop_solution_only(nb, "x.ipynb")
    assert out is nb  # in place, as every transform
    assert [c.source for c in out.cells] == [intro.source, EXERCISE.source, CHECK.source]


def test_a_tag_that_only_looks_alike_is_kept():
    cells = [tagged(new_code_cell("a = 1"), name) for name in ("solution", "Solution-only", "x")]
    assert len(drop_solution_only(notebook(*cells)).cells) == 3
