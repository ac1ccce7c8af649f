"""One run of a student process, seen from the checker: start it, serve it, stop it.

The student process runs in :mod:`instructor.sandbox`; the checker holds the other end of its
two pipes. What the student process may ask, in this order (anything else ends the run):

* ``begin <id>`` before an exercise cell, ``ready <id> <outcome> <names>`` after it: the checker
  then runs the exercise's checks (which call the student's functions) and answers with the
  solution's names, or ``skipped <id>`` for an exercise it does not run;
* ``solution:<name>`` of an exercise whose checks are done (during a check too: a student's
  ``rnn_backward`` may call ``rnn_step_backward``, which is then the solution's), never a name
  of the exercise being checked;
* ``done``.

Models arriving from the student pass :func:`instructor.competition.model_check.check_model_file`
before Keras loads them (safe mode).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

from instructor import sandbox
from instructor.project import ROOT
from instructor.sandbox.remove_tree import remove_tree
from instructor.sandboxed.bridge import Bridge, BridgeClosed
from instructor.sandboxed.wire_codec import Uncrossable

_INSIDE = Path("/opt/grading")
MAX_MODEL_PARAMS = 50_000_000
GRACE = 5.0


class SolutionTimeout(BaseException):
    """Checker code (a solution the student process called, or a check running a student's
    model) ran past the notebook's time."""


def _on_alarm(signum, frame):
    raise SolutionTimeout("ran past the notebook's time limit")


@contextlib.contextmanager
def alarm_at(deadline: float):
    """Raise :class:`SolutionTimeout` in this thread at ``deadline`` (``time.monotonic()``).

    Nested uses keep the earliest deadline, and leaving an inner one re-arms the outer one (the
    first version disarmed it: a solution that called back into the student process, which
    called another solution, then ran untimed).
    """
    left, _ = signal.getitimer(signal.ITIMER_REAL)
    outer = time.monotonic() + left if left > 0 else None
    due = deadline if outer is None else min(deadline, outer)
    signal.setitimer(signal.ITIMER_REAL, max(due - time.monotonic(), 0.01))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        if outer is not None:
            signal.setitimer(signal.ITIMER_REAL, max(outer - time.monotonic(), 0.01))


def save_model(model) -> bytes:
    with tempfile.TemporaryDirectory(prefix="bridge-") as folder:
        path = os.path.join(folder, "bridge.keras")
        model.save(path)
        return Path(path).read_bytes()


def load_checked_model(data: bytes):
    """A student's model: the competition's model check (without its look-ahead rule: exercises
    ask for many-to-one models), then Keras in safe mode."""
    import keras

    from instructor.competition.model_check import check_model_file
    from instructor.competition.model_params import ModelRefused

    with tempfile.TemporaryDirectory(prefix="bridge-") as folder:
        path = Path(folder) / "model.keras"
        path.write_bytes(data)
        try:
            check_model_file(path, MAX_MODEL_PARAMS, causal=False)
            # compile=False: Keras would build whatever loss, metric or optimizer the config's
            # compile_config names (attack review: MeanIoU(num_classes=12_000) took 14 GB).
            # Checks compile the models they train themselves.
            return keras.saving.load_model(path, safe_mode=True, compile=False)
        except ModelRefused as error:
            raise Uncrossable(f"the model was refused: {error}") from None
        except Exception as error:  # noqa: BLE001 - any load failure refuses the model
            raise Uncrossable(f"the model does not load: {type(error).__name__}") from None


def student_proxy(bridge: Bridge, name: str):
    """The checker's stand-in for the student's function ``name``: calling it sends the
    arguments over ``bridge`` and returns the student's result, both as data. Its
    ``call_repeatedly`` (the hook of :func:`helpers.checking.call_repeatedly`) asks for many
    calls in one round trip."""

    def proxy(*args, **kwargs):
        return bridge.call(f"student:{name}", *args, **kwargs)

    def call_repeatedly(times: int, *args, **kwargs) -> list:
        results = bridge.call(f"repeat:{name}", times, *args, **kwargs)
        if type(results) is not list or len(results) != times:
            raise ValueError(f"{name} gave no list of {times} results for {times} calls")
        return results

    proxy.__name__ = proxy.__qualname__ = name
    proxy.call_repeatedly = call_repeatedly
    return proxy


class StudentRun:
    """The student process of one attempt, and the checker's side of its conversation."""

    closed_error = BridgeClosed

    def __init__(self, state, cells, command, deadline, results, run_check):
        self.state, self.cells, self.command = state, cells, command
        self.limits, self.deadline, self.results = command["limits"], deadline, results
        self.run_check = run_check
        self.expected = [c["exercise"] for c in cells if c["kind"] != "public"]
        self.done: list[str] = []
        self.current: str | None = None
        self.checking = False
        self.finished = False
        self.cancel = threading.Event()
        self.outcome: sandbox.Outcome | None = None
        self.bridge: Bridge | None = None
        self.tainted = False  # a hidden check has given this process data: echo nothing more

    # -- the conversation
    def proxy(self, name: str):
        return student_proxy(self.bridge, name)

    def _next(self, exercise: object) -> str:
        if self.current is not None or not self.expected or exercise != self.expected[0]:
            raise BridgeClosed(f"exercise {str(exercise)[:40]!r} out of order (protocol broken)")
        return self.expected.pop(0)

    def handle(self, target: str, args: list, kwargs: dict):
        if self.checking and not target.startswith("solution:"):
            raise LookupError("nothing but earlier solutions can be called during a check")
        if target == "begin" and len(args) == 1:
            self.current = self._next(args[0])
            self.bridge.deadline = min(
                time.monotonic() + self.limits["cell_timeout"] + GRACE, self.deadline
            )
            return None
        if target == "ready" and len(args) == 3 and args[0] == self.current:
            exercise, outcome, defined = args
            self.bridge.deadline = self.deadline
            student = {"kind": "student", **_plain_outcome(outcome)}
            if self.tainted:
                student["withheld"] = True
            self.results[exercise] = [student]
            if student["status"] == "ok":
                self.checking = True
                try:
                    defined = defined if type(defined) is dict else {}
                    self.run_check(
                        self.state, exercise, defined, self, self.limits, self.results[exercise]
                    )
                finally:
                    self.checking = False
            self.done.append(exercise)
            self.current = None
            return self.state.given[exercise]
        if target == "skipped" and len(args) == 1:
            exercise = self._next(args[0])
            self.done.append(exercise)
            return self.state.given[exercise]
        if target.startswith("solution:"):
            name = target[len("solution:") :]
            owner = next((e for e in self.done if name in self.state.given[e]), None)
            checked = self.state.names.get(self.current, ()) if self.checking else ()
            if (
                owner is None
                or name in checked
                or self.state.given[owner][name] != {"function": True}
            ):
                raise LookupError(f"no solution {name[:60]!r} to call now")
            # What a solution returns is as secret as a hidden check's data: once the student
            # process has it, nothing it says is echoed (the attack review queried a solution
            # through a later cell's error message and a visible check's quote).
            self.tainted = True
            with alarm_at(self.deadline):
                return self.state.solution(name, owner)(*args, **kwargs)
        if target == "done" and not args and not self.expected and self.current is None:
            self.finished = True
            return None
        raise BridgeClosed(f"an unexpected request {target[:40]!r} (protocol broken)")

    def why_closed(self, error: BaseException) -> str:
        if "time limit" in str(error):
            return f"ran longer than {self.limits['cell_timeout']:g} s (the time limit)"
        if "protocol" in str(error):  # the details may quote what the student process sent
            return "broke the grading protocol"
        return "ended the student process (a crash, or more memory than the cap)"

    # -- the process
    def run(self) -> str | None:
        """Run the student process until it is done or stops; the exercise to skip next time
        (None: nothing more to do)."""
        import json

        to_student, from_checker = os.pipe()
        to_checker, from_student = os.pipe()
        scratch = Path(tempfile.mkdtemp(prefix="student-", dir=self.command.get("scratch")))
        work = scratch / "work"
        work.mkdir()
        program = {"read_fd": to_student, "write_fd": from_student, "cells": self.cells,
                   "cell_timeout": self.limits["cell_timeout"],
                   "max_output": self.limits["max_output"]}  # fmt: skip
        thread = threading.Thread(
            target=self._sandbox,
            args=(work, json.dumps(program).encode(), to_student, from_student),
        )
        self.bridge = Bridge(to_checker, from_checker, self.handle, save_model, load_checked_model)
        self.bridge.deadline = self.deadline
        old = signal.signal(signal.SIGALRM, _on_alarm)
        thread.start()
        stopped = None
        try:
            while not self.finished:
                message = self.bridge.receive()
                if message["op"] != "call":
                    raise BridgeClosed("a reply nobody asked for (protocol broken)")
                self.bridge.serve(message)
        except BridgeClosed as error:
            stopped = self._stopped(error)
        finally:
            signal.signal(signal.SIGALRM, old)
            self.cancel.set()
            for fd in (from_checker, to_checker):
                os.close(fd)
            thread.join()
            with contextlib.suppress(OSError):  # a cleanup problem never stops the class
                remove_tree(scratch)
        return stopped

    def _stopped(self, error: BridgeClosed) -> str | None:
        """Record why the run stopped where it did; the exercise to skip on the next run."""
        if self.current is not None and self.current not in self.done:
            why = self.why_closed(error)
            if self.current not in self.results:
                kind = "timeout" if "time limit" in str(error) else "killed"
                self.results[self.current] = [{"kind": "student", "status": kind, "evalue": why}]
            return self.current
        if self.done and time.monotonic() < self.deadline:
            return self.done[-1] if self.expected else None
        return None

    def _sandbox(self, work: Path, program: bytes, to_student: int, from_student: int) -> None:
        env = sandbox.python_env(work, COURSE_SMOKE="1", COURSE_DATA_DIR=self.command["data"])
        env["PYTHONPATH"] = f"{_INSIDE}:{ROOT}"
        package, inside = ROOT / "instructor", _INSIDE / "instructor"
        jail = sandbox.Jail(
            scratch=work,
            read_only=(ROOT / "helpers", Path(self.command["data"]),
                       (package / "__init__.py", inside / "__init__.py"),
                       (package / "sandboxed", inside / "sandboxed")),
            memory_mb=self.limits["memory_mb"],
            tree_memory_mb=self.limits["memory_mb"],
            max_procs=self.limits.get("max_procs", 256),
            scratch_mb=self.limits.get("disk_mb", 256),
            timeout=max(self.deadline - time.monotonic(), 1.0) + GRACE,
            max_output=self.limits["max_output"],
        )  # fmt: skip
        try:
            self.outcome = sandbox.run(
                [sys.executable, "-m", "instructor.sandboxed.student_process"],
                jail,
                env=env,
                stdin=program,
                pass_fds=(to_student, from_student),
                sandbox=self.command.get("sandbox", True),
                cancel=self.cancel,
            )
        finally:
            os.close(to_student)
            os.close(from_student)


def _plain_outcome(outcome: object) -> dict:
    """The student process's report of its exercise cell, as the checker believes it: a status
    and capped strings (it only ever costs the student points)."""
    if type(outcome) is not dict or outcome.get("status") not in ("ok", "error", "timeout",
                                                                  "output"):  # fmt: skip
        return {"status": "error", "ename": "ProtocolError", "evalue": "no valid outcome"}
    return {k: str(outcome.get(k, ""))[:2000] for k in ("status", "ename", "evalue")}
