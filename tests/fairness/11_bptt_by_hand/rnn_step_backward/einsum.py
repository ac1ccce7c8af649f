import numpy


def rnn_step_backward(dh, x_t, h_prev, h_t, W_x, W_h):
    """One step backwards, written with einsum (batch index b, units i and j)."""
    da = numpy.einsum("bj,bj->bj", dh, 1 - numpy.square(h_t))
    return (
        numpy.einsum("bj,ij->bi", da, W_x),
        numpy.einsum("bj,ij->bi", da, W_h),
        numpy.einsum("bi,bj->ij", x_t, da),
        numpy.einsum("bi,bj->ij", h_prev, da),
        numpy.einsum("bj->j", da),
    )
