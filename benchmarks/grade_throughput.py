"""How long grading a class takes: every solution handed in by a few "model students", --jobs 2.

Every solution is handed in by ``--students`` copies (the student copy with the solution code in
its exercise cells), graded in the sandbox in smoke mode exactly as ``./course grade`` does; each
must get full marks. Grading runs two workers; each keeps one checker process per notebook, so
the first student a worker grades of a notebook also pays for running the solution notebook
once (the *build*), the others only for their own student process (the *marginal* cost).

From the grader's progress lines it prints, per notebook, the build and the marginal seconds,
and projects a class of 100 with two workers: the builds once, the students' marginal costs
shared by the two workers.

    python benchmarks/grade_throughput.py [--students 3] [--notebooks 00 01 ...]
    # exit 1: a notebook misses full marks, or the projection is over the 2-hour budget
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from instructor.cli import main as course  # noqa: E402
from instructor.notebooks.io import read, write  # noqa: E402
from instructor.notebooks.student_copies import student_notebook  # noqa: E402

CLASS, BUDGET_HOURS, WORKERS = 100, 2.0, 2
PROGRESS = re.compile(r"^\[\d+/\d+\] .+ / (?P<path>[^/]+\.ipynb): \S+ \((?P<seconds>[0-9.]+) s\)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=3, help="copies of each notebook (>= 3)")
    parser.add_argument("--notebooks", nargs="*", help="number prefixes, e.g. 00 05 (default: all)")
    args = parser.parse_args()
    solutions = sorted((ROOT / "solutions").glob("*.ipynb"))
    if args.notebooks:
        solutions = [p for p in solutions if p.name[:2] in args.notebooks]
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "class"
        for k in range(max(args.students, 3)):
            (folder / f"student{k}").mkdir(parents=True)
            for path in solutions:
                copy = student_notebook(read(path), path.name, keep_solutions=True)
                write(copy, folder / f"student{k}" / path.name)
        out = Path(scratch) / "gradebook.csv"
        progress = io.StringIO()
        start = time.monotonic()
        with contextlib.redirect_stderr(progress):
            status = course(["grade", str(folder), "--out", str(out), "--jobs", str(WORKERS)])
        wall = time.monotonic() - start
        with open(out, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    times: dict[str, list[float]] = {}
    for line in progress.getvalue().splitlines():
        if match := PROGRESS.search(line):
            times.setdefault(Path(match["path"]).name, []).append(float(match["seconds"]))
    print("| notebook | build s (once per worker) | marginal s per student |")
    print("| --- | ---: | ---: |")
    class_seconds = 0.0
    for name, seen in sorted(times.items()):
        first, rest = sorted(seen)[-WORKERS:], sorted(seen)[:-WORKERS]  # builds are the slowest
        marginal = statistics.median(rest) if rest else min(seen)
        build = max(statistics.mean(first) - marginal, 0.0)
        class_seconds += build + CLASS * marginal / WORKERS
        print(f"| {name} | {build:.1f} | {marginal:.1f} |")
    print(f"\nwall for {args.students} students x {len(solutions)} notebooks: {wall:.0f} s; "
          f"projected for {CLASS} students: {class_seconds / 3600:.2f} h")  # fmt: skip
    missed = [r for r in rows if r["points"] != r["max_points"]]
    for row in missed:
        print(f"not full marks: {row['student']} {row['notebook']} {row['exercise']}: "
              f"{row['reason']}")  # fmt: skip
    ok = status == 0 and not missed and class_seconds / 3600 <= BUDGET_HOURS
    print(f"budget {BUDGET_HOURS:g} h: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
