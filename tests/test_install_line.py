"""A term's release is one edit: pyproject.toml's version (and, in a fork, its URL)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from instructor import project
from instructor.cli import main
from instructor.notebooks.format import NotebookFormatError
from instructor.notebooks.io import read
from instructor.notebooks.transforms.install_line import set_install_line

ROOT = Path(__file__).resolve().parents[1]
FORK = {"name": "rnn-course-pack", "version": "9.9.9", "repository": "https://github.com/fork/pack"}
SPEC = 'COURSE = "rnn-course-pack @ git+https://github.com/fork/pack@v9.9.9"'


@pytest.fixture
def forked(tmp_path, monkeypatch):
    """Two solutions, and pyproject.toml's facts as a fork with a new version has them."""
    solutions = tmp_path / "solutions"
    solutions.mkdir()
    for name in ("00_setup_check.ipynb", "01_one_hot_encoding.ipynb"):
        shutil.copy(ROOT / "solutions" / name, solutions)
    monkeypatch.setattr(project, "facts", lambda root=project.ROOT: dict(FORK))
    return tmp_path


def test_students_writes_the_install_line_and_badges_from_pyproject(forked, capsys):
    solutions, notebooks = forked / "solutions", forked / "notebooks"
    before = {p.name: p.read_text().splitlines() for p in solutions.glob("*.ipynb")}
    argv = ["students", "--solutions", str(solutions), "--out-dir", str(notebooks)]
    assert main([*argv, "--check"]) == 1
    assert "install line is not pyproject.toml's" in capsys.readouterr().out
    assert main(argv) == 0
    for name, lines in before.items():
        after = (solutions / name).read_text().splitlines()
        changed = [new for old, new in zip(lines, after, strict=True) if old != new]
        assert len(changed) == 1 and SPEC.replace('"', '\\"') in changed[0], changed
        student = (notebooks / name).read_text()
        assert SPEC.replace('"', '\\"') in student
        assert f"github/fork/pack/blob/v9.9.9/notebooks/{name}" in student  # the badge
    assert main([*argv, "--check"]) == 0


def test_a_setup_cell_with_two_install_lines_is_named_and_one_without_is_left_alone():
    nb = read(ROOT / "solutions" / "01_one_hot_encoding.ipynb")
    setup = next(cell for cell in nb.cells if cell.cell_type == "code")
    line = next(x for x in setup.source.splitlines() if x.startswith("COURSE = "))
    setup.source = setup.source.replace(line, f"{line}\n{line}")
    with pytest.raises(NotebookFormatError, match=r"01_x.ipynb: the setup cell .* has 2 lines"):
        set_install_line(nb, "01_x.ipynb")
    without = setup.source.replace(f"{line}\n{line}\n", "")
    setup.source = without
    assert "COURSE = " not in without and set_install_line(nb).cells[1].source == without
