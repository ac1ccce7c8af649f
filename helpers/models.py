"""The pack's character model, and what keeps a recurrent layer off the fast cuDNN path.

On a GPU, Keras 3 (TensorFlow backend) runs ``LSTM`` and ``GRU`` layers with NVIDIA's
cuDNN kernels, several times faster than the generic loop, but only when the layer's
configuration is one cuDNN implements: ``activation="tanh"``,
``recurrent_activation="sigmoid"``, ``recurrent_dropout=0``, ``unroll=False``,
``use_bias=True`` and, for GRU, ``reset_after=True``. (Input ``dropout`` is fine.)
``SimpleRNN`` has no cuDNN kernel. :func:`cudnn_blockers` lists what in a layer's
configuration stands in the way.

Masks are checked only while the layer runs, because they are data: the cuDNN kernel takes a
mask only if every row is right-padded (valid steps first, no gaps) and no row is fully masked.
Keras' TensorFlow backend asserts that inside the computation (``_assert_valid_mask`` in
``keras/src/backend/tensorflow/rnn.py``). An eager call (``model(x)``) catches the failed
assertion and falls back to the generic loop; ``fit``, ``evaluate`` and ``predict`` run a
compiled graph, where the assertion stops the call with ``InvalidArgumentError``. On a CPU the
generic loop runs and any mask works; on a GPU pad on the right, drop empty sequences, or pass
``use_cudnn=False`` to the layer. :func:`cudnn_blockers` cannot see masks.
"""

from __future__ import annotations

from typing import Literal

CELLS = ("gru", "lstm", "simple_rnn")


def cudnn_blockers(layer) -> list[str]:
    """Return why ``layer`` cannot use the cuDNN kernel (empty list: it can).

    Args:
        layer: a ``keras.layers.LSTM`` or ``keras.layers.GRU`` (other layers are
            reported as having no cuDNN kernel).

    Example:
        >>> cudnn_blockers(keras.layers.GRU(8, recurrent_dropout=0.1))
        ['recurrent_dropout=0.1 (must be 0)']
    """
    import keras

    if not isinstance(layer, (keras.layers.LSTM, keras.layers.GRU)):
        return [f"{type(layer).__name__} has no cuDNN kernel (only LSTM and GRU do)"]
    cell = layer.cell
    blockers = []
    activation = getattr(cell.activation, "__name__", str(cell.activation))
    recurrent = getattr(cell.recurrent_activation, "__name__", str(cell.recurrent_activation))
    if activation != "tanh":
        blockers.append(f"activation={activation!r} (must be 'tanh')")
    if recurrent != "sigmoid":
        blockers.append(f"recurrent_activation={recurrent!r} (must be 'sigmoid')")
    if cell.recurrent_dropout:
        blockers.append(f"recurrent_dropout={cell.recurrent_dropout:g} (must be 0)")
    if layer.unroll:
        blockers.append("unroll=True (must be False)")
    if not cell.use_bias:
        blockers.append("use_bias=False (must be True)")
    if isinstance(layer, keras.layers.GRU) and not cell.reset_after:
        blockers.append("reset_after=False (must be True for GRU)")
    if getattr(layer, "use_cudnn", "auto") is False:
        blockers.append("use_cudnn=False")
    return blockers


def char_model(
    vocab_size: int,
    *,
    cell: Literal["gru", "lstm", "simple_rnn"] = "gru",
    units: int = 512,
    num_layers: int = 1,
    embedding_dim: int | None = 64,
    dropout: float = 0.0,
    name: str | None = None,
):
    """Build a next-character model: ids (or one-hot) -> stacked RNN -> logits per step.

    Args:
        vocab_size: number of ids (``CharVocab.size``), >= 2.
        cell: ``"gru"``, ``"lstm"`` or ``"simple_rnn"``.
        units: units per recurrent layer.
        num_layers: stacked recurrent layers, >= 1.
        embedding_dim: size of the ``Embedding``; ``None`` takes one-hot input instead.
        dropout: rate of ``Dropout`` after every recurrent layer (cuDNN-friendly, unlike
            ``recurrent_dropout``).
        name: model name.

    Returns:
        An uncompiled ``keras.Model``: input int32 ``(batch, time)`` (or float32
        ``(batch, time, vocab_size)`` one-hot), output logits ``(batch, time, vocab_size)``.

    Raises:
        ValueError: unknown ``cell``; non-positive sizes; ``dropout`` outside [0, 1).
    """
    import keras

    if cell not in CELLS:
        raise ValueError(f"cell={cell!r} must be one of {CELLS}.")
    for value, label in [(vocab_size, "vocab_size"), (units, "units"), (num_layers, "num_layers")]:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{label}={value!r} must be a positive integer.")
    if vocab_size < 2:
        raise ValueError(f"vocab_size={vocab_size} must be at least 2 (unknown + one character).")
    if embedding_dim is not None and (not isinstance(embedding_dim, int) or embedding_dim < 1):
        raise ValueError(f"embedding_dim={embedding_dim!r} must be a positive integer or None.")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout={dropout!r} must be in [0, 1).")

    layer_class = {
        "gru": keras.layers.GRU,
        "lstm": keras.layers.LSTM,
        "simple_rnn": keras.layers.SimpleRNN,
    }[cell]
    if embedding_dim is None:
        inputs = keras.Input(shape=(None, vocab_size), name="one_hot")
        x = inputs
    else:
        inputs = keras.Input(shape=(None,), dtype="int32", name="ids")
        x = keras.layers.Embedding(vocab_size, embedding_dim, name="embedding")(inputs)
    for i in range(num_layers):
        x = layer_class(units, return_sequences=True, name=f"{cell}_{i + 1}")(x)
        if dropout:
            x = keras.layers.Dropout(dropout, name=f"dropout_{i + 1}")(x)
    outputs = keras.layers.Dense(vocab_size, name="logits")(x)
    return keras.Model(inputs, outputs, name=name or f"char_{cell}")
