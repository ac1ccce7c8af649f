def design_model(vocab_size):
    """Your character model: ids (batch, time) or one-hot (batch, time, vocab_size) in,
    next-character logits or probabilities (batch, time, vocab_size) out. Uncompiled."""
    units = pick(full=256, smoke=24)
    inputs = keras.Input(shape=(None, vocab_size))
    hidden = keras.layers.LSTM(units, return_sequences=True)(inputs)
    outputs = keras.layers.Dense(vocab_size, activation="softmax")(hidden)
    return keras.Model(inputs, outputs, name="one_hot_lstm")
