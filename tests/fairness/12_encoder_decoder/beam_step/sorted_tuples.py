import numpy


def beam_step(scores, log_probs, width):
    """Plain Python: sort (score, parent, token) triples; sorted() is stable, so ties keep order."""
    candidates = [
        (float(scores[p]) + float(log_probs[p][v]), p, v)
        for p in range(len(scores))
        for v in range(len(log_probs[p]))
    ]
    best = sorted(candidates, key=lambda c: -c[0])[:width]
    return (
        numpy.array([c[0] for c in best]),
        numpy.array([c[1] for c in best], dtype=int),
        numpy.array([c[2] for c in best], dtype=int),
    )
