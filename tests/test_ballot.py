"""The best-sentence ballot and the tally (instructor.ballot), and the page it lands on.

Pure and fast: the entries are made here, no model is scored.
"""

from __future__ import annotations

import os
import stat
from html.parser import HTMLParser
from pathlib import Path

import pytest

from helpers.competition import Entry
from instructor.ballot import (
    BallotItem,
    ballot_id,
    competition_key,
    make_ballot,
    read_votes,
    tally,
)
from instructor.cli import main
from instructor.leaderboard import write_board

HOSTILE = "mallory\n| 1 | fake | row |\x1b[2J<script>alert(1)</script>"


def _entries() -> list[Entry]:
    return [
        Entry("ann", "Ann", 1.9, 1.3, 1000, "ROMEO: a rose", sentence_check="reproduced"),
        Entry(
            "bob",
            "Bob B.",
            2.1,
            1.5,
            1000,
            "ROMEO: But soft, what light",
            sentence_check="not reproduced",
        ),
        Entry("cid", HOSTILE, 2.2, 1.6, 1000, "ROMEO: </q><script>alert(2)</script>"),
        Entry(
            "dan",
            "Dan",
            reason="looks ahead: its prediction at position t changes",
            params=9,
            sentence="ROMEO: peeked",
        ),
        Entry("eve", "Eve", reason="missing file(s): model.keras", sentence="JULIET: no"),
    ]


def test_ballot_ids_are_stable_with_the_key_file_and_unlinkable_without_it(tmp_path):
    out = tmp_path / "board" / "leaderboard.html"
    key = competition_key(out)
    assert stat.S_IMODE(os.stat(out.with_suffix(".key")).st_mode) == 0o600
    assert competition_key(out) == key, "the second run reuses the key"
    first, again = make_ballot(_entries(), key), make_ballot(_entries(), competition_key(out))
    assert first == again
    assert [item.ballot_id for item in first] == sorted(item.ballot_id for item in first)
    assert {item.folder for item in first} == {"ann", "bob", "cid", "dan"}, "eve has no sentence"
    other = make_ballot(_entries(), b"another competition's key, 32 b")
    assert {i.ballot_id for i in other}.isdisjoint({i.ballot_id for i in first})
    assert ballot_id(key, "ann") == next(i.ballot_id for i in first if i.folder == "ann")
    assert all(len(item.ballot_id) == 8 and int(item.ballot_id, 16) >= 0 for item in first)


def _ballot() -> list[BallotItem]:
    return [
        BallotItem("aaaa0001", "ann", "Ann", "ROMEO: a rose", "reproduced"),
        BallotItem("bbbb0002", "bob", "Bob B.", "ROMEO: soft", "not reproduced"),
        BallotItem("cccc0003", "cid", "Cid", "ROMEO: hm", "reproduced"),
    ]


def test_one_vote_per_voter_the_last_counts_and_self_votes_and_unknown_ids_are_dropped():
    votes = [
        ("zoe", "aaaa0001"),
        ("zoe", "BBBB0002 "),  # zoe changes her mind: bob
        ("ann", "aaaa0001"),  # ann votes for herself, by folder
        ("Bob  b.", "bbbb0002"),  # Bob votes for himself, by name (case and spaces)
        ("yan", "cccc0003"),
        ("xia", "ffff9999"),  # an unknown id
        ("", "aaaa0001"),
        ("wim", "cccc0003"),
        ("vic", "bbbb0002"),
    ]
    result = tally(votes, _ballot())
    assert result.counts == {"bbbb0002": 2, "cccc0003": 2}
    assert [w.folder for w in result.winners] == ["bob", "cid"], "a tie: joint winners"
    assert (result.votes, result.rows, result.superseded) == (4, 9, 1)
    assert (result.self_votes, result.unknown) == (2, 1)
    assert result.summary.startswith(
        "9 row(s): 4 vote(s) counted, 1 replaced by the voter's "
        "later vote, 2 self-vote(s) and 1 unknown"
    )
    assert tally([], _ballot()).winners == []


def test_a_votes_file_needs_its_header_and_a_sane_size(tmp_path):
    good = tmp_path / "votes.csv"
    good.write_text("\ufeffTimestamp,Voter,Ballot_ID\n1,ann,bbbb0002\n2,bob\n", encoding="utf-8")
    assert read_votes(good) == [("ann", "bbbb0002")]
    bad = tmp_path / "bad.csv"
    bad.write_text("name,choice\nann,bbbb0002\n", encoding="utf-8")
    with pytest.raises(ValueError, match="needs a header row with the columns voter and ballot_id"):
        read_votes(bad)
    big = tmp_path / "big.csv"
    with open(big, "wb") as handle:
        handle.truncate(11 * 2**20)
    with pytest.raises(ValueError, match="larger than 10,485,760 bytes"):
        read_votes(big)


class _Count(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: dict[str, int] = {}

    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1


def test_tally_adds_the_award_to_the_page_and_hostile_texts_stay_text(tmp_path, capsys):
    out = tmp_path / "leaderboard.html"
    entries = _entries()
    ballot = make_ballot(entries, competition_key(out))
    write_board(out, entries, ballot, "5 submission(s), scored in the sandbox.", True)
    ids = {item.folder: item.ballot_id for item in ballot}
    votes = tmp_path / "votes.csv"
    votes.write_text(
        f"voter,ballot_id\n{HOSTILE!r},{ids['ann']}\nbob,{ids['ann']}\n"
        f"ann,{ids['ann']}\ncid,{ids['bob']}\n",
        encoding="utf-8",
    )
    assert main(["tally", str(votes), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Best sentence: " in printed and "(Ann)" in printed and "\x1b" not in printed
    page = out.read_text(encoding="utf-8")
    counted = _Count()
    counted.feed(page)
    assert counted.tags["tr"] == 1 + len(entries), "a header row and one row per entry"
    assert counted.tags.get("script", 0) == 0 and counted.tags["li"] == len(ballot) + 1
    assert '<section id="award">' in page and "<strong>Ann</strong>" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    markdown = out.with_suffix(".md").read_text(encoding="utf-8")
    assert "## Best sentence" in markdown and "- **Ann** (ballot id" in markdown
    table = [line for line in markdown.splitlines() if line.startswith("| ")]
    assert len(table) == 2 + len(entries)
    assert main(["tally", str(tmp_path / "absent.csv"), "--out", str(out)]) == 2


def test_tally_without_a_board_says_what_to_run_first(tmp_path):
    votes = Path(tmp_path / "votes.csv")
    votes.write_text("voter,ballot_id\n", encoding="utf-8")
    assert main(["tally", str(votes), "--out", str(tmp_path / "none.html")]) == 2
