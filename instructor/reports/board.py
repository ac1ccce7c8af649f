"""The competition's reports: the leaderboard as Markdown, CSV and an HTML page (ranking, a
scatter of bits per character against parameters, the anonymous best-sentence ballot, the
award), the state file ``tally`` reads, and what the instructor should check (look-alike
names, a public-test score much better than the private one).

Every text that came from a submission passes through :func:`instructor.reports.gradebook.plain`.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import asdict, fields
from pathlib import Path

from helpers.competition import Entry
from instructor.reports.board_page import leaderboard_html
from instructor.reports.board_ranking import TIE_NOTE, count, entry_flags, ranked
from instructor.reports.plain import plain

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
    for rank, e in ranked(entries):
        text = plain(e.sentence, "md", 160) if rank else "broken: " + plain(e.reason, "md", 300)
        bits = f"{e.bits:.3f}" if rank else "–"
        shown = f"{e.public_bits:.3f}" if rank and e.public_bits is not None else "–"
        lines.append(
            f"| {rank or '–'} | {plain(e.name, 'md', 80)} | {bits} | "
            + (f"{shown} | " if public else "")
            + f"{count(e.params)} | {text} | {plain(e.sentence_check, 'md', 120)} |"
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
        for rank, e in ranked(entries):
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


def load_state(out: Path) -> dict:
    """Read ``<out>.json`` written by :func:`write_board`; entries become :class:`Entry`."""
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
    """Write the page (``out``), ``.md``, ``.csv`` and the state ``.json`` (what ``tally`` needs to
    write the page again with the award); return the paths."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(leaderboard_html(entries, ballot, header, award), encoding="utf-8")
    markdown = leaderboard_markdown(entries, header, award)
    out.with_suffix(".md").write_text(markdown, encoding="utf-8")
    write_leaderboard_csv(entries, out.with_suffix(".csv"), sandboxed)
    state = {
        "header": header,
        "sandboxed": sandboxed,
        "entries": [asdict(e) for e in entries],
        "ballot": [asdict(item) for item in ballot],
        "award": None if award is None else asdict(award),
    }
    out.with_suffix(".json").write_text(json.dumps(state, indent=1), encoding="utf-8")
    return [out, out.with_suffix(".md"), out.with_suffix(".csv"), out.with_suffix(".json")]
