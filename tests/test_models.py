"""The pack's character model and the cuDNN eligibility check."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from helpers.models import char_model, cudnn_blockers


@pytest.mark.parametrize("cell", ["gru", "lstm", "simple_rnn"])
def test_char_model_maps_ids_to_logits_at_every_step(cell):
    model = char_model(11, cell=cell, units=8, num_layers=2, embedding_dim=4, dropout=0.1)
    out = model(np.zeros((3, 7), dtype="int32"))
    assert tuple(out.shape) == (3, 7, 11)
    assert sum(isinstance(layer, keras.layers.Dropout) for layer in model.layers) == 2


def test_char_model_without_embedding_takes_one_hot_input():
    model = char_model(5, units=4, embedding_dim=None)
    assert tuple(model.inputs[0].shape) == (None, None, 5)
    assert tuple(model(np.zeros((2, 3, 5), "float32")).shape) == (2, 3, 5)


def test_char_model_parameter_count_matches_the_gru_formula():
    v, d, n = 66, 64, 512
    model = char_model(v, units=n, embedding_dim=d)
    gru = 3 * (d * n + n * n + 2 * n)  # reset_after=True: two bias vectors
    assert model.count_params() == v * d + gru + (n + 1) * v


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"cell": "transformer"}, r"cell='transformer' must be one of"),
        ({"units": 0}, r"units=0 must be a positive integer"),
        ({"num_layers": 1.5}, r"num_layers=1\.5 must be a positive integer"),
        ({"dropout": 1.0}, r"dropout=1\.0 must be in \[0, 1\)"),
        ({"embedding_dim": 0}, r"embedding_dim=0 must be a positive integer or None"),
    ],
)
def test_char_model_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        char_model(10, **kwargs)


def test_char_model_rejects_a_vocabulary_of_one():
    with pytest.raises(ValueError, match="vocab_size=1 must be at least 2"):
        char_model(1)


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_the_pack_models_are_cudnn_eligible(cell):
    model = char_model(20, cell=cell, units=8, num_layers=2, dropout=0.3)
    recurrent = [layer for layer in model.layers if isinstance(layer, keras.layers.RNN)]
    assert len(recurrent) == 2
    assert all(cudnn_blockers(layer) == [] for layer in recurrent)


@pytest.mark.parametrize(
    ("layer", "blocker"),
    [
        (keras.layers.GRU(4, recurrent_dropout=0.1), "recurrent_dropout=0.1 (must be 0)"),
        (keras.layers.LSTM(4, activation="relu"), "activation='relu' (must be 'tanh')"),
        (
            keras.layers.LSTM(4, recurrent_activation="hard_sigmoid"),
            "recurrent_activation='hard_sigmoid' (must be 'sigmoid')",
        ),
        (keras.layers.GRU(4, reset_after=False), "reset_after=False (must be True for GRU)"),
        (keras.layers.GRU(4, unroll=True), "unroll=True (must be False)"),
        (keras.layers.LSTM(4, use_bias=False), "use_bias=False (must be True)"),
        (keras.layers.SimpleRNN(4), "SimpleRNN has no cuDNN kernel (only LSTM and GRU do)"),
    ],
)
def test_cudnn_blockers_name_what_keeps_a_layer_off_the_cudnn_path(layer, blocker):
    assert cudnn_blockers(layer) == [blocker]


def test_input_dropout_does_not_block_cudnn():
    assert cudnn_blockers(keras.layers.GRU(4, dropout=0.2)) == []
