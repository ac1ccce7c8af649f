"""Repository-wide pytest configuration.

nbval compares the stored outputs of cells tagged ``nbval-check-output``. TensorFlow writes
C++ log lines to stderr that differ between machines and runs, so stderr never takes part
in the comparison (nbval has no flag for this; this hook is the documented way).

With ``COURSE_SIMULATE_GPU=1`` every test runs under the simulated GPU of
``tests/gpu_simulation.py``: this process activates it, and every notebook kernel nbval starts
loads it from an IPython start-up file (``IPYTHONDIR`` points at a private folder holding it).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import tempfile
from pathlib import Path

_SIMULATION = Path(__file__).resolve().parent / "tests" / "gpu_simulation.py"
_ON, _OFF = {"1", "true", "yes", "on"}, {"", "0", "false", "no", "off"}

# Runs in each notebook kernel before its first cell. A failure ends the kernel, so nbval reports
# the notebook as failed instead of running it quietly without the simulation.
_KERNEL_STARTUP = """\
def _course_gpu_simulation():
    import importlib.util
    import os
    import sys
    import traceback

    try:
        spec = importlib.util.spec_from_file_location("gpu_simulation", {path!r})
        module = importlib.util.module_from_spec(spec)
        sys.modules["gpu_simulation"] = module
        spec.loader.exec_module(module)
        module.activate()
    except BaseException:
        traceback.print_exc()
        print("GPU simulation could not start in this kernel; stopping it.", file=sys.stderr)
        sys.stderr.flush()
        os._exit(70)


_course_gpu_simulation()
del _course_gpu_simulation
"""


def simulation_requested() -> bool:
    """Return True when ``COURSE_SIMULATE_GPU`` asks for the simulated GPU."""
    raw = os.environ.get("COURSE_SIMULATE_GPU", "").strip().lower()
    if raw in _ON | _OFF:
        return raw in _ON
    raise ValueError(
        f"COURSE_SIMULATE_GPU={raw!r} is not understood; set it to 1 to simulate a GPU, "
        "or unset it."
    )


def _load_simulation():
    if "gpu_simulation" in sys.modules:
        return sys.modules["gpu_simulation"]
    spec = importlib.util.spec_from_file_location("gpu_simulation", _SIMULATION)
    module = importlib.util.module_from_spec(spec)
    sys.modules["gpu_simulation"] = module
    spec.loader.exec_module(module)
    return module


def pytest_configure(config):
    if not simulation_requested():
        return
    _load_simulation().activate()
    ipython_dir = Path(tempfile.mkdtemp(prefix="course-gpu-sim-ipython-"))
    startup = ipython_dir / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-course-gpu-simulation.py").write_text(
        _KERNEL_STARTUP.format(path=str(_SIMULATION))
    )
    os.environ["IPYTHONDIR"] = str(ipython_dir)
    config._course_gpu_sim_dir = ipython_dir


def pytest_unconfigure(config):
    folder = getattr(config, "_course_gpu_sim_dir", None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def pytest_report_header(config):
    if simulation_requested():
        return "GPU simulation: on (tests/gpu_simulation.py; kernels load it at start-up)"
    return None


def pytest_collectstart(collector):
    if collector.fspath and collector.fspath.ext == ".ipynb":
        collector.skip_compare += ("stderr",)


# The files that take longest (seconds per file from `./course test --durations`, our run:
# benchmarks/README.md, "CI: slow files first"), longest first. `./course test` hands whole files
# to its two workers (`--dist loadfile`) in collection order; started last, one of these would
# keep one worker busy for minutes while the other idles. Every other file keeps its place after
# them. tests/test_version_window.py checks that each name still exists.
SLOW_FILES_FIRST = (
    "tests/test_cheats.py",
    "tests/test_leaderboard.py",
    "tests/test_grading_11_12.py",
    "tests/test_competition.py",
    "tests/test_grading_limits.py",
    "solutions/06_write_your_own_model.ipynb",
    "solutions/09_state_and_cells_on_text.ipynb",
    "tests/test_alternative_answers.py",
    "tests/test_students.py",
    "tests/test_gpu_simulation.py",
    "solutions/10_attention_pointer.ipynb",
    "solutions/03_simplernn_lstm_gru.ipynb",
)


def pytest_collection_modifyitems(config, items):
    first = {name: place for place, name in enumerate(SLOW_FILES_FIRST)}
    items.sort(key=lambda item: first.get(item.nodeid.split("::")[0], len(first)))
