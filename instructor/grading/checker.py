"""The checker process: the solution's state and every check, never a line of student code.

One checker serves one solution notebook for many students (the grader keeps one per worker).
It runs the solution notebook once (:class:`SolutionState`), keeping a shallow snapshot of the
namespace before each check cell. For each student it starts the student process
(``sandboxed/student_process.py``) in the sandbox and talks to it over
:mod:`instructor.sandboxed.bridge`:

* when the student process has run an exercise cell (``ready``), the checker runs that
  exercise's check cell, visible and hidden segments, in a copy of the snapshot in which every
  name the exercise defines is the student's: a function is a proxy that sends its arguments as
  data and returns the student's result as data; a value is the student's value, decoded;
* before and after, the student process may call the solutions of exercises already checked
  (public cells use them), never of the one being checked or a later one.

Feedback never echoes hidden-check data: an exercise's visible segments run before its hidden
ones, a failed hidden check is reported by a fixed sentence, and once a hidden check has called
the student process (it may keep and transform what it was given), every later message of that
process, or of a check quoting its values, is marked ``withheld`` (see
:data:`instructor.grading.verdicts.WITHHELD`). A new student process starts clean.

Limits: one wall-clock budget per notebook, restarts included; a check waits at most
``cell_timeout`` seconds for each call of a student function; a run that dies, hangs or breaks
the protocol fails what it was doing, and the student process starts again after it.

Started by :mod:`instructor.grading.checkers` as ``python -m instructor.grading.checker``; it reads
JSON commands on standard input and answers one JSON line each on its original standard output.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import signal
import sys
import time

import numpy as np

from instructor.grading.policy_names import bound_names
from instructor.grading.student_runs import GRACE, StudentRun, alarm_at
from instructor.notebooks.format import CHECK_TAG, EXERCISE_TAG, check_segments, exercises
from instructor.notebooks.io import read, tags
from instructor.notebooks.student_copies import student_notebook
from instructor.sandboxed.wire_codec import Uncrossable, encode


class SolutionBroken(RuntimeError):
    """A cell of the solution notebook failed: no student can be graded against it."""


def _is_function(value: object) -> bool:
    module = getattr(type(value), "__module__", "") or ""
    return callable(value) and not module.startswith(("keras", "tensorflow"))


class SolutionState:
    """The solution notebook, run once: snapshots before each check, names of each exercise."""

    def __init__(self, path: str):
        from IPython.core.interactiveshell import InteractiveShell

        self.nb = read(path)
        self.exercises = exercises(self.nb, os.path.basename(path))
        self.snapshots: dict[str, dict] = {}
        self.names: dict[str, list[str]] = {}
        self.checks: dict[str, str] = {}
        shell = InteractiveShell.instance(colors="NoColor")
        by_check = {e.check_cell: e for e in self.exercises}
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            for index, cell in enumerate(self.nb.cells):
                if cell.cell_type != "code" or not cell.source.strip():
                    continue
                if index in by_check:
                    exercise = by_check[index]
                    self.snapshots[exercise.id] = dict(shell.user_ns)
                    self.checks[exercise.id] = cell.source
                    source = self.nb.cells[exercise.exercise_cell].source
                    self.names[exercise.id] = sorted(bound_names(source))
                result = shell.run_cell(cell.source, store_history=False)
                error = result.error_before_exec or result.error_in_exec
                if error is not None:
                    raise SolutionBroken(f"solution cell {index} raised {error!r}"[:300])
        self.given = {e.id: self._given(e.id) for e in self.exercises}

    def _given(self, exercise: str) -> dict:
        """What the student process gets for an exercise's names once it is checked."""
        given = {}
        for name in self.names[exercise]:
            value = self.snapshots[exercise].get(name, None)
            if name not in self.snapshots[exercise]:
                continue
            entry = {"function": True} if _is_function(value) else {"value": value}
            try:
                encode(entry, lambda f: 0, lambda m: b"")
            except Uncrossable:
                continue
            given[name] = entry
        return given

    def solution(self, name: str, exercise: str):
        return self.snapshots[exercise][name]

    def student_cells(self, answers: dict, skip: set[str]) -> list[dict]:
        """The program of the student process: public cells, and the student's exercise cells."""
        copy = student_notebook(self.nb)
        cells, last = [], None
        for cell in copy.cells:
            if cell.cell_type != "code":
                continue
            cell_tags = tags(cell)
            mine = [t[len(EXERCISE_TAG) :] for t in cell_tags if t.startswith(EXERCISE_TAG)]
            exercise = mine[0] if mine else None
            if any(t.startswith(CHECK_TAG) for t in cell_tags):
                continue
            if exercise is None:
                cells.append({"kind": "public", "source": cell.source})
                continue
            kind = "skip" if exercise in skip or answers.get(exercise) is None else "exercise"
            source = (answers.get(exercise) or "") if kind == "exercise" else ""
            names = self.names[exercise]
            cells.append({"kind": kind, "exercise": exercise, "names": names, "source": source})
            last = len(cells)
        return cells[:last] if last is not None else []


def _fresh(value: object) -> object:
    """An array or a generator copied, a list, dict or set copied one level (never the models
    they may hold); anything else as it is."""
    if type(value) in (np.ndarray, np.random.Generator):
        return copy.deepcopy(value)
    return type(value)(value) if type(value) in (list, dict, set) else value


class _Null(io.TextIOBase):
    def write(self, text: str) -> int:
        return len(text)


def run_check(
    state: SolutionState,
    exercise: str,
    defined: dict,
    run: StudentRun,
    limits: dict,
    outcomes: list[dict],
) -> None:
    """Run one exercise's check segments against the student's names, appending each outcome to
    ``outcomes`` as it comes: a run that ends inside a check keeps what it has (a crash or a hang
    during a check once lost the outcomes, and the exercise scored as passed)."""
    # Each student's checks start from the solution's state: containers and generators are
    # copied, so what one check changes (a draw, an item) never reaches the next student.
    namespace = {k: _fresh(v) for k, v in state.snapshots[exercise].items()}
    for name in state.names[exercise]:
        namespace.pop(name, None)
    for name, entry in defined.items():
        if name not in state.names[exercise] or type(entry) is not dict:
            continue
        namespace[name] = run.proxy(name) if entry == {"function": True} else entry.get("value")
    # Visible segments first (a stable sort): until a hidden check has given the student process
    # its data, what that process says may be echoed in feedback; after, nothing it says is.
    segments = sorted(check_segments(state.checks[exercise]), key=lambda s: s.hidden)
    for number, segment in enumerate(segments):
        described = {"kind": "check", "check": segment.name, "hidden": segment.hidden}
        if segment.hidden:
            run.tainted = True  # from here on, the student process may hold hidden data
        elif run.tainted:
            described["withheld"] = True
        # Each call of a student function gets cell_timeout, not the segment as a whole: a check
        # that builds and loads two dozen models on a loaded machine is not the student's time.
        run.bridge.deadline, run.bridge.per_call = run.deadline, limits["cell_timeout"]
        try:
            # A check may run a student's model here, in the checker: the alarm bounds it
            # (after the bridge's own deadline, which ends calls into the student process).
            with (
                contextlib.redirect_stdout(_Null()),
                contextlib.redirect_stderr(_Null()),
                alarm_at(run.deadline + GRACE),
            ):
                exec(compile(segment.source, f"<check {exercise}>", "exec"), namespace)  # noqa: S102
            outcomes.append({**described, "status": "ok"})
        except run.closed_error as error:
            why = run.why_closed(error)
            for rest in segments[number:]:
                outcomes.append({"kind": "check", "check": rest.name, "hidden": rest.hidden,
                                 "status": "killed", "evalue": why})  # fmt: skip
            raise
        except BaseException as error:  # noqa: BLE001 - a failed check, whatever it raised
            outcomes.append({**described, "status": "error", "ename": type(error).__name__,
                             "evalue": str(error)[:2000]})  # fmt: skip
        finally:
            run.bridge.deadline, run.bridge.per_call = run.deadline, None


def grade(state: SolutionState, command: dict) -> dict:
    """All outcomes of one student: exercise id -> outcomes of its student cell and checks."""
    limits, answers = command["limits"], command["answers"]
    skip = set(command.get("skip", []))
    results: dict[str, list[dict]] = {}
    deadline = time.monotonic() + limits["timeout"]
    for _attempt in range(len(state.exercises) + 1):
        cells = state.student_cells(answers, skip | set(results))
        if not any(c["kind"] == "exercise" for c in cells) or time.monotonic() >= deadline:
            break
        before = len(results)
        run = StudentRun(state, cells, command, deadline, results, run_check)
        stopped_in = run.run()
        if stopped_in is None or (stopped_in in skip and len(results) == before):
            break
        skip.add(stopped_in)
    for exercise in state.exercises:
        if exercise.id not in results and exercise.id not in skip and answers.get(exercise.id):
            why = "was not reached: the run stopped before it (time limit, memory cap or a crash)"
            results[exercise.id] = [{"kind": "student", "status": "killed", "evalue": why}]
        outcomes = results.get(exercise.id, [])
        checked = sum(o.get("kind") == "check" for o in outcomes)
        if outcomes and outcomes[0].get("status") == "ok":
            if checked < len(check_segments(state.checks[exercise.id])):  # fail closed
                why = "the run stopped during this exercise's checks (time limit or a crash)"
                outcomes.append({"kind": "check", "check": None, "hidden": False,
                                 "status": "killed", "evalue": why})  # fmt: skip
    return {"results": results}


def main() -> int:
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # solution cells and TensorFlow print; the grader reads only the channel
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    state = None
    for line in sys.stdin:
        command = json.loads(line)
        try:
            if "solution" in command:
                state = SolutionState(command["solution"])
                answer = {"loaded": [e.id for e in state.exercises]}
            else:
                answer = grade(state, command)
        except Exception as error:  # noqa: BLE001 - the grader reports it, the class goes on
            answer = {"error": f"{type(error).__name__}: {error}"[:400]}
        channel.write(json.dumps(answer) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
