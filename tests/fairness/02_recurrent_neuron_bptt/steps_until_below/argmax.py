def steps_until_below(norms, fraction):
    """First distance from the loss at which the gradient norm drops below fraction * norms[0].

    Args:
        norms: gradient norms, shape (time,), ordered by distance from the loss
            (norms[0] at the loss).
        fraction: threshold relative to norms[0], for example 0.01 for "below 1 %".

    Returns:
        The smallest d with norms[d] < fraction * norms[0] as an int, or None if there is none.
    """
    values = np.array(norms, dtype=np.float64)
    below = values < fraction * values[0]
    if not below.any():
        return None
    return int(np.argmax(below))
