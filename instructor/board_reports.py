"""The competition's reports: the leaderboard as Markdown, CSV and an HTML page (ranking, a
scatter of bits per character against parameters, the anonymous best-sentence ballot, the
award), the state file ``tally`` reads, and what the instructor should check (look-alike
names, a public-test score much better than the private one).

Every text that came from a submission passes through :func:`instructor.reports.plain`.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Sequence
from dataclasses import asdict, fields
from pathlib import Path

from helpers.competition import Entry
from instructor.reports import plain

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
    "public_test_bits",
    "flags",
)
"""Columns of the leaderboard CSV (``bits_per_char`` ranks: on the private text when there is
one; ``public_test_bits`` is then the public test's)."""


def entry_flags(entries: Sequence) -> dict[str, list[str]]:
    """Folder -> what the instructor should look at: names that collide or look alike
    (:func:`instructor.names.name_flags`) and a public-test score much better than the private
    one (:data:`instructor.scored_texts.GAP_FLAG_BITS`)."""
    from instructor.names import name_flags
    from instructor.scored_texts import GAP_FLAG_BITS

    flags = {folder: [note] for folder, note in name_flags(list(entries)).items()}
    for e in entries:
        if e.ok and e.public_bits is not None and e.bits - e.public_bits > GAP_FLAG_BITS:
            flags.setdefault(e.folder, []).append(
                f"trained on the public test? {e.bits - e.public_bits:.2f} bits/char better on "
                "it than on the private text"
            )
    return flags


TIE_BITS = 0.0015
"""Scores this close (bits per character) share a rank. The causal probe lets through a
look-ahead whose log-probabilities move by less than :data:`helpers.scoring.LOG_PROB_TOLERANCE`
(1e-3 nats), which gains at most 1e-3 / ln 2 = 0.00144 bits per character; a gap that small
cannot tell an honest model from such a peek, so it does not decide the order."""


TIE_NOTE = (
    f"Scores within {TIE_BITS} bits per character of each other share a rank: a gap that "
    "small could come from a look-ahead too faint for the check to see."
)


def _ranked(entries: Sequence) -> list[tuple[int | None, object]]:
    """``(rank, entry)`` in board order: scored entries first, broken ones after with ``None``.

    Scored entries are ranked by ``bits``; a run of entries within :data:`TIE_BITS` of the
    first of its run shares that run's rank (``1, 1, 3``) and is listed by parameters, then
    folder, so inside a tie the order says nothing about the score."""
    scored = sorted((e for e in entries if e.ok), key=lambda e: e.bits)
    ranked: list[tuple[int | None, object]] = []
    start = 0
    while start < len(scored):
        end = start + 1
        while end < len(scored) and scored[end].bits - scored[start].bits <= TIE_BITS:
            end += 1
        tied = sorted(scored[start:end], key=lambda e: (e.params or 0, e.folder))
        ranked += [(start + 1, e) for e in tied]
        start = end
    return ranked + [(None, e) for e in entries if not e.ok]


def _count(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) else "–"


def leaderboard_markdown(entries: Sequence, header: str, award: object | None = None) -> str:
    """The leaderboard as Markdown: one table row per submission folder (with a private text,
    the public test's bits next to the private ones), what to check, then the award."""
    public = any(e.public_bits is not None for e in entries)
    lines = [
        "# Competition leaderboard",
        "",
        plain(header, "md", 1000),
        "",
        TIE_NOTE,
        "",
        "| rank | name | bits/char | "
        + ("public test | " if public else "")
        + "parameters | sentence / reason | sentence check |",
        "| ---: | --- | ---: | " + ("---: | " if public else "") + "---: | --- | --- |",
    ]
    for rank, e in _ranked(entries):
        text = plain(e.sentence, "md", 160) if rank else "broken: " + plain(e.reason, "md", 300)
        bits = f"{e.bits:.3f}" if rank else "–"
        shown = f"{e.public_bits:.3f}" if rank and e.public_bits is not None else "–"
        lines.append(
            f"| {rank or '–'} | {plain(e.name, 'md', 80)} | {bits} | "
            + (f"{shown} | " if public else "")
            + f"{_count(e.params)} | {text} | {plain(e.sentence_check, 'md', 120)} |"
        )
    flags = entry_flags(entries)
    if flags:
        lines += ["", "## To check", ""]
        lines += [
            f"- {plain(folder, 'md', 80)}: {plain('; '.join(notes), 'md', 400)}"
            for folder, notes in flags.items()
        ]
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
    flags = entry_flags(entries)
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
                    f"{e.public_bits:.4f}" if rank and e.public_bits is not None else "",
                    plain("; ".join(flags.get(e.folder, [])), "csv", 400),
                ]
            )


_PAGE_STYLE = """body{font-family:system-ui,sans-serif;max-width:70em;margin:2em auto;color:#222}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ccc;padding:.3em .6em;
text-align:left;vertical-align:top}td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.broken{color:#777}.id{font-family:monospace;font-weight:bold;margin-right:.6em}
.check{font-size:.85em;color:#555;margin-left:.6em}#ballot{list-style:none;padding:0}
#ballot li{margin:.5em 0}
#award{background:#fff6d6;padding:.5em 1em;border-radius:.4em}.note{color:#555}
#scatter circle{fill:#2a6fb0;fill-opacity:.75}#scatter text{font-size:11px;fill:#333}
#scatter line{stroke:#999}"""


def scatter_svg(entries: Sequence, width: int = 640, height: int = 300) -> str:
    """An inline SVG scatter of the scored entries: bits per character against parameters
    (log scale), one circle per entry with its name as a tooltip. Plain markup, no script
    and no external resource, so the page's Content-Security-Policy allows it."""
    points = [e for e in entries if e.ok and isinstance(e.params, int) and e.params > 0]
    if not points:
        return '<p class="note">No scored entry to plot.</p>'
    left, bottom, top, right = 60, 40, 30, 20
    xs = [math.log10(e.params) for e in points]
    ys = [float(e.bits) for e in points]
    x0, x1 = min(xs) - 0.1, max(xs) + 0.1
    y0, y1 = 0.0, max(ys) * 1.1 or 1.0

    def at(x: float, y: float) -> tuple[float, float]:
        return (
            left + (x - x0) / (x1 - x0) * (width - left - right),
            height - bottom - (y - y0) / (y1 - y0) * (height - top - bottom),
        )

    marks = []
    for e, x, y in zip(points, xs, ys, strict=True):
        cx, cy = at(x, y)
        tip = plain(f"{e.name}: {e.bits:.3f} bits/char, {e.params:,} parameters", "html", 160)
        marks.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="5"><title>{tip}</title></circle>')
    (ax, ay), (bx, by) = at(x0, y0), at(x1, y1)
    ticks = [
        f'<text x="{at(t, y0)[0]:.1f}" y="{ay + 16:.1f}" text-anchor="middle">{10**t:,.0f}</text>'
        for t in (range(math.ceil(x0), math.floor(x1) + 1) or sorted({min(xs), max(xs)}))
    ]
    ticks += [
        f'<text x="{ax - 6:.1f}" y="{at(x0, v)[1] + 4:.1f}" text-anchor="end">{v:.1f}</text>'
        for v in (y0, y1 / 2, y1)
    ]
    return (
        f'<svg id="scatter" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" role="img" aria-labelledby="scatter-title">'
        '<title id="scatter-title">Bits per character against parameters</title>'
        f'<text x="{width / 2:.0f}" y="16" text-anchor="middle">Bits per character (lower is '
        "better) against parameters, one circle per scored entry</text>"
        f'<line x1="{ax:.1f}" y1="{ay:.1f}" x2="{bx:.1f}" y2="{ay:.1f}"/>'
        f'<line x1="{ax:.1f}" y1="{ay:.1f}" x2="{ax:.1f}" y2="{by:.1f}"/>'
        + "".join(ticks + marks)
        + f'<text x="{width / 2:.0f}" y="{height - 6}" text-anchor="middle">parameters '
        "(log scale)</text></svg>"
    )


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
<p class="note" id="ties">{TIE_NOTE}</p>
{scatter_svg(entries)}
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


def save_state(
    out: Path,
    entries: list[Entry],
    ballot: list,
    header: str,
    sandboxed: bool,
    award: object | None = None,
) -> None:
    """Write ``<out>.json``: what ``tally`` needs to write the page again with the award."""
    state = {
        "header": header,
        "sandboxed": sandboxed,
        "entries": [asdict(e) for e in entries],
        "ballot": [asdict(item) for item in ballot],
        "award": None if award is None else asdict(award),
    }
    out.with_suffix(".json").write_text(json.dumps(state, indent=1), encoding="utf-8")


def load_state(out: Path) -> dict:
    """Read ``<out>.json`` written by :func:`save_state`; entries become :class:`Entry`."""
    path = out.with_suffix(".json")
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist: run ./course leaderboard first.")
    state = json.loads(path.read_text(encoding="utf-8"))
    names = {f.name for f in fields(Entry)}
    state["entries"] = [
        Entry(**{k: v for k, v in e.items() if k in names}) for e in state["entries"]
    ]
    return state


def write_board(
    out: Path,
    entries: list[Entry],
    ballot: list,
    header: str,
    sandboxed: bool,
    award: object | None = None,
) -> list[Path]:
    """Write the page (``out``), ``.md``, ``.csv`` and the state ``.json``; return the paths."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(leaderboard_html(entries, ballot, header, award), encoding="utf-8")
    markdown = leaderboard_markdown(entries, header, award)
    out.with_suffix(".md").write_text(markdown, encoding="utf-8")
    write_leaderboard_csv(entries, out.with_suffix(".csv"), sandboxed)
    save_state(out, entries, ballot, header, sandboxed, award)
    return [out, out.with_suffix(".md"), out.with_suffix(".csv"), out.with_suffix(".json")]
