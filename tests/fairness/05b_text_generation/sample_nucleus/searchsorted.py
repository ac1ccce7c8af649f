def sample_nucleus(logits, top_p, rng, temperature=1.0):
    """Draw one id among the most likely ids whose probabilities first reach top_p."""
    if top_p <= 0 or top_p > 1:
        raise ValueError("top_p must be in (0, 1]")
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    z = np.asarray(logits, dtype=float) / temperature
    p = np.exp(z - np.max(z))
    p /= p.sum()
    order = np.argsort(p)[::-1]
    cumulative = np.cumsum(p[order])
    size = min(int(np.searchsorted(cumulative, top_p)) + 1, len(p))
    keep = order[:size]
    return int(rng.choice(keep, p=p[keep] / p[keep].sum()))
