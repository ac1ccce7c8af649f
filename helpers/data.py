"""Course data: download once, verify by sha256, cache, split.

Files come from their public URL through ``keras.utils.get_file`` and land in
Keras' cache (``~/.keras/datasets``). On a machine without internet, set
``COURSE_DATA_DIR`` to a folder that already holds the files (see ``data/README.md``);
nothing is downloaded then, and a failed download says so. Either way the sha256 is
checked before a byte is used: a truncated or wrong file raises
:class:`DataIntegrityError` and is never returned.

The split of a text into train/validation/test is contiguous and fixed
(90 % / 5 % / 5 % by default): the competition's test score relies on it.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

DATA_DIR_ENV = "COURSE_DATA_DIR"
"""Environment variable naming a folder that already holds the data files (offline use)."""


@dataclass(frozen=True)
class Dataset:
    """A downloadable data file: where it lives, its file name and its sha256."""

    name: str
    url: str
    filename: str
    sha256: str
    description: str


DATASETS: dict[str, Dataset] = {
    "tinyshakespeare": Dataset(
        name="tinyshakespeare",
        url="https://storage.googleapis.com/download.tensorflow.org/data/shakespeare.txt",
        filename="tinyshakespeare.txt",
        sha256="86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
        description="Tiny Shakespeare (Karpathy): 1,115,394 characters of plays, 65 distinct.",
    ),
    "elnino": Dataset(
        name="elnino",
        url="https://raw.githubusercontent.com/statsmodels/statsmodels/v0.14.6/"
        "statsmodels/datasets/elnino/elnino.csv",
        filename="elnino.csv",
        sha256="b647be00e0fd264be9764e317e6b963f35030014ecca2b21b204521716e463ad",
        description="Monthly sea-surface temperature (deg C) of the Nino 1+2 region, 1950-2010 "
        "(NOAA, public domain; the table statsmodels ships).",
    ),
}

SPLIT_FRACTIONS = (0.90, 0.05, 0.05)
"""The pack's fixed train/validation/test fractions (contiguous, in this order)."""


class DataIntegrityError(RuntimeError):
    """A data file exists but is not the expected one (wrong sha256)."""


class DownloadError(ConnectionError):
    """A data file could not be downloaded; the message says how to work offline."""


class TextSplits(NamedTuple):
    """Contiguous train, validation and test parts of one text."""

    train: str
    val: str
    test: str


def sha256_of(path: str | os.PathLike[str]) -> str:
    """Return the hex sha256 digest of the file at ``path``."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _dataset(name: str) -> Dataset:
    if name not in DATASETS:
        known = ", ".join(sorted(DATASETS))
        raise ValueError(f"name={name!r} is not a course dataset; known names: {known}.")
    return DATASETS[name]


def _verified(path: Path, dataset: Dataset) -> Path:
    actual = sha256_of(path)
    if actual != dataset.sha256:
        raise DataIntegrityError(
            f"{path} is not the expected {dataset.name!r} file: its sha256 is {actual}, "
            f"expected {dataset.sha256}. Delete the file so it is downloaded again from "
            f"{dataset.url}, or put the correct file there."
        )
    return path


def fetch(name: str, data_dir: str | os.PathLike[str] | None = None) -> Path:
    """Return the local path of a verified course data file, downloading it if needed.

    Args:
        name: a key of :data:`DATASETS`, e.g. ``"tinyshakespeare"``.
        data_dir: folder that already holds the file; defaults to ``$COURSE_DATA_DIR``.
            When set, nothing is downloaded.

    Raises:
        ValueError: unknown ``name``.
        FileNotFoundError: the offline folder does not hold the file.
        DownloadError: no folder is set and the download failed (no internet); the message
            names ``COURSE_DATA_DIR`` and the file to put there.
        DataIntegrityError: the file's sha256 is wrong (it is not used).
    """
    dataset = _dataset(name)
    folder = data_dir if data_dir is not None else os.environ.get(DATA_DIR_ENV) or None
    if folder is not None:
        path = Path(folder).expanduser() / dataset.filename
        if not path.is_file():
            raise FileNotFoundError(
                f"{DATA_DIR_ENV}/data_dir points at {folder!s}, which has no {dataset.filename}. "
                f"Put the file there (download it from {dataset.url}) or unset {DATA_DIR_ENV} "
                "to download it into the Keras cache."
            )
        return _verified(path, dataset)

    import keras

    try:
        cached = Path(keras.utils.get_file(fname=dataset.filename, origin=dataset.url))
    except Exception as error:  # Keras turns every network error into a bare Exception
        raise DownloadError(
            f"Could not download {dataset.filename} from {dataset.url} ({error}). Working "
            f"offline? Copy {dataset.filename} (from that address, on a machine with internet) "
            f"into a folder and set {DATA_DIR_ENV} to its absolute path before the notebook "
            f"loads data, e.g. os.environ[{DATA_DIR_ENV!r}] = '/path/to/folder' "
            "(see data/README.md). Otherwise check the internet connection and run the cell again."
        ) from error
    return _verified(cached, dataset)


def load_text(name: str = "tinyshakespeare", data_dir: str | os.PathLike[str] | None = None) -> str:
    """Return a course text as one string (downloaded, verified and cached by :func:`fetch`).

    Example:
        >>> text = load_text("tinyshakespeare")
        >>> len(text)
        1115394
    """
    return fetch(name, data_dir).read_text(encoding="utf-8")


def load_elnino(data_dir: str | os.PathLike[str] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Return the El Nino table: ``years`` (n,) int and ``sst`` (n, 12) float32 in deg C.

    Row ``i`` holds the monthly mean sea-surface temperature of the Nino 1+2 region (0-10 S,
    90-80 W), January to December, of year ``years[i]`` (1950-2010, so n = 61). The file is
    downloaded, verified and cached by :func:`fetch` like the corpus.

    Example:
        >>> years, sst = load_elnino()
        >>> sst.shape, int(years[0])
        ((61, 12), 1950)
    """
    lines = fetch("elnino", data_dir).read_text(encoding="utf-8").strip().splitlines()
    rows = [[float(value) for value in line.split(",")] for line in lines[1:]]
    table = np.asarray(rows)
    if table.ndim != 2 or table.shape[1] != 13:
        raise DataIntegrityError(f"elnino.csv has shape {table.shape}, expected (years, 13).")
    return table[:, 0].astype(int), table[:, 1:].astype("float32")


def read_text_file(path: str | os.PathLike[str]) -> str:
    """Return the content of a local UTF-8 text file (for training on a text of your own).

    Raises:
        FileNotFoundError: no such file.
        ValueError: the file is empty or not UTF-8.
    """
    path = Path(path).expanduser()
    if not path.is_file():
        raise FileNotFoundError(f"path={str(path)!r} does not exist or is not a file.")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(
            f"path={str(path)!r} is not UTF-8 text ({error.reason} at byte {error.start}); "
            "save it as UTF-8 and try again."
        ) from None
    if not text:
        raise ValueError(f"path={str(path)!r} is empty; choose a file that holds text.")
    return text


def split_text(text: str, fractions: tuple[float, float, float] = SPLIT_FRACTIONS) -> TextSplits:
    """Split ``text`` into contiguous train, validation and test parts.

    The parts are consecutive slices, so no window can straddle two of them and
    leak test text into training. Boundaries are ``int(len(text) * cumulative
    fraction)``; for tiny-shakespeare the default gives 1,003,854 / 55,770 / 55,770
    characters.

    Args:
        text: the whole text, at least 3 characters.
        fractions: (train, val, test), each > 0, summing to 1.

    Raises:
        ValueError: empty or too short ``text``; bad ``fractions``.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}.")
    if len(fractions) != 3 or any(f <= 0 for f in fractions) or abs(sum(fractions) - 1) > 1e-9:
        raise ValueError(
            f"fractions={fractions!r} must be three positive numbers that sum to 1, "
            "for example (0.9, 0.05, 0.05)."
        )
    n = len(text)
    first = int(n * fractions[0])
    second = int(n * (fractions[0] + fractions[1]))
    if first == 0 or second == first or second == n:
        raise ValueError(
            f"text has {n} characters, too few to split by {fractions!r} into three non-empty "
            "parts; use a longer text."
        )
    return TextSplits(text[:first], text[first:second], text[second:])


def load_splits(name: str = "tinyshakespeare") -> TextSplits:
    """Return the pack's fixed train/validation/test split of a course text."""
    return split_text(load_text(name))
