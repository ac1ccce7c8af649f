"""``students``, ``notebooks execute|clean|run-all`` and ``release``: the notebooks' commands."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from instructor.cli import options
from instructor.notebooks import install_line, run_all, student_copies
from instructor.notebooks.io import clean_notebook, dumps, read, write
from instructor.notebooks.release import build_release
from instructor.project import NOTEBOOKS_DIR

RELEASE_DIR = Path("build/release")
EXECUTED_DIR = Path("build/executed")


def add_parsers(sub: argparse._SubParsersAction) -> None:
    students = sub.add_parser(
        "students",
        help="generate notebooks/ from solutions/ (and set every setup cell's install line "
        "from pyproject.toml)",
    )
    options.add_solutions(students)
    options.add_out_dir(students, NOTEBOOKS_DIR, "of student notebooks")
    students.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    students.set_defaults(handler=students_command)

    notebooks = sub.add_parser("notebooks", help="execute or clean solution notebooks")
    actions = notebooks.add_subparsers(dest="action", required=True)
    cell_timeout = options.default_of(run_all.run_all, "cell_timeout")
    execute = actions.add_parser("execute", help="execute in place, keep only the checked outputs")
    execute.add_argument("paths", nargs="+", type=Path)
    options.add_full(execute)
    options.add_cell_timeout(execute, cell_timeout)
    execute.set_defaults(handler=execute_command)
    clean = actions.add_parser("clean", help="clear outputs but the checked ones, editor state")
    clean.add_argument("paths", nargs="+", type=Path)
    clean.add_argument("--check", action="store_true", help="write nothing; exit 1 if unclean")
    clean.set_defaults(handler=clean_command)
    every = actions.add_parser("run-all", help="execute every solution into --out-dir")
    options.add_out_dir(every, EXECUTED_DIR, "of executed notebooks and kernels.log")
    options.add_solutions(every)
    options.add_full(every)
    options.add_cell_timeout(every, cell_timeout)
    options.add_loudness(every)
    every.set_defaults(handler=run_all_command)

    release = sub.add_parser("release", help="write the student release tree")
    options.add_out_dir(release, RELEASE_DIR, "to write, empty or absent")
    release.add_argument("--tag", help="version tag the notebooks install (default: pyproject's)")
    options.add_solutions(release)
    release.set_defaults(handler=release_command)


def students_command(args: argparse.Namespace) -> int:
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
    changes = student_copies.generate(args.solutions, args.out_dir)  # validates, then writes
    changes += install_line.write_install_lines(args.solutions)
    print("\n".join(changes + [f"{args.out_dir}: up to date ({len(changes)} changes)"]))
    return 0


def execute_command(args: argparse.Namespace) -> int:
    from nbclient.exceptions import CellExecutionError

    for path in args.paths:
        try:
            run_all.execute(path, cell_timeout=math.ceil(args.cell_timeout), smoke=not args.full)
        except (CellExecutionError, TimeoutError) as error:
            last = (str(error).strip().splitlines() or [type(error).__name__])[-1]
            print(f"execute: {path} failed, left as it was: {last[:200]}", file=sys.stderr)
            return 1
        print(f"execute: {path}")
    return 0


def clean_command(args: argparse.Namespace) -> int:
    unclean = []
    for path in args.paths:
        if args.check:
            if dumps(clean_notebook(read(path))) != path.read_text(encoding="utf-8"):
                unclean.append(path)
                print(f"{path}: not clean; run ./course notebooks clean {path}")
            continue
        write(clean_notebook(read(path)), path)
        print(f"clean: {path}")
    return 1 if unclean else 0


def run_all_command(args: argparse.Namespace) -> int:
    rows = run_all.run_all(
        sorted(args.solutions.glob("*.ipynb")),
        args.out_dir,
        cell_timeout=math.ceil(args.cell_timeout),  # nbclient's whole seconds; 0 = no limit
        smoke=not args.full,
        progress=options.progress_level(args),
    )
    failed = [name for name, _, status in rows if status != "ok"]
    print(f"{len(rows) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


def release_command(args: argparse.Namespace) -> int:
    tree = build_release(args.solutions, args.out_dir, tag=args.tag)
    print(f"wrote the student release to {tree}")
    return 0
