"""Student notebooks are generated from the solutions, never leak them, and stay in sync.

The small fixture in ``tests/fixtures/solutions`` (pure Python and NumPy) exercises every
marker; the parametrised tests also run over every notebook in ``solutions/`` and
``notebooks/``, whatever exists when the suite is collected.
"""

from __future__ import annotations

import copy
import os
import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell
from notebook_builders import CHECK, EXERCISE, notebook, tagged

from instructor.cli import main as cli
from instructor.grading.run import data_folder, run_steps
from instructor.grading.verdicts import Limits, Step
from instructor.notebooks.format import (
    HIDDEN_BEGIN,
    SOLUTION_BEGIN,
    STUB_COMMENT,
    NotebookFormatError,
    exercises,
)
from instructor.notebooks.io import clean_notebook, dumps, read, tags, write
from instructor.notebooks.leaks import find_leaks, shown_solution_lines, syntax_problems
from instructor.notebooks.student_copies import build_students, student_notebook


def main(argv: list[str]) -> int:
    """The generator's command line, as ``./course students ARGS`` runs it."""
    argv = ["--out-dir" if a == "--notebooks" else a for a in argv]
    return cli(["students", *argv])


ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
NOTEBOOKS = ROOT / "notebooks"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "solutions"
FIXTURE = FIXTURES / "01_warmup.ipynb"
REAL_SOLUTIONS = sorted(SOLUTIONS.glob("*.ipynb"))
ALL_SOLUTIONS = REAL_SOLUTIONS + [FIXTURE]
STUDENT_NOTEBOOKS = sorted(NOTEBOOKS.glob("*.ipynb"))


def _name(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def _cell_with_tag(nb, tag: str):
    return next(cell for cell in nb.cells if tag in tags(cell))


def _text(nb) -> str:
    return "\n".join(cell.source for cell in nb.cells)


# --------------------------------------------------------------------------- the transformation


def test_stub_replaces_solution_keeps_indentation_and_names_the_exercise():
    student = student_notebook(notebook(EXERCISE, CHECK))
    assert _cell_with_tag(student, "exercise:double").source == (
        "def double(x):\n"
        f"    {STUB_COMMENT}\n"
        '    raise NotImplementedError("Exercise double: replace this line with your code")'
    )


def test_top_level_solution_region_becomes_an_unindented_stub():
    solution = read(FIXTURE)
    student = student_notebook(solution)
    source = _cell_with_tag(student, "exercise:standardize").source
    assert source.splitlines()[1:] == [
        STUB_COMMENT,
        'raise NotImplementedError("Exercise standardize: replace this line with your code")',
    ]
    assert "standardized =" not in source
    assert "standardized =" in _cell_with_tag(solution, "exercise:standardize").source


def test_student_copy_drops_hidden_checks_and_solution_only_cells_and_keeps_visible_checks():
    solution = read(FIXTURE)
    student = student_notebook(solution)
    check = _cell_with_tag(student, "check:word_counts").source
    assert "word_counts(text)" in check and "Hint: lower-case" in check  # visible part kept
    assert 'word_counts("")' not in check  # hidden part gone
    assert 'word_counts("")' in _cell_with_tag(solution, "check:word_counts").source
    assert not [cell for cell in student.cells if "solution-only" in tags(cell)]
    assert len(student.cells) == len(solution.cells) - 2  # the two solution-only cells
    assert "points:2" in tags(_cell_with_tag(student, "check:moving_average"))


def test_keep_solutions_gives_a_model_student_copy_without_markers_or_hidden_checks():
    solved = student_notebook(read(FIXTURE), keep_solutions=True)
    source = _cell_with_tag(solved, "exercise:moving_average").source
    assert 'return np.convolve(x, np.ones(window) / window, mode="valid")' in source
    assert SOLUTION_BEGIN not in _text(solved) and HIDDEN_BEGIN not in _text(solved)


def test_student_copy_has_no_outputs_or_colab_metadata_keeps_stable_ids_and_sets_language_info():
    solution = read(FIXTURE)
    solution.metadata["colab"] = {"provenance": []}
    solution.metadata["accelerator"] = "GPU"
    for cell in solution.cells:
        cell.metadata.update(
            {
                "colab": {"base_uri": "x"},
                "executionInfo": {"status": "ok"},
                "outputId": "abc",
                "id": "xyz",
            }
        )
    assert any(cell.get("outputs") for cell in solution.cells)  # the fixture stores one output
    solution.cells[1]["id"] = "kept-id"
    solution.cells[2]["id"] = "not a valid id!"
    student = student_notebook(solution)
    for cell in student.cells:
        assert set(cell.metadata) <= {"tags"}, cell.metadata
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    # nbformat 4.5 with an id on every cell: JupyterLab 4 opens the copy unmodified.
    ids = [cell["id"] for cell in student.cells]
    assert len(set(ids)) == len(ids) and ids[1] == "kept-id" and ids[2] == "cell-2"
    assert student_notebook(solution).cells[3]["id"] == student.cells[3]["id"], "ids are stable"
    nbformat.validate(student)
    assert set(student.metadata) == {"kernelspec", "language_info"}
    assert student.metadata.language_info.name == "python"
    assert (student.nbformat, student.nbformat_minor) == (4, 5)


def test_student_notebook_does_not_modify_the_solution():
    solution = read(FIXTURE)
    before = dumps(solution)
    student_notebook(solution)
    assert dumps(solution) == before


# --------------------------------------------------------------------------- refusing bad input


BAD_SOLUTIONS = {
    "unclosed solution region": (
        [
            tagged(
                new_code_cell("def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x"),
                "exercise:double",
            ),
            CHECK,
        ],
        "never closed",
    ),
    "misspelt marker": (
        [
            tagged(
                new_code_cell(
                    "def double(x):\n    ## BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"
                ),
                "exercise:double",
            ),
            CHECK,
        ],
        "spelt exactly",
    ),
    "solution region in an untagged cell": (
        [new_code_cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION"), EXERCISE, CHECK],
        "no exercise:<id> tag",
    ),
    "hidden checks outside a check cell": (
        [EXERCISE, CHECK, new_code_cell(f"{HIDDEN_BEGIN}\nassert True\n### END HIDDEN CHECKS")],
        "no check:<id> tag",
    ),
    "exercise without a check cell": ([EXERCISE], "has no check cell"),
    "check cell without hidden checks": (
        [EXERCISE, tagged(new_code_cell("assert double(2) == 4"), "check:double")],
        "without hidden checks",
    ),
    "check cell with only hidden checks": (
        [
            EXERCISE,
            tagged(
                new_code_cell(
                    f"# nothing visible\n{HIDDEN_BEGIN}\nassert "
                    "double(2) == 4\n### END HIDDEN CHECKS"
                ),
                "check:double",
            ),
        ],
        "visible check has no assert",
    ),
    "hidden checks without an assert": (
        [
            EXERCISE,
            tagged(
                new_code_cell(
                    f"assert double(2) == 4\n{HIDDEN_BEGIN}\n"
                    "print(double(3))\n### END HIDDEN CHECKS"
                ),
                "check:double",
            ),
        ],
        "hidden checks have no assert",
    ),
    "check before its exercise": ([CHECK, EXERCISE], "comes before"),
    "exercise tagged twice": ([EXERCISE, EXERCISE, CHECK], "several cells"),
    "id with a dash": (
        [
            tagged(copy.deepcopy(EXERCISE), "exercise:dou-ble"),
            tagged(copy.deepcopy(CHECK), "check:dou-ble"),
        ],
        "is not allowed",
    ),
    "points that are not a number": (
        [EXERCISE, tagged(copy.deepcopy(CHECK), "check:double", "points:many")],
        "must be positive",
    ),
    "marker in a markdown cell": (
        [new_markdown_cell("### BEGIN SOLUTION\nsecret\n### END SOLUTION"), EXERCISE, CHECK],
        "code cells only",
    ),
}


@pytest.mark.parametrize("case", BAD_SOLUTIONS, ids=str)
def test_generator_refuses_a_solution_that_breaks_the_contract_and_writes_nothing(case, tmp_path):
    cells, expected = BAD_SOLUTIONS[case]
    good = notebook(EXERCISE, CHECK)
    assert [exercise.id for exercise in exercises(good)] == ["double"]  # this passes...
    with pytest.raises(NotebookFormatError, match=expected):  # ...the broken one does not
        exercises(notebook(*cells))
    source, target = tmp_path / "solutions", tmp_path / "notebooks"
    source.mkdir()
    write(good, source / "01_good.ipynb")
    write(notebook(*cells), source / "02_bad.ipynb")
    assert main(["--solutions", str(source), "--notebooks", str(target)]) == 2
    assert not target.exists() or not list(target.iterdir())  # not even the good one


def test_generator_refuses_a_stub_that_is_not_valid_python(tmp_path):
    inside_a_list = tagged(
        new_code_cell("values = [\n    ### BEGIN SOLUTION\n    1, 2,\n    ### END SOLUTION\n]"),
        "exercise:values",
    )
    check = tagged(
        new_code_cell(
            f"assert sum(values) == 3, 'wrong sum'\n{HIDDEN_BEGIN}\n"
            "assert len(values) == 2\n### END HIDDEN CHECKS"
        ),
        "check:values",
    )
    nb = notebook(inside_a_list, check)
    assert syntax_problems(nb) == []  # the solution itself is fine
    problems = syntax_problems(student_notebook(nb))
    assert len(problems) == 1 and "SyntaxError" in problems[0] and "cell 1" in problems[0]
    write(nb, tmp_path / "01_list.ipynb")
    with pytest.raises(NotebookFormatError, match="SyntaxError"):
        build_students(tmp_path)


def test_syntax_check_accepts_ipython_magics_of_the_setup_cell():
    setup = new_code_cell(
        'import sys\nif "google.colab" in sys.modules:\n    %pip install -q x\n!echo hello'
    )
    assert syntax_problems(notebook(setup)) == []
    assert syntax_problems(notebook(new_code_cell("if True:\nprint(1)"))) != []


def test_find_leaks_catches_markers_solution_lines_hidden_checks_and_outputs():
    solution = read(FIXTURE)
    student = student_notebook(solution)
    assert find_leaks(student, solution) == []

    def leaked(line: str) -> list[str]:
        nb = copy.deepcopy(student)
        nb.cells[1].source += "\n" + line
        return find_leaks(nb, solution)

    assert leaked('    return np.convolve(x, np.ones(window) / window, mode="valid")')
    assert leaked('assert word_counts("") == {}, "word_counts(\'\') should be an empty dict."')
    assert leaked('assert sum(word_counts("a " * 100_000).values()) == 100_000')  # solution-only
    assert leaked("# BEGIN SOLUTION")
    assert leaked("### BEGIN\u200bSOLUTION")  # a zero-width space hides it from the generator
    assert leaked("### \uff22EGIN HIDDEN CHECKS")  # a full-width B: NFKC reads it as B
    assert leaked("x = 1") == []  # an ordinary line is no leak
    noted = copy.deepcopy(student)
    noted.cells[1].metadata["nbgrader"] = {"checksum": "abc"}
    assert "metadata other than tags" in find_leaks(noted, solution)[0]
    with_output = copy.deepcopy(student)
    with_output.cells[1].outputs = [nbformat.v4.new_output("stream", text="hi\n")]
    assert "stores outputs" in find_leaks(with_output, solution)[0]


def test_a_solution_line_planted_in_another_cell_is_caught_in_markdown_and_code():
    solution = read(FIXTURE)
    student = student_notebook(solution)
    assert shown_solution_lines(student, solution) == []

    def planted(index: int, text: str) -> list[str]:
        nb = copy.deepcopy(student)
        nb.cells[index].source += "\n" + text
        return shown_solution_lines(nb, solution, "warmup")

    markdown = next(i for i, c in enumerate(student.cells) if c.cell_type == "markdown")
    code = next(i for i, c in enumerate(student.cells) if "check:word_counts" in tags(c))
    line = 'return np.convolve(x, np.ones(window) / window, mode="valid")'
    # a hint in the markdown, re-spaced and wrapped over two lines, gives the answer away
    hint = 'Hint: `return np.convolve(x, np.ones(window)/window,\n mode="valid")`'
    found = planted(markdown, hint)
    assert len(found) == 1 and "moving_average" in found[0] and line in found[0]
    # so does a failure message of a check cell, even of another exercise's check
    assert planted(code, f'    raise AssertionError("try {line}")')
    assert planted(code, "        counts[word] = counts.get(word, 0) + 1")
    # lines that occur everywhere are too short to give anything away
    assert planted(markdown, "counts = {}") == []
    assert planted(code, "    return counts") == []


def test_generator_refuses_a_notebook_whose_markdown_shows_a_solution_line(tmp_path):
    solution = read(FIXTURE)
    hint = nbformat.v4.new_markdown_cell(
        "Hint: `standardized = (data - data.mean(axis=0)) / data.std(axis=0)`"
    )
    solution.cells.insert(11, hint)
    write(solution, tmp_path / FIXTURE.name)
    with pytest.raises(NotebookFormatError, match="exercise 'standardize'"):
        build_students(tmp_path)


@pytest.mark.parametrize("path", ALL_SOLUTIONS, ids=_name)
def test_no_cell_of_a_student_copy_shows_a_line_of_a_solution(path):
    solution = read(path)
    student = student_notebook(solution, path.name)
    assert shown_solution_lines(student, solution, path.name) == []


# --------------------------------------------------------------------------- the command


def test_check_mode_detects_edited_missing_and_orphan_notebooks(tmp_path, capsys):
    target = tmp_path / "notebooks"
    args = ["--solutions", str(FIXTURES), "--notebooks", str(target)]
    assert main(args + ["--check"]) == 1  # nothing generated yet
    assert main(args) == 0
    assert main(args + ["--check"]) == 0
    copy_path = target / FIXTURE.name
    original = copy_path.read_text()

    copy_path.write_text(original.replace("YOUR CODE HERE", "my answer"))
    assert main(args + ["--check"]) == 1
    assert "differs" in capsys.readouterr().out
    assert main(args) == 2  # an answer in a copy is someone's work: never overwritten
    assert "my answer" in copy_path.read_text()
    copy_path.write_text(original.replace('raise NotImplementedError("', 'raise ValueError("'))
    (target / "99_orphan.ipynb").write_text(original)
    assert main(args) == 0  # an edit that keeps the stubs, and an orphan copy: regenerated
    assert copy_path.read_text() == original
    assert not (target / "99_orphan.ipynb").exists()
    assert main(args + ["--check"]) == 0


def test_generating_twice_changes_nothing(tmp_path):
    target = tmp_path / "notebooks"
    main(["--solutions", str(FIXTURES), "--notebooks", str(target)])
    first = {p.name: p.read_bytes() for p in target.iterdir()}
    main(["--solutions", str(FIXTURES), "--notebooks", str(target)])
    assert {p.name: p.read_bytes() for p in target.iterdir()} == first


def test_notebooks_folder_is_exactly_what_the_generator_makes_from_solutions(tmp_path):
    regenerated = tmp_path / "notebooks"
    assert main(["--solutions", str(SOLUTIONS), "--notebooks", str(regenerated)]) == 0
    expected = {p.name: p.read_text() for p in regenerated.glob("*.ipynb")}
    committed = {p.name: p.read_text() for p in NOTEBOOKS.glob("*.ipynb")}
    assert sorted(committed) == sorted(expected), (
        "notebooks/ and solutions/ hold different notebooks; run: ./course students"
    )
    stale = [name for name in expected if committed[name] != expected[name]]
    assert not stale, f"{stale} differ from their solutions; run: ./course students"


# --------------------------------------------------------------------------- every notebook


@pytest.mark.parametrize("path", ALL_SOLUTIONS, ids=_name)
def test_every_exercise_has_a_stub_a_visible_check_and_a_hidden_check(path):
    solution = read(path)
    found = exercises(solution, path.name)  # raises with the problems if the contract is broken
    student = student_notebook(solution, path.name)
    for exercise in found:
        stub = _cell_with_tag(student, f"exercise:{exercise.id}").source
        assert f'raise NotImplementedError("Exercise {exercise.id}:' in stub
        visible = _cell_with_tag(student, f"check:{exercise.id}").source
        assert "assert" in visible, f"{exercise.id}: the visible check has no assert"
        full = solution.cells[exercise.check_cell].source
        hidden = full.split(HIDDEN_BEGIN, 1)[1].split("### END HIDDEN CHECKS", 1)[0]
        assert "assert" in hidden, f"{exercise.id}: the hidden checks have no assert"
        assert hidden.strip() not in visible


@pytest.mark.parametrize("path", STUDENT_NOTEBOOKS, ids=_name)
def test_student_notebook_has_no_marker_hidden_check_solution_or_output(path):
    solution_path = SOLUTIONS / path.name
    assert solution_path.exists(), f"{path.name} has no solution; run ./course students"
    assert find_leaks(read(path), read(solution_path), path.name) == []


def unclean_reason(path: Path) -> str:
    """Return why a committed notebook is not clean ("" when it is), like nbstripout --verify.

    Solutions may keep outputs only in ``nbval-check-output`` cells; student copies none.
    Cell ids, Colab/Jupyter editor metadata and other notebook metadata are never kept.
    """
    is_solution = path.parent.name != "notebooks"
    text = path.read_text(encoding="utf-8")
    cleaned = dumps(clean_notebook(read(path), keep_checked_outputs=is_solution))
    if cleaned == text:
        return ""
    fix = "execute" if is_solution else "clean"
    return (
        f"{path.name} holds outputs or editor metadata it should not; run "
        f"./course notebooks {fix} {_name(path)}"
        + ("" if is_solution else ", or regenerate with ./course students")
    )


@pytest.mark.parametrize("path", ALL_SOLUTIONS + STUDENT_NOTEBOOKS, ids=_name)
def test_committed_notebook_is_clean(path):
    assert unclean_reason(path) == ""


def test_clean_check_fails_for_a_notebook_saved_by_colab(tmp_path):
    nb = read(FIXTURE)
    nb.metadata["colab"] = {"provenance": []}
    nb.cells[1].metadata["executionInfo"] = {"elapsed": 12, "status": "ok"}
    nb.cells[1].metadata["outputId"] = "1b2c"
    saved = tmp_path / "solutions" / FIXTURE.name
    saved.parent.mkdir()
    saved.write_text(nbformat.writes(nb), encoding="utf-8")
    assert "notebooks execute" in unclean_reason(saved)
    write(clean_notebook(nb), saved)
    assert unclean_reason(saved) == ""
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="noise\n")]
    write(nb, saved)  # an output in a cell nbval does not check
    assert unclean_reason(saved) != ""


# --------------------------------------------------------------------------- checks can fail


def _check_cells(nb) -> dict[int, str]:
    return {
        index: tag[len("check:") :]
        for index, cell in enumerate(nb.cells)
        for tag in tags(cell)
        if tag.startswith("check:")
    }


def checks_passing_on_stubs(student, scratch: Path, limits: Limits) -> list[str]:
    """Run a student copy (up to its last check cell); return the ids of checks that passed.

    The cells before the first exercise do not depend on any stub, so they must all run; a
    check that "fails" only because the setup broke would prove nothing.
    """
    checks = _check_cells(student)
    if not checks:
        return []
    steps, check_step, first_exercise = [], {}, None
    for index, cell in enumerate(student.cells[: max(checks) + 1]):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        is_exercise = any(t.startswith("exercise:") for t in tags(cell))
        if is_exercise and first_exercise is None:
            first_exercise = len(steps)
        kind = "check" if index in checks else "student" if is_exercise else "solution"
        if index in checks:
            check_step[len(steps)] = checks[index]
        steps.append(Step(len(steps), kind, cell.source))
    scratch.mkdir(parents=True, exist_ok=True)
    verdicts, _ = run_steps(steps, scratch, limits, data_folder(scratch), use_sandbox=False)
    broken = {i: o for i, o in verdicts.outcomes.items() if i < first_exercise}
    assert verdicts.done and not broken, f"cells before the first exercise failed: {broken}"
    return [e for i, e in check_step.items() if verdicts.outcomes[i]["status"] == "ok"]


@pytest.mark.slow
def test_visible_checks_fail_on_the_stubs_and_a_check_that_cannot_fail_is_caught(tmp_path):
    student = student_notebook(read(FIXTURE))
    limits = Limits(timeout=60, cell_timeout=30)
    assert checks_passing_on_stubs(student, tmp_path / "a", limits) == []
    toothless = copy.deepcopy(student)
    _cell_with_tag(toothless, "check:word_counts").source = "assert True, 'always fine'"
    assert checks_passing_on_stubs(toothless, tmp_path / "b", limits) == ["word_counts"]


@pytest.mark.slow
@pytest.mark.parametrize("path", REAL_SOLUTIONS, ids=_name)
def test_visible_checks_of_real_solutions_fail_on_the_stubs(path, tmp_path):
    """Runs the student copy in smoke mode up to its last check (5-30 s a notebook)."""
    student = student_notebook(read(path), path.name)
    passing = checks_passing_on_stubs(student, tmp_path, Limits(timeout=300, cell_timeout=120))
    assert passing == [], f"{path.name}: these visible checks pass on the stub: {passing}"


# --------------------------------------------------------------------------- adding an exercise


@pytest.mark.slow
def test_adding_an_exercise_takes_only_the_solution_and_the_generator(tmp_path):

    solutions, students = tmp_path / "solutions", tmp_path / "notebooks"
    solutions.mkdir()
    nb = read(FIXTURE)
    nb.cells[-1:-1] = [
        new_markdown_cell("## Exercise 4: clip\n\nWrite `clip(x, low, high)`."),
        tagged(
            new_code_cell(
                'def clip(x, low, high):\n    """Limit x to [low, high]."""\n'
                "    ### BEGIN SOLUTION\n    return max(low, min(x, high))\n"
                "    ### END SOLUTION"
            ),
            "exercise:clip",
        ),
        tagged(
            new_code_cell(
                "for x in rng.normal(scale=5, size=20):\n"
                "    got = clip(x, -1, 2)\n"
                '    assert -1 <= got <= 2, f"clip({x}, -1, 2) = {got} is outside '
                '[-1, 2]."\n'
                '    assert got == x or abs(got) in (1, 2), "clip changed a value '
                'inside the range."\n'
                f"{HIDDEN_BEGIN}\nassert clip(5, 5, 5) == 5\n"
                "### END HIDDEN CHECKS"
            ),
            "check:clip",
            "points:3",
        ),
    ]
    for cell in nb.cells:
        cell.pop("id", None)
    write(nb, solutions / FIXTURE.name)  # the only file an author edits

    assert main(["--solutions", str(solutions), "--notebooks", str(students)]) == 0
    student = read(students / FIXTURE.name)
    assert "Exercise clip:" in _cell_with_tag(student, "exercise:clip").source
    assert "clip(5, 5, 5)" not in _cell_with_tag(student, "check:clip").source
    assert "points:3" in tags(_cell_with_tag(student, "check:clip"))

    submissions = tmp_path / "submissions"
    submissions.mkdir()
    write(student, submissions / "untouched.ipynb")
    write(student_notebook(nb, keep_solutions=True), submissions / "solved.ipynb")
    out = tmp_path / "gradebook.csv"
    assert (
        cli(
            [
                "grade",
                str(submissions),
                "--solutions",
                str(solutions),
                "--out",
                str(out),
                "--timeout",
                "60",
                "--cell-timeout",
                "20",
            ]
        )
        == 0
    )
    rows = {(row["student"], row["exercise"]): row for row in _csv(out)}
    assert rows["solved", "clip"]["points"] == "3" and rows["solved", "clip"]["reason"] == "passed"
    assert rows["untouched", "clip"]["points"] == "0"
    assert "not attempted" in rows["untouched", "clip"]["reason"]


def _csv(path: Path) -> list[dict[str, str]]:
    import csv

    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize(
    "what",
    ["the solutions themselves", "someone's own notebook", "a handed-in copy with an answer",
     "a solution whose first cell has the badge's id", "a named pipe", "cells that are no list"],
)  # fmt: skip
def test_generator_refuses_a_folder_holding_notebooks_it_did_not_write(tmp_path, what, capsys):
    """``--out-dir`` pointed at the solutions, a folder of other work or of submissions would
    overwrite answers with stubs or delete them: refused, nothing written, one line."""
    solutions = tmp_path / "solutions"
    shutil.copytree(FIXTURES, solutions)
    target = solutions if what == "the solutions themselves" else tmp_path / "target"
    target.mkdir(exist_ok=True)
    fresh = tmp_path / "fresh"  # a folder of generated copies is regenerated as before
    assert main(["--solutions", str(solutions), "--notebooks", str(fresh)]) == 0
    copy_text = (fresh / FIXTURE.name).read_text(encoding="utf-8")
    if what == "someone's own notebook":
        write(notebook(new_code_cell("my_work = 1")), target / "mine.ipynb")
    elif what == "a handed-in copy with an answer":
        (target / "alice_01.ipynb").write_text(copy_text.replace(STUB_COMMENT, "answer = 1"))
    elif what == "a solution whose first cell has the badge's id":
        nb = read(FIXTURE)
        nb.cells[0]["id"] = "colab-badge"
        write(nb, target / FIXTURE.name)
    elif what == "a named pipe":
        os.mkfifo(target / "x.ipynb")
    elif what == "cells that are no list":
        (target / "x.ipynb").write_text('{"cells": {"a": 1}}')
    before = {p.name: p.is_fifo() or p.read_bytes() for p in target.iterdir()}
    assert main(["--solutions", str(solutions), "--notebooks", str(target)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and ("not a generated student copy" in err[0] or "solutions" in err[0])
    assert {p.name: p.is_fifo() or p.read_bytes() for p in target.iterdir()} == before
    blank = tmp_path / "blank"  # a blank copy (stubs in place) may be regenerated or removed
    blank.mkdir()
    (blank / "old_02.ipynb").write_text(copy_text)
    assert main(["--solutions", str(solutions), "--notebooks", str(blank)]) == 0
    assert sorted(p.name for p in blank.iterdir()) == [FIXTURE.name]


def test_generator_refuses_an_empty_solutions_folder(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["--solutions", str(tmp_path / "empty"), "--notebooks", str(tmp_path / "n")]) == 2
    assert "holds no *.ipynb" in capsys.readouterr().err


def test_a_copy_that_shows_two_lines_of_another_notebooks_answer_is_a_leak():
    """Notebook 11 once spelled out 02's rnn_forward loop; one shared generic line is fine."""
    from instructor.notebooks.leaks import cross_notebook_leaks

    loop = "    states.append(h_next_state)\n    return np.stack(states_list, axis=1)"
    first = notebook(
        tagged(new_code_cell(f"def f():\n    {SOLUTION_BEGIN}\n{loop}\n    ### END SOLUTION"),
               "exercise:f"),
    )  # fmt: skip
    solutions = {"02.ipynb": first}
    both = notebook(new_code_cell(f"def g():\n{loop}"))
    one = notebook(new_code_cell("def g():\n    states.append(h_next_state)"))
    [problem] = cross_notebook_leaks({"11.ipynb": both, "02.ipynb": first}, solutions)
    assert problem.startswith("11.ipynb shows 2 lines of the solution of 02.ipynb's exercise 'f'")
    assert cross_notebook_leaks({"11.ipynb": one}, solutions) == []
