"""Shared fixtures for the helper tests: a short text, its vocabulary, the real data folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from helpers.data import DATA_DIR_ENV, DATASETS
from helpers.vocab import CharVocab

# Timing goals live in benchmarks/, not in unit tests: no per-example deadline, so a loaded
# machine (CI's two cores, or the simulated GPU compiling with XLA) cannot fail a property test.
settings.register_profile("course", deadline=None)
settings.load_profile("course")

TINY_TEXT = "First Citizen:\nBefore we proceed any further, hear me speak.\nAll: Speak, speak.\n"
"""A short text with capitals, punctuation, spaces and newlines (80 characters, 30 distinct)."""

# Where the real corpus lives when COURSE_DATA_DIR is unset: ../shared/data next to the repo.
_SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture
def tiny_text() -> str:
    return TINY_TEXT


@pytest.fixture
def tiny_vocab() -> CharVocab:
    return CharVocab.from_text(TINY_TEXT)


@pytest.fixture
def real_data_dir() -> Path:
    """The folder holding the real tinyshakespeare.txt; skips the test when there is none."""
    folder = Path(os.environ.get(DATA_DIR_ENV) or _SHARED_DATA)
    filename = DATASETS["tinyshakespeare"].filename
    if not (folder / filename).is_file():
        pytest.skip(
            f"real corpus not available: {folder / filename} does not exist; set "
            f"{DATA_DIR_ENV} to a folder that holds {filename} to run this test."
        )
    return folder


@pytest.fixture
def simulation_off():
    """Run the test without the simulated GPU, also when COURSE_SIMULATE_GPU=1 switched it on
    (tests/gpu_simulation.py); it is switched on again afterwards."""
    import gpu_simulation

    was_active = gpu_simulation.is_active()
    gpu_simulation.deactivate()
    yield
    if was_active:
        gpu_simulation.activate()
