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

Instructors rank a folder of submissions with::

    python -m helpers.competition leaderboard SUBMISSIONS_DIR --out leaderboard

Each submission is scored in its own process with a time limit. Models are
loaded with Keras' safe mode, so a submission cannot run code of its own (a
``Lambda`` layer is refused). A broken submission is listed with its reason and
does not stop the others.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
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
DEFAULT_TIMEOUT = 600


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


def bits_per_char(model, vocab: CharVocab, text: str, seq_len: int = EVAL_SEQ_LEN) -> Score:
    """Score ``model`` on ``text``: mean next-character cross-entropy, the competition's metric.

    Args:
        model: a character model mapping ids ``(batch, time)`` (or one-hot
            ``(batch, time, vocab.size)``) to logits or softmax probabilities of shape
            ``(batch, time, vocab.size)``.
        vocab: the model's vocabulary; it must contain every character of ``text``.
        text: the text to score, longer than ``seq_len``.
        seq_len: window length (the competition uses :data:`EVAL_SEQ_LEN`).

    Returns:
        :class:`Score` with ``nats``, ``bits`` and ``perplexity`` per character, and the
        number of characters scored (``seq_len`` per window).

    Raises:
        ScoreError (a ValueError): a vocabulary that does not fit the model or lacks
            characters of ``text``; a model that does not predict at every position; a
            non-finite loss. Its ``kind`` names the problem for the leaderboard.
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


def _scored_in_subprocess(
    folder: Path, text_file: Path | None, timeout: float, max_params: int
) -> Entry:
    command = [
        sys.executable,
        "-m",
        "helpers.competition",
        "score",
        str(folder),
        "--max-params",
        str(max_params),
    ]
    if text_file is not None:
        command += ["--text", str(text_file)]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}
    fallback = Entry(folder=folder.name, name=folder.name)
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            cwd=Path(__file__).resolve().parents[1],
        )
    except subprocess.TimeoutExpired:
        fallback.reason = f"time limit: scoring took longer than {timeout:g} s"
        return fallback
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1][:200]
        fallback.reason = f"scoring crashed (exit {done.returncode}): {tail}"
        return fallback
    return Entry(**json.loads(lines[-1]))


def leaderboard(
    submissions_dir: str | os.PathLike[str],
    text_file: str | os.PathLike[str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_params: int = MAX_PARAMS,
    jobs: int = 1,
) -> list[Entry]:
    """Score every submission folder below ``submissions_dir``; return entries, best first.

    Scored entries are sorted by bits per character (lower is better); broken ones
    follow, in folder order, with their reasons.

    Args:
        submissions_dir: a folder holding one folder per submission.
        text_file: score on this UTF-8 file instead of the tiny-shakespeare test split.
        timeout: seconds one submission may take (loading and scoring).
        max_params: larger models are refused.
        jobs: submissions scored at the same time (each in its own process).
    """
    root = Path(submissions_dir)
    if not root.is_dir():
        raise FileNotFoundError(f"submissions_dir={str(root)!r} is not a folder.")
    folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    text_path = Path(text_file).resolve() if text_file is not None else None
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        entries = list(
            pool.map(
                lambda f: _scored_in_subprocess(f.resolve(), text_path, timeout, max_params),
                folders,
            )
        )
    scored = sorted((e for e in entries if e.ok), key=lambda e: e.bits)
    return scored + [e for e in entries if not e.ok]


def render_markdown(entries: list[Entry]) -> str:
    """Return the leaderboard as a Markdown table."""
    lines = [
        "| rank | name | bits/char | parameters | sentence / reason |",
        "| ---: | --- | ---: | ---: | --- |",
    ]
    rank = 0
    for entry in entries:
        if entry.ok:
            rank += 1
            sentence = entry.sentence[:160].replace("\n", " / ").replace("|", "\\|")
            lines.append(
                f"| {rank} | {entry.name} | {entry.bits:.3f} | {entry.params:,} | {sentence} |"
            )
        else:
            lines.append(f"| – | {entry.name} | – | – | broken: {entry.reason} |")
    return "\n".join(lines) + "\n"


def write_csv(entries: list[Entry], path: str | os.PathLike[str]) -> None:
    """Write the leaderboard as CSV (rank empty for broken submissions)."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "rank",
                "name",
                "folder",
                "bits_per_char",
                "nats_per_char",
                "params",
                "sentence",
                "reason",
            ]
        )
        rank = 0
        for entry in entries:
            rank += entry.ok
            writer.writerow(
                [
                    rank if entry.ok else "",
                    entry.name,
                    entry.folder,
                    f"{entry.bits:.4f}" if entry.ok else "",
                    f"{entry.nats:.4f}" if entry.ok else "",
                    entry.params or "",
                    entry.sentence,
                    entry.reason,
                ]
            )


def _test_text(text_file: str | None) -> str:
    if text_file is not None:
        from helpers.data import read_text_file

        return read_text_file(text_file)
    from helpers.data import load_splits

    return load_splits("tinyshakespeare").test


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.competition", description="Score competition submissions."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    board = sub.add_parser("leaderboard", help="rank every submission folder in a directory")
    board.add_argument("submissions_dir", type=Path)
    board.add_argument(
        "--out",
        type=Path,
        default=Path("leaderboard"),
        help="writes OUT.md and OUT.csv (default: leaderboard)",
    )
    board.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per submission"
    )
    board.add_argument("--text", help="score on this text file instead of the test split")
    board.add_argument("--max-params", type=int, default=MAX_PARAMS)
    board.add_argument("--jobs", type=int, default=1, help="submissions scored in parallel")
    one = sub.add_parser(
        "score", help="score one submission folder, print JSON (used by leaderboard)"
    )
    one.add_argument("folder", type=Path)
    one.add_argument("--text")
    one.add_argument("--max-params", type=int, default=MAX_PARAMS)
    args = parser.parse_args(argv)

    if args.command == "score":
        entry = score_submission(args.folder, _test_text(args.text), max_params=args.max_params)
        print(json.dumps(asdict(entry)))
        return 0
    entries = leaderboard(
        args.submissions_dir, args.text, args.timeout, args.max_params, jobs=args.jobs
    )
    table = render_markdown(entries)
    print(table)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    Path(f"{args.out}.md").write_text(table, encoding="utf-8")
    write_csv(entries, f"{args.out}.csv")
    print(f"Wrote {args.out}.md and {args.out}.csv")
    return 0


if __name__ == "__main__":
    sys.exit(main())
