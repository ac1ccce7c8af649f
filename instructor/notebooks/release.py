"""Write the student release: the tree students get, with no answer anywhere in it.

``./course release --out-dir DIR`` (default ``build/release``) writes::

    README.md          what to open, Colab, how to hand in (from docs/release-README.md)
    LICENSE
    notebooks/*.ipynb  the generated student copies (stubs, visible checks, Colab badges)
    helpers/*.py       the student library
    data/README.md     the data files, hashes, what to do offline (see student_files.py)
    pyproject.toml     the student package: runtime dependencies and the `lab` extra only
    environment.yml    conda: Python and pip, then the package as pyproject says
    constraints/newest.txt   the pins without test and lint tools
    course             ./course setup | lab for students

and then scans **every file** of the tree for any line that occurs only in a solution region, a
hidden check or a solution-only cell of any solution (:func:`scan_tree`). A leak deletes the tree
and raises. The same input gives a byte-identical tree: files are written in a fixed order, with
no dates in them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from instructor.notebooks.format import NotebookFormatError
from instructor.notebooks.io import read
from instructor.notebooks.leaks import secret_and_public_lines
from instructor.notebooks.student_copies import build_students
from instructor.notebooks.student_files import student_constraints, student_data_readme
from instructor.project import colab_badge, pyproject, release_tag, repository_url, source_root

STUDENT_DESCRIPTION = (
    "Exercise notebooks and their helper library for a Keras course on recurrent neural networks."
)

STUDENT_COURSE_SCRIPT = """#!/usr/bin/env bash
# Students' entry point: ./course lab sets up .venv (first run) and opens JupyterLab.
set -euo pipefail
cd "$(dirname "$0")"
VENV="${COURSE_VENV:-.venv}"
setup() {
  if [[ ! -x "$VENV/bin/python" ]]; then python3 -m venv "$VENV"; fi
  "$VENV/bin/python" -m pip install --quiet -c constraints/newest.txt -e ".[lab]"
}
case "${1:-lab}" in
  setup) setup ;;
  lab) [[ -x "$VENV/bin/jupyter" ]] || setup; exec "$VENV/bin/jupyter" lab notebooks/ ;;
  *) echo "usage: ./course [setup|lab]" >&2; exit 2 ;;
esac
"""

ENVIRONMENT_YML = """# conda env create -f environment.yml && conda activate rnn-course
name: rnn-course
channels:
  - conda-forge
dependencies:
  - python=3.11
  - pip
  - pip:
      - -c constraints/newest.txt
      - -e .[lab]
"""


def _toml_list(items: list[str]) -> str:
    return "[\n" + "".join(f"    {json.dumps(item)},\n" for item in items) + "]"


def student_pyproject() -> str:
    """The release's pyproject.toml: the student package with its runtime dependencies only."""
    project = pyproject()["project"]
    lab = project["optional-dependencies"]["lab"]
    return f"""[build-system]
requires = ["setuptools>=77"]
build-backend = "setuptools.build_meta"

[project]
name = {json.dumps(project["name"])}
version = {json.dumps(project["version"])}
description = {json.dumps(STUDENT_DESCRIPTION)}
readme = "README.md"
requires-python = {json.dumps(project["requires-python"])}
license = {json.dumps(project["license"])}
dependencies = {_toml_list(project["dependencies"])}

[project.optional-dependencies]
lab = {_toml_list(lab)}

[project.urls]
Repository = {json.dumps(repository_url())}

[tool.setuptools.packages.find]
include = ["helpers*"]
"""


def student_readme(notebooks: list[str]) -> str:
    """The release's README.md: the template with the notebook table (badges) filled in."""
    rows = [
        f"| {name.split('_', 1)[0]} | [{name}](notebooks/{name}) | {colab_badge(name)} |"
        for name in notebooks
    ]
    template = (source_root() / "docs" / "release-README.md").read_text(encoding="utf-8")
    return (
        template.replace("{notebook_table}", "\n".join(rows))
        .replace("{repository}", repository_url())
        .replace("{tag}", release_tag())
    )


def secret_lines(solutions_dir: str | Path) -> set[str]:
    """Stripped lines that occur only in solution regions, hidden checks or solution-only cells
    of any solution, and nowhere students are meant to see."""
    secret: set[str] = set()
    public: set[str] = set()
    for path in sorted(Path(solutions_dir).glob("*.ipynb")):
        hidden, shown = secret_and_public_lines(read(path))
        secret |= hidden
        public |= shown
    return secret - public


def file_lines(path: Path) -> list[str]:
    """The lines of a text file; for a notebook, its cells' sources and outputs."""
    text = path.read_text(encoding="utf-8")  # a release holds text files only
    if path.suffix != ".ipynb":
        return text.splitlines()
    nb = json.loads(text)
    lines = []
    for cell in nb.get("cells", []):
        lines += "".join(cell.get("source", [])).splitlines()
        for output in cell.get("outputs", []):
            lines += json.dumps(output).splitlines()
    return lines


def scan_tree(tree: str | Path, solutions_dir: str | Path) -> list[str]:
    """List every line of every file under ``tree`` that leaks a solution or hidden check."""
    secret = secret_lines(solutions_dir)
    problems = []
    for path in sorted(p for p in Path(tree).rglob("*") if p.is_file()):
        try:
            lines = file_lines(path)
        except (UnicodeDecodeError, ValueError) as error:
            problems.append(f"{path}: not a readable text file ({error}); a release holds text")
            continue
        for number, line in enumerate(lines, start=1):
            if line.strip() in secret:
                problems.append(f"{path}:{number}: {line.strip()!r} is a solution or hidden line")
    return problems


def _write(path: Path, text: str, executable: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o755 if executable else 0o644)


def build_release(
    solutions_dir: str | Path, out_dir: str | Path, *, tag: str | None = None
) -> Path:
    """Write the student release into ``out_dir`` (absent or empty); return its path.

    Raises:
        FileExistsError: ``out_dir`` holds files.
        NotebookFormatError: a solution breaks the contract, or the tree would leak a line.
        SourceCheckoutNeeded: the package runs installed, not from the instructor repository.
    """
    out = Path(out_dir).resolve()  # a link to a folder: remove what is behind it on a leak
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"out_dir={str(out)!r} is a file; give a new or empty folder.")
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"out_dir={str(out)!r} is not empty; give a new or empty folder.")
    if tag is not None and tag != release_tag():
        raise ValueError(
            f"tag={tag!r} differs from pyproject's version ({release_tag()}); the notebooks "
            "install that tag. Change [project] version in pyproject.toml instead."
        )
    root = source_root()  # the student library, LICENSE and templates come from the checkout
    notebooks = build_students(solutions_dir)  # validated and leak-checked per notebook
    files = {f"notebooks/{name}": text for name, text in notebooks.items()}
    for module in sorted((root / "helpers").glob("*.py")):
        files[f"helpers/{module.name}"] = module.read_text(encoding="utf-8")
    files["LICENSE"] = (root / "LICENSE").read_text(encoding="utf-8")
    files["data/README.md"] = student_data_readme()
    files["constraints/newest.txt"] = student_constraints()
    files["README.md"] = student_readme(sorted(notebooks))
    files["pyproject.toml"] = student_pyproject()
    files["environment.yml"] = ENVIRONMENT_YML
    ignored = (".venv/", "__pycache__/", "*.egg-info/", ".ipynb_checkpoints/", "checkpoints/")
    data = ("# data files you add for offline work", "data/*", "!data/README.md")
    files[".gitignore"] = "\n".join(
        (*ignored, "submission/", "submission.zip", "text_model.keras", *data, "")
    )
    for name in sorted(files):
        _write(out / name, files[name])
    _write(out / "course", STUDENT_COURSE_SCRIPT, executable=True)
    problems = scan_tree(out, solutions_dir)
    if problems:
        shutil.rmtree(out)
        raise NotebookFormatError(["the release would leak; nothing was kept:", *problems])
    return out
