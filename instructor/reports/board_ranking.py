"""The board's order: ranks (ties within :data:`TIE_BITS`), counts, and what to look at.

Shared by every format of the board (:mod:`instructor.reports.board` writes Markdown, CSV and
the state file; :mod:`instructor.reports.board_page` the HTML page).
"""

from __future__ import annotations

from collections.abc import Sequence


def entry_flags(entries: Sequence) -> dict[str, list[str]]:
    """Folder -> what the instructor should look at: names that collide or look alike
    (:func:`instructor.names.name_flags`) and a public-test score much better than the private
    one (:data:`instructor.competition.scored_texts.GAP_FLAG_BITS`)."""
    from instructor.competition.scored_texts import GAP_FLAG_BITS
    from instructor.names import name_flags

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


def ranked(entries: Sequence) -> list[tuple[int | None, object]]:
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


def count(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) else "–"
