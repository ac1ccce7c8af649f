"""Training windows as ``tf.data`` pipelines, built on Keras' ``timeseries_dataset_from_array``.

Both functions keep memory linear in the length of the input: the pipeline
holds the data once plus one start index per window and cuts (and, for text,
one-hot encodes) each batch on the fly. Materialising every overlapping
one-hot window of tiny-shakespeare at length 100 would take
1,115,294 windows x 100 steps x 66 columns x 4 bytes, about 29 GB.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from helpers.runtime import DEFAULT_SEED
from helpers.vocab import CharVocab


def char_dataset(
    text: str,
    vocab: CharVocab,
    seq_len: int,
    batch_size: int = 64,
    *,
    one_hot: bool = False,
    targets: Literal["sequence", "last"] = "sequence",
    stride: int = 1,
    shuffle: bool = True,
    seed: int | None = DEFAULT_SEED,
):
    """Return a ``tf.data.Dataset`` of (input, next-character target) batches.

    Window ``i`` covers ``text[i*stride : i*stride + seq_len + 1]``; its input is
    the first ``seq_len`` characters and its target the same characters shifted
    by one. Characters outside ``vocab`` become the unknown id 0.

    Args:
        text: the text to cut into windows (e.g. the training split).
        vocab: the vocabulary that encodes it.
        seq_len: input length of each window, ``1 <= seq_len < len(text)``.
        batch_size: windows per batch (the last batch may be smaller).
        one_hot: inputs as float32 one-hot vectors instead of int32 ids.
        targets: ``"sequence"``: the next character at every step (many-to-many);
            ``"last"``: only the character after the window (many-to-one).
        stride: characters between the starts of consecutive windows; 1 gives all
            overlapping windows, ``seq_len`` gives non-overlapping ones.
        shuffle: shuffle the window order (reproducibly for a given ``seed``).
        seed: shuffle seed.

    Returns:
        Dataset of ``(x, y)``:
        ``x``: int32 ``(batch, seq_len)``; float32 ``(batch, seq_len, vocab.size)`` if ``one_hot``;
        ``y``: int32 ``(batch, seq_len)`` for ``targets="sequence"``, ``(batch,)`` for ``"last"``.

    Raises:
        ValueError: empty text, ``seq_len`` not shorter than the text, non-positive
            ``batch_size`` or ``stride``, unknown ``targets``.

    Example:
        >>> ds = char_dataset(train_text, vocab, seq_len=100, batch_size=64, one_hot=True)
        >>> x, y = next(iter(ds))   # x: (64, 100, 66) float32, y: (64, 100) int32
    """
    import keras
    import tensorflow as tf

    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}.")
    if not text:
        raise ValueError("text is empty; pass the text to cut into windows.")
    if not isinstance(vocab, CharVocab):
        raise TypeError(f"vocab must be a CharVocab, got {type(vocab).__name__}.")
    _positive_int(seq_len, "seq_len")
    _positive_int(batch_size, "batch_size")
    _positive_int(stride, "stride")
    if seq_len >= len(text):
        raise ValueError(
            f"seq_len={seq_len} is not shorter than the text ({len(text)} characters); "
            "a window needs seq_len + 1 characters. Use a smaller seq_len or more text."
        )
    if targets not in ("sequence", "last"):
        raise ValueError(f"targets={targets!r} must be 'sequence' or 'last'.")

    ids = vocab.encode(text)
    windows = keras.utils.timeseries_dataset_from_array(
        ids,
        None,
        sequence_length=seq_len + 1,
        # Keras refuses a stride >= the data length; any such stride gives the one window at 0.
        sequence_stride=min(stride, len(ids) - 1),
        batch_size=batch_size,
        shuffle=shuffle,
        seed=seed,
    )
    depth = vocab.size

    def split(window):
        x = window[:, :-1]
        y = window[:, 1:] if targets == "sequence" else window[:, -1]
        if one_hot:
            x = tf.one_hot(x, depth, dtype=tf.float32)
        return x, y

    return windows.map(split, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)


def count_windows(n_chars: int, seq_len: int, stride: int = 1) -> int:
    """Number of windows :func:`char_dataset` cuts from ``n_chars`` characters."""
    _positive_int(seq_len, "seq_len")
    _positive_int(stride, "stride")
    if n_chars < seq_len + 1:
        return 0
    return (n_chars - seq_len - 1) // stride + 1


def series_windows(
    series: np.ndarray,
    window: int,
    horizon: int = 1,
    batch_size: int = 32,
    *,
    target_column: int = 0,
    stride: int = 1,
    shuffle: bool = False,
    seed: int | None = DEFAULT_SEED,
):
    """Return a ``tf.data.Dataset`` of (past window, next ``horizon`` values) for forecasting.

    Pair ``i`` has input ``series[i*stride : i*stride + window]`` and target the
    ``horizon`` values of ``target_column`` that follow it.

    Args:
        series: shape ``(time,)`` or ``(time, features)``; numbers only, no NaN.
        window: input steps per example, >= 1.
        horizon: future steps to predict, >= 1.
        batch_size: examples per batch.
        target_column: which feature to predict (0 for a univariate series).
        stride: steps between the starts of consecutive windows.
        shuffle: shuffle the examples (keep False for test data).
        seed: shuffle seed.

    Returns:
        Dataset of ``(x, y)``: ``x`` float32 ``(batch, window, features)`` (features is 1
        for a univariate series), ``y`` float32 ``(batch, horizon)``.

    Raises:
        ValueError: a series of the wrong rank, with NaN/inf, or shorter than
            ``window + horizon``; non-positive sizes; ``target_column`` out of range.
    """
    import keras

    values = np.asarray(series, dtype=np.float32)
    if values.ndim == 1:
        values = values[:, None]
    if values.ndim != 2:
        raise ValueError(
            f"series must have shape (time,) or (time, features), got {np.shape(series)}."
        )
    if not np.isfinite(values).all():
        raise ValueError("series holds NaN or infinite values; fill or drop them first.")
    _positive_int(window, "window")
    _positive_int(horizon, "horizon")
    _positive_int(batch_size, "batch_size")
    _positive_int(stride, "stride")
    if len(values) < window + horizon:
        raise ValueError(
            f"window={window} plus horizon={horizon} is longer than the series "
            f"({len(values)} steps); use a shorter window or a longer series."
        )
    if not 0 <= target_column < values.shape[1]:
        raise ValueError(
            f"target_column={target_column} is out of range for a series with "
            f"{values.shape[1]} feature(s)."
        )

    pairs = keras.utils.timeseries_dataset_from_array(
        values,
        None,
        sequence_length=window + horizon,
        sequence_stride=min(stride, len(values) - 1),  # Keras refuses stride >= length
        batch_size=batch_size,
        shuffle=shuffle,
        seed=seed,
    )
    return pairs.map(lambda w: (w[:, :window, :], w[:, window:, target_column]))


def _positive_int(value: object, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name}={value!r} must be a positive integer.")
