"""The grader's side of grading: one checker process per worker, and the rows of a submission.

A :class:`Checker` is a ``python -m instructor.grading.checker`` process that has run one solution
notebook; the grader keeps one per worker thread (:class:`Checkers`) and starts another only
when the worker moves on to another notebook, so the solution's state is built once per
notebook and worker, not once per student. Grading a submission sends the student's exercise
cells (as text) to the checker and turns the outcomes it reports into points with
:func:`instructor.grading.verdicts.score_exercise`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import asdict
from pathlib import Path

from instructor import sandbox
from instructor.grading.submissions import Solution
from instructor.grading.verdicts import (
    GradeRow,
    Limits,
    Step,
    clip_reason,
    refusals,
    score_exercise,
)
from instructor.notebooks.format import EXERCISE_TAG
from instructor.project import ROOT

BUILD_TIMEOUT = 3600
"""Seconds a checker may take to run the solution notebook once (trusted code; a hang is ours)."""
CHECKER_GRACE = 120
"""Seconds a checker may take beyond the notebook's ``timeout`` to answer for one student (its
own work: checks, decoding the student's data, loading models) before it is killed."""


WATCH_INTERVAL = 0.1
"""Seconds between two looks at a checker's time and memory while it grades a student."""


def resident_mib(pid: int) -> float:
    """The resident memory of process ``pid`` in MiB (0 where ``/proc`` cannot tell)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0.0


class CheckerFailed(RuntimeError):
    """The checker process could not run the solution notebook or stopped answering."""


class Checker:
    """One checker process serving one solution notebook."""

    def __init__(self, solution: Solution, data: Path, scratch: Path):
        self.solution = solution
        home = scratch / f"checker-{os.getpid()}-{threading.get_ident()}"
        home.mkdir(parents=True, exist_ok=True)
        env = sandbox.python_env(home, COURSE_SMOKE="1", COURSE_DATA_DIR=str(data))
        env["PYTHONPATH"] = str(ROOT)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "instructor.grading.checker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=home,
            text=True,
        )
        answer = self.ask({"solution": str(solution.path.resolve())}, timeout=BUILD_TIMEOUT)
        if "error" in answer:
            self.close()
            raise CheckerFailed(
                f"the solution {solution.path.name} does not run: {answer['error']}"
            )

    def ask(self, command: dict, timeout: float, memory_mb: int | None = None) -> dict:
        """Send one student's command; the checker is killed if it has not answered within
        ``timeout`` seconds, or once it holds more than ``memory_mb`` MiB (a submission whose
        data is slow or large to decode or check costs the class at most that; the attack
        reviews of the two-process design: an 80,000-character vocabulary held it 132 s, and a
        solution called with a huge input took 10 GB)."""
        stop, killed = threading.Event(), []
        watchdog = threading.Thread(
            target=self._watch, args=(timeout, memory_mb, stop, killed), daemon=True
        )
        watchdog.start()
        try:
            self.process.stdin.write(json.dumps(command) + "\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline()
        except OSError as error:
            raise CheckerFailed(f"the checker stopped ({error})") from None
        finally:
            stop.set()
            watchdog.join()
        if not line:
            try:
                status = self.process.wait(timeout=10)  # its output closed: it has ended
            except subprocess.TimeoutExpired:
                self.process.kill()
                status = self.process.wait()
            why = killed[0] if killed else f"exit status {status}"
            raise CheckerFailed(f"the checker stopped ({why})")
        return json.loads(line)

    def _watch(self, timeout: float, memory_mb: int | None, stop, killed: list) -> None:
        end = time.monotonic() + timeout
        while not stop.wait(WATCH_INTERVAL):
            if time.monotonic() >= end:
                killed.append(f"took over {timeout:.0f} s")
            elif memory_mb is not None and resident_mib(self.process.pid) > memory_mb:
                killed.append(f"held over {memory_mb} MiB")
            else:
                continue
            self.process.kill()
            return

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Checkers:
    """At most one live checker per worker thread: the one for the notebook it grades now."""

    def __init__(self, data: Path, scratch: Path):
        self.data, self.scratch = data, scratch
        self.local = threading.local()
        self.every: list[Checker] = []
        self.lock = threading.Lock()

    def get(self, solution: Solution) -> Checker:
        current = getattr(self.local, "checker", None)
        if current is not None and current.solution.path == solution.path:
            if current.process.poll() is None:
                return current
        if current is not None:
            current.close()
        checker = Checker(solution, self.data, self.scratch)
        self.local.checker = checker
        with self.lock:
            self.every.append(checker)
        return checker

    def close(self) -> None:
        for checker in self.every:
            checker.close()


ADVICE = "policy advice (no points lost for it)"
"""Marks a finding of the exercise policy in a reason: the cell is graded all the same."""


def _advised(text: str, finding: str) -> str:
    """``text`` (cut so the advice fits) followed by the policy's finding."""
    room = 150
    text = " ".join(text.split())
    text = text if len(text) <= room else text[: room - 3] + "..."
    return f"{text}; {ADVICE}: {finding}"


def grade_notebook(
    submission_nb,
    solution: Solution,
    student: str,
    limits: Limits,
    checkers: Checkers,
    use_sandbox: bool = True,
) -> list[GradeRow]:
    """Grade one parsed submission against its solution; one row per exercise."""
    from instructor.grading.verdicts import student_cells

    answers = student_cells(submission_nb, solution)
    advice = refusals(solution, answers) if limits.policy else {}
    done: dict[str, tuple[float, str, str]] = {}
    for exercise in solution.exercises:
        if answers[exercise.id] is None:
            why = f"not attempted: no cell tagged {EXERCISE_TAG}{exercise.id} in the notebook"
            done[exercise.id] = (0.0, why, why)
    if len(done) < len(solution.exercises):
        command = {"answers": answers, "skip": sorted(done), "limits": asdict(limits),
                   "data": str(checkers.data), "scratch": str(checkers.scratch),
                   "sandbox": use_sandbox}  # fmt: skip
        checker = checkers.get(solution)
        answer = checker.ask(
            command, timeout=limits.timeout + CHECKER_GRACE, memory_mb=limits.checker_memory_mb
        )
        if "error" in answer:
            raise CheckerFailed(answer["error"])
        for exercise in solution.exercises:
            outcomes = answer["results"].get(exercise.id)
            if exercise.id in done or not outcomes:
                continue
            pairs = [
                (Step(i, o["kind"], "", exercise.id, o.get("check"), bool(o.get("hidden"))), o)
                for i, o in enumerate(outcomes)
            ]
            done[exercise.id] = score_exercise(exercise, pairs, limits)
    note = "" if use_sandbox else " [graded without sandbox]"
    rows = []
    for exercise in solution.exercises:
        points, reason, feedback = done.get(exercise.id, (0.0, "not graded", "not graded"))
        if exercise.id in advice:
            reason, feedback = (_advised(text, advice[exercise.id]) for text in (reason, feedback))
        rows.append(GradeRow(student, solution.path.name, exercise.id, points, exercise.points,
                             clip_reason(reason) + note, clip_reason(feedback)))  # fmt: skip
    return rows
