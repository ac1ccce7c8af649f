"""Tests for helpers.windows: character windows, window counts and time-series windows."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from helpers.vocab import UNKNOWN_ID, CharVocab
from helpers.windows import char_dataset, count_windows, series_windows

TF_SETTINGS = settings(max_examples=15, deadline=None)


def _all_windows(dataset):
    """Concatenate every batch of a dataset into NumPy arrays."""
    xs, ys = [], []
    for x, y in dataset:
        xs.append(x.numpy())
        ys.append(y.numpy())
    return np.concatenate(xs), np.concatenate(ys)


# --- char_dataset ----------------------------------------------------------------------------


@TF_SETTINGS
@given(
    text=st.text(alphabet="abcde \n", min_size=2, max_size=120),
    seq_len=st.integers(1, 12),
    batch_size=st.integers(1, 9),
    stride=st.integers(1, 5),
    one_hot=st.booleans(),
)
def test_char_windows_are_slices_of_the_text_with_targets_shifted_by_one(
    text, seq_len, batch_size, stride, one_hot
):
    if seq_len >= len(text):
        seq_len = len(text) - 1
    vocab = CharVocab.from_text(text)
    ds = char_dataset(
        text, vocab, seq_len, batch_size, one_hot=one_hot, stride=stride, shuffle=False
    )
    x, y = _all_windows(ds)
    n = count_windows(len(text), seq_len, stride)
    assert n >= 1
    if one_hot:
        assert x.dtype == np.float32 and x.shape == (n, seq_len, vocab.size)
        assert (x.sum(axis=-1) == 1).all()
        x = x.argmax(axis=-1)
    assert x.dtype.kind == "i" and x.shape == (n, seq_len)
    assert y.dtype == np.int32 and y.shape == (n, seq_len)
    for i in range(n):
        start = i * stride
        source, target = vocab.decode(x[i]), vocab.decode(y[i])
        assert source == text[start : start + seq_len]
        assert target == text[start + 1 : start + seq_len + 1]
        assert target[:-1] == source[1:]


@TF_SETTINGS
@given(
    text=st.text(alphabet="xyz.", min_size=2, max_size=80),
    seq_len=st.integers(1, 6),
    stride=st.integers(1, 4),
)
def test_last_targets_are_the_character_after_each_window(text, seq_len, stride):
    seq_len = min(seq_len, len(text) - 1)
    vocab = CharVocab.from_text(text)
    x, y = _all_windows(
        char_dataset(text, vocab, seq_len, 4, targets="last", stride=stride, shuffle=False)
    )
    assert y.shape == (len(x),)
    for i, (window, target) in enumerate(zip(x, y, strict=True)):
        start = i * stride
        assert vocab.decode(window) == text[start : start + seq_len]
        assert vocab.decode([target]) == text[start + seq_len]


@TF_SETTINGS
@given(
    n_chars=st.integers(1, 60),
    seq_len=st.integers(1, 15),
    stride=st.integers(1, 7),
    batch_size=st.integers(1, 8),
)
def test_count_windows_agrees_with_the_windows_the_dataset_yields(
    n_chars, seq_len, stride, batch_size
):
    text = ("abcdefg" * 10)[:n_chars]
    expected = count_windows(n_chars, seq_len, stride)
    if seq_len >= n_chars:
        assert expected == 0
        with pytest.raises(ValueError, match="is not shorter than the text"):
            char_dataset(text, CharVocab.from_text(text), seq_len, batch_size, stride=stride)
        return
    ds = char_dataset(text, CharVocab.from_text(text), seq_len, batch_size, stride=stride)
    sizes = [int(x.shape[0]) for x, _ in ds]
    assert sum(sizes) == expected
    assert all(size == batch_size for size in sizes[:-1])


def test_count_windows_counts_overlapping_and_strided_windows():
    assert count_windows(1_115_394, 100) == 1_115_294
    assert count_windows(11, 5, stride=5) == 2  # starts 0 and 5 (5 + 6 = 11 characters)
    assert count_windows(10, 5, stride=5) == 1
    assert count_windows(5, 5) == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"seq_len": 0}, "seq_len=0 must be a positive integer"),
        ({"seq_len": 3, "stride": 0}, "stride=0 must be a positive integer"),
        ({"seq_len": 2.5}, "seq_len=2.5 must be a positive integer"),
    ],
)
def test_count_windows_rejects_bad_sizes(kwargs, message):
    with pytest.raises(ValueError, match=message):
        count_windows(100, **kwargs)


def test_shuffled_windows_are_the_same_windows_in_a_seeded_order(tiny_text, tiny_vocab):
    plain, _ = _all_windows(char_dataset(tiny_text, tiny_vocab, 8, 16, shuffle=False))
    first, y1 = _all_windows(char_dataset(tiny_text, tiny_vocab, 8, 16, seed=1))
    again, _ = _all_windows(char_dataset(tiny_text, tiny_vocab, 8, 16, seed=1))
    other, _ = _all_windows(char_dataset(tiny_text, tiny_vocab, 8, 16, seed=2))
    assert sorted(map(tuple, first.tolist())) == sorted(map(tuple, plain.tolist()))
    assert first.tolist() != plain.tolist()
    assert first.tolist() == again.tolist()
    assert first.tolist() != other.tolist()
    assert (y1[:, :-1] == first[:, 1:]).all()  # shuffling keeps each input with its target


def test_characters_outside_the_vocabulary_become_the_unknown_id():
    vocab = CharVocab.from_text("ab")
    x, y = _all_windows(char_dataset("abzab", vocab, 4, shuffle=False))
    assert x.tolist() == [[1, 2, UNKNOWN_ID, 1]]
    assert y.tolist() == [[2, UNKNOWN_ID, 1, 2]]


def test_one_hot_batches_have_the_documented_shapes(tiny_text, tiny_vocab):
    x, y = next(iter(char_dataset(tiny_text, tiny_vocab, 10, batch_size=4, one_hot=True)))
    assert x.shape == (4, 10, tiny_vocab.size) and x.dtype.name == "float32"
    assert y.shape == (4, 10) and y.dtype.name == "int32"


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"text": ""}, ValueError, "text is empty; pass the text to cut into windows"),
        ({"text": b"bytes"}, TypeError, "text must be a str, got bytes"),
        ({"vocab": ["a", "b"]}, TypeError, "vocab must be a CharVocab, got list"),
        (
            {"seq_len": 80},
            ValueError,
            r"seq_len=80 is not shorter than the text \(80 characters\); "
            r"a window needs seq_len \+ 1",
        ),
        (
            {"seq_len": 500},
            ValueError,
            r"seq_len=500 is not shorter than the text \(80 characters\)",
        ),
        ({"seq_len": 0}, ValueError, "seq_len=0 must be a positive integer"),
        ({"seq_len": True}, ValueError, "seq_len=True must be a positive integer"),
        ({"batch_size": 0}, ValueError, "batch_size=0 must be a positive integer"),
        ({"stride": -2}, ValueError, "stride=-2 must be a positive integer"),
        ({"targets": "all"}, ValueError, "targets='all' must be 'sequence' or 'last'"),
    ],
)
def test_char_dataset_rejects_bad_arguments(tiny_text, tiny_vocab, kwargs, error, message):
    arguments = {"text": tiny_text, "vocab": tiny_vocab, "seq_len": 10, **kwargs}
    with pytest.raises(error, match=message):
        char_dataset(**arguments)


def test_a_stride_longer_than_the_text_gives_the_one_window_at_the_start():
    vocab = CharVocab.from_text("abc")
    x, y = _all_windows(char_dataset("abc", vocab, 2, stride=5, shuffle=False))
    assert count_windows(3, 2, stride=5) == 1
    assert vocab.decode(x[0]) == "ab" and vocab.decode(y[0]) == "bc"
    xs, ys = _all_windows(series_windows(np.arange(4.0), 2, horizon=2, stride=9))
    assert xs[:, :, 0].tolist() == [[0.0, 1.0]] and ys.tolist() == [[2.0, 3.0]]


def test_the_longest_window_uses_the_whole_text(tiny_text, tiny_vocab):
    x, y = _all_windows(char_dataset(tiny_text, tiny_vocab, len(tiny_text) - 1, shuffle=False))
    assert tiny_vocab.decode(x[0]) + tiny_vocab.decode(y[0])[-1] == tiny_text
    assert len(x) == 1


# --- series_windows --------------------------------------------------------------------------


@TF_SETTINGS
@given(
    series=hnp.arrays(
        np.float32,
        st.tuples(st.integers(2, 40), st.integers(1, 3)),
        elements=st.floats(-100, 100, width=32),
    ),
    window=st.integers(1, 10),
    horizon=st.integers(1, 4),
    stride=st.integers(1, 4),
    batch_size=st.integers(1, 8),
    data=st.data(),
)
def test_series_pairs_equal_the_matching_slices(series, window, horizon, stride, batch_size, data):
    time, features = series.shape
    target_column = data.draw(st.integers(0, features - 1))
    if window + horizon > time:
        with pytest.raises(ValueError, match=r"is longer than the series"):
            series_windows(series, window, horizon, batch_size)
        return
    ds = series_windows(
        series, window, horizon, batch_size, target_column=target_column, stride=stride
    )
    x, y = _all_windows(ds)
    starts = range(0, time - window - horizon + 1, stride)
    assert x.shape == (len(starts), window, features) and x.dtype == np.float32
    assert y.shape == (len(starts), horizon) and y.dtype == np.float32
    for i, start in enumerate(starts):
        np.testing.assert_array_equal(x[i], series[start : start + window])
        np.testing.assert_array_equal(
            y[i], series[start + window : start + window + horizon, target_column]
        )


def test_a_univariate_series_gets_one_feature_axis():
    x, y = _all_windows(series_windows(np.arange(10.0), window=3, horizon=2, batch_size=4))
    assert x.shape == (6, 3, 1)
    assert x[0, :, 0].tolist() == [0.0, 1.0, 2.0]
    assert y[0].tolist() == [3.0, 4.0]
    assert y[-1].tolist() == [8.0, 9.0]


def test_series_shuffle_keeps_pairs_together_and_is_seeded():
    series = np.arange(50.0)
    x1, y1 = _all_windows(series_windows(series, 4, shuffle=True, seed=3))
    x2, _ = _all_windows(series_windows(series, 4, shuffle=True, seed=3))
    assert x1.tolist() == x2.tolist()
    assert x1[:, 0, 0].tolist() != sorted(x1[:, 0, 0].tolist())
    assert (y1[:, 0] == x1[:, -1, 0] + 1).all()


@pytest.mark.parametrize(
    ("series", "kwargs", "message"),
    [
        (
            np.zeros((4, 2, 2)),
            {},
            r"series must have shape \(time,\) or \(time, features\), got "
            r"\(4, 2, 2\)",
        ),
        (np.array([1.0, np.nan, 3.0, 4.0]), {}, "series holds NaN or infinite values"),
        (np.array([1.0, np.inf, 3.0, 4.0]), {}, "series holds NaN or infinite values"),
        (
            np.arange(5.0),
            {"window": 4, "horizon": 2},
            r"window=4 plus horizon=2 is longer than the series \(5 steps\)",
        ),
        (np.arange(5.0), {"window": 0}, "window=0 must be a positive integer"),
        (np.arange(5.0), {"horizon": 0}, "horizon=0 must be a positive integer"),
        (np.arange(5.0), {"batch_size": -1}, "batch_size=-1 must be a positive integer"),
        (np.arange(5.0), {"stride": 0}, "stride=0 must be a positive integer"),
        (
            np.zeros((9, 2)),
            {"target_column": 2},
            r"target_column=2 is out of range for a series with 2 feature\(s\)",
        ),
        (np.zeros((9, 2)), {"target_column": -1}, "target_column=-1 is out of range"),
    ],
)
def test_series_windows_rejects_bad_arguments(series, kwargs, message):
    arguments = {"window": 2, **kwargs}
    with pytest.raises(ValueError, match=message):
        series_windows(series, **arguments)
