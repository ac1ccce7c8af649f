"""Tests for helpers.runtime: smoke mode, pick, seeds, device and mode lines, setup_notebook."""

from __future__ import annotations

import random
import sys
import types

import numpy as np
import pytest

from helpers import runtime
from helpers.runtime import (
    SMOKE_ENV,
    device_line,
    gpu_hint,
    is_colab,
    mode_line,
    pick,
    set_seeds,
    setup_notebook,
    smoke_mode,
    time_line,
)


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", " yes ", "on"])
def test_smoke_mode_is_on_for_true_values(monkeypatch, raw):
    monkeypatch.setenv(SMOKE_ENV, raw)
    assert smoke_mode() is True


@pytest.mark.parametrize("raw", ["", "0", "false", "No", "off"])
def test_smoke_mode_is_off_for_false_values(monkeypatch, raw):
    monkeypatch.setenv(SMOKE_ENV, raw)
    assert smoke_mode() is False


def test_smoke_mode_is_off_when_the_variable_is_unset(monkeypatch):
    monkeypatch.delenv(SMOKE_ENV, raising=False)
    assert smoke_mode() is False


@pytest.mark.parametrize("raw", ["2", "maybe", "smoke", "1.0"])
def test_smoke_mode_rejects_values_it_does_not_understand(monkeypatch, raw):
    monkeypatch.setenv(SMOKE_ENV, raw)
    with pytest.raises(ValueError, match=rf"COURSE_SMOKE='{raw}' is not understood; set it to 1"):
        smoke_mode()


def test_pick_returns_the_smoke_value_in_smoke_mode_and_the_full_value_otherwise(monkeypatch):
    monkeypatch.setenv(SMOKE_ENV, "1")
    assert pick(full=20, smoke=1) == 1
    monkeypatch.setenv(SMOKE_ENV, "0")
    assert pick(full=20, smoke=1) == 20


def test_pick_fails_loudly_on_a_bad_smoke_value(monkeypatch):
    monkeypatch.setenv(SMOKE_ENV, "fast")
    with pytest.raises(ValueError, match="COURSE_SMOKE='fast'"):
        pick(full=20, smoke=1)


def _draws():
    import tensorflow as tf

    return (random.random(), float(np.random.rand()), float(tf.random.uniform(())))


def test_set_seeds_makes_python_numpy_and_tensorflow_repeat():
    set_seeds(7)
    first = _draws()
    set_seeds(7)
    again = _draws()
    set_seeds(8)
    other = _draws()
    assert first == again
    assert all(a != b for a, b in zip(first, other, strict=True))


@pytest.mark.parametrize("seed", [-1, 1.5, "42", True, None])
def test_set_seeds_rejects_anything_but_a_non_negative_int(seed):
    with pytest.raises(ValueError, match=rf"seed={seed!r} must be a non-negative integer"):
        set_seeds(seed)


def test_is_colab_follows_the_google_colab_module(monkeypatch):
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    assert is_colab() is False
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    assert is_colab() is True


def test_gpu_names_lists_gpu_device_names(simulation_off):
    import tensorflow as tf

    names = runtime.gpu_names()  # the module's own (the simulation replaces that attribute)
    assert names == [gpu.name for gpu in tf.config.list_physical_devices("GPU")]
    assert all(isinstance(name, str) and "GPU" in name for name in names)


def test_device_line_names_the_gpus_or_says_cpu_only():
    assert device_line(["/physical_device:GPU:0"]) == "Device: GPU (/physical_device:GPU:0)."
    assert device_line([]) == "Device: CPU only (no GPU found)."


def test_device_line_detects_the_gpus_when_not_given(monkeypatch):
    monkeypatch.setattr(runtime, "gpu_names", lambda: ["GPU:7"])
    assert device_line() == "Device: GPU (GPU:7)."


def test_gpu_hint_gives_the_colab_menu_path_only_on_colab():
    assert "Runtime > Change runtime type > T4 GPU" in gpu_hint(colab=True)
    assert "Runtime >" not in gpu_hint(colab=False)
    assert "smoke mode" in gpu_hint(colab=False)


def test_time_line_states_gpu_and_cpu_minutes_and_whether_the_gpu_time_is_measured():
    assert time_line((2, 10.5)) == (
        "Full mode takes about 2 min on a GPU (estimated) and 10.5 min on a 2-core CPU (measured)."
    )
    assert "(measured on a Colab T4)" in time_line((2, 10.5), gpu_measured=True)


def test_mode_line_says_which_mode_and_how_to_switch(monkeypatch):
    assert mode_line(True).startswith("Mode: smoke (COURSE_SMOKE=1)")
    assert mode_line(False) == "Mode: full (set COURSE_SMOKE=1 for a quick smoke run)."
    monkeypatch.setenv(SMOKE_ENV, "1")
    assert mode_line() == mode_line(True)


def test_setup_notebook_prints_device_hint_and_mode_and_returns_smoke(monkeypatch, capsys):
    monkeypatch.setattr(runtime, "gpu_names", lambda: [])
    monkeypatch.setattr(runtime, "is_colab", lambda: False)
    monkeypatch.setenv(SMOKE_ENV, "1")
    assert setup_notebook(seed=3, full_minutes=(2, 10)) is True
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "Device: CPU only (no GPU found). Full mode takes about 2 min on a GPU (estimated) and "
        "10 min on a 2-core CPU (measured).",
        gpu_hint(colab=False),
        mode_line(True),
    ]


def test_setup_notebook_skips_the_hint_when_a_gpu_is_found(monkeypatch, capsys):
    monkeypatch.setattr(runtime, "gpu_names", lambda: ["GPU:0"])
    monkeypatch.setenv(SMOKE_ENV, "0")
    assert setup_notebook() is False
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("Device: GPU (GPU:0). Full mode takes about")
    assert lines[1] == mode_line(False)


def test_setup_notebook_seeds_every_generator(monkeypatch, capsys):
    monkeypatch.setattr(runtime, "gpu_names", lambda: [])
    setup_notebook(seed=11)
    first = _draws()
    setup_notebook(seed=11)
    assert _draws() == first


def test_setup_notebook_checks_smoke_value_and_seed_before_printing(monkeypatch, capsys):
    monkeypatch.setenv(SMOKE_ENV, "perhaps")
    with pytest.raises(ValueError, match="COURSE_SMOKE='perhaps'"):
        setup_notebook()
    monkeypatch.setenv(SMOKE_ENV, "0")
    with pytest.raises(ValueError, match="seed=-5 must be a non-negative integer"):
        setup_notebook(seed=-5)
    assert capsys.readouterr().out == ""
