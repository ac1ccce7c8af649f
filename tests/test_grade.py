"""The grader: full marks for a solution, zero for a stub, and each failure costs only its points.

Most tests grade one folder of submissions made from the pure-NumPy fixture solution in
``tests/fixtures/solutions`` (20-40 s for all of them on 2 busy cores); the unit tests of
matching, scoring and the summary need no kernel.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import tempfile
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from helpers.authoring import read, tags, write
from helpers.grade import (
    CellOutcome,
    GradeRow,
    Limits,
    Solution,
    grading_copy,
    load_solutions,
    main,
    markdown_summary,
    match_solution,
    run_notebook,
    score,
    student_name,
)
from helpers.students import exercises, student_notebook

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "solutions"
FIXTURE = FIXTURES / "01_warmup.ipynb"
LIMITS = ["--timeout", "40", "--cell-timeout", "5"]


def _with_exercise(nb, **sources: str):
    """Return a copy of ``nb`` whose exercise cells get the given sources (by exercise id)."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        for tag in tags(cell):
            if tag.startswith("exercise:") and tag[len("exercise:") :] in sources:
                cell.source = sources[tag[len("exercise:") :]]
    return nb


def _exercise_source(nb, exercise_id: str) -> str:
    return next(c.source for c in nb.cells if f"exercise:{exercise_id}" in tags(c))


def _digest(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def _gone(pid: int, seconds: float = 10) -> bool:
    """Wait until process ``pid`` has exited (a killed process may take a moment)."""
    stat = Path(f"/proc/{pid}/stat")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if stat.read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X"):
                return True
        except (FileNotFoundError, ProcessLookupError):
            return True
        time.sleep(0.1)
    return False


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def make_submissions(folder: Path) -> None:
    """Write one submission per behaviour the grader must handle."""
    solution = read(FIXTURE)
    stub = student_notebook(solution)
    solved = student_notebook(solution, keep_solutions=True)
    moving_average = _exercise_source(solved, "moving_average")
    folder.mkdir()
    (folder / "a_solution.ipynb").write_bytes(FIXTURE.read_bytes())  # (a) the solution itself
    write(stub, folder / "b_untouched.ipynb")  # (b)
    write(_with_exercise(stub, moving_average=moving_average), folder / "c_partial.ipynb")  # (c)
    loop = "def moving_average(x, window):\n    while True:\n        pass"
    write(_with_exercise(solved, moving_average=loop), folder / "d_loop.ipynb")  # (d)
    syntax = "def word_counts(text)\n    return {}"
    write(_with_exercise(solved, word_counts=syntax), folder / "e_syntax.ipynb")  # (e)
    vandal = moving_average + (
        "\nimport os, shutil\nopen('junk.txt', 'w').write('x')\n"
        "for name in os.listdir('.'):\n"
        "    shutil.rmtree(name) if os.path.isdir(name) else os.remove(name)"
    )
    write(_with_exercise(solved, moving_average=vandal), folder / "f_deletes.ipynb")
    chatty = moving_average + "\nprint('x' * 3_000_000)"
    write(_with_exercise(solved, moving_average=chatty), folder / "g_prints.ipynb")
    write(_with_exercise(solved, word_counts="import os\nos._exit(1)"), folder / "h_crash.ipynb")
    visible_only = (
        "def word_counts(text):\n    counts = {}\n    for word in text.lower().split(' '):\n"
        "        counts[word] = counts.get(word, 0) + 1\n    return counts"
    )
    write(_with_exercise(solved, word_counts=visible_only), folder / "i_visible_only.ipynb")
    cheat = copy.deepcopy(stub)
    for cell in cheat.cells:
        if any(tag.startswith("check:") for tag in tags(cell)):
            cell.source = "print('all checks passed')"
    write(cheat, folder / "j_cheat.ipynb")
    untagged = copy.deepcopy(solved)
    for cell in untagged.cells:
        cell.metadata.pop("tags", None)
    untagged.cells = [c for c in untagged.cells if "check" not in c.source[:20].lower()]
    (folder / "carol").mkdir()
    write(untagged, folder / "carol" / FIXTURE.name)  # tags lost, named like the solution
    (folder / "l_garbage.ipynb").write_text("this is not a notebook")
    write(new_notebook(cells=[new_markdown_cell("# My holiday")]), folder / "m_unrelated.ipynb")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grade the folder of submissions once; return rows by (student, exercise) and more."""
    base = tmp_path_factory.mktemp("grading")
    folder = base / "submissions"
    make_submissions(folder)
    before = {path: _digest(path) for path in folder.rglob("*.ipynb")}
    scratch = base / "scratch"
    scratch.mkdir()
    out = base / "gradebook.csv"
    start = time.monotonic()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tempfile, "tempdir", str(scratch))
        status = main(
            [str(folder), "--solutions", str(FIXTURES), "--out", str(out), "--jobs", "2", *LIMITS]
        )
    rows = _read_csv(out)
    return {
        "status": status,
        "rows": {(row["student"], row["exercise"]): row for row in rows},
        "list": rows,
        "before": before,
        "after": {path: _digest(path) for path in folder.rglob("*.ipynb")},
        "scratch_left": list(scratch.iterdir()),
        "markdown": out.with_suffix(".md").read_text(encoding="utf-8"),
        "seconds": time.monotonic() - start,
    }


def _student(graded, student: str) -> dict[str, tuple[float, str]]:
    return {
        exercise: (float(row["points"]), row["reason"])
        for (name, exercise), row in graded["rows"].items()
        if name == student
    }


ALL_PASSED = {
    "moving_average": (2.0, "passed"),
    "word_counts": (1.0, "passed"),
    "standardize": (1.0, "passed"),
}


# --------------------------------------------------------------------------- the (a)-(e) list


@pytest.mark.slow
def test_solution_renamed_as_a_submission_gets_full_marks(graded):
    assert graded["status"] == 0
    assert _student(graded, "a_solution") == ALL_PASSED


@pytest.mark.slow
def test_untouched_student_notebook_gets_zero_marked_not_attempted(graded):
    result = _student(graded, "b_untouched")
    assert {exercise: points for exercise, (points, _) in result.items()} == {
        "moving_average": 0.0,
        "word_counts": 0.0,
        "standardize": 0.0,
    }
    for exercise, (_, reason) in result.items():
        assert reason.startswith(f"not attempted: {exercise} still raises NotImplementedError")


@pytest.mark.slow
def test_partly_solved_notebook_gets_the_points_of_the_solved_exercise_only(graded):
    result = _student(graded, "c_partial")
    assert result["moving_average"] == (2.0, "passed")
    assert result["word_counts"][0] == 0 and result["standardize"][0] == 0


@pytest.mark.slow
def test_infinite_loop_costs_its_exercise_with_a_timeout_reason_and_nothing_else(graded):
    result = _student(graded, "d_loop")
    points, reason = result["moving_average"]
    assert points == 0 and reason.startswith("time limit:") and "after 5 s" in reason
    assert result["word_counts"] == (1.0, "passed") and result["standardize"] == (1.0, "passed")


@pytest.mark.slow
def test_syntax_error_is_reported_with_its_cell_and_line(graded):
    result = _student(graded, "e_syntax")
    assert result["word_counts"] == (
        0.0,
        "syntax error in cell 8: SyntaxError, line 1: expected ':'",
    )
    assert result["moving_average"] == (2.0, "passed")


# --------------------------------------------------------------------------- misbehaviour


@pytest.mark.slow
def test_deleting_files_in_the_working_directory_harms_nobody(graded):
    assert _student(graded, "f_deletes") == ALL_PASSED
    assert graded["before"] == graded["after"]


@pytest.mark.slow
def test_printing_megabytes_costs_only_that_exercise(graded):
    result = _student(graded, "g_prints")
    assert result["moving_average"] == (
        0.0,
        "output too large: cell 4 printed more than 1,000,000 characters",
    )
    assert result["word_counts"] == (1.0, "passed") and result["standardize"] == (1.0, "passed")


@pytest.mark.slow
def test_a_crashing_kernel_costs_its_exercise_and_the_ones_after_it(graded):
    result = _student(graded, "h_crash")
    assert result["moving_average"] == (2.0, "passed")
    assert result["word_counts"][0] == 0 and "kernel died in cell 8" in result["word_counts"][1]
    assert result["standardize"] == (0.0, "not graded: the kernel died earlier, in cell 8")
    assert _student(graded, "i_visible_only")["moving_average"] == (2.0, "passed")  # next one


@pytest.mark.slow
def test_hidden_checks_catch_what_the_visible_checks_let_through(graded):
    result = _student(graded, "i_visible_only")
    assert result["word_counts"] == (0.0, "check failed: word_counts('') should be an empty dict.")
    assert result["moving_average"] == (2.0, "passed")


@pytest.mark.slow
def test_edited_check_cells_are_replaced_by_the_solutions_checks(graded):
    result = _student(graded, "j_cheat")
    assert [points for points, _ in result.values()] == [0.0, 0.0, 0.0]


@pytest.mark.slow
def test_submission_without_tags_is_matched_by_name_and_named_after_its_folder(graded):
    assert _student(graded, "carol") == ALL_PASSED
    assert graded["rows"]["carol", "moving_average"]["notebook"] == FIXTURE.name


@pytest.mark.slow
def test_unreadable_and_unrelated_submissions_get_one_row_with_the_reason(graded):
    garbage = graded["rows"]["l_garbage", "-"]
    assert garbage["points"] == "0" and garbage["reason"].startswith("not a readable notebook")
    unrelated = graded["rows"]["m_unrelated", "-"]
    assert unrelated["reason"].startswith("no matching solution")


@pytest.mark.slow
def test_grading_never_modifies_submissions_and_cleans_up_its_scratch_folders(graded):
    assert len(graded["before"]) == 13
    assert graded["before"] == graded["after"]
    assert graded["scratch_left"] == []


@pytest.mark.slow
def test_gradebook_csv_has_one_row_per_student_and_exercise(graded):
    rows = graded["list"]
    assert list(rows[0]) == ["student", "notebook", "exercise", "points", "max_points", "reason"]
    assert len(rows) == 11 * 3 + 2
    assert {row["max_points"] for row in rows if row["exercise"] == "moving_average"} == {"2"}


@pytest.mark.slow
def test_markdown_summary_has_a_table_with_totals_and_the_lost_points(graded):
    text = graded["markdown"]
    assert "## 01_warmup.ipynb (maximum 4 points)" in text
    assert "| a_solution | 2 | 1 | 1 | 4 |" in text
    assert "| c_partial | 2 | 0 | 0 | 2 |" in text
    assert "- **d_loop**, `moving_average`: time limit:" in text
    assert "## Not graded" in text and "**l_garbage**" in text


# --------------------------------------------------------------------------- limits of a run


@pytest.mark.slow
def test_notebook_time_limit_stops_the_run_and_kills_a_kernel_that_ignores_interrupts(tmp_path):
    pid_file = tmp_path / "kernel.pid"
    nb = new_notebook()
    nb.nbformat_minor = 4
    nb.cells = [
        new_code_cell(f"import os, time\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))"),
        new_code_cell(
            "while True:\n    try:\n        time.sleep(0.05)\n"
            "    except KeyboardInterrupt:\n        pass"
        ),
        new_code_cell("x = 1"),
        new_code_cell("y = 2"),
    ]
    outcomes = run_notebook(nb, tmp_path / "scratch", Limits(timeout=7, cell_timeout=3))
    assert outcomes[0].status == "ok"
    assert outcomes[1].status == "timeout" and not outcomes[1].notebook_limit
    assert outcomes[2].status == "timeout" and outcomes[2].notebook_limit  # still looping
    assert outcomes[3] == CellOutcome("not_run", cause="timeout", at=2)
    assert _gone(int(pid_file.read_text()))


@pytest.mark.slow
def test_a_run_that_outlives_its_limit_is_killed_with_its_kernel(tmp_path, monkeypatch):
    import helpers.grade

    # Killed 30 s in while cells may run 90 s: the hard kill, not a cell timeout, ends the run.
    # 30 s leaves a loaded 2-core machine time to start the kernel and run the first cell.
    monkeypatch.setattr(helpers.grade, "_KILL_GRACE", -60)
    pid_file = tmp_path / "kernel.pid"
    nb = new_notebook()
    nb.nbformat_minor = 4
    nb.cells = [
        new_code_cell(f"import os\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))"),
        new_code_cell("while True:\n    pass"),
    ]
    outcomes = run_notebook(nb, tmp_path / "scratch", Limits(timeout=90, cell_timeout=90))
    assert outcomes[1].status == "not_run" and outcomes[1].cause == "timeout"
    assert pid_file.exists(), "the kernel did not even start within 30 s"
    assert outcomes[0].status == "ok"
    assert _gone(int(pid_file.read_text()))  # the looping kernel was killed too


# --------------------------------------------------------------------------- a real notebook


def _real_example() -> Path | None:
    candidates = sorted((ROOT / "solutions").glob("*.ipynb"))
    preferred = [p for p in candidates if p.name.startswith("01_")]
    for path in preferred + candidates:
        if exercises(read(path), path.name):
            return path
    return None


@pytest.mark.slow
def test_a_real_solution_notebook_is_graded_full_marks_and_its_stub_zero(tmp_path):
    path = _real_example()
    if path is None:
        pytest.skip("no solution notebook with exercises in solutions/ yet")
    solution = read(path)
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    write(student_notebook(solution, keep_solutions=True), submissions / "solved.ipynb")
    write(student_notebook(solution), submissions / "stub.ipynb")
    out = tmp_path / "gradebook.csv"
    single = tmp_path / "solutions"
    single.mkdir()
    (single / path.name).write_bytes(path.read_bytes())
    assert (
        main(
            [
                str(submissions),
                "--solutions",
                str(single),
                "--out",
                str(out),
                "--jobs",
                "2",
                "--timeout",
                "120",
                "--cell-timeout",
                "60",
            ]
        )
        == 0
    )
    rows = _read_csv(out)
    solved = [row for row in rows if row["student"] == "solved"]
    stub = [row for row in rows if row["student"] == "stub"]
    assert [row["reason"] for row in solved] == ["passed"] * len(exercises(solution))
    assert [row["points"] for row in stub] == ["0"] * len(exercises(solution))


# --------------------------------------------------------------------------- no kernel needed


@pytest.fixture
def fixture_solutions() -> dict[str, Solution]:
    return load_solutions(FIXTURES)


def test_submission_is_matched_by_exercise_tags_before_its_name(fixture_solutions):
    stub = student_notebook(read(FIXTURE))
    assert match_solution(stub, Path("anything.ipynb"), fixture_solutions).path == FIXTURE
    empty = new_notebook(cells=[new_code_cell("x = 1")])
    assert match_solution(empty, Path("bob_01_homework.ipynb"), fixture_solutions).path == FIXTURE
    assert match_solution(empty, Path("bob-01_warmup.ipynb"), fixture_solutions).path == FIXTURE
    assert match_solution(empty, Path("bob_warmup.ipynb"), fixture_solutions) is None
    assert match_solution(empty, Path("bob_02_homework.ipynb"), fixture_solutions) is None


def test_student_name_comes_from_the_folder_or_the_file_name():
    files = ["01_warmup.ipynb"]
    root = Path("/subs")
    assert student_name(Path("/subs/alice/01_warmup.ipynb"), root, files) == "alice"
    assert student_name(Path("/subs/bob_01.ipynb"), root, files) == "bob_01"
    assert student_name(Path("/subs/group1/dan.ipynb"), root, files) == "group1/dan"
    assert (
        student_name(Path("/elsewhere/erin/01_warmup.ipynb"), Path("/elsewhere/erin"), files)
        == "erin"
    )


def test_grading_copy_restores_full_checks_and_inserts_deleted_ones(fixture_solutions):
    solution = fixture_solutions[FIXTURE.name]
    submission = student_notebook(solution.nb)
    check = next(c for c in submission.cells if "check:moving_average" in tags(c))
    check.source = "pass  # the student emptied the check"
    submission.cells = [c for c in submission.cells if "check:word_counts" not in tags(c)]
    before = nbformat.writes(submission)
    graded = grading_copy(submission, solution)
    assert nbformat.writes(submission) == before
    full = {e.id: solution.nb.cells[e.check_cell].source for e in solution.exercises}
    for exercise_id, index in graded.check_cell.items():
        assert graded.nb.cells[index].source == full[exercise_id]
    inserted = graded.check_cell["word_counts"]
    assert graded.exercise_cells["word_counts"] == [inserted - 1]
    assert graded.cell_number[inserted] is None
    assert graded.cell_number[inserted + 1] == inserted + 1  # later cells keep their numbers


def test_score_names_the_first_cause_of_a_failure(fixture_solutions):
    solution = fixture_solutions[FIXTURE.name]
    graded = grading_copy(student_notebook(solution.nb), solution)
    ex = {e: graded.exercise_cells[e][0] for e in graded.check_cell}
    check = graded.check_cell
    outcomes = {
        ex["moving_average"]: CellOutcome("ok"),
        check["moving_average"]: CellOutcome("error", "AssertionError", ""),
        ex["word_counts"]: CellOutcome("ok"),
        check["word_counts"]: CellOutcome("error", "NameError", "name 'np' is not defined"),
        ex["standardize"]: CellOutcome("timeout", limit=7, notebook_limit=True),
        check["standardize"]: CellOutcome("not_run", cause="timeout", at=ex["standardize"]),
    }
    outcomes[1] = CellOutcome("error", "ModuleNotFoundError", "No module named 'nump'")
    rows = {row.exercise: row for row in score(solution, graded, outcomes, Limits(), "x")}
    assert rows["moving_average"].reason == "check failed: an assert without a message"
    assert rows["word_counts"].reason == (
        "the check (cell 9) raised NameError: name 'np' is not defined (an earlier cell failed: "
        "cell 2: ModuleNotFoundError: No module named 'nump')"
    )
    assert rows["standardize"].reason.startswith(
        "time limit: cell 11 was stopped after 7 s (the notebook's limit ran out)"
    )
    assert [row.points for row in rows.values()] == [0, 0, 0]
    outcomes[check["moving_average"]] = CellOutcome("ok")
    rows = {row.exercise: row for row in score(solution, graded, outcomes, Limits(), "x")}
    assert (rows["moving_average"].points, rows["moving_average"].reason) == (2.0, "passed")


def test_markdown_summary_escapes_table_characters():
    rows = [GradeRow("a|b", "01_x.ipynb", "e", 1.0, 2.0, "check failed: x | y")]
    text = markdown_summary(rows, Limits())
    assert "| a\\|b | 1 | 1 |" in text and "check failed: x \\| y" in text


def test_command_refuses_missing_solutions_or_submissions(tmp_path, capsys):
    out = str(tmp_path / "gradebook.csv")
    assert main([str(FIXTURE), "--solutions", str(tmp_path), "--out", out]) == 2
    assert "holds no solution notebooks" in capsys.readouterr().err
    assert main([str(tmp_path / "nope"), "--solutions", str(FIXTURES), "--out", out]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not Path(out).exists()
