def design_model(vocab_size):
    """Your character model: ids (batch, time) or one-hot (batch, time, vocab_size) in,
    next-character logits or probabilities (batch, time, vocab_size) out. Uncompiled."""
    model = keras.Sequential()
    model.add(keras.Input(shape=(None,), dtype="int32"))
    model.add(keras.layers.Embedding(vocab_size, 32))
    model.add(keras.layers.SimpleRNN(pick(full=300, smoke=20), return_sequences=True))
    model.add(keras.layers.LayerNormalization())
    model.add(keras.layers.Dense(vocab_size))
    return model
