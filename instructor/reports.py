"""Report writers: the gradebook (CSV, Markdown), feedback per student, the LMS export, and the
competition leaderboard (Markdown, CSV, HTML page with the best-sentence ballot).

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
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069]")

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


def gradebook_markdown(rows: Sequence, header: str) -> str:
    """The gradebook as Markdown: one table per notebook, then the points lost and why."""
    lines = ["# Gradebook", "", plain(header, "md", 1000)]
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
    (visible checks' messages; a failed hidden check is named, never shown).
    """
    folder = Path(folder)
    written = []
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
            path = folder / _safe_file_name(student) / f"{_safe_file_name(notebook)}.md"
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


# -- the competition leaderboard -------------------------------------------------------------

LEADERBOARD_FIELDS = (
    "rank",
    "name",
    "folder",
    "bits_per_char",
    "nats_per_char",
    "params",
    "sentence",
    "sentence_check",
    "reason",
    "scored_in_sandbox",
)
"""Columns of the leaderboard CSV."""


def _ranked(entries: Sequence) -> list[tuple[int | None, object]]:
    """``(rank, entry)``: scored entries ranked 1, 2, ... in order, broken ones ``None``."""
    rank, ranked = 0, []
    for entry in entries:
        rank += bool(entry.ok)
        ranked.append((rank if entry.ok else None, entry))
    return ranked


def _count(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) else "–"


def leaderboard_markdown(entries: Sequence, header: str, award: object | None = None) -> str:
    """The leaderboard as Markdown: one table row per submission folder, then the award."""
    lines = [
        "# Competition leaderboard",
        "",
        plain(header, "md", 1000),
        "",
        "| rank | name | bits/char | parameters | sentence / reason | sentence check |",
        "| ---: | --- | ---: | ---: | --- | --- |",
    ]
    for rank, e in _ranked(entries):
        text = plain(e.sentence, "md", 160) if rank else "broken: " + plain(e.reason, "md", 300)
        bits = f"{e.bits:.3f}" if rank else "–"
        lines.append(
            f"| {rank or '–'} | {plain(e.name, 'md', 80)} | {bits} | {_count(e.params)} "
            f"| {text} | {plain(e.sentence_check, 'md', 120)} |"
        )
    if award is not None:
        lines += ["", "## Best sentence", ""]
        for item in award.winners:
            lines.append(
                f"- **{plain(item.name, 'md', 80)}** (ballot id "
                f"{plain(item.ballot_id, 'md', 16)}, {award.counts[item.ballot_id]} "
                f"vote(s)): {plain(item.sentence, 'md', 400)}"
            )
        lines += ["" if award.winners else "No valid votes.", plain(award.summary, "md", 400)]
    return "\n".join(lines) + "\n"


def write_leaderboard_csv(entries: Sequence, path: str | Path, sandboxed: bool) -> None:
    """Write one row per submission with the columns :data:`LEADERBOARD_FIELDS`."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(LEADERBOARD_FIELDS)
        for rank, e in _ranked(entries):
            writer.writerow(
                [
                    rank or "",
                    plain(e.name, "csv", 80),
                    plain(e.folder, "csv", 80),
                    f"{e.bits:.4f}" if rank else "",
                    f"{e.nats:.4f}" if rank else "",
                    e.params if isinstance(e.params, int) else "",
                    plain(e.sentence, "csv", 1000),
                    plain(e.sentence_check, "csv", 120),
                    plain(e.reason, "csv", 300),
                    "yes" if sandboxed else "no",
                ]
            )


_PAGE_STYLE = """body{font-family:system-ui,sans-serif;max-width:70em;margin:2em auto;color:#222}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ccc;padding:.3em .6em;
text-align:left;vertical-align:top}td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.broken{color:#777}.id{font-family:monospace;font-weight:bold;margin-right:.6em}
.check{font-size:.85em;color:#555;margin-left:.6em}#ballot{list-style:none;padding:0}
#ballot li{margin:.5em 0}
#award{background:#fff6d6;padding:.5em 1em;border-radius:.4em}.note{color:#555}"""


def leaderboard_html(
    entries: Sequence, ballot: Sequence, header: str, award: object | None = None
) -> str:
    """The leaderboard page: the ranking (no sentences: the ballot is anonymous), the ballot of
    sentences by ballot id, and the award once the votes are counted.

    Every text passes through :func:`plain` (``fmt="html"``); the page has no script and a
    Content-Security-Policy that allows none, so even a missed escape could not run code.
    """
    rows = []
    for rank, e in _ranked(entries):
        status = "scored" if rank else plain(e.reason, "html", 300)
        bits = f"{e.bits:.3f}" if rank else "–"
        rows.append(
            f'<tr class="{"scored" if rank else "broken"}"><td class="n">{rank or "–"}'
            f'</td><td>{plain(e.name, "html", 80)}</td><td class="n">{bits}</td>'
            f'<td class="n">{_count(e.params)}</td><td>{status}</td></tr>'
        )
    items = [
        f'<li><span class="id">{plain(b.ballot_id, "html", 16)}</span><q>'
        f'{plain(b.sentence, "html", 400)}</q><span class="check">'
        f"{plain(b.sentence_check, 'html', 120)}</span></li>"
        for b in ballot
    ]
    prize = ""
    if award is not None:
        won = [
            f"<li><strong>{plain(w.name, 'html', 80)}</strong> (ballot <code>"
            f"{plain(w.ballot_id, 'html', 16)}</code>, {award.counts[w.ballot_id]} vote(s)): "
            f"<q>{plain(w.sentence, 'html', 400)}</q></li>"
            for w in award.winners
        ]
        prize = (
            f'<section id="award"><h2>Best sentence</h2><ul>{"".join(won)}</ul>'
            f"{'' if won else '<p>No valid votes.</p>'}"
            f'<p class="note">{plain(award.summary, "html", 400)}</p></section>'
        )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Competition leaderboard</title><style>{_PAGE_STYLE}</style></head><body>
<h1>Competition leaderboard</h1>
<p class="note">{plain(header, "html", 1000)}</p>
{prize}
<h2>Ranking by bits per character (lower is better)</h2>
<table id="ranking"><thead><tr><th>rank</th><th>name</th><th>bits/char</th><th>parameters</th>
<th>status</th></tr></thead><tbody>
{chr(10).join(rows)}
</tbody></table>
<h2>Best sentence: the ballot</h2>
<p class="note">Vote with the id of the sentence you like best (not your own). "reproduced": the
model wrote it again from its generation settings; "not reproduced": it did not.</p>
<ul id="ballot">
{chr(10).join(items)}
</ul>
</body></html>
"""
