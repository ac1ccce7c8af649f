"""Where the notebook runs and how big it may be: Colab, GPU, seeds and smoke mode.

Every notebook's setup cell calls :func:`setup_notebook`, which prints one line
about the device (with the fix when a GPU is missing), one line about smoke
mode, and seeds every random generator.

Smoke mode (environment variable ``COURSE_SMOKE=1``) shrinks data and epochs so
that CI can execute every notebook in well under a minute on 2 CPU cores; it
never changes which code runs. Notebooks pick their sizes with :func:`pick`.
"""

from __future__ import annotations

import os
import sys
from typing import TypeVar

SMOKE_ENV = "COURSE_SMOKE"
"""Name of the environment variable that switches smoke mode on (``1``) or off."""

DEFAULT_SEED = 42

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}

T = TypeVar("T")


def is_colab() -> bool:
    """Return True when running inside Google Colab."""
    return "google.colab" in sys.modules


def smoke_mode() -> bool:
    """Return True when ``COURSE_SMOKE`` asks for the fast smoke mode.

    Raises:
        ValueError: if the variable holds something other than 1/0/true/false/yes/no/on/off.
    """
    raw = os.environ.get(SMOKE_ENV, "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ValueError(
        f"{SMOKE_ENV}={raw!r} is not understood; set it to 1 for smoke mode or 0 (or unset it) "
        "for full mode."
    )


def pick(full: T, smoke: T) -> T:
    """Return ``smoke`` in smoke mode and ``full`` otherwise.

    Example:
        >>> epochs = pick(full=20, smoke=1)
    """
    return smoke if smoke_mode() else full


def gpu_names() -> list[str]:
    """Return the names of the GPUs TensorFlow can see (empty list on a CPU-only machine)."""
    import tensorflow as tf

    return [gpu.name for gpu in tf.config.list_physical_devices("GPU")]


def set_seeds(seed: int = DEFAULT_SEED) -> None:
    """Seed Python's ``random``, NumPy, TensorFlow and Keras with one call.

    Uses ``keras.utils.set_random_seed``, which seeds all three frameworks.

    Raises:
        ValueError: if ``seed`` is not a non-negative integer.
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed={seed!r} must be a non-negative integer, for example 42.")
    import keras

    keras.utils.set_random_seed(seed)


def device_line(gpus: list[str] | None = None) -> str:
    """Name the device TensorFlow will use, in one line.

    Args:
        gpus: GPU names; detected with :func:`gpu_names` when None.
    """
    gpus = gpu_names() if gpus is None else gpus
    if gpus:
        return f"Device: GPU ({', '.join(gpus)})."
    return "Device: CPU only (no GPU found)."


def gpu_hint(colab: bool | None = None) -> str:
    """Say how to get a GPU: Colab's menu path, or where full mode is worth running."""
    colab = is_colab() if colab is None else colab
    if colab:
        return (
            "No GPU: choose Runtime > Change runtime type > T4 GPU, then Runtime > "
            "Restart session and run this cell again."
        )
    return (
        "No GPU: smoke mode and the small examples run fine here; for full-mode training "
        "a GPU (for example a Colab T4 runtime) is much faster."
    )


def time_line(full_minutes: tuple[float, float], gpu_measured: bool = False) -> str:
    """State the expected full-mode run time as ``(gpu_minutes, cpu_minutes)``.

    CPU minutes are measured on the pack's 2-core reference machine; GPU minutes are
    marked as an estimate until they were measured on a Colab T4 (``gpu_measured``).
    """
    gpu, cpu = full_minutes
    source = "measured on a Colab T4" if gpu_measured else "estimated"
    return (
        f"Full mode takes about {gpu:g} min on a GPU ({source}) and {cpu:g} min on a "
        "2-core CPU (measured)."
    )


def mode_line(smoke: bool | None = None) -> str:
    """Say whether smoke or full mode is on, and how to switch."""
    smoke = smoke_mode() if smoke is None else smoke
    if smoke:
        return f"Mode: smoke ({SMOKE_ENV}=1): tiny data and few steps, only to check that it runs."
    return f"Mode: full (set {SMOKE_ENV}=1 for a quick smoke run)."


def setup_notebook(
    seed: int = DEFAULT_SEED,
    full_minutes: tuple[float, float] = (1, 1),
    gpu_measured: bool = False,
) -> bool:
    """Seed everything, print what runs where, and return True in smoke mode.

    This is what the setup cell of every notebook calls. The first printed line
    names the device and the expected full-mode time; a hint follows when no
    GPU is found; the last line names the mode.

    Args:
        seed: seed for Python, NumPy, TensorFlow and Keras.
        full_minutes: full-mode run time in minutes as ``(gpu, cpu)``.
        gpu_measured: the GPU minutes were measured (on a Colab T4), not estimated.

    Example:
        >>> SMOKE = setup_notebook(seed=42, full_minutes=(2, 10))
        Device: CPU only (no GPU found). Full mode takes about 2 min on a GPU (estimated) ...
        ...
    """
    smoke = smoke_mode()
    set_seeds(seed)
    gpus = gpu_names()
    print(f"{device_line(gpus)} {time_line(full_minutes, gpu_measured)}")
    if not gpus:
        print(gpu_hint())
    print(mode_line(smoke))
    return smoke
