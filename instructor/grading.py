"""Grade submitted student notebooks with the hidden checks of the solutions.

Usage (from the repository root)::

    python -m helpers.grade submissions/ --out gradebook.csv
    python -m helpers.grade alice.ipynb bob/02_lstm.ipynb --out gradebook.csv --timeout 300

For every submitted notebook (folders are searched recursively for ``*.ipynb``) the grader

1. finds the matching solution in ``--solutions`` by the ``exercise:<id>``/``check:<id>`` tags
   of its cells, or by the notebook's number or name when the tags were lost;
2. builds a grading copy: the student's cells, each ``check:<id>`` cell replaced by the
   solution's full check cell (visible and hidden checks), outputs cleared; the submission file
   is only read, never written;
3. executes the copy headless in smoke mode (``COURSE_SMOKE=1``) in a separate process with its
   own kernel, working directory an empty scratch folder; every cell has a time limit
   (``--cell-timeout``), the notebook has one (``--timeout``), a cell's output is capped
   (``--max-output``), and an error does not stop later cells;
4. gives each exercise its points when its full check cell ran without error and its exercise
   cell broke no limit, else 0 and the reason (not attempted, the failed assert's message,
   syntax error, time limit, ...).

It writes the gradebook as CSV (student, notebook, exercise, points, max_points, reason) and
a readable Markdown summary next to it (same name, ``.md``). A submission that crashes,
loops, deletes files or prints megabytes costs only its own points.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from jupyter_core.utils import ensure_async
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

from helpers.authoring import clean_notebook, read, tags, write
from helpers.students import (
    CHECK_TAG,
    EXERCISE_TAG,
    Exercise,
    NotebookFormatError,
    exercises,
)

DEFAULT_TIMEOUT = 300
"""Seconds a whole submission may run (kernel start not counted)."""
DEFAULT_CELL_TIMEOUT = 120
"""Seconds one cell may run."""
DEFAULT_MAX_OUTPUT = 1_000_000
"""Characters of output one cell may produce before it counts as failed."""
_KILL_GRACE = 30
"""Seconds on top of the notebook limit before the grading process is killed outright."""
_TIMEOUT_ENAME = "CellTimeout"
_REASON_LENGTH = 240
_PACKAGE_ROOT = Path(__file__).resolve().parents[1]
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_SYNTAX_WHERE = re.compile(r"\s*\((?:[^()]*), line (\d+)\)$")

FIELDS = ("student", "notebook", "exercise", "points", "max_points", "reason")
"""Columns of the CSV gradebook."""


@dataclass(frozen=True)
class GradeRow:
    """One line of the gradebook: what one student scored on one exercise, and why."""

    student: str
    notebook: str
    exercise: str
    points: float
    max_points: float
    reason: str


@dataclass(frozen=True)
class CellOutcome:
    """What happened to one code cell of a grading run.

    ``status`` is ``ok``, ``error``, ``timeout`` (the cell hit its limit), ``output`` (too
    much output), ``died`` (the kernel died in it) or ``not_run``; for ``not_run``, ``cause``
    says why (``timeout``, ``died``, or ``crash`` of the grading process) and ``at`` at which
    cell (0-based index of the grading copy).
    """

    status: str
    ename: str = ""
    evalue: str = ""
    limit: float = 0.0
    notebook_limit: bool = False
    cause: str = ""
    at: int = -1


@dataclass
class Solution:
    """A solution notebook and its validated exercises."""

    path: Path
    nb: nbformat.NotebookNode
    exercises: list[Exercise] = field(default_factory=list)

    @property
    def ids(self) -> set[str]:
        return {exercise.id for exercise in self.exercises}


@dataclass(frozen=True)
class Limits:
    """Limits of one grading run (seconds, characters)."""

    timeout: float = DEFAULT_TIMEOUT
    cell_timeout: float = DEFAULT_CELL_TIMEOUT
    max_output: int = DEFAULT_MAX_OUTPUT


# --------------------------------------------------------------------------- finding things


def load_solutions(folder: str | Path) -> dict[str, Solution]:
    """Read and validate every ``*.ipynb`` in ``folder``; return them by file name.

    Raises:
        FileNotFoundError: the folder does not exist or holds no notebook.
        NotebookFormatError: a solution breaks the authoring contract.
    """
    folder = Path(folder)
    paths = sorted(folder.glob("*.ipynb")) if folder.is_dir() else []
    if not paths:
        raise FileNotFoundError(
            f"--solutions {str(folder)!r} holds no solution notebooks; pass the folder with the "
            "instructor notebooks, e.g. --solutions solutions."
        )
    solutions = {}
    for path in paths:
        nb = read(path)
        solutions[path.name] = Solution(path, nb, exercises(nb, path.name))
    return solutions


def find_submissions(paths: Iterable[str | Path]) -> list[tuple[Path, Path]]:
    """Return ``(notebook, root)`` for every submitted notebook, in a stable order.

    A file is its own submission (root: its folder); a folder contributes every ``*.ipynb``
    below it except Jupyter checkpoints (root: the folder).

    Raises:
        FileNotFoundError: a path does not exist.
    """
    found: list[tuple[Path, Path]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for notebook in sorted(path.rglob("*.ipynb")):
                if ".ipynb_checkpoints" not in notebook.parts:
                    found.append((notebook, path))
        elif path.is_file():
            found.append((path, path.parent))
        else:
            raise FileNotFoundError(f"submission path {str(path)!r} does not exist.")
    return found


def student_name(path: Path, root: Path, solution_files: Iterable[str]) -> str:
    """Name the student of a submission.

    ``alice/02_lstm.ipynb`` (named like a solution) gives ``alice``; any other file gives its
    path below the root without ``.ipynb``, e.g. ``alice_02.ipynb`` gives ``alice_02``.
    """
    relative = path.relative_to(root) if path.is_relative_to(root) else Path(path.name)
    if path.name in set(solution_files):
        return relative.parent.as_posix() if relative.parent != Path(".") else path.parent.name
    return relative.with_suffix("").as_posix()


def _tag_ids(nb) -> set[str]:
    ids = set()
    for cell in nb.cells:
        for tag in tags(cell):
            for prefix in (EXERCISE_TAG, CHECK_TAG):
                if tag.startswith(prefix):
                    ids.add(tag[len(prefix) :])
    return ids


def match_solution(
    submission_nb, submission_path: Path, solutions: dict[str, Solution]
) -> Solution | None:
    """Return the solution a submission belongs to, or None.

    The solution sharing the most exercise ids wins; without shared ids, the solution whose
    file name (without ``.ipynb``) or number prefix (``02_``) starts the submission's name.
    """
    ids = _tag_ids(submission_nb) if submission_nb is not None else set()
    best = max(solutions.values(), key=lambda solution: len(solution.ids & ids))
    if ids and best.ids & ids:
        return best
    return match_by_name(submission_path, solutions)


def match_by_name(submission_path: Path, solutions: dict[str, Solution]) -> Solution | None:
    """Return the solution whose name or number prefix appears in the submission's file name."""
    name = submission_path.name.lower()
    for file_name, solution in solutions.items():
        if Path(file_name).stem.lower() in name:
            return solution
    for file_name, solution in solutions.items():
        number = file_name.split("_", 1)[0]
        if number.isdigit() and re.search(rf"(^|[^0-9]){number}_", name):
            return solution
    return None


# --------------------------------------------------------------------------- grading copy


@dataclass
class GradingCopy:
    """The notebook the grader executes, and where each exercise's cells are in it."""

    nb: nbformat.NotebookNode
    check_cell: dict[str, int]
    exercise_cells: dict[str, list[int]]
    cell_number: dict[int, int | None]
    """Grading-copy index -> 1-based cell number in the submission (None: inserted)."""


def grading_copy(submission_nb, solution: Solution) -> GradingCopy:
    """Put the solution's full check cells into a copy of the submission.

    Each ``check:<id>`` cell of the submission gets the solution's check cell source
    (visible and hidden checks); a missing check cell is inserted after the exercise cell
    (or at the end). Outputs are cleared; the submission object is not modified.
    """
    full_checks = {e.id: solution.nb.cells[e.check_cell] for e in solution.exercises}
    cells = []
    numbers: dict[int, int | None] = {}
    check_cell: dict[str, int] = {}
    exercise_cells: dict[str, list[int]] = {}
    for number, cell in enumerate(submission_nb.cells, start=1):
        cell = copy.deepcopy(cell)
        cell_tags = tags(cell)
        for tag in cell_tags:
            if tag.startswith(CHECK_TAG) and tag[len(CHECK_TAG) :] in full_checks:
                exercise_id = tag[len(CHECK_TAG) :]
                cell.cell_type = "code"
                cell.source = full_checks[exercise_id].source
                cell.setdefault("outputs", [])
                cell.setdefault("execution_count", None)
                check_cell[exercise_id] = len(cells)
            elif tag.startswith(EXERCISE_TAG):
                exercise_cells.setdefault(tag[len(EXERCISE_TAG) :], []).append(len(cells))
        numbers[len(cells)] = number
        cells.append(cell)
    for exercise in solution.exercises:
        if exercise.id in check_cell:
            continue
        after = exercise_cells.get(exercise.id)
        position = after[-1] + 1 if after else len(cells)
        cells.insert(position, copy.deepcopy(full_checks[exercise.id]))
        check_cell = {k: (v + 1 if v >= position else v) for k, v in check_cell.items()}
        exercise_cells = {
            k: [i + 1 if i >= position else i for i in v] for k, v in exercise_cells.items()
        }
        numbers = {(i + 1 if i >= position else i): n for i, n in numbers.items()}
        numbers[position] = None
        check_cell[exercise.id] = position
    nb = nbformat.v4.new_notebook()
    nb.nbformat_minor, nb.cells = 4, cells  # nbformat 4.4: cells carry no ids
    nb.metadata = copy.deepcopy(submission_nb.get("metadata", nbformat.NotebookNode()))
    return GradingCopy(
        clean_notebook(nb, keep_checked_outputs=False), check_cell, exercise_cells, numbers
    )


# --------------------------------------------------------------------------- execution


def _kernel_env() -> dict[str, str]:
    """Environment of the grading process and its kernel: smoke mode, helpers importable."""
    env = dict(os.environ)
    env["COURSE_SMOKE"] = "1"
    env["MPLBACKEND"] = "Agg"
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    env.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    env["PYTHONPATH"] = os.pathsep.join(
        [str(_PACKAGE_ROOT)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
    )
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    return env


def _kill_group(pid: int | None) -> None:
    """Kill the process group led by ``pid`` (a process this module started)."""
    if not pid:
        return
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def run_notebook(nb, scratch: str | Path, limits: Limits = Limits()) -> dict[int, CellOutcome]:
    """Execute ``nb`` in a separate process; return the outcome of each code cell by index.

    The kernel's working directory is ``scratch/work`` (created empty); the run is killed
    ``_KILL_GRACE`` seconds after ``limits.timeout`` if it is still going. Cells that never
    reported (the run was killed) are ``not_run`` with cause ``timeout``.
    """
    scratch = Path(scratch)
    work = scratch / "work"
    work.mkdir(parents=True, exist_ok=True)
    notebook_path, results_path = scratch / "grading.ipynb", scratch / "results.json"
    write(clean_notebook(copy.deepcopy(nb), keep_checked_outputs=False), notebook_path)
    command = [
        sys.executable,
        "-m",
        "helpers.grade",
        "_run",
        str(notebook_path),
        str(results_path),
        str(work),
        str(limits.timeout),
        str(limits.cell_timeout),
        str(limits.max_output),
    ]
    with open(scratch / "worker.log", "wb") as log:
        process = subprocess.Popen(
            command,
            cwd=scratch,
            env=_kernel_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,
        )
        killed = False
        try:
            process.wait(timeout=limits.timeout + _KILL_GRACE)
        except subprocess.TimeoutExpired:
            killed = True
            _kill_group(process.pid)
            process.wait()
    results = _read_results(results_path)
    if killed or process.returncode != 0:
        _kill_group(results.get("kernel_pid"))  # the kernel runs in its own session
    outcomes = {int(k): CellOutcome(**v) for k, v in results.get("cells", {}).items()}
    code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source.strip()]
    missing = [i for i in code_cells if i not in outcomes]
    if missing:
        if not killed and process.returncode != 0 and not outcomes:
            log_tail = (scratch / "worker.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"the grading process failed before running any cell:\n{log_tail}")
        cause = "timeout" if killed or process.returncode == 0 else "crash"
        for index in missing:
            outcomes[index] = CellOutcome("not_run", cause=cause, at=missing[0])
    return outcomes


def _read_results(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


class _GradingClient(NotebookClient):
    """nbclient with a per-notebook deadline, an output cap, and outcomes instead of outputs."""

    def __init__(self, nb, work: str, cell_timeout: float, max_output: int):
        super().__init__(
            nb,
            kernel_name="python3",
            resources={"metadata": {"path": work}},
            allow_errors=True,
            interrupt_on_timeout=True,
            error_on_timeout={"ename": _TIMEOUT_ENAME, "evalue": "", "traceback": []},
            timeout_func=lambda cell: self.cell_limit,
            shutdown_kernel="immediate",
            iopub_timeout=2,  # after a timeout, wait this long for the interrupted cell to end
            on_cell_executed=self._remember,
        )
        self.cell_timeout, self.max_output = cell_timeout, max_output
        self.cell_limit = cell_timeout
        self.current = -1
        self.reply: dict | None = None
        self.sizes: dict[int, int] = {}
        self.too_large: set[int] = set()

    def _remember(self, cell, cell_index, execute_reply) -> None:
        self.reply = execute_reply

    def output(self, outs, msg, display_id, cell_index):
        """Count the output's size and drop it: grading needs only the replies."""
        self.sizes[cell_index] = self.sizes.get(cell_index, 0) + len(json.dumps(msg["content"]))
        if self.sizes[cell_index] > self.max_output and cell_index not in self.too_large:
            self.too_large.add(cell_index)
            if cell_index == self.current:  # stop the cell that is flooding
                asyncio.ensure_future(ensure_async(self.km.interrupt_kernel()))
        return None

    async def run_cell(self, cell, index: int, remaining: float) -> dict:
        """Execute one cell within ``remaining`` seconds; return its outcome as a dict."""
        self.cell_limit = max(0.5, round(min(self.cell_timeout, remaining), 1))
        self.current, self.reply = index, None
        try:
            await self.async_execute_cell(cell, index)
        except DeadKernelError:
            return {"status": "died"}
        content = (self.reply or {}).get("content", {})
        if index in self.too_large:
            return {"status": "output", "limit": self.max_output}
        if content.get("ename") == _TIMEOUT_ENAME:
            notebook_limit = self.cell_limit < self.cell_timeout
            return {"status": "timeout", "limit": self.cell_limit, "notebook_limit": notebook_limit}
        if content.get("status") == "ok":
            return {"status": "ok"}
        evalue = _ANSI.sub("", str(content.get("evalue", "")))[:1000]
        return {"status": "error", "ename": str(content.get("ename", "Error")), "evalue": evalue}


def _worker(argv: Sequence[str]) -> int:
    """Run a grading copy cell by cell (the separate process of :func:`run_notebook`).

    Writes ``{"kernel_pid": ..., "cells": {index: outcome}}`` to the results file after every
    cell, so that the parent knows what happened even if it has to kill this process.
    """
    notebook, results_path, work = argv[0], Path(argv[1]), argv[2]
    timeout, cell_timeout, max_output = float(argv[3]), float(argv[4]), int(argv[5])
    nb = read(notebook)
    client = _GradingClient(nb, work, cell_timeout, max_output)
    results: dict = {"kernel_pid": None, "cells": {}}

    def save() -> None:
        partial = results_path.with_suffix(".tmp")
        partial.write_text(json.dumps(results), encoding="utf-8")
        partial.replace(results_path)

    async def run() -> None:
        # The kernel's own stdout/stderr (not the notebook's outputs) go nowhere, so that
        # code writing to sys.__stderr__ in a loop cannot fill the disk through a log.
        async with client.async_setup_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
            results["kernel_pid"] = getattr(getattr(client.km, "provisioner", None), "pid", None)
            save()
            deadline = time.monotonic() + timeout
            stopped: dict | None = None
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code" or not cell.source.strip():
                    continue
                remaining = deadline - time.monotonic()
                if stopped is None and remaining <= 0:
                    stopped = {"status": "not_run", "cause": "timeout", "at": index}
                outcome = stopped or await client.run_cell(cell, index, remaining)
                results["cells"][index] = outcome
                save()
                if outcome["status"] == "died":
                    stopped = {"status": "not_run", "cause": "died", "at": index}
                elif outcome["status"] == "timeout" and outcome["notebook_limit"]:
                    stopped = {"status": "not_run", "cause": "timeout", "at": index}

    asyncio.run(run())
    return 0


# --------------------------------------------------------------------------- scoring


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _REASON_LENGTH else text[: _REASON_LENGTH - 3] + "..."


def _cell_name(index: int, graded: GradingCopy) -> str:
    number = graded.cell_number.get(index)
    return f"cell {number}" if number else "the inserted check cell"


def _error_text(outcome: CellOutcome) -> str:
    if outcome.ename in ("SyntaxError", "IndentationError"):
        match = _SYNTAX_WHERE.search(outcome.evalue)
        message = _SYNTAX_WHERE.sub("", outcome.evalue)
        where = f", line {match.group(1)}" if match else ""
        return f"{outcome.ename}{where}: {message}"
    return f"{outcome.ename}: {outcome.evalue}" if outcome.evalue else outcome.ename


_LIMITS = ("timeout", "output", "died")
"""Statuses of a cell that broke a grader limit; such a cell fails its exercise."""


def _failure(
    outcome: CellOutcome,
    index: int,
    graded: GradingCopy,
    limits: Limits,
    exercise_id: str,
    in_check: bool,
) -> str:
    """Say why a cell of an exercise failed, in words a student understands."""
    where = _cell_name(index, graded)
    if outcome.status == "timeout":
        which = "the notebook's limit ran out" if outcome.notebook_limit else "limit per cell"
        return (
            f"time limit: {where} was stopped after {outcome.limit:g} s ({which}); "
            "an infinite loop or far too much work?"
        )
    if outcome.status == "output":
        return f"output too large: {where} printed more than {limits.max_output:,} characters"
    if outcome.status == "died":
        return f"the kernel died in {where} (a crash, os._exit, or too much memory)"
    if outcome.status == "not_run":
        at = _cell_name(outcome.at, graded)
        if outcome.cause == "died":
            return f"not graded: the kernel died earlier, in {at}"
        if outcome.cause == "crash":
            return f"not graded: the grading process failed at {at} (see --keep-scratch logs)"
        return f"not graded: the notebook's time limit ({limits.timeout:g} s) ran out at {at}"
    if outcome.ename == "NotImplementedError":
        cells = graded.exercise_cells.get(exercise_id, [])
        where = _cell_name(cells[0], graded) if cells else where
        return f"not attempted: {exercise_id} still raises NotImplementedError ({where})"
    if outcome.ename in ("SyntaxError", "IndentationError"):
        return f"syntax error in {where}: {_error_text(outcome)}"
    if outcome.ename == "AssertionError" and in_check:
        return f"check failed: {outcome.evalue or 'an assert without a message'}"
    if in_check:
        return f"the check ({where}) raised {_error_text(outcome)}"
    return f"{where} raised {_error_text(outcome)}"


def score(
    solution: Solution,
    graded: GradingCopy,
    outcomes: dict[int, CellOutcome],
    limits: Limits,
    student: str,
) -> list[GradeRow]:
    """Turn the outcomes of a grading run into one gradebook row per exercise.

    An exercise scores its points when its check cell (visible and hidden checks) ran
    without error and none of its exercise cells broke a limit (time, output, kernel death).
    Otherwise the reason names the first cause: a broken limit, an error in the exercise
    cell (syntax error, stub still raising, ...), or the check's own error.
    """
    rows = []
    for exercise in solution.exercises:
        check_index = graded.check_cell[exercise.id]
        check = outcomes.get(check_index, CellOutcome("not_run", cause="timeout", at=check_index))
        own = [
            (i, outcomes[i]) for i in graded.exercise_cells.get(exercise.id, []) if i in outcomes
        ]
        broken = [(i, o) for i, o in own if o.status in _LIMITS]
        failed = [(i, o) for i, o in own if o.status == "error"]
        if check.status == "ok" and not broken:
            points, reason = exercise.points, "passed"
        elif broken or (failed and check.status != "not_run"):
            index, outcome = (broken or failed)[0]
            points = 0.0
            reason = _failure(outcome, index, graded, limits, exercise.id, in_check=False)
        else:
            points = 0.0
            reason = _failure(check, check_index, graded, limits, exercise.id, in_check=True)
            earlier = [
                i
                for i in sorted(outcomes)
                if i < check_index and outcomes[i].status in ("error",) + _LIMITS
            ]
            if check.ename == "NameError" and earlier:
                first = outcomes[earlier[0]]
                cause = _error_text(first) if first.ename else first.status
                reason += f" (an earlier cell failed: {_cell_name(earlier[0], graded)}: {cause})"
        rows.append(
            GradeRow(
                student, solution.path.name, exercise.id, points, exercise.points, _short(reason)
            )
        )
    return rows


# --------------------------------------------------------------------------- one submission


def grade_submission(
    path: Path,
    student: str,
    solutions: dict[str, Solution],
    limits: Limits = Limits(),
    scratch_root: Path | None = None,
    keep_scratch: bool = False,
) -> list[GradeRow]:
    """Grade one submitted notebook; the file is only read.

    Returns one row per exercise of the matching solution, or a single row with exercise
    ``-`` when no solution matches.
    """
    try:
        text = path.read_bytes()
        submission = nbformat.reads(text.decode("utf-8"), as_version=4)
        submission.cells  # noqa: B018 -- a JSON file that is no notebook fails here
    except (OSError, UnicodeDecodeError, ValueError, AttributeError, KeyError) as error:
        solution = match_by_name(path, solutions)
        reason = _short(f"not a readable notebook ({type(error).__name__}: {error})")
        if solution is None:
            return [GradeRow(student, "-", "-", 0.0, 0.0, reason)]
        return [
            GradeRow(student, solution.path.name, e.id, 0.0, e.points, reason)
            for e in solution.exercises
        ]
    solution = match_solution(submission, path, solutions)
    if solution is None:
        known = ", ".join(sorted(solutions))
        return [
            GradeRow(
                student,
                "-",
                "-",
                0.0,
                0.0,
                f"no matching solution: no exercise tags or name of {known}",
            )
        ]
    graded = grading_copy(submission, solution)
    scratch = Path(tempfile.mkdtemp(prefix="grade-", dir=scratch_root))
    try:
        outcomes = run_notebook(graded.nb, scratch, limits)
    except RuntimeError as error:
        return [
            GradeRow(
                student, solution.path.name, e.id, 0.0, e.points, _short(f"grader error: {error}")
            )
            for e in solution.exercises
        ]
    finally:
        if not keep_scratch:
            shutil.rmtree(scratch, ignore_errors=True)
    return score(solution, graded, outcomes, limits, student)


# --------------------------------------------------------------------------- gradebook


def _points(value: float) -> str:
    return f"{value:g}"


def write_csv(rows: Sequence[GradeRow], path: str | Path) -> None:
    """Write the gradebook as CSV with the columns :data:`FIELDS`."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(FIELDS)
        for row in rows:
            writer.writerow(
                [
                    row.student,
                    row.notebook,
                    row.exercise,
                    _points(row.points),
                    _points(row.max_points),
                    row.reason,
                ]
            )


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_summary(rows: Sequence[GradeRow], limits: Limits) -> str:
    """Return the gradebook as Markdown: one table per notebook, then the lost points."""
    students = sorted({row.student for row in rows})
    lines = [
        "# Gradebook",
        "",
        f"{len(students)} student(s). Each notebook ran in smoke mode with a limit of "
        f"{limits.timeout:g} s per notebook and {limits.cell_timeout:g} s per cell.",
    ]
    notebooks = sorted({row.notebook for row in rows if row.notebook != "-"})
    for notebook in notebooks:
        mine = [row for row in rows if row.notebook == notebook]
        ids = list(dict.fromkeys(row.exercise for row in mine))
        maximum = {row.exercise: row.max_points for row in mine}
        total_max = sum(maximum.values())
        lines += ["", f"## {notebook} (maximum {_points(total_max)} points)", ""]
        lines.append(
            "| student | " + " | ".join(f"{i} ({_points(maximum[i])})" for i in ids) + " | total |"
        )
        lines.append("| --- |" + " ---: |" * (len(ids) + 1))
        for student in sorted({row.student for row in mine}):
            got = {row.exercise: row.points for row in mine if row.student == student}
            cells = [_points(got.get(i, 0.0)) for i in ids]
            lines.append(
                f"| {_md(student)} | " + " | ".join(cells) + f" | {_points(sum(got.values()))} |"
            )
        lost = [row for row in mine if row.points < row.max_points]
        if lost:
            lines += ["", "Points lost:", ""]
            lines += [
                f"- **{_md(row.student)}**, `{row.exercise}`: {_md(row.reason)}" for row in lost
            ]
    unmatched = [row for row in rows if row.notebook == "-"]
    if unmatched:
        lines += ["", "## Not graded", ""]
        lines += [f"- **{_md(row.student)}**: {_md(row.reason)}" for row in unmatched]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- command line


def grade(
    paths: Sequence[str | Path],
    solutions_dir: str | Path = "solutions",
    limits: Limits = Limits(),
    jobs: int = 1,
    scratch_root: Path | None = None,
    keep_scratch: bool = False,
    progress: bool = False,
) -> list[GradeRow]:
    """Grade every submission under ``paths``; return all gradebook rows."""
    solutions = load_solutions(solutions_dir)
    submissions = find_submissions(paths)
    if not submissions:
        raise FileNotFoundError(f"no *.ipynb found in {', '.join(map(str, paths))}.")

    def one(item: tuple[Path, Path]) -> list[GradeRow]:
        path, root = item
        student = student_name(path, root, solutions)
        start = time.monotonic()
        rows = grade_submission(path, student, solutions, limits, scratch_root, keep_scratch)
        if progress:
            got = sum(row.points for row in rows)
            most = sum(row.max_points for row in rows)
            print(
                f"{student}: {_points(got)}/{_points(most)} ({path}, "
                f"{time.monotonic() - start:.1f} s)",
                file=sys.stderr,
            )
        return rows

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        results = list(pool.map(one, submissions))
    return [row for rows in results for row in rows]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_run"]:
        return _worker(argv[1:])
    parser = argparse.ArgumentParser(
        prog="python -m helpers.grade",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "submissions",
        nargs="+",
        type=Path,
        help="submitted notebooks, or folders searched for *.ipynb",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("gradebook.csv"),
        help="CSV gradebook to write; the Markdown summary goes next to it",
    )
    parser.add_argument(
        "--solutions",
        type=Path,
        default=Path("solutions"),
        help="folder of solution notebooks (default: solutions)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help=f"seconds per notebook (default {DEFAULT_TIMEOUT})",
    )
    parser.add_argument(
        "--cell-timeout",
        type=float,
        default=DEFAULT_CELL_TIMEOUT,
        help=f"seconds per cell (default {DEFAULT_CELL_TIMEOUT})",
    )
    parser.add_argument(
        "--max-output",
        type=int,
        default=DEFAULT_MAX_OUTPUT,
        help=f"characters of output per cell (default {DEFAULT_MAX_OUTPUT:,})",
    )
    parser.add_argument("--jobs", type=int, default=1, help="submissions graded in parallel")
    parser.add_argument(
        "--keep-scratch",
        action="store_true",
        help="keep each grading copy and its log (prints where)",
    )
    args = parser.parse_args(argv)
    if args.timeout <= 0 or args.cell_timeout <= 0 or args.max_output <= 0:
        parser.error("--timeout, --cell-timeout and --max-output must be positive.")
    limits = Limits(args.timeout, min(args.cell_timeout, args.timeout), args.max_output)
    scratch_root = None
    if args.keep_scratch:
        scratch_root = Path(tempfile.mkdtemp(prefix="grading-"))
        print(f"grading copies are kept in {scratch_root}", file=sys.stderr)
    try:
        rows = grade(
            args.submissions,
            args.solutions,
            limits,
            args.jobs,
            scratch_root,
            args.keep_scratch,
            progress=True,
        )
    except (FileNotFoundError, NotebookFormatError) as error:
        print(f"Nothing graded: {error}", file=sys.stderr)
        return 2
    write_csv(rows, args.out)
    summary = args.out.with_suffix(".md")
    summary.write_text(markdown_summary(rows, limits), encoding="utf-8")
    print(f"wrote {args.out} ({len(rows)} rows) and {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
