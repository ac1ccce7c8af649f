"""README's version table, the constraints files and CI's workflow say the same thing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _pins(name: str) -> dict[str, str]:
    text = (ROOT / "constraints" / name).read_text(encoding="utf-8")
    return {m[1].lower(): m[2] for m in re.finditer(r"^([A-Za-z0-9_.-]+)==(\S+)", text, re.M)}


def _readme_rows() -> dict[str, list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Supported versions") :].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        found = re.search(r"constraints/(\w+\.txt)", line)
        if found and len(cells) >= 5:
            rows[found.group(1)] = cells
    return rows


def test_readme_version_table_matches_the_constraints_files():
    rows = _readme_rows()
    assert set(rows) == {"colab.txt", "newest.txt"}, f"README's table names {sorted(rows)}"
    for name, cells in rows.items():
        pins = _pins(name)
        assert cells[1:4] == [pins["tensorflow"], pins["keras"], pins["numpy"]], (
            f"README says TensorFlow/Keras/NumPy {cells[1:4]} for constraints/{name}, "
            f"which pins {pins['tensorflow']}/{pins['keras']}/{pins['numpy']}"
        )


def test_colab_end_pins_colabs_published_versions():
    colab_list = Path(ROOT.parent / "shared" / "colab" / "pip-freeze.gpu.txt")
    if not colab_list.is_file():
        pytest.skip(f"no copy of Colab's list at {colab_list} (it sits beside the checkout in CI)")
    published = {m[1].lower(): m[2] for m in re.finditer(r"^([A-Za-z0-9_.-]+)==(\S+)",
                                                          colab_list.read_text(), re.M)}  # fmt: skip
    pins = _pins("colab.txt")
    differ = {n: (v, published[n]) for n, v in pins.items() if n in published and published[n] != v}
    assert not differ, f"constraints/colab.txt differs from Colab's list: {differ}"


def test_github_workflow_is_valid_yaml_and_runs_the_ci_script():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True
    assert {"push", "pull_request"} <= set(triggers)
    steps = [step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]]
    assert any("bash .ci/run" in run for run in steps)


def test_pre_commit_runs_ruff_and_the_notebook_checks():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert {"ruff-check", "ruff-format", "clean-notebooks", "student-copies"} <= set(hooks)
    assert hooks["student-copies"]["entry"] == "./course students --check"
