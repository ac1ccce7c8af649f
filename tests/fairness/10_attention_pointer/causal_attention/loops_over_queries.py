def causal_attention(q, k, v):
    """Scaled dot-product attention where position t sees only positions s <= t.

    Args:
        q, k, v: queries, keys and values, shape (batch, time, d) each.

    Returns:
        out: shape (batch, time, d); weights: shape (batch, time, time), each row sums to 1.
    """
    batch, steps, width = q.shape
    weights = np.zeros((batch, steps, steps), dtype=np.result_type(q, k))
    for t in range(steps):
        scores = np.einsum("bd,bsd->bs", q[:, t], k[:, : t + 1]) / np.sqrt(width)
        scores = scores - scores.max(axis=-1, keepdims=True)
        e = np.exp(scores)
        weights[:, t, : t + 1] = e / e.sum(axis=-1, keepdims=True)
    return weights @ v, weights
