"""The text-prediction competition: submissions, the score, and the leaderboard.

A submission is a folder::

    model.keras     the trained model (Keras 3 format; loaded in safe mode)
    vocab.json      its vocabulary (helpers.vocab.CharVocab.save)
    sentence.txt    the best text it wrote, starting with "ROMEO:"
    name.txt        the author's name or team name (optional: the folder name otherwise)
    generation.json optional: the settings that wrote sentence.txt (temperature, top_k, seed,
                    length, prompt); the leaderboard writes the text again with
                    :func:`helpers.sampling.generate` and marks it "reproduced" if it matches

The score is **bits per character on the held-out test split** of tiny-shakespeare
(lower wins), computed by :func:`bits_per_char` in the same way for every model:
the test text is cut into consecutive, non-overlapping windows of
:data:`EVAL_SEQ_LEN` characters, and the model's prediction of the next
character is scored at every position of every window. A model that looks ahead is
refused: :func:`looks_ahead` tests every position of a scored window and of a random one
first, and while scoring, every window runs a second time with its characters after a
random position changed; no prediction up to that position may change.

:func:`score_submission` checks and scores one folder exactly as the leaderboard
does, so a student can see their result before handing in. (Instructors rank a
folder of submissions with ``./course leaderboard``.)
"""

from __future__ import annotations

import json
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
MODEL_FILE, VOCAB_FILE, SENTENCE_FILE, NAME_FILE, GENERATION_FILE = (
    "model.keras",
    "vocab.json",
    "sentence.txt",
    "name.txt",
    "generation.json",
)
MAX_GENERATED = 2000
"""Longest ``length`` in generation.json the leaderboard regenerates."""
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


def generation_settings(settings: object) -> dict:
    """Check the settings of ``generation.json``; return them complete.

    Args:
        settings: a dict with ``seed`` (int >= 0) and ``length`` (0 to :data:`MAX_GENERATED`),
            optionally ``temperature`` (> 0, default 1.0), ``top_k`` (int >= 1 or None) and
            ``prompt`` (starting with ``"ROMEO:"``, default ``"ROMEO:"``): the arguments of
            :func:`helpers.sampling.generate` that wrote the sentence.

    Raises:
        ValueError: naming the setting that is missing, unknown or out of range.
    """
    if not isinstance(settings, dict):
        raise ValueError(f"settings must be a dict, got {type(settings).__name__}.")
    unknown = set(settings) - {"temperature", "top_k", "seed", "length", "prompt"}
    if unknown:
        raise ValueError(f"unknown setting(s) {sorted(map(str, unknown))[:5]}.")
    got = {"temperature": 1.0, "top_k": None, "prompt": PROMPT, **settings}
    limits = {"seed": (0, 2**63 - 1), "length": (0, MAX_GENERATED), "top_k": (1, 2**31)}
    for key, (low, high) in limits.items():
        value = got[key] if key in got else "missing"
        if not (key == "top_k" and value is None) and (
            type(value) is not int or not low <= value <= high
        ):
            raise ValueError(f"{key}={str(value)[:20]} must be an integer from {low} to {high}.")
    temperature, prompt = got["temperature"], got["prompt"]
    if type(temperature) not in (int, float) or not 0 < temperature < 1e6:
        raise ValueError(f"temperature={str(temperature)[:20]} must be a number > 0.")
    if not isinstance(prompt, str) or not prompt.startswith(PROMPT) or len(prompt) > 500:
        raise ValueError(f"prompt must start with {PROMPT!r} (at most 500 characters).")
    return got


def reproduces(model, vocab: CharVocab, sentence: str, settings: dict) -> bool:
    """True when :func:`helpers.sampling.generate` with ``settings`` writes ``sentence`` exactly
    (a single trailing line break of the file aside)."""
    from helpers.sampling import generate

    keys = ("prompt", "length", "temperature", "top_k", "seed")
    text = generate(model, vocab, **{key: settings[key] for key in keys})
    return sentence in (text, text + "\n")


def write_submission(
    folder: str | os.PathLike[str],
    model,
    vocab: CharVocab,
    sentence: str,
    name: str,
    generation: dict | None = None,
) -> Path:
    """Write a competition submission folder and return its path.

    Args:
        folder: where to write (created if needed).
        model: the trained Keras model.
        vocab: its vocabulary.
        sentence: the best text, starting with ``"ROMEO:"``.
        name: your name or team name, shown on the leaderboard.
        generation: the :func:`helpers.sampling.generate` settings that wrote ``sentence``
            (``seed``, ``length``, ``temperature``, ``top_k``, ``prompt``), or None. The
            leaderboard writes the text again and shows "reproduced" when it matches.

    Raises:
        ValueError: a sentence that does not start with ``ROMEO:``, an empty name, bad settings.
    """
    if not isinstance(sentence, str) or not sentence.startswith(PROMPT):
        raise ValueError(f"sentence must start with {PROMPT!r}, got {str(sentence)[:30]!r}.")
    if not isinstance(name, str) or not name.strip():
        raise ValueError("name is empty; give the name the leaderboard should show.")
    settings = None if generation is None else generation_settings(generation)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    model.save(folder / MODEL_FILE)
    vocab.save(folder / VOCAB_FILE)
    (folder / SENTENCE_FILE).write_text(sentence, encoding="utf-8")
    (folder / NAME_FILE).write_text(name.strip() + "\n", encoding="utf-8")
    if settings is not None:
        (folder / GENERATION_FILE).write_text(json.dumps(settings, indent=1), encoding="utf-8")
    return folder


@dataclass
class Entry:
    """One row of the leaderboard: a scored submission, or a broken one with its reason.

    ``sentence_check`` says whether the model wrote the sentence: ``reproduced``, ``not
    reproduced`` (with why), ``no generation.json`` or ``not checked`` (the model was not scored).
    """

    folder: str
    name: str
    bits: float | None = None
    nats: float | None = None
    params: int | None = None
    sentence: str = ""
    reason: str = ""
    sentence_check: str = "no generation.json"

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

    With a ``generation.json``, the sentence is written again from its settings
    (``sentence_check``). The leaderboard does the same for every folder, in a sandbox, after
    checking the files and the model's config (``instructor/model_check.py``).
    """
    folder = Path(folder)
    name_file = folder / NAME_FILE
    name = name_file.read_text(encoding="utf-8").strip() if name_file.is_file() else ""
    entry = Entry(folder=folder.name, name=name[:60] or folder.name)
    try:
        missing = [f for f in (MODEL_FILE, VOCAB_FILE, SENTENCE_FILE) if not (folder / f).is_file()]
        if missing:
            raise BrokenSubmission(f"missing file(s): {', '.join(missing)}")
        raw = (folder / SENTENCE_FILE).read_text(encoding="utf-8", errors="replace")
        entry.sentence = raw.strip()[:1000]
        if not entry.sentence.startswith(PROMPT):
            raise BrokenSubmission(f"sentence.txt must start with {PROMPT!r}")
        settings = None
        if (folder / GENERATION_FILE).is_file():
            try:
                data = json.loads((folder / GENERATION_FILE).read_text(encoding="utf-8"))
                settings = generation_settings(data)
                entry.sentence_check = "not checked"
            except ValueError as error:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
                entry.sentence_check = f"not reproduced: generation.json: {error}"
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
            message = str(error)
            raise BrokenSubmission(
                message if message.startswith(error.kind) else f"{error.kind}: {message}"
            ) from None
        entry.bits, entry.nats = score.bits, score.nats
        if settings is not None:
            try:
                same = reproduces(model, vocab, raw, settings)
                entry.sentence_check = "reproduced" if same else "not reproduced"
            except ValueError as error:
                entry.sentence_check = f"not reproduced: {error}"
    except BrokenSubmission as error:
        entry.reason = str(error)
    except Exception as error:  # noqa: BLE001 - a crash costs only this submission
        entry.reason = f"scoring failed: {type(error).__name__}: {str(error)[:200]}"
    return entry
