def encode_padded(texts, vocab, length, side="right"):
    """Encode texts with ids shifted by one (0 = padding, 1 = unknown) and pad them.

    Args:
        texts: list of str.
        vocab: a CharVocab.
        length: width of the result; no text may be longer.
        side: "right" (pad after the text) or "left" (pad before it).

    Returns:
        int32 array of shape (len(texts), length).
    """
    if side != "right" and side != "left":
        raise ValueError(f"side must be 'right' or 'left', got {side!r}")
    rows = []
    for text in texts:
        if len(text) > length:
            raise ValueError(f"a text of {len(text)} characters does not fit into {length}")
        ids = [int(i) + 1 for i in vocab.encode(text)]
        padding = [0] * (length - len(ids))
        rows.append(ids + padding if side == "right" else padding + ids)
    return np.array(rows, dtype=np.int32).reshape(len(texts), length)
