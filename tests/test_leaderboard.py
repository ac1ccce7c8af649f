"""The leaderboard (instructor side): ranking, reasons, time limits, refused models."""

from __future__ import annotations

import csv
from pathlib import Path

import keras
import numpy as np
import pytest
from char_models import TEXT, VOCAB, _char_model, _trained_model

from helpers.competition import MODEL_FILE, write_submission
from helpers.vocab import CharVocab
from instructor.leaderboard import leaderboard, render_markdown, write_csv


@pytest.fixture(scope="module")
def submissions(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("submissions")
    good = _trained_model()
    write_submission(root / "good", good, VOCAB, "ROMEO:\nROMEO:", "Good Team")
    write_submission(root / "worse", _char_model(VOCAB.size), VOCAB, "ROMEO: eh", "Worse Team")

    write_submission(root / "missing", good, VOCAB, "ROMEO:", "Missing Model")
    (root / "missing" / MODEL_FILE).unlink()

    bigger = CharVocab.from_text(TEXT + "XYZ")  # covers the text, not the model's width
    write_submission(root / "wrong_vocab", good, VOCAB, "ROMEO:", "Wrong Vocab")
    bigger.save(root / "wrong_vocab" / "vocab.json")

    inputs = keras.Input((None,))
    x = keras.layers.GRU(4)(keras.layers.Embedding(VOCAB.size, 4)(inputs))
    many_to_one = keras.Model(inputs, keras.layers.Dense(VOCAB.size)(x))
    write_submission(root / "wrong_shape", many_to_one, VOCAB, "ROMEO:", "Wrong Shape")

    broken = _char_model(VOCAB.size)
    dense = broken.layers[-1]
    dense.set_weights([np.full_like(w, np.nan) for w in dense.get_weights()])
    write_submission(root / "nan", broken, VOCAB, "ROMEO:", "Not A Number")

    huge = _char_model(VOCAB.size, units=256)
    write_submission(root / "huge", huge, VOCAB, "ROMEO:", "Too Big")

    inputs = keras.Input((None,))
    x = keras.layers.Embedding(VOCAB.size, 4)(inputs)
    x = keras.layers.Lambda(lambda t: t * 2.0)(x)
    x = keras.layers.GRU(4, return_sequences=True)(x)
    lambda_model = keras.Model(inputs, keras.layers.Dense(VOCAB.size)(x))
    write_submission(root / "lambda", lambda_model, VOCAB, "ROMEO:", "Sneaky")
    return root


@pytest.fixture(scope="module")
def text_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("text") / "test.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


@pytest.mark.slow
def test_leaderboard_ranks_good_before_worse_and_gives_every_broken_submission_its_reason(
    submissions, text_file, tmp_path
):
    entries = leaderboard(submissions, text_file, timeout=120, max_params=50_000, jobs=2)
    by_folder = {e.folder: e for e in entries}

    assert [e.folder for e in entries if e.ok] == ["good", "worse"]
    assert by_folder["good"].bits < 0.5 < by_folder["worse"].bits
    assert by_folder["good"].name == "Good Team"
    assert by_folder["good"].sentence == "ROMEO:\nROMEO:"

    reasons = {folder: by_folder[folder].reason for folder in by_folder}
    assert reasons["missing"] == "missing file(s): model.keras"
    assert reasons["wrong_vocab"].startswith(
        "wrong vocabulary: model predicts 7 classes but vocab has 10"
    )
    assert reasons["wrong_shape"].startswith("wrong output shape:")
    assert reasons["nan"].startswith("non-finite loss:")
    assert reasons["huge"].startswith("model too large:") and "limit 50,000" in reasons["huge"]
    assert reasons["lambda"].startswith("refused by Keras safe mode")

    markdown = render_markdown(entries)
    assert markdown.splitlines()[2].startswith("| 1 | Good Team |")
    assert "broken: refused by Keras safe mode" in markdown
    write_csv(entries, tmp_path / "board.csv")
    with open(tmp_path / "board.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[1][:3] == ["1", "Good Team", "good"] and rows[1][6] == "ROMEO:\nROMEO:"
    assert rows[2][:3] == ["2", "Worse Team", "worse"]
    assert {row[2]: row[0] for row in rows[3:]}["lambda"] == "", "broken entries have no rank"


@pytest.mark.slow
def test_lambda_submission_is_refused_without_running_its_code(submissions, text_file, tmp_path):
    # A Lambda whose code would write a file if it ever ran.
    marker = tmp_path / "pwned"
    inputs = keras.Input((None,))
    x = keras.layers.Embedding(VOCAB.size, 4)(inputs)
    x = keras.layers.Lambda(lambda t, m=str(marker): (open(m, "w").close(), t)[1])(x)
    model = keras.Model(inputs, keras.layers.Dense(VOCAB.size)(x))
    marker.unlink(missing_ok=True)
    folder = tmp_path / "subs"
    write_submission(folder / "evil", model, VOCAB, "ROMEO:", "Evil")
    marker.unlink(missing_ok=True)
    [entry] = leaderboard(folder, text_file, timeout=120)
    assert entry.reason.startswith("refused by Keras safe mode")
    assert not marker.exists()


@pytest.mark.slow
def test_a_submission_that_runs_past_the_time_limit_is_reported_and_others_still_score(
    submissions, text_file, tmp_path
):
    folder = tmp_path / "subs"
    folder.mkdir()
    (folder / "slow").symlink_to(submissions / "good", target_is_directory=True)
    [entry] = leaderboard(folder, text_file, timeout=0.5)
    assert entry.reason == "time limit: scoring took longer than 0.5 s"
