"""Sampling text from a character model: temperature, top-k, and a stateful generator.

:func:`generate` feeds the prompt and then one character at a time, carrying
the recurrent states from step to step, so producing ``n`` characters costs
``n`` single steps (linear in ``n``), not ``n`` re-runs of a growing sequence.
That works for chains of ``Embedding`` (or one-hot input), ``SimpleRNN`` /
``LSTM`` / ``GRU`` (or any ``keras.layers.RNN``), ``Dropout``, ``Dense`` and
other per-step layers; the whole loop (prompt, draws, feeding back) then runs
in one compiled TensorFlow graph (:mod:`helpers.stepping`). For any other model
(a ``Bidirectional`` layer, a ``Conv1D``, a branching graph) it falls back to
re-running the model on the last ``context`` characters at every step: still
linear, just slower. Both paths write ``n_samples`` candidates in one batched pass.
"""

from __future__ import annotations

import numbers

import numpy as np

from helpers.stepping import RecurrentStepper, ends_in_softmax, last_step
from helpers.vocab import UNKNOWN_ID, CharVocab


def sample_next(
    logits: np.ndarray,
    temperature: float = 1.0,
    top_k: int | None = None,
    rng: np.random.Generator | None = None,
) -> int:
    """Draw one id from unnormalised log-probabilities.

    The logits are divided by ``temperature`` (below 1 sharpens, above 1
    flattens the distribution), optionally restricted to the ``top_k`` largest,
    and sampled. ``top_k=1`` is greedy decoding. Draws exactly what
    ``rng.choice(len(logits), p=probabilities)`` would, consuming one ``rng.random()``.

    Args:
        logits: float array of shape ``(vocab_size,)``; ``-inf`` marks forbidden ids.
        temperature: > 0.
        top_k: keep only the k most likely ids (1 <= k), or None for all.
        rng: NumPy generator; a fresh unseeded one when None.

    Returns:
        The sampled id.

    Raises:
        ValueError: ``temperature <= 0``, bad ``top_k``, logits not 1-D or holding NaN,
            +inf or no finite value.
    """
    _check_temperature_and_top_k(temperature, top_k)
    logits = np.asarray(logits, dtype=np.float64)
    if logits.ndim != 1 or logits.size == 0:
        raise ValueError(f"logits must be a non-empty 1-D array, got shape {logits.shape}.")
    if np.isnan(logits).any() or np.isposinf(logits).any() or not np.isfinite(logits).any():
        raise ValueError("logits hold NaN, +inf or no finite value; the model's output is broken.")
    rng = rng if rng is not None else np.random.default_rng()
    return int(_pick_ids(logits[None], np.array([rng.random()]), temperature, top_k)[0])


def _check_temperature_and_top_k(temperature: object, top_k: object) -> None:
    if isinstance(temperature, bool) or not isinstance(temperature, numbers.Real):
        raise ValueError(f"temperature={temperature!r} must be a positive number, e.g. 0.5.")
    if not temperature > 0 or not np.isfinite(temperature):
        raise ValueError(
            f"temperature={temperature!r} must be > 0 (e.g. 0.2, 0.5 or 1.0); "
            "for greedy decoding use top_k=1."
        )
    if top_k is not None and (
        isinstance(top_k, bool) or not isinstance(top_k, (int, np.integer)) or top_k < 1
    ):
        raise ValueError(f"top_k={top_k!r} must be a positive integer or None.")


def _pick_ids(
    logits: np.ndarray, uniforms: np.ndarray, temperature: float, top_k: int | None
) -> np.ndarray:
    """Inverse-CDF draw, one id per row: logits ``(batch, vocab)`` float64, uniforms
    ``(batch,)`` in [0, 1) -> ids ``(batch,)``. The arithmetic of ``Generator.choice``;
    :func:`helpers.stepping._pick_ids_tf` is its in-graph twin."""
    if top_k is not None and top_k < logits.shape[1]:
        threshold = np.sort(logits, axis=1)[:, -top_k][:, None]
        logits = np.where(logits >= threshold, logits, -np.inf)
    scaled = logits / temperature
    scaled -= scaled.max(axis=1, keepdims=True)
    probs = np.exp(scaled)
    probs /= probs.sum(axis=1, keepdims=True)
    cdf = np.cumsum(probs, axis=1)
    if not np.isfinite(cdf[:, -1]).all():
        raise ValueError(
            "the model's output held NaN or no finite value while generating; "
            "its weights are broken (retrain it or load a saved copy)."
        )
    cdf /= cdf[:, -1:]
    return (cdf <= uniforms[:, None]).sum(axis=1)


def generate(
    model,
    vocab: CharVocab,
    prompt: str = "ROMEO:",
    length: int = 500,
    temperature: float = 1.0,
    top_k: int | None = None,
    seed: int | None = None,
    context: int = 100,
    n_samples: int | None = None,
) -> str | list[str]:
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
        seed: the same seed gives the same text. Sample ``i`` of a batch uses ``seed + i``.
        context: characters the fallback (non-recurrent) path feeds the model.
        n_samples: None (default) for one text, or k >= 1 for a list of k candidates written
            in one batched pass; candidate ``i`` is exactly
            ``generate(..., seed=seed + i)``, so ``seed=10, n_samples=3`` gives the texts of
            seeds 10, 11 and 12.

    Returns:
        ``prompt`` followed by the generated characters: a ``str`` when ``n_samples`` is None,
        a list of ``n_samples`` such strings otherwise (also for ``n_samples=1``). The
        unknown id is never sampled.

    Raises:
        ValueError: empty prompt or one with characters outside the vocabulary,
            a model whose input or output width does not match ``vocab``,
            ``length < 0``, ``temperature <= 0``, a negative or non-integer ``seed``,
            ``n_samples`` not a positive integer, a model whose output turns NaN.
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
    _check_temperature_and_top_k(temperature, top_k)
    _positive(context, "context")
    if n_samples is not None:
        _positive(n_samples, "n_samples", " or None")

    one_hot_input = check_model_fits(model, vocab)
    samples = 1 if n_samples is None else int(n_samples)
    # One uniform per character and sample: the stream rng.choice would consume.
    uniforms = np.stack(
        [
            np.random.default_rng(None if seed is None else int(seed) + i).random(length)
            for i in range(samples)
        ]
    )
    top_k = None if top_k is None else int(top_k)
    stepper = RecurrentStepper.try_build(model, vocab.size, one_hot_input)
    if stepper is not None:
        ids = stepper.sample(prompt_ids, uniforms, temperature, top_k)
    else:
        ids = _window_sample(
            model, prompt_ids, uniforms, temperature, top_k, context, vocab.size, one_hot_input
        )
    texts = [prompt + vocab.decode(row.astype(np.int32)) for row in ids]
    return texts[0] if n_samples is None else texts


def _positive(value: object, name: str, alternative: str = "") -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name}={value!r} must be a positive integer{alternative}.")


def check_model_fits(model, vocab: CharVocab) -> bool:
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


def _window_logits(model, ids, context: int, depth: int, one_hot: bool) -> np.ndarray:
    """Re-run ``model`` on the last ``context`` ids of each row and return its next-id output.

    ``ids``: one sequence ``(time,)`` (a list works) -> ``(vocab,)``, or a batch of
    equally long sequences ``(batch, time)`` -> ``(batch, vocab)``; float64. A model with a
    fixed input length gets exactly that many ids, left-padded with the unknown id.
    """
    ids = np.asarray(ids, dtype=np.int32)
    rows = np.atleast_2d(ids)
    fixed = model.inputs[0].shape[1]
    if fixed is not None:
        pad = np.full((len(rows), fixed), UNKNOWN_ID, np.int32)
        rows = np.concatenate([pad, rows], axis=1)[:, -fixed:]
    else:
        rows = rows[:, -context:]
    x = np.eye(depth, dtype=np.float32)[rows] if one_hot else rows
    out = last_step(model(x, training=False)).astype(np.float64)
    return out if ids.ndim == 2 else out[0]


def _window_sample(model, prompt_ids, uniforms, temperature, top_k, context, depth, one_hot):
    """The fallback: ids ``(samples, n)`` drawn by re-running the model on a sliding window,
    all samples in one batch per step."""
    samples, n = uniforms.shape
    ids = np.tile(np.asarray(prompt_ids, np.int32), (samples, 1))
    probabilities = outputs_probabilities(model)
    for i in range(n):
        logits = _window_logits(model, ids, context, depth, one_hot)
        if probabilities:
            with np.errstate(divide="ignore"):
                logits = np.log(np.clip(logits, 0.0, None))
        logits[:, UNKNOWN_ID] = -np.inf
        chosen = _pick_ids(logits, uniforms[:, i], temperature, top_k)
        ids = np.concatenate([ids, chosen[:, None].astype(np.int32)], axis=1)
    return ids[:, len(prompt_ids) :]


def outputs_probabilities(model) -> bool:
    """Return True when the model ends in a softmax (probabilities), False for logits."""
    return ends_in_softmax(model.layers[-1])
