import numpy


def beam_step(scores, log_probs, width):
    """numpy.lexsort: the last key (the negated total) sorts first, then parent, then token."""
    total = numpy.asarray(scores, dtype=float)[:, None] + numpy.asarray(log_probs, dtype=float)
    parent, token = numpy.indices(total.shape)
    order = numpy.lexsort((token.ravel(), parent.ravel(), -total.ravel()))[:width]
    return total.ravel()[order], parent.ravel()[order], token.ravel()[order]
