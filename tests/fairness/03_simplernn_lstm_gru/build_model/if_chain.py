CELLS = ("SimpleRNN", "LSTM", "GRU")


def build_model(
    cell_type,
    units,
    input_shape,
    n_outputs,
    return_sequences=False,
    output_activation=None,
    layers=1,
):
    """Input -> `layers` stacked recurrent layers (SimpleRNN, LSTM or GRU) -> Dense.

    Args:
        cell_type: "SimpleRNN", "LSTM" or "GRU".
        units: size of the hidden state of every recurrent layer.
        input_shape: (time, features); time may be None.
        n_outputs: units of the Dense output layer.
        return_sequences: False: one output per sequence, shape (batch, n_outputs);
            True: one per step, shape (batch, time, n_outputs).
        output_activation: activation of the Dense layer (None: linear).
        layers: number of stacked recurrent layers, >= 1.

    Returns:
        An uncompiled keras.Sequential.

    Raises:
        ValueError: if cell_type is not one of CELLS.
    """

    def recurrent(sequences):
        if cell_type == "SimpleRNN":
            return keras.layers.SimpleRNN(units, return_sequences=sequences)
        if cell_type == "LSTM":
            return keras.layers.LSTM(units, return_sequences=sequences)
        if cell_type == "GRU":
            return keras.layers.GRU(units, return_sequences=sequences)
        raise ValueError(f"cell_type must be SimpleRNN, LSTM or GRU, not {cell_type!r}")

    stack = [keras.Input(input_shape)]
    stack += [recurrent(True) for _ in range(layers - 1)]
    stack.append(recurrent(return_sequences))
    stack.append(keras.layers.Dense(n_outputs, activation=output_activation))
    return keras.Sequential(stack)
