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


NEWEST_END_PYTHON = "3.11"  # the oldest Python the pack supports (docs/maintainers.md says why)


def _colab_python() -> str | None:
    os_info = COLAB / "os-info-gpu.txt"
    if not os_info.is_file():
        return None
    return re.search(r"^Python (\d+\.\d+)", os_info.read_text(), re.M).group(1)


def test_readme_python_is_the_workflows_and_colabs():
    rows = _readme_rows()
    ci = set()
    for job in _workflow()["jobs"].values():
        for step in job["steps"]:
            if "setup-python" in step.get("uses", ""):
                ci.update(str(step["with"]["python-version"]).split())
    assert rows["constraints/newest.txt"][5].startswith(f"{NEWEST_END_PYTHON} in CI"), (
        f"README says Python '{rows['constraints/newest.txt'][5]}' for the newest end; CI runs "
        f"it on {NEWEST_END_PYTHON}"
    )
    colab_cell = rows["constraints/colab.txt"][5]
    match = re.match(r"Colab's (\d+\.\d+) in CI", colab_cell)
    assert match, f"README's Colab row says Python '{colab_cell}'; expected \"Colab's 3.x in CI\""
    assert ci == {NEWEST_END_PYTHON, match.group(1)}, (
        f".github/workflows/ci.yml sets up Python {sorted(ci)}; .ci/run needs "
        f"{NEWEST_END_PYTHON} (newest end) and {match.group(1)} (Colab end)"
    )
    colab_python = _colab_python()
    if colab_python is not None:
        assert match.group(1) == colab_python, (
            f"Colab runs Python {colab_python} ({COLAB / 'os-info-gpu.txt'}); README's Colab row "
            f"says '{colab_cell}'"
        )


def test_ci_runs_each_end_on_its_python():
    ci = (ROOT / ".ci" / "run").read_text()
    colab_python = _colab_python() or "3.13"
    assert f'newest_python="$(python_for {NEWEST_END_PYTHON})"' in ci
    assert f'colab_python="$(python_for {colab_python})"' in ci
    assert 'make_venv .venv-colab "$colab_python"' in ci


def test_the_slowest_files_exist_and_are_handed_out_first():
    """conftest.py sorts the slowest files to the front, so --dist loadfile starts them first."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("root_conftest", ROOT / "conftest.py")
    root_conftest = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(root_conftest)
    slow = root_conftest.SLOW_FILES_FIRST
    missing = [name for name in slow if not (ROOT / name).is_file()]
    assert not missing, f"conftest.py's SLOW_FILES_FIRST names files that are gone: {missing}"

    class Item:
        def __init__(self, nodeid):
            self.nodeid = nodeid

    order = ["tests/test_a.py::x", f"{slow[1]}::y", "tests/test_b.py::z", f"{slow[0]}::w"]
    items = [Item(nodeid) for nodeid in order]
    root_conftest.pytest_collection_modifyitems(None, items)
    assert [item.nodeid for item in items] == [order[3], order[1], order[0], order[2]]


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
