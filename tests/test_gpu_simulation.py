"""The simulated GPU (tests/gpu_simulation.py) bites, and fails loudly if Keras moves its names."""

from __future__ import annotations

import importlib
import importlib.util
import subprocess
import sys
from pathlib import Path

import gpu_simulation
import keras
import numpy as np
import pytest
import tensorflow as tf
from gpu_simulation import SimulationUnavailable, simulated_gpu

import helpers.runtime

# The repository's conftest.py (the switch and the kernel start-up file), loaded under its own name.
_spec = importlib.util.spec_from_file_location(
    "repo_conftest", Path(__file__).parents[1] / "conftest.py"
)
repo_conftest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(repo_conftest)

CELLS = {"gru": keras.layers.GRU, "lstm": keras.layers.LSTM}
LEFT = np.array([[0, 0, 5, 3], [0, 7, 2, 1]] * 4)
RIGHT = np.array([[5, 3, 0, 0], [7, 2, 1, 0]] * 4)


def masked_model(cell: str) -> keras.Model:
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((None,), dtype="int32"),
            keras.layers.Embedding(10, 4, mask_zero=True),
            CELLS[cell](3),
            keras.layers.Dense(1),
        ]
    )
    model.compile("adam", "mse")
    return model


def fit(model: keras.Model, x: np.ndarray) -> float:
    history = model.fit(x, np.zeros(len(x)), batch_size=4, epochs=1, verbose=0)
    return history.history["loss"][0]


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_left_padded_masked_fit_stops_under_the_simulation_as_on_a_gpu(cell, simulation_off):
    with simulated_gpu() as calls:
        model = masked_model(cell)
        with pytest.raises(tf.errors.InvalidArgumentError, match="right-padded sequences"):
            fit(model, LEFT)
        assert calls[f"_cudnn_{cell}"] > 0, "Keras never took the cuDNN branch"


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_the_same_fit_passes_without_the_simulation(cell, simulation_off):
    assert np.isfinite(fit(masked_model(cell), LEFT))


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_right_padding_and_use_cudnn_false_train_under_the_simulation(cell, simulation_off):
    with simulated_gpu() as calls:
        assert np.isfinite(fit(masked_model(cell), RIGHT))
        assert calls[f"_cudnn_{cell}"] > 0
        keras.utils.set_random_seed(0)
        slow = keras.Sequential(
            [
                keras.Input((None,), dtype="int32"),
                keras.layers.Embedding(10, 4, mask_zero=True),
                CELLS[cell](3, use_cudnn=False),
            ]
        )
        slow.compile("adam", "mse")
        before = dict(calls)
        slow.fit(LEFT, np.zeros((len(LEFT), 3)), batch_size=4, epochs=1, verbose=0)
        assert calls == before, "use_cudnn=False must never reach the cuDNN branch"


def test_an_eager_call_falls_back_quietly_as_on_a_gpu(simulation_off):
    with simulated_gpu() as calls:
        model = masked_model("gru")
        out = keras.ops.convert_to_numpy(model(LEFT))
        assert out.shape == (len(LEFT), 1) and np.isfinite(out).all()
        assert calls["_cudnn_gru"] > 0


def test_use_cudnn_true_raises_under_the_simulation_because_no_kernel_exists(simulation_off):
    with simulated_gpu():
        layer = keras.layers.GRU(3, use_cudnn=True)
        with pytest.raises(ValueError, match="use_cudnn=True was specified"):
            layer(np.zeros((2, 4, 3), "float32"))


def test_auto_jit_compile_turns_xla_on_for_models_without_cudnn_layers(simulation_off):
    def compiled(*layers):
        model = keras.Sequential([keras.Input((5, 2)), *layers])
        model.compile("adam", "mse")
        return model.jit_compile

    assert compiled(keras.layers.SimpleRNN(3)) is False  # a CPU: never XLA by default
    with simulated_gpu():
        assert compiled(keras.layers.SimpleRNN(3)) is True  # a GPU: XLA when every layer can
        assert compiled(keras.layers.GRU(3)) is False  # a cuDNN-eligible GRU cannot
    assert tf.config.list_physical_devices("GPU") == []  # the device list is left as it was


def test_the_notebooks_device_line_names_the_simulated_gpu(simulation_off):
    with simulated_gpu():
        assert helpers.runtime.gpu_names() == [gpu_simulation.SIMULATED_GPU]
        assert "simulated" in helpers.runtime.device_line()
    assert helpers.runtime.gpu_names() == [
        gpu.name for gpu in tf.config.list_physical_devices("GPU")
    ]


def test_every_private_keras_name_is_where_the_simulation_expects_it():
    gpu_simulation.check_private_names()


@pytest.mark.parametrize(("module", "name"), gpu_simulation.PRIVATE_NAMES)
def test_a_moved_private_name_fails_loudly(module, name, simulation_off, monkeypatch):
    monkeypatch.delattr(importlib.import_module(module), name)
    with pytest.raises(SimulationUnavailable, match=name):
        gpu_simulation.activate()
    assert not gpu_simulation.is_active()


def test_a_cudnn_function_without_a_mask_argument_fails_loudly(simulation_off, monkeypatch):
    rnn = importlib.import_module(gpu_simulation.RNN_MODULE)
    monkeypatch.setattr(rnn, "_cudnn_gru", lambda inputs, lengths: None)
    with pytest.raises(SimulationUnavailable, match="mask"):
        gpu_simulation.activate()


def test_deactivate_restores_keras(simulation_off):
    rnn = importlib.import_module(gpu_simulation.RNN_MODULE)
    before = rnn._cudnn_gru, rnn._is_gpu_available, helpers.runtime.gpu_names
    with simulated_gpu():
        assert rnn._is_gpu_available() is True
    assert (rnn._cudnn_gru, rnn._is_gpu_available, helpers.runtime.gpu_names) == before


def test_a_kernel_whose_simulation_cannot_start_stops(tmp_path):
    broken = tmp_path / "missing_simulation.py"
    startup = repo_conftest._KERNEL_STARTUP.format(path=str(broken))
    run = subprocess.run([sys.executable, "-c", startup], capture_output=True, text=True)
    assert run.returncode == 70
    assert "GPU simulation could not start" in run.stderr


def test_an_unknown_switch_value_is_refused(monkeypatch):
    monkeypatch.setenv(gpu_simulation.ENV, "maybe")
    with pytest.raises(ValueError, match="COURSE_SIMULATE_GPU='maybe'"):
        repo_conftest.simulation_requested()
