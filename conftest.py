"""Repository-wide pytest configuration.

nbval compares the stored outputs of cells tagged ``nbval-check-output``. TensorFlow writes
C++ log lines to stderr that differ between machines and runs, so stderr never takes part
in the comparison (nbval has no flag for this; this hook is the documented way).
"""


def pytest_collectstart(collector):
    if collector.fspath and collector.fspath.ext == ".ipynb":
        collector.skip_compare += ("stderr",)
