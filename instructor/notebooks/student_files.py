"""Text of the release's files that speak to students: the data note and the pinned versions.

The instructor repository's own ``data/README.md`` and ``constraints/newest.txt`` talk about CI,
the dev extra and test tools; a student needs none of that. :func:`student_data_readme` writes the
data note from :data:`helpers.data.DATASETS` (so names, files and hashes cannot drift), and
:func:`student_constraints` drops the pins of the test and lint tools.
"""

from __future__ import annotations

import re

from helpers.data import DATA_DIR_ENV, DATASETS
from instructor.project import source_root

DEV_ONLY = frozenset(
    {
        # [test] and [dev] extras of pyproject.toml (pyyaml stays: jupyter-events needs it)
        "pytest",
        "pytest-xdist",
        "nbval",
        "hypothesis",
        "ruff",
        # what only they pull in
        "coverage",
        "execnet",
        "iniconfig",
        "pluggy",
        "sortedcontainers",
    }
)
"""Canonical names of packages only the tests and the linter need (tests/test_release.py checks
against the installed metadata that no student requirement depends on one of them)."""

CONSTRAINTS_HEADER = """\
# The exact versions ./course setup installs: TensorFlow, Keras, NumPy, matplotlib, JupyterLab
# and what they need, at the newest end of the versions this course is tested with.
# (On Colab nothing is installed from here: the notebooks use Colab's own TensorFlow.)
"""


def canonical(name: str) -> str:
    """A distribution name as pip compares it (PEP 503): lower case, runs of -_. as one -."""
    return re.sub(r"[-_.]+", "-", name).lower()


def student_constraints(text: str | None = None) -> str:
    """``constraints/newest.txt`` for students: the same pins without test and lint tools."""
    if text is None:
        text = (source_root() / "constraints" / "newest.txt").read_text(encoding="utf-8")
    pins = [
        line
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
        if canonical(line.split("==")[0].strip()) not in DEV_ONLY
    ]
    return CONSTRAINTS_HEADER + "\n".join(pins) + "\n"


def student_data_readme() -> str:
    """``data/README.md`` for students: what is downloaded, and what to do offline."""
    rows = "\n".join(
        f"| `{d.filename}` | {d.description} | {d.url} | `{d.sha256}` |" for d in DATASETS.values()
    )
    return f"""# data/

The notebooks fetch their data themselves: each file is downloaded once from its public address,
checked against its sha256 and cached by Keras in `~/.keras/datasets`. Online, there is nothing
to do here.

## Working offline

Without internet (on a train, in a locked-down lab) the first cell that loads data stops with a
message that names `{DATA_DIR_ENV}`. Then:

1. On a machine with internet, download the files of the table below (the address is in the
   third column) and copy them into one folder, for example this `data/` folder.
2. Set `{DATA_DIR_ENV}` to that folder before you start JupyterLab, with an absolute path:
   `{DATA_DIR_ENV}="$PWD/data" ./course lab`. Or, in a notebook, before its data cell:
   `import os; os.environ["{DATA_DIR_ENV}"] = "/full/path/to/the/folder"`.

Nothing is downloaded then, and each file's sha256 is still checked: a wrong or truncated file
stops with `DataIntegrityError` and is never used. Files you put into this folder stay out of git
(`.gitignore`).

| file | what | address | sha256 |
| --- | --- | --- | --- |
{rows}
"""
