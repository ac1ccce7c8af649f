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
    if cell_type not in CELLS:
        raise ValueError(f"unknown cell_type {cell_type!r}; choose from {CELLS}")
    layer_class = getattr(keras.layers, cell_type)
    model = keras.Sequential()
    model.add(keras.Input(shape=input_shape))
    for i in range(layers):
        last = i == layers - 1
        model.add(layer_class(units, return_sequences=(not last) or return_sequences))
    model.add(keras.layers.Dense(n_outputs, activation=output_activation))
    return model
