"""The best-sentence award: an anonymous ballot of the submitted sentences, and the tally.

Every submission with a sentence is on the ballot under a **ballot id**: the first 8 hex digits
of HMAC-SHA256(competition key, folder name). The key is 32 random bytes in ``<out>.key`` next
to the page, made on the first run and reused after, so the ids stay the same when you score
again; without the key nobody can link an id to a folder. The ballot is ordered by id, which is
unrelated to rank, name or folder, and shows each sentence with its check ("reproduced": the
model wrote it again from its ``generation.json``; "not reproduced": it did not, e.g. a pasted
quote).

``./course leaderboard tally VOTES.csv`` counts a CSV with the columns ``voter`` and
``ballot_id`` (other columns are ignored):

* one vote per voter: the voter's **last** row counts (a voter may change their mind); voters
  are compared case-insensitively, with white space folded;
* a vote for the voter's own sentence (voter equal to the author's folder or name) is dropped,
  as is a vote for an unknown id;
* the most votes win; a tie gives joint winners. The award is added to the page and the
  Markdown table.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import os
import secrets
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

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
    notes: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return (
            f"{self.rows} row(s): {self.votes} vote(s) counted, {self.superseded} replaced by "
            f"the voter's later vote, {self.self_votes} self-vote(s) and {self.unknown} "
            "unknown ballot id(s) dropped"
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
    """The ballot: every entry with a sentence (starting with the prompt), ordered by ballot id.

    Raises:
        ValueError: two folders with the same id (a one-in-a-billion event: delete the key).
    """
    from helpers.competition import PROMPT

    items = [
        BallotItem(ballot_id(key, e.folder), e.folder, e.name, e.sentence, e.sentence_check)
        for e in entries
        if e.sentence.startswith(PROMPT)
    ]
    if len({item.ballot_id for item in items}) != len(items):
        raise ValueError("two ballot ids collide; delete the .key file and run again.")
    return sorted(items, key=lambda item: item.ballot_id)


def _person(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def read_votes(path: Path) -> list[tuple[str, str]]:
    """``(voter, ballot_id)`` rows of a votes CSV with a header naming both columns.

    Raises:
        ValueError: a file too large, not UTF-8, or without the columns.
    """
    if Path(path).stat().st_size > MAX_VOTES_BYTES:
        raise ValueError(f"votes={str(path)!r} is larger than {MAX_VOTES_BYTES:,} bytes.")
    text = Path(path).read_bytes().decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [_person(cell) for cell in next(reader, [])]
    if "voter" not in header or "ballot_id" not in header:
        raise ValueError(
            f"votes={str(path)!r} needs a header row with the columns voter and "
            f"ballot_id; it has {header[:6]}."
        )
    v, b = header.index("voter"), header.index("ballot_id")
    return [(row[v], row[b]) for row in reader if len(row) > max(v, b)]


def tally(votes: list[tuple[str, str]], ballot: list[BallotItem]) -> Tally:
    """Count ``votes`` for ``ballot`` with the rules of the module docstring."""
    by_id = {item.ballot_id: item for item in ballot}
    last: dict[str, str] = {}
    superseded = 0
    for voter, choice in votes:
        person = _person(voter)
        if not person:
            continue
        superseded += person in last
        last[person] = choice.strip().lower()
    counts: Counter[str] = Counter()
    self_votes = unknown = 0
    for person, choice in last.items():
        item = by_id.get(choice)
        if item is None:
            unknown += 1
        elif person in (_person(item.folder), _person(item.name)):
            self_votes += 1
        else:
            counts[choice] += 1
    best = max(counts.values(), default=0)
    winners = [by_id[i] for i in sorted(counts) if counts[i] == best] if best else []
    return Tally(
        dict(counts), winners, sum(counts.values()), len(votes), superseded, self_votes, unknown
    )


def run_tally(args) -> int:
    """``./course leaderboard tally VOTES.csv``: count the votes, add the award to the page."""
    from instructor.leaderboard import load_state, write_board

    out: Path = args.out
    state = load_state(out)
    ballot = [BallotItem(**item) for item in state["ballot"]]
    try:
        result = tally(read_votes(args.votes), ballot)
    except (ValueError, UnicodeDecodeError) as error:
        print(f"tally: nothing done. {error}")
        return 2
    paths = write_board(out, state["entries"], ballot, state["header"], state["sandboxed"], result)
    from instructor.reports import plain

    winners = ", ".join(f"{w.ballot_id} ({plain(w.name, limit=60)})" for w in result.winners)
    most = max(result.counts.values(), default=0)
    print(
        f"{result.summary}. Best sentence: {winners or 'none'} with {most} vote(s). "
        f"Wrote {', '.join(map(str, paths))}"
    )
    return 0
