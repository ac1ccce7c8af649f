def one_hot_batch(lines, vocab):
    """Return the one-hot code of a list of strings, padded with all-zero rows at the end.

    Shape (len(lines), length of the longest line, vocab.size), float32.
    """
    width = 0
    for line in lines:
        width = max(width, len(line))
    out = np.zeros((len(lines), width, vocab.size), np.float32)
    for i in range(len(lines)):
        ids = vocab.encode(lines[i])
        for t in range(len(ids)):
            out[i, t, ids[t]] = 1
    return out
