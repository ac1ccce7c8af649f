"""The one command line of the instructor tools; ``./course`` passes its commands here.

Option names mean the same everywhere: ``--out FILE`` is the main file a command writes (its
companion files go next to it, same name, other suffix), ``--out-dir DIR`` a folder it fills,
``--solutions DIR`` the solution notebooks, ``--timeout S`` seconds for one whole item (a
notebook, a submission), ``--cell-timeout S`` seconds for one cell, ``--jobs N`` items at once,
``--full`` full mode instead of smoke mode, ``-q``/``-v`` fewer or more progress lines,
``--unsandboxed`` runs untrusted code without the sandbox (every report says so). Numbers must
be positive. Every default is the library's own (see :mod:`instructor.cli.options`).
"""

from __future__ import annotations

import argparse
import sys

from instructor.cli import competition_commands, grading_commands, notebook_commands
from instructor.notebooks.format import NotebookFormatError

COMMANDS = ("students", "notebooks", "release", "grade", "gradebook", "leaderboard", "tally")
"""Every command, in the order ``./course help`` lists them."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="./course", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for module in (notebook_commands, grading_commands, competition_commands):
        module.add_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    try:
        return args.handler(args)
    except (OSError, ValueError, NotebookFormatError, RuntimeError) as error:  # bad input
        print(f"{args.command}: nothing done. {error}", file=sys.stderr)
        return 2
