"""The one command line of the instructor tools; ``./course`` passes its commands here.

Option names mean the same everywhere: ``--out FILE`` is the main file a command writes (its
companion files go next to it, same name, other suffix), ``--out-dir DIR`` a folder it fills,
``--solutions DIR`` the solution notebooks, ``--timeout S`` seconds for one whole item (a
notebook, a submission), ``--cell-timeout S`` seconds for one cell, ``--jobs N`` items at once,
``--unsandboxed`` runs untrusted code without the sandbox (every report says so).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from instructor.notebook_format import NotebookFormatError
from instructor.progress import verbosity


def _common(parser: argparse.ArgumentParser, *names: str) -> None:
    """Add the shared options, each with its one meaning."""
    helps = {
        "solutions": (
            "--solutions",
            dict(
                type=Path,
                default=Path("solutions"),
                help="folder of solution notebooks (default: solutions)",
            ),
        ),
        "jobs": ("--jobs", dict(type=int, default=1, help="items processed at once (default 1)")),
        "unsandboxed": (
            "--unsandboxed",
            dict(
                action="store_true", help="run untrusted code without bubblewrap (reports say so)"
            ),
        ),
    }
    for name in names:
        flag, kwargs = helps[name]
        parser.add_argument(flag, **kwargs)


def _seconds(parser: argparse.ArgumentParser, default: float, what: str, cell: bool = False):
    flag = "--cell-timeout" if cell else "--timeout"
    parser.add_argument(flag, type=float, default=default, help=f"seconds {what} ({default:g})")


def _loudness(parser: argparse.ArgumentParser) -> None:
    """-q and -v: a progress line per item (the default), none, or also one per detail."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    group.add_argument("-v", "--verbose", action="store_true", help="progress inside each item too")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="./course", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)

    students = sub.add_parser(
        "students",
        help="generate notebooks/ from solutions/ (and set every setup cell's install line "
        "from pyproject.toml)",
    )
    _common(students, "solutions")
    students.add_argument(
        "--out-dir",
        type=Path,
        default=Path("notebooks"),
        help="folder of student notebooks (default: notebooks)",
    )
    students.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")

    notebooks = sub.add_parser("notebooks", help="execute or clean solution notebooks")
    actions = notebooks.add_subparsers(dest="action", required=True)
    execute = actions.add_parser("execute", help="run in smoke mode, keep the checked outputs")
    execute.add_argument("paths", nargs="+", type=Path)
    execute.add_argument("--full", action="store_true", help="full mode instead of smoke mode")
    clean = actions.add_parser("clean", help="clear outputs but the checked ones, editor state")
    clean.add_argument("paths", nargs="+", type=Path)
    clean.add_argument("--check", action="store_true", help="write nothing; exit 1 if unclean")
    run_all = actions.add_parser("run-all", help="execute every solution into --out-dir")
    run_all.add_argument("--out-dir", type=Path, default=Path("build/executed"))
    _common(run_all, "solutions")
    _seconds(run_all, 3600, "per cell", cell=True)
    _loudness(run_all)

    release = sub.add_parser("release", help="write the student release tree")
    release.add_argument("out_dir", type=Path, help="folder to write (must be empty or absent)")
    release.add_argument("--tag", help="version tag the notebooks install (default: pyproject's)")
    _common(release, "solutions")

    grade = sub.add_parser("grade", help="grade submitted notebooks")
    grade.add_argument("submissions", nargs="+", type=Path, help="notebooks or folders")
    grade.add_argument(
        "--out",
        type=Path,
        default=Path("gradebook.csv"),
        help="CSV gradebook; .md summary, -lms.csv and -feedback/ next to it",
    )
    _common(grade, "solutions", "jobs", "unsandboxed")
    _seconds(grade, 300, "per notebook")
    _seconds(grade, 120, "per cell", cell=True)
    grade.add_argument("--max-output", type=int, default=1_000_000, help="characters per cell")
    grade.add_argument(
        "--memory-mb", type=int, default=4096, help="memory of a student's processes together (MiB)"
    )
    grade.add_argument(
        "--max-procs", type=int, default=256, help="processes and threads of a student's run"
    )
    grade.add_argument(
        "--no-policy",
        action="store_true",
        help="leave the exercise policy's advice out of the feedback (it never costs points)",
    )
    _loudness(grade)
    grade.add_argument(
        "--shard",
        metavar="I/N",
        help="grade only shard I of N (students split by a hash of their name); join the "
        "shards' gradebooks with ./course gradebook merge",
    )

    book = sub.add_parser("gradebook", help="work on gradebooks: merge the shards of a class")
    book_actions = book.add_subparsers(dest="action", required=True)
    merge = book_actions.add_parser("merge", help="join shard gradebooks into one")
    merge.add_argument("shards", nargs="+", type=Path, help="each shard's gradebook.csv")
    merge.add_argument(
        "--out", type=Path, default=Path("gradebook.csv"),
        help="CSV gradebook of the class; .md, .png, -lms.csv and -feedback/ next to it",
    )  # fmt: skip

    board = sub.add_parser("leaderboard", help="rank competition submissions")
    board.add_argument("submissions_dir", type=Path)
    _loudness(board)
    board.add_argument(
        "--out",
        type=Path,
        default=Path("leaderboard.html"),
        help="HTML page; .md, .csv, .json (for tally) and .key (ballot secret: "
        "keep it) next to it (default leaderboard.html)",
    )
    board.add_argument(
        "--text", type=Path, help="public test text: this file instead of the test split"
    )
    board.add_argument(
        "--private-text",
        type=Path,
        help="rank on this instructor-held UTF-8 text (the corpus' characters only; see "
        "docs/instructors.md); the public test is scored next to it",
    )
    board.add_argument("--max-params", type=int, default=None, help="largest model scored")
    _common(board, "jobs", "unsandboxed")
    _seconds(board, 600, "per submission")
    board.add_argument("--memory-mb", type=int, default=4096, help="memory cap per scoring (MiB)")

    tally = sub.add_parser("tally", help="count best-sentence votes into the leaderboard page")
    tally.add_argument(
        "votes", type=Path, help="CSV with columns voter, ballot_id (a voter's last row counts)"
    )
    tally.add_argument(
        "--out",
        type=Path,
        default=Path("leaderboard.html"),
        help="the leaderboard page written by `leaderboard` (updated in place)",
    )
    tally.add_argument(
        "--roster",
        type=Path,
        help="CSV with columns id, name: only these students vote (id = their voter name and "
        "submission folder); without it every voter name counts",
    )
    return parser


def _students(args) -> int:
    from instructor import install_line, student_copies

    if args.check:
        stale = [
            f"{path}: its install line is not pyproject.toml's"
            for path in install_line.stale_install_lines(args.solutions)
        ] + student_copies.stale_notebooks(args.solutions, args.out_dir)
        for line in stale:
            print(line)
        if stale:
            print("Student notebooks are out of date: run ./course students")
            return 1
        print(f"{args.out_dir}: up to date with {args.solutions}")
        return 0
    changes = install_line.write_install_lines(args.solutions)
    changes += student_copies.generate(args.solutions, args.out_dir)
    print("\n".join(changes + [f"{args.out_dir}: up to date ({len(changes)} changes)"]))
    return 0


def _notebooks(args) -> int:
    from instructor import run_notebooks
    from instructor.notebook_io import clean_notebook, dumps, read, write

    if args.action == "run-all":
        from helpers.runtime import smoke_mode

        sources = sorted(args.solutions.glob("*.ipynb"))
        rows = run_notebooks.run_all(
            sources,
            args.out_dir,
            cell_timeout=int(args.cell_timeout),
            smoke=smoke_mode(),
            progress=args.progress,
        )
        failed = [name for name, _, status in rows if status != "ok"]
        print(f"{len(rows) - len(failed)} passed, {len(failed)} failed")
        return 1 if failed else 0
    unclean = []
    for path in args.paths:
        if args.action == "execute":
            run_notebooks.execute(path, smoke=not args.full)
        elif args.check:
            text = path.read_text(encoding="utf-8")
            if dumps(clean_notebook(read(path))) != text:
                unclean.append(path)
                print(f"{path}: not clean; run ./course notebooks clean {path}")
            continue
        else:
            write(clean_notebook(read(path)), path)
        print(f"{args.action}: {path}")
    return 1 if unclean else 0


def _grade(args) -> int:
    from instructor.grade_run import grade_all
    from instructor.gradebook_files import write_gradebook
    from instructor.grading import Limits
    from instructor.shards import parse_shard

    if min(args.timeout, args.cell_timeout, args.max_output, args.memory_mb, args.max_procs) <= 0:
        raise SystemExit(
            "--timeout, --cell-timeout, --max-output, --memory-mb and --max-procs must be > 0."
        )
    limits = Limits(
        args.timeout,
        min(args.cell_timeout, args.timeout),
        args.max_output,
        args.memory_mb,
        args.max_procs,
        policy=not args.no_policy,
    )
    try:
        shard = parse_shard(args.shard) if args.shard else (1, 1)
    except ValueError as error:
        raise SystemExit(str(error)) from None
    rows = grade_all(
        args.submissions,
        args.solutions,
        limits,
        args.jobs,
        use_sandbox=not args.unsandboxed,
        progress=args.progress,
        shard=shard,
    )
    sandboxed = "without the sandbox" if args.unsandboxed else "in the sandbox"
    graded = (
        f"graded {sandboxed} in smoke mode: {limits.timeout:g} s per notebook, "
        f"{limits.cell_timeout:g} s per cell."
    )
    print(write_gradebook(rows, args.out, graded=graded, shard=shard))
    return 0


def _gradebook(args) -> int:
    from instructor.gradebook_files import write_gradebook
    from instructor.shards import read_shards

    try:
        rows, graded = read_shards(args.shards)
    except ValueError as error:
        raise SystemExit(f"gradebook merge: nothing done. {error}") from None
    print(write_gradebook(rows, args.out, graded=graded))
    return 0


def _release(args) -> int:
    from instructor.release import build_release

    tree = build_release(args.solutions, args.out_dir, tag=args.tag)
    print(f"wrote the student release to {tree} ")
    return 0


def _leaderboard(args) -> int:
    from instructor.leaderboard import run_leaderboard

    if min(args.timeout, args.memory_mb) <= 0 or (args.max_params or 1) <= 0:
        raise SystemExit("--timeout, --memory-mb and --max-params must be > 0.")
    try:
        return run_leaderboard(args)
    except ValueError as error:  # a refused private text
        print(f"leaderboard: nothing done. {error}", file=sys.stderr)
        return 2


def _tally(args) -> int:
    from instructor.ballot import run_tally

    if not args.votes.is_file():
        raise FileNotFoundError(f"votes={str(args.votes)!r} is not a file.")
    if args.roster is not None and not args.roster.is_file():
        raise FileNotFoundError(f"--roster {str(args.roster)!r} is not a file.")
    return run_tally(args)


COMMANDS = {
    "students": _students,
    "notebooks": _notebooks,
    "grade": _grade,
    "gradebook": _gradebook,
    "release": _release,
    "leaderboard": _leaderboard,
    "tally": _tally,
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    if hasattr(args, "quiet"):
        args.progress = verbosity(args.quiet, args.verbose)
    if getattr(args, "jobs", 1) < 1:
        raise SystemExit("--jobs must be at least 1.")
    try:
        return COMMANDS[args.command](args)
    except (FileNotFoundError, NotebookFormatError, RuntimeError, FileExistsError) as error:
        print(f"{args.command}: nothing done. {error}", file=sys.stderr)
        return 2
