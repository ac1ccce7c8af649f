"""Small character models and a learnable text, shared by the competition and leaderboard tests.

Besides honest models (``_char_model``, ``_trained_model``, ``_lstm_model``) it builds the
cheats the causal probe must catch: a centred ``Conv1D`` that copies the next character and a
``Bidirectional`` GRU.
"""

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


def _lstm_model(vocab_size: int, units: int = 12):
    """An honest one-hot LSTM model."""
    inputs = keras.Input((None, vocab_size))
    x = keras.layers.LSTM(units, return_sequences=True)(inputs)
    return keras.Model(inputs, keras.layers.Dense(vocab_size)(x))


def _trained_model(epochs: int = 15, text: str = TEXT):
    """The honest control: a small GRU trained for seconds on ``text`` (its first 1,020
    characters, in windows of 20)."""
    keras.utils.set_random_seed(0)
    model = _char_model(VOCAB.size)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(keras.optimizers.Adam(0.02), loss)
    ids = VOCAB.encode(text)
    x = np.stack([ids[i : i + 20] for i in range(0, 1000, 3)])
    y = np.stack([ids[i + 1 : i + 21] for i in range(0, 1000, 3)])
    model.fit(x, y, epochs=epochs, batch_size=32, verbose=0)
    return model


def _look_ahead_conv(vocab_size: int, scale: float = 20.0):
    """An untrained Conv1D whose centred kernel copies the *next* character: a cheat."""
    inputs = keras.Input((None, vocab_size))
    conv = keras.layers.Conv1D(vocab_size, 3, padding="same")
    model = keras.Model(inputs, conv(inputs))
    kernel = np.zeros((3, vocab_size, vocab_size), dtype="float32")
    kernel[2] = scale * np.eye(vocab_size)  # tap +1: the character after this one
    conv.set_weights([kernel, np.zeros(vocab_size, dtype="float32")])
    return model


def _bidirectional(vocab_size: int, units: int = 8):
    """A Bidirectional GRU on ids: fine for tagging, a look-ahead for prediction."""
    inputs = keras.Input((None,))
    x = keras.layers.Embedding(vocab_size, 8)(inputs)
    x = keras.layers.Bidirectional(keras.layers.GRU(units, return_sequences=True))(x)
    return keras.Model(inputs, keras.layers.Dense(vocab_size)(x))


def _one_hot_of_ids(vocab_size: int):
    """An Embedding whose vectors are the one-hot rows: ids in, one-hot vectors out."""
    layer = keras.layers.Embedding(vocab_size, vocab_size, trainable=False)
    layer.build((None, None))
    layer.set_weights([np.eye(vocab_size, dtype="float32")])
    return layer


def _peek_next(vocab_size: int, boost: float, blind: float):
    """A centred Conv1D on one-hot vectors that adds ``boost`` to the logit of the *next*
    character and a fixed ``blind`` to class 0 (the unknown id, which never occurs)."""
    conv = keras.layers.Conv1D(vocab_size, 3, padding="same")
    conv.build((None, None, vocab_size))
    kernel = np.zeros((3, vocab_size, vocab_size), dtype="float32")
    kernel[2] = boost * np.eye(vocab_size)
    bias = np.zeros(vocab_size, dtype="float32")
    bias[0] = blind
    conv.set_weights([kernel, bias])
    return conv


def _blinding_cheat(vocab_size: int, boost: float = 8.0, blind: float = -1e6):
    """Attack 1 of issue 20: a never-occurring class at -1e6 widened the old probe's tolerance
    (1e-4 of the largest output) to about 100 logits; the model then reads the next character."""
    inputs = keras.Input((None,))
    return keras.Model(
        inputs, _peek_next(vocab_size, boost, blind)(_one_hot_of_ids(vocab_size)(inputs))
    )


def _blinded_honest(honest, vocab_size: int, boost: float = 4.0, blind: float = -1e6):
    """Attack 1, second form: an honest id model plus ``boost`` logits on the next character,
    behind the same -1e6 blind."""
    inputs = keras.Input((None,))
    x = inputs
    for layer in honest.layers[1:]:  # its own layers, so the graph stays flat (no nested model)
        x = layer(x)
    peek = _peek_next(vocab_size, boost, blind)(_one_hot_of_ids(vocab_size)(inputs))
    return keras.Model(inputs, keras.layers.Add()([x, peek]))


def _batch_mixing(vocab_size: int, dropout: float = 0.1):
    """Attack 2 of issue 20: attention across the batch axis (``attention_axes=(0,)``), with a
    little dropout so that Keras takes the code path that honours the axis. The windows of a
    scored batch are consecutive, so the next row holds this row's future."""
    inputs = keras.Input((None,))
    x = _one_hot_of_ids(vocab_size)(inputs)
    mixed = keras.layers.MultiHeadAttention(
        num_heads=1, key_dim=vocab_size, attention_axes=(0,), dropout=dropout
    )(x, x)
    return keras.Model(
        inputs, keras.layers.Dense(vocab_size)(keras.layers.Concatenate()([x, mixed]))
    )
