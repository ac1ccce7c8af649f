"""The options several commands share, each with one meaning, and their checks.

Defaults are never written here: each is read from the library function or dataclass that uses
it (:func:`default_of`), so the command line and the library cannot disagree.
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
from pathlib import Path

from instructor.progress import NORMAL, verbosity
from instructor.project import SOLUTIONS_DIR


def default_of(owner: object, name: str) -> object:
    """The default of parameter ``name`` of a function, or of field ``name`` of a dataclass."""
    if dataclasses.is_dataclass(owner):
        return {field.name: field.default for field in dataclasses.fields(owner)}[name]
    return inspect.signature(owner).parameters[name].default


def positive_int(text: str) -> int:
    """An argparse type: a whole number > 0 (``--jobs``, ``--memory-mb``, ...)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be > 0")
    return value


def positive_seconds(text: str) -> float:
    """An argparse type: a number of seconds > 0 (``--timeout``, ``--cell-timeout``)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} must be a number of seconds > 0")
    return value


def add_solutions(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--solutions",
        type=Path,
        default=SOLUTIONS_DIR,
        help=f"folder of solution notebooks (default: {SOLUTIONS_DIR})",
    )


def add_jobs(parser: argparse.ArgumentParser, default: int) -> None:
    parser.add_argument(
        "--jobs", type=positive_int, default=default, help=f"items at once (default {default})"
    )


def add_unsandboxed(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--unsandboxed",
        action="store_true",
        help="run untrusted code without bubblewrap, with your rights (every report says so)",
    )


def add_timeout(parser: argparse.ArgumentParser, default: float, item: str) -> None:
    """``--timeout``: seconds for one whole item (a notebook, a submission), everything in it."""
    parser.add_argument(
        "--timeout",
        type=positive_seconds,
        default=default,
        help=f"seconds for one whole {item} (default {default:g})",
    )


def add_cell_timeout(parser: argparse.ArgumentParser, default: float) -> None:
    """``--cell-timeout``: seconds for one cell."""
    parser.add_argument(
        "--cell-timeout",
        type=positive_seconds,
        default=default,
        help=f"seconds for one cell (default {default:g})",
    )


def add_memory(parser: argparse.ArgumentParser, default: int, of_what: str) -> None:
    parser.add_argument(
        "--memory-mb",
        type=positive_int,
        default=default,
        help=f"memory of {of_what}, in MiB (default {default})",
    )


def add_full(parser: argparse.ArgumentParser) -> None:
    """``--full``: the one switch from smoke mode (the default, what CI runs) to full mode."""
    parser.add_argument(
        "--full", action="store_true", help="full mode (the default is smoke mode, as in CI)"
    )


def add_loudness(parser: argparse.ArgumentParser) -> None:
    """-q and -v: a progress line per item (the default), none, or also one per detail."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    group.add_argument("-v", "--verbose", action="store_true", help="progress inside each item too")


def progress_level(args: argparse.Namespace) -> int:
    """The :mod:`instructor.progress` level that ``-q``/``-v`` chose (NORMAL without them)."""
    if not hasattr(args, "quiet"):
        return NORMAL
    return verbosity(args.quiet, args.verbose)
