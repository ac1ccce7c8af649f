"""README's version table, the constraints files, pyproject's bounds and CI's files agree."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from helpers.data import DATASETS

ROOT = Path(__file__).resolve().parents[1]
COLAB = ROOT.parent / "shared" / "colab"  # a copy of googlecolab/backend-info, beside the checkout
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
BOUNDS = {Requirement(r).name.lower(): Requirement(r).specifier for r in PYPROJECT["dependencies"]}
COLUMNS = ["tensorflow", "keras", "numpy", "matplotlib"]  # README's columns 2-5, in this order
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==(\S+)", re.M)


def _name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()  # PEP 503: Jinja2 = jinja2, jupyter_core = -core


def _pins(name: str) -> dict[str, str]:
    text = (ROOT / "constraints" / name).read_text(encoding="utf-8")
    return {_name(m[1]): m[2] for m in PIN.finditer(text)}


def _readme_rows() -> dict[str, list[str]]:
    """README's "Supported versions" rows by the file their last cell names."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "## Supported versions" in text, "README.md has no '## Supported versions' section"
    section = text[text.index("## Supported versions") :].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        found = re.search(r"`(constraints/\w+\.txt|pyproject\.toml)`", cells[-1])
        if line.startswith("|") and found:
            rows[found.group(1)] = cells
    return rows


def _workflow() -> dict:
    return yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8"))


def test_readme_names_both_ends_and_the_bounds():
    rows = _readme_rows()
    expected = {"constraints/colab.txt", "constraints/newest.txt", "pyproject.toml"}
    assert set(rows) == expected, (
        f"README's 'Supported versions' table has rows for {sorted(rows)}; it needs one for each "
        f"of {sorted(expected)} (the file in the last column)"
    )


@pytest.mark.parametrize("name", ["colab.txt", "newest.txt"])
def test_readme_versions_are_the_pins_of_each_end(name):
    cells, pins = _readme_rows()[f"constraints/{name}"], _pins(name)
    readme = dict(zip(COLUMNS, cells[1:5], strict=True))
    pinned = {package: pins.get(package) for package in COLUMNS}
    assert readme == pinned, (
        f"README's row for constraints/{name} says {readme}, but the file pins {pinned}: "
        "update the table (or the pins)"
    )


def test_readme_bounds_are_pyprojects():
    cells = _readme_rows()["pyproject.toml"]
    readme = {p: SpecifierSet(cell) for p, cell in zip(COLUMNS, cells[1:5], strict=True)}
    bounds = {package: BOUNDS[package] for package in COLUMNS}
    assert readme == bounds, f"README's window row says {readme}, pyproject.toml says {bounds}"
    assert SpecifierSet(cells[5]) == SpecifierSet(PYPROJECT["requires-python"]), (
        f"README's window row says Python {cells[5]}, pyproject.toml {PYPROJECT['requires-python']}"
    )


def test_the_floors_are_colabs_versions_and_the_newest_pins_lie_inside():
    colab, newest = _pins("colab.txt"), _pins("newest.txt")
    for package in COLUMNS:
        lower = next(Version(s.version) for s in BOUNDS[package] if s.operator == ">=")
        pinned = Version(colab[package])
        assert pinned.release[: len(lower.release)] == lower.release, (
            f"pyproject.toml's floor {package}>={lower} is not Colab's {package}=={pinned}: "
            "the oldest end of the window is what Colab runs"
        )
        assert Version(newest[package]) in BOUNDS[package], (
            f"constraints/newest.txt pins {package}=={newest[package]}, outside pyproject.toml's "
            f"{package}{BOUNDS[package]}"
        )


def test_readme_python_is_the_workflows_and_colabs():
    rows = _readme_rows()
    ci = {str(step["with"]["python-version"]) for job in _workflow()["jobs"].values()
          for step in job["steps"] if "setup-python" in step.get("uses", "")}  # fmt: skip
    assert len(ci) == 1, f".github/workflows/ci.yml sets up Python {sorted(ci)}; expected one"
    [python] = ci
    for name in ("constraints/colab.txt", "constraints/newest.txt"):
        assert rows[name][5].startswith(f"{python} in CI"), (
            f"README says Python '{rows[name][5]}' for {name}; the workflow runs {python}"
        )
    os_info = COLAB / "os-info-gpu.txt"
    if os_info.is_file():
        colab_python = re.search(r"^Python (\d+\.\d+)", os_info.read_text(), re.M).group(1)
        assert f"Colab's {colab_python}" in rows["constraints/colab.txt"][5], (
            f"Colab runs Python {colab_python} ({os_info}); README's Colab row says "
            f"'{rows['constraints/colab.txt'][5]}'"
        )


def test_colab_end_pins_colabs_published_versions():
    colab_list = COLAB / "pip-freeze.gpu.txt"
    if not colab_list.is_file():
        pytest.skip(f"no copy of Colab's list at {colab_list} (it sits beside the checkout in CI)")
    published = {_name(m[1]): m[2] for m in PIN.finditer(colab_list.read_text())}
    pins = _pins("colab.txt")
    differ = {n: (v, published[n]) for n, v in pins.items() if n in published and published[n] != v}
    assert not differ, f"constraints/colab.txt differs from Colab's list (ours, Colab's): {differ}"
    for package in COLUMNS:
        assert package in pins, f"constraints/colab.txt does not pin {package}"


def test_github_workflow_is_valid_yaml_and_runs_the_ci_script():
    workflow = _workflow()
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True
    assert {"push", "pull_request"} <= set(triggers), f"the workflow runs on {triggers}"
    [job] = workflow["jobs"].values()
    assert job["runs-on"].startswith("ubuntu"), job["runs-on"]
    assert "COURSE_DATA_DIR" in job["env"], "the workflow must point COURSE_DATA_DIR at its data"
    runs = [step.get("run", "") for step in job["steps"]]
    assert any(re.search(r"(^|\s)bash \.ci/run\s*$", run) for run in runs), runs
    assert any("actions/cache" in step.get("uses", "") for step in job["steps"])


def test_github_workflow_downloads_the_data_the_helpers_expect():
    script = "\n".join(step.get("run", "") for job in _workflow()["jobs"].values()
                       for step in job["steps"])  # fmt: skip
    for dataset in DATASETS.values():
        assert dataset.url in script, f"the workflow does not download {dataset.url}"
        assert f"{dataset.sha256}  {dataset.filename}" in script, (
            f"the workflow does not check {dataset.filename} against {dataset.sha256}"
        )


def test_pre_commit_runs_ruff_and_the_notebook_checks():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert {"ruff-check", "ruff-format", "clean-notebooks", "student-copies"} <= set(hooks)
    assert hooks["student-copies"]["entry"] == "./course students --check"
    assert hooks["clean-notebooks"]["entry"] == "./course notebooks clean --check"
    ruff = next(repo for repo in config["repos"] if "ruff" in repo["repo"])
    pinned = _pins("newest.txt")["ruff"]
    assert ruff["rev"] == f"v{pinned}", (
        f"pre-commit runs ruff {ruff['rev']}, constraints/newest.txt pins ruff=={pinned}"
    )
