"""How long grading takes: the seven solutions graded as submissions, ``--jobs 2``.

Every solution is handed in as a "model student" copy (the student copy with the solution code
in its exercise cells), graded in the sandbox in smoke mode exactly as ``./course grade`` does,
and must get full marks. Prints seconds per notebook and the projection for a class.

    python benchmarks/grade_throughput.py            # exit 1 if a notebook misses full marks
"""

from __future__ import annotations

import csv
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


def main() -> int:
    solutions = sorted((ROOT / "solutions").glob("*.ipynb"))
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "student"
        folder.mkdir()
        for path in solutions:
            write(student_notebook(read(path), keep_solutions=True), folder / path.name)
        out = Path(scratch) / "gradebook.csv"
        start = time.monotonic()
        status = course(["grade", str(folder), "--out", str(out), "--jobs", "2"])
        wall = time.monotonic() - start
        with open(out, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    missed = [r for r in rows if r["points"] != r["max_points"]]
    per_student = wall
    projected = per_student * STUDENTS / 3600
    print(f"| notebooks | wall seconds (--jobs 2) | per notebook | {STUDENTS} students |")
    print("| ---: | ---: | ---: | ---: |")
    print(f"| {len(solutions)} | {wall:.1f} | {wall / len(solutions):.1f} | {projected:.2f} h |")
    for row in missed:
        print(f"not full marks: {row['notebook']} {row['exercise']}: {row['reason']}")
    ok = status == 0 and not missed and projected <= BUDGET_HOURS
    print(f"budget {BUDGET_HOURS:g} h for {STUDENTS} students x 7 notebooks: "
          f"{'PASS' if ok else 'FAIL'}")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
