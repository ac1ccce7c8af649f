"""A simulated GPU for CPU-only test runs: Keras takes its GPU-only decisions as on Colab's T4.

Students run the notebooks on a GPU; CI has none. On a GPU, Keras' TensorFlow backend differs from
the CPU in three places that decide whether a notebook runs, and this module makes a CPU take the
same three decisions:

1. **cuDNN for LSTM/GRU.** ``keras.src.backend.tensorflow.rnn.cudnn_ok`` asks
   ``_is_gpu_available()``; here it answers True, so eligible layers go down the cuDNN branch.
2. **That branch's mask check.** ``_cudnn_lstm`` and ``_cudnn_gru`` begin with
   ``_assert_valid_mask(mask)`` (a ``tf.Assert``: right-padded, no empty row). The stand-ins below
   run Keras' own check, then raise the error a missing cuDNN op raises
   (``tf.errors.InvalidArgumentError``), which Keras' ``lstm()``/``gru()`` turn into a fallback to
   the generic loop. Eagerly, a failed check raises inside that ``try`` and falls back too, exactly
   as on a GPU; inside a compiled graph (``fit``, ``evaluate``, ``predict``) the ``tf.Assert`` stays
   in the graph and fails when a batch runs, where nothing catches it, exactly as on a GPU.
3. **XLA.** ``model.compile(jit_compile="auto")`` (the default) turns XLA on when the machine has
   an accelerator and every layer supports it (a cuDNN-eligible LSTM/GRU does not); here
   ``Trainer._resolve_auto_jit_compile`` sees a GPU in the device list.

Also, ``helpers.runtime.gpu_names`` reports one simulated GPU, so the notebooks' GPU branches run.

What it cannot simulate: the cuDNN kernel's own numbers (the generic loop computes the same
function) and GPU memory. It is test-only: it lives under ``tests/`` and is never part of the
student library or the release. It touches private Keras names; :func:`activate` raises
:class:`SimulationUnavailable` naming the one that moved, so it can never silently do nothing.

Use: ``COURSE_SIMULATE_GPU=1 ./course test ...`` (``tests/conftest.py`` activates it for the test
process and for every notebook kernel nbval starts), or :func:`simulated_gpu` in a test.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable, Iterator
from typing import Any

ENV = "COURSE_SIMULATE_GPU"
"""Environment variable that switches the simulation on (``1``) for ``./course test``."""

SIMULATED_GPU = "/physical_device:GPU:0 (simulated)"
"""The name :func:`helpers.runtime.gpu_names` reports while the simulation is active."""

NO_CUDNN_MESSAGE = (
    "simulated GPU: the cuDNN kernel is not available on this machine, falling back as Keras "
    "does when the op is missing"
)

# (module, attribute) pairs the simulation replaces; each must exist in every Keras of the window.
RNN_MODULE = "keras.src.backend.tensorflow.rnn"
TRAINER_MODULE = "keras.src.trainers.trainer"
PRIVATE_NAMES = (
    (RNN_MODULE, "_is_gpu_available"),
    (RNN_MODULE, "_cudnn_gru"),
    (RNN_MODULE, "_cudnn_lstm"),
    (RNN_MODULE, "_assert_valid_mask"),
    (RNN_MODULE, "cudnn_ok"),
    (TRAINER_MODULE, "Trainer"),
)

_saved: list[tuple[Any, str, Any]] = []
calls: dict[str, int] = {"_cudnn_gru": 0, "_cudnn_lstm": 0}
"""How often each cuDNN stand-in ran since activation: proof that Keras took the cuDNN branch."""


class SimulationUnavailable(RuntimeError):
    """A private Keras name the simulation needs has moved: update tests/gpu_simulation.py."""


def _module(name: str):
    import importlib

    try:
        return importlib.import_module(name)
    except ImportError as error:
        raise SimulationUnavailable(
            f"GPU simulation: Keras has no module {name} any more ({error}); read the installed "
            "Keras' TensorFlow backend and update tests/gpu_simulation.py."
        ) from None


def check_private_names() -> None:
    """Raise :class:`SimulationUnavailable` unless every private name the simulation uses exists.

    Also checks the call shapes it relies on: both cuDNN functions take a ``mask`` argument, and
    the trainer still has ``_resolve_auto_jit_compile`` reading ``tf.config.list_physical_devices``.
    """
    for module_name, attribute in PRIVATE_NAMES:
        if not hasattr(_module(module_name), attribute):
            raise SimulationUnavailable(
                f"GPU simulation: {module_name}.{attribute} no longer exists in Keras "
                f"{_keras_version()}; update tests/gpu_simulation.py to the new code path."
            )
    rnn = _module(RNN_MODULE)
    for name in ("_cudnn_gru", "_cudnn_lstm"):
        if "mask" not in inspect.signature(_original(rnn, name)).parameters:
            raise SimulationUnavailable(
                f"GPU simulation: {RNN_MODULE}.{name} takes no `mask` argument any more in Keras "
                f"{_keras_version()}; update tests/gpu_simulation.py."
            )
    trainer = _module(TRAINER_MODULE).Trainer
    resolve = _original(trainer, "_resolve_auto_jit_compile")
    if resolve is None or "list_physical_devices" not in inspect.getsource(resolve):
        raise SimulationUnavailable(
            f"GPU simulation: {TRAINER_MODULE}.Trainer._resolve_auto_jit_compile no longer reads "
            f"tf.config.list_physical_devices in Keras {_keras_version()}; update "
            "tests/gpu_simulation.py."
        )


def _original(owner: Any, attribute: str) -> Any:
    """``owner.attribute`` as Keras defines it: the saved original while the simulation is on."""
    for saved_owner, saved_attribute, value in _saved:
        if saved_owner is owner and saved_attribute == attribute:
            return value
    return getattr(owner, attribute, None)


def _keras_version() -> str:
    import keras

    return keras.__version__


def _cudnn_stand_in(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
    signature = inspect.signature(original)
    rnn = _module(RNN_MODULE)

    def stand_in(*args: Any, **kwargs: Any) -> Any:
        import tensorflow as tf

        calls[name] += 1
        mask = signature.bind(*args, **kwargs).arguments.get("mask")
        if mask is not None:
            rnn._assert_valid_mask(mask)  # what the real branch runs before the kernel
        raise tf.errors.InvalidArgumentError(None, None, NO_CUDNN_MESSAGE)

    stand_in.__name__ = stand_in.__qualname__ = f"simulated{name}"
    return stand_in


def _resolve_auto_jit_compile_on_gpu(original: Callable[..., Any]) -> Callable[..., Any]:
    def resolve(self: Any) -> Any:
        import tensorflow as tf

        real = tf.config.list_physical_devices

        def with_gpu(device_type: str | None = None) -> list[Any]:
            devices = real(device_type)
            if device_type in (None, "GPU"):
                devices = [*devices, tf.config.PhysicalDevice(SIMULATED_GPU, "GPU")]
            return devices

        tf.config.list_physical_devices = with_gpu
        try:
            return original(self)
        finally:
            tf.config.list_physical_devices = real

    return resolve


def _replace(owner: Any, attribute: str, value: Any) -> None:
    _saved.append((owner, attribute, owner.__dict__[attribute]))
    setattr(owner, attribute, value)


def is_active() -> bool:
    """Return True while the simulation is switched on."""
    return bool(_saved)


def activate() -> None:
    """Switch the simulation on (idempotent).

    Raises:
        SimulationUnavailable: if a private Keras name it replaces has moved.
    """
    if is_active():
        return
    check_private_names()
    import helpers.runtime

    rnn = _module(RNN_MODULE)
    trainer = _module(TRAINER_MODULE).Trainer
    for name in calls:
        calls[name] = 0
    _replace(rnn, "_is_gpu_available", lambda: True)
    _replace(rnn, "_cudnn_gru", _cudnn_stand_in("_cudnn_gru", rnn._cudnn_gru))
    _replace(rnn, "_cudnn_lstm", _cudnn_stand_in("_cudnn_lstm", rnn._cudnn_lstm))
    _replace(
        trainer,
        "_resolve_auto_jit_compile",
        _resolve_auto_jit_compile_on_gpu(trainer._resolve_auto_jit_compile),
    )
    _replace(helpers.runtime, "gpu_names", lambda: [SIMULATED_GPU])


def deactivate() -> None:
    """Switch the simulation off and restore every replaced name."""
    while _saved:
        owner, attribute, value = _saved.pop()
        setattr(owner, attribute, value)


@contextlib.contextmanager
def simulated_gpu() -> Iterator[dict[str, int]]:
    """Run the ``with`` block under the simulation; yields :data:`calls`.

    Only Keras layers built inside the block see the GPU (a layer decides in its constructor
    whether it may be compiled with XLA). Restores the previous state on exit.
    """
    was_active = is_active()
    activate()
    try:
        yield calls
    finally:
        if not was_active:
            deactivate()
