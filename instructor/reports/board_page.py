"""The leaderboard as one HTML page: ranking, scatter, ballot and award.

Every text from a submission is escaped with :func:`instructor.reports.plain.plain`; the page
runs no script and loads nothing from elsewhere; the scatter of bits per character against
parameters is an inline SVG.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from instructor.reports.board_ranking import TIE_NOTE, count, ranked
from instructor.reports.plain import plain

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
    for rank, e in ranked(entries):
        status = "scored" if rank else plain(e.reason, "html", 300)
        bits = f"{e.bits:.3f}" if rank else "–"
        rows.append(
            f'<tr class="{"scored" if rank else "broken"}"><td class="n">{rank or "–"}'
            f'</td><td>{plain(e.name, "html", 80)}</td><td class="n">{bits}</td>'
            f'<td class="n">{count(e.params)}</td><td>{status}</td></tr>'
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
