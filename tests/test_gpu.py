"""Checks that need a GPU: the cuDNN path of the pack's models.

They are skipped, with the reason, on machines without a GPU (CI here). Run them on a Colab
GPU runtime with tests/run_tests_on_colab.ipynb. How long a full-mode epoch takes on the GPU
is measured by benchmarks/gpu_epoch.py, not asserted here (timings belong in benchmarks).
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers.models import char_model

pytestmark = pytest.mark.skipif(
    not tf.config.list_physical_devices("GPU"),
    reason="no GPU on this machine; run tests/run_tests_on_colab.ipynb on a Colab GPU runtime",
)


def _with_forced_cudnn(model):
    """Rebuild ``model`` with use_cudnn=True in every LSTM/GRU: Keras raises if it can't."""

    def clone(layer):
        if isinstance(layer, (keras.layers.LSTM, keras.layers.GRU)):
            return layer.__class__.from_config({**layer.get_config(), "use_cudnn": True})
        return layer.__class__.from_config(layer.get_config())

    return keras.models.clone_model(model, clone_function=clone)


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_the_competition_model_trains_on_the_cudnn_kernel(cell):
    model = _with_forced_cudnn(char_model(66, cell=cell, units=512, num_layers=2, dropout=0.2))
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    x = np.random.default_rng(0).integers(1, 66, size=(64, 100)).astype("int32")
    history = model.fit(x, np.roll(x, -1, axis=1), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


def test_forcing_cudnn_on_an_ineligible_layer_raises_on_a_gpu():
    layer = keras.layers.GRU(8, recurrent_dropout=0.1, use_cudnn=True, return_sequences=True)
    with pytest.raises(ValueError, match="use_cudnn=True was specified"):
        layer(np.zeros((2, 5, 3), "float32"), training=True)
