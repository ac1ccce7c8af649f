"""The gradebook's picture: one histogram of points per exercise."""

from __future__ import annotations

import matplotlib.image

from instructor.grading.verdicts import GradeRow
from instructor.reports.gradebook import gradebook_markdown
from instructor.reports.score_plots import score_histograms, write_score_histograms


def _rows():
    rows = []
    for k, (a, b) in enumerate([(3, 1), (3, 0), (1.5, 1), (0, 1)]):
        rows.append(GradeRow(f"s{k}", "01_one_hot.ipynb", "one_hot", a, 3, ""))
        rows.append(GradeRow(f"s{k}", "07_gates.ipynb", "lstm_step", b, 1, ""))
    rows.append(GradeRow("late", "-", "-", 0, 0, "no notebook matched"))
    return rows


def test_each_exercise_gets_a_panel_counting_students_per_score():
    figure = score_histograms(_rows())
    axes = [ax for ax in figure.axes if ax.patches]
    assert [ax.get_title().split("\n")[1].split(":")[0] for ax in axes] == ["one_hot", "lstm_step"]
    bars = {
        ax.get_title().split("\n")[1].split(":")[0]: {
            round(p.get_x() + p.get_width() / 2, 3): p.get_height() for p in ax.patches
        }
        for ax in axes
    }
    assert bars == {"one_hot": {0.0: 1, 1.5: 1, 3.0: 2}, "lstm_step": {0.0: 1, 1.0: 3}}
    assert "mean 1.9 of 3" in axes[0].get_title() and "(4 students)" in figure.get_suptitle()


def test_the_png_is_written_and_linked_from_the_gradebook(tmp_path):
    path = write_score_histograms(_rows(), tmp_path / "gradebook.png")
    height, width, _ = matplotlib.image.imread(path).shape
    assert width > 400 and height > 200
    markdown = gradebook_markdown(_rows(), "4 students", picture=path.name)
    assert "](gradebook.png)" in markdown.split("## ")[0]
    assert "](" not in gradebook_markdown(_rows(), "4 students")


def test_an_empty_class_still_gives_a_picture(tmp_path):
    assert write_score_histograms([], tmp_path / "empty.png").stat().st_size > 0
