def make_dataset(text, vocab, seq_len, batch_size):
    """Padded, weighted non-overlapping windows of text: a tf.data.Dataset of (x, y, w) batches.

    x: float32 (batch, seq_len, vocab.size), one-hot, all-zero rows for padding;
    y: integer ids (batch, seq_len), 0 for padding; w: float32 (batch, seq_len), 1 or 0.
    Every character of text but the first is a target with weight 1 exactly once.
    """
    ids = vocab.encode(text)
    n_windows = max(0, -(-(len(ids) - 1) // seq_len))
    x = np.zeros((n_windows, seq_len, vocab.size), np.float32)
    y = np.zeros((n_windows, seq_len), np.int32)
    w = np.zeros((n_windows, seq_len), np.float32)
    for k in range(n_windows):
        start = k * seq_len
        inputs = ids[start : start + seq_len]
        targets = ids[start + 1 : start + seq_len + 1]
        x[k, np.arange(len(inputs)), inputs] = 1.0
        y[k, : len(targets)] = targets
        w[k, : len(targets)] = 1.0
    return tf.data.Dataset.from_tensor_slices((x, y, w)).batch(batch_size)
