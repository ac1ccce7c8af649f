import numpy


def masked_attention(queries, keys, mask):
    """Scores by einsum; the softmax only over real keys, padding set to 0 after the exp."""
    scores = numpy.einsum("bqd,bkd->bqk", queries, keys)
    real = numpy.broadcast_to(mask[:, None, :], scores.shape)
    largest = numpy.max(numpy.where(real, scores, -numpy.inf), axis=-1, keepdims=True)
    exps = numpy.where(real, numpy.exp(numpy.where(real, scores - largest, 0.0)), 0.0)
    weights = exps / exps.sum(axis=-1, keepdims=True)
    return numpy.einsum("bqk,bkd->bqd", weights, keys), weights
