"""Find submitted notebooks, name their students, and match each to its solution."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from instructor.names import clean_name
from instructor.notebooks.format import CHECK_TAG, EXERCISE_TAG, Exercise, exercises
from instructor.notebooks.io import read, tags


@dataclass
class Solution:
    """A solution notebook and its validated exercises."""

    path: Path
    nb: nbformat.NotebookNode
    exercises: list[Exercise] = field(default_factory=list)

    @property
    def ids(self) -> set[str]:
        return {exercise.id for exercise in self.exercises}


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

    A file in a folder below the root belongs to that folder's student: ``alice/02_lstm.ipynb``
    and ``alice/week 2/my copy.ipynb`` both give ``alice`` (so a notebook handed in twice is
    one student's, graded once). A file directly in the root named like a solution gives the
    root's name; any other gives its name without ``.ipynb`` (``alice_02.ipynb``: ``alice_02``).
    The name is cleaned (:func:`instructor.names.clean_name`): ``alice_02\u200b.ipynb`` is
    ``alice_02`` too, so it cannot take another student's row or feedback file.
    """
    relative = path.relative_to(root) if path.is_relative_to(root) else Path(path.name)
    if len(relative.parts) > 1:
        name = relative.parts[0]
    elif path.name in set(solution_files):
        name = path.parent.name
    else:
        name = relative.with_suffix("").as_posix()
    return clean_name(name) or "student"


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
    file name (without ``.ipynb``) or number prefix (``02_``, ``05b_``) starts the submission's
    name.
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
        number = file_name.split("_", 1)[0].lower()
        if re.fullmatch(r"[0-9]+[a-z]?", number) and re.search(rf"(^|[^0-9]){number}_", name):
            return solution
    return None
