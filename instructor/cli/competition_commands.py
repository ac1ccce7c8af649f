"""``leaderboard`` and ``tally``: rank the competition's submissions, count the sentence vote."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from instructor.cli import options
from instructor.competition.ballot import (
    BallotItem,
    competition_key,
    make_ballot,
    read_votes,
    tally,
)
from instructor.competition.leaderboard import leaderboard
from instructor.names import read_roster
from instructor.reports.board import load_state, write_board
from instructor.reports.plain import plain

PAGE = Path("leaderboard.html")


def add_parsers(sub: argparse._SubParsersAction) -> None:
    board = sub.add_parser("leaderboard", help="rank competition submissions")
    board.add_argument("submissions_dir", type=Path)
    options.add_loudness(board)
    options.add_out(
        board, PAGE, "HTML page; .md, .csv, .json (for tally) and .key (ballot secret: keep it)"
    )
    board.add_argument(
        "--text", type=Path, help="public test text: this file instead of the test split"
    )
    board.add_argument(
        "--private-text",
        type=Path,
        help="rank on this instructor-held UTF-8 text (the corpus' characters only; see "
        "docs/instructors.md); the public test is scored next to it",
    )
    most = options.default_of(leaderboard, "max_params")
    options.add_option(board, "--max-params", options.positive_int, most, "largest model scored")
    options.add_jobs(board, options.default_of(leaderboard, "jobs"))
    options.add_unsandboxed(board)
    options.add_timeout(board, options.default_of(leaderboard, "timeout"), "submission")
    options.add_memory(board, options.default_of(leaderboard, "memory_mb"), "each scoring process")
    board.set_defaults(handler=leaderboard_command)

    count = sub.add_parser("tally", help="count best-sentence votes into the leaderboard page")
    count.add_argument(
        "votes", type=Path, help="CSV with columns voter, ballot_id (a voter's last row counts)"
    )
    options.add_out(count, PAGE, "the page `leaderboard` wrote (updated in place)")
    count.add_argument(
        "--roster",
        type=Path,
        help="CSV with columns id, name: only these students vote (id = their voter name and "
        "submission folder); without it every voter name counts",
    )
    count.set_defaults(handler=tally_command)


BOARD_FILES = (".html", ".md", ".csv", ".json", ".key")
"""The page's companions: Markdown, CSV, the state tally reads, the ballot's key."""


def _board_files(out: Path) -> list[Path]:
    return [out.with_suffix(suffix) for suffix in BOARD_FILES]


def leaderboard_command(args: argparse.Namespace) -> int:
    """Rank a folder of submissions, write the board and its ballot next to ``--out``."""
    options.refuse_overwriting(_board_files(args.out), [args.text, args.private_text])
    try:
        entries = leaderboard(
            args.submissions_dir,
            text_file=args.text,
            private_file=args.private_text,
            timeout=args.timeout,
            max_params=args.max_params,
            jobs=args.jobs,
            use_sandbox=not args.unsandboxed,
            memory_mb=args.memory_mb,
            progress=options.progress_level(args),
        )
    except ValueError as error:  # a refused private text
        print(f"leaderboard: nothing done. {error}", file=sys.stderr)
        return 2
    where = (
        "WITHOUT the sandbox, with the instructor's rights"
        if args.unsandboxed
        else "in the sandbox"
    )
    text = (
        "the instructor's private text (the public test split next to it)"
        if args.private_text
        else "the public test text (no private text configured: students can train on it)"
    )
    header = (
        f"{len(entries)} submission(s), scored {where}: bits per character on {text}, "
        f"at most {args.max_params:,} parameters, {args.timeout:g} s each."
    )
    ballot = make_ballot(entries, competition_key(args.out))
    paths = write_board(args.out, entries, ballot, header, not args.unsandboxed)
    print(args.out.with_suffix(".md").read_text(encoding="utf-8"))
    print(
        f"{sum(e.ok for e in entries)} scored, {sum(not e.ok for e in entries)} broken; "
        f"wrote {', '.join(map(str, paths))}"
    )
    return 0


def tally_command(args: argparse.Namespace) -> int:
    """Count the votes against the ballot the page's state file holds; add the award."""
    if not args.votes.is_file():
        raise FileNotFoundError(f"votes={str(args.votes)!r} is not a file.")
    if args.roster is not None and not args.roster.is_file():
        raise FileNotFoundError(f"--roster {str(args.roster)!r} is not a file.")
    options.refuse_overwriting(_board_files(args.out), [args.votes, args.roster])
    state = load_state(args.out)
    ballot = [BallotItem(**item) for item in state["ballot"]]
    try:
        roster = None if args.roster is None else read_roster(args.roster)
        result = tally(read_votes(args.votes), ballot, roster)
    except ValueError as error:
        print(f"tally: nothing done. {error}")
        return 2
    paths = write_board(
        args.out, state["entries"], ballot, state["header"], state["sandboxed"], result
    )
    winners = ", ".join(f"{w.ballot_id} ({plain(w.name, limit=60)})" for w in result.winners)
    most = max(result.counts.values(), default=0)
    print(
        f"{result.summary}. Best sentence: {winners or 'none'} with {most} vote(s). "
        f"Wrote {', '.join(map(str, paths))}"
    )
    return 0
