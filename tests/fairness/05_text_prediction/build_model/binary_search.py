def build_model(vocab_size, max_params, cell="gru"):
    """One-hot (batch, time, vocab_size) -> GRU/LSTM (as wide as max_params allows) -> logits."""

    def count(units):
        if cell == "gru":  # three gates, two bias vectors each (reset_after=True)
            recurrent = 3 * units * (vocab_size + units + 2)
        else:
            recurrent = 4 * units * (vocab_size + units + 1)
        return recurrent + (units + 1) * vocab_size  # the Dense layer

    if count(1) > max_params:
        raise ValueError(f"max_params={max_params} cannot hold a single {cell} unit")
    low, high = 1, 2
    while count(high) <= max_params:
        high *= 2
    while high - low > 1:  # count(low) fits, count(high) does not
        middle = (low + high) // 2
        if count(middle) <= max_params:
            low = middle
        else:
            high = middle
    layer = keras.layers.GRU if cell == "gru" else keras.layers.LSTM
    return keras.Sequential(
        [
            keras.Input((None, vocab_size)),
            layer(low, return_sequences=True),
            keras.layers.Dense(vocab_size),
        ]
    )
