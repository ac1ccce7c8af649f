def highway_gradient(forget, grad_last):
    """dL/dc_k along the cell state for k = 0..T, from the forget gates and dL/dc_T.

    Args:
        forget: forget-gate values f_1..f_T, shape (batch, T, n).
        grad_last: dL/dc_T, shape (batch, n).

    Returns:
        Shape (batch, T + 1, n); entry k is grad_last times the product of f_(k+1) .. f_T.
    """
    forget = np.asarray(forget)
    batch, steps, units = forget.shape
    out = np.empty((batch, steps + 1, units), dtype=np.result_type(forget, grad_last))
    out[:, steps] = grad_last
    for k in range(steps - 1, -1, -1):  # dL/dc_k = dL/dc_(k+1) * f_(k+1)
        out[:, k] = out[:, k + 1] * forget[:, k]
    return out
