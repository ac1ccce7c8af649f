"""The student process of a graded notebook: runs the student's cells, holds nothing secret.

Started by the checker (:mod:`instructor.grading.checker`) inside the sandbox. It reads one JSON
object
from standard input::

    {"read_fd": 3, "write_fd": 4, "cell_timeout": 120, "max_output": 1000000,
     "cells": [{"kind": "public" | "exercise" | "skip", "source": "...", "exercise": "id",
                "names": ["moving_average"]}, ...]}

and runs the cells of the student copy in one IPython shell: the public cells as handed out,
and at each exercise the student's own cell (or none: ``skip``). After an exercise cell it tells
the checker (``ready``) which of the exercise's names it defines and serves the checker's calls
to them, as plain data over the bridge, until the checker has run every check. Then each name
becomes the solution's: a function calls the checker's solution through the bridge, a value is
the solution's value as data. No check, no solution source, no key ever enters this process;
nothing it says is a verdict.
"""

import os
import signal
import sys
import tempfile

from helpers.checking import MAX_TIMES
from instructor.sandboxed.bridge import Bridge
from instructor.sandboxed.notebook_runner import (
    CappedWriter,
    CellTimeout,
    OutputLimit,
    cell_outcome,
    on_alarm,
)
from instructor.sandboxed.wire_codec import Uncrossable, encode


def _save_model(model) -> bytes:
    with tempfile.TemporaryDirectory(dir=".") as folder:
        path = os.path.join(folder, "bridge.keras")
        model.save(path)
        with open(path, "rb") as handle:
            return handle.read()


def _load_model(data: bytes):
    import keras

    with tempfile.TemporaryDirectory(dir=".") as folder:
        path = os.path.join(folder, "bridge.keras")
        with open(path, "wb") as handle:
            handle.write(data)
        return keras.saving.load_model(path, safe_mode=True)


def student_handler(namespace: dict):
    """What the student process serves: ``student:NAME`` calls the function ``NAME`` of the
    student's namespace; ``repeat:NAME`` with ``times`` first calls it that many times
    (:func:`helpers.checking.call_repeatedly`) and returns the list of results."""

    def handler(target: str, args: list, kwargs: dict):
        if target.startswith("student:") and target[8:] in namespace:
            return namespace[target[8:]](*args, **kwargs)
        if target.startswith("repeat:") and target[7:] in namespace and args:
            function, times = namespace[target[7:]], args[0]
            if type(times) is int and 0 <= times <= MAX_TIMES:
                return [function(*args[1:], **kwargs) for _ in range(times)]
        raise LookupError(f"no function {target[:60]!r} here")

    return handler


def main() -> int:
    import json

    program = json.loads(sys.stdin.read())
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance(colors="NoColor")
    namespace = shell.user_ns

    bridge = Bridge(
        program["read_fd"],
        program["write_fd"],
        student_handler(namespace),
        _save_model,
        _load_model,
    )

    def solution_proxy(name: str):
        def proxy(*args, **kwargs):
            return bridge.call(f"solution:{name}", *args, **kwargs)

        proxy.__name__ = proxy.__qualname__ = name
        return proxy

    def install(solution_names: dict) -> None:
        for name, value in solution_names.items():
            namespace[name] = solution_proxy(name) if value == {"function": True} else value

    signal.signal(signal.SIGALRM, on_alarm)
    real_out, real_err = sys.stdout, sys.stderr
    for cell in program["cells"]:
        if cell["kind"] == "public":
            shell.run_cell(cell["source"], store_history=False, silent=False)
            continue
        if cell["kind"] == "skip":
            install(bridge.call("skipped", cell["exercise"]))
            continue
        bridge.call("begin", cell["exercise"])
        sys.stdout = sys.stderr = CappedWriter(program["max_output"])
        signal.setitimer(signal.ITIMER_REAL, program["cell_timeout"])
        try:
            outcome = cell_outcome(
                shell.run_cell(cell["source"], store_history=False, silent=False)
            )
        except (CellTimeout, OutputLimit) as error:  # raised outside the cell's own code
            outcome = {"status": "timeout" if isinstance(error, CellTimeout) else "output"}
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            sys.stdout, sys.stderr = real_out, real_err
        defined = {}
        for name in cell["names"]:
            if name not in namespace:
                continue
            value = namespace[name]
            try:
                module = getattr(type(value), "__module__", "") or ""
                function = callable(value) and not module.startswith(("keras", "tensorflow"))
                defined[name] = {"function": True} if function else {"value": value}
                encode(defined[name], lambda f: 0, lambda m: b"")  # can it cross at all?
            except Uncrossable as error:
                defined.pop(name)
                if outcome["status"] == "ok":
                    outcome = {"status": "error", "ename": "Uncrossable",
                               "evalue": f"{name} cannot be graded: {error}"}  # fmt: skip
        install(bridge.call("ready", cell["exercise"], outcome, defined))
    bridge.call("done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
