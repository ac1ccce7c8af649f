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
    if side not in {"right": "post", "left": "pre"}:
        raise ValueError(f"side={side!r}: use 'right' or 'left'")
    too_long = [len(text) for text in texts if len(text) > length]
    if too_long:
        raise ValueError(f"texts of {too_long[0]} characters are longer than length={length}")
    sequences = [(vocab.encode(text) + 1).tolist() for text in texts]
    if not sequences:
        return np.zeros((0, length), dtype=np.int32)
    padding = {"right": "post", "left": "pre"}[side]
    return keras.utils.pad_sequences(
        sequences, maxlen=length, dtype="int32", padding=padding, value=0
    )
