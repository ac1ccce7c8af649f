"""The student library stands alone: it needs only what pyproject's runtime list installs."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
INSTRUCTOR_ONLY = ("instructor", "nbformat", "nbclient", "ipykernel", "IPython", "jupyter_core",
                   "jupyter_client", "nbval", "pytest", "hypothesis", "yaml")  # fmt: skip
IMPORT_NAMES = {"tensorflow": "tensorflow", "keras": "keras", "numpy": "numpy",
                "matplotlib": "matplotlib"}  # fmt: skip

END_TO_END = textwrap.dedent(
    """
    import sys

    class Refuse:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ImportError(f"{name} is instructor-only and blocked in this test")

    sys.meta_path.insert(0, Refuse())

    import keras
    import numpy as np

    import helpers
    from helpers import CharVocab, char_dataset, generate
    from helpers.competition import bits_per_char
    from helpers.models import char_model
    from helpers.plots import plot_learning_curve

    text = "to be or not to be, that is the question. " * 20
    vocab = CharVocab.from_text(text)
    data = char_dataset(text, vocab, seq_len=16, batch_size=8, shuffle=False)
    inputs = keras.Input((None,))
    x = keras.layers.Embedding(vocab.size, 8)(inputs)
    x = keras.layers.GRU(16, return_sequences=True)(x)
    model = keras.Model(inputs, keras.layers.Dense(vocab.size)(x))
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(data.take(1), epochs=1, verbose=0)
    sample = generate(model, vocab, "to be", length=20, temperature=1.0, seed=0)
    score = bits_per_char(model, vocab, text[:400])
    assert sample.startswith("to be") and len(sample) == 25, sample
    assert 0 < score.bits < 10, score
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
    assert not loaded, loaded
    print("end-to-end ok", round(score.bits, 3))
    """
)


def test_student_library_runs_end_to_end_with_the_instructor_packages_blocked(tmp_path):
    script = f"BLOCKED = {set(INSTRUCTOR_ONLY)!r}\n" + END_TO_END
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300, env={"PYTHONPATH": str(ROOT),
                          "TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"})  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "end-to-end ok" in done.stdout


def _third_party_imports(folder: Path) -> set[str]:
    names = set()
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
    return {name for name in names if name not in sys.stdlib_module_names and name != "helpers"}


def test_runtime_dependencies_are_exactly_what_the_student_library_imports():
    runtime = {Requirement(r).name for r in PYPROJECT["project"]["dependencies"]}
    # google.colab exists only on Colab (helpers.competition.hand_in downloads with it there).
    imported = _third_party_imports(ROOT / "helpers") - {"google"}
    assert {IMPORT_NAMES.get(name, name) for name in runtime} == imported, (
        f"pyproject's runtime list {sorted(runtime)} differs from what helpers/ imports "
        f"{sorted(imported)}: instructor-only packages belong in the 'instructor' extra"
    )


def test_the_student_library_never_imports_the_instructor_tools():
    assert "instructor" not in _third_party_imports(ROOT / "helpers")
