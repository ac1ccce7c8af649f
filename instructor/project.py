"""The project's facts in one place: where students install from, and which version.

``pyproject.toml`` holds them: ``[project.urls] Repository`` is the student release repository
(public; the instructor repository with the solutions stays private) and the release tag is
``v`` + ``[project] version``. Setup cells, badges and the release all read them from here.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COLAB = "https://colab.research.google.com/github"
BADGE = "https://colab.research.google.com/assets/colab-badge.svg"


@cache
def pyproject(root: Path = ROOT) -> dict:
    """The parsed ``pyproject.toml`` of the instructor repository."""
    with open(root / "pyproject.toml", "rb") as handle:
        return tomllib.load(handle)


def repository_url() -> str:
    """The public student release repository, e.g. ``https://github.com/owner/name``."""
    return pyproject()["project"]["urls"]["Repository"].rstrip("/")


def release_tag() -> str:
    """The git tag students install: ``v`` + the project's version."""
    return "v" + pyproject()["project"]["version"]


def install_spec(url: str | None = None, tag: str | None = None) -> str:
    """What a setup cell passes to pip: ``rnn-course-pack @ git+URL@TAG``."""
    name = pyproject()["project"]["name"]
    return f"{name} @ git+{url or repository_url()}@{tag or release_tag()}"


def colab_link(notebook: str, tag: str | None = None) -> str:
    """The Colab URL that opens ``notebooks/<notebook>`` of the release at ``tag``."""
    owner_repo = repository_url().removeprefix("https://github.com/")
    return f"{COLAB}/{owner_repo}/blob/{tag or release_tag()}/notebooks/{notebook}"


def colab_badge(notebook: str, tag: str | None = None) -> str:
    """Markdown for an "Open in Colab" badge linking to :func:`colab_link`."""
    return f"[![Open in Colab]({BADGE})]({colab_link(notebook, tag)})"
