"""The options several commands share, each with one meaning, and their checks.

Defaults are never written here: each is read from the library function or dataclass that uses
it (:func:`default_of`), so the command line and the library cannot disagree.
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import math
from collections.abc import Callable
from pathlib import Path

from instructor.progress import NORMAL, verbosity
from instructor.project import SOLUTIONS_DIR


def default_of(owner: object, name: str) -> object:
    """The default of parameter ``name`` of a function, or of field ``name`` of a dataclass."""
    if dataclasses.is_dataclass(owner):
        return {field.name: field.default for field in dataclasses.fields(owner)}[name]
    return inspect.signature(owner).parameters[name].default


def _positive(convert: Callable[[str], float], what: str) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if not 0 < value < math.inf:  # nan fails too
            raise argparse.ArgumentTypeError(f"{text!r} must be {what} > 0")
        return value

    parse.__name__ = what  # argparse names the type in some messages
    return parse


positive_int = _positive(int, "a whole number")
"""An argparse type: a whole number > 0 (``--jobs``, ``--memory-mb``, ...)."""
positive_seconds = _positive(float, "a number of seconds")
"""An argparse type: a number of seconds > 0 (``--timeout``, ``--cell-timeout``)."""


def add_option(parser, flag: str, kind: Callable, default: object, help: str) -> None:
    """``flag`` with its type and default, the default shown at the end of ``help``."""
    shown = f"{default:g}" if isinstance(default, float) else str(default)
    parser.add_argument(flag, type=kind, default=default, help=f"{help} (default {shown})")


def add_solutions(parser: argparse.ArgumentParser) -> None:
    add_option(parser, "--solutions", Path, SOLUTIONS_DIR, "folder of solution notebooks")


def file_named(suffix: str) -> Callable[[str], Path]:
    """An argparse type: a path ending in ``suffix`` that is not a folder (``--out``, whose
    companion files are named from it: another suffix would make one overwrite another)."""

    def parse(text: str) -> Path:
        path = Path(text)
        if path.suffix.lower() != suffix or path.is_dir():
            raise argparse.ArgumentTypeError(f"{text!r} must name a {suffix} file")
        return path

    parse.__name__ = f"{suffix} file"
    return parse


def add_out(parser: argparse.ArgumentParser, default: Path, help: str) -> None:
    """``--out FILE``: the main file a command writes (with ``default``'s suffix); its companions
    go next to it."""
    add_option(parser, "--out", file_named(default.suffix), default, help)


def refuse_overwriting(outputs: list[Path], inputs: list[Path | None]) -> None:
    """Stop, in one line, when a file a command writes is one it reads (``--out priv.html`` would
    write the board's Markdown over ``--private-text priv.md``)."""
    written = {path.resolve(): path for path in outputs}
    for given in inputs:
        if given is not None and Path(given).resolve() in written:
            raise SystemExit(
                f"{given} would be overwritten by {written[Path(given).resolve()]}: choose "
                "another --out."
            )


def add_out_dir(parser: argparse.ArgumentParser, default: Path, help: str) -> None:
    """``--out-dir DIR``: a folder a command fills."""
    add_option(parser, "--out-dir", Path, default, f"folder {help}")


def add_jobs(parser: argparse.ArgumentParser, default: int) -> None:
    add_option(parser, "--jobs", positive_int, default, "items at once")


def add_unsandboxed(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--unsandboxed",
        action="store_true",
        help="run untrusted code without bubblewrap, with your rights (every report says so)",
    )


def add_timeout(parser: argparse.ArgumentParser, default: float, item: str) -> None:
    """``--timeout``: seconds for one whole item (a notebook, a submission), everything in it."""
    add_option(parser, "--timeout", positive_seconds, default, f"seconds for one whole {item}")


def add_cell_timeout(parser: argparse.ArgumentParser, default: float) -> None:
    """``--cell-timeout``: seconds for one cell."""
    add_option(parser, "--cell-timeout", positive_seconds, default, "seconds for one cell")


def add_memory(parser: argparse.ArgumentParser, default: int, of_what: str) -> None:
    add_option(parser, "--memory-mb", positive_int, default, f"memory of {of_what}, in MiB")


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
