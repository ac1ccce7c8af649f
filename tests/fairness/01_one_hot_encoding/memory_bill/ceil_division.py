import math


def memory_bill(n_chars, vocab_size, seq_len, stride=1):
    """Bytes for a text of n_chars characters, as {"ids": ..., "one_hot": ..., "windows": ...}.

    ids: int32, shape (n_chars,); one_hot: float32, shape (n_chars, vocab_size);
    windows: float32, shape (n_windows, seq_len, vocab_size), one window every `stride`
    characters from the start, as long as seq_len inputs and one target fit.
    """
    room = n_chars - seq_len  # number of possible starts with stride 1
    n_windows = math.ceil(room / stride) if room > 0 else 0
    bytes_per_float = np.dtype(np.float32).itemsize
    return {
        "ids": n_chars * np.dtype(np.int32).itemsize,
        "one_hot": n_chars * vocab_size * bytes_per_float,
        "windows": n_windows * seq_len * vocab_size * bytes_per_float,
    }
