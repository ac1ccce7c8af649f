import math


def build_model(vocab_size, max_params, cell="gru"):
    """One-hot (batch, time, vocab_size) -> GRU/LSTM (as wide as max_params allows) -> logits."""
    gates, biases = (3, 2) if cell == "gru" else (4, 1)

    def count(u):
        return gates * (u * (vocab_size + u) + biases * u) + (u + 1) * vocab_size

    # count(u) = gates u^2 + (gates (vocab_size + biases) + vocab_size) u + vocab_size
    a, b, c = gates, gates * (vocab_size + biases) + vocab_size, vocab_size - max_params
    units = int((-b + math.sqrt(max(b * b - 4 * a * c, 0))) / (2 * a))
    while count(units + 1) <= max_params:
        units += 1
    while units > 0 and count(units) > max_params:
        units -= 1
    if units < 1:
        raise ValueError(f"max_params={max_params} is too small for any {cell} layer")
    inputs = keras.Input(shape=(None, vocab_size))
    recurrent = (
        keras.layers.GRU(units, return_sequences=True)
        if cell == "gru"
        else (keras.layers.LSTM(units, return_sequences=True))
    )
    return keras.Model(inputs, keras.layers.Dense(vocab_size)(recurrent(inputs)))
