"""Hostile submissions against the grader's own machinery (findings of the attack review).

Malformed notebooks, a student's 3000-deep scratch tree, oversized and deeply nested bridge
messages, look-alike file names, and feedback that could carry hidden-check data. The fast tests
need no sandbox; the slow ones grade the warm-up fixture in it.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from instructor.grading.run import grade_file, plan
from instructor.grading.submissions import find_submissions, load_solutions
from instructor.grading.verdicts import WITHHELD, GradeRow, Limits, Step, score_exercise
from instructor.notebooks.format import Exercise
from instructor.notebooks.io import read, write
from instructor.notebooks.student_copies import student_notebook
from instructor.reports.gradebook import write_feedback
from instructor.sandbox import Jail, run, sandbox_problem
from instructor.sandbox.remove_tree import remove_tree
from instructor.sandboxed.bridge import MAX_MESSAGE, Bridge, BridgeClosed
from instructor.sandboxed.wire_codec import MAX_DEPTH

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "solutions"
FIXTURE = FIXTURES / "01_warmup.ipynb"

needs_sandbox = pytest.mark.skipif(
    sandbox_problem() is not None, reason=f"no sandbox here: {sandbox_problem()}"
)

# ------------------------------------------------------------------ malformed notebooks

MALFORMED = {
    "nbformat_list": json.dumps({"nbformat": [4], "nbformat_minor": 5, "metadata": {},
                                 "cells": []}),
    "deep": '{"cells": ' + "[" * 100_000 + "]" * 100_000 + "}",
    # attack review: 15 M empty lists in 45 MiB took the grader 2.3 GB and 25 s to parse
    "many_values": '{"nbformat": 4, "nbformat_minor": 5, "metadata": {"x": ['
                   + "[]," * 1_500_000 + '[]]}, "cells": []}',
    "version_3": json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {},
                             "worksheets": [{"cells": []}]}),
    "cells_dict": json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": {}}),
    "cell_without_type": json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                                     "cells": [{"source": "x = 1"}]}),
    "tags_not_a_list": json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                                   "cells": [{"cell_type": "code", "source": "",
                                              "metadata": {"tags": "exercise:x"}}]}),
}  # fmt: skip


def test_each_malformed_notebook_is_one_refused_row_and_the_class_goes_on(tmp_path):
    for name, text in MALFORMED.items():
        (tmp_path / f"{name}.ipynb").write_text(text, encoding="utf-8")
    write(student_notebook(read(FIXTURE), keep_solutions=True), tmp_path / "honest.ipynb")
    solutions = load_solutions(FIXTURES)
    planned = plan(find_submissions([tmp_path]), solutions)  # raised before the fix
    assert sorted(student for _, student, _, _ in planned) == sorted([*MALFORMED, "honest"])
    for path, student, _, _ in planned:
        if student == "honest":
            continue
        rows = grade_file(path, student, solutions, Limits(), checkers=None)
        assert len(rows) == 1, (student, rows)
        assert rows[0].reason.startswith("not a readable notebook"), rows[0]
        if student == "many_values":
            assert "values" in rows[0].reason, rows[0]
        assert "\n" not in rows[0].reason and len(rows[0].reason) < 300


# ------------------------------------------------------------------ cleaning up after a student


def _deep_tree(root: Path, depth: int) -> None:
    """``depth`` nested folders with a file in each (relative paths: deeper than PATH_MAX)."""
    root.mkdir()
    descriptor = os.open(root, os.O_RDONLY)
    try:
        for _ in range(depth):
            os.mkdir("d", dir_fd=descriptor)
            with open(os.open("f", os.O_CREAT | os.O_WRONLY, dir_fd=descriptor), "w") as file:
                file.write("x")
            child = os.open("d", os.O_RDONLY, dir_fd=descriptor)
            os.close(descriptor)
            descriptor = child
    finally:
        os.close(descriptor)


def test_a_3000_deep_tree_defeats_rmtree_but_not_remove_tree(tmp_path):
    _deep_tree(tmp_path / "scratch", 3000)
    if sys.version_info < (3, 13):  # rmtree recursed per level before Python 3.13 (gh-89727)
        with pytest.raises(RecursionError):
            shutil.rmtree(tmp_path / "scratch")  # what stopped the whole class's run
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me")
    (tmp_path / "scratch" / "link").symlink_to(outside)
    (tmp_path / "scratch" / "locked").mkdir(mode=0)
    remove_tree(tmp_path / "scratch")
    assert not (tmp_path / "scratch").exists()
    assert outside.read_text() == "keep me"  # a link is removed, never followed
    remove_tree(tmp_path / "scratch")  # already gone: no error


@needs_sandbox
@pytest.mark.slow
def test_a_disk_fill_stops_at_the_scratch_cap_and_leaves_nothing_on_the_host(tmp_path):
    fill = (
        "import os\n"
        "fd = os.open('big', os.O_CREAT | os.O_WRONLY)\n"
        "try:\n    os.posix_fallocate(fd, 0, 2**30)\n    print('filled')\n"
        "except OSError as error:\n    print('refused', error.errno)\n"
        "os.makedirs('/'.join(['d'] * 200))\n"
    )
    outcome = run([sys.executable, "-c", fill], Jail(tmp_path, scratch_mb=32, timeout=60), env={})
    assert b"refused 28" in outcome.stdout, outcome  # ENOSPC, not a gigabyte on the host
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ bridge messages


def _received(payload: bytes, header: int | None = None) -> BaseException | dict:
    """What a bridge makes of ``payload`` (with its length, or ``header``) on its pipe."""
    read_end, write_end = os.pipe()
    size = len(payload) if header is None else header

    def send() -> None:
        try:
            os.write(write_end, size.to_bytes(8, "big"))
            view = memoryview(payload)
            while view:
                view = view[os.write(write_end, view[: 2**20]) :]
        except OSError:
            pass
        finally:
            os.close(write_end)

    sender = threading.Thread(target=send)
    sender.start()
    bridge = Bridge(read_end, -1, None, None, None)
    try:
        return bridge.receive()
    except BaseException as error:  # noqa: BLE001 - the test looks at it
        return error
    finally:
        os.close(read_end)
        sender.join()


def test_a_huge_flat_or_deep_message_is_refused_before_it_is_parsed():
    assert _received(b'{"op": "done"}') == {"op": "done"}
    over = _received(b"", header=MAX_MESSAGE + 1)  # refused on its header: nothing is read
    assert isinstance(over, BridgeClosed) and "bytes" in str(over)
    flat = _received(b'{"op": "call", "args": [' + b"0," * 3_000_000 + b"0]}")
    assert isinstance(flat, BridgeClosed) and "values" in str(flat), flat
    deep = _received(b'{"op": "call", "args": ' + b"[" * 50_000 + b"]" * 50_000 + b"}")
    assert isinstance(deep, BridgeClosed) and "nested" in str(deep), deep
    limit = 2 * MAX_DEPTH + 4  # a tuple or dict takes two levels; the message's own { one
    at = _received(b'{"op": "call", "args": ' + b"[" * (limit - 1) + b"]" * (limit - 1) + b"}")
    assert at == {"op": "call", "args": json.loads("[" * (limit - 1) + "]" * (limit - 1))}
    over = _received(b'{"op": "call", "args": ' + b"[" * limit + b"]" * limit + b"}")
    assert isinstance(over, BridgeClosed) and "nested" in str(over), over
    wide = _received(b'{"op": "call", "args": [' + b"[]," * 10_000 + b"[]]}")  # many, shallow
    assert wide == {"op": "call", "args": [[]] * 10_001}
    quoted = _received(json.dumps({"op": "call", "args": ["[" * 50_000]}).encode())
    assert quoted == {"op": "call", "args": ["[" * 50_000]}  # brackets inside a string are text


# ------------------------------------------------------------------ names


def test_a_zero_width_twin_is_the_same_student_graded_once(tmp_path):
    solved = student_notebook(read(FIXTURE), keep_solutions=True)
    write(solved, tmp_path / "alice_warmup.ipynb")
    write(student_notebook(read(FIXTURE)), tmp_path / "alice_warmup\u200b.ipynb")
    write(solved, tmp_path / "ALICE_warmup\u2060.ipynb")
    planned = plan(find_submissions([tmp_path]), load_solutions(FIXTURES))
    assert len(planned) == 1, planned
    _, student, _, ignored = planned[0]
    assert student.casefold() == "alice_warmup" and len(ignored) == 2


def test_feedback_files_are_never_overwritten(tmp_path):
    rows = [GradeRow(name, "01_warmup.ipynb", "x", 1.0, 1.0, "passed", f"for {name}")
            for name in ("a/b", "a?b", "Alice", "alice")]  # fmt: skip
    paths = write_feedback(rows, tmp_path)
    assert len({str(p).casefold() for p in paths}) == 4
    texts = sorted(p.read_text(encoding="utf-8") for p in paths)
    assert all(any(f"for {r.student}" in t for t in texts) for r in rows)


# ------------------------------------------------------------------ hidden-check data in feedback


def _scored(outcomes: list[dict]) -> tuple[float, str, str]:
    exercise = Exercise("ex", 0, 1, 1.0)
    steps = [Step(i, o.get("kind", "check"), "", "ex", o.get("check"), bool(o.get("hidden")))
             for i, o in enumerate(outcomes)]  # fmt: skip
    return score_exercise(exercise, list(zip(steps, outcomes, strict=True)), Limits())


def test_a_failed_hidden_check_and_a_tainted_message_echo_nothing_of_the_student():
    student = {"kind": "student", "status": "ok"}
    leak = "terces neddih"  # "hidden secret", reversed by the student's function
    hidden = {"check": "edge", "hidden": True, "status": "error", "ename": "AssertionError",
              "evalue": f"got {leak}"}  # fmt: skip
    _, reason, feedback = _scored([student, hidden])
    assert leak in reason and leak not in feedback and "edge" in feedback
    tainted = {"check": "shape", "status": "error", "ename": "ValueError", "evalue": leak,
               "withheld": True}  # fmt: skip
    _, _, feedback = _scored([student, tainted])
    assert leak not in feedback and WITHHELD in feedback
    raised = {"kind": "student", "status": "error", "ename": "ValueError", "evalue": leak,
              "withheld": True}  # fmt: skip
    _, _, feedback = _scored([raised])
    assert leak not in feedback and WITHHELD in feedback and "an exception" in feedback
    assert "ValueError" not in feedback  # which built-in was raised could carry 4 bits
    named = {**raised, "ename": leak.replace(" ", "_")}  # a class named after the data
    _, _, feedback = _scored([named])
    assert leak.replace(" ", "_") not in feedback and "an exception" in feedback
    honest = {"check": "shape", "status": "error", "ename": "AssertionError",
              "evalue": "got shape (3,), expected (2,); have a look at the windows"}  # fmt: skip
    _, _, feedback = _scored([student, honest])
    assert "have a look" in feedback  # an untainted visible message is shown as it is


def test_a_checker_that_does_not_answer_in_time_is_killed_and_named():
    """Attack review of the two-process design: a slow-to-decode answer (an 80,000-character
    vocabulary) held the checker 132 s past --timeout; one student may cost the class at most
    timeout + grace."""
    import subprocess

    from instructor.grading.checkers import Checker, CheckerFailed

    checker = object.__new__(Checker)
    checker.process = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(120)"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    with pytest.raises(CheckerFailed, match=r"^the checker stopped \(took over 1 s\)$"):
        checker.ask({"answers": {}}, timeout=1)
    assert checker.process.poll() == -9


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc")
def test_a_checker_that_grows_past_its_memory_cap_is_killed_and_named():
    """Attack review of the two-process design: a solution called with a huge input took 10 GB
    in the checker, which runs outside the sandbox. Over ``checker_memory_mb`` it is killed."""
    import subprocess

    from instructor.grading.checkers import Checker, CheckerFailed

    grow = "import sys, time; sys.stdin.readline(); b = b'x' * (400 * 2**20); time.sleep(60)"
    checker = object.__new__(Checker)
    checker.process = subprocess.Popen(
        [sys.executable, "-c", grow], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    with pytest.raises(CheckerFailed, match=r"^the checker stopped \(held over 200 MiB\)$"):
        checker.ask({"answers": {}}, timeout=60, memory_mb=200)
    assert checker.process.poll() == -9


def test_an_exercise_whose_checks_never_ran_scores_nothing():
    """Attack review of the two-process design: a student process that crashed during a check
    lost the outcomes, and the exercise scored as passed. Every exercise has a check cell: no
    outcome, no points."""
    exercise = Exercise("ex", 0, 1, 1.0)
    student = (Step(0, "student", "", "ex", None, False), {"kind": "student", "status": "ok"})
    points, reason, _ = score_exercise(exercise, [student], Limits())
    assert (points, reason) == (0.0, "not graded: the checks of ex did not run")


# ------------------------------------------------------------------ third review of the checker


def test_an_empty_array_with_huge_axes_is_refused():
    """(0, 10**12) carries no data, but a check's ``result.sum(axis=0)`` would allocate 8 TB."""
    from instructor.sandboxed.wire_codec import MAX_BYTES, Uncrossable, decode, encode

    def crossed(array):
        return decode(encode(array, lambda f: 0, lambda m: b""), lambda h: None, lambda b: None)

    assert crossed(np.zeros((0, 5))).shape == (0, 5)
    assert crossed(np.zeros((3, 0, MAX_BYTES // 4))).shape == (3, 0, MAX_BYTES // 4)
    for shape in [(0, 10**12), (0, MAX_BYTES + 1), (2, 0, MAX_BYTES)]:
        tree = {"t": "nd", "dtype": "float64", "shape": list(shape), "b": ""}
        with pytest.raises(Uncrossable, match="axes too long"):
            decode(tree, lambda h: None, lambda b: None)


def test_an_inner_alarm_re_arms_the_outer_one():
    """A solution the student process called may call back into it, and it may call another
    solution: leaving the inner call once disarmed the outer alarm, and the first solution ran
    untimed."""
    import signal
    import time

    from instructor.grading.student_runs import SolutionTimeout, alarm_at

    def on_alarm(signum, frame):
        raise SolutionTimeout("test alarm")

    old = signal.signal(signal.SIGALRM, on_alarm)
    try:
        start = time.monotonic()
        with pytest.raises(SolutionTimeout), alarm_at(start + 0.5):
            with alarm_at(start + 30):  # a later inner deadline keeps the earlier outer one
                pass
            with alarm_at(start + 0.2):  # an earlier inner deadline wins while it is open
                pass
            time.sleep(5)
        assert 0.4 < time.monotonic() - start < 3
        assert signal.getitimer(signal.ITIMER_REAL)[0] == 0  # nothing left armed
        with pytest.raises(SolutionTimeout), alarm_at(time.monotonic() + 0.1):
            time.sleep(5)  # alone, it fires as before
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@needs_sandbox
@pytest.mark.slow
def test_every_student_gets_the_same_check_data(tmp_path):
    """The checker is shared by the class: a check drawing from the solution's ``rng`` once
    advanced it for the next student, so two identical notebooks were checked on different data
    (and one student's run could move another's)."""
    from instructor.cli import main

    reports = 'def moving_average(x, window):\n    raise ValueError(f"first {x[0]:.9f}")\n'
    nb = student_notebook(read(FIXTURE))
    for cell in nb.cells:
        if "exercise:moving_average" in (cell.metadata.get("tags") or []):
            cell.source = reports
    folder = tmp_path / "submissions"
    for student in ("ann", "bob", "cid"):
        (folder / student).mkdir(parents=True)
        write(nb, folder / student / FIXTURE.name)
    out = tmp_path / "gradebook.csv"
    arguments = ["--solutions", str(FIXTURES), "--out", str(out), "--jobs", "1"]  # one checker
    assert main(["grade", str(folder), *arguments]) == 0
    seen = set()
    for path in sorted((tmp_path / "gradebook-feedback").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        seen.update(line for line in text.splitlines() if "first " in line)
    assert len(seen) == 1, seen


def test_a_tensor_crosses_as_its_array_a_scalar_one_too():
    import tensorflow as tf

    from instructor.sandboxed.wire_codec import decode, encode

    for value in (tf.constant(3.5), tf.constant([[1, 2], [3, 4]])):
        back = decode(encode(value, None, None), None, None)
        assert np.array_equal(np.asarray(back), value.numpy()) and back.shape == value.shape


def test_a_generator_state_with_huge_numbers_is_refused_as_data():
    """Attack review: a PCG64 state of 10**900 raised OverflowError past the refusal."""
    from instructor.sandboxed.bridge import RemoteError

    bridge = Bridge(-1, -1, None, None, None)
    rng = np.random.default_rng(0)
    state = rng.bit_generator.state
    state["state"]["state"] = 10**900
    with pytest.raises(RemoteError, match="generator state"):
        bridge._sync_generators([rng], [bridge.encode(state)])
