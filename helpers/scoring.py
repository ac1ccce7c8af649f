"""The competition's score: bits per character of a model on a text, and the causal probe.

:func:`bits_per_char` scores a model in the same way for every model: the text is cut into
consecutive, non-overlapping windows of :data:`EVAL_SEQ_LEN` characters, and the model's
prediction of the next character is scored at every position of every window. Predictions
are compared as normalised log-probabilities (:func:`log_probs`) within a fixed tolerance,
and outputs beyond a stated bound are refused, so no output can widen the tolerance. A model
that looks ahead is refused: while scoring, every window runs a second time, in another call,
with its characters after a random position changed, and no prediction up to that position
may change; :func:`looks_ahead` then tests every position of a scored window and of a random
one. A model whose rows see each other (the next window holds this one's future) is refused:
windows scored alone must get the predictions they get in their batch.

Notebooks import these from :mod:`helpers.competition`, next to the submission functions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from helpers.vocab import CharVocab

EVAL_SEQ_LEN = 100
"""Window length of the scoring: every scored character sees up to 99 characters before it."""
EVAL_BATCH_SIZE = 64


class ScoreError(ValueError):
    """A model that cannot be scored; ``kind`` is the short reason shown on the leaderboard."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Score:
    """Cross-entropy of a model on a text: per character, in nats and in bits."""

    nats: float
    n_chars: int

    @property
    def bits(self) -> float:
        """Bits per character: nats / ln 2."""
        return nats_to_bits(self.nats)

    @property
    def perplexity(self) -> float:
        """exp(nats): the model is as unsure as a uniform choice among this many characters."""
        return math.exp(self.nats)


def nats_to_bits(nats: float) -> float:
    """Convert a cross-entropy from nats (Keras' loss) to bits: divide by ln 2."""
    return nats / math.log(2)


LOOKS_AHEAD = (
    "looks ahead: its prediction at position t changes when later characters change, so it "
    "sees the answer it is scored on; predict from the past only (no Bidirectional layer, "
    "causal padding for Conv1D, a causal mask for attention)"
)
ROWS_MIX = (
    "rows see each other: the prediction for a window changes with the other windows scored "
    "in the same batch (for example attention across the batch axis), and the next window "
    "holds this one's future; predict every window from its own characters only"
)
MAX_LOGIT = 1000.0
"""Largest logit (in absolute value) a scored model may output: a logit of -1000 already means
a probability below e^-1000, so no trained model needs more, and a huge output cannot hide
a look-ahead in the float noise of the others."""
LOG_PROB_TOLERANCE = 1e-3
"""How much (in nats) a log-probability may differ between two runs that must agree: float
noise is about 1e-6; a look-ahead within this tolerance gains at most 0.0015 bits per char."""


def log_probs(out, from_logits: bool) -> np.ndarray:
    """Normalised log-probabilities (float64) of a model's outputs ``(..., classes)``.

    Logits go through a log-softmax; probabilities are clipped at 1e-30 and normalised. The
    result does not change when a constant is added to every logit, so a model cannot move
    the probe's tolerance by making one output huge.

    Raises:
        ScoreError: an output that is NaN (kind ``"non-finite loss"``), infinite, a logit
            beyond +-:data:`MAX_LOGIT`, or a probability outside 0..1 (kind
            ``"outputs out of range"``).
    """
    out = np.asarray(out, dtype=np.float64)
    if np.isnan(out).any():
        raise ScoreError("non-finite loss", "the model outputs NaN; its weights are broken.")
    low, high = (-MAX_LOGIT, MAX_LOGIT) if from_logits else (0.0, 1.0 + 1e-5)  # float32 rounding
    if out.size and not (low <= out.min() and out.max() <= high):
        what = (
            f"logits must stay within +-{MAX_LOGIT:g}"
            if from_logits
            else "the probabilities of a softmax must stay within 0 and 1"
        )
        raise ScoreError(
            "outputs out of range",
            f"outputs out of range: the model outputs values from {out.min():.3g} to "
            f"{out.max():.3g}; {what}. Such outputs serve no prediction and could hide a "
            "look-ahead in float noise.",
        )
    if from_logits:
        top = out.max(axis=-1, keepdims=True)
        return out - top - np.log(np.exp(out - top).sum(axis=-1, keepdims=True))
    logs = np.log(np.clip(out, 1e-30, None))
    return logs - np.log(np.exp(logs).sum(axis=-1, keepdims=True))


def _changed_after(ids: np.ndarray, cuts: np.ndarray, depth: int, rng) -> np.ndarray:
    """Copies of ``ids`` ``(rows, time)`` whose every id after position ``cuts[row]`` is
    replaced by a different one (drawn from ``1..depth-1``)."""
    shift = rng.integers(1, depth - 1, size=ids.shape)
    changed = (np.clip(ids, 1, None) - 1 + shift) % (depth - 1) + 1
    return np.where(np.arange(ids.shape[1]) > cuts[:, None], changed, ids).astype(np.int32)


def _first_change(out: np.ndarray, changed: np.ndarray, cuts: np.ndarray) -> int | None:
    """The cut of the first row whose log-probabilities (:func:`log_probs`, ``(rows, time,
    classes)`` each) at positions ``0..cut`` differ between ``out`` and ``changed`` by more
    than :data:`LOG_PROB_TOLERANCE`."""
    same = (np.abs(changed - out) <= LOG_PROB_TOLERANCE).all(axis=-1)
    differs = (~same & (np.arange(out.shape[1]) <= cuts[:, None])).any(axis=1)
    return int(cuts[differs.argmax()]) if differs.any() else None


def _graph_call(model):
    """Return ``call(x)``: ``model(x, training=False)`` run as a TensorFlow graph.

    The same layers and weights as calling the model directly, at graph speed: called eagerly,
    a recurrent layer runs its loop one step at a time in Python (about 1.4 s per call of 100
    steps of a small GRU on 2 CPU cores, against milliseconds in a graph). Batches of any size
    and length share a trace (``reduce_retracing``); XLA stays off, so no shape recompiles.
    """
    import tensorflow as tf

    graph = tf.function(
        lambda x: model(x, training=False), reduce_retracing=True, jit_compile=False
    )
    return lambda x: graph(tf.convert_to_tensor(x))


def _run(call, x: np.ndarray, from_logits: bool, rows: int = 128) -> np.ndarray:
    """Log-probabilities of ``call`` (:func:`_graph_call`) on ``x``, ``rows`` windows per call."""
    return np.concatenate(
        [log_probs(call(x[i : i + rows]), from_logits) for i in range(0, len(x), rows)]
    )


def looks_ahead(
    model,
    depth: int,
    one_hot: bool,
    seq_len: int = 24,
    windows: int = 3,
    seed: int | np.random.Generator | None = 0,
    text_ids: np.ndarray | None = None,
    cuts: int | None = None,
) -> int | None:
    """Return a position ``t`` whose prediction depends on characters after ``t``, else None.

    A next-character model must predict position ``t`` from ``x[0..t]`` alone. The probe takes
    ``windows`` windows of ``seq_len`` ids and, for every ``t`` (or ``cuts`` of them: the first,
    the last but one and random others), changes only the characters after ``t`` (each one of
    them); the log-probabilities at positions ``0..t`` must stay the same within
    :data:`LOG_PROB_TOLERANCE` (see :func:`log_probs`). Each window runs alone, its changed
    copies in other calls and in shuffled order, so rows that see each other cannot hide a
    look-ahead. With ``text_ids``, all windows but one are windows of that text exactly as
    :func:`bits_per_char` scores them, so a model cannot look ahead only on real text; the
    last window is random ids.

    Args:
        model: maps ``(batch, time)`` ids or ``(batch, time, depth)`` one-hot vectors to
            ``(batch, time, classes)`` logits or probabilities.
        depth: number of ids (``vocab.size``); ids ``1..depth-1`` are drawn.
        one_hot: the model takes one-hot vectors.
        seq_len: window length (a model with a fixed input length gets that length).
        seed: seed (or ``numpy`` generator) of the windows and cuts; None draws fresh ones.
        text_ids: ids ``(n,)`` of the scored text, or None for random windows only.
        cuts: how many positions ``t`` to test per window; None tests every one.

    Raises:
        ValueError: ``depth < 3`` or a window shorter than 3.
        ScoreError: outputs out of range or NaN (see :func:`log_probs`).
    """
    from helpers.sampling import outputs_probabilities

    from_logits = not outputs_probabilities(model)
    fixed = model.inputs[0].shape[1]
    length = int(fixed or seq_len)
    if depth < 3 or length < 3:
        raise ValueError(f"depth={depth}, seq_len={length}: the probe needs at least 3 of each.")
    rng = np.random.default_rng(seed)
    scored = 0 if text_ids is None else (len(text_ids) - 1) // length
    starts = rng.choice(scored, size=min(windows - 1, scored), replace=False) if scored else []
    bases = [np.asarray(text_ids[k * length : (k + 1) * length]) for k in starts]
    bases += [rng.integers(1, depth, size=length) for _ in range(windows - len(bases))]
    encode = (lambda ids: np.eye(depth, dtype=np.float32)[ids]) if one_hot else (lambda i: i)
    call = _graph_call(model)
    for base in bases:
        inner = np.arange(1, length - 2)
        if cuts is not None:
            inner = rng.choice(inner, size=max(0, min(cuts - 2, len(inner))), replace=False)
        cut_at = np.array(sorted({0, length - 2, *inner.tolist()}))
        base_out = _run(call, encode(base[None].astype(np.int32)), from_logits)
        changed = _changed_after(np.tile(base, (len(cut_at), 1)), cut_at, depth, rng)
        order = rng.permutation(len(changed))
        out = np.empty((len(changed), *base_out.shape[1:]))
        out[order] = _run(call, encode(changed[order]), from_logits)
        if (t := _first_change(np.broadcast_to(base_out, out.shape), out, cut_at)) is not None:
            return t
    return None


def _check_batch(call, x, out, one_hot: bool, depth: int, from_logits: bool, rng) -> None:
    """Prove, for one batch ``x`` and its log-probabilities ``out``, that no row looks ahead and
    that rows do not see each other (``call`` runs the model: :func:`_graph_call`).

    Every window runs again with its characters after a random cut changed, in another call
    and in shuffled order (a twin never shares a call with the window it shadows); its
    predictions up to the cut must not change. Two random windows run alone, in a batch of
    one; all their predictions must be those of the batch.

    Raises:
        ScoreError: kind ``"looks ahead"`` or ``"rows see each other"``.
    """
    ids = x.argmax(axis=-1).astype(np.int32) if one_hot else x.astype(np.int32)
    encode = (
        (lambda i: np.eye(depth, dtype=x.dtype)[i]) if one_hot else (lambda i: i.astype(x.dtype))
    )
    cuts = rng.integers(0, ids.shape[1] - 1, size=len(ids))
    twin = _changed_after(ids, cuts, depth, rng)
    order = rng.permutation(len(ids))
    twin_out = np.empty_like(out)
    twin_out[order] = log_probs(call(encode(twin[order])), from_logits)
    for k in rng.choice(len(ids), size=min(2, len(ids)), replace=False):
        alone = log_probs(call(x[k : k + 1]), from_logits)
        if not (np.abs(alone[0] - out[k]) <= LOG_PROB_TOLERANCE).all():
            raise ScoreError("rows see each other", f"{ROWS_MIX}.")
    if (t := _first_change(out, twin_out, cuts)) is not None:
        raise ScoreError("looks ahead", f"{LOOKS_AHEAD} (first seen at t={t}).")


def bits_per_char(
    model,
    vocab: CharVocab,
    text: str,
    seq_len: int = EVAL_SEQ_LEN,
    check_causal: bool = True,
) -> Score:
    """Score ``model`` on ``text``: mean next-character cross-entropy, the competition's metric.

    Args:
        model: a character model mapping ids ``(batch, time)`` (or one-hot
            ``(batch, time, vocab.size)``) to logits or softmax probabilities of shape
            ``(batch, time, vocab.size)``.
        vocab: the model's vocabulary; it must contain every character of ``text``.
        text: the text to score, longer than ``seq_len``.
        seq_len: window length (the competition uses :data:`EVAL_SEQ_LEN`).
        check_causal: prove that no prediction depends on later characters or on other
            windows: every scored window runs again with its characters after a random
            position changed, in another call and in shuffled order, and two windows of every
            batch run alone (see :func:`_check_batch`); then :func:`looks_ahead` tests every
            position of one window of ``text`` and one of random ids. About twice the model
            calls; the leaderboard always checks. False only in tests or to analyse a model
            that looks ahead on purpose (a tagger, a Bidirectional layer), never for a score.

    Returns:
        :class:`Score` with ``nats``, ``bits`` and ``perplexity`` per character, and the
        number of characters scored (``seq_len`` per window).

    Raises:
        ScoreError (a ValueError): a vocabulary that does not fit the model or lacks
            characters of ``text``; a model that does not predict at every position; a model
            that looks ahead (kind ``"looks ahead"``) or whose rows see each other (``"rows see
            each other"``); outputs out of range (:func:`log_probs`); a non-finite loss. Its
            ``kind`` names
            the problem for the leaderboard.
    """
    from helpers.sampling import check_model_fits, outputs_probabilities
    from helpers.windows import char_dataset

    if len(model.inputs) != 1 or len(model.outputs) != 1:
        raise ScoreError(
            "wrong output shape",
            f"model has {len(model.inputs)} inputs and {len(model.outputs)} outputs; "
            "a character model has one of each.",
        )
    out_shape = tuple(model.outputs[0].shape)
    if out_shape[-1] != vocab.size:
        raise ScoreError(
            "wrong vocabulary",
            f"model predicts {out_shape[-1]} classes but vocab has {vocab.size} ids; "
            "submit the vocabulary the model was trained with.",
        )
    if len(out_shape) != 3:
        raise ScoreError(
            "wrong output shape",
            f"model output has shape {out_shape}; the score needs a prediction at every "
            "position, (batch, time, vocab.size): use return_sequences=True in the last "
            "recurrent layer.",
        )
    missing = vocab.unknown_chars(text)
    if missing:
        raise ScoreError(
            "wrong vocabulary",
            f"vocab lacks {len(missing)} character(s) of the scored text: {missing[:10]!r}. "
            "Build the vocabulary from the training split of the same corpus.",
        )
    try:
        one_hot = check_model_fits(model, vocab)
    except ValueError as error:
        raise ScoreError("wrong input shape", str(error)) from None
    rng = np.random.default_rng()
    from_logits = not outputs_probabilities(model)
    windows = char_dataset(
        text, vocab, seq_len, EVAL_BATCH_SIZE, one_hot=one_hot, stride=seq_len, shuffle=False
    )
    total, count = 0.0, 0
    call = _graph_call(model)
    for x, y in windows:
        x, y = np.asarray(x), np.asarray(y)
        out = log_probs(call(x), from_logits)
        if check_causal:
            _check_batch(call, x, out, one_hot, vocab.size, from_logits, rng)
        picked = np.take_along_axis(out, y[..., None].astype(np.int64), axis=-1)
        total -= float(picked.sum())
        count += picked.size
    if check_causal:
        ids = vocab.encode(text)
        t = looks_ahead(model, vocab.size, one_hot, seq_len, 2, seed=rng, text_ids=ids)
        if t is not None:
            raise ScoreError("looks ahead", f"{LOOKS_AHEAD} (first seen at t={t}).")
    nats = total / count
    if not math.isfinite(nats):
        raise ScoreError(
            "non-finite loss", f"the model's loss on the text is {nats}; its weights are broken."
        )
    return Score(nats=nats, n_chars=count)
