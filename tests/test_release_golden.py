"""The release built from the fixture solution, against a reviewed golden tree.

``tests/fixtures/release_golden/`` holds what ``./course release`` writes for
``tests/fixtures/solutions/``: ``tree.txt`` lists every file with its mode, and the files
students read first are stored whole (the student notebook, README, .gitignore,
environment.yml, the course script), with the project's install line, tag and repository
written as ``{install_spec}``, ``{tag}``, ``{repository}`` and ``{owner_repo}``, so that a new
term's version or a fork changes nothing here. Copies of files tested elsewhere (helpers,
LICENSE, the pins, the data note, the student pyproject) are listed, not stored.

A change to the generator shows up here as a diff to review. When it is intended, write the
new golden tree with ``COURSE_UPDATE_GOLDEN=1 ./course test tests/test_release_golden.py``
and commit it with the change.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from instructor.notebooks.release import build_release
from instructor.project import install_spec, release_tag, repository_url

FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOLDEN = FIXTURES / "release_golden"
STORED = ("notebooks/01_warmup.ipynb", "README.md", ".gitignore", "environment.yml", "course")


def _normalised(text: str) -> str:
    owner_repo = repository_url().removeprefix("https://github.com/")
    for value, name in ((install_spec(), "install_spec"), (release_tag(), "tag"),
                        (repository_url(), "repository"), (owner_repo, "owner_repo")):  # fmt: skip
        text = text.replace(value, "{" + name + "}")
    return text


def _golden(name: str) -> Path:
    """Where the golden copy of ``name`` is kept: a dot file under another name, since a stored
    ``.gitignore`` would act on this folder."""
    path = Path(name)
    return GOLDEN / path.with_name(
        f"dot-{path.name[1:]}" if path.name.startswith(".") else path.name
    )


def _tree(root: Path) -> str:
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return "".join(
        f"{p.stat().st_mode & 0o777:o} {p.relative_to(root).as_posix()}\n" for p in files
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return build_release(FIXTURES / "solutions", tmp_path_factory.mktemp("golden") / "tree")


def test_golden_tree_is_there_to_compare_with():
    assert (GOLDEN / "tree.txt").is_file() and all(_golden(name).is_file() for name in STORED)


def test_release_lists_the_golden_files_with_their_modes(built):
    if os.environ.get("COURSE_UPDATE_GOLDEN") == "1":
        (GOLDEN / "tree.txt").parent.mkdir(parents=True, exist_ok=True)
        (GOLDEN / "tree.txt").write_text(_tree(built), encoding="utf-8")
    assert _tree(built) == (GOLDEN / "tree.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", STORED)
def test_release_file_equals_its_golden_copy(built, name):
    text = _normalised((built / name).read_text(encoding="utf-8"))
    golden = _golden(name)
    if os.environ.get("COURSE_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8"), f"{name} differs from {golden}"


def test_normalising_takes_out_exactly_the_project_facts():
    owner_repo = repository_url().removeprefix("https://github.com/")
    line = f'COURSE = "{install_spec()}"  # {release_tag()} of {repository_url()}, {owner_repo}'
    expected = 'COURSE = "{install_spec}"  # {tag} of {repository}, {owner_repo}'
    assert _normalised(line) == expected
