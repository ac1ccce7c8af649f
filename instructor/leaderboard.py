"""The competition leaderboard: score every submission folder, rank them, write the board.

Each submission is scored by :func:`helpers.competition.score_submission` in its own process,
with a time limit. Broken submissions are listed with their reason and do not stop the others.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from helpers.competition import MAX_PARAMS, Entry

DEFAULT_TIMEOUT = 600
"""Seconds one submission may take to load and score."""


WORKER = Path(__file__).resolve().parent / "sandboxed" / "score_submission.py"


def _scored_in_subprocess(
    folder: Path, text_file: Path, timeout: float, max_params: int
) -> Entry:
    command = [sys.executable, str(WORKER), str(folder), str(text_file), str(max_params)]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}
    fallback = Entry(folder=folder.name, name=folder.name)
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            cwd=Path(__file__).resolve().parents[1],  # helpers importable
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
    with tempfile.TemporaryDirectory(prefix="leaderboard-") as scratch:
        text_path = _test_text_file(None if text_file is None else Path(text_file), Path(scratch))
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


def _test_text_file(text_file: Path | None, folder: Path) -> Path:
    """The file to score on: ``text_file``, or the tiny-shakespeare test split written out."""
    if text_file is not None:
        return text_file.resolve()
    from helpers.data import load_splits

    path = folder / "test_split.txt"
    path.write_text(load_splits("tinyshakespeare").test, encoding="utf-8")
    return path


def run_leaderboard(args) -> int:
    """``./course leaderboard``: rank a folder of submissions, write the board next to --out."""
    max_params = args.max_params or MAX_PARAMS
    entries = leaderboard(args.submissions_dir, args.text, args.timeout, max_params, args.jobs)
    table = render_markdown(entries)
    print(table)
    out: Path = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".md").write_text(table, encoding="utf-8")
    write_csv(entries, out.with_suffix(".csv"))
    print(f"Wrote {out.with_suffix('.md')} and {out.with_suffix('.csv')}")
    return 0
