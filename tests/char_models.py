"""Small character models and a learnable text, shared by the competition and leaderboard tests."""

from __future__ import annotations

import keras
import numpy as np

from helpers.vocab import CharVocab

# A text with a fixed 7-character pattern: a model can learn it almost perfectly.
PATTERN = "ROMEO:\n"
TEXT = PATTERN * 300
VOCAB = CharVocab.from_text(TEXT)


def _char_model(vocab_size: int, units: int = 16, embedding: int = 8, one_hot=False):
    inputs = keras.Input((None, vocab_size) if one_hot else (None,))
    x = inputs if one_hot else keras.layers.Embedding(vocab_size, embedding)(inputs)
    x = keras.layers.GRU(units, return_sequences=True)(x)
    return keras.Model(inputs, keras.layers.Dense(vocab_size)(x))


def _trained_model(epochs: int = 15):
    keras.utils.set_random_seed(0)
    model = _char_model(VOCAB.size)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(keras.optimizers.Adam(0.02), loss)
    ids = VOCAB.encode(TEXT)
    x = np.stack([ids[i : i + 20] for i in range(0, 1000, 3)])
    y = np.stack([ids[i + 1 : i + 21] for i in range(0, 1000, 3)])
    model.fit(x, y, epochs=epochs, batch_size=32, verbose=0)
    return model
