import numpy


def rnn_backward(dhs, x, hs, h0, W_x, W_h):
    """BPTT that first collects dL/da_t for every step, then forms all gradients at once."""
    steps = x.shape[1]
    das = [None] * steps
    from_future = numpy.zeros(h0.shape)
    for t in range(steps - 1, -1, -1):
        das[t] = (dhs[:, t] + from_future) * (1 - hs[:, t] ** 2)
        from_future = das[t] @ W_h.T
    da = numpy.stack(das, axis=1)  # (B, T, n)
    previous = numpy.concatenate([h0[:, None], hs[:, :-1]], axis=1)
    dx = da @ W_x.T
    dW_x = numpy.einsum("btm,btn->mn", x, da)
    dW_h = numpy.einsum("btk,btn->kn", previous, da)
    return dx, from_future, dW_x, dW_h, da.sum(axis=(0, 1))
