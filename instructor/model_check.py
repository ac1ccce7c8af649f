"""Check a submitted ``model.keras`` before Keras sees it: the archive, the config, the size.

A ``.keras`` file is a ZIP archive of ``config.json`` (which classes to build, with which
arguments), ``metadata.json`` and ``model.weights.h5``. Keras builds what the config names,
which is how the published safe-mode bypasses work (CVE-2025-1550: any module; CVE-2025-9906: a
``Lambda`` calling ``keras.config.enable_unsafe_deserialization``, then one with bytecode;
CVE-2025-8747: ``keras.utils.get_file``; CVE-2026-1462: ``TFSMLayer``). Nothing here imports
Keras; :func:`check_model_file` refuses, with a one-line reason naming the culprit:

* archives: not a ZIP, ZIP64, more than :data:`MAX_MEMBERS` members (counted from the end
  record, before :mod:`zipfile` parses the directory), absolute names, ``..``, backslashes,
  NULs, duplicates, members other than :data:`MEMBERS`, a member declaring more than the limit
  or expanding more than :data:`MAX_RATIO` times (a ZIP bomb), or whose actual size or CRC
  differs from what it declares (every member is read in bounded chunks);
* configs: anything but a ``Functional``/``Sequential`` model at the top, a model inside it,
  any object not in :data:`ALLOWED` (by module and class; ``registered_name`` empty or the
  class name), so no ``Lambda``, functions, ``__lambda__`` bytecode, arrays, custom classes;
  names that are not plain identifiers (``relu``); call arguments other than tensors, numbers,
  booleans and ``None``;
* sizes: more than ``max_params`` parameters, computed from the config alone.

The allowlist is about code execution, not honesty: a ``Bidirectional`` layer or a centred
``Conv1D`` passes here; the causal probe (:func:`helpers.competition.looks_ahead`) refuses them.
"""

from __future__ import annotations

import json
import os
import re
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

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
MODELS = {
    "Functional": {"keras", "keras.models", "keras.src.models.functional"},
    "Sequential": {"keras", "keras.models", "keras.src.models.sequential"},
}
_NAME_SLOTS = re.compile(r"(^|_)(initializer|regularizer|constraint|activation|dtype)$")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_MAX_DIM = 2**31


class ModelRefused(ValueError):
    """A ``model.keras`` refused before loading; the message is the one-line reason."""


@dataclass(frozen=True)
class ModelSummary:
    """What the config declares: parameters (computed from the config) and layer classes."""

    params: int
    layers: tuple[str, ...]


def check_model_file(
    path: str | os.PathLike[str], max_params: int, max_bytes: int = 200 * 2**20
) -> ModelSummary:
    """Check the archive at ``path`` and its config; return what it declares.

    Args:
        path: a ``model.keras`` file (a copy the submitter can no longer change).
        max_params: refuse a config that declares more parameters.
        max_bytes: largest file, and largest member, accepted.

    Raises:
        ModelRefused: the one-line reason (see the module docstring).
    """
    path = Path(path)
    if path.is_symlink() or not path.is_file():
        raise ModelRefused(f"{path.name} is not a regular file")
    if path.stat().st_size > max_bytes:
        raise ModelRefused(f"{path.name} is {path.stat().st_size:,} bytes (limit {max_bytes:,})")
    _check_end_record(path)
    try:
        with zipfile.ZipFile(path) as archive:
            members = _check_members(archive, max_bytes)
            if not {"config.json", "metadata.json"} <= members:
                lacking = sorted({"config.json", "metadata.json"} - members)
                raise ModelRefused(f"model.keras lacks {lacking}")
            if not members & {"model.weights.h5", "model.weights.npz"}:
                raise ModelRefused("model.keras holds no weights (model.weights.h5)")
            config = _read_json(archive, "config.json", MAX_CONFIG_BYTES)
            _read_json(archive, "metadata.json", 64 * 2**10)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as error:
        if isinstance(error, ModelRefused):
            raise
        raise ModelRefused(f"model.keras is not a valid archive ({_line(error)})") from None
    layers = check_config(config)
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


def _check_end_record(path: Path) -> None:
    """Read the member count from the ZIP end record, before zipfile parses the directory."""
    with open(path, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.seek(max(0, size - 22 - 65535))
        tail = handle.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        raise ModelRefused("model.keras is not a ZIP archive (a .keras file is one)")
    _, disk, cd_disk, here, total, cd_size, _, _ = struct.unpack("<4s4H2LH", tail[at : at + 22])
    if 0xFFFF in (here, total) or cd_size == 0xFFFFFFFF or tail[:at].rfind(b"PK\x06\x06") >= 0:
        raise ModelRefused("model.keras is a ZIP64 archive; Keras never writes one this small")
    if disk or cd_disk or here != total or total > MAX_MEMBERS or cd_size > 64 * 2**10:
        raise ModelRefused(
            f"model.keras has {total} members in {cd_size:,} bytes of directory "
            f"(at most {MAX_MEMBERS})"
        )


def _check_members(archive: zipfile.ZipFile, max_bytes: int) -> set[str]:
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise ModelRefused(f"model.keras has {len(infos)} members (at most {MAX_MEMBERS})")
    names: set[str] = set()
    declared = 0
    for info in infos:
        name = info.filename
        shown = json.dumps(name[:80])
        if re.search(r"^/|[\\\0:]|(^|/)\.\.(/|$)", name):
            raise ModelRefused(f"model.keras member {shown} has an unsafe path")
        if name in names:
            raise ModelRefused(f"model.keras holds {shown} twice")
        names.add(name)
        if name not in MEMBERS:
            raise ModelRefused(f"model.keras holds an unexpected member {shown}")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ModelRefused(f"model.keras member {shown} uses compression {info.compress_type}")
        declared += info.file_size
        if info.file_size > max_bytes or declared > max_bytes:
            raise ModelRefused(
                f"model.keras member {shown} declares {info.file_size:,} bytes "
                f"(limit {max_bytes:,} in all): a ZIP bomb or too large"
            )
        if info.file_size > 2**20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ModelRefused(
                f"model.keras member {shown} expands {info.file_size:,} bytes from "
                f"{info.compress_size:,}: a ZIP bomb"
            )
        got = 0
        with archive.open(info) as member:  # bounded chunks; zipfile checks the CRC at the end
            while chunk := member.read(2**20):
                got += len(chunk)
                if got > info.file_size:
                    break
        if got != info.file_size:
            raise ModelRefused(
                f"model.keras member {shown} holds {got:,} bytes but declares {info.file_size:,}"
            )
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


def check_config(config: dict) -> tuple[str, ...]:
    """Check a model config (``config.json``) against the allowlist; return its layer classes.

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
    layers = _layers_of(config)
    _walk({k: v for k, v in config["config"].items() if k != "layers"}, "config", 1)
    for i, layer in enumerate(layers):
        _walk(layer, f"layers[{i}]", 1)
    return tuple(str(layer.get("class_name")) for layer in layers)


def _what(obj: dict) -> str:
    return f"class {str(obj.get('class_name'))[:60]!r} from module {str(obj.get('module'))[:60]!r}"


def _layers_of(config: dict) -> list:
    layers = (config.get("config") or {}).get("layers")
    if not isinstance(layers, list) or not all(isinstance(layer, dict) for layer in layers):
        raise ModelRefused("config.json: the model has no list of layers")
    if len(layers) > 512:
        raise ModelRefused(f"config.json: {len(layers)} layers (at most 512)")
    return layers


def _walk(value: object, where: str, depth: int, in_node: bool = False) -> None:
    """Refuse anything in ``value`` that is not plain data or an allowed object."""
    if depth > MAX_DEPTH:
        raise ModelRefused(f"config.json: nested deeper than {MAX_DEPTH} at {where}")
    if isinstance(value, list):
        for i, item in enumerate(value):
            _walk(item, f"{where}[{i}]", depth + 1, in_node)
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
        if value.get("registered_name") not in (None, cls):
            raise ModelRefused(
                f"config.json: {where} ({cls}) has registered_name "
                f"{str(value['registered_name'])[:60]!r}: a custom object"
            )
    for key, item in value.items():
        here = f"{where}.{key}"
        if key in ("layer", "backward_layer", "cell") and item is not None:
            if not isinstance(item, dict) or "class_name" not in item:
                raise ModelRefused(f"config.json: {here} must be a layer object")
        if _NAME_SLOTS.search(key) and isinstance(item, str) and not _IDENTIFIER.fullmatch(item):
            raise ModelRefused(f"config.json: {here} names {item[:40]!r}, not a built-in name")
        _walk(item, here, depth + 1, in_node or key == "inbound_nodes")


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


# -- parameters declared by the config -------------------------------------------------------


def _int(config: dict, key: str, where: str, default: int | None = None) -> int:
    value = config.get(key, default)
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < _MAX_DIM:
        raise ModelRefused(f"config.json: {where}.{key}={str(value)[:40]} is not a positive size")
    return value


def _build_width(layer: dict) -> int:
    """The largest last dimension among the shapes of ``build_config`` (0 when none)."""
    widths = [0]

    def shapes(value: object) -> None:
        if isinstance(value, list) and value and all(v is None or type(v) is int for v in value):
            widths.append(value[-1] or 0)
        elif isinstance(value, (list, dict)):
            for item in value.values() if isinstance(value, dict) else value:
                shapes(item)

    shapes(layer.get("build_config"))
    if any(not 0 <= w < _MAX_DIM for w in widths):
        raise ModelRefused(f"config.json: layer {str(layer.get('name'))[:40]!r} has a bad shape")
    return max(widths)


_GATES = dict(Dense=0, SimpleRNN=1, SimpleRNNCell=1, GRU=3, GRUCell=3, LSTM=4, LSTMCell=4)


def _layer_size(layer: dict, widths: list[int], where: str) -> tuple[int, int]:
    """``(parameters, output width)`` of ``layer`` fed inputs of these last dimensions."""
    if not isinstance(layer, dict) or not isinstance(layer.get("config") or {}, dict):
        raise ModelRefused(f"config.json: {where} is not a layer object")
    cls, config = layer.get("class_name"), layer.get("config") or {}
    i = max(*widths, _build_width(layer))
    bias = bool(config.get("use_bias", True))
    if cls in ("TimeDistributed", "Bidirectional"):
        params, out = _layer_size(config["layer"], [i], f"{where}.layer")
        if cls == "TimeDistributed":
            return params, out
        backward = config.get("backward_layer") or config["layer"]
        back, _ = _layer_size(backward, [i], f"{where}.backward_layer")
        return params + back, out * (2 if config.get("merge_mode", "concat") == "concat" else 1)
    if cls in ("RNN", "StackedRNNCells"):
        total = 0
        for k, cell in enumerate(config.get("cells") or [config.get("cell")]):
            params, i = _layer_size(cell, [i], f"{where}.cells[{k}]")
            total += params
        return total, i
    if cls == "Embedding":
        u = _int(config, "output_dim", where)
        return _int(config, "input_dim", where) * u, u
    if cls in _GATES:
        u, g = _int(config, "units", where), _GATES[cls]
        if g == 0:
            return i * u + bias * u, u
        bias_size = g * u * (2 if g == 3 and config.get("reset_after", True) else 1)
        return g * (i * u + u * u) + bias * bias_size, u
    if cls == "Conv1D":
        filters, groups = _int(config, "filters", where), _int(config, "groups", where, 1)
        kernel = _int(config, "kernel_size", where)
        return kernel * (i // groups or 1) * filters + bias * filters, filters
    if cls == "MultiHeadAttention":
        heads, key = _int(config, "num_heads", where), _int(config, "key_dim", where)
        value = _int(config, "value_dim", where) if config.get("value_dim") else key
        out = _int(config, "output_shape", where) if config.get("output_shape") else i
        inner = heads * (2 * key + value) * (2 if config.get("use_gate") else 1)
        return (i + bias) * inner + (heads * value + bias) * out, out
    if cls in ("LayerNormalization", "BatchNormalization"):
        if config.get("axis", -1) not in (-1, 2, [-1], [2]):
            raise ModelRefused(f"config.json: {where} normalizes axis {config.get('axis')}")
        return (2 if cls == "LayerNormalization" else 4) * i, i
    return 0, sum(widths) if cls == "Concatenate" else i


def declared_params(config: dict) -> int:
    """Parameters a config that passed :func:`check_config` declares, computed without Keras.

    Widths are traced through the graph (``inbound_nodes``; a ``Concatenate`` adds them up);
    a layer's input width is the largest of the traced ones and its ``build_config`` shapes.

    Raises:
        ModelRefused: a size that is not a positive integer, or a graph that cannot be traced.
    """
    layers, total = _layers_of(config), 0
    if config.get("class_name") == "Sequential":
        width = _input_width(config["config"].get("build_input_shape"))
        for k, layer in enumerate(layers):
            if layer.get("class_name") == "InputLayer":
                width = _input_width((layer.get("config") or {}).get("batch_shape"))
                continue
            params, width = _layer_size(layer, [width], f"layers[{k}]")
            total += params
        return total
    names = [str(layer.get("name")) for layer in layers]
    if len(set(names)) != len(names):
        raise ModelRefused("config.json: two layers have the same name")
    widths: dict[str, int] = {}
    pending = list(enumerate(layers))
    while pending:
        waiting = []
        for k, layer in pending:
            name = names[k]
            if layer.get("class_name") == "InputLayer":
                widths[name] = _input_width((layer.get("config") or {}).get("batch_shape"))
                continue
            sources = _sources(layer.get("inbound_nodes"))
            if not sources:
                raise ModelRefused(f"config.json: layers[{k}] ({name[:40]}) has no inputs")
            if not all(s in widths for s in sources):
                waiting.append((k, layer))
                continue
            params, widths[name] = _layer_size(layer, [widths[s] for s in sources], f"layers[{k}]")
            total += params
        if len(waiting) == len(pending):
            raise ModelRefused(f"config.json: layers[{waiting[0][0]}] has untraceable inputs")
        pending = waiting
    return total


def _input_width(shape: object) -> int:
    """The width an input of ``batch_shape`` gives: its last dimension (one-hot), or 1 (ids)."""
    shape = shape or [None, None]
    if not isinstance(shape, list) or not all(v is None or type(v) is int for v in shape):
        raise ModelRefused("config.json: an InputLayer has a malformed batch_shape")
    width = shape[-1] if len(shape) == 3 and shape[-1] else 1
    if not 0 < width < _MAX_DIM:
        raise ModelRefused(f"config.json: an InputLayer has width {width}")
    return width


def _sources(nodes: object) -> set[str]:
    """Names of the layers whose outputs feed the calls in ``nodes`` (their ``keras_history``)."""
    if isinstance(nodes, list):
        return set().union(*map(_sources, nodes))
    if not isinstance(nodes, dict):
        return set()
    if nodes.get("class_name") == "__keras_tensor__":
        return {str(nodes["config"]["keras_history"][0])}  # checked by _check_tensor
    return set().union(*map(_sources, nodes.values()))
