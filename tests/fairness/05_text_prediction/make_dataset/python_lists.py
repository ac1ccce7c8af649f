def make_dataset(text, vocab, seq_len, batch_size):
    """Padded, weighted non-overlapping windows of text: a tf.data.Dataset of (x, y, w) batches.

    x: float32 (batch, seq_len, vocab.size), one-hot, all-zero rows for padding;
    y: integer ids (batch, seq_len), 0 for padding; w: float32 (batch, seq_len), 1 or 0.
    Every character of text but the first is a target with weight 1 exactly once.
    """
    ids = [int(i) for i in vocab.encode(text)]
    inputs, targets, weights = [], [], []
    for start in range(0, len(ids) - 1, seq_len):
        chunk = ids[start : start + seq_len + 1]
        real = len(chunk) - 1  # targets in this window
        pad = seq_len - real
        inputs.append(chunk[:-1] + [-1] * pad)  # -1: tf.one_hot makes a row of zeros
        targets.append(chunk[1:] + [0] * pad)
        weights.append([1.0] * real + [0.0] * pad)
    inputs = np.array(inputs, dtype=np.int32).reshape(-1, seq_len)
    targets = np.array(targets, dtype=np.int32).reshape(-1, seq_len)
    weights = np.array(weights, dtype=np.float32).reshape(-1, seq_len)
    dataset = tf.data.Dataset.from_tensor_slices((inputs, targets, weights)).batch(batch_size)
    return dataset.map(lambda x, y, w: (tf.one_hot(x, vocab.size, dtype=tf.float32), y, w))
