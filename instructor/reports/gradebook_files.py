"""Every file of a gradebook, written from its rows: the one writer of ``grade`` and ``merge``.

``gradebook.csv`` and its companions next to it: ``.md`` (tables and reasons), ``.png`` (scores
per exercise), ``-lms.csv``, ``-feedback/`` (one file per student and notebook) and
``-rows.json`` (the rows themselves, for :mod:`instructor.grading.shards`). The same rows and the
same ``graded`` line give the same bytes, which is what lets shards merge into one gradebook.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from instructor.grading.shards import canonical_order, write_rows
from instructor.grading.verdicts import GradeRow
from instructor.reports import gradebook as reports
from instructor.reports.score_plots import write_score_histograms


def write_gradebook(
    rows: Sequence[GradeRow], out: str | Path, *, graded: str, shard: tuple[int, int] = (1, 1)
) -> str:
    """Write the gradebook ``out`` (a ``.csv`` path) and its companions; return a summary line.

    Args:
        graded: how the rows were graded, e.g. ``"graded in the sandbox in smoke mode: ..."``.
        shard: ``(i, N)`` of a sharded run; ``(1, 1)`` for a whole class.
    """
    rows = canonical_order(rows)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    reports.write_gradebook_csv(rows, out)
    students = len({row.student for row in rows})
    part = f" (shard {shard[0]}/{shard[1]})" if shard != (1, 1) else ""
    header = f"{students} student(s){part}, {graded}"
    picture = write_score_histograms(rows, out.with_suffix(".png"))
    markdown = reports.gradebook_markdown(rows, header, picture=picture.name)
    out.with_suffix(".md").write_text(markdown, encoding="utf-8")
    lms = out.with_name(out.stem + "-lms.csv")
    reports.write_lms_csv(rows, lms)
    feedback = out.with_name(out.stem + "-feedback")
    files = reports.write_feedback(rows, feedback)
    write_rows(rows, out, shard, graded)
    return (
        f"wrote {out} ({len(rows)} rows), {out.with_suffix('.md')}, {picture.name} (scores per "
        f"exercise), {lms} and {len(files)} feedback files in {feedback}/"
    )
