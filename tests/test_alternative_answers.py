"""A notebook's later cells work with any answer that passes its check, not only with ours."""

from __future__ import annotations

from pathlib import Path

import pytest

from instructor.notebooks.io import read, tags

SOLUTIONS = Path(__file__).resolve().parents[1] / "solutions"

OUR_BUILD = (
    "    stack = [keras.Input(shape=(None, vocab_size)), "
    "recurrent(units, return_sequences=True)]\n"
    "    stack.append(keras.layers.Dense(vocab_size))  # logits: no softmax\n"
    '    return keras.Sequential(stack, name=f"{cell}_{units}")'
)
# The functional API: model.layers[0] is the InputLayer here, which once crashed later cells.
FUNCTIONAL_BUILD = """    inputs = keras.Input(shape=(None, vocab_size))
    logits = keras.layers.Dense(vocab_size)(recurrent(units, return_sequences=True)(inputs))
    return keras.Model(inputs, logits)"""


def _run(nb, folder: Path) -> str:
    """Execute ``nb`` in smoke mode in ``folder``; return everything its code cells printed."""
    from nbclient import NotebookClient

    client = NotebookClient(
        nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    )
    client.execute()  # raises CellExecutionError at the first cell that fails
    return "".join(
        output.get("text", "") for c in nb.cells if c.cell_type == "code" for output in c.outputs
    )


@pytest.mark.slow
def test_05_and_05b_run_to_the_hand_in_with_a_functional_build_model(tmp_path, monkeypatch):
    nb = read(SOLUTIONS / "05_text_prediction.ipynb")
    (cell,) = [c for c in nb.cells if "exercise:build_model" in tags(c)]
    assert OUR_BUILD in cell.source, "the reference build_model changed; update this test"
    cell.source = cell.source.replace(OUR_BUILD, FUNCTIONAL_BUILD)
    monkeypatch.setenv("COURSE_SMOKE", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    printed = _run(nb, tmp_path)
    assert "build_model passes the visible checks." in printed
    assert "widest GRU within 12,000 parameters:" in printed
    assert (tmp_path / "text_model.keras").is_file()
    # 05b, in the same folder as on a local machine, writes with the functional model 05 saved.
    printed = _run(read(SOLUTIONS / "05b_text_generation.ipynb"), tmp_path)
    assert "loaded text_model.keras" in printed and "stand-in" not in printed
    assert (tmp_path / "submission.zip").is_file()
