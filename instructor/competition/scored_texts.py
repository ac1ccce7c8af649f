"""The texts the leaderboard scores on: the public test split and the instructor's private text.

The test split of tiny-shakespeare is public: every notebook can read ``splits.test``, so a
student can train on it. The ranking should therefore use a **private text** that only the
instructor holds (``./course leaderboard --private-text FILE``); the public test is scored too,
and a model much better on the public test than on the private text is flagged ("trained on
the public test?", :data:`GAP_FLAG_BITS`).

A private text is a UTF-8 file in the corpus' format (see docs/instructors.md): plays as
tiny-shakespeare writes them, a speaker's name and a colon on its own line, the speech on the
lines below, a blank line between speeches, and only the :data:`CHARACTERS` of the training
split (the characters every student's vocabulary holds). :func:`check_private_text` refuses
anything else with a message naming the characters.
"""

from __future__ import annotations

from pathlib import Path

from helpers.scoring import EVAL_SEQ_LEN

CHARACTERS = "\n !$&',-.3:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
"""The 65 characters of tiny-shakespeare's training split: a student's vocabulary."""
MIN_PRIVATE_CHARS = 20 * EVAL_SEQ_LEN
"""Shortest private text: 20 scoring windows (use tens of thousands of characters)."""
GAP_FLAG_BITS = 0.3
"""A model this many bits per character better on the public test than on the private text is
flagged. Honest models differ between two Shakespeare texts by less (different plays, a
different mix of verse and prose); a model that saw the public test gains far more."""


def check_private_text(text: str, label: str = "the private text") -> None:
    """Refuse a text the leaderboard cannot rank on, with a message saying what to change.

    Raises:
        ValueError: a character outside :data:`CHARACTERS`, or fewer than
            :data:`MIN_PRIVATE_CHARS` characters.
    """
    outside = sorted(set(text) - set(CHARACTERS))
    if outside:
        count = sum(text.count(c) for c in outside)
        shown = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in outside[:8])
        raise ValueError(
            f"{label} holds {count} character(s) outside the pack's vocabulary: {shown}. "
            "Replace them (curly quotes by ', dashes by -, accented letters by plain ones) or "
            "delete them; see 'A private test text' in docs/instructors.md."
        )
    if len(text) < MIN_PRIVATE_CHARS:
        raise ValueError(
            f"{label} has {len(text):,} characters; use at least {MIN_PRIVATE_CHARS:,} "
            "(tens of thousands give a steadier ranking)."
        )


def prepare_texts(
    text_file: Path | None, private_file: Path | None, folder: Path
) -> tuple[Path, Path | None]:
    """Copies, readable by the sandbox's user, of the texts to score on.

    Returns:
        ``(ranked, public)``: the text that ranks (the private one when given, else the public
        test) and the public test to score next to it (None without a private text).

    Raises:
        FileNotFoundError, ValueError: a missing, unreadable or refused text.
    """
    from helpers.data import load_splits, read_text_file

    public = load_splits("tinyshakespeare").test if text_file is None else read_text_file(text_file)
    public_path = _copy(public, folder / "public_test.txt")
    if private_file is None:
        return public_path, None
    private = read_text_file(private_file)
    check_private_text(private, f"--private-text {str(private_file)!r}")
    return _copy(private, folder / "private_test.txt"), public_path


def _copy(text: str, path: Path) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(0o644)
    return path
