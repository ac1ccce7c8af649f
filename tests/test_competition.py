"""The competition's score and submissions (student side), on small models built here."""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest
from char_models import TEXT, VOCAB, _char_model

from helpers.competition import (
    SENTENCE_FILE,
    ScoreError,
    bits_per_char,
    looks_ahead,
    write_submission,
)
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


def _look_ahead_conv(vocab_size: int):
    """An untrained Conv1D whose centred kernel copies the *next* character: a cheat."""
    inputs = keras.Input((None, vocab_size))
    conv = keras.layers.Conv1D(vocab_size, 3, padding="same")
    model = keras.Model(inputs, conv(inputs))
    kernel = np.zeros((3, vocab_size, vocab_size), dtype="float32")
    kernel[2] = 20 * np.eye(vocab_size)  # tap +1: the character after this one
    conv.set_weights([kernel, np.zeros(vocab_size, dtype="float32")])
    return model


def test_a_model_that_copies_the_next_character_would_win_without_the_probe_and_is_refused():
    cheat = _look_ahead_conv(VOCAB.size)
    unchecked = bits_per_char(cheat, VOCAB, TEXT, check_causal=False)
    assert unchecked.bits < 0.1, "the attack works without the probe"
    with pytest.raises(ScoreError) as refused:
        bits_per_char(cheat, VOCAB, TEXT)
    assert refused.value.kind == "looks ahead"
    assert str(refused.value).startswith("looks ahead: its prediction at position t changes")


def test_bidirectional_models_look_ahead_and_recurrent_ones_do_not():
    inputs = keras.Input((None,))
    x = keras.layers.Embedding(VOCAB.size, 8)(inputs)
    x = keras.layers.Bidirectional(keras.layers.GRU(8, return_sequences=True))(x)
    both_ways = keras.Model(inputs, keras.layers.Dense(VOCAB.size)(x))
    assert looks_ahead(both_ways, VOCAB.size, one_hot=False) is not None
    for layer in (keras.layers.GRU, keras.layers.LSTM, keras.layers.SimpleRNN):
        inputs = keras.Input((None, VOCAB.size))
        x = layer(8, return_sequences=True)(inputs)
        model = keras.Model(inputs, keras.layers.Dense(VOCAB.size)(x))
        assert looks_ahead(model, VOCAB.size, one_hot=True) is None, layer.__name__
    causal = keras.Sequential([keras.Input((None, VOCAB.size)),
                               keras.layers.Conv1D(VOCAB.size, 3, padding="causal")])  # fmt: skip
    assert looks_ahead(causal, VOCAB.size, one_hot=True) is None
