def stream_batches(ids, batch_size, seq_len):
    """Inputs and targets of batch_size parallel streams, chunk k of every stream in batch k.

    Args:
        ids: encoded text, shape (length,).
        batch_size: number of streams (rows per batch).
        seq_len: chunk length.

    Returns:
        x, y: shape (n_chunks * batch_size, seq_len) each; y is x shifted by one character.
    """
    ids = np.asarray(ids)
    stream_length = (len(ids) - 1) // batch_size
    n_chunks = stream_length // seq_len
    x_rows, y_rows = [], []
    for k in range(n_chunks):
        for b in range(batch_size):
            start = b * stream_length + k * seq_len
            x_rows.append(ids[start : start + seq_len])
            y_rows.append(ids[start + 1 : start + seq_len + 1])
    shape = (n_chunks * batch_size, seq_len)
    return np.array(x_rows).reshape(shape), np.array(y_rows).reshape(shape)
