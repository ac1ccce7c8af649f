"""The grader against honest students and cheats (tests/fixtures/solutions/01_warmup.ipynb).

Every cheat must get 0 points for every exercise it did not solve; honest work gets full marks;
a blank notebook gets 0 with "not attempted". The warm-up fixture runs in about a second, so the
whole folder is graded once (module fixture) through the command line, in the sandbox.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import hashlib
import io
import json
import re
import socket
from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from instructor.cli import main
from instructor.notebooks.io import read, tags, write
from instructor.notebooks.leaks import secret_and_public_lines
from instructor.notebooks.student_copies import student_notebook
from instructor.sandbox import sandbox_problem

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "solutions"
FIXTURE = FIXTURES / "01_warmup.ipynb"
LIMITS = ["--timeout", "40", "--cell-timeout", "10", "--max-output", "100000", "--jobs", "2"]
FULL = {"moving_average": 2.0, "word_counts": 1.0, "standardize": 1.0}

needs_sandbox = pytest.mark.skipif(
    sandbox_problem() is not None, reason=f"no sandbox here: {sandbox_problem()}"
)


def with_exercise(nb, **sources: str):
    """A copy of ``nb`` whose exercise cells hold the given sources."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        for tag in tags(cell):
            if tag.startswith("exercise:") and tag[len("exercise:") :] in sources:
                cell.source = sources[tag[len("exercise:") :]]
    return nb


def exercise_source(nb, exercise_id: str) -> str:
    return next(c.source for c in nb.cells if f"exercise:{exercise_id}" in tags(c))


SOLVED = student_notebook(read(FIXTURE), keep_solutions=True)
STUB = student_notebook(read(FIXTURE))
MOVING = exercise_source(SOLVED, "moving_average")

# name -> (submission, expected points per exercise, a word each reason must contain)
CASES = {
    "honest": (SOLVED, FULL, {}),
    "blank": (STUB, dict.fromkeys(FULL, 0.0), dict.fromkeys(FULL, "not attempted")),
    "partial": (with_exercise(STUB, moving_average=MOVING),
                {"moving_average": 2.0, "word_counts": 0.0, "standardize": 0.0}, {}),
    # Cheats from the issue.
    "transformer": (with_exercise(STUB, moving_average=(
        "get_ipython().input_transformers_cleanup.append(lambda lines: ['pass\\n'])")),
        dict.fromkeys(FULL, 0.0), {"moving_average": "policy advice"}),
    "forged_results": (with_exercise(STUB, moving_average=(
        "import json, os\nopen('../results.json', 'w').write(json.dumps({'cells': {}}))\n"
        "os.kill(os.getppid(), 9)")), dict.fromkeys(FULL, 0.0),
        {"moving_average": "policy advice"}),
    "reads_answers": (with_exercise(STUB, word_counts=(
        "import helpers, pathlib\nfolder = pathlib.Path(helpers.__file__).parents[1]\n"
        "exec(open(folder / 'solutions' / '01_warmup.ipynb').read())")),
        dict.fromkeys(FULL, 0.0), {"word_counts": "policy advice"}),
    # More cheats.
    "patches_numpy": (with_exercise(SOLVED, moving_average=(
        "def moving_average(x, window):\n    return x\nnp.allclose = lambda *a, **k: True")),
        {**FULL, "moving_average": 0.0}, {"moving_average": "policy advice"}),
    "rebinds_builtin": (with_exercise(SOLVED, word_counts=(
        "def word_counts(text):\n    return {}\nisinstance = lambda *a: True")),
        {**FULL, "word_counts": 0.0}, {"word_counts": "policy advice"}),
    "always_equal": (with_exercise(SOLVED, word_counts=(
        "class Anything(dict):\n    def __eq__(self, other):\n        return True\n"
        "def word_counts(text):\n    return Anything()")),
        {**FULL, "word_counts": 0.0}, {"word_counts": "policy advice"}),
    "frame_walk": (with_exercise(SOLVED, word_counts=(
        "def gen():\n    yield 1\ng = gen()\nrunner = g.gi_frame.f_back\n"
        "def word_counts(text):\n    return {}")),
        {**FULL, "word_counts": 0.0}, {"word_counts": "policy advice"}),
    "edits_checks": (copy.deepcopy(STUB), dict.fromkeys(FULL, 0.0), {}),
    # The policy is advice: a correct answer it flags keeps its points, with the advice.
    "advised_but_correct": (with_exercise(SOLVED, moving_average="import os\n" + MOVING),
                            FULL, {"moving_average": "policy advice"}),
    # Honest mistakes cost only their own points.
    "loops": (with_exercise(SOLVED, moving_average=(
        "def moving_average(x, window):\n    return x\nwhile True:\n    pass")),
        {**FULL, "moving_average": 0.0}, {"moving_average": "time limit"}),
    "ignores_interrupts": (with_exercise(SOLVED, moving_average=(
        "while True:\n    try:\n        while True:\n            pass\n"
        "    except BaseException:\n        pass")),
        {**FULL, "moving_average": 0.0}, {"moving_average": "time limit"}),
    "syntax": (with_exercise(SOLVED, word_counts="def word_counts(text)\n    return {}"),
               {**FULL, "word_counts": 0.0}, {"word_counts": "syntax error"}),
    "prints": (with_exercise(SOLVED, moving_average=MOVING + "\nprint('x' * 3_000_000)"),
               {**FULL, "moving_average": 0.0}, {"moving_average": "output too large"}),
    "memory": (with_exercise(SOLVED, standardize=(
        "data = rng.normal(loc=5.0, scale=3.0, size=(100, 4))\n"
        "blocks = [np.empty(2**28) for _ in range(64)]")),
        {**FULL, "standardize": 0.0}, {"standardize": "Memory"}),
    "visible_only": (with_exercise(SOLVED, word_counts=(
        "def word_counts(text):\n    counts = {}\n    for word in text.lower().split(' '):\n"
        "        counts[word] = counts.get(word, 0) + 1\n    return counts")),
        {**FULL, "word_counts": 0.0}, {"word_counts": "hidden check"}),
}  # fmt: skip
for cell in CASES["edits_checks"][0].cells:
    if any(tag.startswith("check:") for tag in tags(cell)):
        cell.source = "print('all checks passed')"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("grading")
    folder = base / "submissions"
    folder.mkdir()
    for name, (nb, _, _) in CASES.items():
        write(nb, folder / f"{name}.ipynb")
    untagged = copy.deepcopy(SOLVED)
    for cell in untagged.cells:
        cell.metadata.pop("tags", None)
    (folder / "carol").mkdir()
    write(untagged, folder / "carol" / FIXTURE.name)
    (folder / "garbage.ipynb").write_text("this is not a notebook")
    write(new_notebook(cells=[new_markdown_cell("# My holiday")]), folder / "unrelated.ipynb")
    before = {p: _digest(p) for p in folder.rglob("*.ipynb")}
    out = base / "out" / "gradebook.csv"
    printed = io.StringIO()
    with contextlib.redirect_stderr(printed):
        status = main(
            ["grade", str(folder), "--solutions", str(FIXTURES), "--out", str(out), *LIMITS]
        )
    with open(out, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {
        "status": status,
        "rows": {(r["student"], r["exercise"]): r for r in rows},
        "out": out,
        "changed": [p for p, d in before.items() if _digest(p) != d],
        "folder": folder,
        "progress": printed.getvalue().splitlines(),
    }


def _points(graded, student: str) -> dict[str, float]:
    return {e: float(r["points"]) for (s, e), r in graded["rows"].items() if s == student}


@needs_sandbox
@pytest.mark.slow
@pytest.mark.parametrize("name", CASES)
def test_each_submission_gets_exactly_the_points_it_earned(graded, name):
    _, expected, words = CASES[name]
    assert graded["status"] == 0
    assert _points(graded, name) == expected
    for exercise, word in words.items():
        reason = graded["rows"][name, exercise]["reason"]
        assert word.lower() in reason.lower(), f"{name}/{exercise}: {reason}"


@needs_sandbox
@pytest.mark.slow
def test_lost_tags_are_found_by_the_first_line_and_named_after_the_folder(graded):
    assert _points(graded, "carol") == FULL


@needs_sandbox
@pytest.mark.slow
def test_unreadable_and_unrelated_submissions_get_one_row_with_the_reason(graded):
    assert graded["rows"]["garbage", "-"]["reason"].startswith("not a readable notebook")
    assert graded["rows"]["unrelated", "-"]["reason"].startswith("no matching solution")


@needs_sandbox
@pytest.mark.slow
def test_submissions_are_never_modified(graded):
    assert graded["changed"] == []


@needs_sandbox
@pytest.mark.slow
def test_feedback_and_lms_export_are_written_and_never_show_a_hidden_check(graded):
    out: Path = graded["out"]
    feedback = sorted((out.parent / "gradebook-feedback").rglob("*.md"))
    assert len(feedback) >= len(CASES)
    secret, _ = secret_and_public_lines(read(FIXTURE))  # hidden lines students never see
    hidden = {line for line in secret if "assert" in line or "=" in line}
    assert hidden
    texts = [path.read_text(encoding="utf-8") for path in feedback]
    texts.append(out.with_name("gradebook-lms.csv").read_text(encoding="utf-8"))
    for text in texts:
        assert not [line for line in hidden if line in text]
    visible_only = out.parent / "gradebook-feedback" / "visible_only" / "01_warmup.ipynb.md"
    assert "a hidden check" in visible_only.read_text(encoding="utf-8")
    with open(out.with_name("gradebook-lms.csv"), newline="", encoding="utf-8") as handle:
        lms = {row["student"]: row for row in csv.DictReader(handle)}
    assert lms["honest"]["total"] == "4" and lms["honest"]["max"] == "4"
    assert lms["blank"]["total"] == "0" and lms["honest"]["01_warmup.ipynb"] == "4"


# ------------------------------------------------------------------- fairness, partial credit


def _dependent_solution() -> object:
    """Exercise 2 uses what exercise 1 computed; exercise 2 has three named checks (3 points)."""
    cells = [
        new_code_cell("import numpy as np"),
        new_code_cell("def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n"
                      "    ### END SOLUTION"),
        new_code_cell("expected_sum = 20  # later checks use it, as 01's checks share rng\n"
                      "assert double(3) == 6, 'double(3) should be 6'\n"
                      "### BEGIN HIDDEN CHECKS\nassert double(-1) == -2\n### END HIDDEN CHECKS"),
        new_code_cell("values = double(np.arange(5))"),
        new_code_cell("def stats(v):\n    ### BEGIN SOLUTION\n"
                      "    return {'sum': int(v.sum()), 'max': int(v.max()), 'n': len(v)}\n"
                      "    ### END SOLUTION"),
        new_code_cell("### CHECK sum\nassert stats(values)['sum'] == expected_sum, 'sum'\n"
                      "### CHECK max\nassert stats(values)['max'] == 8, 'max of values'\n"
                      "### CHECK count\nassert stats(values)['n'] == 5, 'count of values'\n"
                      "### BEGIN HIDDEN CHECKS\nassert stats(np.ones(3))['n'] == 3\n"
                      "### END HIDDEN CHECKS"),
    ]  # fmt: skip
    roles = [[], ["exercise:double"], ["check:double"], [], ["exercise:stats"],
             ["check:stats", "points:3"]]  # fmt: skip
    for cell, cell_tags in zip(cells, roles, strict=True):
        cell.metadata["tags"] = cell_tags
    return new_notebook(cells=cells)


@needs_sandbox
@pytest.mark.slow
def test_a_wrong_exercise_1_does_not_cost_exercise_2_and_named_checks_split_the_points(tmp_path):
    solutions, folder = tmp_path / "solutions", tmp_path / "submissions"
    solutions.mkdir()
    folder.mkdir()
    solution = _dependent_solution()
    write(solution, solutions / "09_dependent.ipynb")
    wrong_first = with_exercise(student_notebook(solution, keep_solutions=True),
                                double="def double(x):\n    return x")  # fmt: skip
    write(wrong_first, folder / "fair.ipynb")
    advised_first = with_exercise(student_notebook(solution, keep_solutions=True),
                                  double="import os\ndef double(x):\n    return 2 * x")  # fmt: skip
    write(advised_first, folder / "advised.ipynb")
    missing_first = student_notebook(solution, keep_solutions=True)
    missing_first.cells = [c for c in missing_first.cells if "exercise:double" not in tags(c)]
    write(missing_first, folder / "missing.ipynb")
    no_max = "def stats(v):\n    return {'sum': int(v.sum()), 'max': 0, 'n': len(v)}"
    write(with_exercise(student_notebook(solution, keep_solutions=True), stats=no_max),
          folder / "partial.ipynb")  # fmt: skip
    out = tmp_path / "gradebook.csv"
    assert main(["grade", str(folder), "--solutions", str(solutions), "--out", str(out)]) == 0
    with open(out, newline="", encoding="utf-8") as handle:
        rows = {(r["student"], r["exercise"]): r for r in csv.DictReader(handle)}
    assert rows["fair", "double"]["points"] == "0"
    assert rows["fair", "stats"]["points"] == "3", rows["fair", "stats"]["reason"]
    assert rows["missing", "double"]["points"] == "0"  # a skipped exercise's checks still
    assert rows["missing", "stats"]["points"] == "3", rows["missing", "stats"]["reason"]  # set up
    assert rows["advised", "double"]["points"] == "1"  # flagged (import os) but correct: graded
    assert "policy advice" in rows["advised", "double"]["reason"]
    assert "os" in rows["advised", "double"]["reason"]
    assert rows["advised", "stats"]["points"] == "3", rows["advised", "stats"]["reason"]
    assert rows["partial", "stats"]["points"] == "2"
    assert "'max'" in rows["partial", "stats"]["reason"]
    assert "'sum'" not in rows["partial", "stats"]["reason"]


# ------------------------------------------------------------------- layers beneath the policy


def _run(student_source: str, tmp_path: Path, check: str = "assert True"):
    """Run one student step and its check directly (no policy), in the sandbox."""
    from instructor.grading.run import data_folder, run_steps
    from instructor.grading.verdicts import Limits, Step

    steps = [Step(0, "solution", "import numpy as np"), Step(1, "student", student_source),
             Step(2, "check", check)]  # fmt: skip
    verdicts, outcome = run_steps(steps, tmp_path / "run", Limits(timeout=60, cell_timeout=20),
                                  data_folder(tmp_path), use_sandbox=True)  # fmt: skip
    return verdicts, outcome


@needs_sandbox
@pytest.mark.slow
def test_in_the_sandbox_solutions_other_submissions_home_and_network_are_out_of_reach(tmp_path):
    repo = Path(__file__).resolve().parents[1]
    other = tmp_path / "other_student.ipynb"
    other.write_text("{}")
    home_file = Path.home() / ".grading-secret-test"
    home_file.write_text("secret")
    server = socket.create_server(("127.0.0.1", 0))  # a listener the sandbox must not reach
    port = server.getsockname()[1]
    try:
        attempts = {
            "solutions": f"open({str(repo / 'solutions' / '01_one_hot_encoding.ipynb')!r}).read()",
            "other": f"open({str(other)!r}).read()",
            "home": f"open({str(home_file)!r}).read()",
            "instructor": f"open({str(repo / 'instructor' / 'grading.py')!r}).read()",
            "network": f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=3)",
        }
        for what, code in attempts.items():
            verdicts, _ = _run(code, tmp_path / what)
            outcome = verdicts.outcomes[1]
            assert outcome["status"] == "error", f"{what}: the attempt succeeded"
            assert outcome["ename"] in (
                "FileNotFoundError",
                "PermissionError",
                "OSError",
                "ConnectionRefusedError",
                "TimeoutError",
            ), outcome
        # Outside the sandbox the same attempts work: the test would notice a broken setup.
        assert (repo / "solutions" / "01_one_hot_encoding.ipynb").read_text()
        socket.create_connection(("127.0.0.1", port), timeout=3).close()
    finally:
        home_file.unlink()
        server.close()


@needs_sandbox
@pytest.mark.slow
def test_forged_verdict_lines_are_ignored_and_the_check_still_decides(tmp_path):
    """A student step that bypassed the policy writes 'ok' verdicts to every descriptor, then
    exits: without signatures the grader would count them; with them, the check never ran."""
    forge = (
        "import json, os\n"
        "body = json.dumps({'step': 2, 'status': 'ok'}, sort_keys=True)\n"
        "line = (json.dumps({'body': body, 'mac': '0' * 64}) + '\\n').encode()\n"
        "for fd in range(3, 64):\n"
        "    try:\n        os.write(fd, line)\n    except OSError:\n        pass\n"
        "os._exit(0)"
    )
    verdicts, _ = _run(forge, tmp_path)
    assert verdicts.forged >= 1, (
        "the forged line never reached the channel: the test proves nothing"
    )
    assert 2 not in verdicts.outcomes and not verdicts.done


@needs_sandbox
@pytest.mark.slow
def test_memory_past_the_cap_fails_the_step_not_the_grader(tmp_path):
    verdicts, _ = _run("blocks = [np.empty(2**28) for _ in range(64)]", tmp_path)
    assert verdicts.done
    assert verdicts.outcomes[1]["status"] == "error"
    assert verdicts.outcomes[1]["ename"] == "MemoryError"
    assert verdicts.outcomes[2]["status"] == "ok"


def _signed(key: bytes, fields: object) -> str:
    import hmac
    import json

    body = json.dumps(fields)
    mac = hmac.new(key, body.encode(), hashlib.sha256).hexdigest()
    return json.dumps({"body": body, "mac": mac})


def test_signed_lines_that_name_no_step_of_the_program_are_forged_not_a_crash():
    """With the key (e.g. read from the runner's frame), a line naming step 10**9 as begun made
    the grader index past its steps and stop grading the whole class."""
    from instructor.grading.run import _read_verdicts

    key = b"k" * 32
    lines = [
        _signed(key, {"step": 10**9, "status": "begin"}),
        _signed(key, {"step": [1], "status": "ok"}),
        _signed(key, {"step": "1", "status": "ok"}),
        _signed(key, ["not", "a", "dict"]),
        _signed(key, {"status": "ok"}),
        _signed(key, {"step": 1, "status": "begin"}),
        _signed(key, {"step": 1, "status": "ok"}),
        _signed(key, {"step": -1, "status": "done"}),
    ]
    verdicts = _read_verdicts("\n".join(lines).encode(), key, n_steps=3)
    assert verdicts.forged == 5
    assert verdicts.begun == 1 and set(verdicts.outcomes) == {1} and verdicts.done


def test_a_flood_on_the_verdict_channel_is_drained_but_not_kept():
    import os
    import threading

    from instructor.grading.run import MAX_CHANNEL_BYTES, _drain

    read_end, write_end = os.pipe()
    chunks: list[bytes] = []
    reader = threading.Thread(target=_drain, args=(read_end, chunks))
    reader.start()
    block = b"x" * 2**20
    for _ in range(MAX_CHANNEL_BYTES // len(block) + 8):
        os.write(write_end, block)  # never blocks for long: the reader keeps reading
    os.close(write_end)
    reader.join()
    assert sum(map(len, chunks)) == MAX_CHANNEL_BYTES


def test_a_grader_error_on_one_submission_does_not_stop_the_others(tmp_path, monkeypatch):
    from instructor.grading import run as grade_run
    from instructor.grading.verdicts import GradeRow

    for name in ("alice", "mallory"):
        write(read(FIXTURE), tmp_path / f"{name}_01_warmup.ipynb")

    def fake_grade_file(path, student, *args):
        if "mallory" in path.name:
            raise IndexError("list index out of range")
        return [GradeRow(student, "01_warmup.ipynb", "x", 1.0, 1.0, "passed")]

    monkeypatch.setattr(grade_run, "grade_file", fake_grade_file)
    monkeypatch.setattr(grade_run, "data_folder", lambda root: root)
    rows = grade_run.grade_all([tmp_path], solutions_dir=FIXTURES, jobs=2, use_sandbox=False)
    reasons = {row.student: row.reason for row in rows}
    assert len(rows) == 2 and reasons[next(s for s in reasons if "alice" in s)] == "passed"
    mallory = next(s for s in reasons if "mallory" in s)
    assert reasons[mallory] == "grader error: IndexError: list index out of range"


def test_a_file_name_finds_its_notebook_by_number_also_with_a_letter_after_it():
    from instructor.grading.submissions import Solution, match_by_name

    names = ["05_text_prediction.ipynb", "05b_text_generation.ipynb", "06_write.ipynb"]
    solutions = {name: Solution(Path(name), new_notebook()) for name in names}

    def matched(file_name: str) -> str | None:
        found = match_by_name(Path(file_name), solutions)
        return found.path.name if found else None

    assert matched("alice_05b_text_generation.ipynb") == "05b_text_generation.ipynb"
    assert matched("alice_05b_my_copy.ipynb") == "05b_text_generation.ipynb"
    assert matched("alice_05_my_copy.ipynb") == "05_text_prediction.ipynb"
    assert matched("Copy_of_05B_text.ipynb") == "05b_text_generation.ipynb"
    assert matched("alice_105b_notes.ipynb") is None
    assert matched("alice_05c_notes.ipynb") is None


def _tree(folder: Path, stem: str) -> dict[str, bytes]:
    """Every file of the gradebook ``stem`` in ``folder``, by relative path."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and (p.name.startswith(stem) or stem + "-feedback" in p.parts)
    }


@needs_sandbox
def test_grading_prints_a_progress_line_per_student_and_notebook(graded):
    lines = [line for line in graded["progress"] if line.startswith("[")]
    students = {row["student"] for row in graded["rows"].values()}
    assert len(lines) == len(students) and lines[-1].startswith(f"[{len(students)}/")
    honest = next(line for line in lines if "] honest / " in line)
    assert re.fullmatch(
        r"\[\d+/\d+\] honest / 01_warmup\.ipynb: 4/4 \(\d+\.\d s\), .*(left|min)", honest
    ), honest
    assert any("] garbage / garbage.ipynb: 0/0 (" in line for line in lines)


@needs_sandbox
def test_three_shards_merged_equal_one_unsharded_run_byte_for_byte(graded, tmp_path):
    shards = []
    for i in (1, 2, 3):
        out = tmp_path / f"machine{i}" / "gradebook.csv"
        argv = ["grade", str(graded["folder"]), "--solutions", str(FIXTURES), "--out", str(out)]
        assert main([*argv, *LIMITS, "--shard", f"{i}/3"]) == 0
        shards.append(out)

    def rows(out: Path) -> list:
        return json.loads(out.with_name("gradebook-rows.json").read_text())["rows"]

    sizes = [len(rows(out)) for out in shards]
    assert all(sizes) and sum(sizes) == len(rows(graded["out"])), sizes  # each shard got some
    with pytest.raises(SystemExit, match=r"missing \[2\]"):
        main(
            ["gradebook", "merge", str(shards[0]), str(shards[2]), "--out", str(tmp_path / "x.csv")]
        )
    merged = tmp_path / "class" / "gradebook.csv"
    assert main(["gradebook", "merge", *map(str, shards), "--out", str(merged)]) == 0
    whole, joined = _tree(graded["out"].parent, "gradebook"), _tree(merged.parent, "gradebook")
    assert sorted(whole) == sorted(joined) and len(whole) > 6
    assert [name for name in whole if whole[name] != joined[name]] == []
