"""For notebook authors: execute a solution notebook and keep only the outputs CI checks.

Solution notebooks are committed with outputs only in the cells tagged
``nbval-check-output`` (with their execution counts, which nbval needs), and
everything else cleared, so the diff of a notebook shows code and text, not
noise.

Usage::

    ./course notebooks execute solutions/01_one_hot_encoding.ipynb   # smoke mode, in place
    ./course notebooks clean solutions/*.ipynb          # --check: only say which are unclean
    ./course notebooks run-all                          # every solution, smoke mode, build/executed
    ./course run                                        # the same in full mode (run-all --full)
    ./course run -v                                     # ... with a line per cell

``--full`` is the one switch between smoke mode (the default, what CI runs) and full mode.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from instructor.notebooks.io import clean_notebook, read, write
from instructor.progress import NORMAL, Progress


def _run(nb, folder: Path, timeout: int, smoke: bool, progress=None, log=None) -> None:
    """Execute ``nb`` in place with the working directory ``folder``; with ``progress``, a
    detail line per cell; with ``log`` (a file open for writing), the kernel's own output
    (its start-up warnings, TensorFlow's) goes there instead of the terminal."""
    from nbclient import NotebookClient

    os.environ["COURSE_SMOKE"] = "1" if smoke else "0"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    started: dict[int, float] = {}
    hooks = {}
    if progress is not None:
        hooks = {
            "on_cell_start": lambda cell, cell_index: started.__setitem__(
                cell_index, time.perf_counter()
            ),
            "on_cell_executed": lambda cell, cell_index, execute_reply: progress.detail(
                f"cell {cell_index}: {execute_reply['content']['status']} "
                f"({time.perf_counter() - started.get(cell_index, time.perf_counter()):.1f} s)"
            ),
        }
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
        **hooks,
    )
    client.execute(**({"stdout": log, "stderr": log} if log is not None else {}))


CELL_TIMEOUT = 3600
"""Seconds one cell may run (06 trains for half an hour on a CPU in full mode)."""


def execute(
    path: str | os.PathLike[str], *, cell_timeout: int = CELL_TIMEOUT, smoke: bool = True
) -> None:
    """Execute a notebook in its folder (smoke mode unless ``smoke=False``), then clean it in
    place (:func:`instructor.notebooks.io.clean_notebook`)."""
    path = Path(path)
    nb = read(path)
    _run(nb, path.parent, cell_timeout, smoke)
    write(clean_notebook(nb), path)


def run_all(
    sources: list[Path],
    out: Path,
    *,
    cell_timeout: int = CELL_TIMEOUT,
    smoke: bool = True,
    progress: int = NORMAL,
) -> list[tuple[str, float, str]]:
    """Execute notebooks into ``out`` (outputs kept); return (name, seconds, status) rows.

    The source notebooks are not modified. A failing notebook is reported and the others
    still run. A progress line per notebook (``progress``, an :mod:`instructor.progress`
    level; at ``VERBOSE`` a line per cell too); the kernels' own output goes to
    ``out/kernels.log``.
    """
    from nbclient.exceptions import CellExecutionError

    out.mkdir(parents=True, exist_ok=True)
    reporter = Progress(len(sources), level=progress)
    rows = []
    with open(out / "kernels.log", "w", encoding="utf-8") as log:
        for source in sources:
            nb = read(source)
            start = time.perf_counter()
            log.write(f"==== {source.name}\n")
            log.flush()
            try:
                _run(nb, source.parent.resolve(), cell_timeout, smoke, reporter, log)
                status = "ok"
            except CellExecutionError as error:
                status = f"failed: {str(error).strip().splitlines()[-1][:120]}"
            except TimeoutError:
                status = f"failed: a cell ran past {cell_timeout} s"
            seconds = time.perf_counter() - start
            write(nb, out / source.name)
            rows.append((source.name, seconds, status))
            reporter.done(source.name, status, seconds)
    return rows
