"""Prove from ``config.json`` alone that a model cannot look ahead (issue 20).

Every tensor of the layer graph gets a *reach* ``L``: its position ``i`` depends only on model
input positions ``<= i + L``. The model's inputs have ``L = 0``; :func:`check_causal` refuses a
model whose output has ``L > 0`` and names the layer where the reach first became positive
(a left shift such as ``ZeroPadding1D((0, 1))`` then ``Cropping1D((1, 0))``, a centred or
``valid`` ``Conv1D``). It fails closed: a layer class, setting or call argument without a rule
in :mod:`instructor.competition.layer_reach` (or :data:`OPS` here) is refused.

Time is axis 1 throughout: every axis-like setting is held to the last axis by
:mod:`instructor.competition.model_check`, and the rank of every tensor is followed too, so that the
last axis is never the time axis (a ``Dense`` on ``(batch, time)`` ids would mix every position) and
no merge or operation broadcasts tensors of different ranks (Keras' merges insert the missing
axes at axis 1, which moves the time axis).

Two things have no rule and are refused whatever their settings (:func:`_refuse_unprovable`):
``MultiHeadAttention``, whose causal mask is a finite fill value that large query and key
weights can push the allowed scores below (the masked future then gets the weight; found by the
fourth attack review), so no config can prove it causal; and Keras masks (``Masking``,
``Embedding(mask_zero=True)``, a ``mask=`` argument): a query row of attention masked entirely
attends to every position, and ``Softmax`` broadcasts a (batch, time) mask onto (time, features),
mixing positions and rows (third and fourth attack reviews). The competition scores whole
windows without padding, so neither is needed. Nothing here imports Keras.
"""

from __future__ import annotations

from instructor.competition.layer_reach import (
    LOOKS_AHEAD,
    MERGES,
    Reach,
    input_rank,
    layer_reach,
    merge,
)
from instructor.competition.model_params import ModelRefused

OPS = frozenset("NotEqual Equal Any All Add Subtract Multiply".split())
"""``keras.src.ops.numpy`` operations: elementwise, or reducing the last axis."""
_KWARGS = frozenset({"training"})
"""Call keywords any layer may receive (``training`` is held to None/False by model_check)."""


def check_causal(config: dict) -> int:
    """Return the reach of the model's output (``<= 0``); refuse a model that can look ahead.

    Args:
        config: a ``Functional`` or ``Sequential`` model config already checked by
            :func:`instructor.competition.model_check.check_config` (allowlisted classes only).

    Raises:
        ModelRefused: ``looks ahead by construction: ...`` naming the layer, or a layer, setting
            or call this analysis has no rule for.
    """
    layers = config["config"]["layers"]
    _refuse_unprovable(layers)
    if config.get("class_name") == "Sequential":
        reach = _sequential(layers)
    else:
        reach = _functional(config["config"], layers)
    value, culprit, rank = reach
    if value > 0:
        raise ModelRefused(
            f"{LOOKS_AHEAD}: {culprit}; the model's output at position t depends on position "
            f"t+{value}, and a model may only use the characters up to t"
        )
    return value


def _refuse_unprovable(layers: list) -> None:
    """Refuse attention and mask-making layers, which no config can prove causal (module
    docstring)."""
    for i, layer in enumerate(layers):
        cls, config = _class(layer), layer.get("config") if isinstance(layer, dict) else None
        if cls == "MultiHeadAttention":
            raise ModelRefused(
                f"{LOOKS_AHEAD}: layers[{i}] MultiHeadAttention can attend to later positions "
                "whatever its settings (its causal mask is a finite fill value that large "
                "query and key weights undercut); the competition accepts no attention layers"
            )
        if cls == "Masking" or (
            cls == "Embedding" and (not isinstance(config, dict) or config.get("mask_zero"))
        ):
            raise ModelRefused(
                f"config.json: layers[{i}] ({cls}) makes a Keras mask, which can carry "
                "values across positions and rows; the competition scores whole windows "
                "without padding: use Embedding(mask_zero=False) and no Masking layer"
            )


def _class(layer: object) -> object:
    return layer.get("class_name") if isinstance(layer, dict) else None


def _input(layer: dict, where: str) -> Reach:
    """An ``InputLayer``: reach 0, the rank of its ``batch_shape`` (ids: 2, vectors: 3)."""
    config = layer.get("config") or {}
    shape = config.get("batch_shape")
    if {"shape", "input_shape", "batch_input_shape"} & set(config) or not isinstance(shape, list):
        raise ModelRefused(f"config.json: {where} (InputLayer) states no batch_shape")
    if not 2 <= len(shape) <= 4:
        raise ModelRefused(
            f"config.json: {where} (InputLayer) has {len(shape)} axes; a character model takes "
            "(batch, time) ids or (batch, time, features) vectors"
        )
    return 0, "", len(shape)


def _sequential(layers: list) -> Reach:
    if not layers or layers[0].get("class_name") != "InputLayer":
        raise ModelRefused("config.json: a Sequential model must start with its InputLayer")
    reach = _input(layers[0], "layers[0]")
    for i, layer in enumerate(layers[1:], 1):
        reach = layer_reach(layer, f"layers[{i}]", [reach])
    return reach


def _tensor_key(value: object) -> tuple[str, int, int] | None:
    if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
        history = value["config"]["keras_history"]  # checked by model_check._check_tensor
        return history[0], history[1], history[2]
    return None


def _leaves(value: object) -> list[tuple[str, int, int]]:
    """The ``[name, node, tensor]`` references of ``input_layers``/``output_layers``."""
    if isinstance(value, list) and len(value) == 3 and isinstance(value[0], str):
        if type(value[1]) is not int or type(value[2]) is not int:
            raise ModelRefused("config.json: a malformed input or output reference")
        return [(value[0], value[1], value[2])]
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item)]
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _leaves(item)]
    raise ModelRefused("config.json: a malformed input or output reference")


def _functional(model: dict, layers: list) -> Reach:
    """Evaluate the graph as Keras rebuilds it: node ``k`` of a layer is its ``k``-th call."""
    where: dict[str, int] = {}
    for i, layer in enumerate(layers):
        name = layer.get("name")
        if not isinstance(name, str) or name in where:
            raise ModelRefused(f"config.json: layers[{i}] has a missing or repeated name")
        where[name] = i
        nodes = layer.get("inbound_nodes")
        if not isinstance(nodes, list) or not all(isinstance(node, dict) for node in nodes):
            raise ModelRefused(f"config.json: layers[{i}].inbound_nodes is not a list of calls")
        if (layer.get("class_name") == "InputLayer") != (nodes == []):
            raise ModelRefused(
                f"config.json: layers[{i}] is an input with calls, or a layer without"
            )
    inputs = _leaves(model.get("input_layers"))
    for name, node, tensor in inputs:
        if name not in where or layers[where[name]]["class_name"] != "InputLayer" or node or tensor:
            raise ModelRefused(f"config.json: the model input {name[:40]!r} is not an InputLayer")
    known: dict[tuple[str, int, int], Reach] = {}
    for i, layer in enumerate(layers):
        if layer["class_name"] == "InputLayer":
            known[(layer["name"], 0, 0)] = _input(layer, f"layers[{i}]")
    pending = [(i, k) for i, layer in enumerate(layers) for k in range(len(layer["inbound_nodes"]))]
    while pending:
        waiting = []
        for i, k in pending:
            layer = layers[i]
            node = layer["inbound_nodes"][k]
            refs = _node_tensors(node, f"layers[{i}].inbound_nodes[{k}]")
            if not all(ref in known for ref in refs):
                waiting.append((i, k))
                continue
            known[(layer["name"], k, 0)] = _node_reach(layer, i, node, known)
        if len(waiting) == len(pending):
            raise ModelRefused(
                "config.json: the layer graph has a loop or a call on a tensor no layer makes "
                f"(layers[{waiting[0][0]}])"
            )
        pending = waiting
    outputs = _leaves(model.get("output_layers"))
    if not outputs:
        raise ModelRefused("config.json: the model has no output")
    reaches = []
    for ref in outputs:
        if ref not in known:
            raise ModelRefused(
                f"config.json: the model output {ref[0][:40]!r} is no layer's output"
            )
        reaches.append(known[ref])
    return max(reaches, key=lambda reach: reach[0])


def _node_tensors(node: dict, where: str) -> list[tuple[str, int, int]]:
    """Every tensor a call uses, positional or keyword, at any depth."""
    refs: list[tuple[str, int, int]] = []

    def collect(value: object) -> None:
        key = _tensor_key(value)
        if key is not None:
            refs.append(key)
        elif isinstance(value, list):
            for item in value:
                collect(item)
        elif isinstance(value, dict):
            for item in value.values():
                collect(item)

    if not set(node) <= {"args", "kwargs"}:
        raise ModelRefused(f"config.json: {where} is not a call (args and kwargs)")
    collect(node.get("args", []))
    collect(node.get("kwargs", {}))
    return refs


def _node_reach(layer: dict, i: int, node: dict, known: dict) -> Reach:
    where = f"layers[{i}]"
    args, kwargs = node.get("args", []), node.get("kwargs", {})
    if not isinstance(args, list) or not isinstance(kwargs, dict):
        raise ModelRefused(f"config.json: {where} has a malformed call")
    cls = layer.get("class_name")
    if layer.get("module") == "keras.src.ops.numpy":
        if cls not in OPS or kwargs:
            raise ModelRefused(f"config.json: {where} ({cls}) is called in a way with no rule")
        if not any(_tensor_key(arg) for arg in args) or not all(
            _tensor_key(arg) or type(arg) in (int, float) for arg in args
        ):
            raise ModelRefused(
                f"config.json: {where} ({cls}) takes tensors and numbers, not {_shown(args)}"
            )
        tensors = [known[_tensor_key(arg)] for arg in args if _tensor_key(arg)]
        if cls in ("Any", "All"):
            if len(args) != 1:
                raise ModelRefused(f"config.json: {where} ({cls}) takes one tensor")
            rank = input_rank(tensors, where, cls, least=3)
            keep = (layer.get("config") or {}).get("keepdims", False)
            return *merge(tensors), rank if keep is True else rank - 1
        return *merge(tensors), input_rank(tensors, where, cls, least=2)
    if cls in MERGES:
        inputs = args[0] if len(args) == 1 and isinstance(args[0], list) else None
        if not inputs or not all(_tensor_key(arg) for arg in inputs):
            raise ModelRefused(
                f"config.json: {where} ({cls}) takes one list of tensors, not {_shown(args)}"
            )
    elif len(args) != 1 or not _tensor_key(args[0]):
        raise ModelRefused(
            f"config.json: {where} ({cls}) takes one tensor as its positional argument, not "
            f"{_shown(args)}"
        )
    if kwargs.get("mask") is not None:
        raise ModelRefused(
            f"config.json: {where} ({cls}) is called with mask=, which can carry values across "
            "positions and rows; the competition scores whole windows and accepts no masks"
        )
    _only_kwargs({k: v for k, v in kwargs.items() if k != "mask"}, _KWARGS, where, cls)
    inputs = [known[_tensor_key(arg)] for arg in (args[0] if cls in MERGES else args)]
    return layer_reach(layer, where, inputs)


def _shown(args: list) -> str:
    return "[" + ", ".join("tensor" if _tensor_key(a) else str(a)[:20] for a in args) + "]"


def _only_kwargs(kwargs: dict, allowed: frozenset, where: str, cls: object) -> None:
    for key in kwargs:
        if key not in allowed:
            raise ModelRefused(
                f"config.json: {where} ({cls}) is called with {key}=, which has no causal rule"
            )
