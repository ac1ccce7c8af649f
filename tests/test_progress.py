"""One progress line per finished item: [k/N] item: result (seconds), time left."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

from instructor.cli import main
from instructor.progress import NORMAL, QUIET, VERBOSE, Progress, verbosity

ROOT = Path(__file__).resolve().parent.parent


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_lines_count_items_and_estimate_the_time_left_from_the_wall_time_so_far():
    clock, stream = Clock(), io.StringIO()
    progress = Progress(4, stream=stream, clock=clock)
    clock.now = 120.0
    assert progress.done("alice / 01.ipynb", "3/3", 60.0) == (
        "[1/4] alice / 01.ipynb: 3/3 (60.0 s), about 6 min left"
    )
    clock.now = 150.0
    progress.done("bob / 01.ipynb", "0/3", 30.0)
    clock.now = 170.0
    progress.done("carol / 01.ipynb", "1.5/3", 20.0)
    clock.now = 200.0
    progress.done("dave / 01.ipynb", "3/3", 30.0)
    lines = stream.getvalue().splitlines()
    assert lines[1].endswith("(30.0 s), about 2 min left")  # 150 s for 2, 2 to go
    assert lines[2].endswith("(20.0 s), under a minute left")  # 170 / 3 = 57 s for 1 to go
    assert lines[3] == "[4/4] dave / 01.ipynb: 3/3 (30.0 s), all 4 done in 3.3 min"


def test_quiet_prints_nothing_and_details_need_verbose():
    assert verbosity(quiet=True, verbose=True) == QUIET and verbosity(False, False) == NORMAL
    for level, expected in ((QUIET, 0), (NORMAL, 1), (VERBOSE, 2)):
        stream = io.StringIO()
        progress = Progress(1, level=level, stream=stream)
        progress.detail("cell 3: ok (0.1 s)")
        progress.done("x", "ok", 0.1)
        assert len(stream.getvalue().splitlines()) == expected


def test_run_all_reports_each_notebook_and_each_cell_and_keeps_kernel_noise_in_a_log(
    tmp_path, capsys
):
    solutions = tmp_path / "solutions"
    solutions.mkdir()
    shutil.copy(ROOT / "tests" / "fixtures" / "solutions" / "01_warmup.ipynb", solutions)
    out = tmp_path / "executed"
    argv = ["notebooks", "run-all", "--solutions", str(solutions), "--out-dir", str(out)]
    assert main([*argv, "-v", "--cell-timeout", "120"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert re.fullmatch(
        r"\[1/1\] 01_warmup\.ipynb: ok \(\d+\.\d s\), all 1 done in .* min", err[-1]
    )
    cells = [line for line in err if line.startswith("    cell ")]
    assert cells and all(re.fullmatch(r"    cell \d+: ok \(\d+\.\d s\)", c) for c in cells)
    assert not [line for line in err if "without encryption" in line or "cuda" in line.lower()]
    assert (out / "kernels.log").read_text().startswith("==== 01_warmup.ipynb")
