from helpers.vocab import UNKNOWN_CHAR  # "\ufffd", what an unknown id decodes to


def decode_batch(batch, vocab):
    """Return the lines of a padded batch (lines, time, vocab.size): one string per line.

    Each row decodes to the character of its largest entry; all-zero rows are padding.
    """
    batch = np.asarray(batch)
    ids = batch.argmax(axis=-1)
    real = batch.any(axis=-1)
    return [vocab.decode(row_ids[row_real]) for row_ids, row_real in zip(ids, real, strict=True)]
