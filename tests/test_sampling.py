"""Tests for helpers.sampling and helpers.stepping: sample_next, generate (one text or a batch
of n_samples), the compiled stateful stepper with its agreement check, and the window fallback."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from helpers import sampling, stepping
from helpers.sampling import RecurrentStepper, _window_logits, generate, sample_next
from helpers.vocab import UNKNOWN_CHAR, UNKNOWN_ID, CharVocab

VOCAB = CharVocab.from_text("abcdefgh ij\n")  # 12 characters, 13 ids
D = VOCAB.size

logits_st = hnp.arrays(np.float64, st.integers(2, 30), elements=st.floats(-50, 50))


# --- sample_next -----------------------------------------------------------------------------


@given(logits=logits_st, seed=st.integers(0, 2**32 - 1), temperature=st.floats(0.05, 5))
def test_top_k_1_is_the_argmax(logits, seed, temperature):
    best = np.flatnonzero(logits == logits.max())
    drawn = sample_next(logits, temperature, top_k=1, rng=np.random.default_rng(seed))
    assert drawn in best


@given(logits=logits_st, data=st.data())
def test_forbidden_ids_are_never_drawn(logits, data):
    forbidden = data.draw(st.sets(st.integers(0, logits.size - 1), max_size=logits.size - 1))
    logits[list(forbidden)] = -np.inf
    top_k = data.draw(st.none() | st.integers(1, logits.size + 3))
    rng = np.random.default_rng(data.draw(st.integers(0, 1000)))
    for _ in range(20):
        assert sample_next(logits, 1.0, top_k, rng) not in forbidden


@given(logits=logits_st, k=st.integers(1, 5), seed=st.integers(0, 1000))
def test_top_k_draws_only_among_the_k_largest(logits, k, seed):
    rng = np.random.default_rng(seed)
    kth_largest = np.sort(logits)[-min(k, logits.size)]
    for _ in range(20):
        assert logits[sample_next(logits, 2.0, k, rng)] >= kth_largest


def test_samples_follow_the_softmax_of_logits_over_temperature():
    logits = np.array([1.0, 2.0, 3.0, 0.0])
    rng = np.random.default_rng(0)
    for temperature in (1.0, 2.0):
        draws = [sample_next(logits, temperature, rng=rng) for _ in range(20_000)]
        expected = np.exp(logits / temperature) / np.exp(logits / temperature).sum()
        frequencies = np.bincount(draws, minlength=4) / len(draws)
        np.testing.assert_allclose(frequencies, expected, atol=0.015)


def test_low_temperature_concentrates_the_mass_on_the_most_likely_id():
    logits = np.array([1.0, 2.0, 3.0, 0.0])
    rng = np.random.default_rng(1)

    def share_of_best(temperature):
        draws = [sample_next(logits, temperature, rng=rng) for _ in range(2_000)]
        return np.mean(np.array(draws) == 2)

    cold, warm, hot = share_of_best(0.1), share_of_best(1.0), share_of_best(5.0)
    assert cold > 0.99
    assert cold > warm > hot
    assert hot < 0.4


def test_the_same_seed_draws_the_same_ids():
    logits = np.linspace(-1, 1, 10)
    rng_a, rng_b, rng_c = (np.random.default_rng(s) for s in (5, 5, 6))
    a = [sample_next(logits, rng=rng_a) for _ in range(50)]
    b = [sample_next(logits, rng=rng_b) for _ in range(50)]
    c = [sample_next(logits, rng=rng_c) for _ in range(50)]
    assert a == b
    assert a != c


@given(
    logits=logits_st,
    temperature=st.floats(0.05, 5),
    top_k=st.none() | st.integers(1, 8),
    seed=st.integers(0, 2**32 - 1),
)
def test_sample_next_draws_what_generator_choice_draws(logits, temperature, top_k, seed):
    # The contract the batched and compiled paths rely on: one rng.random() per draw, the
    # arithmetic of rng.choice, so a seed keeps giving the texts it gave before.
    kept = logits.copy()
    if top_k is not None and top_k < kept.size:
        kept[kept < np.sort(kept)[-top_k]] = -np.inf
    probs = np.exp((kept - kept.max()) / temperature)
    probs /= probs.sum()
    rng_a, rng_b = np.random.default_rng(seed), np.random.default_rng(seed)
    for _ in range(5):
        assert sample_next(logits, temperature, top_k, rng_a) == rng_b.choice(logits.size, p=probs)


@settings(max_examples=30, deadline=None)
@given(
    data=st.data(),
    batch=st.integers(1, 4),
    width=st.integers(2, 20),
    temperature=st.floats(0.05, 5),
    top_k=st.integers(1, 25),
)
def test_the_in_graph_picker_draws_the_same_ids_as_the_numpy_picker(
    data, batch, width, temperature, top_k
):
    import tensorflow as tf

    logits = data.draw(hnp.arrays(np.float64, (batch, width), elements=st.floats(-30, 30)))
    forbidden = data.draw(hnp.arrays(np.bool_, (batch, width)))
    forbidden[:, 0] = False  # keep one finite logit per row
    logits[forbidden] = -np.inf
    uniforms = data.draw(hnp.arrays(np.float64, batch, elements=st.floats(0, 1, exclude_max=True)))
    expected = sampling._pick_ids(logits, uniforms, temperature, top_k)
    got, total = stepping._pick_ids_tf(
        tf.constant(logits),
        tf.constant(uniforms),
        tf.constant(temperature, tf.float64),
        tf.constant(top_k, tf.int32),
    )
    np.testing.assert_array_equal(got.numpy(), expected)
    assert np.isfinite(total.numpy()).all()


def test_sample_next_accepts_an_integer_temperature_and_a_list():
    assert sample_next([0.0, 9.0, 0.0], temperature=1, top_k=1) == 1


def test_sample_next_accepts_numpy_scalars_as_temperature():
    assert sample_next([0.0, 9.0, 0.0], temperature=np.float32(0.5), top_k=1) == 1


@pytest.mark.parametrize(
    ("temperature", "message"),
    [
        (
            0,
            r"temperature=0 must be > 0 \(e\.g\. 0\.2, 0\.5 or 1\.0\); "
            r"for greedy decoding use top_k=1",
        ),
        (-0.5, r"temperature=-0\.5 must be > 0"),
        (float("nan"), r"temperature=nan must be > 0"),
        (float("inf"), r"temperature=inf must be > 0"),
        ("hot", r"temperature='hot' must be a positive number"),
        (True, r"temperature=True must be a positive number"),
        (None, r"temperature=None must be a positive number"),
    ],
)
def test_sample_next_rejects_bad_temperatures(temperature, message):
    with pytest.raises(ValueError, match=message):
        sample_next(np.zeros(3), temperature)


@pytest.mark.parametrize("top_k", [0, -1, 1.5, True, "3"])
def test_sample_next_rejects_bad_top_k(top_k):
    with pytest.raises(ValueError, match=rf"top_k={top_k!r} must be a positive integer or None"):
        sample_next(np.zeros(3), 1.0, top_k)


@pytest.mark.parametrize(
    ("logits", "message"),
    [
        (np.zeros((2, 3)), r"logits must be a non-empty 1-D array, got shape \(2, 3\)"),
        (np.zeros(0), r"logits must be a non-empty 1-D array, got shape \(0,\)"),
        (np.array([1.0, np.nan]), r"logits hold NaN, \+inf or no finite value"),
        (np.array([-np.inf, -np.inf]), r"logits hold NaN, \+inf or no finite value"),
        (np.array([1.0, np.inf]), r"logits hold NaN, \+inf or no finite value"),
    ],
)
def test_sample_next_rejects_broken_logits(logits, message):
    with pytest.raises(ValueError, match=message):
        sample_next(logits)


# --- tiny models -----------------------------------------------------------------------------


def _model(*layers, one_hot=False, length=None, seed=0):
    import keras

    keras.utils.set_random_seed(seed)
    if one_hot:
        inputs = keras.Input((length, D), dtype="float32")
    else:
        inputs = keras.Input((length,), dtype="int32")
    x = inputs
    for layer in layers:
        x = layer(x)
    return keras.Model(inputs, x)


def _architectures():
    from keras import layers as L

    return {
        "gru": lambda: _model(L.Embedding(D, 8), L.GRU(16, return_sequences=True), L.Dense(D)),
        "lstm": lambda: _model(L.Embedding(D, 8), L.LSTM(16, return_sequences=True), L.Dense(D)),
        "simple_rnn": lambda: _model(
            L.Embedding(D, 8), L.SimpleRNN(16, return_sequences=True), L.Dense(D)
        ),
        "stacked": lambda: _model(
            L.Embedding(D, 8),
            L.GRU(16, return_sequences=True),
            L.Dropout(0.5),
            L.LSTM(8, return_sequences=True),
            L.LayerNormalization(),
            L.Dense(D),
        ),
        "one_hot_input": lambda: _model(L.GRU(16, return_sequences=True), L.Dense(D), one_hot=True),
        "dense_softmax": lambda: _model(
            L.Embedding(D, 8), L.GRU(16, return_sequences=True), L.Dense(D, activation="softmax")
        ),
        "last_step_only": lambda: _model(
            L.Embedding(D, 8), L.GRU(16, return_sequences=True), L.LSTM(12), L.Dense(D)
        ),
        "fixed_length": lambda: _model(
            L.Embedding(D, 8), L.GRU(16, return_sequences=True), L.Dense(D), length=9
        ),
    }


ARCHITECTURES = list(_architectures())
IDS = VOCAB.encode("fade a bag\nhigh jib")


def _inputs(ids, one_hot):
    ids = np.asarray(ids, np.int32)[None]
    return np.eye(D, dtype=np.float32)[ids] if one_hot else ids


@pytest.mark.parametrize("name", ARCHITECTURES)
def test_stepper_reproduces_the_models_own_output_at_every_step(name):
    model = _architectures()[name]()
    one_hot = name == "one_hot_input"
    ids = IDS[:9] if name == "fixed_length" else IDS
    stepper = RecurrentStepper.try_build(model, D, one_hot)
    assert stepper is not None, f"{name} should run on the stateful path"
    stepped = np.stack([stepper.feed(ids[t : t + 1]) for t in range(len(ids))])
    expected = np.asarray(model(_inputs(ids, one_hot), training=False))[0]
    if expected.ndim == 1:  # return_sequences=False: only the last step exists
        stepped = stepped[-1]
    np.testing.assert_allclose(stepped, expected, rtol=1e-4, atol=1e-5)
    # The states matter: restarting from fresh states at the last step gives another output.
    fresh = RecurrentStepper.try_build(model, D, one_hot).feed(ids[-1:])
    assert not np.allclose(fresh, np.atleast_2d(stepped)[-1], atol=1e-5)


def test_feeding_a_sequence_at_once_equals_feeding_it_step_by_step():
    model = _architectures()["lstm"]()
    whole = RecurrentStepper.try_build(model, D, False).feed(IDS)
    stepper = RecurrentStepper.try_build(model, D, False)
    for t in range(len(IDS)):
        last = stepper.feed(IDS[t : t + 1])
    np.testing.assert_allclose(whole, last, rtol=1e-6)


@pytest.mark.parametrize("name", ["gru", "dense_softmax", "one_hot_input"])
def test_stateful_path_and_window_fallback_give_the_same_distribution(name, monkeypatch):
    model = _architectures()[name]()
    one_hot = name == "one_hot_input"
    stepper = RecurrentStepper.try_build(model, D, one_hot)
    ids = list(IDS)
    np.testing.assert_allclose(
        stepper.feed(IDS), _window_logits(model, ids, len(ids), D, one_hot), rtol=1e-4, atol=1e-5
    )
    stateful = generate(model, VOCAB, "bad", 12, seed=3)
    monkeypatch.setattr(RecurrentStepper, "try_build", classmethod(lambda *args: None))
    assert generate(model, VOCAB, "bad", 12, seed=3, context=100) == stateful


def test_a_softmax_model_samples_like_the_same_model_with_logits():
    import keras

    logits_model = _architectures()["gru"]()
    kernel, bias = logits_model.layers[-1].get_weights()
    # Spread the logits (random init gives a nearly uniform output, where probabilities
    # mistaken for logits would sample almost the same text).
    logits_model.layers[-1].set_weights([kernel * 30, bias])
    probs_model = _model(
        keras.layers.Embedding(D, 8),
        keras.layers.GRU(16, return_sequences=True),
        keras.layers.Dense(D, activation="softmax"),
    )
    probs_model.set_weights(logits_model.get_weights())
    softmax_layer_model = keras.Model(
        logits_model.input, keras.layers.Softmax()(logits_model.output)
    )
    expected = generate(logits_model, VOCAB, "a", 60, seed=9)
    assert generate(probs_model, VOCAB, "a", 60, seed=9) == expected
    assert generate(softmax_layer_model, VOCAB, "a", 60, seed=9) == expected


def test_outputs_probabilities_recognises_a_final_softmax():
    import keras

    logits_model = _architectures()["gru"]()
    assert sampling.outputs_probabilities(logits_model) is False
    assert sampling.outputs_probabilities(_architectures()["dense_softmax"]()) is True
    softmax_layer = keras.Model(logits_model.input, keras.layers.Softmax()(logits_model.output))
    assert sampling.outputs_probabilities(softmax_layer) is True


def _bidirectional():
    from keras import layers as L

    return _model(L.Embedding(D, 8), L.Bidirectional(L.GRU(8, return_sequences=True)), L.Dense(D))


def _conv_fixed_length():
    from keras import layers as L

    return _model(L.Embedding(D, 8), L.Conv1D(8, 3), L.Flatten(), L.Dense(D), length=6)


@pytest.mark.parametrize("build", [_bidirectional, _conv_fixed_length], ids=["bidi", "conv1d"])
def test_other_models_fall_back_to_the_window_path_and_still_generate(build):
    model = build()
    assert RecurrentStepper.try_build(model, D, False) is None
    text = generate(model, VOCAB, "hi", 15, seed=1, context=8)
    assert text.startswith("hi") and len(text) == 17
    assert set(text) <= set(VOCAB.chars)
    assert generate(model, VOCAB, "hi", 15, seed=1, context=8) == text


def test_fallback_feeds_the_last_context_characters():
    model = _bidirectional()
    ids = list(range(1, 10))
    got = _window_logits(model, ids, 4, D, False)
    expected = np.asarray(model(np.array([ids[-4:]], np.int32), training=False))[0, -1]
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    whole = np.asarray(model(np.array([ids], np.int32), training=False))[0, -1]
    assert not np.allclose(got, whole, atol=1e-6)  # the backward half sees a shorter window


def test_fallback_left_pads_a_fixed_length_input_with_the_unknown_id():
    model = _conv_fixed_length()
    got = _window_logits(model, [3, 4], 100, D, False)
    expected = np.asarray(model(np.array([[0, 0, 0, 0, 3, 4]], np.int32), training=False))[0]
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


# --- generate --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gru_model():
    return _architectures()["gru"]()


def test_generate_continues_the_prompt_by_length_characters(gru_model):
    text = generate(gru_model, VOCAB, "bag", 50, seed=0)
    assert text.startswith("bag") and len(text) == 53
    assert set(text) <= set(VOCAB.chars)
    assert generate(gru_model, VOCAB, "bag", 0, seed=0) == "bag"


def test_generate_is_reproducible_for_a_seed_and_differs_for_another(gru_model):
    first = generate(gru_model, VOCAB, "a", 80, seed=1)
    assert generate(gru_model, VOCAB, "a", 80, seed=1) == first
    assert generate(gru_model, VOCAB, "a", 80, seed=2) != first


def test_greedy_generation_follows_the_argmax_of_the_model(gru_model):
    text = generate(gru_model, VOCAB, "ch", 12, top_k=1, seed=1)
    assert generate(gru_model, VOCAB, "ch", 12, top_k=1, seed=2) == text
    ids = list(VOCAB.encode("ch"))
    for _ in range(12):
        logits = np.array(gru_model(np.array([ids], np.int32), training=False))[0, -1]
        logits[UNKNOWN_ID] = -np.inf
        ids.append(int(np.argmax(logits)))
    assert text == VOCAB.decode(ids)


@pytest.mark.parametrize("stateful", [True, False], ids=["stateful", "fallback"])
def test_the_unknown_id_is_never_generated_even_when_the_model_prefers_it(stateful, monkeypatch):
    model = _architectures()["gru"]()
    dense = model.layers[-1]
    kernel, bias = dense.get_weights()
    bias[UNKNOWN_ID] = 50.0  # the unknown id gets almost all the probability mass
    dense.set_weights([kernel, bias])
    if not stateful:
        monkeypatch.setattr(RecurrentStepper, "try_build", classmethod(lambda *args: None))
    length = 40 if stateful else 10  # the fallback re-runs the model at every step
    text = generate(model, VOCAB, "a", length, temperature=3.0, seed=0)
    assert UNKNOWN_CHAR not in text and len(text) == length + 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"prompt": ""}, "prompt is empty; give at least one character"),
        (
            {"prompt": "ROMEO:"},
            r"prompt='ROMEO:' holds characters that are not in the vocabulary: "
            r"\[':', 'E', 'M', 'O', 'R'\]",
        ),
        ({"length": -1}, "length=-1 must be a non-negative integer"),
        ({"length": 2.5}, "length=2.5 must be a non-negative integer"),
        ({"temperature": 0}, "temperature=0 must be > 0"),
        ({"temperature": -1.0}, r"temperature=-1\.0 must be > 0"),
        ({"top_k": 0}, "top_k=0 must be a positive integer or None"),
        ({"seed": -3}, r"seed=-3 must be a non-negative integer \(e\.g\. 42\) or None"),
        ({"seed": "abc"}, r"seed='abc' must be a non-negative integer"),
        ({"context": 0}, "context=0 must be a positive integer"),
    ],
)
def test_generate_rejects_bad_arguments(gru_model, kwargs, message):
    arguments = {"prompt": "a", "length": 5, **kwargs}
    with pytest.raises(ValueError, match=message):
        generate(gru_model, VOCAB, **arguments)


def test_generate_rejects_a_vocabulary_that_is_not_a_char_vocab(gru_model):
    with pytest.raises(TypeError, match="vocab must be a CharVocab, got dict"):
        generate(gru_model, {"a": 1}, "a")


def test_generate_rejects_a_model_whose_output_width_differs_from_the_vocab():
    from keras import layers as L

    model = _model(L.Embedding(D, 8), L.GRU(8, return_sequences=True), L.Dense(D + 1))
    with pytest.raises(
        ValueError,
        match=rf"model predicts {D + 1} classes but vocab has {D} ids; "
        "use the vocabulary the model was trained with",
    ):
        generate(model, VOCAB, "a", 5)


def test_generate_rejects_a_model_whose_one_hot_width_differs_from_the_vocab():
    import keras

    inputs = keras.Input((None, D + 2))
    model = keras.Model(inputs, keras.layers.Dense(D)(keras.layers.GRU(8)(inputs)))
    with pytest.raises(
        ValueError,
        match=rf"model expects one-hot vectors of width {D + 2} but "
        rf"vocab has {D} ids",
    ):
        generate(model, VOCAB, "a", 5)


def test_generate_rejects_models_that_are_not_character_models():
    import keras

    images = keras.Input((4, 4, 1))
    flat = keras.layers.Flatten()(images)
    image_model = keras.Model(images, keras.layers.Dense(D)(flat))
    with pytest.raises(ValueError, match=r"model input has shape \(None, 4, 4, 1\); expected"):
        generate(image_model, VOCAB, "a", 5)
    a, b = keras.Input((3,)), keras.Input((3,))
    two_inputs = keras.Model([a, b], keras.layers.Dense(D)(keras.layers.Concatenate()([a, b])))
    with pytest.raises(ValueError, match="model has 2 inputs and 1 outputs; generate"):
        generate(two_inputs, VOCAB, "a", 5)


# --- generate: exactness, n_samples, the compiled program ------------------------------------


def _spread(model, factor=20.0):
    """Scale the last Dense kernel so that the model's distribution is far from uniform."""
    kernel, bias = model.layers[-1].get_weights()
    model.layers[-1].set_weights([kernel * factor, bias])
    return model


def _full_prefix_text(model, prompt, length, temperature, top_k, seed, one_hot=False):
    """The textbook loop: run the whole prefix through the model, draw with sample_next."""
    rng, ids = np.random.default_rng(seed), list(VOCAB.encode(prompt))
    for _ in range(length):
        out = np.asarray(model(_inputs(ids, one_hot), training=False), np.float64)
        out = out[0, -1] if out.ndim == 3 else out[0]
        if sampling.outputs_probabilities(model):
            out = np.log(out)
        out[UNKNOWN_ID] = -np.inf
        ids.append(sample_next(out, temperature, top_k, rng))
    return VOCAB.decode(np.array(ids, np.int32))


@pytest.mark.parametrize("name", [n for n in ARCHITECTURES if n != "fixed_length"])
def test_generate_draws_exactly_what_the_full_prefix_loop_draws(name):
    model = _spread(_architectures()[name]())
    expected = _full_prefix_text(model, "bad", 25, 0.7, 5, 4, one_hot=name == "one_hot_input")
    assert generate(model, VOCAB, "bad", 25, temperature=0.7, top_k=5, seed=4) == expected


@pytest.mark.parametrize("stateful", [True, False], ids=["stateful", "fallback"])
@pytest.mark.parametrize("name", ["gru", "dense_softmax", "one_hot_input"])
def test_n_samples_writes_the_texts_of_consecutive_seeds_in_one_pass(name, stateful, monkeypatch):
    model = _spread(_architectures()[name](), 5.0)
    kwargs = {"temperature": 0.8, "top_k": 6}
    singles = [generate(model, VOCAB, "bad", 30, seed=seed, **kwargs) for seed in (7, 8, 9)]
    passes = []
    if stateful:
        sample = RecurrentStepper.sample

        def spy(self, prompt, uniforms, *args):
            passes.append(np.shape(uniforms))
            return sample(self, prompt, uniforms, *args)

        monkeypatch.setattr(RecurrentStepper, "sample", spy)
    else:
        monkeypatch.setattr(RecurrentStepper, "try_build", classmethod(lambda *args: None))
        window_logits = sampling._window_logits

        def spy(model, ids, *args):
            passes.append(np.shape(ids)[0])
            return window_logits(model, ids, *args)

        monkeypatch.setattr(sampling, "_window_logits", spy)
    batch = generate(model, VOCAB, "bad", 30, seed=7, n_samples=3, **kwargs)
    assert batch == singles  # sample i is the text of seed 7 + i, on either path
    assert len(set(batch)) == 3
    # One batched pass: the compiled loop once for all three samples, or one model call
    # per character with the three windows in one batch.
    assert passes == ([(3, 30)] if stateful else [3] * 30)


def test_n_samples_none_returns_a_string_and_any_number_a_list(gru_model):
    text = generate(gru_model, VOCAB, "bag", 20, seed=5)
    assert isinstance(text, str)
    assert generate(gru_model, VOCAB, "bag", 20, seed=5, n_samples=1) == [text]
    assert generate(gru_model, VOCAB, "bag", 0, seed=5, n_samples=3) == ["bag"] * 3
    assert generate(gru_model, VOCAB, "bag", 20, seed=np.int64(5), n_samples=np.int64(2))[0] == text


def test_n_samples_without_a_seed_draws_independent_samples(gru_model):
    texts = generate(gru_model, VOCAB, "a", 60, n_samples=4)
    assert len(texts) == 4 and len(set(texts)) == 4
    assert all(t.startswith("a") and len(t) == 61 for t in texts)


@pytest.mark.parametrize("n_samples", [0, -2, 1.5, True, "3"])
def test_generate_rejects_a_bad_n_samples(gru_model, n_samples):
    with pytest.raises(
        ValueError, match=rf"n_samples={n_samples!r} must be a positive integer or None"
    ):
        generate(gru_model, VOCAB, "a", 5, n_samples=n_samples)


def test_the_compiled_program_is_built_once_per_model_and_reads_the_current_weights():
    model = _architectures()["gru"]()
    first = RecurrentStepper.try_build(model, D, False)
    first.feed(IDS)
    second = RecurrentStepper.try_build(model, D, False)
    assert second.program is first.program  # traced and checked once, then reused
    for state in second.states:  # but every stepper starts from zero states
        assert not np.asarray(state).any()
    generate(model, VOCAB, "a", 10, top_k=1)
    kernel, bias = model.layers[-1].get_weights()
    bias[VOCAB.encode("j")[0]] = 100.0  # after "training", j is by far the most likely
    model.layers[-1].set_weights([kernel, bias])
    assert generate(model, VOCAB, "a", 10, top_k=1) == "a" + "j" * 10


@pytest.mark.parametrize("stateful", [True, False], ids=["stateful", "fallback"])
def test_a_model_whose_output_turns_nan_is_reported(stateful, monkeypatch):
    model = _architectures()["gru"]()
    generate(model, VOCAB, "a", 3)  # builds and checks the compiled program with sane weights
    kernel, bias = model.layers[-1].get_weights()
    model.layers[-1].set_weights([kernel, np.full_like(bias, np.nan)])
    if not stateful:
        monkeypatch.setattr(RecurrentStepper, "try_build", classmethod(lambda *args: None))
    with pytest.raises(ValueError, match="the model's output held NaN or no finite value"):
        generate(model, VOCAB, "a", 5, n_samples=2)
