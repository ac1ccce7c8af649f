"""The student release: what is in it, that no answer leaks, that it installs as Colab does."""

from __future__ import annotations

import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from instructor.notebooks.io import read, tags
from instructor.notebooks.release import build_release, file_lines, scan_tree, secret_lines
from instructor.project import install_spec, release_tag

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    return build_release(SOLUTIONS, tmp_path_factory.mktemp("release") / "tree")


def _files(tree: Path) -> list[str]:
    return sorted(p.relative_to(tree).as_posix() for p in tree.rglob("*") if p.is_file())


def test_release_holds_the_student_side_and_nothing_of_the_instructors(release):
    files = _files(release)
    for expected in (
        "README.md",
        "LICENSE",
        "pyproject.toml",
        "environment.yml",
        "course",
        "data/README.md",
        "helpers/__init__.py",
        "notebooks/00_setup_check.ipynb",
    ):
        assert expected in files, f"the release lacks {expected}"
    assert {Path(f).name for f in files if f.startswith("notebooks/")} == {
        p.name for p in SOLUTIONS.glob("*.ipynb")
    }
    forbidden = re.compile(r"^(solutions|instructor|tests|benchmarks|docs)/|\.ci/")
    assert not [f for f in files if forbidden.search(f)]
    text = "\n".join((release / f).read_text(encoding="utf-8") for f in files)
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN" not in text
    assert "instructor" not in (release / "pyproject.toml").read_text(encoding="utf-8")


def test_whole_tree_scan_passes_on_the_release_and_finds_a_planted_solution_line(release, tmp_path):
    assert scan_tree(release, SOLUTIONS) == []
    secret = sorted(secret_lines(SOLUTIONS))
    assert secret, "the solutions have solution lines to look for"
    planted = tmp_path / "planted"
    shutil.copytree(release, planted)
    readme = planted / "data" / "README.md"
    readme.write_text(readme.read_text() + f"\n    {secret[0]}\n", encoding="utf-8")
    nb_path = planted / "notebooks" / "01_one_hot_encoding.ipynb"
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    nb["cells"][-1]["source"] = [f"text\n{secret[-1]}\n"]
    nb_path.write_text(json.dumps(nb), encoding="utf-8")
    problems = scan_tree(planted, SOLUTIONS)
    assert any("data/README.md" in p and secret[0] in p for p in problems), problems
    assert any("01_one_hot_encoding.ipynb" in p and secret[-1] in p for p in problems), problems


def test_release_is_byte_identical_when_built_twice(release, tmp_path):
    again = build_release(SOLUTIONS, tmp_path / "again")
    assert _files(again) == _files(release)
    match, mismatch, errors = filecmp.cmpfiles(release, again, _files(release), shallow=False)
    assert not mismatch and not errors
    assert os.access(again / "course", os.X_OK)


def test_release_refuses_a_folder_that_holds_files(tmp_path):
    (tmp_path / "old.txt").write_text("x")
    with pytest.raises(FileExistsError, match="not empty"):
        build_release(SOLUTIONS, tmp_path)
    with pytest.raises(FileExistsError, match="is a file"):  # not a NotADirectoryError traceback
        build_release(SOLUTIONS, tmp_path / "old.txt")


def test_student_notebooks_carry_a_colab_badge_for_the_release_tag_and_say_how_to_hand_in(
    release,
):
    for path in (release / "notebooks").glob("*.ipynb"):
        first = read(path).cells[0]
        assert first.cell_type == "markdown" and "colab-badge.svg" in first.source
        assert "*File → Download → Download .ipynb*" in first.source
        assert f"/blob/{release_tag()}/notebooks/{path.name}" in first.source
    readme = (release / "README.md").read_text(encoding="utf-8")
    assert readme.count("colab-badge.svg") == len(list((release / "notebooks").glob("*.ipynb")))


def _setup_command(notebook: Path) -> str:
    """The pip command of the setup cell, with {COURSE} filled in as IPython would."""
    source = next(c.source for c in read(notebook).cells if c.cell_type == "code")
    spec = re.search(r'^COURSE = "(.*)"$', source, re.M).group(1)
    line = next(line.strip() for line in source.splitlines() if "%pip install" in line)
    return line.removeprefix("%").replace("{COURSE}", spec)


@pytest.mark.slow
def test_release_installs_from_a_git_tag_with_the_setup_cell_command_and_runs_00(release, tmp_path):
    # The release as its own git repository, tagged as pyproject says.
    repo = tmp_path / "repo"
    shutil.copytree(release, repo)
    git = ["git", "-C", str(repo), "-c", "user.name=ci", "-c", "user.email=ci@example.invalid"]
    for args in (
        ["init", "-q"],
        ["add", "-A"],
        ["commit", "-q", "-m", "release"],
        ["tag", release_tag()],
    ):
        subprocess.run([*git, *args], check=True)
    # A fresh venv that already has TensorFlow/Keras (as Colab has): this venv's packages.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(site, "colab_packages.pth").write_text(sysconfig.get_path("purelib") + "\n")
    command = _setup_command(release / "notebooks" / "00_setup_check.ipynb")
    assert command.split()[:4] == ["pip", "install", "-q", "--no-deps"]
    # pip < 24 refuses a direct-reference URL without a host: file://localhost/... works for all.
    local = command.replace(
        install_spec().split(" @ ")[1], f"git+file://localhost{repo}@{release_tag()}"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    subprocess.run(
        [python, "-m", *local.split()[:4], local.split('"')[1]], check=True, env=env, cwd=tmp_path
    )
    where = subprocess.run(
        [python, "-c", "import helpers; print(helpers.__file__)"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert where.startswith(site), f"helpers came from {where}, not the installed release"
    # Execute 00 from the release, its exercise filled in from the solution.
    from instructor.grading.run import data_folder, run_steps
    from instructor.grading.verdicts import Limits, Step
    from instructor.notebooks.student_copies import student_notebook

    solved = student_notebook(read(SOLUTIONS / "00_setup_check.ipynb"), keep_solutions=True)
    answers = {t: c.source for c in solved.cells for t in tags(c) if t.startswith("exercise:")}
    steps = []
    for cell in read(release / "notebooks" / "00_setup_check.ipynb").cells:
        if cell.cell_type == "code" and cell.source.strip():
            tag = next((t for t in tags(cell) if t in answers), None)
            kind = "check" if any(t.startswith("check:") for t in tags(cell)) else "solution"
            steps.append(
                Step(len(steps), "student" if tag else kind, answers.get(tag, cell.source))
            )
    verdicts, run = run_steps(
        steps,
        tmp_path / "run",
        Limits(timeout=300),
        data_folder(tmp_path),
        use_sandbox=False,
        python=str(python),
    )
    assert verdicts.done, run.stderr.decode(errors="replace")[-2000:]
    assert {o["status"] for o in verdicts.outcomes.values()} == {"ok"}, verdicts.outcomes


def test_readme_notebook_table_has_a_colab_badge_for_every_notebook():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in SOLUTIONS.glob("*.ipynb"):
        row = next((line for line in readme.splitlines() if f"(solutions/{path.name})" in line), "")
        assert f"/blob/{release_tag()}/notebooks/{path.name})" in row, f"no badge for {path.name}"


# Words of the instructors' side: CI, the dev extra, test tools, folders a release lacks.
NOT_FOR_STUDENTS = re.compile(
    r"\.ci/|\bCI\b|workflow|\.\./shared|\[dev\]|\bpytest\b|\bnbval\b|\bhypothesis\b|\bcoverage\b"
    r"|\bsolutions\b|benchmarks/|instructor/|\./course (?!lab|setup)\w+"
)


def test_release_files_other_than_notebooks_speak_to_students_only(release):
    for name in _files(release):
        if name.startswith(("notebooks/", "helpers/")) or name == "LICENSE":
            continue
        text = (release / name).read_text(encoding="utf-8")
        found = sorted({m.group(0) for m in NOT_FOR_STUDENTS.finditer(text)})
        assert not found, f"the release's {name} speaks of {found}, which students do not have"


def test_a_planted_instructor_line_is_caught_by_the_student_words_check(release):
    assert NOT_FOR_STUDENTS.search("How CI gets them without internet (`.ci/run`)")
    assert NOT_FOR_STUDENTS.search("pip install -e '.[dev]'")
    assert NOT_FOR_STUDENTS.search("ranks them with ./course leaderboard")
    assert not NOT_FOR_STUDENTS.search("`./course lab` creates .venv; your instructor grades")


def test_release_data_readme_says_what_to_do_offline_for_every_file(release):
    from helpers.data import DATASETS

    text = (release / "data" / "README.md").read_text(encoding="utf-8")
    assert "COURSE_DATA_DIR" in text
    for dataset in DATASETS.values():
        assert dataset.filename in text and dataset.sha256 in text and dataset.url in text


def test_release_constraints_pin_the_student_packages_and_no_test_tools(release):
    from instructor.notebooks.student_files import DEV_ONLY, canonical

    text = (release / "constraints" / "newest.txt").read_text(encoding="utf-8")
    names = {canonical(line.split("==")[0]) for line in text.splitlines() if "==" in line}
    assert {"tensorflow", "keras", "numpy", "matplotlib", "jupyterlab"} <= names
    assert not names & DEV_ONLY, names & DEV_ONLY
    assert "[dev]" not in text and "pytest" not in text


def _requirement_closure(roots: list[str]) -> set[str]:
    """Canonical names of the installed distributions that ``roots`` need (with their extras)."""
    from importlib.metadata import PackageNotFoundError, distribution

    from packaging.requirements import Requirement

    from instructor.notebooks.student_files import canonical

    seen: set[str] = set()
    todo = [Requirement(r) for r in roots]
    while todo:
        requirement = todo.pop()
        name = canonical(requirement.name)
        if name in seen:
            continue
        try:
            dist = distribution(requirement.name)
        except PackageNotFoundError:
            continue  # an optional dependency this platform does not install
        seen.add(name)
        for line in dist.requires or []:
            needed = Requirement(line)
            environments = [{"extra": e} for e in requirement.extras] or [{"extra": ""}]
            if needed.marker is None or any(needed.marker.evaluate(e) for e in environments):
                todo.append(needed)
    return seen


def test_no_student_requirement_needs_a_package_the_student_constraints_drop():
    from instructor.notebooks.student_files import DEV_ONLY
    from instructor.project import pyproject

    project = pyproject()["project"]
    student = _requirement_closure(
        project["dependencies"] + project["optional-dependencies"]["lab"]
    )
    assert "tensorflow" in student and "jupyterlab" in student, "the dev venv is incomplete"
    assert not student & DEV_ONLY, f"students need {student & DEV_ONLY}; keep their pins"
    everything = _requirement_closure(["pytest", "hypothesis", "nbval", "pytest-xdist", "ruff"])
    assert DEV_ONLY <= everything, f"{DEV_ONLY - everything} is not a test tool's dependency"


def test_release_gitignore_keeps_checkpoints_models_submissions_and_offline_data_out_of_git(
    release, tmp_path
):
    repo = tmp_path / "repo"
    shutil.copytree(release, repo)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    paths = [
        "notebooks/checkpoints/05_text_prediction/best.keras",
        "notebooks/submission/model.keras",
        "notebooks/submission.zip",
        "notebooks/text_model.keras",
        "data/tinyshakespeare.txt",
    ]
    ignored = subprocess.run(
        ["git", "-C", str(repo), "check-ignore", *paths, "data/README.md", "helpers/data.py"],
        capture_output=True,
        text=True,
    ).stdout.split()
    assert ignored == paths


# A path a student would look for: a folder of the instructor repository, or a file with a name.
CITED_PATH = re.compile(
    r"(?<![\w/.:-])((?:benchmarks|solutions|instructor|tests|docs|build|\.ci)/[\w./-]*"
    r"|(?:[\w.-]+/)+[\w.-]+\.(?:py|md|ipynb|txt|csv|json|toml|yml|cfg))"
)
# Paths the notebooks create themselves, not files a student is sent to read.
WRITTEN_BY_NOTEBOOKS = re.compile(r"^(submission|checkpoints|my_texts?|build/executed)/")


def _cited_paths(path: Path) -> list[str]:
    """Paths into this course pack that a file names (keras/..., statsmodels/... are not ours)."""
    text = "\n".join(file_lines(path)) if path.suffix == ".ipynb" else path.read_text("utf-8")
    found = {m.group(1).rstrip(".") for m in CITED_PATH.finditer(text)}
    return sorted(p for p in found if (ROOT / p.split("/")[0]).exists())


def _release_file_params() -> list[str]:
    names = [f"notebooks/{p.name}" for p in sorted(SOLUTIONS.glob("*.ipynb"))]
    names += [f"helpers/{p.name}" for p in sorted((ROOT / "helpers").glob("*.py"))]
    names += ["README.md", "data/README.md", "constraints/newest.txt", "pyproject.toml"]
    return names


@pytest.mark.parametrize("name", _release_file_params())
def test_no_file_of_the_release_cites_a_file_the_release_lacks(release, name):
    cited = _cited_paths(release / name)
    missing = [
        path
        for path in cited
        if not WRITTEN_BY_NOTEBOOKS.match(path) and not (release / path.rstrip("/")).exists()
    ]
    assert not missing, f"{name} cites {missing}, which the student release does not contain"


def test_cited_path_finder_catches_benchmark_files_and_skips_urls(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "see `benchmarks/README_05_reference_run.md`; run .ci/run; open data/README.md; "
        "https://example.org/a/b.csv and notebooks/05_text_prediction.ipynb; Keras' own "
        "keras/src/backend/tensorflow/rnn.py is not a file of the pack",
        encoding="utf-8",
    )
    assert _cited_paths(page) == [
        ".ci/run",
        "benchmarks/README_05_reference_run.md",
        "data/README.md",
        "notebooks/05_text_prediction.ipynb",
    ]
