"""The competition's score and leaderboard, on small submissions built here."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import keras
import numpy as np
import pytest

from helpers.competition import (
    MODEL_FILE,
    SENTENCE_FILE,
    bits_per_char,
    leaderboard,
    render_markdown,
    write_csv,
    write_submission,
)
from helpers.vocab import CharVocab

# A text with a fixed 7-character pattern: a model can learn it almost perfectly.
PATTERN = "ROMEO:\n"
TEXT = PATTERN * 300
VOCAB = CharVocab.from_text(TEXT)


def _char_model(vocab_size: int, units: int = 16, embedding: int = 8, one_hot=False):
    inputs = keras.Input((None, vocab_size) if one_hot else (None,))
    x = inputs if one_hot else keras.layers.Embedding(vocab_size, embedding)(inputs)
    x = keras.layers.GRU(units, return_sequences=True)(x)
    return keras.Model(inputs, keras.layers.Dense(vocab_size)(x))


def _trained_model(epochs: int = 15):
    keras.utils.set_random_seed(0)
    model = _char_model(VOCAB.size)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(keras.optimizers.Adam(0.02), loss)
    ids = VOCAB.encode(TEXT)
    x = np.stack([ids[i : i + 20] for i in range(0, 1000, 3)])
    y = np.stack([ids[i + 1 : i + 21] for i in range(0, 1000, 3)])
    model.fit(x, y, epochs=epochs, batch_size=32, verbose=0)
    return model


def test_bits_per_char_of_a_uniform_model_is_log2_of_the_vocabulary():
    model = _char_model(VOCAB.size)
    model.layers[-1].set_weights([np.zeros_like(w) for w in model.layers[-1].get_weights()])
    score = bits_per_char(model, VOCAB, TEXT)
    assert score.bits == pytest.approx(math.log2(VOCAB.size), rel=1e-5)
    assert score.perplexity == pytest.approx(VOCAB.size, rel=1e-4)
    assert score.n_chars == (len(TEXT) - 101) // 100 * 100 + 100


def test_bits_per_char_treats_softmax_outputs_and_logits_alike():
    logits_model = _char_model(VOCAB.size)
    probs_model = keras.Sequential([logits_model, keras.layers.Softmax()])
    a = bits_per_char(logits_model, VOCAB, TEXT).nats
    b = bits_per_char(probs_model, VOCAB, TEXT).nats
    assert a == pytest.approx(b, rel=1e-4)


def test_bits_per_char_refuses_a_vocabulary_that_lacks_characters_of_the_text():
    small = CharVocab("ROME")
    model = _char_model(small.size)
    with pytest.raises(ValueError, match=r"vocab lacks 2 character\(s\)"):
        bits_per_char(model, small, TEXT)


def test_bits_per_char_refuses_a_many_to_one_model():
    inputs = keras.Input((None,))
    x = keras.layers.Embedding(VOCAB.size, 4)(inputs)
    x = keras.layers.GRU(4)(x)
    model = keras.Model(inputs, keras.layers.Dense(VOCAB.size)(x))
    with pytest.raises(ValueError, match="return_sequences=True"):
        bits_per_char(model, VOCAB, TEXT)


def test_write_submission_refuses_a_sentence_without_the_prompt(tmp_path):
    with pytest.raises(ValueError, match="must start with 'ROMEO:'"):
        write_submission(tmp_path, _char_model(VOCAB.size), VOCAB, "JULIET: hi", "Ann")


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


def test_sentence_must_start_with_the_prompt_on_the_board(submissions, text_file, tmp_path):
    from helpers.competition import score_submission

    folder = tmp_path / "s"
    write_submission(folder, _char_model(VOCAB.size), VOCAB, "ROMEO: ok", "X")
    (folder / SENTENCE_FILE).write_text("JULIET: no", encoding="utf-8")
    entry = score_submission(folder, TEXT)
    assert entry.reason == "sentence.txt must start with 'ROMEO:'"
