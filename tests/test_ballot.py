"""The best-sentence ballot and the tally (instructor.competition.ballot), and the page it lands on.

Pure and fast: the entries are made here, no model is scored.
"""

from __future__ import annotations

import os
import stat
from html.parser import HTMLParser
from pathlib import Path

import pytest

from helpers.competition import Entry
from instructor.cli import main
from instructor.competition.ballot import (
    BallotItem,
    ballot_id,
    competition_key,
    make_ballot,
    read_votes,
    tally,
)
from instructor.names import name_flags, name_key, read_roster, skeleton
from instructor.reports.board import write_board

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
    assert {item.folder for item in first} == {"ann", "bob", "cid"}, "dan refused, eve no sentence"
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


ROSTER = "id,name\nann,Ann\nbob,Bob B.\ncid,Cid\nzoe,Zoe\nyan,Yan\n"


def _roster(tmp_path) -> dict[str, str]:
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER, encoding="utf-8")
    return read_roster(path)


def test_made_up_voters_are_dropped_and_counted_with_a_roster(tmp_path):
    """Issue 20: five sock puppets made one sentence win."""
    puppets = [(f"fan{k}", "cccc0003") for k in range(5)]
    honest = [("zoe", "aaaa0001"), ("yan", "aaaa0001"), ("bob", "cccc0003")]
    assert tally(puppets + honest, _ballot()).winners[0].folder == "cid", "without a roster"
    result = tally(puppets + honest, _ballot(), _roster(tmp_path))
    assert [w.folder for w in result.winners] == ["ann"]
    assert result.counts == {"aaaa0001": 2, "cccc0003": 1} and result.unknown_voters == 5
    assert result.summary.endswith("5 vote(s) from voters not on the roster dropped")
    assert tally(honest, _ballot()).summary.endswith("every voter name counted, made-up ones too")


def test_self_votes_are_matched_by_roster_id_without_zip_and_invisible_characters():
    """Issue 20: self-votes passed for zip hand-ins, with a zero-width space, changed spacing."""
    ballot = [
        BallotItem("aaaa0001", "ann.zip", "A. Nonymous", "ROMEO: a", "reproduced"),
        BallotItem("bbbb0002", "bob", "Bob B.", "ROMEO: b", "reproduced"),
    ]
    votes = [("ann", "aaaa0001"), ("a\u200bnn", "aaaa0001"), ("ANN\u00a0", "aaaa0001")]
    votes += [("Bob\u2066  b.", "bbbb0002"), ("\u202ebob", "bbbb0002"), ("zoe", "bbbb0002")]
    result = tally(votes, ballot)
    assert result.counts == {"bbbb0002": 1} and result.self_votes == 3, "ann, 'Bob b.', bob"
    assert result.superseded == 2, "the variants of ann are one voter"
    roster = {"ann": "Ann", "bob": "Bob", "zoe": "Zoe"}
    assert tally([("ann", "aaaa0001"), ("zoe", "aaaa0001")], ballot, roster).self_votes == 1


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('voter,ballot_id\nann,"aaaa0001\nbob,bbbb0002\n', r"is not a valid CSV \(unexpected end"),
        ("voter,ballot_id\nann,aa\0aa0001\n", "holds NUL bytes"),
        ("voter,ballot_id\nann," + "a" * 200_000 + "\n", "not a valid CSV \\(field larger than"),
        ("voter,ballot_id\nann," + "a" * 5_000 + "\n", "row 2 has a field over 1,000 characters"),
        ("voter,ballot_id,Voter\nann,aaaa0001,bob\n", r"repeats the column\(s\) \['voter'\]"),
        ("voter;ballot_id\nann;aaaa0001\n", "needs a header row with the columns voter and"),
    ],
    ids=["open quote", "NUL", "huge field", "long field", "repeated column", "no header"],
)
def test_a_malformed_votes_file_is_refused_in_one_line(tmp_path, capsys, content, reason):
    path = tmp_path / "votes.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=reason) as refused:
        read_votes(path)
    assert "\n" not in str(refused.value) and len(str(refused.value)) < 200
    out = tmp_path / "leaderboard.html"
    write_board(out, _entries(), make_ballot(_entries(), competition_key(out)), "h", True)
    assert main(["tally", str(path), "--out", str(out)]) == 2
    printed = capsys.readouterr().out.strip()
    assert printed.startswith("tally: nothing done. votes=") and "\n" not in printed
    assert '<section id="award">' not in out.read_text(encoding="utf-8")


def test_a_roster_needs_ids_once_each_and_tally_takes_it_from_the_command_line(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,name\nann,Ann\nANN,Ann again\n", encoding="utf-8")
    with pytest.raises(ValueError, match="row 3 repeats the id 'ANN'"):
        read_roster(bad)
    bad.write_text("student,name\nann,Ann\n", encoding="utf-8")
    with pytest.raises(ValueError, match="needs a header row with the columns id and name"):
        read_roster(bad)
    out = tmp_path / "leaderboard.html"
    entries = _entries()
    ballot = make_ballot(entries, competition_key(out))
    write_board(out, entries, ballot, "h", True)
    ann = next(item.ballot_id for item in ballot if item.folder == "ann")
    votes = tmp_path / "votes.csv"
    votes.write_text(f"voter,ballot_id\nzoe,{ann}\nfan1,{ann}\nfan2,{ann}\n", "utf-8")
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    assert main(["tally", str(votes), "--out", str(out), "--roster", str(roster)]) == 0
    printed = capsys.readouterr().out
    assert "1 vote(s) counted" in printed and "2 vote(s) from voters not on the roster" in printed


def test_names_that_collide_or_look_alike_are_flagged():
    """Issue 20: a second "Honest GRU", a Cyrillic look-alike and invisible variants all
    displayed as the same person."""
    names = {
        "a": "Honest GRU",
        "b": "Honest GRU",
        "c": "\u041donest GRU",  # Cyrillic capital en
        "d": "Honest\u200b GRU",
        "e": "honest\u00a0 gru\u202e",
        "f": "H0nest GRU",
        "g": "Honest LSTM",
    }
    assert {name_key(n) for k, n in names.items() if k in "abde"} == {"honest gru"}
    assert len({skeleton(n) for k, n in names.items() if k != "g"}) == 1
    flags = name_flags([Entry(folder, name) for folder, name in names.items()])
    assert flags["a"] == "the same name as b, d, e"
    assert flags["c"] == "a name that looks like a, b, d, e, f"
    assert "g" not in flags and set(flags) == set("abcdef")
    assert skeleton("Ann") != skeleton("Anne") and name_key("Ann") != name_key("Anna")
