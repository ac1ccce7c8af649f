def tbptt_windows(steps, k1, k2):
    """The TBPTT(k1, k2) windows as one comprehension over the chunk ends."""
    if not (isinstance(k1, int) and isinstance(k2, int)) or not 0 < k1 <= k2:
        raise ValueError(f"TBPTT(k1={k1}, k2={k2}): choose integers with 1 <= k1 <= k2")
    ends = [min(end, steps) for end in range(k1, steps + k1, k1)]
    return [(max(0, e - k2), s, e) for s, e in zip([0, *ends[:-1]], ends, strict=True)]
