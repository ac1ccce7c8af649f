"""Helpers for the RNN course pack: setup, data, vocabulary, windows and sampling.

Import what a notebook needs, e.g.::

    from helpers import setup_notebook, load_splits, CharVocab, char_dataset, generate
"""

from helpers.data import DATA_DIR_ENV, DataIntegrityError, load_splits, load_text, split_text
from helpers.runtime import SMOKE_ENV, pick, set_seeds, setup_notebook, smoke_mode
from helpers.sampling import generate, sample_next
from helpers.vocab import CharVocab
from helpers.windows import char_dataset, series_windows

__all__ = [
    "DATA_DIR_ENV",
    "SMOKE_ENV",
    "CharVocab",
    "DataIntegrityError",
    "char_dataset",
    "generate",
    "load_splits",
    "load_text",
    "pick",
    "sample_next",
    "series_windows",
    "set_seeds",
    "setup_notebook",
    "smoke_mode",
    "split_text",
]
