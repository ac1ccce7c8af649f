"""Check a model's ``config.json`` against the competition's allow-list, without Keras.

Which classes a config may build (:data:`ALLOWED`), with which settings (axes held to the last
axis, :data:`FIXED` values, shifts of at most :data:`MAX_SHIFT` steps, identifiers where Keras
looks up a name), how deep it may nest, and that the graph cannot look ahead
(:func:`instructor.competition.causal_reach.check_causal`). The archive around it is
:mod:`instructor.competition.model_check`'s job.
"""

from __future__ import annotations

import re

from instructor.competition.causal_reach import check_causal
from instructor.competition.model_params import ModelRefused, error_line, layers_of

MAX_DEPTH = 40


_LAYERS = frozenset(
    """InputLayer Embedding Dense GRU LSTM SimpleRNN RNN GRUCell LSTMCell
    SimpleRNNCell StackedRNNCells Bidirectional TimeDistributed Conv1D Dropout SpatialDropout1D
    GaussianNoise GaussianDropout LayerNormalization BatchNormalization MultiHeadAttention Add
    Subtract Multiply Average Maximum Minimum Concatenate Activation Softmax ReLU LeakyReLU ELU
    Masking ZeroPadding1D Cropping1D Identity""".split()
)


ALLOWED: dict[str, frozenset[str]] = {
    "keras.layers": _LAYERS,
    # Operations Keras writes into a functional graph (Masking adds NotEqual and Any; x + y Add).
    "keras.src.ops.numpy": frozenset("NotEqual Equal Any All Add Subtract Multiply".split()),
    "keras.initializers": frozenset(
        """Zeros Ones Constant RandomNormal RandomUniform
        TruncatedNormal GlorotUniform GlorotNormal HeUniform HeNormal LecunUniform LecunNormal
        Orthogonal Identity VarianceScaling""".split()
    ),
    "keras.regularizers": frozenset("L1 L2 L1L2 OrthogonalRegularizer".split()),
    "keras.constraints": frozenset("MaxNorm MinMaxNorm NonNeg UnitNorm".split()),
    "keras": frozenset({"DTypePolicy", "FloatDTypePolicy"}),
}
"""Module -> class names a submitted config may name below the top-level model."""


REDUCTIONS = {"keras.src.ops.numpy": frozenset({"Any", "All"})}
"""Operations whose ``axis`` defaults to None, every axis: a config must state it (and it must be
the last axis), or one window's output could depend on the rest of the batch."""


MODELS = {
    "Functional": {"keras", "keras.models", "keras.src.models.functional"},
    "Sequential": {"keras", "keras.models", "keras.src.models.sequential"},
}


MAX_SHIFT = 1_000
"""Largest ``ZeroPadding1D``/``Cropping1D`` amount: a scored window has 100 steps, and a padding
of millions of steps is an activation bomb with no parameters (the grader's attack review: 4 GiB
in the checker from ``ZeroPadding1D((40_000_000, 0))``)."""


_AXIS = re.compile(r"(^|_)ax(is|es)$")


_LAST_AXIS = (-1, 2, [-1], [2])


FIXED: dict[str, tuple] = {
    "attention_axes": (None, [1]),  # the time axis (Keras writes [1] for None once built)
    "data_format": ("channels_last",),
    "stateful": (False,),
    "training": (None, False),
}
"""Settings (anywhere in a layer's config or call) that must keep these values: attention
across the batch axis, a stateful layer or batch statistics at inference let one scored
window see another. Every other key named ``axis``/``axes`` or ending in ``_axis``/``_axes``
must be the last axis (:data:`_LAST_AXIS`)."""


_NAME_SLOTS = re.compile(r"(^|_)(initializer|regularizer|constraint|activation|dtype)$")


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")


def check_config(config: dict, causal: bool = True) -> tuple[str, ...]:
    """Check a model config (``config.json``) against the allowlist and, if ``causal``,
    :func:`instructor.competition.causal_reach.check_causal`; return its layer classes.

    Raises:
        ModelRefused: the first object, key or value not allowed, with its path in the config.
    """
    cls, module = config.get("class_name"), config.get("module")
    if cls not in MODELS or module not in MODELS[cls]:
        raise ModelRefused(
            f"config.json: the top level is {_what(config)}; only a Functional or "
            "Sequential model of built-in layers is accepted"
        )
    if config.get("registered_name") not in (None, cls):
        raise ModelRefused(f"config.json: registered_name {config['registered_name']!r} at the top")
    layers = layers_of(config)
    _walk({k: v for k, v in config["config"].items() if k != "layers"}, "config", 1)
    for i, layer in enumerate(layers):
        _walk(layer, f"layers[{i}]", 1)
    try:
        if causal:
            check_causal(config)
    except (KeyError, TypeError, AttributeError, IndexError, ValueError) as error:
        if isinstance(error, ModelRefused):
            raise
        raise ModelRefused(f"config.json: a malformed layer graph ({error_line(error)})") from None
    return tuple(str(layer.get("class_name")) for layer in layers)


def _what(obj: dict) -> str:
    return f"class {str(obj.get('class_name'))[:60]!r} from module {str(obj.get('module'))[:60]!r}"


_SETTINGS_OF = ("keras.layers", "keras.src.ops.numpy")
"""Modules whose objects' settings :func:`_check_setting` checks (layers and graph operations,
not initializers or constraints, whose ``axis`` arguments never touch a scored window)."""


def _walk(
    value: object, where: str, depth: int, in_node: bool = False, settings: bool = True
) -> None:
    """Refuse anything in ``value`` that is not plain data or an allowed object; ``settings``:
    check the keys of ``value`` with :func:`_check_setting`."""
    if depth > MAX_DEPTH:
        raise ModelRefused(f"config.json: nested deeper than {MAX_DEPTH} at {where}")
    if isinstance(value, list):
        for i, item in enumerate(value):
            _walk(item, f"{where}[{i}]", depth + 1, in_node, settings)
        return
    if in_node and isinstance(value, str):
        raise ModelRefused(f"config.json: {where} passes the string {value[:40]!r} to a layer call")
    if not isinstance(value, dict):
        return
    if "class_name" in value:
        cls, module = value.get("class_name"), value.get("module")
        if cls == "__keras_tensor__" and in_node and module is None:
            return _check_tensor(value, where)
        if cls in MODELS and "layers" in (value.get("config") or {}):
            raise ModelRefused(
                f"config.json: {where} is a model inside the model ({_what(value)});"
                " build one model of layers"
            )
        if not isinstance(cls, str) or cls not in ALLOWED.get(module, ()):  # type: ignore[arg-type]
            raise ModelRefused(
                f"config.json: {where} is {_what(value)}, which is not allowed "
                "(built-in layers, initializers, regularizers, constraints only)"
            )
        if cls in REDUCTIONS.get(module, ()) and "axis" not in (value.get("config") or {}):
            raise ModelRefused(
                f"config.json: {where} ({cls}) states no axis, so it would reduce over every axis, "
                "the batch included: it could let one scored window see another"
            )
        if value.get("registered_name") not in (None, cls):
            raise ModelRefused(
                f"config.json: {where} ({cls}) has registered_name "
                f"{str(value['registered_name'])[:60]!r}: a custom object"
            )
        settings = module in _SETTINGS_OF
    for key, item in value.items():
        here = f"{where}.{key}"
        if settings:
            _check_setting(key, item, here)
        if key in ("layer", "backward_layer", "cell") and item is not None:
            if not isinstance(item, dict) or "class_name" not in item:
                raise ModelRefused(f"config.json: {here} must be a layer object")
        if _NAME_SLOTS.search(key) and isinstance(item, str) and not _IDENTIFIER.fullmatch(item):
            raise ModelRefused(f"config.json: {here} names {item[:40]!r}, not a built-in name")
        _walk(item, here, depth + 1, in_node or key == "inbound_nodes", settings)


def _same(item: object, allowed: tuple) -> bool:
    """``item`` is one of ``allowed`` with the same type (so ``1`` is not ``True``)."""
    return any(type(item) is type(a) and item == a for a in allowed)


def _check_setting(key: str, item: object, where: str) -> None:
    """Refuse a setting that reaches across the batch (see :data:`FIXED`), or a padding or
    cropping beyond :data:`MAX_SHIFT` steps."""
    amounts = item if isinstance(item, list) else [item]
    if key in ("padding", "cropping") and any(
        type(a) is int and not 0 <= a <= MAX_SHIFT for a in amounts
    ):
        raise ModelRefused(
            f"config.json: {where}={str(item)[:40]} is not allowed: at most {MAX_SHIFT:,} steps"
        )
    allowed = FIXED.get(key, _LAST_AXIS if _AXIS.search(key) else None)
    if allowed is not None and not _same(item, allowed):
        raise ModelRefused(
            f"config.json: {where}={str(item)[:40]} is not allowed (only "
            f"{' or '.join(map(str, allowed))}): it could let one scored window see another"
        )


def _check_tensor(value: dict, where: str) -> None:
    """A symbolic tensor in a layer call: shape, dtype and the layer it comes from, nothing else."""
    config = value.get("config") if set(value) <= {"class_name", "config"} else None
    if not isinstance(config, dict) or set(config) != {"shape", "dtype", "keras_history"}:
        raise ModelRefused(f"config.json: {where} is a malformed tensor reference")
    shape, dtype, history = config["shape"], config["dtype"], config["keras_history"]
    if not (
        isinstance(shape, list)
        and all(v is None or type(v) is int for v in shape)
        and isinstance(dtype, str)
        and _IDENTIFIER.fullmatch(dtype)
        and isinstance(history, list)
        and [type(v) for v in history] == [str, int, int]
    ):
        raise ModelRefused(f"config.json: {where} is a malformed tensor reference")
