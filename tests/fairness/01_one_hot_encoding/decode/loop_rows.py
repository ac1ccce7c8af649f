from helpers.vocab import UNKNOWN_CHAR  # "\ufffd", what an unknown id decodes to


def decode_batch(batch, vocab):
    """Return the lines of a padded batch (lines, time, vocab.size): one string per line.

    Each row decodes to the character of its largest entry; all-zero rows are padding.
    """
    lines = []
    for rows in batch:
        ids = [int(np.argmax(row)) for row in rows if np.any(row != 0)]
        lines.append(vocab.decode(ids))
    return lines
