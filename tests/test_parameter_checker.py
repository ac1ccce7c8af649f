"""Notebook 04's checker cell catches a wrong parameter formula and accepts the right ones.

The checker cell (tag ``check:param_counts``) is taken from the solution notebook and run, hidden
checks included, against the solution's count functions (cell ``exercise:param_counts``) with one
function swapped for a wrong or unfinished one. It compares with real Keras layers. The cells it
relies on (``keras_count``, ``sequence`` and ``VariantLSTMCell``) are run first.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "solutions" / "04_parameter_counting.ipynb"


def _cells() -> list:
    return nbformat.read(NOTEBOOK, as_version=4).cells


def _cell_source(tag: str) -> str:
    sources = [cell.source for cell in _cells() if tag in cell.metadata.get("tags", [])]
    assert len(sources) == 1, f"{NOTEBOOK.name} should have exactly one cell tagged {tag!r}"
    return sources[0]


def _defining(name: str) -> str:
    sources = [
        c.source
        for c in _cells()
        if c.cell_type == "code"
        and f"{name}(" in c.source
        and (f"def {name}(" in c.source or f"class {name}(" in c.source)
    ]
    assert len(sources) == 1, f"{NOTEBOOK.name} should define {name} in exactly one cell"
    return sources[0]


@pytest.fixture(scope="module")
def run_checker():
    """Run the checker cell with the solution's functions, some of them replaced."""
    keras = pytest.importorskip("keras")
    import numpy as np

    setup = [_defining("keras_count"), _defining("VariantLSTMCell")]
    exercise, check = _cell_source("exercise:param_counts"), _cell_source("check:param_counts")

    def run(**replacements):
        namespace = {"keras": keras, "np": np}
        for source in setup:
            exec(compile(source, "setup", "exec"), namespace)
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


def test_checker_fails_when_conv1d_forgets_the_bias(run_checker, capsys):
    with pytest.raises(AssertionError, match="conv1d_params disagrees with Keras"):
        run_checker(conv1d_params=lambda m, n, kernel_size: kernel_size * m * n)
    off = _off_lines(capsys.readouterr().out)
    assert off and all(line.split()[1].startswith("conv1d_params(") for line in off), off


def test_checker_fails_when_conv_lstm_uses_a_plain_lstm_recurrence(run_checker, capsys):
    def matrix_recurrence(m, n, kernel_size):
        return 4 * (kernel_size * m * n + n * n + n)  # the state product is a convolution too

    with pytest.raises(AssertionError, match="conv_lstm1d_params disagrees with Keras"):
        run_checker(conv_lstm1d_params=matrix_recurrence)


def test_checker_fails_when_a_bidirectional_concat_stack_reads_n_instead_of_2n(run_checker, capsys):
    def narrow(cell, m, n, layers, merge_mode=None):
        per_layer = {"simple_rnn": 1, "lstm": 4, "gru": 3, "peephole_lstm": 4}[cell]
        bias = 2 if cell == "gru" else 1
        copies = 1 if merge_mode is None else 2
        extra = 3 * n if cell == "peephole_lstm" else 0
        first = per_layer * (m * n + n * n + bias * n) + extra
        rest = per_layer * (n * n + n * n + bias * n) + extra
        return copies * (first + (layers - 1) * rest)

    # The visible cases are random and may hold no concat stack of two or more layers; the
    # hidden check builds one for every cell, so the checker as a whole fails on every run.
    with pytest.raises(AssertionError, match="rnn_stack_params disagrees with Keras"):
        run_checker(rnn_stack_params=narrow)
    off = _off_lines(capsys.readouterr().out)
    assert off and all("'concat')" in line for line in off), off  # only concat stacks are off


def test_checker_reports_unfinished_stubs_as_failed_checks_not_crashes(run_checker, capsys):
    def stub(*args, **kwargs):
        raise NotImplementedError("Exercise param_counts: replace this line with your code")

    with pytest.raises(AssertionError, match="conv1d_params disagrees"):
        run_checker(conv1d_params=stub, conv_lstm1d_params=stub, rnn_stack_params=stub)
    assert "not written yet" in capsys.readouterr().out
