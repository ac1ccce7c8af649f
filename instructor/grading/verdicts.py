"""Grade submitted notebooks with the hidden checks, so that a student cannot game the verdict.

Two processes grade one notebook; student code and verdicts never share one:

* the **student process** (``sandboxed/student_process.py``, in :mod:`instructor.sandbox`: no
  network, no view of solutions or other submissions, one time budget for the notebook, memory
  capped for its whole process tree) runs the public cells of the student copy and the
  student's exercise cells. It holds no check, no solution, no key;
* the **checker process** (:mod:`instructor.grading.checker`) has run the solution notebook once and
  runs every check cell, visible and hidden, in the solution's state, where each name the
  exercise defines is the student's: calling it sends the arguments to the student process as
  plain data (:mod:`instructor.sandboxed.wire_codec`) and returns the student's result as data.
  It never runs student code. Public cells after an exercise call its solution the other way.

So a wrong exercise 1 cannot cost the points of exercise 2, and whatever the student's cell
does to its own process (patching NumPy, walking frames, lying ``__eq__``) stays there. The
exercise policy (:mod:`instructor.grading.policy`) is advice: a flagged cell is graded like any
other, and the policy's reason is added to its feedback (``Limits.policy``), so an honest student
learns what to avoid and a correct answer keeps its points; no route to points depends on it.
This module finds the student's cells and turns the outcomes of checks into points, reasons and
feedback.
"""

from __future__ import annotations

from dataclasses import dataclass

from instructor.grading import policy, policy_names
from instructor.grading.submissions import Solution
from instructor.notebooks.format import EXERCISE_TAG
from instructor.notebooks.io import tags
from instructor.sandbox.jail import DEFAULT_MEMORY_MB

_REASON_LENGTH = 240


@dataclass(frozen=True)
class Limits:
    """Limits of grading one notebook.

    ``timeout``: wall-clock seconds for the whole notebook, restarts included; ``cell_timeout``:
    seconds for one exercise cell, and for each call a check makes to a student function;
    ``max_output``: characters an exercise cell may print; ``memory_mb``: the student process
    tree's memory, all processes together; ``max_procs``: its processes and threads;
    ``disk_mb``: the student process's writable scratch folder (a tmpfs of that size in the
    sandbox; its ``/tmp`` is another, of 512 MiB); ``policy``: add the exercise policy's
    advice to the feedback of cells it flags (advice only: flagged cells are graded all the
    same, and no student code ever runs next to a check); ``checker_memory_mb``: the checker
    process's memory while it grades one student (it runs outside the sandbox and holds the
    solution's state, about 1 GiB; a student's data or model can make a check or a solution
    larger: over the cap, the checker is killed, that student's notebook is not graded, and
    the next student gets a new checker).
    """

    timeout: float = 300
    cell_timeout: float = 120
    max_output: int = 1_000_000
    memory_mb: int = DEFAULT_MEMORY_MB
    max_procs: int = 256
    disk_mb: int = 256
    policy: bool = True
    checker_memory_mb: int = 6144


@dataclass(frozen=True)
class GradeRow:
    """One exercise of one student: points, the instructor's reason, the student's feedback."""

    student: str
    notebook: str
    exercise: str
    points: float
    max_points: float
    reason: str
    feedback: str = ""


@dataclass
class Step:
    """One cell of the grading program; ``kind`` is solution, student or check."""

    id: int
    kind: str
    source: str
    exercise: str = ""
    check: str | None = None
    hidden: bool = False


def clip_reason(text: str) -> str:
    """``text`` on one line, at most 240 characters (a reason or feedback in a row)."""
    text = " ".join(text.split())
    return text if len(text) <= _REASON_LENGTH else text[: _REASON_LENGTH - 3] + "..."


def _first_line(source: str) -> str:
    return next((line.strip() for line in source.splitlines() if line.strip()), "")


def student_cells(submission_nb, solution: Solution) -> dict[str, str | None]:
    """The source of each exercise cell in the submission (None: no such cell).

    The cell tagged ``exercise:<id>`` wins; when the tags were lost, a code cell that starts with
    the same line as the handed-out exercise cell (e.g. ``def moving_average(x, window):``).
    """
    found: dict[str, str | None] = {e.id: None for e in solution.exercises}
    code = [cell for cell in submission_nb.cells if cell.cell_type == "code"]
    for cell in code:
        for tag in tags(cell):
            exercise_id = tag[len(EXERCISE_TAG) :] if tag.startswith(EXERCISE_TAG) else None
            if exercise_id in found and found[exercise_id] is None:
                found[exercise_id] = cell.source
    for exercise in solution.exercises:
        first = _first_line(solution.nb.cells[exercise.exercise_cell].source)
        if found[exercise.id] is None and first and not first.startswith("###"):
            found[exercise.id] = next(
                (c.source for c in code if _first_line(c.source) == first), None
            )
    return found


def refusals(solution: Solution, answers: dict[str, str | None]) -> dict[str, str]:
    """Exercise id -> what the policy advises against in the student's cell (flagged ones)."""
    refused = {}
    cells = solution.nb.cells
    for exercise in solution.exercises:
        source = answers.get(exercise.id)
        if source is None:
            continue
        earlier = [c.source for c in cells[: exercise.exercise_cell] if c.cell_type == "code"]
        protected = policy_names.protected_names(earlier)
        own = policy_names.bound_names(cells[exercise.exercise_cell].source)
        found = policy.violations(source, protected, own)
        if found:
            refused[exercise.id] = "; ".join(found)
    return refused


ECHO = 80
"""Most characters of a message the student's own code wrote (an exception) that are echoed."""

WITHHELD = (
    "its message is withheld: hidden checks or the solutions had given your code their data "
    "by then; "
    "run the check cell in your notebook to see it"
)
"""Feedback instead of a message that could carry hidden-check data: once a hidden check has
called the student's code, the student process may hold its inputs (reversed, encoded...), so
nothing it says afterwards (an exception, a value a visible check quotes) is echoed."""


def _echo(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= ECHO else text[: ECHO - 3] + "..."


def _student_failure(outcome: dict, exercise_id: str, limits: Limits) -> str:
    """Why the student's exercise cell failed, in words a student understands."""
    status, ename = outcome["status"], _echo(outcome.get("ename", ""))
    evalue = _echo(outcome.get("evalue", ""))
    if outcome.get("withheld") and status == "error":  # a built-in error's name, no message
        if ename == "NotImplementedError":
            return f"not attempted: {exercise_id} still raises NotImplementedError"
        if ename in ("SyntaxError", "IndentationError"):
            return f"syntax error in your exercise cell ({WITHHELD})"
        # which built-in, only for running out of memory: a student's code chose among 17 names
        # to signal 4 bits of hidden data per cell (attack review)
        shown = "MemoryError (out of memory)" if ename == "MemoryError" else "an exception"
        return f"your exercise cell raised {shown} ({WITHHELD})"
    if status == "timeout":
        return f"time limit: your exercise cell ran longer than {limits.cell_timeout:g} s"
    if status == "output":
        return f"output too large: your exercise cell printed more than {limits.max_output:,} chars"
    if status in ("died", "killed"):
        return f"your exercise cell {outcome['evalue']}"
    if ename == "NotImplementedError":
        return f"not attempted: {exercise_id} still raises NotImplementedError"
    if ename in ("SyntaxError", "IndentationError"):
        return f"syntax error in your exercise cell: {evalue}"
    return f"your exercise cell raised {ename}: {evalue}" if evalue else f"raised {ename}"


def _check_failure(step: Step, outcome: dict) -> tuple[str, str]:
    """(instructor's reason, student's feedback) for a failed check segment."""
    ename, evalue = outcome.get("ename", ""), outcome.get("evalue", "")
    status = outcome["status"]
    if status in ("timeout", "output", "died", "killed"):
        error = {"timeout": "ran past its time limit", "output": "printed too much"}.get(
            status, evalue or "stopped"
        )
    elif ename == "AssertionError":  # the check's own message (it may quote student data)
        error = f"{ename}: {evalue}" if evalue else ename
    else:  # raised by the student's function, or by the check on the student's data
        error = f"{_echo(ename)}: {_echo(evalue)}" if evalue else _echo(ename)
    name = f"check {step.check!r}" if step.check else "check"
    if step.hidden:  # a fixed sentence: nothing the student's code said or returned
        return f"hidden {name} failed: {error}", f"{name} failed (a hidden check)"
    if outcome.get("withheld"):
        return f"{name} failed (withheld from feedback): {error}", f"{name} failed ({WITHHELD})"
    message = evalue if ename == "AssertionError" and evalue else error
    return f"{name} failed: {message}", f"{name} failed: {message}"


def score_exercise(
    exercise, results: list[tuple[Step, dict]], limits: Limits
) -> tuple[float, str, str]:
    """Points, reason and feedback of one exercise from its steps' outcomes."""
    student = [o for s, o in results if s.kind == "student"]
    if not student:
        why = f"not graded: the run stopped before {exercise.id}"
        return 0.0, why, why
    if student[0]["status"] != "ok":
        why = _student_failure(student[0], exercise.id, limits)
        return 0.0, why, why
    checks = [(s, o) for s, o in results if s.kind == "check"]
    if not checks:  # every exercise has a check cell: no outcome means its checks never ran
        why = f"not graded: the checks of {exercise.id} did not run"
        return 0.0, why, why
    named = list(dict.fromkeys(s.check for s, _ in checks if s.check is not None))
    failures = [(s, o) for s, o in checks if o["status"] != "ok"]
    if any(o.get("ename") == "NotImplementedError" for _, o in failures):
        why = f"not attempted: {exercise.id} still raises NotImplementedError"
        return 0.0, why, why
    if any(s.check is None for s, _ in failures) or not named:
        if not failures:
            return exercise.points, "passed", "passed"
        reason, feedback = _check_failure(*failures[0])
        return 0.0, reason, feedback
    failed = list(dict.fromkeys(s.check for s, _ in failures))
    points = exercise.points * (len(named) - len(failed)) / len(named)
    if not failed:
        return points, "passed", "passed"
    pairs = [_check_failure(*next(f for f in failures if f[0].check == n)) for n in failed]
    return points, "; ".join(r for r, _ in pairs), "; ".join(f for _, f in pairs)
