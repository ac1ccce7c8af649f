"""The number of parameters a ``model.keras`` config declares, computed without Keras.

The leaderboard refuses a model over the budget from its config alone, before anything loads
it, so a submission cannot spend the instructor's memory on a model that is too large anyway.
The config is plain JSON already checked by :func:`instructor.competition.model_check.check_config`;
the formulas are the ones notebook 04 derives and checks against Keras.
"""

from __future__ import annotations

_MAX_DIM = 2**31


class ModelRefused(ValueError):
    """A ``model.keras`` refused before loading; the message is the one-line reason."""


def error_line(error: BaseException) -> str:
    """``error`` as one line of at most 160 characters, for a refusal's reason."""
    return " ".join(str(error).split())[:160] or type(error).__name__


def layers_of(config: dict) -> list:
    """The list of layer configs of a model config.

    Raises:
        ModelRefused: no list of layer objects, or more than 512 layers.
    """
    layers = (config.get("config") or {}).get("layers")
    if not isinstance(layers, list) or not all(isinstance(layer, dict) for layer in layers):
        raise ModelRefused("config.json: the model has no list of layers")
    if len(layers) > 512:
        raise ModelRefused(f"config.json: {len(layers)} layers (at most 512)")
    return layers


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
    layers, total = layers_of(config), 0
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
