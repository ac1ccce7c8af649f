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
    W_z, W_r, W_h = np.split(kernel, 3, axis=1)
    U_z, U_r, U_h = np.split(recurrent_kernel, 3, axis=1)
    (b_z, b_r, b_h), (c_z, c_r, c_h) = (np.split(row, 3) for row in bias)
    z = sigmoid(x @ W_z + b_z + h @ U_z + c_z)
    r = sigmoid(x @ W_r + b_r + h @ U_r + c_r)
    candidate = np.tanh(x @ W_h + b_h + r * (h @ U_h + c_h))
    return (1 - z) * candidate + z * h
