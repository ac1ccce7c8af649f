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
    inputs = np.einsum("btm,mn->btn", x, W_x) + b  # the input part of every step at once
    h = h0 if h0 is not None else np.zeros_like(inputs[:, 0])
    states = []
    for t in range(inputs.shape[1]):
        h = np.tanh(inputs[:, t] + h @ W_h)
        states.append(h)
    return np.stack(states, axis=1)
