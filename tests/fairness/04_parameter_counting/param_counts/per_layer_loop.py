def conv1d_params(m, n, kernel_size):
    """Parameters of Conv1D(n, kernel_size) on m input channels."""
    weights = n * (kernel_size * m)
    biases = n
    return weights + biases


def conv_lstm1d_params(m, n, kernel_size):
    """Parameters of ConvLSTM1D(n, kernel_size) on rows of m input channels."""
    return 4 * n * (kernel_size * (m + n) + 1)


def rnn_stack_params(cell, m, n, layers, merge_mode=None):
    """Parameters of `layers` stacked recurrent layers (optionally bidirectional) on m inputs."""
    gates = {"simple_rnn": 1, "lstm": 4, "gru": 3, "peephole_lstm": 4}[cell]
    total, width = 0, m
    for _ in range(layers):
        one = gates * n * (width + n + 1)
        if cell == "gru":
            one += 3 * n  # reset_after: a second bias per gate
        if cell == "peephole_lstm":
            one += 3 * n  # peepholes of the input, forget and output gates
        total += one if merge_mode is None else 2 * one
        width = 2 * n if merge_mode == "concat" else n
    return total
