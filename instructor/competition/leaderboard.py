"""The competition leaderboard: check, score and rank every submission, in the sandbox.

The command line writes the board from the entries (:mod:`instructor.reports.board`).

Every submission (a folder, or the ``.zip`` notebooks 05b and 06 download) is hostile input. For
each, in this process:

1. its files are read by :mod:`instructor.competition.submission_files`: links, special files,
unsafe zip
   members and oversized files refuse it; only the competition's files are read, each
   size-checked before it is read;
2. they are written into a fresh scratch folder;
3. the copy of ``model.keras`` is checked by
:func:`instructor.competition.model_check.check_model_file`
   (archive, allowlisted config, declared parameters) before anything loads it.

Then ``sandboxed/score_submission.py`` loads and scores the copy in the sandbox
(:mod:`instructor.sandbox`: no network, nothing of this machine but the Python environment, the
student library, the scored text and the copy; a memory cap and a time limit). It runs the
causal probe (a model that looks ahead is refused), computes bits per character with
:func:`helpers.competition.bits_per_char` and, when the folder has a ``generation.json``, writes
the sentence again. Only numbers and short texts come back, and they are checked. Without a
usable sandbox the leaderboard refuses to run unless ``use_sandbox=False`` (``--unsandboxed``),
and every report then says so.

The board: ``--out leaderboard.html`` (ranking and the anonymous best-sentence ballot), with
``.md``, ``.csv``, ``.json`` (the state ``tally`` reads) and ``.key`` (the ballot secret; keep
it, and ballot ids stay the same when you score again) next to it. All text goes through
:func:`instructor.reports.gradebook.plain`.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from helpers.competition import (
    GENERATION_FILE,
    MAX_PARAMS,
    MODEL_FILE,
    NAME_FILE,
    PROMPT,
    SENTENCE_FILE,
    Entry,
    missing_files,
)
from instructor import sandbox
from instructor.competition.model_check import ModelRefused, check_model_file
from instructor.competition.scored_texts import prepare_texts
from instructor.competition.submission_files import FILE_LIMITS, Refused, read_submission
from instructor.progress import QUIET, Progress
from instructor.project import HELPERS, SANDBOXED
from instructor.sandbox.jail import DEFAULT_MEMORY_MB

DEFAULT_TIMEOUT = 600
"""Seconds one submission may take to load and score."""
WORKER = SANDBOXED / "score_submission.py"
_CHECKS = ("reproduced", "not reproduced", "no generation.json", "not checked")


def _copy_files(present: dict[str, bytes], copy: Path, entry: Entry) -> None:
    """Write the submission's files into ``copy``; fill in the name and sentence of ``entry``."""
    copy.mkdir(mode=0o755)
    for name, data in present.items():
        (copy / name).write_bytes(data)
    name = present.get(NAME_FILE, b"").decode("utf-8", errors="replace").strip()
    entry.name = name[:200] or entry.name
    entry.sentence = present.get(SENTENCE_FILE, b"").decode("utf-8", "replace").strip()[:1000]
    if missing := missing_files(present):
        raise Refused(f"missing file(s): {', '.join(missing)}")
    if not entry.sentence.startswith(PROMPT):
        raise Refused(f"sentence.txt must start with {PROMPT!r}")
    entry.sentence_check = "not checked" if GENERATION_FILE in present else "no generation.json"


def _number(value: object, integer: bool = False) -> float | int | None:
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or not math.isfinite(value):
        return None
    return value if value >= 0 else None


def _merge(entry: Entry, outcome: sandbox.Outcome, timeout: float) -> None:
    """Fill ``entry`` from the worker's JSON line; only checked numbers and short texts."""
    lines = outcome.stdout.decode("utf-8", errors="replace").splitlines()
    found = [line for line in lines if line.startswith("{")]
    if outcome.timed_out:
        entry.reason = f"time limit: scoring took longer than {timeout:g} s"
        return
    try:  # the worker prints its line last and exits 0; any other line is not its verdict
        data = json.loads(found[-1]) if outcome.returncode == 0 else None
    except (IndexError, ValueError):
        data = None
    if not isinstance(data, dict):
        tail = (outcome.stderr.decode(errors="replace").strip().splitlines() or ["no output"])[-1]
        entry.reason = f"scoring crashed (exit {outcome.returncode}): {tail[:200]}"
        return
    entry.bits, entry.nats = _number(data.get("bits")), _number(data.get("nats"))
    entry.public_bits = _number(data.get("public_bits"))
    entry.params = _number(data.get("params"), integer=True)
    entry.reason = str(data.get("reason") or "")[:300]
    check = str(data.get("sentence_check") or "")[:300]
    entry.sentence_check = check if check.startswith(_CHECKS) else "not checked"
    if not entry.reason and (entry.bits is None or entry.nats is None):
        entry.reason = "scoring failed: the scoring process reported no score"


def score_folder(
    folder: Path,
    text_file: Path,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_params: int = MAX_PARAMS,
    memory_mb: int = DEFAULT_MEMORY_MB,
    use_sandbox: bool = True,
    public_file: Path | None = None,
) -> Entry:
    """Check, copy and score one submission folder (see the module docstring); never raises
    for a bad submission: its entry has the reason. ``text_file`` ranks; ``public_file``, when
    given, is scored next to it (``public_bits``)."""
    shown = folder.stem if folder.suffix.lower() == ".zip" else folder.name
    entry = Entry(folder=folder.name, name=shown)
    started = time.monotonic()
    root = Path(tempfile.mkdtemp(prefix="score-"))
    try:
        work = root / "work"
        work.mkdir()
        copy = work / "submission"
        _copy_files(read_submission(folder), copy, entry)
        try:
            check_model_file(copy / MODEL_FILE, max_params, FILE_LIMITS[MODEL_FILE])
        except ModelRefused as error:
            raise Refused(
                str(error)
                if str(error).startswith("model too large")
                else f"refused before loading: {error}"
            ) from None
        env = sandbox.python_env(work, PYTHONPATH=str(HELPERS.parent), CUDA_VISIBLE_DEVICES="")
        jail = sandbox.Jail(
            scratch=work,
            read_only=(HELPERS, WORKER, text_file, *([public_file] if public_file else [])),
            memory_mb=memory_mb,
            timeout=timeout,
            max_output=200_000,
        )
        argv = [sys.executable, str(WORKER), str(copy), str(text_file), str(max_params)]
        argv += [str(public_file)] if public_file else []
        _merge(entry, sandbox.run(argv, jail, env=env, sandbox=use_sandbox), timeout)
    except Refused as error:
        entry.reason = str(error)
    except OSError as error:
        entry.reason = f"refused: the folder cannot be read ({error.strerror or error})"
    except Exception as error:  # noqa: BLE001 - one submission never stops the others
        entry.reason = f"not scored: the checks failed ({type(error).__name__}: {error})"[:300]
    finally:
        shutil.rmtree(root, ignore_errors=True)
    entry.seconds = round(time.monotonic() - started, 1)
    return entry


def leaderboard(
    submissions_dir: str | os.PathLike[str],
    *,
    text_file: str | os.PathLike[str] | None = None,
    private_file: str | os.PathLike[str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_params: int = MAX_PARAMS,
    jobs: int = 1,
    use_sandbox: bool = True,
    memory_mb: int = DEFAULT_MEMORY_MB,
    progress: int = QUIET,
) -> list[Entry]:
    """Score every submission (folder or zip) in ``submissions_dir``; return entries, best first.

    Scored entries are sorted by bits per character (lower is better); broken ones follow, in
    folder order, with their reasons.

    Args:
        submissions_dir: a folder holding one folder or ``.zip`` per submission (hidden ones
            are skipped).
        text_file: the public test text: this UTF-8 file instead of the tiny-shakespeare test
            split.
        timeout: seconds one submission may take (loading, probing, scoring, regenerating).
        max_params: larger models are refused (from the config, before loading).
        jobs: submissions scored at the same time (each in its own sandboxed process).
        use_sandbox: False scores without bubblewrap (``--unsandboxed``; reports say so).
        memory_mb: memory cap of each scoring process, in MiB.
        private_file: the instructor's private text (:mod:`instructor.competition.scored_texts`): it
            ranks, and the public test is scored next to it (``public_bits``).
        progress: an :mod:`instructor.progress` level: ``[k/N] entry: score or reason
            (seconds), about M min left`` on standard error as each finishes.

    Raises:
        FileNotFoundError: ``submissions_dir``, ``text_file`` or ``private_file`` is missing.
        ValueError: a private text with characters outside the pack's vocabulary, or too short.
        RuntimeError: ``use_sandbox`` and no usable sandbox here (the message says why).
    """
    root = Path(submissions_dir)
    if not root.is_dir():
        raise FileNotFoundError(f"submissions_dir={str(root)!r} is not a folder.")
    for given in (text_file, private_file):
        if given is not None and not Path(given).is_file():
            raise FileNotFoundError(f"{str(given)!r} is not a file.")
    if use_sandbox and (problem := sandbox.sandbox_problem()):
        raise RuntimeError(
            f"no sandbox for untrusted models: {problem}. Install bubblewrap, or "
            "pass --unsandboxed to score with your own rights (reports say so)."
        )
    folders = sorted(
        p
        for p in root.iterdir()
        if not p.name.startswith(".") and (p.is_dir() or p.suffix.lower() == ".zip")
    )
    with tempfile.TemporaryDirectory(prefix="leaderboard-") as scratch:
        ranked, public = prepare_texts(
            None if text_file is None else Path(text_file),
            None if private_file is None else Path(private_file),
            Path(scratch),
        )
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            futures = [
                pool.submit(
                    score_folder,
                    f,
                    ranked,
                    timeout=timeout,
                    max_params=max_params,
                    memory_mb=memory_mb,
                    use_sandbox=use_sandbox,
                    public_file=public,
                )
                for f in folders
            ]
            reporter = Progress(len(futures), level=progress)
            for done in as_completed(futures):
                reporter.done(*_progress_item(done.result()))
            entries = [future.result() for future in futures]
    scored = sorted((e for e in entries if e.ok), key=lambda e: e.bits)
    return scored + [e for e in entries if not e.ok]


def _progress_item(entry: Entry) -> tuple[str, str, float]:
    from instructor.reports.plain import plain

    result = f"{entry.bits:.3f} bits/char" if entry.ok else plain(entry.reason, limit=120)
    return plain(entry.folder, limit=60), result, entry.seconds or 0.0
