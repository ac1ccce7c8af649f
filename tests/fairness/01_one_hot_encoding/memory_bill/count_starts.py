def memory_bill(n_chars, vocab_size, seq_len, stride=1):
    """Bytes for a text of n_chars characters, as {"ids": ..., "one_hot": ..., "windows": ...}.

    ids: int32, shape (n_chars,); one_hot: float32, shape (n_chars, vocab_size);
    windows: float32, shape (n_windows, seq_len, vocab_size), one window every `stride`
    characters from the start, as long as seq_len inputs and one target fit.
    """
    starts = range(0, n_chars - seq_len, stride)  # a start s needs s + seq_len < n_chars
    return {
        "ids": 4 * n_chars,
        "one_hot": 4 * n_chars * vocab_size,
        "windows": 4 * len(starts) * seq_len * vocab_size,
    }
