def tbptt_windows(steps, k1, k2):
    """The TBPTT(k1, k2) windows, walking the chunk ends with a while loop."""
    if k1 < 1 or k2 < k1:
        raise ValueError(f"need 1 <= k1 <= k2, got k1={k1} and k2={k2}")
    result = []
    end = 0
    while end < steps:
        begin_losses = end
        end = min(end + k1, steps)
        result.append((max(end - k2, 0), begin_losses, end))
    return result
