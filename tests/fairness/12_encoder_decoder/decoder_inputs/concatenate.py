import numpy


def decoder_inputs(targets, go_id):
    """<go> column, then the targets without their last column."""
    go = numpy.full((targets.shape[0], 1), go_id, dtype=targets.dtype)
    return numpy.concatenate([go, targets[:, :-1]], axis=1)
