"""Report writers: the gradebook (CSV, Markdown), feedback per student, the LMS export, and
:func:`plain`, which every report uses (the competition's are in :mod:`instructor.board_reports`).

Every text that came from a submission (student names, notebook names, reasons, sentences)
passes through :func:`plain` before it is written in any format, so no submission can add a
row to a table, break a line, colour a terminal or inject HTML.
"""

from __future__ import annotations

import csv
import html
import re
from collections.abc import Sequence
from pathlib import Path

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")
# Control, line-separator, bidi and invisible format characters (zero-width, word joiner,
# invisible operators, soft hyphen, byte-order mark): each becomes a space.
_CONTROL = re.compile(
    r"[\x00-\x1f\x7f-\x9f\xad\u2028\u2029\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
)

GRADEBOOK_FIELDS = ("student", "notebook", "exercise", "points", "max_points", "reason")
"""Columns of the CSV gradebook."""


def plain(value: object, fmt: str = "text", limit: int = 240) -> str:
    """Return ``value`` as one safe line of plain text for ``fmt``.

    ANSI sequences and control characters (line breaks included) are removed, white space is
    folded, the text is cut to ``limit`` characters; then for ``fmt="md"`` ``|``, ``\\``, ``<``,
    ``>``, ``&``, backticks and ``*_[]`` are escaped for a Markdown table cell, and for
    ``fmt="html"`` the text is HTML-escaped. For ``fmt="csv"`` a text starting with ``=``,
    ``+``, ``-`` or ``@`` gets a leading ``'``, so a spreadsheet shows it instead of running it
    as a formula (``=HYPERLINK(...)``); ``fmt="text"`` only cleans.
    """
    if fmt not in ("text", "csv", "md", "html"):
        raise ValueError(f"fmt={fmt!r}; use 'text', 'csv', 'md' or 'html'.")
    text = _CONTROL.sub(" ", _ANSI.sub("", str(value)))
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: max(0, limit - 1)] + "…"
    if fmt == "md":
        text = html.escape(text, quote=False)
        text = re.sub(r"([\\|`*_\[\]])", r"\\\1", text)
    elif fmt == "html":
        text = html.escape(text, quote=True)
    elif fmt == "csv" and text[:1] in ("=", "+", "-", "@"):
        text = "'" + text
    return text


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
