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
    n = (ids.size - 1) // batch_size
    n_chunks = n // seq_len
    chunk, stream, step = np.meshgrid(
        np.arange(n_chunks), np.arange(batch_size), np.arange(seq_len), indexing="ij"
    )
    starts = (stream * n + chunk * seq_len + step).reshape(n_chunks * batch_size, seq_len)
    return ids[starts], ids[starts + 1]
