"""Tests for helpers.data: sha256-checked fetching, offline folders, El Nino, reading, splitting."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.data import (
    DATA_DIR_ENV,
    DATASETS,
    SPLIT_FRACTIONS,
    DataIntegrityError,
    Dataset,
    DownloadError,
    TextSplits,
    fetch,
    load_elnino,
    load_splits,
    load_text,
    read_text_file,
    sha256_of,
    split_text,
)

FAKE_TEXT = "To be, or not to be: that is the question.\n" * 5  # 215 characters


def _register(monkeypatch, name: str, filename: str, content: str, description: str) -> Dataset:
    """Put a dataset ``name`` whose sha256 matches ``content`` into the registry; no data dir."""
    dataset = Dataset(
        name=name,
        url=f"https://example.invalid/{filename}",
        filename=filename,
        sha256=hashlib.sha256(content.encode("utf-8")).hexdigest(),
        description=description,
    )
    monkeypatch.setitem(DATASETS, name, dataset)
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)
    return dataset


@pytest.fixture
def fake_dataset(monkeypatch) -> Dataset:
    """Register a small dataset 'fake' whose sha256 matches FAKE_TEXT."""
    return _register(monkeypatch, "fake", "fake.txt", FAKE_TEXT, "A test text.")


@pytest.fixture
def fake_dir(tmp_path, fake_dataset) -> Path:
    """An offline data folder that holds the correct fake file."""
    (tmp_path / fake_dataset.filename).write_text(FAKE_TEXT, encoding="utf-8")
    return tmp_path


def _forbid_download(monkeypatch):
    import keras

    def no_download(*args, **kwargs):
        raise AssertionError("fetch() tried to download although an offline folder is set")

    monkeypatch.setattr(keras.utils, "get_file", no_download)


# --- sha256_of -----------------------------------------------------------------------------


def test_sha256_of_matches_hashlib_for_a_file_larger_than_one_block(tmp_path):
    payload = bytes(range(256)) * 10_000  # 2.56 MB, three 1 MiB blocks
    path = tmp_path / "blob.bin"
    path.write_bytes(payload)
    assert sha256_of(path) == hashlib.sha256(payload).hexdigest()
    path.write_bytes(payload[:-1])
    assert sha256_of(path) != hashlib.sha256(payload).hexdigest()


# --- fetch / load_text -----------------------------------------------------------------------


def test_fetch_returns_the_verified_file_from_the_env_folder(monkeypatch, fake_dir):
    _forbid_download(monkeypatch)
    monkeypatch.setenv(DATA_DIR_ENV, str(fake_dir))
    assert fetch("fake") == fake_dir / "fake.txt"
    assert load_text("fake") == FAKE_TEXT


def test_fetch_uses_the_data_dir_argument_before_the_env_folder(monkeypatch, fake_dir, tmp_path):
    _forbid_download(monkeypatch)
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "elsewhere"))
    assert fetch("fake", data_dir=fake_dir) == fake_dir / "fake.txt"
    assert load_text("fake", data_dir=str(fake_dir)) == FAKE_TEXT


def test_corrupted_file_raises_integrity_error_and_is_not_returned(monkeypatch, fake_dir):
    _forbid_download(monkeypatch)
    (fake_dir / "fake.txt").write_text(FAKE_TEXT[:-10], encoding="utf-8")  # truncated
    monkeypatch.setenv(DATA_DIR_ENV, str(fake_dir))
    actual = sha256_of(fake_dir / "fake.txt")
    with pytest.raises(DataIntegrityError, match=rf"its sha256 is {actual}, expected"):
        fetch("fake")
    with pytest.raises(DataIntegrityError, match="Delete the file so it is downloaded again"):
        load_text("fake")


def test_missing_file_in_offline_folder_names_the_variable(monkeypatch, fake_dataset, tmp_path):
    _forbid_download(monkeypatch)
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    with pytest.raises(
        FileNotFoundError, match=r"COURSE_DATA_DIR/data_dir points at .* no fake\.txt"
    ):
        fetch("fake")
    with pytest.raises(FileNotFoundError, match="unset COURSE_DATA_DIR"):
        load_text("fake")


def test_unknown_dataset_name_lists_the_known_ones(fake_dataset):
    with pytest.raises(
        ValueError,
        match=r"name='shakespear' is not a course dataset; known names: .*"
        r"tinyshakespeare",
    ):
        fetch("shakespear")


def test_fetch_downloads_through_keras_when_no_folder_is_set(monkeypatch, fake_dir):
    import keras

    calls = []

    def fake_get_file(fname, origin):
        calls.append((fname, origin))
        return str(fake_dir / "fake.txt")

    monkeypatch.setattr(keras.utils, "get_file", fake_get_file)
    assert load_text("fake") == FAKE_TEXT
    assert calls == [("fake.txt", "https://example.invalid/fake.txt")]


def test_offline_download_failure_names_course_data_dir_and_the_file(monkeypatch, tmp_path):
    """Keras' own failure (a name that cannot resolve), not a stand-in: it must become advice."""
    dataset = _register(monkeypatch, "offline", "offline-only.txt", FAKE_TEXT, "Never online.")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))  # no cached copy to find
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(DownloadError) as caught:
        load_text("offline")
    message = str(caught.value)
    assert DATA_DIR_ENV in message and "offline-only.txt" in message and dataset.url in message
    assert "URL fetch failure" in str(caught.value.__cause__), "not Keras' failure"
    assert not list(tmp_path.rglob("offline-only.txt")), "a failed download left a file behind"


def test_a_corrupted_download_is_rejected(monkeypatch, fake_dir):
    import keras

    (fake_dir / "fake.txt").write_text("<html>404 Not Found</html>", encoding="utf-8")
    monkeypatch.setattr(keras.utils, "get_file", lambda fname, origin: str(fake_dir / fname))
    with pytest.raises(DataIntegrityError, match="is not the expected 'fake' file"):
        fetch("fake")


def test_load_splits_splits_the_fetched_text_90_5_5(monkeypatch, fake_dir):
    monkeypatch.setenv(DATA_DIR_ENV, str(fake_dir))
    splits = load_splits("fake")
    assert isinstance(splits, TextSplits)
    assert [len(part) for part in splits] == [193, 11, 11]  # int(215*.9)=193, int(215*.95)=204
    assert "".join(splits) == FAKE_TEXT


# --- the real corpus -------------------------------------------------------------------------


def test_real_tinyshakespeare_has_the_documented_size_and_split(monkeypatch, real_data_dir):
    monkeypatch.setenv(DATA_DIR_ENV, str(real_data_dir))
    text = load_text("tinyshakespeare")
    assert len(text) == 1_115_394
    assert len(set(text)) == 65
    splits = load_splits()
    assert [len(part) for part in splits] == [1_003_854, 55_770, 55_770]
    assert splits.train + splits.val + splits.test == text
    assert text.startswith(splits.train) and text.endswith(splits.test)


# --- load_elnino ----------------------------------------------------------------------------

ELNINO_HEADER = '"YEAR","JAN","FEB","MAR","APR","MAY","JUN","JUL","AUG","SEP","OCT","NOV","DEC"\n'
FAKE_ELNINO = ELNINO_HEADER + "".join(  # three years, the real file's layout
    f"{year}," + ",".join(f"{20 + year % 10 + month / 100:.3f}" for month in range(12)) + "\n"
    for year in (1950, 1951, 1952)
)


def _fake_elnino(monkeypatch, content: str) -> Dataset:
    """Replace the registry's 'elnino' entry by one whose sha256 matches ``content``."""
    return _register(monkeypatch, "elnino", "elnino.csv", content, "A small El Nino table.")


def test_elnino_is_registered_with_its_public_source_and_sha256():
    dataset = DATASETS["elnino"]
    assert dataset.filename == "elnino.csv"
    assert dataset.url == (
        "https://raw.githubusercontent.com/statsmodels/statsmodels/v0.14.6/"
        "statsmodels/datasets/elnino/elnino.csv"
    )
    assert dataset.sha256 == "b647be00e0fd264be9764e317e6b963f35030014ecca2b21b204521716e463ad"


def test_load_elnino_returns_years_and_a_table_of_twelve_months(monkeypatch, tmp_path):
    _forbid_download(monkeypatch)
    _fake_elnino(monkeypatch, FAKE_ELNINO)
    (tmp_path / "elnino.csv").write_text(FAKE_ELNINO, encoding="utf-8")
    years, sst = load_elnino(data_dir=tmp_path)
    assert years.tolist() == [1950, 1951, 1952]
    assert np.issubdtype(years.dtype, np.integer)
    assert sst.shape == (3, 12) and sst.dtype == np.float32
    np.testing.assert_allclose(sst[1, [0, 11]], [21.00, 21.11], rtol=0, atol=1e-5)
    # What notebook 03 does with it: one value per month, in calendar order.
    assert sst.ravel()[12] == sst[1, 0] and np.repeat(years, 12)[12] == 1951


def test_load_elnino_reads_the_offline_folder_from_the_environment(monkeypatch, tmp_path):
    _forbid_download(monkeypatch)
    _fake_elnino(monkeypatch, FAKE_ELNINO)
    (tmp_path / "elnino.csv").write_text(FAKE_ELNINO, encoding="utf-8")
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    years, sst = load_elnino()
    assert len(years) == len(sst) == 3


def test_load_elnino_downloads_through_keras_when_no_folder_is_set(monkeypatch, tmp_path):
    import keras

    _fake_elnino(monkeypatch, FAKE_ELNINO)
    (tmp_path / "elnino.csv").write_text(FAKE_ELNINO, encoding="utf-8")
    calls = []

    def fake_get_file(fname, origin):
        calls.append((fname, origin))
        return str(tmp_path / fname)

    monkeypatch.setattr(keras.utils, "get_file", fake_get_file)
    assert load_elnino()[1].shape == (3, 12)
    assert calls == [("elnino.csv", "https://example.invalid/elnino.csv")]


def test_load_elnino_refuses_a_file_whose_sha256_differs(monkeypatch, tmp_path):
    _forbid_download(monkeypatch)
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)
    (tmp_path / "elnino.csv").write_text(FAKE_ELNINO, encoding="utf-8")  # not the real table
    with pytest.raises(
        DataIntegrityError,
        match=r"elnino\.csv is not the expected 'elnino' file: its sha256 is [0-9a-f]{64}, "
        r"expected b647be00e0fd.*Delete the file",
    ):
        load_elnino(data_dir=tmp_path)


def test_load_elnino_names_the_missing_file_in_the_offline_folder(monkeypatch, tmp_path):
    _forbid_download(monkeypatch)
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    with pytest.raises(FileNotFoundError, match=r"has no elnino\.csv.*download it from https"):
        load_elnino()


def test_load_elnino_refuses_a_table_without_thirteen_columns(monkeypatch, tmp_path):
    _forbid_download(monkeypatch)
    ragged = ELNINO_HEADER + "1950,1.0,2.0\n"
    _fake_elnino(monkeypatch, ragged)
    (tmp_path / "elnino.csv").write_text(ragged, encoding="utf-8")
    with pytest.raises(DataIntegrityError, match=r"elnino\.csv has shape \(1, 3\), expected"):
        load_elnino(data_dir=tmp_path)


def test_real_elnino_table_has_61_years_of_monthly_temperatures(monkeypatch):
    folder = os.environ.get(DATA_DIR_ENV)
    if not folder or not (Path(folder) / "elnino.csv").is_file():
        pytest.skip(f"no elnino.csv in {DATA_DIR_ENV} ({folder}); .ci/run builds such a folder")
    _forbid_download(monkeypatch)
    years, sst = load_elnino()
    assert years.tolist() == list(range(1950, 2011))
    assert sst.shape == (61, 12)
    np.testing.assert_allclose(sst[0, :3], [23.11, 24.20, 25.37], atol=1e-5)  # 1950, Jan-Mar
    assert 18 < sst.min() < sst.max() < 30  # deg C off Ecuador and Peru


# --- read_text_file --------------------------------------------------------------------------


def test_read_text_file_returns_utf8_text(tmp_path):
    path = tmp_path / "own.txt"
    path.write_text("Grüße, Ωmega ✓\n", encoding="utf-8")
    assert read_text_file(path) == "Grüße, Ωmega ✓\n"
    assert read_text_file(str(path)) == "Grüße, Ωmega ✓\n"


def test_read_text_file_rejects_a_missing_path_or_a_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"path='.*nothing\.txt' does not exist"):
        read_text_file(tmp_path / "nothing.txt")
    with pytest.raises(FileNotFoundError, match="is not a file"):
        read_text_file(tmp_path)


def test_read_text_file_rejects_an_empty_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(ValueError, match=r"path='.*empty\.txt' is empty; choose a file"):
        read_text_file(path)


def test_read_text_file_rejects_text_that_is_not_utf8(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Grüße".encode("latin-1"))
    with pytest.raises(ValueError, match=r"is not UTF-8 text \(invalid .* at byte 2\); save it as"):
        read_text_file(path)


# --- split_text ------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(min_size=40, max_size=300),
    train=st.floats(0.5, 0.9),
    val_share=st.floats(0.2, 0.8),
)
def test_split_text_parts_are_contiguous_and_sized_by_the_fractions(text, train, val_share):
    val = (1 - train) * val_share
    fractions = (train, val, 1 - train - val)
    n = len(text)
    first, second = int(n * train), int(n * (train + val))
    if first == 0 or second == first or second == n:  # too short for these fractions
        with pytest.raises(ValueError, match="too few to split"):
            split_text(text, fractions)
        return
    parts = split_text(text, fractions)
    assert parts.train + parts.val + parts.test == text
    assert [len(p) for p in parts] == [first, second - first, n - second]


def test_split_text_default_fractions_are_90_5_5():
    assert SPLIT_FRACTIONS == (0.90, 0.05, 0.05)
    parts = split_text("x" * 1000)
    assert [len(p) for p in parts] == [900, 50, 50]


@pytest.mark.parametrize("text", ["", "ab", "abc", "a" * 10])
def test_split_text_rejects_a_text_too_short_for_three_parts(text):
    with pytest.raises(ValueError, match=rf"text has {len(text)} characters, too few to split"):
        split_text(text)


def test_split_text_accepts_the_shortest_text_that_gives_three_parts():
    assert [len(p) for p in split_text("a" * 11)] == [9, 1, 1]  # int(9.9)=9, int(10.45)=10


@pytest.mark.parametrize(
    "fractions",
    [(0.9, 0.1), (0.9, 0.1, 0.0), (0.5, 0.3, 0.3), (1.2, -0.1, -0.1), (0.4, 0.3, 0.2, 0.1)],
)
def test_split_text_rejects_bad_fractions(fractions):
    with pytest.raises(
        ValueError, match=r"fractions=.* must be three positive numbers that sum to 1"
    ):
        split_text("x" * 1000, fractions)


def test_split_text_rejects_a_non_string():
    with pytest.raises(TypeError, match="text must be a str, got list"):
        split_text(list("abcdefghijklmnopqrstuvwxyz"))
