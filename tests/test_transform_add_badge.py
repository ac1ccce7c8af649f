"""The ``add_badge`` transform: the Colab badge of this notebook and how to hand it in, first."""

from nbformat.v4 import new_code_cell
from notebook_builders import notebook

from instructor.notebooks.transforms.add_badge import BADGE_CELL_ID, HAND_IN_NOTE, add_badge
from instructor.project import release_tag, repository_url


def test_the_badge_goes_first_links_this_notebook_at_the_release_tag_and_says_how_to_hand_in():
    nb = notebook(new_code_cell("x = 1"))
    out = add_badge(nb, "03_compare.ipynb")
    assert out is nb and len(out.cells) == 2 and out.cells[1].source == "x = 1"
    badge = out.cells[0]
    assert badge.cell_type == "markdown" and badge["id"] == BADGE_CELL_ID
    link = repository_url().removeprefix("https://github.com/")
    assert f"{link}/blob/{release_tag()}/notebooks/03_compare.ipynb" in badge.source
    assert badge.source.endswith(HAND_IN_NOTE)
