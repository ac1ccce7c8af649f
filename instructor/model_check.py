"""Check a submitted ``model.keras`` before Keras sees it: the archive, the config, the size.

A ``.keras`` file is a ZIP archive of ``config.json`` (which classes to build, with which
arguments), ``metadata.json`` and ``model.weights.h5``. Keras builds what the config names,
which is how the published safe-mode bypasses work (CVE-2025-1550: any module; CVE-2025-9906: a
``Lambda`` calling ``keras.config.enable_unsafe_deserialization``, then one with bytecode;
CVE-2025-8747: ``keras.utils.get_file``; CVE-2026-1462: ``TFSMLayer``). Nothing here imports
Keras; :func:`check_model_file` refuses, with a one-line reason naming the culprit:

* archives (with :mod:`instructor.archives`): not a ZIP, ZIP64, more than :data:`MAX_MEMBERS`
  members (counted from the end record, before :mod:`zipfile` parses the directory), absolute
  names, ``..``, backslashes, NULs, symbolic links, duplicates, members other than
  :data:`MEMBERS`, a member declaring more than the limit or expanding more than
  :data:`MAX_RATIO` times (a ZIP bomb), or whose actual size or CRC differs from what it
  declares (every member is read in bounded chunks);
* configs: anything but a ``Functional``/``Sequential`` model at the top, a model inside it,
  any object not in :data:`ALLOWED` (by module and class; ``registered_name`` empty or the
  class name), so no ``Lambda``, functions, ``__lambda__`` bytecode, arrays, custom classes;
  names that are not plain identifiers (``relu``); call arguments other than tensors, numbers,
  booleans and ``None``;
* settings that let one scored window see another (:data:`FIXED`): attention across the
  batch axis (``attention_axes``), any other axis-like argument (``axis``, ``*_axes``) that is
  not the last axis, ``data_format`` other than ``channels_last``, ``stateful`` layers and
  calls with ``training=True`` (batch statistics);
* calls: a positional argument that is not a tensor (``training=True`` written positionally);
* look-ahead, by construction (:func:`instructor.causal_reach.check_causal`): a layer graph in
  which an output position can depend on a later input position (``Bidirectional``, a centred or
  ``valid`` ``Conv1D``, a shift such as ``ZeroPadding1D((0, 1))`` then ``Cropping1D((1, 0))``,
  attention and masks, which no config can prove causal, a ``go_backwards`` or whole-sequence
  RNN), and any layer, setting or call the causal analysis has no rule for;
* sizes: more than ``max_params`` parameters, computed from the config alone
  (:mod:`instructor.model_params`).

The dynamic probe (:func:`helpers.competition.looks_ahead`) and the scoring's twins stay as a
second line of defence, should a causal rule be wrong.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from instructor import archives
from instructor.causal_reach import check_causal
from instructor.model_params import ModelRefused, declared_params, layers_of

MAX_MEMBERS = 16
MAX_RATIO = 200
"""Largest expansion of a member larger than 1 MiB (Keras stores members uncompressed: 1)."""
MAX_CONFIG_BYTES = 8 * 2**20
MAX_DEPTH = 40
MEMBERS = {"config.json", "metadata.json", "model.weights.h5", "model.weights.npz"}

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


@dataclass(frozen=True)
class ModelSummary:
    """What the config declares: parameters (computed from the config) and layer classes."""

    params: int
    layers: tuple[str, ...]


def check_model_file(
    path: str | os.PathLike[str],
    max_params: int,
    max_bytes: int = 200 * 2**20,
    causal: bool = True,
) -> ModelSummary:
    """Check the archive at ``path`` and its config; return what it declares.

    Args:
        path: a ``model.keras`` file (a copy the submitter can no longer change).
        max_params: refuse a config that declares more parameters.
        max_bytes: largest file, and largest member, accepted.
        causal: also refuse look-ahead by construction (the competition's rule). The grader's
            bridge passes ``False``: exercises ask for many-to-one and ``Bidirectional`` models,
            and what it needs is that loading runs no code, which the rest of the check gives.

    Raises:
        ModelRefused: the one-line reason (see the module docstring).
    """
    path = Path(path)
    if path.is_symlink() or not path.is_file():
        raise ModelRefused(f"{path.name} is not a regular file")
    if path.stat().st_size > max_bytes:
        raise ModelRefused(f"{path.name} is {path.stat().st_size:,} bytes (limit {max_bytes:,})")
    try:
        archives.check_end_record(path, "model.keras", MAX_MEMBERS)
        with zipfile.ZipFile(path) as archive:
            members = _check_members(archive, max_bytes)
            if not {"config.json", "metadata.json"} <= members:
                lacking = sorted({"config.json", "metadata.json"} - members)
                raise ModelRefused(f"model.keras lacks {lacking}")
            if not members & {"model.weights.h5", "model.weights.npz"}:
                raise ModelRefused("model.keras holds no weights (model.weights.h5)")
            config = _read_json(archive, "config.json", MAX_CONFIG_BYTES)
            _read_json(archive, "metadata.json", 64 * 2**10)
    except archives.UnsafeArchive as error:
        raise ModelRefused(str(error)) from None
    except (*archives.READ_ERRORS, OSError) as error:
        if isinstance(error, ModelRefused):
            raise
        raise ModelRefused(f"model.keras is not a valid archive ({_line(error)})") from None
    layers = check_config(config, causal)
    try:
        params = declared_params(config)
    except (KeyError, TypeError, AttributeError, IndexError, ValueError) as error:
        if isinstance(error, ModelRefused):
            raise
        raise ModelRefused(f"config.json: a layer lacks a setting ({_line(error)})") from None
    if params > max_params:
        raise ModelRefused(
            f"model too large: its config declares {params:,} parameters (limit {max_params:,})"
        )
    return ModelSummary(params, layers)


def _line(error: BaseException) -> str:
    return " ".join(str(error).split())[:160] or type(error).__name__


def _check_members(archive: zipfile.ZipFile, max_bytes: int) -> set[str]:
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise ModelRefused(f"model.keras has {len(infos)} members (at most {MAX_MEMBERS})")
    names: set[str] = set()
    declared = 0
    for info in infos:
        name = info.filename
        archives.check_member(info, "model.keras")
        if name in names:
            raise ModelRefused(f"model.keras holds {archives.shown(name)} twice")
        names.add(name)
        if name not in MEMBERS:
            raise ModelRefused(f"model.keras holds an unexpected member {archives.shown(name)}")
        declared += info.file_size
        if info.file_size > max_bytes or declared > max_bytes:
            raise ModelRefused(
                f"model.keras member {archives.shown(name)} declares {info.file_size:,} bytes "
                f"(limit {max_bytes:,} in all): a ZIP bomb or too large"
            )
        if info.file_size > 2**20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ModelRefused(
                f"model.keras member {archives.shown(name)} expands {info.file_size:,} bytes "
                f"from {info.compress_size:,}: a ZIP bomb"
            )
        archives.read_member(archive, info, "model.keras", max_bytes, keep=False)
    return names


def _read_json(archive: zipfile.ZipFile, name: str, limit: int) -> dict:
    info = archive.getinfo(name)
    if info.file_size > limit:
        raise ModelRefused(f"member {name} is {info.file_size:,} bytes (limit {limit:,})")
    try:
        value = json.loads(archive.read(info).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ModelRefused(f"model.keras member {name} is not JSON ({_line(error)})") from None
    if not isinstance(value, dict):
        raise ModelRefused(f"model.keras member {name} is not a JSON object")
    return value


def check_config(config: dict, causal: bool = True) -> tuple[str, ...]:
    """Check a model config (``config.json``) against the allowlist and, if ``causal``,
    :func:`instructor.causal_reach.check_causal`; return its layer classes.

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
        raise ModelRefused(f"config.json: a malformed layer graph ({_line(error)})") from None
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
