def gru_step(x, h, kernel, recurrent_kernel, bias):
    """One GRU step (Keras' layout, reset_after=True) in NumPy.

    Args:
        x: inputs, shape (batch, m).
        h: previous hidden state, shape (batch, n).
        kernel: (m, 3n), blocks z, r, h; recurrent_kernel: (n, 3n), same order;
        bias: (2, 3n), row 0 for the input part, row 1 for the recurrent part.

    Returns:
        The new hidden state, shape (batch, n).
    """
    n = h.shape[-1]
    z_cols, r_cols, h_cols = slice(0, n), slice(n, 2 * n), slice(2 * n, 3 * n)
    xw = x @ kernel + bias[0]
    hu = h @ recurrent_kernel + bias[1]
    z = 1 / (1 + np.exp(-(xw[:, z_cols] + hu[:, z_cols])))
    r = 1 / (1 + np.exp(-(xw[:, r_cols] + hu[:, r_cols])))
    h_tilde = np.tanh(xw[:, h_cols] + r * hu[:, h_cols])
    return z * h + (1 - z) * h_tilde
