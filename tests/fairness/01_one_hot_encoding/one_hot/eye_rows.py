def one_hot_batch(lines, vocab):
    """Return the one-hot code of a list of strings, padded with all-zero rows at the end.

    Shape (len(lines), length of the longest line, vocab.size), float32.
    """
    longest = max([len(line) for line in lines] + [0])
    batch = np.zeros((len(lines), longest, vocab.size), dtype="float32")
    for i, line in enumerate(lines):
        if line:
            batch[i, : len(line)] = vocab.one_hot(line)
    return batch
