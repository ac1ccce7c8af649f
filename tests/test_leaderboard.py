"""The leaderboard (instructor side): hostile submissions, ranking, reasons, the page and the vote.

One folder of submissions is scored once, through the command line, in the sandbox (the
``board`` fixture); the tests read what it wrote. The folder holds honest models (a trained GRU,
an untrained GRU, an LSTM), the cheats the causal probe must refuse (a centred Conv1D that copies
the next character, a Bidirectional GRU), archives the model check must refuse before Keras
loads them (a Lambda and the CVE-2025-9906 chain, each with a payload that would write a marker
file), symlinks, special and oversized files, hostile names and sentences, the broken
submissions of every other kind, and two zips: one as ``hand_in`` writes it (scored like its
folder) and one with a member outside it (refused). A page of such entries is opened in a real
headless Chromium (without the sandbox, so it runs wherever Chromium does).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import shutil
import subprocess
import warnings
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import keras
import numpy as np
import pytest
from char_models import (
    TEXT,
    VOCAB,
    _batch_mixing,
    _bidirectional,
    _blinded_honest,
    _blinding_cheat,
    _char_model,
    _look_ahead_conv,
    _lstm_model,
    _trained_model,
)

from helpers.competition import (
    GENERATION_FILE,
    LOOKS_AHEAD,
    MODEL_FILE,
    NAME_FILE,
    SENTENCE_FILE,
    Entry,
    hand_in,
    write_submission,
)
from helpers.sampling import generate
from helpers.vocab import CharVocab
from instructor import sandbox
from instructor.cli import main
from instructor.competition.ballot import competition_key, make_ballot
from instructor.competition.leaderboard import leaderboard
from instructor.reports.board import write_board
from instructor.reports.plain import plain

REPOSITORY = Path(__file__).resolve().parents[1]
HOSTILE_NAME = (
    "eve | 0.000 | 1 | fake row\n| 1 | winner \x1b[31mred\x1b[0m "
    "<script>document.title='pwned'</script><img src=x onerror=alert(1)>"
)
HOSTILE_SENTENCE = "ROMEO: </q></li></ol><script>document.title='pwned'</script>\n| x | y |"
QUOTE = "ROMEO:\nBut soft, what light through yonder window breaks?"
needs_sandbox = pytest.mark.skipif(
    sandbox.sandbox_problem() is not None, reason=f"no sandbox here: {sandbox.sandbox_problem()}"
)


def _crafted(folder: Path, marker: Path, chain: bool) -> None:
    """A submission whose model.keras carries a Lambda with bytecode that writes ``marker``
    (``chain``: behind the CVE-2025-9906 switch); see tests/test_model_check.py."""
    from test_model_check import _archive, _config_of, _cve_2025_9906, _lambda_code, _with_lambda

    inputs = keras.Input((None,))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        x = keras.layers.Lambda(lambda t: t)(keras.layers.Embedding(VOCAB.size, 4)(inputs))
        template = keras.Model(inputs, keras.layers.Dense(VOCAB.size)(x))
        write_submission(folder, template, VOCAB, "ROMEO: harmless", "Crafted")
    saved = {"lambda": folder / MODEL_FILE}
    config = _cve_2025_9906(saved, marker) if chain else _with_lambda(saved, _lambda_code(marker))
    assert _config_of(saved["lambda"])  # the template is a real Keras archive
    _archive(folder / MODEL_FILE, config)


@pytest.fixture(scope="module")
def submissions(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("submissions")
    good = _trained_model()
    sentence = generate(good, VOCAB, "ROMEO:", length=30, temperature=0.5, seed=3)
    write_submission(
        root / "good",
        good,
        VOCAB,
        sentence,
        "Good Team",
        generation={"seed": 3, "length": 30, "temperature": 0.5},
    )
    write_submission(
        root / "worse",
        _char_model(VOCAB.size),
        VOCAB,
        QUOTE,
        "Worse Team",
        generation={"seed": 1, "length": 48},
    )
    write_submission(root / "lstm", _lstm_model(VOCAB.size), VOCAB, "ROMEO: lstm", "Honest LSTM")
    write_submission(root / "conv_cheat", _look_ahead_conv(VOCAB.size), VOCAB, "ROMEO: c", "Conv")
    # Issue 20's attacks: a -1e6 blind that widened the old tolerance, the honest GRU plus four
    # logits on the next character behind it, attention across the batch, a forged sentence.
    write_submission(root / "blind", _blinding_cheat(VOCAB.size), VOCAB, "ROMEO: b", "Blind")
    peek = _blinded_honest(good, VOCAB.size, boost=4.0)
    write_submission(root / "blinded_good", peek, VOCAB, "ROMEO: g", "Good Team")
    write_submission(root / "mixing", _batch_mixing(VOCAB.size), VOCAB, "ROMEO: m", "Mixer")
    # A peek too faint for the probe (4.5e-4 logits, under its 1e-3 tolerance): the probe would
    # pass it, the model check refuses it from its config (a centred Conv1D).
    faint = _blinded_honest(good, VOCAB.size, boost=4.5e-4, blind=0.0)
    write_submission(root / "faint_peek", faint, VOCAB, "ROMEO: f", "Faint")
    write_submission(root / "forged", _char_model(VOCAB.size), VOCAB, QUOTE, "Forger")
    forged = {"seed": 0, "length": 0, "prompt": QUOTE}
    (root / "forged" / GENERATION_FILE).write_text(json.dumps(forged), encoding="utf-8")
    write_submission(root / "bidirectional", _bidirectional(VOCAB.size), VOCAB, "ROMEO: b", "Bi")
    write_submission(root / "hostile", _char_model(VOCAB.size), VOCAB, HOSTILE_SENTENCE, "x")
    (root / "hostile" / NAME_FILE).write_text(HOSTILE_NAME, encoding="utf-8")

    write_submission(root / "missing", good, VOCAB, "ROMEO:", "Missing Model")
    (root / "missing" / MODEL_FILE).unlink()
    write_submission(root / "wrong_vocab", good, VOCAB, "ROMEO:", "Wrong Vocab")
    CharVocab.from_text(TEXT + "XYZ").save(root / "wrong_vocab" / "vocab.json")
    inputs = keras.Input((None,))
    x = keras.layers.GRU(4)(keras.layers.Embedding(VOCAB.size, 4)(inputs))
    many_to_one = keras.Model(inputs, keras.layers.Dense(VOCAB.size)(x))
    write_submission(root / "wrong_shape", many_to_one, VOCAB, "ROMEO:", "Wrong Shape")
    broken = _char_model(VOCAB.size)
    dense = broken.layers[-1]
    dense.set_weights([np.full_like(w, np.nan) for w in dense.get_weights()])
    write_submission(root / "nan", broken, VOCAB, "ROMEO:", "Not A Number")
    write_submission(root / "huge", _char_model(VOCAB.size, units=256), VOCAB, "ROMEO:", "Too Big")

    markers = root.parent / "markers"
    markers.mkdir()
    _crafted(root / "lambda", markers / "lambda-ran", chain=False)
    _crafted(root / "cve_chain", markers / "chain-ran", chain=True)

    shutil.copytree(root / "lstm", root / "linked_name")  # name.txt points at a host file
    (root / "linked_name" / NAME_FILE).unlink()
    (root / "linked_name" / NAME_FILE).symlink_to("/etc/hostname")
    shutil.copytree(root / "lstm", root / "deep_link")
    (root / "deep_link" / "notes").mkdir()
    (root / "deep_link" / "notes" / "other").symlink_to(root / "good", target_is_directory=True)
    (root / "linked_folder").symlink_to(root / "good", target_is_directory=True)
    shutil.copytree(root / "lstm", root / "fifo")
    (root / "fifo" / SENTENCE_FILE).unlink()
    os.mkfifo(root / "fifo" / SENTENCE_FILE)  # reading it would block for ever
    shutil.copytree(root / "lstm", root / "sparse")
    with open(root / "sparse" / SENTENCE_FILE, "r+b") as handle:
        handle.truncate(2**30)  # 1 GiB that takes no disk

    zipped = shutil.copytree(root / "lstm", root.parent / "handed_in")  # as Colab downloads it
    hand_in(zipped, download=False).rename(root / "handed_in.zip")
    with zipfile.ZipFile(root / "zip_slip.zip", "w") as archive:
        for name in (MODEL_FILE, "vocab.json", SENTENCE_FILE):
            archive.write(zipped / name, f"submission/{name}")
        archive.writestr("../../escaped.txt", "outside")
    return root


@pytest.fixture(scope="module")
def text_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("text") / "test.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def board(submissions, text_file, tmp_path_factory) -> Path:
    """Score the folder through the command line (``./course leaderboard``); the page's path."""
    if sandbox.sandbox_problem() is not None:
        pytest.skip(f"no sandbox here: {sandbox.sandbox_problem()}")
    out = tmp_path_factory.mktemp("board") / "leaderboard.html"
    printed = io.StringIO()
    argv = ["leaderboard", str(submissions), "--text", str(text_file), "--out", str(out)]
    argv += ["--jobs", "2", "--timeout", "180", "--max-params", "50000"]
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        code = main(argv)
    assert code == 0
    out.with_suffix(".out").write_text(printed.getvalue(), encoding="utf-8")
    return out


def _rows(out: Path) -> dict[str, list[str]]:
    with open(out.with_suffix(".csv"), newline="", encoding="utf-8") as handle:
        return {row[2]: row for row in csv.reader(handle)}


@pytest.mark.slow
def test_honest_models_are_ranked_and_every_broken_one_gets_its_reason(board, submissions):
    rows = _rows(board)
    folders = sorted(p.name for p in submissions.iterdir())
    assert sorted(rows) == sorted(folders + ["folder"]), "one CSV row per folder"
    scored = sorted((r for r in rows.values() if r[0].isdigit()), key=lambda r: int(r[0]))
    assert rows["good"][0] == "1" and float(rows["good"][3]) < 0.5
    assert {r[2] for r in scored} == {
        *("good", "worse", "lstm", "hostile", "handed_in.zip", "forged")
    }
    assert rows["handed_in.zip"][1] == "Honest LSTM", "the zip hand_in wrote scores as its folder"
    assert rows["handed_in.zip"][3:5] == rows["lstm"][3:5]
    assert rows["good"][:3] == ["1", "Good Team", "good"]
    reasons = {folder: row[8] for folder, row in rows.items()}
    assert reasons["missing"] == "missing file(s): model.keras"
    assert reasons["wrong_vocab"].startswith(
        "wrong vocabulary: model predicts 7 classes but vocab has 10"
    )
    assert reasons["wrong_shape"] == (  # a GRU without return_sequences, refused from its config
        "refused before loading: looks ahead by construction: layers[2] GRU(return_sequences="
        "False) gives one output for the whole sequence (keep return_sequences=True: an output "
        "per position)"
    )
    assert reasons["nan"].startswith("non-finite loss:")
    assert reasons["huge"] == (
        "model too large: its config declares 206,143 parameters (limit 50,000)"
    )
    assert all(row[9] == "yes" for folder, row in rows.items() if folder != "folder")


@pytest.mark.slow
def test_models_that_look_ahead_are_refused_with_the_look_ahead_reason(board):
    """Refused from the config, before Keras loads them (issue 20): the probe never runs."""
    rows = _rows(board)
    for folder in ("conv_cheat", "bidirectional", "blind", "blinded_good", "faint_peek"):
        assert rows[folder][0] == "" and rows[folder][3] == ""
        assert rows[folder][8].startswith(
            "refused before loading: looks ahead by construction: layers["
        ), folder
    assert rows["bidirectional"][8].endswith(
        "Bidirectional runs a layer backwards from the end of the sequence"
    )
    centred = "Conv1D(kernel_size=3, dilation_rate=1, padding='same') makes position t depend on"
    assert centred in rows["faint_peek"][8]


@pytest.mark.slow
def test_issue_20_attacks_are_refused_and_the_honest_control_ranks_first(board):
    rows = _rows(board)
    firsts = {folder for folder, row in rows.items() if row[0] == "1"}
    assert firsts == {"good"}, "the honest control ranks first"
    assert rows["mixing"][8] == (
        "refused before loading: config.json: layers[2].config.attention_axes=[0] is not "
        "allowed (only None or [1]): it could let one scored window see another"
    )
    assert rows["forged"][7].startswith("not reproduced: generation.json: length=0 must be")
    assert rows["forged"][0].isdigit(), "a forged sentence costs only the mark"
    assert "same name as blinded_good" in rows["good"][11], "two entries named Good Team"


@pytest.mark.slow
def test_the_leaderboard_prints_a_progress_line_per_entry(board, submissions):
    lines = [line for line in board.with_suffix(".out").read_text().splitlines() if line[:1] == "["]
    n = len(list(submissions.iterdir()))
    assert sorted(int(line[1:].split("/")[0]) for line in lines) == list(range(1, n + 1))
    good = next(line for line in lines if "] good: " in line)
    tail = rf", (about \d+ min|under a minute) left|, all {n} done in \d+\.\d min"
    assert re.fullmatch(rf"\[\d+/{n}\] good: 0\.\d{{3}} bits/char \(\d+\.\d s\)({tail})", good)
    missing = next(line for line in lines if "] missing: " in line)
    assert re.search(rf"\(\d+\.\d s\)({tail})$", missing), missing
    assert "missing file(s): model.keras (" in missing


@pytest.mark.slow
def test_crafted_archives_are_refused_before_keras_loads_them_and_their_payload_never_runs(
    board, submissions
):
    reasons = {folder: row[8] for folder, row in _rows(board).items()}
    for folder in ("lambda", "cve_chain"):
        assert reasons[folder] == (
            "refused before loading: config.json: layers[2] is class 'Lambda' from module "
            "'keras.layers', which is not allowed (built-in layers, initializers, "
            "regularizers, constraints only)"
        )
    assert not list((submissions.parent / "markers").iterdir()), "a payload ran"


@pytest.mark.slow
def test_links_special_and_oversized_files_are_refused_without_reading_them(board):
    reasons = {folder: row[8] for folder, row in _rows(board).items()}
    assert reasons["linked_name"] == "refused: symlink in the submission: name.txt"
    assert reasons["deep_link"] == "refused: symlink in the submission: notes/other"
    assert reasons["linked_folder"] == "refused: the submission folder is a symlink"
    assert reasons["fifo"] == "refused: special file in the submission: sentence.txt"
    assert reasons["sparse"] == "refused: sentence.txt is 1,073,741,824 bytes (limit 65,536)"
    assert reasons["zip_slip.zip"] == (
        'refused: zip_slip.zip member "../../escaped.txt" has an unsafe path'
    )
    hostname = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else ""
    assert not hostname or hostname not in board.with_suffix(".md").read_text(encoding="utf-8")


def _markdown_cells(line: str) -> list[str]:
    """The cells of a Markdown table row, splitting only at unescaped ``|``."""
    return [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


@pytest.mark.slow
def test_a_hostile_name_and_sentence_do_not_change_the_shape_of_any_report(board, submissions):
    markdown = board.with_suffix(".md").read_text(encoding="utf-8")
    table = [line for line in markdown.splitlines() if line.startswith("| ")]
    assert len(table) == 2 + len(list(submissions.iterdir())), "header, rule, a row per folder"
    assert all(len(_markdown_cells(line)) == 6 for line in table)
    assert "\x1b" not in markdown and "<script>" not in markdown and "<img" not in markdown
    hostile = next(line for line in table if "eve" in line)
    assert _markdown_cells(hostile)[1].startswith(r"eve \| 0.000 \| 1 \| fake row \| 1 \| winner")
    row = _rows(board)["hostile"]
    assert row[1] == plain(HOSTILE_NAME, limit=80) and "\n" not in row[1] and "\x1b" not in row[1]


@pytest.mark.slow
def test_sentences_are_marked_reproduced_only_when_the_model_writes_them_again(board):
    rows = _rows(board)
    assert rows["good"][7] == "reproduced"
    assert rows["worse"][7] == "not reproduced", "a pasted quote"
    assert rows["lstm"][7] == "no generation.json"
    assert rows["conv_cheat"][7] == "no generation.json"


class _Dom(HTMLParser):
    """Counts elements and collects the text of the ranking's name cells."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: dict[str, int] = {}
        self.stack: list[str] = []
        self.ranking_rows = 0
        self.ballot_items = 0
        self.circles: list[dict] = []
        self.texts: list[str] = []
        self.title = ""

    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        ids = dict(attrs).get("id")
        if tag == "tr" and "ranking" in self.stack and "tbody" in self.stack:
            self.ranking_rows += 1
        if tag == "li" and "ballot" in self.stack:
            self.ballot_items += 1
        if tag == "circle" and "scatter" in self.stack:
            self.circles.append(dict(attrs))
        self.stack.append(ids or tag)

    def handle_endtag(self, tag):
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        self.texts.append(data)
        if self.stack and self.stack[-1] == "title" and "scatter" not in self.stack:
            self.title += data


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _page_entries() -> list[Entry]:
    """What a scored folder of hostile submissions gives (see the ``board`` fixture)."""
    return [
        Entry("good", "Good Team", 0.004, 0.003, 1423, "ROMEO: ROMEO:", "", "reproduced"),
        Entry("worse", "Worse Team", 2.806, 1.945, 1423, QUOTE, "", "not reproduced"),
        Entry("hostile", HOSTILE_NAME, 2.813, 1.95, 1423, HOSTILE_SENTENCE),
        Entry(
            "conv_cheat", "Conv", None, None, 154, "ROMEO: c", LOOKS_AHEAD + " (first seen at t=0)."
        ),
        Entry(
            "lambda",
            "Crafted",
            sentence="ROMEO: x",
            reason="refused before loading: config."
            "json: layers[2] is class 'Lambda' from module 'keras.layers', which is not allowed",
        ),
        Entry("linked_name", "linked_name", reason="refused: symlink in the submission: name.txt"),
    ]


@pytest.mark.skipif(_chromium() is None, reason="no chromium here (apt-get install chromium)")
def test_the_page_renders_in_headless_chromium_with_every_hostile_text_escaped(tmp_path):
    out = tmp_path / "leaderboard.html"
    entries = _page_entries()
    ballot = make_ballot(entries, competition_key(out))
    write_board(out, entries, ballot, f"{len(entries)} submission(s), scored in the sandbox.", True)
    ids = {item.folder: item.ballot_id for item in ballot}
    votes = tmp_path / "votes.csv"
    votes.write_text(
        f"voter,ballot_id\nann,{ids['good']}\nbob,{ids['hostile']}\ncid,{ids['good']}\n"
        f"good,{ids['good']}\n",  # the last one is a self-vote
        encoding="utf-8",
    )
    assert main(["tally", str(votes), "--out", str(out)]) == 0
    command = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}"]  # fmt: skip
    shot = REPOSITORY / "build" / "leaderboard.png"
    shot.parent.mkdir(exist_ok=True)
    shot.unlink(missing_ok=True)
    url = out.resolve().as_uri()
    subprocess.run([*command, f"--screenshot={shot}", "--window-size=1200,900", url],
                   capture_output=True, timeout=120, check=True)  # fmt: skip
    assert shot.is_file() and shot.stat().st_size > 10_000
    run = subprocess.run([*command, "--enable-logging=stderr", "--v=0", "--dump-dom", url],
                         capture_output=True, text=True, timeout=120, check=True)  # fmt: skip
    dom_text = run.stdout
    assert "Content Security Policy" not in run.stderr, "the page breaks its own policy"
    dom = _Dom()
    dom.feed(dom_text)
    assert dom.ranking_rows == len(entries), "one row per submission folder"
    assert dom.ballot_items == len(ballot) == 3, "every scored entry's sentence, no refused one"
    scored = [e for e in entries if e.ok]
    assert len(dom.circles) == len(scored), "one circle per scored entry in the inline SVG"
    ys = {float(c["cy"]) for c in dom.circles}
    assert len(ys) == 3 and max(ys) > min(ys) + 50, "bits per character spread the circles"
    assert dom.tags.get("script", 0) == 0 and dom.tags.get("img", 0) == 0, "no injected element"
    assert dom.title == "Competition leaderboard", "no injected script ran"
    shown = " ".join(dom.texts)
    assert plain(HOSTILE_NAME, limit=80) in shown, "the hostile name is shown, as text"
    assert plain(HOSTILE_SENTENCE, limit=400) in shown
    assert "Good Team" in shown and "2 vote(s)" in shown, "the award, without the self-vote"
    ballot_dom = dom_text[dom_text.index('id="ballot"') :]
    assert "Good Team" not in ballot_dom and ">good<" not in ballot_dom, "the ballot is anonymous"


@needs_sandbox
def test_a_submission_that_runs_past_the_time_limit_is_reported(tmp_path, text_file):
    write_submission(tmp_path / "subs" / "slow", _char_model(VOCAB.size), VOCAB, "ROMEO:", "S")
    [entry] = leaderboard(tmp_path / "subs", text_file=text_file, timeout=0.5)
    assert entry.reason == "time limit: scoring took longer than 0.5 s"


def test_without_a_sandbox_the_leaderboard_refuses_unless_told_and_then_says_so(
    tmp_path, text_file, monkeypatch
):
    monkeypatch.setattr(sandbox, "sandbox_problem", lambda: "bubblewrap is not installed")
    (tmp_path / "subs" / "x").mkdir(parents=True)
    (tmp_path / "subs" / "x" / SENTENCE_FILE).write_text("ROMEO: hi", encoding="utf-8")
    with pytest.raises(RuntimeError, match="no sandbox for untrusted models: bubblewrap is not"):
        leaderboard(tmp_path / "subs", text_file=text_file)
    out = tmp_path / "board" / "leaderboard.html"
    args = ["leaderboard", str(tmp_path / "subs"), "--text", str(text_file), "--out", str(out)]
    assert main(args) == 2
    assert main([*args, "--unsandboxed"]) == 0
    assert "scored WITHOUT the sandbox" in out.read_text(encoding="utf-8")
    assert "scored WITHOUT the sandbox" in out.with_suffix(".md").read_text(encoding="utf-8")
    assert _rows(out)["x"][9] == "no"


def test_a_score_line_from_a_worker_that_did_not_exit_cleanly_is_not_believed():
    """Something printed before a crash (a string the submission controls) must not become
    the score: only the line of a worker that finished counts."""
    from instructor.competition.leaderboard import _merge

    line = b'{"bits": 0.001, "nats": 0.001, "params": 10, "reason": ""}\n'
    crashed = sandbox.Outcome(1, line, b"Segmentation fault\n", False, False, True, 1.0)
    entry = Entry(folder="x", name="x")
    _merge(entry, crashed, 60)
    assert entry.bits is None and entry.reason == "scoring crashed (exit 1): Segmentation fault"
    finished = sandbox.Outcome(0, line, b"", False, False, True, 1.0)
    entry = Entry(folder="x", name="x")
    _merge(entry, finished, 60)
    assert entry.bits == 0.001 and entry.ok


PRIVATE = "MORE:\nROME:\n" * 200
"""The instructor's private text in the tests: the same characters, another pattern."""


@needs_sandbox
@pytest.mark.slow
def test_a_private_text_ranks_and_a_model_trained_on_the_public_test_is_flagged(
    tmp_path, text_file, capsys
):
    """End to end through ``./course leaderboard --private-text``: "memoriser" learnt the
    public test text by heart; "general" learnt both patterns and ranks first on the private
    text. The reports show the public test's bits next to the private ones."""
    subs = tmp_path / "subs"
    write_submission(subs / "memoriser", _trained_model(), VOCAB, "ROMEO: m", "Memo")
    mixed = (TEXT[:500] + PRIVATE[:500]) * 2
    write_submission(subs / "general", _trained_model(text=mixed), VOCAB, "ROMEO: g", "Gen")
    private = tmp_path / "private.txt"
    private.write_text(PRIVATE, encoding="utf-8")
    out = tmp_path / "board" / "leaderboard.html"
    argv = ["leaderboard", str(subs), "--text", str(text_file), "--out", str(out)]
    assert main([*argv, "--private-text", str(private), "--timeout", "180"]) == 0
    rows = _rows(out)
    assert [rows["general"][0], rows["memoriser"][0]] == ["1", "2"], "ranked on the private text"
    memo_private, memo_public = float(rows["memoriser"][3]), float(rows["memoriser"][10])
    assert memo_public < 0.5 < memo_private - 0.3, (memo_public, memo_private)
    assert rows["memoriser"][11].startswith("trained on the public test? ")
    assert rows["general"][11] == "" and rows["general"][10] != ""
    markdown = out.with_suffix(".md").read_text(encoding="utf-8")
    assert "| rank | name | bits/char | public test | parameters |" in markdown
    assert "on the instructor's private text (the public test split next to it)" in markdown
    assert "## To check" in markdown and "- memoriser: trained on the public test?" in markdown
    capsys.readouterr()
    private.write_text(PRIVATE + "\u2019Tis \u00e9t\u00e9\n", encoding="utf-8")
    assert main([*argv, "--private-text", str(private)]) == 2
    said = capsys.readouterr().err.strip()
    assert said.startswith("leaderboard: nothing done. --private-text ") and "\n" not in said
    assert "holds 3 character(s) outside the pack's vocabulary: '\u00e9' (U+00E9)" in said
    assert "'\u2019' (U+2019)" in said


def test_private_texts_are_checked_against_the_vocabulary_and_length():
    from instructor.competition.scored_texts import (
        CHARACTERS,
        MIN_PRIVATE_CHARS,
        check_private_text,
    )

    check_private_text("ROMEO:\nBut soft!\n\n" * 200)
    with pytest.raises(ValueError, match="has 1,999 characters; use at least 2,000"):
        check_private_text("a" * (MIN_PRIVATE_CHARS - 1))
    with pytest.raises(ValueError, match=r"holds 1 character\(s\) outside .*'\\t' \(U\+0009\)"):
        check_private_text("a\t" + "b" * 2000)
    try:
        from helpers.data import load_splits

        train = load_splits("tinyshakespeare").train
    except Exception as error:  # noqa: BLE001 - no corpus here
        pytest.skip(f"no tiny-shakespeare here: {error}")
    assert "".join(sorted(set(train))) == CHARACTERS, "a student's vocabulary"
