"""The competition's score and submissions (student side), on small models built here."""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest
from char_models import (
    PATTERN,
    TEXT,
    VOCAB,
    _batch_mixing,
    _bidirectional,
    _blinded_honest,
    _blinding_cheat,
    _char_model,
    _look_ahead_conv,
)

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
from helpers.scoring import log_probs
from helpers.vocab import CharVocab
from instructor.reports.board_ranking import TIE_BITS


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


def test_the_probe_refuses_a_look_ahead_whose_outputs_are_infinite():
    """Logits of -inf for every character but the next one: a tolerance taken from the largest
    output would be infinite and let it through; outputs beyond the bound are refused."""
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
    with pytest.raises(
        ScoreError, match=r"^outputs out of range: the model outputs values from -inf to "
    ):
        looks_ahead(cheat, VOCAB.size, one_hot=True)


def test_a_never_occurring_class_at_minus_a_million_no_longer_blinds_the_probe():
    """Issue 20's first attack: class 0 (never in the text) at -1e6 widened the old tolerance to
    about 100 logits, and the model read the next character (0.060 bits/char, rank 1)."""
    cheat = _blinding_cheat(VOCAB.size)
    with pytest.raises(ScoreError) as refused:
        bits_per_char(cheat, VOCAB, TEXT)
    assert refused.value.kind == "outputs out of range"
    assert "logits must stay within +-1000" in str(refused.value)
    # Inside the bound, the fixed tolerance on log-probabilities catches the same trick.
    inside = _blinding_cheat(VOCAB.size, blind=-999.0)
    assert bits_per_char(inside, VOCAB, TEXT, check_causal=False).bits < 0.1, "it would win"
    with pytest.raises(ScoreError, match="^looks ahead: "):
        bits_per_char(inside, VOCAB, TEXT)


def test_an_honest_model_with_a_blinded_peek_of_four_logits_is_refused():
    honest = _char_model(VOCAB.size)
    for blind in (-1e6, -999.0):
        cheat = _blinded_honest(honest, VOCAB.size, boost=4.0, blind=blind)
        with pytest.raises(ScoreError, match="^(outputs out of range|looks ahead): "):
            bits_per_char(cheat, VOCAB, TEXT)
    assert looks_ahead(_blinded_honest(honest, VOCAB.size, 4.0, -999.0), VOCAB.size, False) == 0


@pytest.mark.parametrize("boost", [4.5e-4, 9e-4])
def test_a_peek_under_the_probe_tolerance_gains_less_than_a_tie(boost):
    """What the probe cannot see it cannot refuse: a peek of under 1e-3 logits passes. Its gain
    must stay within the leaderboard's tie margin, so it can only share the honest rank."""
    honest = _char_model(VOCAB.size)
    faint = _blinded_honest(honest, VOCAB.size, boost=boost, blind=0.0)
    gain = bits_per_char(honest, VOCAB, TEXT).bits - bits_per_char(faint, VOCAB, TEXT).bits
    assert 0 < gain <= TIE_BITS, gain


def test_a_peek_just_over_the_probe_tolerance_is_refused():
    faint = _blinded_honest(_char_model(VOCAB.size), VOCAB.size, boost=3e-3, blind=0.0)
    with pytest.raises(ScoreError, match="^looks ahead: "):
        bits_per_char(faint, VOCAB, TEXT)


def test_log_probs_ignore_a_constant_added_to_every_logit_and_refuse_out_of_range_outputs():
    logits = np.array([[1.0, 2.0, 3.0]])
    assert log_probs(logits + 500, True) == pytest.approx(log_probs(logits, True))
    assert np.exp(log_probs(logits, True)).sum() == pytest.approx(1.0)
    probs = np.exp(log_probs(logits, True))
    assert log_probs(probs, False) == pytest.approx(log_probs(logits, True))
    for bad, from_logits in ((logits * 1e3, True), (probs + 1, False), (-logits, False)):
        with pytest.raises(ScoreError, match="^outputs out of range: "):
            log_probs(bad, from_logits)
    with pytest.raises(ScoreError, match="outputs NaN"):
        log_probs(np.array([np.nan, 0.0]), True)


def test_rows_that_attend_across_the_batch_are_refused_and_honest_rows_are_independent():
    """Issue 20's second attack: MultiHeadAttention(attention_axes=(0,)) with dropout attends
    across the batch, where the next window holds the future (0.113 bits/char, rank 2)."""
    mixing = _batch_mixing(VOCAB.size)
    x = VOCAB.encode(TEXT[:400]).reshape(4, 100)
    alone, batched = np.asarray(mixing(x[:1])), np.asarray(mixing(x))[:1]
    assert np.abs(alone - batched).max() > 0.01, "the rows really see each other"
    with pytest.raises(ScoreError) as refused:
        bits_per_char(mixing, VOCAB, TEXT)
    assert refused.value.kind == "rows see each other"
    assert str(refused.value).startswith("rows see each other: the prediction for a window")
    honest = _char_model(VOCAB.size)
    shuffled = np.random.default_rng(0).permutation(4)
    together = np.asarray(honest(x[shuffled]))
    for k in range(4):
        one = np.asarray(honest(x[shuffled[k] : shuffled[k] + 1]))[0]
        assert np.abs(log_probs(one, True) - log_probs(together[k], True)).max() < 1e-5


def test_twins_never_share_a_call_with_the_windows_they_shadow(monkeypatch):
    """The altered twins of a batch run in their own call, in shuffled order: a batch-mixing
    model could otherwise see the real windows from every twin."""
    import helpers.scoring as scoring

    calls: list[np.ndarray] = []
    graph_call = scoring._graph_call

    def spied(model):  # every call of the model goes through the caller _graph_call returns
        call = graph_call(model)
        return lambda x: (calls.append(np.asarray(x)), call(x))[1]

    monkeypatch.setattr(scoring, "_graph_call", spied)
    bits_per_char(_char_model(VOCAB.size), VOCAB, TEXT)
    ids = VOCAB.encode(TEXT)
    windows = {ids[k * 100 : k * 100 + 100].tobytes() for k in range((len(ids) - 1) // 100)}
    batches = [call for call in calls if len(call) > 1]
    real = [sum(row.tobytes() in windows for row in call) for call in batches]
    assert len(real) > 2 and real.count(0) >= 2, "twin calls and the probe's changed copies"
    sizes = [len(call) for call in batches]
    together = zip(real, sizes, strict=True)
    assert all(n in (0, size) for n, size in together), "a call mixes windows and their twins"


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
        ({"seed": 1, "length": 5, "prompt": "JULIET:"}, "from the competition's prompt"),
        ({"seed": 1, "length": 0}, "length=0 must be an integer from 1"),
        ({"seed": 1, "length": 5, "prompt": "ROMEO: But soft"}, "prompt='ROMEO: But soft'"),
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


def test_missing_files_reads_a_folder_or_a_set_of_names_and_keeps_the_order(tmp_path):
    from helpers.competition import REQUIRED_FILES, missing_files

    assert missing_files(tmp_path) == list(REQUIRED_FILES)
    assert missing_files(str(tmp_path)) == list(REQUIRED_FILES)  # a path as text, not letters
    (tmp_path / "vocab.json").write_text("{}")
    (tmp_path / "sentence.txt").mkdir()  # a folder is not the file
    assert missing_files(tmp_path) == ["model.keras", "sentence.txt"]
    assert missing_files({"sentence.txt": b"", "model.keras": b""}) == ["vocab.json"]
    assert missing_files(set(REQUIRED_FILES) | {"name.txt"}) == []
