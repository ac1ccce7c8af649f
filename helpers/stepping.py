"""The stateful stepper behind :func:`helpers.sampling.generate`, compiled into one graph.

A chain of ``Embedding`` (or one-hot input), recurrent layers (``SimpleRNN`` / ``LSTM`` /
``GRU`` or any ``keras.layers.RNN``) and per-step layers (``Dense``, ``Dropout``, ...) can run
one time step at a time, carrying the recurrent states. :class:`RecurrentStepper` does that
inside a single ``tf.function``: feeding the prompt, drawing each next character in the graph
and feeding it back, for all samples of a batch at once, so ``n`` characters cost one call
into TensorFlow instead of ``n`` Python round trips. Randomness comes in as uniforms drawn
beforehand with NumPy from the user's seed (one per character, the number
``numpy.random.Generator.choice`` would consume), so a seed gives the same text here as
:func:`helpers.sampling.sample_next` and the window fallback would.
"""

from __future__ import annotations

import weakref

import numpy as np

from helpers.vocab import UNKNOWN_ID

# Layers that act on each time step independently, so they can run on one step at a time.
_PER_STEP = (
    "Dense",
    "Dropout",
    "Activation",
    "Softmax",
    "LayerNormalization",
    "BatchNormalization",
    "GaussianNoise",
    "ReLU",
    "LeakyReLU",
)

# model -> ((depth, one_hot), _Program or None when the agreement check failed)
_PROGRAMS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _encode_input(ids, depth: int, one_hot: bool) -> np.ndarray:
    """ids ``(time,)`` -> a batch of one: ids ``(1, time)`` or one-hot ``(1, time, depth)``."""
    ids = np.asarray(ids, dtype=np.int32)[None, :]
    if one_hot:
        return np.eye(depth, dtype=np.float32)[ids]
    return ids


def last_step(output) -> np.ndarray:
    """Model output ``(batch, time, vocab)`` or ``(batch, vocab)`` -> ``(batch, vocab)``."""
    out = np.asarray(output)
    return out[:, -1] if out.ndim == 3 else out


def ends_in_softmax(layer) -> bool:
    """True when ``layer`` (a model's last) outputs probabilities rather than logits."""
    activation = getattr(getattr(layer, "activation", None), "__name__", "")
    return activation == "softmax" or type(layer).__name__ == "Softmax"


class _Program:
    """The compiled step loop of one model; shared by every stepper built for that model."""

    def __init__(self, layers, depth: int, one_hot: bool):
        import keras
        import tensorflow as tf

        self.layers = layers
        self.depth = depth
        self.one_hot = one_hot
        self.probabilities = ends_in_softmax(layers[-1])
        self.recurrent = [isinstance(layer, keras.layers.RNN) for layer in layers]
        states = self._states_per_layer(1)
        self.state_counts = [len(s) for s in states]
        signature = [
            [tf.TensorSpec([None, *s.shape[1:]], s.dtype) for group in states for s in group],
            tf.TensorSpec([None], tf.int32),  # prompt
            tf.TensorSpec([None, None], tf.float64),  # uniforms
            tf.TensorSpec([], tf.float64),  # temperature
            tf.TensorSpec([], tf.int32),  # top_k
        ]
        # Traced once per model (a few tenths of a second), then reused by every call.
        self.run = tf.function(self._run, input_signature=signature)

    def _states_per_layer(self, batch: int) -> list[list]:
        return [
            list(layer.get_initial_state(batch)) if recurrent else []
            for layer, recurrent in zip(self.layers, self.recurrent, strict=True)
        ]

    def initial_states(self, batch: int) -> list:
        """Zero states for ``batch`` samples, flattened: a list of ``(batch, units)`` tensors."""
        return [s for layer_states in self._states_per_layer(batch) for s in layer_states]

    def step(self, ids, states: list):
        """One time step: ids ``(batch,)`` int32 -> (output ``(batch, vocab)``, new states)."""
        import tensorflow as tf

        x = tf.one_hot(ids, self.depth, dtype="float32") if self.one_hot else ids
        new_states, position = [], 0
        for layer, recurrent, count in zip(
            self.layers, self.recurrent, self.state_counts, strict=True
        ):
            if recurrent:
                x, next_states = layer.cell(x, states[position : position + count], training=False)
                if not isinstance(next_states, (list, tuple)):
                    next_states = [next_states]
                new_states.extend(next_states)
                position += count
            else:
                x = layer(x, training=False)
        return x, new_states

    def _run(self, states, prompt, uniforms, temperature, top_k):
        """Feed ``prompt`` to every sample, then draw ``uniforms.shape[1]`` ids per sample.

        Args:
            states: flattened states, tensors ``(batch, units)``.
            prompt: ids ``(prompt_len,)`` fed to every sample.
            uniforms: float64 ``(batch, n)`` in [0, 1): the randomness of each draw.
            temperature: float64 scalar > 0.
            top_k: int32 scalar; draw among the top_k most likely ids (>= vocab: all).

        Returns:
            (output after the prompt ``(batch, vocab)``, drawn ids ``(batch, n)`` int32,
            final states, True when every distribution was valid).
        """
        import tensorflow as tf

        batch, n = tf.shape(uniforms)[0], tf.shape(uniforms)[1]
        out = tf.zeros([batch, self.depth], self.layers[-1].compute_dtype)

        def feed(t, out, states):
            return (t + 1, *self.step(tf.fill([batch], prompt[t]), states))

        _, out, states = tf.while_loop(
            lambda t, *_: t < tf.shape(prompt)[0], feed, (0, out, states)
        )
        forbidden = tf.one_hot(UNKNOWN_ID, self.depth, on_value=True, off_value=False)

        def draw(i, out, states, ids, ok):
            logits = tf.cast(out, tf.float64)
            if self.probabilities:
                logits = tf.math.log(tf.maximum(logits, 0.0))
            logits = tf.where(forbidden, tf.constant(-np.inf, tf.float64), logits)
            chosen, total = _pick_ids_tf(logits, uniforms[:, i], temperature, top_k)
            ok = tf.logical_and(ok, tf.reduce_all(tf.math.is_finite(total)))
            return (i + 1, *self.step(chosen, states), ids.write(i, chosen), ok)

        ids = tf.TensorArray(tf.int32, size=n, element_shape=[None])
        _, _, states, ids, ok = tf.while_loop(
            lambda i, *_: i < n, draw, (0, out, states, ids, tf.constant(True))
        )
        # Stacking an empty TensorArray of unknown element shape fails: n = 0 gets (batch, 0).
        ids = tf.cond(
            n > 0, lambda: tf.transpose(ids.stack(), [1, 0]), lambda: tf.zeros([batch, 0], tf.int32)
        )
        return out, ids, states, ok


def _pick_ids_tf(logits, uniforms, temperature, top_k):
    """In-graph twin of :func:`helpers.sampling._pick_ids` (same arithmetic, float64).

    logits ``(batch, vocab)``, uniforms ``(batch,)``, top_k a scalar tensor (>= vocab keeps
    every id) -> (ids ``(batch,)``, cdf total ``(batch,)``, NaN when a row had NaN, +inf or
    no finite logit).
    """
    import tensorflow as tf

    top_k = tf.minimum(top_k, tf.shape(logits)[1])
    threshold = tf.math.top_k(logits, top_k, sorted=True).values[:, -1:]
    logits = tf.where(logits >= threshold, logits, tf.constant(-np.inf, tf.float64))
    scaled = logits / temperature
    scaled -= tf.reduce_max(scaled, axis=1, keepdims=True)
    probs = tf.exp(scaled)
    probs /= tf.reduce_sum(probs, axis=1, keepdims=True)
    cdf = tf.cumsum(probs, axis=1)
    total = cdf[:, -1]
    cdf /= total[:, None]
    return tf.reduce_sum(tf.cast(cdf <= uniforms[:, None], tf.int32), axis=1), total


class RecurrentStepper:
    """Runs a chain of per-step and recurrent layers one time step at a time.

    Built with :meth:`try_build`, which returns None for models it cannot step exactly. The
    compiled program is cached per model, so only the first call for a model pays for tracing
    and for the agreement check; every stepper starts from fresh (zero) states.
    """

    def __init__(self, program: _Program):
        self.program = program
        self.depth = program.depth
        self.states = program.initial_states(1)

    @classmethod
    def try_build(cls, model, depth: int, one_hot: bool) -> RecurrentStepper | None:
        """A stepper for ``model``, or None when it is not a steppable chain of layers or
        stepping does not reproduce the model's own output on a probe sequence."""
        import keras

        layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
        for position, layer in enumerate(layers):
            name = type(layer).__name__
            if isinstance(layer, keras.layers.RNN):
                if layer.go_backwards or getattr(layer, "stateful", False):
                    return None
            elif isinstance(layer, keras.layers.Embedding):
                if position != 0 or one_hot:
                    return None
            elif name not in _PER_STEP:
                return None
        if not any(isinstance(layer, keras.layers.RNN) for layer in layers):
            return None
        cached = _PROGRAMS.get(model)
        if cached is None or cached[0] != (depth, one_hot):
            program = _Program(layers, depth, one_hot)
            cached = ((depth, one_hot), program if cls(program)._agrees_with(model) else None)
            _PROGRAMS[model] = cached
        return None if cached[1] is None else cls(cached[1])

    def feed(self, ids: np.ndarray) -> np.ndarray:
        """Feed ids ``(time,)`` in one call, keep the states; return the output ``(vocab,)``."""
        import tensorflow as tf

        ids = np.asarray(ids, dtype=np.int32).reshape(-1)
        out, _, self.states, _ = self.program.run(
            self.states,
            ids,
            tf.zeros([1, 0], tf.float64),
            tf.constant(1.0, tf.float64),
            tf.constant(self.depth, tf.int32),
        )
        return np.asarray(out)[0].astype(np.float64)

    def sample(
        self, prompt: np.ndarray, uniforms: np.ndarray, temperature: float, top_k: int | None
    ) -> np.ndarray:
        """Feed ``prompt`` ``(time,)`` to ``len(uniforms)`` fresh samples and draw their ids.

        ``uniforms`` ``(samples, n)`` in [0, 1) drive the draws; returns int32 ids
        ``(samples, n)``, each row exactly what :func:`helpers.sampling._pick_ids` would pick
        from the model's distribution at that step.
        """
        import tensorflow as tf

        uniforms = np.asarray(uniforms, dtype=np.float64)
        _, ids, _, ok = self.program.run(
            self.program.initial_states(len(uniforms)),
            np.asarray(prompt, np.int32),
            uniforms,
            tf.constant(float(temperature), tf.float64),
            tf.constant(min(top_k or self.depth, self.depth), tf.int32),
        )
        if not bool(ok):
            raise ValueError(
                "the model's output held NaN or no finite value while generating; "
                "its weights are broken (retrain it or load a saved copy)."
            )
        return np.asarray(ids)

    def _agrees_with(self, model) -> bool:
        """Check on a probe sequence that stepping reproduces the model's own output."""
        fixed = model.inputs[0].shape[1]
        probe = (np.arange(fixed or 12) % (self.depth - 1) + 1).astype(np.int32)
        expected = last_step(
            model(_encode_input(probe, self.depth, self.program.one_hot), training=False)
        )[0]
        got = self.feed(probe)
        self.states = self.program.initial_states(1)
        scale = max(1.0, float(np.abs(expected).max()))
        return got.shape == expected.shape and bool(np.allclose(got, expected, atol=1e-4 * scale))
