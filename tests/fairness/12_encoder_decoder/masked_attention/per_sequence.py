import numpy


def masked_attention(queries, keys, mask):
    """One sequence at a time: attend over its real keys only, then pad the weights with 0."""
    contexts, all_weights = [], []
    for q, k, m in zip(queries, keys, mask, strict=True):
        real_keys = k[m]  # (real, d)
        scores = q @ real_keys.T
        scores = scores - scores.max(axis=1, keepdims=True)
        w = numpy.exp(scores)
        w /= w.sum(axis=1, keepdims=True)
        padded = numpy.zeros((q.shape[0], k.shape[0]), dtype=w.dtype)
        padded[:, m] = w
        contexts.append(w @ real_keys)
        all_weights.append(padded)
    return numpy.stack(contexts), numpy.stack(all_weights)
