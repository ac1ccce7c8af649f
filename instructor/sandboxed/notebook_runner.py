"""Run a program of notebook cells inside the sandbox and report each step's outcome, signed;
standard library only.

:func:`instructor.grading.run.run_steps` binds this file alone into the sandbox (it imports nothing
from ``instructor``) to execute notebooks: the tests of student copies and of the release. It
gives no grade: grading's verdicts come from the checker process
(``instructor/grading/checker.py``), and the grader's student process (``student_process.py``) only
borrows the cell limits below.
It reads one JSON object from standard input::

    {"key": "<hex>", "channel": 5, "cell_timeout": 120, "max_output": 1000000,
     "steps": [{"id": 0, "kind": "solution" | "student" | "check", "source": "..."}, ...]}

and runs every step's source in one IPython shell, in order. Solution steps run unguarded (they
are the instructor's code); student and check steps get a time limit and an output cap each.
For every student and check step it writes two lines to the file descriptor ``channel`` (a pipe the
grader owns): ``begin`` before the step and its outcome after it. Each line carries an HMAC
of its body
under the key, which the student's code cannot see (it only ever lived in this module's local
variables), so a forged line is recognised and ignored.
"""

import hashlib
import hmac
import io
import json
import os
import signal
import sys


class CellTimeout(BaseException):
    """The step ran past its time limit."""


class OutputLimit(BaseException):
    """The step printed more than its output cap."""


class CappedWriter(io.TextIOBase):
    """A text stream that counts characters and raises :class:`OutputLimit` past the cap."""

    def __init__(self, limit: int):
        self.limit, self.count = limit, 0

    def write(self, text: str) -> int:
        self.count += len(text)
        if self.count > self.limit:
            raise OutputLimit(f"more than {self.limit} characters of output")
        return len(text)

    def writable(self) -> bool:
        return True


def on_alarm(signum, frame):
    raise CellTimeout()


def cell_outcome(result) -> dict:
    error = result.error_before_exec or result.error_in_exec
    if error is None:
        return {"status": "ok"}
    status = {"CellTimeout": "timeout", "OutputLimit": "output"}.get(type(error).__name__, "error")
    evalue = str(error)
    if isinstance(error, SyntaxError):
        evalue = f"{error.msg} (line {error.lineno})"
    return {"status": status, "ename": type(error).__name__, "evalue": evalue[:2000]}


def main() -> int:
    program = json.loads(sys.stdin.read())
    key = bytes.fromhex(program.pop("key"))
    channel = os.fdopen(program.pop("channel"), "w", encoding="utf-8", buffering=1)

    def report(fields: dict) -> None:
        body = json.dumps(fields, sort_keys=True)
        mac = hmac.new(key, body.encode(), hashlib.sha256).hexdigest()
        channel.write(json.dumps({"body": body, "mac": mac}) + "\n")
        channel.flush()

    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance(colors="NoColor")
    signal.signal(signal.SIGALRM, on_alarm)
    real_out, real_err = sys.stdout, sys.stderr
    for step in program["steps"]:
        guarded = step["kind"] != "solution"
        if guarded:
            report({"step": step["id"], "status": "begin"})
            writer = CappedWriter(program["max_output"])
            sys.stdout = sys.stderr = writer
            signal.setitimer(signal.ITIMER_REAL, program["cell_timeout"])
        try:
            result = shell.run_cell(step["source"], store_history=False, silent=False)
            outcome = cell_outcome(result)
        except (CellTimeout, OutputLimit) as error:  # raised outside the cell's own code
            outcome = {"status": "timeout" if isinstance(error, CellTimeout) else "output"}
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            sys.stdout, sys.stderr = real_out, real_err
        if guarded or outcome["status"] != "ok":
            report({"step": step["id"], **outcome})
    report({"step": -1, "status": "done"})
    return 0


if __name__ == "__main__":
    sys.exit(main())
