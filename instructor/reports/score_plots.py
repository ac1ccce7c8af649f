"""How the class did, as a picture: one histogram of points per exercise (``gradebook.png``).

``./course grade`` writes it next to ``gradebook.md``, which links it. Each small panel counts
the students at each score of one exercise, from 0 to its maximum, so an exercise that most
students lost (or a check that fails everyone) stands out at a glance.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

COLUMNS = 4


def score_histograms(rows: Sequence) -> Figure:
    """A figure with one bar chart per graded exercise: students (y) per points scored (x).

    Args:
        rows: :class:`instructor.grading.verdicts.GradeRow`-like objects (``student``, ``notebook``,
            ``exercise``, ``points``, ``max_points``); rows of no notebook (``"-"``) are left out.
    """
    graded = [row for row in rows if row.notebook != "-"]
    panels = list(dict.fromkeys((row.notebook, row.exercise) for row in graded))
    count = max(len(panels), 1)
    lines = -(-count // COLUMNS)
    figure = Figure(figsize=(3.2 * min(count, COLUMNS), 2.4 * lines + 0.8), layout="constrained")
    students = len({row.student for row in graded})
    figure.suptitle(
        f"Students per points scored, for each exercise ({students} students)", fontsize=12
    )
    for k, (notebook, exercise) in enumerate(panels):
        mine = [row for row in graded if (row.notebook, row.exercise) == (notebook, exercise)]
        maximum = max(row.max_points for row in mine)
        scores = np.array([row.points for row in mine])
        values, counts = np.unique(scores, return_counts=True)
        ax = figure.add_subplot(lines, COLUMNS, k + 1)
        width = max(maximum, 1) / 12
        ax.bar(values, counts, width=width, color="C0")
        ax.set_xlim(-width, maximum + width)
        ax.set_xticks(sorted({0.0, maximum, *values.tolist()}))
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.set_title(
            f"{notebook.removesuffix('.ipynb')[:28]}\n{exercise[:28]}: mean "
            f"{scores.mean():.2g} of {maximum:g}",
            fontsize=9,
        )
        ax.set_xlabel("points", fontsize=8)
        ax.set_ylabel("students", fontsize=8)
    return figure


def write_score_histograms(rows: Sequence, path: str | Path) -> Path:
    """Save :func:`score_histograms` of ``rows`` as a PNG at ``path``; return the path."""
    path = Path(path)
    score_histograms(rows).savefig(path, dpi=100)
    return path
