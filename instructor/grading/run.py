"""Grade submission files (see :mod:`instructor.grading.verdicts`), and run notebooks cell by cell.

:func:`grade_all` finds the submissions, grades each student's notebook once (a copy handed in
twice is graded once; the report names the copy) with :mod:`instructor.grading.checkers`.

:func:`run_steps` runs a program of cells in the sandbox through ``sandboxed/notebook_runner.py``
(the tests of student copies and of the release use it to execute notebooks); the runner reports
each step's outcome on a pipe with an HMAC under a fresh key, and unsigned lines are ignored. It
is no part of grading: there, no verdict ever comes from a process that ran student code.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import shutil
import sys
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from instructor import sandbox
from instructor.grading.checkers import Checkers, grade_notebook
from instructor.grading.shards import in_shard
from instructor.grading.submission_read import UnreadableSubmission, read_submission
from instructor.grading.submissions import Solution, match_by_name, match_solution
from instructor.grading.verdicts import GradeRow, Limits, Step, clip_reason
from instructor.progress import QUIET, Progress
from instructor.project import HELPERS, SANDBOXED, SOLUTIONS_DIR
from instructor.reports.plain import plain
from instructor.sandbox.remove_tree import remove_tree

RUNNER = SANDBOXED / "notebook_runner.py"


@dataclass
class Verdicts:
    """What the runner reported, by step id; ``begun`` is the last guarded step it started."""

    outcomes: dict[int, dict] = field(default_factory=dict)
    begun: int | None = None
    done: bool = False
    forged: int = 0


MAX_CHANNEL_BYTES = 16 * 2**20
"""Most bytes of verdicts kept from one run; a flood beyond it is read and dropped."""


def _read_verdicts(raw: bytes, key: bytes, n_steps: int) -> Verdicts:
    """Verified verdicts; a line that is not signed, or names no step of this program, is forged."""
    verdicts = Verdicts()
    for line in raw.decode("utf-8", errors="replace").splitlines():
        try:
            message = json.loads(line)
            body, mac = message["body"], message["mac"]
            expected = hmac.new(key, body.encode(), hashlib.sha256).hexdigest()
            if not hmac.compare_digest(expected, mac):
                raise ValueError("bad signature")
            fields = json.loads(body)
            step = fields["step"]
            if type(step) is not int or not -1 <= step < n_steps:
                raise ValueError("no such step")
        except (ValueError, KeyError, TypeError, AttributeError):
            verdicts.forged += 1
            continue
        if fields.get("status") == "done":
            verdicts.done = True
        elif fields.get("status") == "begin" and step >= 0:
            verdicts.begun = step
        elif step >= 0:
            verdicts.outcomes[step] = fields
    return verdicts


def data_folder(root: Path) -> Path:
    """A folder with every course data file, verified, for the sandbox (made once per run)."""
    from helpers.data import DATASETS, fetch

    folder = root / "data"
    if not folder.is_dir():
        folder.mkdir(parents=True)
        for name in DATASETS:
            shutil.copyfile(fetch(name), folder / DATASETS[name].filename)
    return folder


def run_steps(
    steps: Sequence[Step],
    scratch: Path,
    limits: Limits,
    data: Path,
    use_sandbox: bool,
    python: str | None = None,
) -> tuple[Verdicts, sandbox.Outcome]:
    """Run a grading program once in the sandbox; return the signed verdicts it reported.

    ``python`` runs the program instead of this interpreter; it must bring its own ``helpers``
    (the release test installs them from a git tag), so this repository's are not put on its path.
    """
    key = secrets.token_bytes(32)
    program = {
        "key": key.hex(),
        "cell_timeout": limits.cell_timeout,
        "max_output": limits.max_output,
        "steps": [{"id": s.id, "kind": s.kind, "source": s.source} for s in steps],
    }
    work = scratch / "work"
    work.mkdir(parents=True, exist_ok=True)
    env = sandbox.python_env(work, COURSE_SMOKE="1", COURSE_DATA_DIR=str(data))
    if python is None:
        env["PYTHONPATH"] = str(HELPERS.parent)
    jail = sandbox.Jail(
        scratch=work,
        read_only=(HELPERS, data, RUNNER),
        memory_mb=limits.memory_mb,
        timeout=limits.timeout,
        max_output=limits.max_output,
    )
    read_end, write_end = os.pipe()
    program["channel"] = write_end
    chunks: list[bytes] = []
    reader = threading.Thread(target=_drain, args=(read_end, chunks), daemon=True)
    reader.start()
    try:
        outcome = sandbox.run(
            [python or sys.executable, str(RUNNER)],
            jail,
            env=env,
            stdin=json.dumps(program).encode(),
            pass_fds=(write_end,),
            sandbox=use_sandbox,
        )
    finally:
        os.close(write_end)
        reader.join()
    return _read_verdicts(b"".join(chunks), key, len(steps)), outcome


def _drain(fd: int, chunks: list[bytes]) -> None:
    """Read a pipe to its end (on a thread, so the runner never blocks on a full pipe), keeping
    at most :data:`MAX_CHANNEL_BYTES`: the grader's memory is not the sandbox's to spend."""
    kept = 0
    with os.fdopen(fd, "rb") as pipe:
        while block := pipe.read(65536):
            if kept < MAX_CHANNEL_BYTES:
                chunks.append(block[: MAX_CHANNEL_BYTES - kept])
                kept += len(chunks[-1])


def grade_file(
    path: Path,
    student: str,
    solutions: dict[str, Solution],
    limits: Limits,
    checkers: Checkers,
    use_sandbox: bool = True,
) -> list[GradeRow]:
    """Grade one submitted notebook file (only read); a single ``-`` row when nothing matches."""
    try:
        submission = read_submission(path)
    except UnreadableSubmission as error:
        solution = match_by_name(path, solutions)
        reason = clip_reason(f"not a readable notebook ({error})")
        if solution is None:
            return [GradeRow(student, "-", "-", 0.0, 0.0, reason, reason)]
        return [
            GradeRow(student, solution.path.name, e.id, 0.0, e.points, reason, reason)
            for e in solution.exercises
        ]
    solution = match_solution(submission, path, solutions)
    if solution is None:
        why = f"no matching solution: no exercise tags or name of {', '.join(sorted(solutions))}"
        return [GradeRow(student, "-", "-", 0.0, 0.0, why, why)]
    return grade_notebook(submission, solution, student, limits, checkers, use_sandbox)


def plan(
    submissions: Sequence[tuple[Path, Path]], solutions: dict[str, Solution]
) -> list[tuple[Path, str, str, list[Path]]]:
    """What to grade: ``(path, student, notebook, ignored copies)``, one per student and notebook.

    A student who handed in the same notebook twice (two file names, one solution) gets the
    newest copy graded (by modification time, then by path); the others are named, never summed.
    Students are told apart by :func:`instructor.names.name_key`: ``alice_01.ipynb`` and
    ``alice_01\u200b.ipynb`` (or ``Alice_01.ipynb``) are one student's two copies.
    Sorted by notebook, so that a worker keeps its checker for a run of students.
    """
    from instructor.grading.submissions import student_name
    from instructor.names import name_key

    groups: dict[tuple[str, str], list[Path]] = {}
    shown: dict[str, str] = {}
    for path, base in submissions:
        student = shown.setdefault(name_key(student_name(path, base, solutions)),
                                   student_name(path, base, solutions))  # fmt: skip
        try:
            solution = match_solution(read_submission(path), path, solutions)
        except UnreadableSubmission:
            solution = match_by_name(path, solutions)
        notebook = solution.path.name if solution is not None else f"-{path}"
        groups.setdefault((name_key(student), notebook), []).append(path)

    def newest(path: Path) -> tuple[float, str]:
        try:
            return (path.lstat().st_mtime, str(path))
        except OSError:
            return (0.0, str(path))

    chosen = []
    for (key, notebook), paths in groups.items():
        paths = sorted(paths, key=newest)
        chosen.append((paths[-1], shown[key], notebook, paths[:-1]))
    return sorted(chosen, key=lambda item: (item[2], item[1]))


def grade_all(
    paths: Sequence[str | Path],
    *,
    solutions_dir: str | Path = SOLUTIONS_DIR,
    limits: Limits | None = None,
    jobs: int = 1,
    use_sandbox: bool = True,
    progress: int = QUIET,
    shard: tuple[int, int] = (1, 1),
) -> list[GradeRow]:
    """Grade every submission under ``paths`` (files, or folders searched for ``*.ipynb``);
    with ``shard=(i, N)`` only the students of shard ``i`` of ``N``
    (:mod:`instructor.grading.shards`). ``progress`` is a :mod:`instructor.progress` level: a line
    per student and notebook graded.

    Raises:
        FileNotFoundError: no solutions, or no submissions.
        RuntimeError: ``use_sandbox`` and no usable sandbox on this machine (the message says
            why and how to grade without one).
    """
    from concurrent.futures import ThreadPoolExecutor
    from dataclasses import replace
    from time import monotonic

    from instructor.grading.submissions import find_submissions, load_solutions

    limits = limits or Limits()

    if use_sandbox and (problem := sandbox.sandbox_problem()):
        raise RuntimeError(
            f"no sandbox for untrusted notebooks: {problem}. Install bubblewrap, or pass "
            "--unsandboxed to grade with your own rights (every report then says so)."
        )
    solutions = load_solutions(solutions_dir)
    submissions = find_submissions(paths)
    if not submissions:
        raise FileNotFoundError(f"no *.ipynb found in {', '.join(map(str, paths))}.")
    root = Path(tempfile.mkdtemp(prefix="grading-"))
    try:
        data = data_folder(root)
        checkers = Checkers(data, root)

        def one(item: tuple[Path, str, str, list[Path]]) -> list[GradeRow]:
            path, student, notebook, ignored = item
            start = monotonic()
            try:
                rows = grade_file(path, student, solutions, limits, checkers, use_sandbox)
            except Exception as error:  # noqa: BLE001 - one submission never stops the class
                why = clip_reason(f"grader error: {type(error).__name__}: {error}")
                feedback = "not graded: ask your instructor"
                rows = [GradeRow(student, "-", "-", 0.0, 0.0, why, feedback)]
            if ignored:
                others = ", ".join(p.name if p.name.isascii() else ascii(p.name) for p in ignored)
                note = f" [graded {path.name}; also handed in, not graded: {others}]"
                rows = [
                    replace(
                        r,
                        reason=clip_reason(r.reason) + note,
                        feedback=clip_reason(r.feedback) + note,
                    )
                    for r in rows
                ]
            got, most = sum(r.points for r in rows), sum(r.max_points for r in rows)
            name = notebook if not notebook.startswith("-") else path.name
            item = f"{plain(student, limit=60)} / {plain(name, limit=60)}"
            reporter.done(item, f"{got:g}/{most:g}", monotonic() - start)
            return rows

        mine = [item for item in plan(submissions, solutions) if in_shard(item[1], *shard)]
        reporter = Progress(len(mine), level=progress)
        try:
            with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
                results = list(pool.map(one, mine))
        finally:
            checkers.close()
    finally:
        remove_tree(root)
    return [row for rows in results for row in rows]
