"""Notebook 04's checker cell catches a wrong parameter formula and accepts the right ones.

The checker cell (tag ``check:param_counts``) is taken from the solution notebook and run,
hidden checks included, against the solution's count functions (cell ``exercise:param_counts``)
with one function swapped for a wrong or unfinished one. It compares with real Keras layers.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "solutions" / "04_parameter_counting.ipynb"


def _cell_source(tag: str) -> str:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    sources = [cell.source for cell in nb.cells if tag in cell.metadata.get("tags", [])]
    assert len(sources) == 1, f"{NOTEBOOK.name} should have exactly one cell tagged {tag!r}"
    return sources[0]


@pytest.fixture(scope="module")
def run_checker():
    """Run the checker cell with the solution's functions, some of them replaced."""
    keras = pytest.importorskip("keras")
    import numpy as np

    exercise, check = _cell_source("exercise:param_counts"), _cell_source("check:param_counts")

    def run(**replacements):
        namespace = {"keras": keras, "np": np}
        exec(compile(exercise, "exercise:param_counts", "exec"), namespace)
        namespace.update(replacements)
        exec(compile(check, "check:param_counts", "exec"), namespace)

    return run


def _off_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("OFF")]


def test_checker_accepts_the_solution_formulas(run_checker, capsys):
    run_checker()
    output = capsys.readouterr().out
    assert "agree with Keras" in output
    assert _off_lines(output) == []


def test_checker_fails_when_the_default_gru_lacks_its_second_bias(run_checker, capsys):
    def gru_without_second_bias(m, n, reset_after=True):
        return 3 * (m * n + n * n + n)  # right only for reset_after=False

    with pytest.raises(AssertionError, match="disagree with Keras"):
        run_checker(gru_params=gru_without_second_bias)
    off = _off_lines(capsys.readouterr().out)
    assert any(line.split()[1].startswith("gru_params(") for line in off), off
    # Only default GRUs and the GRU character models are reported, never reset_after=False.
    for line in off:
        call = line.split("yours:")[0]
        assert "gru_params(" in call or "cell='gru'" in call, line
        assert "reset_after=False" not in call, line


def test_checker_fails_when_dense_forgets_the_bias(run_checker, capsys):
    with pytest.raises(AssertionError, match="disagree with Keras"):
        run_checker(dense_params=lambda m, n: m * n)
    off = _off_lines(capsys.readouterr().out)
    assert off and all("dense_params(" in line or "char_model_params(" in line for line in off)


def test_checker_reports_unfinished_stubs_as_not_implemented(run_checker, capsys):
    def stub(*args, **kwargs):
        raise NotImplementedError("Exercise param_counts: replace this line with your code")

    names = ["char_model_params", "dense_params", "embedding_params", "gru_params",
             "lstm_params", "simple_rnn_params"]
    with pytest.raises(NotImplementedError, match=", ".join(names)):
        run_checker(**dict.fromkeys(names, stub))
    assert _off_lines(capsys.readouterr().out) == []


def test_checker_reports_a_wrong_formula_before_unfinished_ones(run_checker, capsys):
    def stub(*args, **kwargs):
        raise NotImplementedError("Exercise param_counts: replace this line with your code")

    with pytest.raises(AssertionError, match="Not written yet: .*gru_params"):
        run_checker(gru_params=stub, lstm_params=lambda m, n: 4 * (m * n + n * n))
    off = _off_lines(capsys.readouterr().out)
    assert off and all("lstm_params(" in line or "cell='lstm'" in line for line in off)
