"""Sampling text from a character model: temperature, top-k, and a stateful generator.

:func:`generate` feeds the prompt and then one character at a time, carrying
the recurrent states from step to step, so producing ``n`` characters costs
``n`` single steps (linear in ``n``), not ``n`` re-runs of a growing sequence.
That works for chains of ``Embedding`` (or one-hot input), ``SimpleRNN`` /
``LSTM`` / ``GRU`` (or any ``keras.layers.RNN``), ``Dropout``, ``Dense`` and
other per-step layers. For any other model (a ``Bidirectional`` layer, a
``Conv1D``, a branching graph) it falls back to re-running the model on the
last ``context`` characters at every step: still linear, just slower.
"""

from __future__ import annotations

import numbers

import numpy as np

from helpers.vocab import UNKNOWN_ID, CharVocab

# Layers that act on each time step independently, so they can run on one step at a time.
_PER_STEP = ("Dense", "Dropout", "Activation", "Softmax", "LayerNormalization",
             "BatchNormalization", "GaussianNoise", "ReLU", "LeakyReLU")


def sample_next(
    logits: np.ndarray,
    temperature: float = 1.0,
    top_k: int | None = None,
    rng: np.random.Generator | None = None,
) -> int:
    """Draw one id from unnormalised log-probabilities.

    The logits are divided by ``temperature`` (below 1 sharpens, above 1
    flattens the distribution), optionally restricted to the ``top_k`` largest,
    and sampled. ``top_k=1`` is greedy decoding.

    Args:
        logits: float array of shape ``(vocab_size,)``; ``-inf`` marks forbidden ids.
        temperature: > 0.
        top_k: keep only the k most likely ids (1 <= k), or None for all.
        rng: NumPy generator; a fresh unseeded one when None.

    Returns:
        The sampled id.

    Raises:
        ValueError: ``temperature <= 0``, bad ``top_k``, logits not 1-D or without a finite value.
    """
    if isinstance(temperature, bool) or not isinstance(temperature, numbers.Real):
        raise ValueError(f"temperature={temperature!r} must be a positive number, e.g. 0.5.")
    if not temperature > 0 or not np.isfinite(temperature):
        raise ValueError(
            f"temperature={temperature!r} must be > 0 (e.g. 0.2, 0.5 or 1.0); "
            "for greedy decoding use top_k=1."
        )
    logits = np.asarray(logits, dtype=np.float64)
    if logits.ndim != 1 or logits.size == 0:
        raise ValueError(f"logits must be a non-empty 1-D array, got shape {logits.shape}.")
    if np.isnan(logits).any() or not np.isfinite(logits).any():
        raise ValueError("logits hold NaN or no finite value; the model's output is broken.")
    if top_k is not None:
        if isinstance(top_k, bool) or not isinstance(top_k, (int, np.integer)) or top_k < 1:
            raise ValueError(f"top_k={top_k!r} must be a positive integer or None.")
        if top_k < logits.size:
            threshold = np.sort(logits)[-top_k]
            logits = np.where(logits >= threshold, logits, -np.inf)
    rng = rng if rng is not None else np.random.default_rng()
    scaled = logits / temperature
    scaled -= scaled[np.isfinite(scaled)].max()
    probs = np.exp(scaled)
    probs /= probs.sum()
    return int(rng.choice(probs.size, p=probs))


def generate(
    model,
    vocab: CharVocab,
    prompt: str = "ROMEO:",
    length: int = 500,
    temperature: float = 1.0,
    top_k: int | None = None,
    seed: int | None = None,
    context: int = 100,
) -> str:
    """Continue ``prompt`` by ``length`` characters sampled from ``model``.

    Args:
        model: a Keras model mapping ids ``(batch, time)`` (or one-hot
            ``(batch, time, vocab.size)``) to logits or softmax probabilities of
            shape ``(batch, time, vocab.size)`` or ``(batch, vocab.size)``.
        vocab: the vocabulary the model was trained with.
        prompt: start text; every character must be in ``vocab``.
        length: number of characters to add, >= 0.
        temperature: > 0; see :func:`sample_next`.
        top_k: restrict sampling to the k most likely characters (``1`` = greedy).
        seed: the same seed gives the same text.
        context: characters the fallback (non-recurrent) path feeds the model.

    Returns:
        ``prompt`` followed by the generated characters. The unknown id is never sampled.

    Raises:
        ValueError: empty prompt or one with characters outside the vocabulary,
            a model whose input or output width does not match ``vocab``,
            ``length < 0``, ``temperature <= 0``, a negative or non-integer ``seed``.
    """
    if not isinstance(vocab, CharVocab):
        raise TypeError(f"vocab must be a CharVocab, got {type(vocab).__name__}.")
    if not isinstance(prompt, str) or not prompt:
        raise ValueError("prompt is empty; give at least one character to start from: 'ROMEO:'.")
    prompt_ids = vocab.encode(prompt, strict=True, name="prompt")
    if isinstance(length, bool) or not isinstance(length, int) or length < 0:
        raise ValueError(f"length={length!r} must be a non-negative integer.")
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0
    ):
        raise ValueError(f"seed={seed!r} must be a non-negative integer (e.g. 42) or None.")
    sample_next(np.zeros(2), temperature, top_k)  # validates temperature and top_k up front
    _positive(context, "context")

    one_hot_input = _check_model_fits(model, vocab)
    stepper = _RecurrentStepper.try_build(model, vocab.size, one_hot_input)
    rng = np.random.default_rng(seed)
    ids = list(prompt_ids)

    if stepper is not None:
        logits = stepper.feed(prompt_ids)
    else:
        logits = _window_logits(model, ids, context, vocab.size, one_hot_input)
    for i in range(length):
        logits = _log_probs_if_softmax(model, logits)
        logits[UNKNOWN_ID] = -np.inf
        next_id = sample_next(logits, temperature, top_k, rng)
        ids.append(next_id)
        if i + 1 == length:
            break
        if stepper is not None:
            logits = stepper.feed(np.array([next_id], np.int32))
        else:
            logits = _window_logits(model, ids, context, vocab.size, one_hot_input)
    return prompt + vocab.decode(np.array(ids[len(prompt_ids):], dtype=np.int32))


def _positive(value: object, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name}={value!r} must be a positive integer.")


def _check_model_fits(model, vocab: CharVocab) -> bool:
    """Check input/output widths against ``vocab``; return True for one-hot input."""
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        raise ValueError(
            f"model has {len(model.inputs)} inputs and {len(model.outputs)} outputs; "
            "generate() needs a character model with one input and one output."
        )
    in_shape = tuple(model.inputs[0].shape)
    out_width = model.outputs[0].shape[-1]
    if out_width != vocab.size:
        raise ValueError(
            f"model predicts {out_width} classes but vocab has {vocab.size} ids; "
            "use the vocabulary the model was trained with (saved next to it)."
        )
    if len(in_shape) == 3:
        if in_shape[-1] != vocab.size:
            raise ValueError(
                f"model expects one-hot vectors of width {in_shape[-1]} but vocab has "
                f"{vocab.size} ids; use the vocabulary the model was trained with."
            )
        return True
    if len(in_shape) != 2:
        raise ValueError(
            f"model input has shape {in_shape}; expected (batch, time) ids or "
            "(batch, time, vocab.size) one-hot vectors."
        )
    return False


def _encode_input(ids, depth: int, one_hot: bool) -> np.ndarray:
    ids = np.asarray(ids, dtype=np.int32)[None, :]
    if one_hot:
        return np.eye(depth, dtype=np.float32)[ids]
    return ids


def _last_step(output) -> np.ndarray:
    out = np.asarray(output)
    return out[0, -1] if out.ndim == 3 else out[0]


def _window_logits(model, ids: list[int], context: int, depth: int, one_hot: bool) -> np.ndarray:
    fixed = model.inputs[0].shape[1]
    if fixed is not None:
        window = ([UNKNOWN_ID] * fixed + ids)[-fixed:]  # left-pad with the unknown id
    else:
        window = ids[-context:]
    out = model(_encode_input(window, depth, one_hot), training=False)
    return _last_step(out).astype(np.float64)


def outputs_probabilities(model) -> bool:
    """Return True when the model ends in a softmax (probabilities), False for logits."""
    last = model.layers[-1]
    activation = getattr(getattr(last, "activation", None), "__name__", "")
    return activation == "softmax" or type(last).__name__ == "Softmax"


def _log_probs_if_softmax(model, values: np.ndarray) -> np.ndarray:
    if outputs_probabilities(model):
        with np.errstate(divide="ignore"):
            return np.log(np.clip(values, 0.0, None))
    return values.copy()


class _RecurrentStepper:
    """Runs a chain of per-step and recurrent layers one time step at a time."""

    def __init__(self, layers, depth: int, one_hot: bool):
        import tensorflow as tf

        self.layers = layers
        self.depth = depth
        self.one_hot = one_hot
        self.states = self._initial_states()
        self._step = tf.function(self._step_eager, reduce_retracing=True)

    @classmethod
    def try_build(cls, model, depth: int, one_hot: bool) -> _RecurrentStepper | None:
        import keras

        layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
        for position, layer in enumerate(layers):
            name = type(layer).__name__
            if isinstance(layer, keras.layers.RNN):
                if layer.go_backwards or getattr(layer, "stateful", False):
                    return None
            elif isinstance(layer, keras.layers.Embedding):
                if position != 0 or one_hot:
                    return None
            elif name not in _PER_STEP:
                return None
        if not any(isinstance(layer, keras.layers.RNN) for layer in layers):
            return None
        stepper = cls(layers, depth, one_hot)
        return stepper if stepper._agrees_with(model) else None

    def _initial_states(self):
        import keras

        return [
            list(layer.get_initial_state(1)) if isinstance(layer, keras.layers.RNN) else []
            for layer in self.layers
        ]

    def _step_eager(self, x, states):
        import keras

        new_states = []
        for layer, layer_states in zip(self.layers, states, strict=True):
            if isinstance(layer, keras.layers.RNN):
                x, next_states = layer.cell(x, layer_states, training=False)
                if not isinstance(next_states, (list, tuple)):
                    next_states = [next_states]
                new_states.append(list(next_states))
            else:
                x = layer(x, training=False)
                new_states.append([])
        return x, new_states

    def feed(self, ids: np.ndarray) -> np.ndarray:
        """Feed ids one at a time, keep the states, return the last step's output (1-D)."""
        out = None
        for token in np.asarray(ids, dtype=np.int32):
            x = _encode_input([token], self.depth, self.one_hot)[:, 0]
            out, self.states = self._step(x, self.states)
        return np.asarray(out)[0].astype(np.float64)

    def _agrees_with(self, model) -> bool:
        """Check on a probe sequence that stepping reproduces the model's own output."""
        fixed = model.inputs[0].shape[1]
        probe = (np.arange(fixed or 12) % (self.depth - 1) + 1).astype(np.int32)
        expected = _last_step(model(_encode_input(probe, self.depth, self.one_hot), training=False))
        got = self.feed(probe)
        self.states = self._initial_states()
        scale = max(1.0, float(np.abs(expected).max()))
        return got.shape == expected.shape and bool(np.allclose(got, expected, atol=1e-4 * scale))
