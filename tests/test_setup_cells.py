"""Every notebook starts with the same setup cell, and it installs from the one documented URL."""

from __future__ import annotations

import tomllib
from pathlib import Path

import nbformat
import pytest

from instructor.project import install_spec

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "solutions").glob("*.ipynb")) + sorted(
    (ROOT / "notebooks").glob("*.ipynb")
)
REPOSITORY = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]["Repository"]
SPEC = install_spec()


def _first_code_cell(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    return next(cell.source for cell in nb.cells if cell.cell_type == "code")


def test_there_are_notebooks_to_check():
    assert (ROOT / "solutions" / "00_setup_check.ipynb") in NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_setup_cell_installs_helpers_on_colab_only_and_never_tensorflow(path):
    source = _first_code_cell(path)
    assert 'if "google.colab" in sys.modules:' in source
    install = [line for line in source.splitlines() if "pip install" in line]
    assert len(install) == 1, f"{path.name}: expected one pip install line, got {install}"
    assert install[0].startswith("    "), "the install must sit inside the Colab-only branch"
    assert "--no-deps" in install[0], "without --no-deps pip would replace Colab's TensorFlow"
    assert install[0].strip() == '%pip install -q --no-deps "{COURSE}"'
    assert f'COURSE = "{SPEC}"' in source, (
        f"{path.name} installs something else than pyproject's release {SPEC} (URL and v+version)"
    )
    assert "tensorflow" not in install[0].lower()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_setup_cell_stops_with_one_clear_message_when_the_helpers_are_missing(path):
    """A failed install must not surface as a bare ModuleNotFoundError further down."""
    source = _first_code_cell(path)
    guard = source.index("import helpers  # noqa: F401")
    assert guard < source.index("from helpers"), "check the install before importing from it"
    message = source[guard : source.index(") from None")]
    assert "RuntimeError(" in message and "{COURSE}" in message and "run this cell again" in message


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_setup_cell_seeds_and_reports_device_and_mode(path):
    source = _first_code_cell(path)
    assert "setup_notebook(" in source and "full_minutes=" in source, (
        f"{path.name}: the setup cell must call setup_notebook(seed=..., full_minutes=(gpu, cpu))"
    )


def test_colab_test_notebook_clones_the_documented_repository_and_never_installs_tensorflow():
    nb = nbformat.read(ROOT / "tests" / "run_tests_on_colab.ipynb", as_version=4)
    source = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")
    assert f'REPOSITORY = "{REPOSITORY}"' in source
    assert '"--no-deps", "-e", str(ROOT)' in source, "the helpers must install with --no-deps"
    test_tools = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]["test"]
    assert not [t for t in test_tools if t.lower().startswith(("tensorflow", "keras"))]
