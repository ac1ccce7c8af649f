"""The competition's score and submissions (student side), on small models built here."""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest
from char_models import PATTERN, TEXT, VOCAB, _bidirectional, _char_model, _look_ahead_conv

from helpers.competition import (
    GENERATION_FILE,
    SENTENCE_FILE,
    ScoreError,
    bits_per_char,
    generation_settings,
    looks_ahead,
    score_submission,
    write_submission,
)
from helpers.sampling import generate
from helpers.vocab import CharVocab


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


def test_sentence_must_start_with_the_prompt_on_the_board(tmp_path):
    from helpers.competition import score_submission

    folder = tmp_path / "s"
    write_submission(folder, _char_model(VOCAB.size), VOCAB, "ROMEO: ok", "X")
    (folder / SENTENCE_FILE).write_text("JULIET: no", encoding="utf-8")
    entry = score_submission(folder, TEXT)
    assert entry.reason == "sentence.txt must start with 'ROMEO:'"


def test_a_model_that_copies_the_next_character_would_win_without_the_probe_and_is_refused():
    cheat = _look_ahead_conv(VOCAB.size)
    unchecked = bits_per_char(cheat, VOCAB, TEXT, check_causal=False)
    assert unchecked.bits < 0.1, "the attack works without the probe"
    with pytest.raises(ScoreError) as refused:
        bits_per_char(cheat, VOCAB, TEXT)
    assert refused.value.kind == "looks ahead"
    assert str(refused.value).startswith("looks ahead: its prediction at position t changes")


def test_bidirectional_models_look_ahead_and_recurrent_ones_do_not():
    assert looks_ahead(_bidirectional(VOCAB.size), VOCAB.size, one_hot=False) is not None
    for layer in (keras.layers.GRU, keras.layers.LSTM, keras.layers.SimpleRNN):
        inputs = keras.Input((None, VOCAB.size))
        x = layer(8, return_sequences=True)(inputs)
        model = keras.Model(inputs, keras.layers.Dense(VOCAB.size)(x))
        assert looks_ahead(model, VOCAB.size, one_hot=True) is None, layer.__name__
    causal = keras.Sequential([keras.Input((None, VOCAB.size)),
                               keras.layers.Conv1D(VOCAB.size, 3, padding="causal")])  # fmt: skip
    assert looks_ahead(causal, VOCAB.size, one_hot=True) is None


def test_the_probe_tests_every_position_so_a_look_ahead_at_one_position_is_caught():
    """A cheat that copies the next character only at position 57 of a 100-character window
    slips through a probe of 12 random positions; the default probe tests all 99."""
    inputs = keras.Input((100, VOCAB.size))
    at_57 = np.zeros((1, 100, 1), dtype="float32")
    at_57[0, 57] = 1.0
    cheat = keras.Model(inputs, _look_ahead_conv(VOCAB.size)(inputs) * at_57)
    assert looks_ahead(cheat, VOCAB.size, one_hot=True, cuts=12, seed=0) is None
    assert looks_ahead(cheat, VOCAB.size, one_hot=True) == 57


def _cheat_on_real_text(vocab: CharVocab, real: str):
    """Copies the next character, but only after 5 characters of ``real``: on random ids the
    gate is almost never open."""
    inputs = keras.Input((None, vocab.size))
    gate = keras.layers.Conv1D(vocab.size, 5, padding="causal", activation="relu")
    kernel = np.zeros((5, vocab.size, vocab.size), dtype="float32")
    kernel[:, vocab.encode(real), :] = 1.0
    gated = keras.layers.Multiply()([_look_ahead_conv(vocab.size)(inputs), gate(inputs)])
    gate.set_weights([kernel, np.full(vocab.size, -4.0, dtype="float32")])
    return keras.Model(inputs, gated)


def test_the_probe_uses_windows_of_the_scored_text_so_a_cheat_gated_on_real_text_is_caught():
    vocab = CharVocab.from_text(TEXT + "abcdefghijklmnopqrstuvwxyz0123")
    cheat = _cheat_on_real_text(vocab, "".join(sorted(set(PATTERN))))
    assert bits_per_char(cheat, vocab, TEXT, check_causal=False).bits < 0.5, "the cheat works"
    ids = vocab.encode(TEXT)
    assert looks_ahead(cheat, vocab.size, True, seq_len=100, seed=0) is None, "random misses it"
    assert looks_ahead(cheat, vocab.size, True, seq_len=100, seed=0, text_ids=ids) is not None
    with pytest.raises(ScoreError, match="^looks ahead: "):
        bits_per_char(cheat, vocab, TEXT)


def test_the_probe_catches_a_look_ahead_whose_outputs_are_infinite():
    """Logits of -inf for every character but the next one: a tolerance taken from the largest
    output would be infinite and let it through; the probe takes it from the finite ones."""
    inputs = keras.Input((None, VOCAB.size))
    conv = _look_ahead_conv(VOCAB.size)
    kernel = np.zeros((3, VOCAB.size, VOCAB.size), dtype="float32")
    kernel[2] = -3e38 * (1 - np.eye(VOCAB.size))
    conv.layers[-1].set_weights([kernel, np.zeros(VOCAB.size, dtype="float32")])
    overflow = keras.layers.Dense(VOCAB.size, use_bias=False)  # x 10: -3e38 becomes -inf
    cheat = keras.Model(inputs, overflow(conv(inputs)))
    overflow.set_weights([10 * np.eye(VOCAB.size, dtype="float32")])
    out = np.asarray(cheat(np.eye(VOCAB.size, dtype="float32")[VOCAB.encode(TEXT[:20])][None]))
    assert np.isneginf(out).any() and np.isfinite(out).any()
    assert looks_ahead(cheat, VOCAB.size, one_hot=True) is not None


def test_generation_settings_are_completed_and_bad_ones_named():
    assert generation_settings({"seed": 3, "length": 20}) == {
        "seed": 3,
        "length": 20,
        "temperature": 1.0,
        "top_k": None,
        "prompt": "ROMEO:",
    }
    for bad, message in [
        ({"length": 20}, "seed=missing must be an integer"),
        ({"seed": 1, "length": 10**6}, "length=1000000 must be an integer"),
        ({"seed": 1, "length": 5, "temperature": 0}, "temperature=0 must be"),
        ({"seed": 1, "length": 5, "top_k": 0}, "top_k=0 must be an integer from 1"),
        ({"seed": 1, "length": 5, "prompt": "JULIET:"}, "prompt must start"),
        ({"seed": 1, "length": 5, "exec": "x"}, r"setting\(s\) \['exec'\]"),
        ([1, 2], "settings must be a dict"),
    ]:
        with pytest.raises(ValueError, match=message):
            generation_settings(bad)


@pytest.mark.slow
def test_score_submission_reproduces_a_generated_sentence_and_spots_a_pasted_one(tmp_path):
    model = _char_model(VOCAB.size)
    settings = {"seed": 5, "length": 25, "temperature": 0.7}
    sentence = generate(model, VOCAB, "ROMEO:", length=25, temperature=0.7, seed=5)
    write_submission(tmp_path / "mine", model, VOCAB, sentence, "Me", generation=settings)
    assert (tmp_path / "mine" / GENERATION_FILE).is_file()
    assert score_submission(tmp_path / "mine", TEXT).sentence_check == "reproduced"
    (tmp_path / "mine" / SENTENCE_FILE).write_text("ROMEO: But soft, what light", "utf-8")
    assert score_submission(tmp_path / "mine", TEXT).sentence_check == "not reproduced"
    (tmp_path / "mine" / GENERATION_FILE).write_text('{"seed": -1}', "utf-8")
    entry = score_submission(tmp_path / "mine", TEXT)
    assert entry.ok and entry.sentence_check.startswith("not reproduced: generation.json: seed=-1")


def test_score_submission_gives_the_look_ahead_reason_once(tmp_path):
    write_submission(tmp_path / "cheat", _look_ahead_conv(VOCAB.size), VOCAB, "ROMEO:", "C")
    entry = score_submission(tmp_path / "cheat", TEXT)
    assert entry.reason.startswith(
        "looks ahead: its prediction at position t changes when later characters change, so"
    )
    assert entry.bits is None and entry.sentence_check == "no generation.json"


def test_every_scored_window_is_checked_even_when_the_upfront_probe_misses(monkeypatch):
    """A model could look ahead only in some windows (gated on their content); the probe of one
    text window would miss it, so bits_per_char runs every window again with its future
    changed after a random position."""
    import helpers.scoring as scoring

    monkeypatch.setattr(scoring, "looks_ahead", lambda *args, **kwargs: None)
    with pytest.raises(ScoreError, match=r"^looks ahead: .* \(first seen at t=\d+\)\.$"):
        bits_per_char(_look_ahead_conv(VOCAB.size), VOCAB, TEXT)
    honest = _char_model(VOCAB.size)
    assert bits_per_char(honest, VOCAB, TEXT).nats == pytest.approx(
        bits_per_char(honest, VOCAB, TEXT, check_causal=False).nats, rel=1e-6
    )
