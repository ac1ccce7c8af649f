def highway_gradient(forget, grad_last):
    """dL/dc_k along the cell state for k = 0..T, from the forget gates and dL/dc_T.

    Args:
        forget: forget-gate values f_1..f_T, shape (batch, T, n).
        grad_last: dL/dc_T, shape (batch, n).

    Returns:
        Shape (batch, T + 1, n); entry k is grad_last times the product of f_(k+1) .. f_T.
    """
    steps = forget.shape[1]
    entries = [np.prod(forget[:, k:], axis=1) * grad_last for k in range(steps)]
    entries.append(np.array(grad_last, dtype=float))
    return np.stack(entries, axis=1)
