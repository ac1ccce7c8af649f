import math


def sample_nucleus(logits, top_p, rng, temperature=1.0):
    """Draw one id among the most likely ids whose probabilities first reach top_p."""
    if not (0 < top_p <= 1):
        raise ValueError(f"top_p={top_p} is not in (0, 1]")
    if not temperature > 0:
        raise ValueError(f"temperature={temperature} must be > 0")
    scaled = [value / temperature for value in logits]
    top = max(scaled)
    weights = [math.exp(value - top) for value in scaled]
    total = sum(weights)
    ranked = sorted(range(len(weights)), key=lambda i: -weights[i])
    kept, reached = [], 0.0
    for i in ranked:
        kept.append(i)
        reached += weights[i] / total
        if reached >= top_p:
            break
    mass = sum(weights[i] for i in kept)
    return int(rng.choice(kept, p=[weights[i] / mass for i in kept]))
