"""``grade`` and ``gradebook merge``: grade submitted notebooks, join the shards of a class."""

from __future__ import annotations

import argparse
from pathlib import Path

from instructor.cli import options
from instructor.grading.run import grade_all
from instructor.grading.shards import parse_shard, read_shards, rows_path
from instructor.grading.verdicts import Limits
from instructor.reports.gradebook_files import write_gradebook

GRADEBOOK = Path("gradebook.csv")


def add_parsers(sub: argparse._SubParsersAction) -> None:
    grade = sub.add_parser("grade", help="grade submitted notebooks")
    grade.add_argument("submissions", nargs="+", type=Path, help="notebooks or folders")
    options.add_out(
        grade, GRADEBOOK, "CSV gradebook; .md summary, .png, -lms.csv and -feedback/ next to it"
    )
    options.add_solutions(grade)
    options.add_jobs(grade, options.default_of(grade_all, "jobs"))
    options.add_unsandboxed(grade)
    options.add_timeout(grade, options.default_of(Limits, "timeout"), "notebook, restarts included")
    options.add_cell_timeout(grade, options.default_of(Limits, "cell_timeout"))
    limit = {name: options.default_of(Limits, name) for name in ("max_output", "max_procs")}
    options.add_option(
        grade,
        "--max-output",
        options.positive_int,
        limit["max_output"],
        "characters a cell may print",
    )
    options.add_memory(
        grade, options.default_of(Limits, "memory_mb"), "a student's processes together"
    )
    options.add_option(
        grade,
        "--max-procs",
        options.positive_int,
        limit["max_procs"],
        "processes and threads of a run",
    )
    grade.add_argument(
        "--no-policy",
        action="store_true",
        help="leave the exercise policy's advice out of the feedback (it never costs points)",
    )
    options.add_loudness(grade)
    grade.add_argument(
        "--shard",
        metavar="I/N",
        help="grade only shard I of N (students split by a hash of their name); join the "
        "shards' gradebooks with ./course gradebook merge",
    )
    grade.set_defaults(handler=grade_command)

    book = sub.add_parser("gradebook", help="work on gradebooks: merge the shards of a class")
    actions = book.add_subparsers(dest="action", required=True)
    merge = actions.add_parser("merge", help="join shard gradebooks into one")
    merge.add_argument("shards", nargs="+", type=Path, help="each shard's gradebook.csv")
    options.add_out(
        merge, GRADEBOOK, "CSV gradebook of the class; .md, .png, -lms.csv, -feedback/ next to it"
    )
    merge.set_defaults(handler=merge_command)


def grade_command(args: argparse.Namespace) -> int:
    limits = Limits(
        timeout=args.timeout,
        cell_timeout=min(args.cell_timeout, args.timeout),
        max_output=args.max_output,
        memory_mb=args.memory_mb,
        max_procs=args.max_procs,
        policy=not args.no_policy,
    )
    try:
        shard = parse_shard(args.shard) if args.shard else (1, 1)
    except ValueError as error:
        raise SystemExit(str(error)) from None
    rows = grade_all(
        args.submissions,
        solutions_dir=args.solutions,
        limits=limits,
        jobs=args.jobs,
        use_sandbox=not args.unsandboxed,
        progress=options.progress_level(args),
        shard=shard,
    )
    where = "without the sandbox" if args.unsandboxed else "in the sandbox"
    graded = (
        f"graded {where} in smoke mode: {limits.timeout:g} s per notebook, "
        f"{limits.cell_timeout:g} s per cell."
    )
    print(write_gradebook(rows, args.out, graded=graded, shard=shard))
    return 0


def merge_command(args: argparse.Namespace) -> int:
    out = args.out
    written = [out, out.with_suffix(".md"), out.with_suffix(".png"), rows_path(out)]
    written.append(out.with_name(f"{out.stem}-lms.csv"))
    options.refuse_overwriting(written, [*args.shards, *map(rows_path, args.shards)])
    try:
        rows, graded = read_shards(args.shards)
    except ValueError as error:
        raise SystemExit(f"gradebook merge: nothing done. {error}") from None
    print(write_gradebook(rows, args.out, graded=graded))
    return 0
