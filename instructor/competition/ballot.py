"""The best-sentence award: an anonymous ballot of the submitted sentences, and the tally.

Every submission with a sentence is on the ballot under a **ballot id**: the first 8 hex digits
of HMAC-SHA256(competition key, folder name). The key is 32 random bytes in ``<out>.key`` next
to the page, made on the first run and reused after, so the ids stay the same when you score
again; without the key nobody can link an id to a folder. The ballot is ordered by id, which is
unrelated to rank, name or folder, and shows each sentence with its check ("reproduced": the
model wrote it again from its ``generation.json``; "not reproduced": it did not, e.g. a pasted
quote).

``./course tally VOTES.csv --roster ROSTER.csv`` counts a CSV with the columns ``voter`` and
``ballot_id`` (other columns are ignored):

* with a roster (``id,name``: :func:`instructor.names.read_roster`), only students on it vote:
  a voter is their roster id, and a vote from anyone else (a made-up name) is dropped and
  counted; without one, every voter name counts and the summary says so;
* voters and names are compared by :func:`instructor.names.name_key` (NFKC, no invisible or
  bidi characters, case folded), so changed spacing or a zero-width space makes no new voter;
* one vote per voter: the voter's **last** row counts (a voter may change their mind);
* a vote for the voter's own sentence (voter equal to the author's roster id, i.e. the folder
  or zip name without ``.zip``, or to the author's name) is dropped, as is a vote for an
  unknown id;
* the most votes win; a tie gives joint winners. The award is added to the page and the
  Markdown table.

Only scored entries are on the ballot (a refused model's sentence is not). A votes file that is
not a clean CSV (a quote left open, NUL bytes, a field over :data:`instructor.names.MAX_FIELD`
characters, a repeated column name) is refused in one line, and nothing is counted.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from instructor.names import name_key, read_table, student_id

MAX_VOTES_BYTES = 10 * 2**20


@dataclass(frozen=True)
class BallotItem:
    """One sentence on the ballot; ``folder`` and ``name`` never appear on the page's ballot."""

    ballot_id: str
    folder: str
    name: str
    sentence: str
    sentence_check: str


@dataclass
class Tally:
    """The counted vote: ``counts`` by ballot id, the winners, and what was dropped."""

    counts: dict[str, int]
    winners: list[BallotItem]
    votes: int
    rows: int
    superseded: int = 0
    self_votes: int = 0
    unknown: int = 0
    unknown_voters: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        voters = (
            "no roster: every voter name counted, made-up ones too"
            if self.unknown_voters is None
            else f"{self.unknown_voters} vote(s) from voters not on the roster dropped"
        )
        return (
            f"{self.rows} row(s): {self.votes} vote(s) counted, {self.superseded} replaced by "
            f"the voter's later vote, {self.self_votes} self-vote(s) and {self.unknown} "
            f"unknown ballot id(s) dropped; {voters}"
        )


def competition_key(out: Path) -> bytes:
    """The ballot secret in ``<out>.key`` (made, readable only by you, when absent)."""
    path = Path(out).with_suffix(".key")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32) + "\n")
    key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    if len(key) < 16:
        raise ValueError(f"{path} holds {len(key)} bytes; delete it to make a new key.")
    return key


def ballot_id(key: bytes, folder: str) -> str:
    """The stable, anonymous id of ``folder``'s sentence under ``key``."""
    return hmac.new(key, folder.encode("utf-8"), hashlib.sha256).hexdigest()[:8]


def make_ballot(entries: list, key: bytes) -> list[BallotItem]:
    """The ballot: every scored entry with a sentence (starting with the prompt), by ballot id.

    Raises:
        ValueError: two folders with the same id (a one-in-a-billion event: delete the key).
    """
    from helpers.competition import PROMPT

    items = [
        BallotItem(ballot_id(key, e.folder), e.folder, e.name, e.sentence, e.sentence_check)
        for e in entries
        if e.ok and e.sentence.startswith(PROMPT)
    ]
    if len({item.ballot_id for item in items}) != len(items):
        raise ValueError("two ballot ids collide; delete the .key file and run again.")
    return sorted(items, key=lambda item: item.ballot_id)


def read_votes(path: Path) -> list[tuple[str, str]]:
    """``(voter, ballot_id)`` rows of a votes CSV (see :func:`read_table`)."""
    return read_table(Path(path), ("voter", "ballot_id"), "votes", MAX_VOTES_BYTES)


def tally(
    votes: list[tuple[str, str]], ballot: list[BallotItem], roster: dict[str, str] | None = None
) -> Tally:
    """Count ``votes`` for ``ballot`` with the rules of the module docstring; ``roster``: roster
    id key -> display name (:func:`instructor.names.read_roster`), or None."""
    by_id = {item.ballot_id: item for item in ballot}
    last: dict[str, str] = {}
    superseded = strangers = 0
    for voter, choice in votes:
        person = name_key(voter)
        if not person:
            continue
        if roster is not None and person not in roster:
            strangers += 1
            continue
        superseded += person in last
        last[person] = choice.strip().lower()
    counts: Counter[str] = Counter()
    self_votes = unknown = 0
    for person, choice in last.items():
        item = by_id.get(choice)
        own = {person, name_key(roster[person])} if roster else {person}
        if item is None:
            unknown += 1
        elif own & {student_id(item.folder), name_key(item.name)}:
            self_votes += 1
        else:
            counts[choice] += 1
    best = max(counts.values(), default=0)
    winners = [by_id[i] for i in sorted(counts) if counts[i] == best] if best else []
    return Tally(
        dict(counts),
        winners,
        sum(counts.values()),
        len(votes),
        superseded,
        self_votes,
        unknown,
        None if roster is None else strangers,
    )
