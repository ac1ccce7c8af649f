"""How long grading takes: every solution graded as a submission, ``--jobs 2``.

Every solution is handed in as a "model student" copy (the student copy with the solution code
in its exercise cells), graded in the sandbox in smoke mode exactly as ``./course grade`` does,
and must get full marks. Prints seconds per notebook (from the grader's progress lines; two run
at a time) and the projection for a class of 100: for notebooks 00-06 (the seven of the
original budget, 2 hours on 2 cores) and for all notebooks.

    python benchmarks/grade_throughput.py    # exit 1: a notebook misses full marks, or over budget
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from instructor.cli import main as course  # noqa: E402
from instructor.notebook_io import read, write  # noqa: E402
from instructor.student_copies import student_notebook  # noqa: E402

STUDENTS, BUDGET_HOURS = 100, 2.0
BUDGET_NOTEBOOKS = 7  # 00-06, the notebooks the budget was set for
PROGRESS = re.compile(r"\((?P<path>[^,()]+\.ipynb), (?P<seconds>[0-9.]+) s\)$")


def main() -> int:
    solutions = sorted((ROOT / "solutions").glob("*.ipynb"))
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "student"
        folder.mkdir()
        for path in solutions:
            write(student_notebook(read(path), keep_solutions=True), folder / path.name)
        out = Path(scratch) / "gradebook.csv"
        progress = io.StringIO()
        start = time.monotonic()
        with contextlib.redirect_stderr(progress):
            status = course(["grade", str(folder), "--out", str(out), "--jobs", "2"])
        wall = time.monotonic() - start
        with open(out, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    seconds = {
        Path(m["path"]).name: float(m["seconds"])
        for line in progress.getvalue().splitlines()
        if (m := PROGRESS.search(line))
    }
    missed = [r for r in rows if r["points"] != r["max_points"]]
    print("| notebook | seconds (two at a time) |")
    print("| --- | ---: |")
    for name, took in sorted(seconds.items()):
        print(f"| {name} | {took:.1f} |")
    first = sorted(seconds)[:BUDGET_NOTEBOOKS]
    # Two notebooks run at a time, so a class takes about the sum of the times over two.
    share = sum(seconds[name] for name in first) / sum(seconds.values())
    budget_hours = wall * share * STUDENTS / 3600
    print(f"\nwall for all {len(solutions)} notebooks of one student: {wall:.1f} s; "
          f"{STUDENTS} students: {wall * STUDENTS / 3600:.2f} h for all, "
          f"{budget_hours:.2f} h for {', '.join(n[:2] for n in first)}")  # fmt: skip
    for row in missed:
        print(f"not full marks: {row['notebook']} {row['exercise']}: {row['reason']}")
    ok = status == 0 and not missed and len(seconds) == len(solutions)
    ok = ok and budget_hours <= BUDGET_HOURS
    print(f"budget {BUDGET_HOURS:g} h for {STUDENTS} students x {BUDGET_NOTEBOOKS} notebooks: "
          f"{'PASS' if ok else 'FAIL'}")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
