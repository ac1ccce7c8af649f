"""The project's facts in one place: where students install from, and which version.

``pyproject.toml`` holds them: ``[project.urls] Repository`` is the student release repository
(public; the instructor repository with the solutions stays private) and the release tag is
``v`` + ``[project] version``. Setup cells, badges and the release all read them from here.

In a source checkout they come from ``pyproject.toml`` itself (an edit counts at once); in an
installed package (``pip install`` without ``-e``), from the package's metadata, written from
the same file when it was built. Building student copies or a release needs the repository's
other files (``solutions/``, ``docs/``, ``LICENSE``): :func:`source_root` says so in one line.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]  # holds instructor/ and helpers/
SANDBOXED = ROOT / "instructor" / "sandboxed"  # the code that runs inside the sandbox
HELPERS = ROOT / "helpers"  # the student library, which sandboxed code may import
SOLUTIONS_DIR = Path("solutions")  # where commands look for solution notebooks by default
NOTEBOOKS_DIR = Path("notebooks")  # where `./course students` writes the student copies
DISTRIBUTION = "rnn-course-pack"
COLAB = "https://colab.research.google.com/github"
BADGE = "https://colab.research.google.com/assets/colab-badge.svg"


class SourceCheckoutNeeded(FileNotFoundError):
    """A command needs the instructor repository's files, and runs from an installed package."""


def source_root(root: Path = ROOT) -> Path:
    """The instructor repository this package runs from, or :class:`SourceCheckoutNeeded`."""
    if not (root / "pyproject.toml").is_file():
        raise SourceCheckoutNeeded(
            f"this needs the instructor repository (a source checkout), but the package runs "
            f"from {root}, an installed copy: clone the repository and run the command in it."
        )
    return root


@cache
def pyproject(root: Path = ROOT) -> dict:
    """The parsed ``pyproject.toml`` of the instructor repository (a source checkout only)."""
    with open(source_root(root) / "pyproject.toml", "rb") as handle:
        return tomllib.load(handle)


@cache
def facts(root: Path = ROOT) -> dict[str, str]:
    """``name``, ``version`` and ``repository`` (the release URL, no trailing slash): from
    ``pyproject.toml`` in a source checkout, else from the installed package's metadata."""
    if (root / "pyproject.toml").is_file():
        project = pyproject(root)["project"]
        name, version, urls = project["name"], project["version"], project["urls"]
    else:
        try:
            meta = metadata.metadata(DISTRIBUTION)
        except metadata.PackageNotFoundError:
            raise SourceCheckoutNeeded(
                f"neither {root / 'pyproject.toml'} nor an installed {DISTRIBUTION} package: "
                "install the package or run from the repository."
            ) from None
        name, version = meta["Name"], meta["Version"]
        urls = dict(entry.split(", ", 1) for entry in meta.get_all("Project-URL") or [])
    return {"name": name, "version": version, "repository": urls["Repository"].rstrip("/")}


def repository_url() -> str:
    """The public student release repository, e.g. ``https://github.com/owner/name``."""
    return facts()["repository"]


def release_tag() -> str:
    """The git tag students install: ``v`` + the project's version."""
    return "v" + facts()["version"]


def install_spec(url: str | None = None, tag: str | None = None) -> str:
    """What a setup cell passes to pip: ``rnn-course-pack @ git+URL@TAG``."""
    return f"{facts()['name']} @ git+{url or repository_url()}@{tag or release_tag()}"


def colab_link(notebook: str, tag: str | None = None) -> str:
    """The Colab URL that opens ``notebooks/<notebook>`` of the release at ``tag``."""
    owner_repo = repository_url().removeprefix("https://github.com/")
    return f"{COLAB}/{owner_repo}/blob/{tag or release_tag()}/notebooks/{notebook}"


def colab_badge(notebook: str, tag: str | None = None) -> str:
    """Markdown for an "Open in Colab" badge linking to :func:`colab_link`."""
    return f"[![Open in Colab]({BADGE})]({colab_link(notebook, tag)})"
