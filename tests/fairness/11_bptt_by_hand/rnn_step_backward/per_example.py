import numpy


def rnn_step_backward(dh, x_t, h_prev, h_t, W_x, W_h):
    """One step backwards, one example at a time, adding outer products for the weights."""
    grads = [numpy.zeros(x_t.shape), numpy.zeros(h_prev.shape)]
    grads += [numpy.zeros(W_x.shape), numpy.zeros(W_h.shape), numpy.zeros(W_h.shape[0])]
    for row in range(dh.shape[0]):
        local = dh[row] * (1.0 - h_t[row] * h_t[row])
        grads[0][row] = W_x.dot(local)
        grads[1][row] = W_h.dot(local)
        grads[2] += numpy.outer(x_t[row], local)
        grads[3] += numpy.outer(h_prev[row], local)
        grads[4] += local
    return tuple(grads)
