"""The ``strip_solutions`` and ``unmark_solutions`` transforms on exercise cells."""

from nbformat.v4 import new_code_cell
from notebook_builders import CHECK, EXERCISE, notebook, tagged

from instructor.notebooks.format import SOLUTION_BEGIN, SOLUTION_END, STUB_COMMENT
from instructor.notebooks.transforms.strip_solutions import strip_solutions, unmark_solutions


def test_the_region_becomes_a_stub_at_the_begin_lines_indentation_naming_the_exercise():
    out = strip_solutions(notebook(EXERCISE), "x.ipynb")
    assert out.cells[0].source == (
        "def double(x):\n"
        f"    {STUB_COMMENT}\n"
        '    raise NotImplementedError("Exercise double: replace this line with your code")'
    )


def test_every_region_of_a_cell_is_stubbed_and_the_code_between_them_stays():
    source = (
        f"a = 1\n{SOLUTION_BEGIN}\nb = 2\n{SOLUTION_END}\nc = 3\n"
        f"if c:\n    {SOLUTION_BEGIN}\n    d = 4\n    {SOLUTION_END}"
    )
    out = strip_solutions(notebook(tagged(new_code_cell(source), "exercise:two")))
    lines = out.cells[0].source.splitlines()
    assert [line for line in lines if "=" in line and "Error" not in line] == ["a = 1", "c = 3"]
    assert lines.count(STUB_COMMENT) == 1 and lines.count(f"    {STUB_COMMENT}") == 1
    assert "b = 2" not in out.cells[0].source and "d = 4" not in out.cells[0].source


def test_unmark_keeps_the_answer_and_drops_only_the_markers():
    out = unmark_solutions(notebook(EXERCISE))
    assert out.cells[0].source == "def double(x):\n    return 2 * x"


def test_cells_that_are_not_exercise_cells_are_left_alone():
    plain = new_code_cell(f"{SOLUTION_BEGIN}\nnot an exercise\n{SOLUTION_END}")
    nb = notebook(plain, CHECK)
    assert [c.source for c in strip_solutions(nb).cells] == [plain.source, CHECK.source]
