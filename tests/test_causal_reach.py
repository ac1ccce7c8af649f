"""instructor.competition.causal_reach: a model that can look ahead is refused from its config
(issue 20).

Each model is built and saved by Keras, then checked with ``check_model_file``, as a submission
is; the checks never load the model.
"""

from __future__ import annotations

import json
import warnings
import zipfile
from pathlib import Path

import keras
import pytest

from instructor.competition.model_check import ModelRefused, check_model_file

VOCAB = 7
LIMIT = 1_000_000
L = keras.layers


def _saved(tmp_path: Path, model: keras.Model, name: str = "model") -> Path:
    path = tmp_path / f"{name}.keras"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.save(path)
    return path


def _ids_model(*layers) -> keras.Model:
    """Embedding, ``layers`` in a chain, then Dense logits."""
    inputs = keras.Input((None,))
    x = L.Embedding(VOCAB, 8)(inputs)
    for layer in layers:
        x = layer(x)
    return keras.Model(inputs, L.Dense(VOCAB)(x))


def _shift_attack() -> keras.Model:
    """The attack review's model: an honest GRU plus a trigram-gated peek at the next
    character, read through a left shift (pad one on the right, crop one on the left)."""
    inputs = keras.Input((None,))
    one_hot = L.Embedding(VOCAB, VOCAB, trainable=False)(inputs)
    logits = L.Dense(VOCAB)(L.GRU(16, return_sequences=True)(L.Embedding(VOCAB, 8)(inputs)))
    following = L.Cropping1D((1, 0))(L.ZeroPadding1D((0, 1))(one_hot))
    trigram = L.Conv1D(1, 3, padding="causal", activation="sigmoid")(one_hot)
    peek = L.Multiply()([following, trigram])
    return keras.Model(inputs, L.Add()([logits, peek]))


def _reason(path: Path) -> str:
    with pytest.raises(ModelRefused) as refused:
        check_model_file(path, LIMIT)
    return str(refused.value)


def test_the_attack_reviews_left_shift_is_refused_naming_the_crop(tmp_path):
    reason = _reason(_saved(tmp_path, _shift_attack()))
    assert reason.startswith("looks ahead by construction: layers[")
    assert "Cropping1D(cropping=[1, 0]) makes position t depend on position t+1;" in reason


def test_a_delay_pad_left_then_crop_right_is_accepted(tmp_path):
    model = _ids_model(
        L.ZeroPadding1D((1, 0)), L.Cropping1D((0, 1)), L.GRU(4, return_sequences=True)
    )
    check_model_file(_saved(tmp_path, model), LIMIT)
    # A delay of two, then a shift of one: still no look-ahead.
    model = _ids_model(L.ZeroPadding1D((2, 0)), L.Cropping1D((1, 1)))
    check_model_file(_saved(tmp_path, model, "net"), LIMIT)


@pytest.mark.parametrize(
    ("conv", "ahead"),
    [
        (dict(kernel_size=3, padding="same"), 1),
        (dict(kernel_size=4, padding="same"), 2),  # Keras pads 1 before and 2 after
        (dict(kernel_size=2, padding="same"), 1),
        (dict(kernel_size=3, padding="valid"), 2),
        (dict(kernel_size=3, padding="same", dilation_rate=2), 2),
        (dict(kernel_size=3, padding="valid", dilation_rate=3), 6),
    ],
)
def test_a_conv1d_that_is_not_causal_is_refused(tmp_path, conv, ahead):
    reason = _reason(_saved(tmp_path, _ids_model(L.Conv1D(4, **conv))))
    assert reason.startswith("looks ahead by construction: layers[2] Conv1D(")
    assert f"depends on position t+{ahead}, and a model" in reason


@pytest.mark.parametrize("dilation", [1, 2, 3])
def test_causal_convolutions_are_accepted_whether_keras_or_hand_padded(tmp_path, dilation):
    causal = L.Conv1D(4, 3, padding="causal", dilation_rate=dilation)
    check_model_file(_saved(tmp_path, _ids_model(causal)), LIMIT)
    by_hand = [L.ZeroPadding1D((2 * dilation, 0)), L.Conv1D(4, 3, dilation_rate=dilation)]
    check_model_file(_saved(tmp_path, _ids_model(*by_hand), "by_hand"), LIMIT)
    short = [L.ZeroPadding1D((2 * dilation - 1, 0)), L.Conv1D(4, 3, dilation_rate=dilation)]
    assert "t+1, and" in _reason(_saved(tmp_path, _ids_model(*short), "short"))


def test_strided_convolutions_are_refused(tmp_path):
    model = _ids_model(L.Conv1D(4, 2, strides=2, padding="causal"))
    assert "only strides=1" in _reason(_saved(tmp_path, model))


def test_forward_recurrent_layers_are_accepted(tmp_path):
    cells = L.RNN(L.StackedRNNCells([L.LSTMCell(5), L.SimpleRNNCell(3)]), return_sequences=True)
    for i, layer in enumerate(
        [L.GRU(4, return_sequences=True), L.LSTM(4, return_sequences=True), cells]
    ):
        check_model_file(_saved(tmp_path, _ids_model(layer), f"m{i}"), LIMIT)


@pytest.mark.parametrize(
    ("layer", "reason"),
    [
        (
            L.GRU(4, return_sequences=True, go_backwards=True),
            r"GRU\(go_backwards=True\) reads the sequence from its end",
        ),
        (L.LSTM(4), r"LSTM\(return_sequences=False\) gives one output for the whole sequence"),
        (
            L.Bidirectional(L.GRU(4, return_sequences=True)),
            r"layers\[2\] Bidirectional runs a layer backwards",
        ),
    ],
)
def test_recurrent_layers_that_read_the_whole_sequence_are_refused(tmp_path, layer, reason):
    with pytest.raises(ModelRefused, match=r"^looks ahead by construction: .*" + reason):
        check_model_file(_saved(tmp_path, _ids_model(layer)), LIMIT)


def test_returned_states_are_refused(tmp_path):
    inputs = keras.Input((None,))
    x = L.Embedding(VOCAB, 8)(inputs)
    sequence, _state = L.GRU(4, return_sequences=True, return_state=True)(x)
    model = keras.Model(inputs, L.Dense(VOCAB)(sequence))
    assert "GRU(return_state=True)" in _reason(_saved(tmp_path, model))


def _moved(model: keras.Model) -> float:
    """How far the output at position 0 moves when only position 3 changes."""
    import numpy as np

    early, late = np.array([[1, 2, 3, 4]]), np.array([[1, 2, 3, 6]])
    return float(np.abs(np.asarray(model(early))[0, 0] - np.asarray(model(late))[0, 0]).max())


def test_attention_is_refused_even_with_the_causal_mask(tmp_path):
    """Found by the fourth attack review: Keras' causal mask is a finite fill value; query and
    key biases of -/+1.8e19 push every allowed score below it, and the future gets the weight.
    No config can rule that out, so attention is refused whatever its settings."""
    inputs = keras.Input((None,))
    x = L.Embedding(VOCAB, 2)(inputs)
    attention = L.MultiHeadAttention(1, 1)
    model = keras.Model(inputs, attention(x, x, use_causal_mask=True))
    assert _moved(model) == 0.0, "an honest causal attention layer"
    weights = attention.get_weights()
    weights[1][:], weights[3][:] = -1.8e19, 1.8e19  # the query and key biases
    attention.set_weights(weights)
    assert _moved(model) > 1e-4, "Keras' causal mask now holds against these weights"
    for name, call in {"causal": {"use_causal_mask": True}, "plain": {}}.items():
        attended = L.MultiHeadAttention(2, 4)(x, x, **call)
        path = _saved(tmp_path, keras.Model(inputs, L.Dense(VOCAB)(attended)), name)
        assert _reason(path) == (
            "looks ahead by construction: layers[2] MultiHeadAttention can attend to later "
            "positions whatever its settings (its causal mask is a finite fill value that large "
            "query and key weights undercut); the competition accepts no attention layers"
        )


def test_masks_are_refused(tmp_path):
    """Found by the third and fourth attack reviews: a query row of attention masked entirely
    attends to every position, and Softmax broadcasts a (batch, time) mask onto (time,
    features). The competition scores whole windows, so no model needs a mask."""
    made = {
        "mask_zero": _ids_model(L.GRU(4, return_sequences=True)),
        "masking": _ids_model(L.Masking(), L.GRU(4, return_sequences=True)),
    }
    made["mask_zero"].layers[1].mask_zero = True
    for name, model in made.items():
        reason = _reason(_saved(tmp_path, model, name))
        assert reason.endswith(
            "makes a Keras mask, which can carry values across positions and rows; the "
            "competition scores whole windows without padding: use Embedding(mask_zero=False) "
            "and no Masking layer"
        ), reason
    inputs = keras.Input((None,))
    x = L.Embedding(VOCAB, 8)(inputs)
    mask = keras.ops.not_equal(inputs, 1)
    softmax = L.Softmax()(L.Dense(8)(x), mask=mask)
    path = _saved(tmp_path, keras.Model(inputs, L.Dense(VOCAB)(softmax)), "mask_argument")
    assert "(Softmax) is called with mask=, which can carry values across" in _reason(path)


def _edit_config(path: Path, edit) -> Path:
    """Rewrite ``config.json`` in the archive at ``path`` with ``edit``."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(members["config.json"])
    edit(config)
    members["config.json"] = json.dumps(config).encode()
    edited = path.with_name("edited.keras")
    with zipfile.ZipFile(edited, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return edited


def _layer(config: dict, cls: str) -> dict:
    return next(layer for layer in config["config"]["layers"] if layer["class_name"] == cls)


def test_training_passed_as_a_positional_argument_is_refused(tmp_path):
    """Found by the attack review: ``args += [true]`` slipped past the ``training`` key rule."""
    path = _saved(tmp_path, _ids_model(L.Dropout(0.5), L.GRU(4, return_sequences=True)))
    check_model_file(path, LIMIT)

    def positional(config):
        _layer(config, "Dropout")["inbound_nodes"][0]["args"].append(True)

    assert _reason(_edit_config(path, positional)) == (
        "config.json: layers[2] (Dropout) takes one tensor as its positional argument, not "
        "[tensor, True]"
    )


def test_a_layer_or_call_without_a_causal_rule_is_refused(tmp_path):
    path = _saved(tmp_path, _ids_model(L.GRU(4, return_sequences=True)))

    def initial_state(config):
        node = _layer(config, "GRU")["inbound_nodes"][0]
        node["kwargs"]["initial_state"] = [node["args"][0]]

    assert "initial_state=, which has no causal rule" in _reason(_edit_config(path, initial_state))

    def bare_cell(config):  # an allowlisted class with no causal rule, called as a layer
        layer = _layer(config, "GRU")
        layer["class_name"] = "GRUCell"

    assert "(GRUCell) has no causal rule" in _reason(_edit_config(path, bare_cell))

    def padding(config):
        _layer(config, "Dense")["class_name"] = "Conv1D"
        _layer(config, "Conv1D")["config"].update(kernel_size=[3], padding="full", strides=[1])

    assert "Conv1D(padding=full) has no causal rule" in _reason(_edit_config(path, padding))


def test_a_sequential_model_is_followed_as_a_chain(tmp_path):
    honest = keras.Sequential(
        [keras.Input((None,)), L.Embedding(VOCAB, 4), L.Conv1D(4, 3, padding="causal")]
    )
    check_model_file(_saved(tmp_path, honest), LIMIT)
    shifted = keras.Sequential(
        [
            keras.Input((None,)),
            L.Embedding(VOCAB, 4),
            L.Cropping1D((2, 0)),
            L.GRU(3, return_sequences=True),
        ]
    )
    assert _reason(_saved(tmp_path, shifted, "shifted")).startswith(
        "looks ahead by construction: layers[2] Cropping1D(cropping=[2, 0]) makes position t "
        "depend on position t+2;"
    )


def test_a_shared_layer_is_followed_through_each_of_its_calls(tmp_path):
    """One Cropping1D called twice: the second call's output reaches two positions ahead."""
    inputs = keras.Input((None,))
    x = L.Embedding(VOCAB, 4)(inputs)
    crop, pad = L.Cropping1D((1, 0)), L.ZeroPadding1D((1, 0))
    once = crop(pad(x))  # delay then shift: reach 0
    check_model_file(_saved(tmp_path, keras.Model(inputs, L.Dense(VOCAB)(once))), LIMIT)
    twice = crop(L.ZeroPadding1D((0, 1))(once))  # the same crop after a pad on the right
    model = keras.Model(inputs, L.Dense(VOCAB)(L.Concatenate()([once, twice])))
    assert "t+1, and a model" in _reason(_saved(tmp_path, model, "twice"))


def test_a_layer_on_the_time_axis_itself_is_refused(tmp_path):
    """With a fixed window length, ``Dense`` on (batch, time) ids mixes every position, and a
    merge of ranks 2 and 3 broadcasts the time axis into the features (Keras inserts axis 1)."""
    ids = keras.Input((100,))
    dense = keras.Model(ids, L.Dense(VOCAB)(L.Embedding(VOCAB, 4)(L.Dense(100)(ids))))
    assert _reason(_saved(tmp_path, dense)) == (
        "config.json: layers[1] (Dense) is called on tensors of rank 2; it needs tensors of one "
        "rank, 3 to 4, so that the time axis stays axis 1 and is not the last axis"
    )
    x = L.Embedding(VOCAB, 100)(ids)
    mixed = keras.Model(ids, L.Dense(VOCAB)(L.Add()([x, ids])))
    assert "(Add) is called on tensors of rank 2 and 3" in _reason(_saved(tmp_path, mixed, "mix"))
    # The same through keras.ops: ids + vectors, broadcast over the last axes.
    summed = keras.ops.add(x, ids)
    ops = keras.Model(ids, L.Dense(VOCAB)(summed))
    assert "is called on tensors of rank 2 and 3" in _reason(_saved(tmp_path, ops, "ops"))


def test_time_distributed_wraps_only_layers_that_keep_the_rank(tmp_path):
    inputs = keras.Input((None, VOCAB))
    dense = L.TimeDistributed(L.Dense(VOCAB))(L.GRU(4, return_sequences=True)(inputs))
    check_model_file(_saved(tmp_path, keras.Model(inputs, dense)), LIMIT)
    wrapped = L.TimeDistributed(L.Embedding(VOCAB, 4))(L.GRU(4, return_sequences=True)(inputs))
    assert "TimeDistributed(Embedding) has no causal rule" in _reason(
        _saved(tmp_path, keras.Model(inputs, wrapped), "wrapped")
    )


def test_the_graders_bridge_takes_a_many_to_one_model_the_competition_refuses(tmp_path):
    """03's exercise asks for a forecaster, one output per sequence: the competition refuses it
    as look-ahead, the grader's bridge (``causal=False``) must not (it cost 03 its points)."""
    from instructor.grading.student_runs import load_checked_model

    inputs = keras.Input((12, 1))
    model = keras.Model(inputs, L.Dense(1)(L.SimpleRNN(4)(inputs)))
    path = _saved(tmp_path, model)
    assert "return_sequences" in _reason(path)
    check_model_file(path, LIMIT, causal=False)
    loaded = load_checked_model(path.read_bytes())
    assert loaded.output_shape == (None, 1)
    lambda_model = keras.Sequential([keras.Input((3,)), L.Lambda(lambda x: x * 2)])
    with pytest.raises(Exception, match="refused"):  # the rest of the check still holds
        load_checked_model(_saved(tmp_path, lambda_model, "lambda").read_bytes())
