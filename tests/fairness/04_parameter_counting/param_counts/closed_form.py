def conv1d_params(m, n, kernel_size):
    """Parameters of Conv1D(n, kernel_size) on m input channels."""
    return n * (m * kernel_size + 1)


def conv_lstm1d_params(m, n, kernel_size):
    """Parameters of ConvLSTM1D(n, kernel_size) on rows of m input channels."""
    kernel = kernel_size * m * 4 * n
    recurrent_kernel = kernel_size * n * 4 * n
    bias = 4 * n
    return kernel + recurrent_kernel + bias


def _layer(cell, width, n):
    if cell == "simple_rnn":
        return n * (width + n + 1)
    if cell == "lstm":
        return 4 * n * (width + n + 1)
    if cell == "gru":
        return 3 * n * (width + n + 2)
    if cell == "peephole_lstm":
        return 4 * n * (width + n + 1) + 3 * n
    raise ValueError(f"unknown cell {cell!r}")


def rnn_stack_params(cell, m, n, layers, merge_mode=None):
    """Parameters of `layers` stacked recurrent layers (optionally bidirectional) on m inputs."""
    directions = 1 if merge_mode is None else 2
    above = 2 * n if merge_mode == "concat" else n
    return directions * (_layer(cell, m, n) + (layers - 1) * _layer(cell, above, n))
