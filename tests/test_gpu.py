"""Checks of the GPU path: the cuDNN decisions of the pack's models, and the cuDNN kernel itself.

Two kinds:
- ``needs_cudnn_decision``: only Keras' choice of branch matters. They run on a real GPU and under
  the simulated GPU (``COURSE_SIMULATE_GPU=1``, tests/gpu_simulation.py), which CI uses.
- ``needs_real_gpu``: they run the cuDNN kernel itself, so only a real GPU will do. Run them on a
  Colab GPU runtime with tests/run_tests_on_colab.ipynb.

Elsewhere each is skipped with the reason. How long a full-mode epoch takes on the GPU is measured
by benchmarks/gpu_epoch.py, not asserted here (timings belong in benchmarks).
"""

from __future__ import annotations

import gpu_simulation
import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers.models import char_model, cudnn_blockers

REAL_GPU = bool(tf.config.list_physical_devices("GPU"))
needs_real_gpu = pytest.mark.skipif(
    not REAL_GPU,
    reason="no GPU on this machine; run tests/run_tests_on_colab.ipynb on a Colab GPU runtime",
)
needs_cudnn_decision = pytest.mark.skipif(
    not (REAL_GPU or gpu_simulation.is_active()),
    reason="no GPU and no simulated one; run with COURSE_SIMULATE_GPU=1 (CI does)",
)


def _with_forced_cudnn(model):
    """Rebuild ``model`` with use_cudnn=True in every LSTM/GRU: Keras raises if it can't."""

    def clone(layer):
        if isinstance(layer, (keras.layers.LSTM, keras.layers.GRU)):
            return layer.__class__.from_config({**layer.get_config(), "use_cudnn": True})
        return layer.__class__.from_config(layer.get_config())

    return keras.models.clone_model(model, clone_function=clone)


@needs_real_gpu
@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_the_competition_model_trains_on_the_cudnn_kernel(cell):
    model = _with_forced_cudnn(char_model(66, cell=cell, units=512, num_layers=2, dropout=0.2))
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    x = np.random.default_rng(0).integers(1, 66, size=(64, 100)).astype("int32")
    history = model.fit(x, np.roll(x, -1, axis=1), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


@needs_cudnn_decision
def test_forcing_cudnn_on_an_ineligible_layer_raises_on_a_gpu():
    layer = keras.layers.GRU(8, recurrent_dropout=0.1, use_cudnn=True, return_sequences=True)
    with pytest.raises(ValueError, match="use_cudnn=True was specified"):
        layer(np.zeros((2, 5, 3), "float32"), training=True)


def _cudnn_branch_taken(layer) -> bool:
    """Train one step of ``Input -> layer``: did Keras take the cuDNN branch (simulation only)?"""
    model = keras.Sequential([keras.Input((6, 3)), layer])
    model.compile("adam", "mse")
    before = dict(gpu_simulation.calls)
    model.fit(np.ones((4, 6, 3), "float32"), np.zeros((4, layer.units)), verbose=0)
    return gpu_simulation.calls != before


@pytest.mark.skipif(
    not gpu_simulation.is_active(), reason="counts the simulated cuDNN calls; needs the simulation"
)
@pytest.mark.parametrize(
    "make",
    [
        lambda: keras.layers.LSTM(4),
        lambda: keras.layers.GRU(4),
        lambda: keras.layers.LSTM(4, dropout=0.2),
        lambda: keras.layers.LSTM(4, recurrent_dropout=0.2),
        lambda: keras.layers.GRU(4, reset_after=False),
        lambda: keras.layers.LSTM(4, activation="relu"),
        lambda: keras.layers.GRU(4, use_cudnn=False),
    ],
    ids=["lstm", "gru", "dropout", "recurrent_dropout", "reset_after", "relu", "use_cudnn_false"],
)
def test_cudnn_blockers_agrees_with_the_branch_keras_takes(make):
    """helpers.models.cudnn_blockers (03's table) predicts exactly what Keras does on a GPU."""
    layer = make()
    assert _cudnn_branch_taken(layer) == (not cudnn_blockers(layer)), cudnn_blockers(layer)


@pytest.mark.skipif(
    not gpu_simulation.is_active(), reason="counts the simulated cuDNN calls; needs the simulation"
)
@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_the_competition_model_takes_the_cudnn_branch(cell):
    model = char_model(20, cell=cell, units=8, num_layers=2, dropout=0.2)
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    x = np.random.default_rng(0).integers(1, 20, size=(4, 12)).astype("int32")
    before = gpu_simulation.calls[f"_cudnn_{cell}"]
    model.fit(x, np.roll(x, -1, axis=1), epochs=1, verbose=0)
    assert gpu_simulation.calls[f"_cudnn_{cell}"] > before
