def causal_attention(q, k, v):
    """Scaled dot-product attention where position t sees only positions s <= t.

    Args:
        q, k, v: queries, keys and values, shape (batch, time, d) each.

    Returns:
        out: shape (batch, time, d); weights: shape (batch, time, time), each row sums to 1.
    """
    d = q.shape[-1]
    scores = np.matmul(q, np.transpose(k, (0, 2, 1))) / np.sqrt(d)
    steps = scores.shape[-1]
    future = 1.0 - np.tril(np.ones((steps, steps)))
    scores = scores - 1e9 * future  # a large negative number instead of -inf
    scores = scores - scores.max(axis=-1, keepdims=True)
    weights = np.exp(scores)
    weights = weights / weights.sum(axis=-1, keepdims=True)
    return weights @ v, weights
