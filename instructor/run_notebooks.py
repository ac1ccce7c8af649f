"""For notebook authors: execute a solution notebook and keep only the outputs CI checks.

Solution notebooks are committed with outputs only in the cells tagged
``nbval-check-output`` (with their execution counts, which nbval needs), and
everything else cleared, so the diff of a notebook shows code and text, not
noise.

Usage::

    ./course notebooks execute solutions/01_one_hot_encoding.ipynb   # smoke mode, in place
    ./course notebooks clean solutions/*.ipynb          # --check: only say which are unclean
    ./course run                                        # every solution, full mode, build/executed
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from instructor.notebook_io import clean_notebook, read, write


def _run(nb, folder: Path, timeout: int, smoke: bool) -> None:
    """Execute ``nb`` in place with the working directory ``folder``."""
    from nbclient import NotebookClient

    os.environ["COURSE_SMOKE"] = "1" if smoke else "0"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    ).execute()


def execute(path: str | os.PathLike[str], timeout: int = 600, smoke: bool = True) -> None:
    """Execute a notebook in its folder (smoke mode by default), then clean it in place."""
    path = Path(path)
    nb = read(path)
    _run(nb, path.parent, timeout, smoke)
    write(clean_notebook(nb), path)


def run_all(
    sources: list[Path], out: Path, timeout: int = 3600, smoke: bool = False
) -> list[tuple[str, float, str]]:
    """Execute notebooks into ``out`` (outputs kept); return (name, seconds, status) rows.

    The source notebooks are not modified. A failing notebook is reported and the
    others still run.
    """
    from nbclient.exceptions import CellExecutionError

    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for source in sources:
        nb = read(source)
        start = time.perf_counter()
        try:
            _run(nb, source.parent.resolve(), timeout, smoke)
            status = "ok"
        except CellExecutionError as error:
            status = f"failed: {str(error).strip().splitlines()[-1][:120]}"
        except TimeoutError:
            status = f"failed: timed out after {timeout} s"
        seconds = time.perf_counter() - start
        write(nb, out / source.name)
        rows.append((source.name, seconds, status))
        print(f"{source.name:<40} {seconds:8.1f} s  {status}", flush=True)
    return rows
