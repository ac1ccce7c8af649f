"""The ``strip_metadata`` transform: each cell keeps its tags, and nothing else of its metadata."""

from nbformat.v4 import new_code_cell, new_markdown_cell
from notebook_builders import EXERCISE, notebook

from instructor.notebooks.student_copies import student_notebook
from instructor.notebooks.transforms.strip_metadata import strip_metadata


def _noted(cell):
    cell.metadata["nbgrader"] = {"grade_id": "double", "checksum": "5ab3"}
    cell.metadata["note"] = "answer: return 2 * x"
    return cell


def test_only_tags_stay_and_attachments_go():
    picture = new_markdown_cell("![](attachment:answer.png)")
    picture["attachments"] = {"answer.png": {"image/png": "iVBORw0KGgo="}}
    nb = notebook(_noted(EXERCISE), _noted(new_code_cell("x = 1")), picture)
    out = strip_metadata(nb, "x.ipynb")
    assert out is nb
    assert [dict(c.metadata) for c in out.cells] == [{"tags": ["exercise:double"]}, {}, {}]
    assert "attachments" not in out.cells[2]


def test_a_student_copy_carries_no_note_an_author_left_in_the_metadata():
    from notebook_builders import CHECK

    student = student_notebook(notebook(_noted(EXERCISE), CHECK))
    assert all(set(cell.metadata) <= {"tags"} for cell in student.cells)
    assert "2 * x" not in str(student)
