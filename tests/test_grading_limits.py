"""Limits per notebook, one row per student and notebook, and feedback that never leaks.

Uses the warm-up fixture (NumPy only), in the sandbox.
"""

from __future__ import annotations

import copy
import csv
import sys
import textwrap
import time
from pathlib import Path

import pytest

from instructor.cli import main
from instructor.grading.checkers import Checkers, grade_notebook
from instructor.grading.run import data_folder
from instructor.grading.submissions import load_solutions
from instructor.grading.verdicts import Limits
from instructor.notebooks.io import read, tags, write
from instructor.notebooks.student_copies import student_notebook
from instructor.sandbox import Jail, run, sandbox_problem

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "solutions"
FIXTURE = FIXTURES / "01_warmup.ipynb"

needs_sandbox = pytest.mark.skipif(
    sandbox_problem() is not None, reason=f"no sandbox here: {sandbox_problem()}"
)
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc")


def with_exercise(nb, **sources: str):
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        for tag in tags(cell):
            if tag.startswith("exercise:") and tag[len("exercise:") :] in sources:
                cell.source = textwrap.dedent(sources[tag[len("exercise:") :]])
    return nb


FORK_HOLDERS = """
    import json, os, time
    children = []
    for _ in range(3):
        pid = os.fork()
        if pid == 0:
            block = bytearray(400 * 2**20)  # each child alone is far below the cap
            for i in range(0, len(block), 4096):
                block[i] = 1
            time.sleep(60)
            os._exit(0)
        children.append(pid)
    time.sleep(60)
    print(json.dumps("survived"))
"""


@linux_only
@needs_sandbox
def test_forked_children_together_stay_under_the_tree_memory_cap(tmp_path):
    jail = Jail(tmp_path, memory_mb=1024, tree_memory_mb=800, timeout=120)
    outcome = run([sys.executable, "-c", textwrap.dedent(FORK_HOLDERS)], jail, env={})
    assert outcome.memory_exceeded and not outcome.timed_out
    assert b"survived" not in outcome.stdout


@linux_only
@needs_sandbox
def test_a_cancel_event_stops_the_tree(tmp_path):
    import threading

    cancel = threading.Event()
    threading.Timer(1.0, cancel.set).start()
    outcome = run([sys.executable, "-c", "import time; time.sleep(100)"],
                  Jail(tmp_path, timeout=60), env={}, cancel=cancel)  # fmt: skip
    assert outcome.returncode != 0 and not outcome.timed_out


# ------------------------------------------------------------- one cap for a whole notebook

HOSTILE = {
    "moving_average": """
        while True:
            try:
                while True:
                    pass
            except BaseException:
                pass
    """,
    "word_counts": """
        import sys
        while True:
            sys.__stdout__.write("x" * 100_000)
    """,
    "standardize": """
        import os
        pids = []
        for _ in range(5_000):
            try:
                pids.append(os.fork())
            except OSError:
                break
            if pids[-1] == 0:
                block = bytearray(300 * 2**20)
                while True:
                    block[::4096] = b"1" * len(block[::4096])
    """,
}


@needs_sandbox
@pytest.mark.slow
def test_a_notebook_that_loops_floods_and_forks_costs_at_most_its_cap(tmp_path):
    solution = load_solutions(FIXTURES)[FIXTURE.name]
    checkers = Checkers(data_folder(tmp_path), tmp_path)
    checkers.get(solution)  # the solution's state is built once, before the clock starts
    limits = Limits(timeout=24, cell_timeout=6, memory_mb=1024)  # short: it burns the CPU
    try:
        start = time.monotonic()
        rows = grade_notebook(with_exercise(student_notebook(read(FIXTURE)), **HOSTILE),
                              solution, "mallory", limits, checkers)  # fmt: skip
        seconds = time.monotonic() - start
    finally:
        checkers.close()
    assert [row.points for row in rows] == [0.0, 0.0, 0.0], rows
    assert seconds < limits.timeout + 20, f"{seconds:.0f} s for a notebook capped at 24 s"
    reasons = {row.exercise: row.reason for row in rows}
    assert "time limit" in reasons["moving_average"], reasons


# ------------------------------------------------------------- one row per student and notebook


FILLS_THE_DISK = """import os as _os
_here = _os.open(".", _os.O_RDONLY)
for _ in range(3000):  # deeper than shutil.rmtree can delete
    _os.mkdir("d", dir_fd=_here)
    _next = _os.open("d", _os.O_RDONLY, dir_fd=_here)
    _os.close(_here)
    _here = _next
_fd = _os.open("fill", _os.O_CREAT | _os.O_WRONLY, dir_fd=_here)
try:
    _os.posix_fallocate(_fd, 0, 64 * 2**30)  # 64 GiB: the scratch's cap says no
except OSError:
    pass
"""


@needs_sandbox
@pytest.mark.slow
def test_a_notebook_handed_in_twice_is_graded_once_and_totals_never_exceed_the_maxima(tmp_path):
    folder = tmp_path / "submissions"
    (folder / "alice" / "week 2").mkdir(parents=True)
    solved = student_notebook(read(FIXTURE), keep_solutions=True)
    write(solved, folder / "alice" / FIXTURE.name)
    write(solved, folder / "alice" / "week 2" / "my copy.ipynb")
    write(student_notebook(read(FIXTURE)), folder / "bob_warmup.ipynb")
    out = tmp_path / "gradebook.csv"
    assert main(["grade", str(folder), "--solutions", str(FIXTURES), "--out", str(out)]) == 0
    with open(out, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    alice = [r for r in rows if r["student"] == "alice"]
    assert len(alice) == 3 and len({r["exercise"] for r in alice}) == 3
    assert all("also handed in, not graded" in r["reason"] for r in alice)
    with open(out.with_name("gradebook-lms.csv"), newline="", encoding="utf-8") as handle:
        lms = {r["student"]: r for r in csv.DictReader(handle)}
    assert lms["alice"]["total"] == lms["alice"]["max"] == "4"
    assert all(float(r["total"]) <= float(r["max"]) for r in lms.values())


@needs_sandbox
@pytest.mark.slow
def test_a_3000_deep_tree_and_a_disk_fill_cost_nothing_and_leave_nothing(tmp_path):
    solution = load_solutions(FIXTURES)[FIXTURE.name]
    solved = student_notebook(read(FIXTURE), keep_solutions=True)
    moving = next(c.source for c in solved.cells if "exercise:moving_average" in tags(c))
    scratch = tmp_path / "grading"
    checkers = Checkers(data_folder(scratch), scratch)
    try:
        filler = with_exercise(solved, moving_average=FILLS_THE_DISK + moving)
        limits = Limits(timeout=120)  # the policy flags `import os`: advice, no points lost
        rows = grade_notebook(filler, solution, "carol", limits, checkers)
    finally:
        checkers.close()
    assert [row.points for row in rows] == [row.max_points for row in rows], rows
    left = [p for p in scratch.rglob("*") if p.name.startswith("student-")]
    assert left == [], left  # the student's scratch is gone, tree and all


# ------------------------------------------------------------- feedback never shows a secret

HIDDEN_MARKER, SOLUTION_MARKER = "zqxhiddenmarker", "zqxsolutionmarker"

EXFILTRATE = {
    "word_counts": """
        SEEN = []
        def word_counts(text):
            SEEN.append(text)
            counts = {}
            for word in text.lower().split():
                counts[word] = counts.get(word, 0) + 1
            if len(SEEN) > 6:
                raise ValueError(" | ".join(SEEN)[-75:])
            return counts
    """,
    "standardize": """
        data = rng.normal(loc=5.0, scale=3.0, size=(100, 4))
        raise ValueError("seen: " + " | ".join(SEEN)[-70:])
    """,
}


REVERSED = {
    "word_counts": EXFILTRATE["word_counts"].replace(
        'raise ValueError(" | ".join(SEEN)[-75:])', 'raise ValueError(" | ".join(SEEN)[::-1][:75])'
    ),
    "standardize": """
        data = rng.normal(loc=5.0, scale=3.0, size=(100, 4))
        raise ValueError("seen: " + " | ".join(SEEN)[::-1][:70])
    """,
}
"""The review's route: the student's code transforms (reverses) what hidden checks gave it, so
that an exact-string match on hidden data finds nothing."""


def _planted(tmp_path: Path) -> Path:
    """The warm-up solution with a marker in a hidden check and in a solution."""
    nb = read(FIXTURE)
    for cell in nb.cells:
        if "check:word_counts" in tags(cell):
            cell.source = cell.source.replace(
                "### END HIDDEN CHECKS",
                f'assert word_counts("{HIDDEN_MARKER} a") == {{"{HIDDEN_MARKER}": 1, "a": 1}}, '
                f'"{HIDDEN_MARKER} message"\n### END HIDDEN CHECKS',
            )
        if "exercise:moving_average" in tags(cell):
            cell.source = cell.source.replace(
                "### BEGIN SOLUTION\n",
                f'### BEGIN SOLUTION\n    _note = "{SOLUTION_MARKER}"  # {SOLUTION_MARKER}\n',
            )
    folder = tmp_path / "solutions"
    folder.mkdir()
    write(nb, folder / FIXTURE.name)
    return folder


@needs_sandbox
@pytest.mark.slow
def test_no_feedback_file_shows_a_planted_hidden_check_or_solution_marker(tmp_path):
    solutions = _planted(tmp_path)
    nb = read(solutions / FIXTURE.name)
    folder = tmp_path / "submissions"
    wrong = "def word_counts(t):\n    return 1"
    for student, submission in {
        "honest": student_notebook(nb, keep_solutions=True),
        "blank": student_notebook(nb),
        "exfiltrates": with_exercise(student_notebook(nb, keep_solutions=True), **EXFILTRATE),
        "reverses": with_exercise(student_notebook(nb, keep_solutions=True), **REVERSED),
        "wrong": with_exercise(student_notebook(nb), word_counts=wrong),
    }.items():
        (folder / student).mkdir(parents=True)
        write(submission, folder / student / FIXTURE.name)
    out = tmp_path / "out" / "gradebook.csv"
    assert main(["grade", str(folder), "--solutions", str(solutions), "--out", str(out)]) == 0
    with open(out, newline="", encoding="utf-8") as handle:
        rows = {(r["student"], r["exercise"]): r for r in csv.DictReader(handle)}
    assert rows["honest", "word_counts"]["points"] == "1"  # the planted check is sound
    assert rows["exfiltrates", "standardize"]["points"] == "0"
    feedback = sorted((out.parent / "gradebook-feedback").rglob("*"))
    files = [p for p in feedback if p.is_file()]
    assert len(files) >= 4
    files.append(out.with_name("gradebook-lms.csv"))
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert HIDDEN_MARKER not in text and SOLUTION_MARKER not in text, path
        assert HIDDEN_MARKER[::-1] not in text, path
    withheld = out.parent / "gradebook-feedback" / "exfiltrates" / f"{FIXTURE.name}.md"
    assert "withheld" in withheld.read_text(encoding="utf-8")


@needs_sandbox
@pytest.mark.slow
def test_what_a_solution_returns_never_reaches_feedback(tmp_path):
    """The attack review of the two-process design: leave out exercise 1, so that the student
    process calls its solution, then echo what it returned in a later exercise's error."""
    nb = with_exercise(
        student_notebook(read(FIXTURE)),
        word_counts='raise ValueError("LEAK" + str(list(moving_average([1.0, 2.0, 4.0], 2))))',
    )
    nb.cells = [c for c in nb.cells if "exercise:moving_average" not in tags(c)]
    folder = tmp_path / "submissions"
    folder.mkdir()
    write(nb, folder / "eve_warmup.ipynb")
    out = tmp_path / "gradebook.csv"
    assert main(["grade", str(folder), "--solutions", str(FIXTURES), "--out", str(out)]) == 0
    feedback = next((tmp_path / "gradebook-feedback").rglob("*.md")).read_text(encoding="utf-8")
    assert "LEAK" not in feedback and "1.5" not in feedback, feedback
    assert "its message is withheld" in feedback, feedback
