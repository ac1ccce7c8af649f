"""Execute notebooks 07-12 in full mode on this machine and record what their text quotes.

Each notebook runs headless (nbclient) in its folder with ``COURSE_SMOKE=0``; the executed
copy goes to ``build/full_runs/`` (kept out of git), and a plain-text digest of every cell's
printed output goes next to it (``NN_name.txt``), so the numbers written into the notebooks'
text can be traced to a run. One line per notebook reports the wall time and the load average
before and after (the reference machine is a shared 2-core VM; see
``benchmarks/README_07_10_full_runs.md``).

Usage, from the repository root::

    export TF_CPP_MIN_LOG_LEVEL=3 TF_ENABLE_ONEDNN_OPTS=0 COURSE_DATA_DIR=../shared/data
    nice -n 10 python benchmarks/full_run_07_10.py                 # all six
    nice -n 10 python benchmarks/full_run_07_10.py 09 10           # some of them

Exits 1 if a notebook fails.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "build" / "full_runs"
NOTEBOOKS = {
    "07": "07_lstm_gru_gates.ipynb",
    "08": "08_lengths_masks_directions.ipynb",
    "09": "09_state_and_cells_on_text.ipynb",
    "10": "10_attention_pointer.ipynb",
    "11": "11_bptt_by_hand.ipynb",  # benchmarks/README_11_12_full_runs.md
    "12": "12_encoder_decoder.ipynb",
}


def digest(nb) -> str:
    """Every code cell's source head and its text outputs, for reading numbers off a run."""
    parts = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        head = cell.source.strip().splitlines()[0][:100] if cell.source.strip() else ""
        texts = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                texts.append(output.get("text", ""))
            elif "text/plain" in output.get("data", {}):
                texts.append(output["data"]["text/plain"])
            elif output.get("output_type") == "error":
                texts.append(f"ERROR {output.get('ename')}: {output.get('evalue')}")
        parts.append(f"----- cell {index}: {head}\n{''.join(texts).rstrip()}\n")
    return "\n".join(parts)


def run(name: str) -> tuple[float, str]:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    source = ROOT / "solutions" / name
    nb = nbformat.read(source, as_version=4)
    os.environ["COURSE_SMOKE"] = "0"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    start = time.perf_counter()
    status = "ok"
    try:
        NotebookClient(
            nb,
            timeout=7200,
            kernel_name="python3",
            resources={"metadata": {"path": str(source.parent)}},
        ).execute()
    except CellExecutionError as error:
        status = f"failed: {str(error).strip().splitlines()[-1][:160]}"
    seconds = time.perf_counter() - start
    OUT.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, OUT / name)
    (OUT / name).with_suffix(".txt").write_text(digest(nb), encoding="utf-8")
    return seconds, status


def main(argv: list[str]) -> int:
    keys = argv or list(NOTEBOOKS)
    unknown = [key for key in keys if key not in NOTEBOOKS]
    if unknown:
        print(f"unknown notebook(s) {unknown}; choose from {sorted(NOTEBOOKS)}", file=sys.stderr)
        return 2
    failed = 0
    for key in keys:
        before = os.getloadavg()[0]
        seconds, status = run(NOTEBOOKS[key])
        after = os.getloadavg()[0]
        failed += status != "ok"
        print(
            f"{NOTEBOOKS[key]:<40} {seconds:7.1f} s = {seconds / 60:5.1f} min  "
            f"load {before:.1f} -> {after:.1f}  {status}",
            flush=True,
        )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
