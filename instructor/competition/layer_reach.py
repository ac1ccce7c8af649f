"""The causal rule of each layer class: how far ahead its output reaches, from its inputs'.

A *reach* ``L`` says that position ``i`` of a tensor depends only on model input positions
``<= i + L`` (see :mod:`instructor.competition.causal_reach`, which walks the layer graph and
calls :func:`layer_reach` for every layer). A class without a rule here is refused; so is a
setting a rule does not know.
"""

from __future__ import annotations

from instructor.competition.model_params import ModelRefused

POINTWISE = frozenset(
    """Embedding Dense Activation Softmax ReLU LeakyReLU ELU Dropout SpatialDropout1D
    GaussianNoise GaussianDropout LayerNormalization BatchNormalization Identity
    TimeDistributed""".split()
)
"""Layers whose output at position ``t`` depends on their input at ``t`` only (axis settings
are held to the last axis; ``TimeDistributed`` hands its layer one time step at a time)."""


STEPWISE = POINTWISE - {"Embedding", "TimeDistributed"}
"""What ``TimeDistributed`` may wrap: layers that keep the rank of what they are given."""


MERGES = frozenset("Add Subtract Multiply Average Maximum Minimum Concatenate".split())
"""Layers called on a list of tensors, position by position (``Concatenate`` on the last axis)."""


RECURRENT = frozenset("GRU LSTM SimpleRNN RNN".split())


LOOKS_AHEAD = "looks ahead by construction"


Reach = tuple[int, str, int]
"""A reach, the layer where it first became positive (when it is) and the tensor's rank."""


def input_rank(inputs: list[Reach], where: str, cls: object, least: int, most: int = 4) -> int:
    """The one rank of ``inputs``, refused unless between ``least`` and ``most``: the time axis
    must stay axis 1 and must not be the last axis a layer works on."""
    ranks = sorted({reach[2] for reach in inputs})
    if len(ranks) != 1 or not least <= ranks[0] <= most:
        shown = " and ".join(map(str, ranks))
        need = f"{least}" if least == most else f"{least} to {most}"
        raise ModelRefused(
            f"config.json: {where} ({cls}) is called on tensors of rank {shown}; it needs "
            f"tensors of one rank, {need}, so that the time axis stays axis 1 and is not the "
            "last axis"
        )
    return ranks[0]


def merge(reaches: list[Reach]) -> tuple[int, str]:
    """The largest reach of ``reaches`` and its culprit."""
    value, culprit, rank = max(reaches, key=lambda reach: reach[0])
    return value, culprit


def _int(value: object, where: str, key: str) -> int:
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if type(value) is not int or value < 0:
        raise ModelRefused(
            f"config.json: {where}.config.{key}={str(value)[:40]} has no causal rule"
        )
    return value


def _pair(value: object, where: str, key: str) -> tuple[int, int]:
    if type(value) is int:
        value = [value, value]
    if not isinstance(value, list) or len(value) != 2:
        raise ModelRefused(
            f"config.json: {where}.config.{key}={str(value)[:40]} has no causal rule"
        )
    return _int(value[0], where, key), _int(value[1], where, key)


def _shifted(inputs: list[Reach], by: int, what: str) -> Reach:
    """The reach of ``inputs`` (rank 3) moved ``by`` positions; ``what`` is blamed if it turns
    positive."""
    value, culprit = merge(inputs)
    value += by
    if value > 0 and not culprit:
        culprit = f"{what} makes position t depend on position t+{value}"
    return value, culprit if value > 0 else "", 3


def layer_reach(layer: dict, where: str, inputs: list[Reach]) -> Reach:
    """The reach of a layer's output from the reaches of its inputs."""
    cls = layer.get("class_name")
    config = layer.get("config") or {}
    if cls == "Bidirectional":
        raise ModelRefused(
            f"{LOOKS_AHEAD}: {where} Bidirectional runs a layer backwards from the end of the "
            "sequence"
        )
    if cls == "Embedding":
        return *merge(inputs), input_rank(inputs, where, cls, least=2, most=3) + 1
    if cls == "TimeDistributed":
        inner = (config.get("layer") or {}).get("class_name")
        if inner not in STEPWISE:
            raise ModelRefused(
                f"config.json: {where} TimeDistributed({str(inner)[:40]}) has no causal rule "
                f"(only {', '.join(sorted(STEPWISE))})"
            )
    if cls in POINTWISE or cls in MERGES:
        return *merge(inputs), input_rank(inputs, where, cls, least=3)
    input_rank(inputs, where, cls, least=3, most=3)
    if cls in RECURRENT:
        if config.get("return_sequences") is not True:
            raise ModelRefused(
                f"{LOOKS_AHEAD}: {where} {cls}(return_sequences="
                f"{str(config.get('return_sequences'))[:20]}) gives one output for the whole "
                "sequence (keep return_sequences=True: an output per position)"
            )
        if config.get("go_backwards") is not False:
            raise ModelRefused(
                f"{LOOKS_AHEAD}: {where} {cls}(go_backwards="
                f"{str(config.get('go_backwards'))[:20]}) reads the sequence from its end"
            )
        if config.get("return_state", False) is not False:
            raise ModelRefused(
                f"{LOOKS_AHEAD}: {where} {cls}(return_state=True): a state summarises the "
                "whole sequence"
            )
        return *merge(inputs), 3
    if cls == "ZeroPadding1D":
        before, _after = _pair(config.get("padding"), where, "padding")
        return _shifted(inputs, -before, f"{where} ZeroPadding1D(padding={config['padding']})")
    if cls == "Cropping1D":
        before, _after = _pair(config.get("cropping"), where, "cropping")
        return _shifted(inputs, before, f"{where} Cropping1D(cropping={config['cropping']})")
    if cls == "Conv1D":
        kernel = _int(config.get("kernel_size"), where, "kernel_size")
        dilation = _int(config.get("dilation_rate", 1), where, "dilation_rate")
        if _int(config.get("strides", 1), where, "strides") != 1:
            raise ModelRefused(
                f"config.json: {where} Conv1D(strides={config.get('strides')}): only strides=1 "
                "keeps one output per character"
            )
        span = (kernel - 1) * dilation
        # "same" pads span // 2 before and the rest after (TensorFlow's SAME split, which
        # keras/src/backend/tensorflow/nn.py emulates: "extra padding goes after").
        ahead = {"causal": 0, "same": span - span // 2, "valid": span}.get(config.get("padding"))
        if ahead is None:
            raise ModelRefused(
                f"config.json: {where} Conv1D(padding={str(config.get('padding'))[:20]}) has no "
                "causal rule"
            )
        what = (
            f"{where} Conv1D(kernel_size={kernel}, dilation_rate={dilation}, "
            f"padding={config['padding']!r})"
        )
        return _shifted(inputs, ahead, what)
    raise ModelRefused(f"config.json: {where} ({cls}) has no causal rule, so it is not accepted")
