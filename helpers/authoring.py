"""Tools for notebook authors: execute a solution notebook and keep only the outputs CI checks.

Solution notebooks are committed with outputs only in the cells tagged
``nbval-check-output`` (with their execution counts, which nbval needs), and
everything else cleared, so the diff of a notebook shows code and text, not
noise.

Usage::

    python -m helpers.authoring execute solutions/01_one_hot_encoding.ipynb   # smoke mode, in place
    python -m helpers.authoring clean solutions/*.ipynb
    python -m helpers.authoring run-all --out build/executed        # every solution, full mode
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat

CHECKED_TAG = "nbval-check-output"
"""Cells whose outputs nbval compares in CI; the only cells that keep outputs."""

# Editor state: Google Colab (colab, executionInfo, outputId, id), Jupyter (execution,
# ExecuteTime, collapsed, scrolled, heading_collapsed, hidden, jupyter) and VS Code.
_CELL_METADATA_DROP = (
    "colab", "executionInfo", "outputId", "id", "execution", "ExecuteTime", "collapsed",
    "scrolled", "heading_collapsed", "hidden", "jupyter", "vscode",
)
_NB_METADATA_KEEP = ("kernelspec", "language_info")
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
LANGUAGE_INFO = {"name": "python"}


def tags(cell) -> list[str]:
    """Return the tags of a notebook cell (empty list when it has none)."""
    return list(cell.get("metadata", {}).get("tags", []))


def clean_notebook(nb, keep_checked_outputs: bool = True):
    """Clear outputs and editor metadata in place; return ``nb``.

    Args:
        nb: an ``nbformat.NotebookNode``.
        keep_checked_outputs: keep outputs and counts of ``nbval-check-output`` cells.
    """
    for cell in nb.cells:
        for key in _CELL_METADATA_DROP:
            cell.metadata.pop(key, None)
        cell.pop("id", None)
        if cell.cell_type != "code":
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
            continue
        if not (keep_checked_outputs and CHECKED_TAG in tags(cell)):
            cell.outputs = []
            cell.execution_count = None
    nb.metadata = nbformat.NotebookNode(
        {key: nb.metadata[key] for key in _NB_METADATA_KEEP if key in nb.metadata}
    )
    nb.metadata["kernelspec"] = nbformat.NotebookNode(KERNELSPEC)
    nb.metadata["language_info"] = nbformat.NotebookNode(LANGUAGE_INFO)
    nb.nbformat, nb.nbformat_minor = 4, 4
    return nb


def read(path: str | os.PathLike[str]):
    """Read a notebook (nbformat 4)."""
    return nbformat.read(str(path), as_version=4)


def dumps(nb) -> str:
    """Return the text :func:`write` stores for ``nb`` (nbformat 4 JSON, trailing newline)."""
    text = nbformat.writes(nb, version=4)
    return text if text.endswith("\n") else text + "\n"


def write(nb, path: str | os.PathLike[str]) -> None:
    """Write a notebook with a trailing newline, ids stripped (nbformat 4.4)."""
    Path(path).write_text(dumps(nb), encoding="utf-8")


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.authoring", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("execute", help="execute notebooks in smoke mode and keep checked outputs")
    run.add_argument("paths", nargs="+", type=Path)
    run.add_argument("--full", action="store_true", help="full mode instead of smoke mode")
    clean = sub.add_parser("clean", help="clear outputs except checked cells, drop editor metadata")
    clean.add_argument("paths", nargs="+", type=Path)
    every = sub.add_parser("run-all", help="execute every solution notebook into a folder")
    every.add_argument("--out", type=Path, default=Path("build/executed"))
    every.add_argument("--source", type=Path, default=Path("solutions"))
    every.add_argument("--timeout", type=int, default=3600, help="seconds per cell")
    args = parser.parse_args(argv)
    if args.command == "run-all":
        from helpers.runtime import smoke_mode

        smoke = smoke_mode()
        mode = "smoke" if smoke else "full"
        print(f"Executing {args.source}/*.ipynb into {args.out}/ ({mode} mode)")
        rows = run_all(sorted(args.source.glob("*.ipynb")), args.out, args.timeout, smoke)
        failed = [name for name, _, status in rows if status != "ok"]
        print(f"{len(rows) - len(failed)} passed, {len(failed)} failed")
        return 1 if failed else 0
    for path in args.paths:
        if args.command == "execute":
            execute(path, smoke=not args.full)
        else:
            write(clean_notebook(read(path)), path)
        print(f"{args.command}: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
