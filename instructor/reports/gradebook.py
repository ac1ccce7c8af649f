"""The gradebook's reports: the CSV, the Markdown summary, feedback per student, the LMS export.

Every text that came from a submission (student names, notebook names, reasons) passes through
:func:`instructor.reports.plain.plain` before it is written. The competition's reports are in
:mod:`instructor.reports.board`; the files of one gradebook are written together by
:mod:`instructor.reports.gradebook_files`.
"""

from __future__ import annotations

import csv
import html
import re
from collections.abc import Sequence
from pathlib import Path

from instructor.reports.plain import plain

GRADEBOOK_FIELDS = ("student", "notebook", "exercise", "points", "max_points", "reason")
"""Columns of the CSV gradebook."""


def _points(value: float) -> str:
    return f"{value:g}"


def write_gradebook_csv(rows: Sequence, path: str | Path) -> None:
    """Write one row per student and exercise with the columns :data:`GRADEBOOK_FIELDS`."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(GRADEBOOK_FIELDS)
        for row in rows:
            writer.writerow(
                [
                    plain(row.student, "csv"),
                    row.notebook,
                    row.exercise,
                    _points(row.points),
                    _points(row.max_points),
                    plain(row.reason, "csv"),
                ]
            )


def gradebook_markdown(rows: Sequence, header: str, picture: str | None = None) -> str:
    """The gradebook as Markdown: one table per notebook, then the points lost and why;
    ``picture``, a file name next to it, is shown under the header (the score histograms)."""
    lines = ["# Gradebook", "", plain(header, "md", 1000)]
    if picture:
        lines += ["", f"![Students per points scored, for each exercise]({picture})"]
    for notebook in sorted({row.notebook for row in rows if row.notebook != "-"}):
        mine = [row for row in rows if row.notebook == notebook]
        ids = list(dict.fromkeys(row.exercise for row in mine))
        maximum = {row.exercise: row.max_points for row in mine}
        lines += ["", f"## {plain(notebook, 'md')} (maximum {_points(sum(maximum.values()))})", ""]
        lines.append(
            "| student | " + " | ".join(f"{i} ({_points(maximum[i])})" for i in ids) + " | total |"
        )
        lines.append("| --- |" + " ---: |" * (len(ids) + 1))
        for student in sorted({row.student for row in mine}):
            got = {row.exercise: row.points for row in mine if row.student == student}
            cells = " | ".join(_points(got.get(i, 0.0)) for i in ids)
            lines.append(f"| {plain(student, 'md')} | {cells} | {_points(sum(got.values()))} |")
        lost = [row for row in mine if row.points < row.max_points]
        if lost:
            lines += ["", "Points lost:", ""]
            lines += [
                f"- **{plain(r.student, 'md')}**, `{r.exercise}`: {plain(r.reason, 'md')}"
                for r in lost
            ]
    unmatched = [row for row in rows if row.notebook == "-"]
    if unmatched:
        lines += ["", "## Not graded", ""]
        lines += [f"- **{plain(r.student, 'md')}**: {plain(r.reason, 'md')}" for r in unmatched]
    return "\n".join(lines) + "\n"


def _safe_file_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", plain(text, limit=80)).strip("._") or "student"


def write_feedback(rows: Sequence, folder: str | Path) -> list[Path]:
    """Write one Markdown feedback file per student and notebook; return their paths.

    Feedback shows points per exercise and, for lost points, the student-facing message only
    (visible checks' messages; a failed hidden check is named, never shown). Two students whose
    names give one file name (``a/b`` and ``a?b``; ``Alice`` and ``alice`` on a case-blind disk)
    get two files (``a_b``, ``a_b-2``): no file is ever written twice.
    """
    folder = Path(folder)
    written = []
    taken: set[str] = set()
    for student in sorted({row.student for row in rows}):
        for notebook in sorted({row.notebook for row in rows if row.student == student}):
            mine = [r for r in rows if r.student == student and r.notebook == notebook]
            total = sum(r.points for r in mine)
            most = sum(r.max_points for r in mine)
            lines = [
                f"# Feedback: {plain(notebook, 'md')}",
                "",
                f"Student: {plain(student, 'md')}. Points: {_points(total)} of {_points(most)}.",
                "",
                "| exercise | points | feedback |",
                "| --- | ---: | --- |",
            ]
            for r in mine:
                lines.append(
                    f"| {plain(r.exercise, 'md')} | {_points(r.points)} / "
                    f"{_points(r.max_points)} | {plain(r.feedback, 'md')} |"
                )
            base = f"{_safe_file_name(student)}/{_safe_file_name(notebook)}"
            name, number = base, 1
            while name.casefold() in taken:
                number += 1
                name = f"{_safe_file_name(student)}-{number}/{_safe_file_name(notebook)}"
            taken.add(name.casefold())
            path = folder / f"{name}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            written.append(path)
    return written


def write_lms_csv(rows: Sequence, path: str | Path) -> None:
    """One row per student: student, total, max, then the total of every notebook."""
    notebooks = sorted({row.notebook for row in rows if row.notebook != "-"})
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "total", "max", *notebooks])
        maxima = {
            n: sum(
                {(r.notebook, r.exercise): r.max_points for r in rows if r.notebook == n}.values()
            )
            for n in notebooks
        }
        for student in sorted({row.student for row in rows}):
            got = {
                n: sum(r.points for r in rows if r.student == student and r.notebook == n)
                for n in notebooks
            }
            writer.writerow(
                [
                    plain(student, "csv"),
                    _points(sum(got.values())),
                    _points(sum(maxima.values())),
                    *(_points(got[n]) for n in notebooks),
                ]
            )
