"""The competition's score: bits per character of a model on a text, and the causal probe.

:func:`bits_per_char` scores a model in the same way for every model: the text is cut into
consecutive, non-overlapping windows of :data:`EVAL_SEQ_LEN` characters, and the model's
prediction of the next character is scored at every position of every window. A model that
looks ahead is refused: :func:`looks_ahead` tests every position of a scored window and of a
random one first, and while scoring, every window runs a second time with its characters after
a random position changed; no prediction up to that position may change.

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
        return self.nats / math.log(2)

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


def _changed_after(ids: np.ndarray, cuts: np.ndarray, depth: int, rng) -> np.ndarray:
    """Copies of ``ids`` ``(rows, time)`` whose every id after position ``cuts[row]`` is
    replaced by a different one (drawn from ``1..depth-1``)."""
    shift = rng.integers(1, depth - 1, size=ids.shape)
    changed = (np.clip(ids, 1, None) - 1 + shift) % (depth - 1) + 1
    return np.where(np.arange(ids.shape[1]) > cuts[:, None], changed, ids).astype(np.int32)


def _first_change(out: np.ndarray, changed: np.ndarray, cuts: np.ndarray) -> int | None:
    """The cut of the first row whose outputs at positions ``0..cut`` differ between ``out`` and
    ``changed`` (``(rows, time, classes)`` each) by more than float noise: 1e-5 + 1e-4 of the
    largest finite output; an inf or NaN must stay exactly the same."""
    finite = np.abs(out[np.isfinite(out)])
    tolerance = 1e-5 + 1e-4 * float(finite.max() if finite.size else 0.0)
    same = np.isclose(changed, out, rtol=0.0, atol=tolerance, equal_nan=True).all(axis=-1)
    differs = (~same & (np.arange(out.shape[1]) <= cuts[:, None])).any(axis=1)
    return int(cuts[differs.argmax()]) if differs.any() else None


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
    them); the outputs at positions ``0..t`` must stay the same within float noise (see
    :func:`_first_change`). With ``text_ids``, all windows but one are windows of that text
    exactly as :func:`bits_per_char` scores them, so a model cannot look ahead only on real
    text; the last window is random ids.

    Args:
        model: maps ``(batch, time)`` ids or ``(batch, time, depth)`` one-hot vectors to
            ``(batch, time, classes)``.
        depth: number of ids (``vocab.size``); ids ``1..depth-1`` are drawn.
        one_hot: the model takes one-hot vectors.
        seq_len: window length (a model with a fixed input length gets that length).
        seed: seed (or ``numpy`` generator) of the windows and cuts; None draws fresh ones.
        text_ids: ids ``(n,)`` of the scored text, or None for random windows only.
        cuts: how many positions ``t`` to test per window; None tests every one.

    Raises:
        ValueError: ``depth < 3`` or a window shorter than 3.
    """
    fixed = model.inputs[0].shape[1]
    length = int(fixed or seq_len)
    if depth < 3 or length < 3:
        raise ValueError(f"depth={depth}, seq_len={length}: the probe needs at least 3 of each.")
    rng = np.random.default_rng(seed)
    scored = 0 if text_ids is None else (len(text_ids) - 1) // length
    starts = rng.choice(scored, size=min(windows - 1, scored), replace=False) if scored else []
    bases = [np.asarray(text_ids[k * length : (k + 1) * length]) for k in starts]
    bases += [rng.integers(1, depth, size=length) for _ in range(windows - len(bases))]
    for base in bases:
        inner = np.arange(1, length - 2)
        if cuts is not None:
            inner = rng.choice(inner, size=max(0, min(cuts - 2, len(inner))), replace=False)
        cut_at = np.array(sorted({0, length - 2, *inner.tolist()}))
        ids = np.concatenate(
            [base[None], _changed_after(np.tile(base, (len(cut_at), 1)), cut_at, depth, rng)]
        ).astype(np.int32)
        x = np.eye(depth, dtype=np.float32)[ids] if one_hot else ids
        out = np.concatenate(
            [np.asarray(model(x[i : i + 128], training=False)) for i in range(0, len(x), 128)]
        ).astype(np.float64)
        base_out = np.broadcast_to(out[:1], out[1:].shape)
        if (t := _first_change(base_out, out[1:], cut_at)) is not None:
            return t
    return None


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
        check_causal: prove that no prediction depends on later characters: first
            :func:`looks_ahead` on one window of ``text`` and one of random ids, at every
            position; then every scored window runs a second time, in the same batch, with
            the characters after a random position changed. Twice the model calls; the
            leaderboard always checks. False only in tests or to analyse a model that looks
            ahead on purpose (a tagger, a Bidirectional layer), never for a score.

    Returns:
        :class:`Score` with ``nats``, ``bits`` and ``perplexity`` per character, and the
        number of characters scored (``seq_len`` per window).

    Raises:
        ScoreError (a ValueError): a vocabulary that does not fit the model or lacks
            characters of ``text``; a model that does not predict at every position; a model
            that looks ahead (kind ``"looks ahead"``); a non-finite loss. Its ``kind`` names
            the problem for the leaderboard.
    """
    import keras

    from helpers.sampling import _check_model_fits, outputs_probabilities
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
        one_hot = _check_model_fits(model, vocab)
    except ValueError as error:
        raise ScoreError("wrong input shape", str(error)) from None
    rng = np.random.default_rng()
    if check_causal:
        ids = vocab.encode(text)
        t = looks_ahead(model, vocab.size, one_hot, seq_len, 2, seed=rng, text_ids=ids)
        if t is not None:
            raise ScoreError("looks ahead", f"{LOOKS_AHEAD} (first seen at t={t}).")
    windows = char_dataset(
        text, vocab, seq_len, EVAL_BATCH_SIZE, one_hot=one_hot, stride=seq_len, shuffle=False
    )
    from_logits = not outputs_probabilities(model)
    total, count = 0.0, 0
    for x, y in windows:
        x = np.asarray(x)
        if check_causal:  # every window once more, its future changed after a random cut
            ids = x.argmax(axis=-1).astype(np.int32) if one_hot else x
            cuts = rng.integers(0, ids.shape[1] - 1, size=len(ids))
            twin = _changed_after(ids, cuts, vocab.size, rng)
            twin = np.eye(vocab.size, dtype=x.dtype)[twin] if one_hot else twin.astype(x.dtype)
            out, twin = np.split(np.asarray(model(np.concatenate([x, twin]), training=False)), 2)
            if (t := _first_change(out.astype(np.float64), twin, cuts)) is not None:
                raise ScoreError("looks ahead", f"{LOOKS_AHEAD} (first seen at t={t}).")
        else:
            out = model(x, training=False)
        losses = keras.losses.sparse_categorical_crossentropy(y, out, from_logits=from_logits)
        losses = np.asarray(losses, dtype=np.float64)
        total += float(losses.sum())
        count += losses.size
    nats = total / count
    if not math.isfinite(nats):
        raise ScoreError(
            "non-finite loss", f"the model's loss on the text is {nats}; its weights are broken."
        )
    return Score(nats=nats, n_chars=count)
