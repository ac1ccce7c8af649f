"""pyproject.toml is the one list of dependencies; environment.yml and notebooks follow it."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))


def test_environment_yml_installs_the_package_with_pip_and_lists_nothing_else():
    deps = _environment()["dependencies"]
    conda_deps = [d for d in deps if isinstance(d, str)]
    pip_sections = [d["pip"] for d in deps if isinstance(d, dict)]
    assert sorted(re.split(r"[=<>]", d)[0] for d in conda_deps) == ["pip", "python"], (
        "environment.yml may only take python and pip from conda; every other dependency "
        f"belongs in pyproject.toml. Found: {conda_deps}"
    )
    assert pip_sections == [['-e ".[dev]"']] or pip_sections == [["-e .[dev]"]], pip_sections


def test_environment_python_satisfies_requires_python():
    python = next(d for d in _environment()["dependencies"] if str(d).startswith("python"))
    conda_version = tuple(int(p) for p in python.split("=")[1].split("."))
    minimum = re.fullmatch(r">=(\d+)\.(\d+)", _pyproject()["project"]["requires-python"])
    assert minimum, "requires-python should read '>=X.Y'"
    assert conda_version >= (int(minimum[1]), int(minimum[2]))


def test_dev_extra_exists_and_every_dependency_is_pinned():
    project = _pyproject()["project"]
    assert "dev" in project["optional-dependencies"]
    pins = project["dependencies"] + [
        d for extra in project["optional-dependencies"].values() for d in extra
        if not d.startswith(project["name"])
    ]
    loose = [d for d in pins if "==" not in d]
    assert not loose, f"pin these to versions known to work together: {loose}"
    names = {re.split(r"[=<>\[]", d)[0].lower() for d in pins}
    for required in ("tensorflow", "keras", "jupyterlab", "matplotlib", "nbval", "pytest"):
        assert required in names, f"{required} is missing from pyproject.toml"


def test_installed_versions_match_the_pins():
    from importlib.metadata import PackageNotFoundError, version

    project = _pyproject()["project"]
    mismatched = []
    for requirement in project["dependencies"] + project["optional-dependencies"]["dev"]:
        if "==" not in requirement:
            continue
        name, pinned = requirement.split("==")
        try:
            installed = version(name)
        except PackageNotFoundError:
            mismatched.append(f"{name} not installed")
            continue
        if installed != pinned:
            mismatched.append(f"{name} {installed} installed, {pinned} pinned")
    assert not mismatched, "the test environment drifted from pyproject.toml: " + "; ".join(
        mismatched
    )
