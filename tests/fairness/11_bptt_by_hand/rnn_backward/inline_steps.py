import numpy


def rnn_backward(dhs, x, hs, h0, W_x, W_h):
    """BPTT without the step function: prepend h0 to the states, then one loop backwards."""
    states = numpy.concatenate([h0[:, None, :], hs], axis=1)  # states[:, t] is h_(t-1)
    dx = numpy.zeros(x.shape)
    dW_x = numpy.zeros(W_x.shape)
    dW_h = numpy.zeros(W_h.shape)
    db = numpy.zeros(W_h.shape[1])
    carried = numpy.zeros(h0.shape)
    t = x.shape[1]
    while t > 0:
        t -= 1
        da = (dhs[:, t] + carried) * (1 - states[:, t + 1] ** 2)
        dx[:, t] = da @ W_x.T
        dW_x += x[:, t].T @ da
        dW_h += states[:, t].T @ da
        db += da.sum(0)
        carried = da @ W_h.T
    return dx, carried, dW_x, dW_h, db
