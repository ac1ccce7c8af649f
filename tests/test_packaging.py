"""pyproject.toml is the one list of dependencies; environment.yml and the pins follow it."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
RUNTIME = [Requirement(r) for r in PROJECT["dependencies"]]
EXTRAS = [
    Requirement(r)
    for extra in PROJECT["optional-dependencies"].values()
    for r in extra
    if not r.startswith(PROJECT["name"])
]


def _environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))


def _pins(name: str) -> dict[str, Version]:
    pins = {}
    for line in (ROOT / "constraints" / name).read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line:
            requirement = Requirement(line)
            [spec] = requirement.specifier
            assert spec.operator == "==", f"{name}: {line} is not an exact pin"
            pins[canonicalize_name(requirement.name)] = Version(spec.version)
    return pins


def test_environment_yml_takes_only_python_and_pip_from_conda_and_installs_the_package():
    deps = _environment()["dependencies"]
    conda_deps = [d for d in deps if isinstance(d, str)]
    pip_sections = [d["pip"] for d in deps if isinstance(d, dict)]
    assert sorted(re.split(r"[=<>]", d)[0] for d in conda_deps) == ["pip", "python"], (
        "environment.yml may only take python and pip from conda; every other dependency "
        f"belongs in pyproject.toml. Found: {conda_deps}"
    )
    assert pip_sections == [["-c constraints/newest.txt", "-e .[dev]"]], pip_sections


def test_environment_python_satisfies_requires_python():
    python = next(d for d in _environment()["dependencies"] if str(d).startswith("python"))
    conda_version = Version(python.split("=")[1])
    assert conda_version in Requirement(f"python{PROJECT['requires-python']}").specifier


def test_every_dependency_has_a_lower_and_an_upper_bound():
    for requirement in RUNTIME + EXTRAS:
        operators = {spec.operator for spec in requirement.specifier}
        assert ">=" in operators, f"{requirement} needs a lower bound (the oldest we test)"
        if requirement.name != "ruff":  # a linter may move freely
            assert "<" in operators, f"{requirement} needs an upper bound (the newest we test)"


@pytest.mark.parametrize("pins", ["newest.txt", "colab.txt"])
def test_pins_cover_every_dependency_within_its_bounds(pins):
    pinned = _pins(pins)
    for requirement in RUNTIME + EXTRAS:
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"constraints/{pins} does not pin {requirement.name}"
        assert pinned[name] in requirement.specifier, (
            f"constraints/{pins} pins {requirement.name}=={pinned[name]}, outside {requirement}"
        )


def test_the_two_ends_of_the_window_are_its_oldest_and_newest_tensorflow_and_keras():
    oldest, newest = _pins("colab.txt"), _pins("newest.txt")
    bounds = {canonicalize_name(r.name): r.specifier for r in RUNTIME}
    for name in ("tensorflow", "keras"):
        lower = next(Version(s.version) for s in bounds[name] if s.operator == ">=")
        upper = next(Version(s.version) for s in bounds[name] if s.operator == "<")
        assert oldest[name].release[:2] == lower.release[:2], (
            f"constraints/colab.txt should pin {name} at the window's lower bound {lower}"
        )
        assert newest[name] < upper and (newest[name].minor + 1 == upper.minor), (
            f"constraints/newest.txt should pin the newest {name} below {upper}"
        )


def test_installed_versions_are_inside_the_supported_window():
    outside = []
    for requirement in RUNTIME:
        try:
            installed = Version(version(requirement.name))
        except PackageNotFoundError:
            outside.append(f"{requirement.name} is not installed")
            continue
        if installed not in requirement.specifier:
            outside.append(f"{requirement.name} {installed} is outside {requirement.specifier}")
    assert not outside, "this environment is outside the supported window: " + "; ".join(outside)


def test_the_instructor_package_works_installed_without_the_repository(tmp_path):
    """Installed without -e (packages and metadata only, no pyproject.toml next to them): the
    project facts come from the metadata; a release says in one line that it needs a checkout."""
    import shutil
    import subprocess
    import sys
    from importlib import metadata

    site = tmp_path / "site"
    for package in ("instructor", "helpers"):
        shutil.copytree(
            ROOT / package, site / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    info = site / f"rnn_course_pack-{PROJECT['version']}.dist-info"
    info.mkdir()
    installed = metadata.distribution(PROJECT["name"])  # a dist-info, or an egg-info in a checkout
    (info / "METADATA").write_text(
        installed.read_text("METADATA") or installed.read_text("PKG-INFO")
    )
    (info / "RECORD").write_text("")

    def run(*code_or_args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, *code_or_args], cwd=tmp_path, capture_output=True, text=True,
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(site), "HOME": str(tmp_path)},
        )  # fmt: skip

    facts = run("-c", "from instructor import project as p; print(p.ROOT, p.install_spec())")
    assert facts.returncode == 0, facts.stderr
    where, spec = facts.stdout.split()[0], " ".join(facts.stdout.split()[1:])
    assert where == str(site)
    url = PROJECT["urls"]["Repository"].rstrip("/")
    assert spec == f"{PROJECT['name']} @ git+{url}@v{PROJECT['version']}"
    release = run("-m", "instructor", "release", "--out-dir", str(tmp_path / "out"))
    assert release.returncode == 2 and not (tmp_path / "out").exists()
    (line,) = release.stderr.strip().splitlines()
    assert "release: nothing done." in line and "source checkout" in line, line
