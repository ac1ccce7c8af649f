"""The text-prediction competition: submissions, the score, and the leaderboard.

A submission is a folder::

    model.keras     the trained model (Keras 3 format; loaded in safe mode)
    vocab.json      its vocabulary (helpers.vocab.CharVocab.save)
    sentence.txt    the best text it wrote, starting with "ROMEO:"
    name.txt        the author's name or team name (optional: the folder name otherwise)

The score is **bits per character on the held-out test split** of tiny-shakespeare
(lower wins), computed by :func:`bits_per_char` in the same way for every model:
the test text is cut into consecutive, non-overlapping windows of
:data:`EVAL_SEQ_LEN` characters, and the model's prediction of the next
character is scored at every position of every window.

:func:`score_submission` checks and scores one folder exactly as the leaderboard
does, so a student can see their result before handing in. (Instructors rank a
folder of submissions with ``./course leaderboard``.)
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from helpers.vocab import CharVocab

EVAL_SEQ_LEN = 100
"""Window length of the scoring: every scored character sees up to 99 characters before it."""
EVAL_BATCH_SIZE = 64
PROMPT = "ROMEO:"
MODEL_FILE, VOCAB_FILE, SENTENCE_FILE, NAME_FILE = (
    "model.keras",
    "vocab.json",
    "sentence.txt",
    "name.txt",
)
MAX_PARAMS = 25_000_000
"""Largest model the leaderboard scores (a 3-layer LSTM of 1024 units has about 21 million)."""
MAX_FILE_MB = 200


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


def looks_ahead(
    model, depth: int, one_hot: bool, seq_len: int = 24, windows: int = 3, seed: int = 0
) -> int | None:
    """Return a position ``t`` whose prediction depends on characters after ``t``, else None.

    A next-character model must predict position ``t`` from ``x[0..t]`` alone. The probe takes
    ``windows`` random windows of ``seq_len`` ids and, for several ``t`` in each, changes only
    the characters after ``t``; the outputs at positions ``0..t`` must stay the same (within
    float noise: 1e-5 + 1e-4 of the largest output). All variants of a window run in one batch.

    Args:
        model: maps ``(batch, time)`` ids or ``(batch, time, depth)`` one-hot vectors to
            ``(batch, time, classes)``.
        depth: number of ids (``vocab.size``); ids ``1..depth-1`` are drawn.
        one_hot: the model takes one-hot vectors.
    """
    if depth < 3:
        raise ValueError(f"depth={depth} is too small to probe; a vocabulary has at least 3 ids.")
    fixed = model.inputs[0].shape[1]
    length = int(fixed or seq_len)
    rng = np.random.default_rng(seed)
    cuts = sorted({0, length // 3, (2 * length) // 3, length - 2} - {-1})
    for _ in range(windows):
        base = rng.integers(1, depth, size=length)
        batch = [base]
        for t in cuts:
            changed = base.copy()
            shift = rng.integers(1, depth - 1, size=length - t - 1)  # never 0: every id changes
            changed[t + 1 :] = (base[t + 1 :] - 1 + shift) % (depth - 1) + 1
            batch.append(changed)
        ids = np.stack(batch).astype(np.int32)
        x = np.eye(depth, dtype=np.float32)[ids] if one_hot else ids
        out = np.asarray(model(x, training=False), dtype=np.float64)
        tolerance = 1e-5 + 1e-4 * float(np.abs(out[0]).max())
        for row, t in enumerate(cuts, start=1):
            if np.abs(out[row, : t + 1] - out[0, : t + 1]).max() > tolerance:
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
        check_causal: first prove with :func:`looks_ahead` that no prediction depends on
            later characters (the leaderboard always does); False only for analysis.

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
    if check_causal and (t := looks_ahead(model, vocab.size, one_hot)) is not None:
        raise ScoreError("looks ahead", f"{LOOKS_AHEAD} (first seen at t={t}).")
    windows = char_dataset(
        text, vocab, seq_len, EVAL_BATCH_SIZE, one_hot=one_hot, stride=seq_len, shuffle=False
    )
    from_logits = not outputs_probabilities(model)
    total, count = 0.0, 0
    for x, y in windows:
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


def write_submission(
    folder: str | os.PathLike[str], model, vocab: CharVocab, sentence: str, name: str
) -> Path:
    """Write a competition submission folder and return its path.

    Args:
        folder: where to write (created if needed).
        model: the trained Keras model.
        vocab: its vocabulary.
        sentence: the best text, starting with ``"ROMEO:"``.
        name: your name or team name, shown on the leaderboard.

    Raises:
        ValueError: a sentence that does not start with ``ROMEO:``, an empty name.
    """
    if not isinstance(sentence, str) or not sentence.startswith(PROMPT):
        raise ValueError(f"sentence must start with {PROMPT!r}, got {str(sentence)[:30]!r}.")
    if not isinstance(name, str) or not name.strip():
        raise ValueError("name is empty; give the name the leaderboard should show.")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    model.save(folder / MODEL_FILE)
    vocab.save(folder / VOCAB_FILE)
    (folder / SENTENCE_FILE).write_text(sentence, encoding="utf-8")
    (folder / NAME_FILE).write_text(name.strip() + "\n", encoding="utf-8")
    return folder


@dataclass
class Entry:
    """One row of the leaderboard: a scored submission, or a broken one with its reason."""

    folder: str
    name: str
    bits: float | None = None
    nats: float | None = None
    params: int | None = None
    sentence: str = ""
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.bits is not None and not self.reason


class BrokenSubmission(Exception):
    """A submission that cannot be scored; the message is the leaderboard's reason."""


def _load_model(path: Path):
    import keras

    try:
        return keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as error:  # noqa: BLE001 - every failure becomes a reason on the board
        message = str(error)
        if "Lambda" in message or "safe_mode" in message:
            raise BrokenSubmission(
                "refused by Keras safe mode: the model contains a Lambda layer, whose code "
                "would run on the grader's machine; rebuild it from built-in layers"
            ) from None
        first = message.strip().splitlines()[0][:200] if message.strip() else type(error).__name__
        raise BrokenSubmission(f"model.keras could not be loaded: {first}") from None


def score_submission(
    folder: str | os.PathLike[str],
    text: str,
    max_params: int = MAX_PARAMS,
    max_file_mb: float = MAX_FILE_MB,
) -> Entry:
    """Check and score one submission folder in this process; broken ones get a reason.

    Use :func:`leaderboard` to score many, each in its own process with a time limit.
    """
    folder = Path(folder)
    name_file = folder / NAME_FILE
    name = name_file.read_text(encoding="utf-8").strip() if name_file.is_file() else ""
    entry = Entry(folder=folder.name, name=name[:60] or folder.name)
    try:
        missing = [f for f in (MODEL_FILE, VOCAB_FILE, SENTENCE_FILE) if not (folder / f).is_file()]
        if missing:
            raise BrokenSubmission(f"missing file(s): {', '.join(missing)}")
        entry.sentence = (folder / SENTENCE_FILE).read_text(encoding="utf-8", errors="replace")
        entry.sentence = entry.sentence.strip()[:1000]
        if not entry.sentence.startswith(PROMPT):
            raise BrokenSubmission(f"sentence.txt must start with {PROMPT!r}")
        size_mb = (folder / MODEL_FILE).stat().st_size / 2**20
        if size_mb > max_file_mb:
            raise BrokenSubmission(
                f"model too large: model.keras is {size_mb:.0f} MB (limit {max_file_mb:g} MB)"
            )
        try:
            vocab = CharVocab.load(folder / VOCAB_FILE)
        except (ValueError, KeyError) as error:
            raise BrokenSubmission(
                f"wrong vocabulary: vocab.json is unreadable ({error})"
            ) from None
        model = _load_model(folder / MODEL_FILE)
        entry.params = int(model.count_params())
        if entry.params > max_params:
            raise BrokenSubmission(
                f"model too large: {entry.params:,} parameters (limit {max_params:,})"
            )
        try:
            score = bits_per_char(model, vocab, text)
        except ScoreError as error:
            raise BrokenSubmission(f"{error.kind}: {error}") from None
        entry.bits, entry.nats = score.bits, score.nats
    except BrokenSubmission as error:
        entry.reason = str(error)
    except Exception as error:  # noqa: BLE001 - a crash costs only this submission
        entry.reason = f"scoring failed: {type(error).__name__}: {str(error)[:200]}"
    return entry
