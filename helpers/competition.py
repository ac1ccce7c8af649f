"""The text-prediction competition: write a submission, score it, hand it in.

A submission is a folder::

    model.keras     the trained model (Keras 3 format; loaded in safe mode)
    vocab.json      its vocabulary (helpers.vocab.CharVocab.save)
    sentence.txt    the best text it wrote, starting with "ROMEO:"
    name.txt        the author's name or team name (optional: the folder name otherwise)
    generation.json optional: the settings that wrote sentence.txt (temperature, top_k, seed,
                    length >= 1, prompt "ROMEO:"); the leaderboard writes the text again
                    with :func:`helpers.sampling.generate` and marks it "reproduced" if it
                    matches the sentence exactly

The score is **bits per character on a text nobody has seen** (lower wins): the instructor's
private text (the test split of tiny-shakespeare is public, so it only ranks when no private
text is configured). It is :func:`bits_per_char` from :mod:`helpers.scoring` (imported here
too), which also proves that the model does not look ahead and that its windows do not see each
other. Students score on the validation split.

:func:`score_submission` checks and scores one folder exactly as the leaderboard does, so a
student can see their result before handing in; :func:`hand_in` zips the folder and, on Colab,
downloads it. (Instructors rank the folders or zips with ``./course leaderboard``.)
"""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from helpers.runtime import is_colab
from helpers.scoring import (
    EVAL_BATCH_SIZE,
    EVAL_SEQ_LEN,
    LOOKS_AHEAD,
    Score,
    ScoreError,
    bits_per_char,
    looks_ahead,
    nats_to_bits,
)
from helpers.vocab import CharVocab

__all__ = [
    "EVAL_BATCH_SIZE",
    "EVAL_SEQ_LEN",
    "LOOKS_AHEAD",
    "Score",
    "ScoreError",
    "bits_per_char",
    "looks_ahead",
    "missing_files",
    "nats_to_bits",
    "Entry",
    "generation_settings",
    "hand_in",
    "reproduces",
    "score_submission",
    "write_submission",
]

PROMPT = "ROMEO:"
MODEL_FILE, VOCAB_FILE, SENTENCE_FILE, NAME_FILE, GENERATION_FILE = (
    "model.keras",
    "vocab.json",
    "sentence.txt",
    "name.txt",
    "generation.json",
)
REQUIRED_FILES = (MODEL_FILE, VOCAB_FILE, SENTENCE_FILE)
"""What every submission holds (``name.txt`` and ``generation.json`` are optional)."""
MAX_GENERATED = 2000
"""Longest ``length`` in generation.json the leaderboard regenerates."""
MAX_PARAMS = 25_000_000
"""Largest model the leaderboard scores (a 3-layer LSTM of 1024 units has about 21 million)."""
MAX_FILE_MB = 200


def missing_files(submission: str | os.PathLike[str] | Collection[str]) -> list[str]:
    """The :data:`REQUIRED_FILES` a submission lacks, in that order.

    Args:
        submission: its folder (a path), or the names of the files it holds (a set, a dict of
            a ``.zip``'s members).
    """
    if isinstance(submission, str | os.PathLike):
        return [name for name in REQUIRED_FILES if not (Path(submission) / name).is_file()]
    return [name for name in REQUIRED_FILES if name not in submission]


def generation_settings(settings: object) -> dict:
    """Check the settings of ``generation.json``; return them complete.

    Args:
        settings: a dict with ``seed`` (int >= 0) and ``length`` (1 to :data:`MAX_GENERATED`:
            the model writes at least one character), optionally ``temperature`` (> 0, default
            1.0), ``top_k`` (int >= 1 or None) and ``prompt`` (the competition's prompt
            ``"ROMEO:"``, its default): the arguments of :func:`helpers.sampling.generate`
            that wrote the sentence.

    Raises:
        ValueError: naming the setting that is missing, unknown or out of range.
    """
    if not isinstance(settings, dict):
        raise ValueError(f"settings must be a dict, got {type(settings).__name__}.")
    unknown = set(settings) - {"temperature", "top_k", "seed", "length", "prompt"}
    if unknown:
        raise ValueError(f"unknown setting(s) {sorted(map(str, unknown))[:5]}.")
    got = {"temperature": 1.0, "top_k": None, "prompt": PROMPT, **settings}
    limits = {"seed": (0, 2**63 - 1), "length": (1, MAX_GENERATED), "top_k": (1, 2**31)}
    for key, (low, high) in limits.items():
        value = got[key] if key in got else "missing"
        if not (key == "top_k" and value is None) and (
            type(value) is not int or not low <= value <= high
        ):
            raise ValueError(f"{key}={str(value)[:20]} must be an integer from {low} to {high}.")
    temperature, prompt = got["temperature"], got["prompt"]
    if type(temperature) not in (int, float) or not 0 < temperature < 1e6:
        raise ValueError(f"temperature={str(temperature)[:20]} must be a number > 0.")
    if prompt != PROMPT:
        raise ValueError(
            f"prompt={str(prompt)[:30]!r}: the sentence must be written from the competition's "
            f"prompt {PROMPT!r}."
        )
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

    ``bits`` is the score that ranks (on the instructor's private text when there is one);
    ``public_bits`` the score on the public test split next to it (None without a private
    text); ``seconds`` how long the leaderboard took to check and score it.

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
    public_bits: float | None = None
    seconds: float | None = None

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
    public_text: str | None = None,
) -> Entry:
    """Check and score one submission folder in this process; broken ones get a reason.

    ``text`` ranks; with ``public_text`` the model is scored on it too (``public_bits``).
    Students score on the validation split: the test split is the leaderboard's. With a
    ``generation.json``, the sentence is written again from its settings
    (``sentence_check``). The leaderboard does the same for every folder, in a sandbox, after
    checking the files and the model's config (the instructor's model check).
    """
    folder = Path(folder)
    name_file = folder / NAME_FILE
    name = name_file.read_text(encoding="utf-8").strip() if name_file.is_file() else ""
    entry = Entry(folder=folder.name, name=name[:60] or folder.name)
    try:
        if missing := missing_files(folder):
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
            if public_text is not None:
                entry.public_bits = bits_per_char(model, vocab, public_text).bits
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


def hand_in(folder: str | os.PathLike[str] = "submission", download: bool | None = None) -> Path:
    """Zip a submission folder into ``<folder>.zip`` next to it; on Colab, download the zip.

    Colab deletes ``/content`` (and so ``submission/``) when its runtime is reset or times out;
    the downloaded zip is what you hand in. The zip holds the competition's files (those of
    :func:`write_submission`) under ``submission/``, nothing else from the folder, in a fixed
    order and with fixed dates, so the same files give the same bytes.

    Args:
        folder: the folder :func:`write_submission` wrote.
        download: offer the zip for download in the browser; None means "on Colab only".

    Returns:
        The path of the zip.

    Raises:
        FileNotFoundError: ``folder`` is not a folder or lacks a file of the submission.
        ValueError: a file of the submission is a symbolic link (the leaderboard refuses links).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(
            f"folder={str(folder)!r} is not a folder; run write_submission first."
        )
    if missing := missing_files(folder):
        raise FileNotFoundError(
            f"folder={str(folder)!r} lacks {', '.join(missing)}; run write_submission first."
        )
    names = (MODEL_FILE, VOCAB_FILE, SENTENCE_FILE, NAME_FILE, GENERATION_FILE)
    files = [folder / name for name in names if (folder / name).exists()]
    links = [path for path in files if path.is_symlink()]
    if links:
        raise ValueError(
            f"{links[0]} is a symbolic link; the leaderboard refuses links, so copy the file in."
        )
    where = folder.resolve()
    target = where.parent / f"{where.name}.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            info = zipfile.ZipInfo(f"submission/{path.name}", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type, info.external_attr = zipfile.ZIP_DEFLATED, 0o644 << 16
            archive.writestr(info, path.read_bytes())
    if is_colab() if download is None else download:
        from google.colab import files  # type: ignore[import-not-found]

        files.download(str(target))
    return target
