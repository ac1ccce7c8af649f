def rnn_forward(x, W_x, W_h, b, h0=None):
    """Run a vanilla RNN over a batch of sequences and return every hidden state.

    Args:
        x: inputs, shape (batch, time, m).
        W_x: input weights (Keras `kernel`), shape (m, n).
        W_h: recurrent weights (Keras `recurrent_kernel`), shape (n, n).
        b: bias, shape (n,).
        h0: initial hidden state, shape (batch, n); zeros when None.

    Returns:
        The hidden states h_1, ..., h_T, shape (batch, time, n).
    """
    batch, steps, _ = x.shape
    units = W_h.shape[1]
    out = np.empty((batch, steps, units), dtype=np.result_type(x, W_x))
    h = np.zeros((batch, units), dtype=out.dtype) if h0 is None else np.asarray(h0)
    for t in range(steps):
        h = np.tanh(np.dot(x[:, t, :], W_x) + np.dot(h, W_h) + b)
        out[:, t, :] = h
    return out
